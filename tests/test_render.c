// SPDX-License-Identifier: MIT
/*
 * Renderer tests: every /proc file is parsed the way procps and psmisc
 * parse it, and its shape (keys, their order, field counts, padding) is
 * compared with the byte-exact files of a real 6.18 kernel in
 * PROCSIM_SAMPLES.  Values come from a booted, populated core.
 */
#include <stdio.h>
#include <string.h>

#include "render_fixture.h"

#define BTIME		1700000000LL
#define BOOT_TICKS	123456ULL

/* ---- helpers ---------------------------------------------------------- */

static char *read_sample(const char *rel, size_t *len)
{
	char path[512];
	FILE *f;
	char *s;
	long n;

	snprintf(path, sizeof(path), "%s/%s", PROCSIM_SAMPLES, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

/* Render into the fixture's buffer and NUL-terminate (not counted in len). */
static const char *show(struct fx *f, task_render_fn fn, int pid, bool whole)
{
	struct task *t = find_task(&f->k, pid);

	assert_non_null(t);
	buf_reset(&f->b);
	fn(&f->b, &f->c, t, whole);
	buf_putc(&f->b, '\0');
	assert_false(f->b.oom);
	f->b.len--;
	return f->b.data;
}

static const char *show_global(struct fx *f, global_render_fn fn)
{
	buf_reset(&f->b);
	fn(&f->b, &f->c);
	buf_putc(&f->b, '\0');
	assert_false(f->b.oom);
	f->b.len--;
	return f->b.data;
}

/*
 * The key of every line, up to @sep (or the first whitespace when @sep is
 * 0), joined by '|': "Name|Umask|State|…".  Caller frees.
 */
static char *keys_of(const char *s, char sep)
{
	size_t cap = strlen(s) + 2, n = 0;
	char *out = malloc(cap);
	const char *p = s;

	assert_non_null(out);
	while (*p) {
		const char *nl = strchr(p, '\n'), *end;

		if (!nl)
			nl = p + strlen(p);
		end = p;
		while (end < nl && (sep ? *end != sep : (*end != ' ' && *end != '\t')))
			end++;
		memcpy(out + n, p, (size_t)(end - p));
		n += (size_t)(end - p);
		out[n++] = '|';
		p = *nl ? nl + 1 : nl;
	}
	out[n] = '\0';
	return out;
}

/* Value of "Key:\t<v>" in a status text, or -1 when the key is missing. */
static long long status_val(const char *s, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s:\t", key);
	if (!strncmp(s, pat + 1, strlen(pat + 1)))
		p = s + strlen(pat + 1);
	else if ((p = strstr(s, pat)))
		p += strlen(pat);
	else
		return -1;
	return strtoll(p, NULL, 10);
}

static int count_char(const char *s, size_t len, char c)
{
	int n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* What procps' stat2proc (readproc.c, 4.0.2) reads after the comm. */
struct ps_stat {
	char state;
	int ppid, pgrp, session, tty, tpgid;
	unsigned long flags, minflt, cminflt, majflt, cmajflt;
	unsigned long long utime, stime, cutime, cstime;
	int prio, nice, nlwp;
	unsigned long alarm;
	unsigned long long start;
	unsigned long vsize, rss, rsslim, scode, ecode, sstack, esp, eip, wchan;
	int exit_signal, cpu;
	unsigned long rtprio, policy;
	unsigned long long blkio, gtime, cgtime;
	char comm[64];
	int pid;
};

static int ps_stat_parse(const char *s, struct ps_stat *p)
{
	const char *open = strchr(s, '('), *close = strrchr(s, ')');
	size_t n;

	if (!open || !close || close < open)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = atoi(s);
	n = (size_t)(close - open - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, n);
	return sscanf(close + 2,
		"%c "
		"%d %d %d %d %d "
		"%lu %lu %lu %lu %lu "
		"%llu %llu %llu %llu "
		"%d %d "
		"%d "
		"%lu "
		"%llu "
		"%lu "
		"%lu "
		"%lu %lu %lu %lu %lu %lu "
		"%*s %*s %*s %*s "
		"%lu %*u %*u "
		"%d %d "
		"%lu %lu "
		"%llu %llu %llu",
		&p->state, &p->ppid, &p->pgrp, &p->session, &p->tty, &p->tpgid,
		&p->flags, &p->minflt, &p->cminflt, &p->majflt, &p->cmajflt,
		&p->utime, &p->stime, &p->cutime, &p->cstime,
		&p->prio, &p->nice, &p->nlwp, &p->alarm, &p->start,
		&p->vsize, &p->rss, &p->rsslim, &p->scode, &p->ecode,
		&p->sstack, &p->esp, &p->eip, &p->wchan,
		&p->exit_signal, &p->cpu, &p->rtprio, &p->policy,
		&p->blkio, &p->gtime, &p->cgtime);
}
#define PS_STAT_FIELDS	36

/* Whitespace-separated fields of a stat line, the comm counting as one. */
static int stat_nfields(const char *s)
{
	const char *p = strrchr(s, ')') + 1;
	int n = 2;

	while (*p) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return n;
}

/* A stat line as the kernel writes it: one line, one space after ')'. */
static void assert_stat_shape(const char *s)
{
	const char *close = strrchr(s, ')');

	assert_non_null(close);
	assert_int_equal(close[1], ' ');
	assert_true(close[2] != ' ');
	assert_int_equal(count_char(s, strlen(s), '\n'), 1);
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_int_equal(stat_nfields(s), 52);
}

/* Every status line is "Key:\t…" (procps stops parsing otherwise). */
static void assert_status_tabs(const char *s)
{
	const char *p = s;

	assert_int_equal(s[strlen(s) - 1], '\n');
	while (*p) {
		const char *colon = strchr(p, ':'), *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_non_null(colon);
		assert_true(colon < nl);
		assert_int_equal(colon[1], '\t');
		p = nl + 1;
	}
}

/* pmap's parse of a maps header; 1 if it parses, with the name's offset. */
static int pmap_parse(const char *line, unsigned long *start,
		      unsigned long *end, char perms[32])
{
	unsigned long long off, inode;
	unsigned int maj, min;

	return sscanf(line, "%lx-%lx %31s %llx %x:%x %llu", start, end, perms,
		      &off, &maj, &min, &inode) == 7;
}

/*
 * A maps line in the kernel's layout: a name starts at column 74 after
 * spaces; an anonymous line ends right after "<inode> ".
 */
static void assert_maps_line(const char *line, size_t len)
{
	size_t i;

	assert_true(len > 0);
	if (line[len - 1] == ' ') {
		assert_true(len < 73);
		assert_true(line[len - 2] >= '0' && line[len - 2] <= '9');
		return;
	}
	assert_true(len > 73);
	assert_true(line[73] != ' ');
	for (i = 72; line[i] == ' '; i--)
		;
	/* Between the inode and the name there are only spaces. */
	assert_true(line[i] >= '0' && line[i] <= '9');
	assert_true(i <= 71);
}

static int count_lines(const char *s)
{
	return count_char(s, strlen(s), '\n');
}

static struct mm_counts counts_of(struct fx *f, int pid)
{
	struct mm_counts c;

	mm_counts(find_task(&f->k, pid)->mm, &c);
	return c;
}

/* ---- fixture ---------------------------------------------------------- */

static int setup(void **state)
{
	char *const argv[] = { "/usr/bin/python3", "server.py", NULL };
	struct fx *f = fx_boot(42, BOOT_TICKS, 60, BTIME);
	struct task *t;
	int kid;

	/* A python3 with two extra threads under init... */
	assert_int_equal(do_fork(&f->k, 1, 1, &f->proc), 0);
	assert_int_equal(do_execve(&f->k, f->proc, NULL, 2, argv), 0);
	assert_int_equal(do_clone_thread(&f->k, f->proc, &f->th1), 0);
	assert_int_equal(do_clone_thread(&f->k, f->proc, &f->th2), 0);
	/* ...and an exited child it has not reaped. */
	assert_int_equal(do_fork(&f->k, f->proc, 1, &kid), 0);
	assert_int_equal(do_exit(&f->k, kid, 3), 0);
	t = find_task(&f->k, kid);
	assert_non_null(t);
	assert_int_equal(t->state, EXIT_ZOMBIE);
	f->zombie = kid;
	f->c.now = kernel_now(&f->k);
	*state = f;
	return 0;
}


/* ---- buf --------------------------------------------------------------- */

static void test_buf_grows(void **state)
{
	char big[5000];
	struct buf b;
	size_t cap;
	int i;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b);
	for (i = 0; i < 20; i++)
		buf_printf(&b, "%d:%s\n", i, big);
	assert_false(b.oom);
	assert_int_equal(b.len, 20 * (sizeof(big) - 1 + 2) + 10 * 1 + 10 * 2);
	assert_memory_equal(b.data, "0:xxx", 5);
	assert_memory_equal(b.data + b.len - 4, "xxx\n", 4);
	cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	buf_puts(&b, "ab");
	buf_putc(&b, 'c');
	buf_put(&b, "de", 2);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "abcde", 5);
	buf_free(&b);
}

/* ---- stat -------------------------------------------------------------- */

static void test_stat_parses_like_procps(void **state)
{
	struct fx *f = *state;
	struct task *t = find_task(&f->k, f->proc);
	struct mm_counts c = counts_of(f, f->proc);
	char *sample = read_sample("sleep/stat", NULL);
	const char *s = show(f, render_tid_stat, f->proc, true);
	struct ps_stat p;

	assert_stat_shape(s);
	assert_int_equal(stat_nfields(sample), stat_nfields(s));
	assert_int_equal(ps_stat_parse(s, &p), PS_STAT_FIELDS);
	assert_int_equal(p.pid, f->proc);
	assert_string_equal(p.comm, "python3");
	assert_int_equal(p.state, t->state);
	assert_int_equal(p.ppid, 1);
	assert_int_equal(p.nlwp, 3);
	assert_int_equal(p.prio, 20 + t->nice);
	assert_int_equal(p.start, t->start_time);
	assert_int_equal(p.vsize, c.total_vm * PAGE_SIZE);
	assert_int_equal(p.rss, c.rss);
	assert_true(p.vsize > 0 && p.rss > 0);
	assert_int_equal(p.scode, t->mm->start_code);
	assert_int_equal(p.ecode, t->mm->end_code);
	assert_int_equal(p.sstack, t->mm->start_stack);
	assert_int_equal(p.exit_signal, SIGCHLD);
	assert_int_equal(p.tpgid, -1);		/* no controlling tty */
	free(sample);
}

static void test_stat_comm_with_parens(void **state)
{
	struct fx *f = *state;
	struct task *t = find_task(&f->k, f->th2);
	struct ps_stat p;
	const char *s;

	strcpy(t->comm, "my (we) ird) x");
	s = show(f, render_tid_stat, f->th2, false);
	assert_stat_shape(s);
	assert_int_equal(ps_stat_parse(s, &p), PS_STAT_FIELDS);
	assert_string_equal(p.comm, "my (we) ird) x");
	assert_int_equal(p.pid, f->th2);
	strcpy(t->comm, "python3");
}

/* /proc/<tgid>/stat sums the threads; task/<tid>/stat is the thread's. */
static void test_stat_whole_vs_thread(void **state)
{
	struct fx *f = *state;
	struct task *l = find_task(&f->k, f->proc);
	struct task *a = find_task(&f->k, f->th1), *b = find_task(&f->k, f->th2);
	struct ps_stat p;

	l->utime = 5, l->stime = 1, l->minflt = 100;
	a->utime = 7, a->stime = 2, a->minflt = 10;
	b->utime = 3, b->stime = 0, b->minflt = 1;
	a->state = TASK_UNINTERRUPTIBLE;

	assert_int_equal(ps_stat_parse(show(f, render_tid_stat, f->proc, true), &p),
			 PS_STAT_FIELDS);
	assert_int_equal(p.utime, 15);
	assert_int_equal(p.stime, 3);
	assert_int_equal(p.minflt, 111);
	assert_int_equal(p.state, l->state);

	assert_int_equal(ps_stat_parse(show(f, render_tid_stat, f->proc, false), &p),
			 PS_STAT_FIELDS);
	assert_int_equal(p.utime, 5);

	assert_int_equal(ps_stat_parse(show(f, render_tid_stat, f->th1, false), &p),
			 PS_STAT_FIELDS);
	assert_int_equal(p.pid, f->th1);
	assert_int_equal(p.state, 'D');
	assert_int_equal(p.utime, 7);
	assert_int_equal(p.stime, 2);
	assert_int_equal(p.ppid, 1);		/* the process's parent */
	assert_int_equal(p.nlwp, 3);
	assert_int_equal(p.exit_signal, -1);
	assert_int_equal(p.vsize, counts_of(f, f->proc).total_vm * PAGE_SIZE);
	a->state = TASK_INTERRUPTIBLE;
}

/* ---- status ------------------------------------------------------------- */

static void test_status_matches_kernel_order(void **state)
{
	struct fx *f = *state;
	struct task *t = find_task(&f->k, f->proc);
	struct mm_counts c = counts_of(f, f->proc);
	char *sample = read_sample("python3-threads/status", NULL);
	char *want = keys_of(sample, ':'), *got;
	const char *s = show(f, render_tid_status, f->proc, true);
	char uid[64];

	assert_status_tabs(s);
	got = keys_of(s, ':');
	assert_string_equal(got, want);
	assert_int_equal(status_val(s, "Pid"), f->proc);
	assert_int_equal(status_val(s, "Tgid"), f->proc);
	assert_int_equal(status_val(s, "PPid"), 1);
	assert_int_equal(status_val(s, "TracerPid"), 0);
	assert_int_equal(status_val(s, "Threads"), 3);
	assert_int_equal(status_val(s, "VmSize"), c.total_vm * 4);
	assert_int_equal(status_val(s, "VmRSS"), c.rss * 4);
	assert_int_equal(status_val(s, "RssAnon") + status_val(s, "RssFile") +
			 status_val(s, "RssShmem"), c.rss * 4);
	assert_true(status_val(s, "VmPeak") >= status_val(s, "VmSize"));
	assert_true(status_val(s, "VmHWM") >= status_val(s, "VmRSS"));
	snprintf(uid, sizeof(uid), "\nUid:\t%u\t%u\t%u\t%u\n", t->cred.uid,
		 t->cred.euid, t->cred.suid, t->cred.fsuid);
	assert_non_null(strstr(s, uid));
	assert_non_null(strstr(s, "\nVmSize:\t"));
	/* "%8lu kB": the number ends 8 columns after the TAB. */
	assert_memory_equal(strstr(s, "\nVmLck:\t") + 1, "VmLck:\t       0 kB\n", 19);
	assert_non_null(strstr(s, "\nGroups:\t \n"));
	assert_non_null(strstr(s, "\nSigIgn:\t0000000000000000\n"));
	assert_non_null(strstr(s, "\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"));
	assert_non_null(strstr(s, "\nState:\tS (sleeping)\n"));
	free(got);
	free(want);
	free(sample);
}

static void test_status_thread_and_tracer(void **state)
{
	struct fx *f = *state;
	struct task *a = find_task(&f->k, f->th1);
	struct task *saved = a->parent;
	char *sample = read_sample("python3-threads/task-nonleader/status", NULL);
	char *want = keys_of(sample, ':'), *got;
	const char *s = show(f, render_tid_status, f->th1, false);

	got = keys_of(s, ':');
	assert_string_equal(got, want);
	assert_int_equal(status_val(s, "Pid"), f->th1);
	assert_int_equal(status_val(s, "Tgid"), f->proc);
	assert_int_equal(status_val(s, "NSpid"), f->th1);
	assert_int_equal(status_val(s, "NStgid"), f->proc);
	assert_int_equal(status_val(s, "PPid"), 1);
	assert_int_equal(status_val(s, "Threads"), 3);

	/* ptrace: ->parent is the tracer, ->real_parent stays. */
	assert_int_equal(status_val(s, "TracerPid"), 0);
	a->parent = find_task(&f->k, 2);
	a->ptrace = true;
	s = show(f, render_tid_status, f->th1, false);
	assert_int_equal(status_val(s, "TracerPid"), 2);
	a->parent = saved;
	a->ptrace = false;
	free(got);
	free(want);
	free(sample);
}

static void test_status_name_escaped(void **state)
{
	struct fx *f = *state;
	struct task *t = find_task(&f->k, f->th2);
	const char *s;

	strcpy(t->comm, "a\\b\nc");
	s = show(f, render_tid_status, f->th2, false);
	assert_memory_equal(s, "Name:\ta\\\\b\\nc\n", 14);
	assert_status_tabs(s);
	s = show(f, render_tid_comm, f->th2, false);
	assert_string_equal(s, "a\\b\nc\n");	/* comm is raw */
	strcpy(t->comm, "python3");
}

/* ---- statm, maps, smaps -------------------------------------------------- */

static void test_statm(void **state)
{
	struct fx *f = *state;
	struct mm_counts c = counts_of(f, f->proc);
	unsigned long v[7];
	char want[128];
	const char *s = show(f, render_tid_statm, f->proc, true);

	assert_int_equal(sscanf(s, "%lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1],
				&v[2], &v[3], &v[4], &v[5], &v[6]), 7);
	snprintf(want, sizeof(want), "%lu %lu %lu %lu 0 %lu 0\n", c.total_vm,
		 c.rss, c.rss_file + c.rss_shmem, c.text, c.data + c.stack);
	assert_string_equal(s, want);
	assert_true(v[0] > 0 && v[1] > 0 && v[3] > 0);
	/* Threads share the mm. */
	assert_string_equal(show(f, render_tid_statm, f->th1, false), want);
}

static void test_maps_parse_like_pmap(void **state)
{
	struct fx *f = *state;
	struct task *t = find_task(&f->k, f->proc);
	char *sample = read_sample("sleep/maps", NULL);
	const struct vm_area_struct *v = vma_first(t->mm);
	const char *s = show(f, render_tid_maps, f->proc, true), *p;
	unsigned long start, end, prev_end = 0;
	bool stack = false, heap = false;
	char perms[32];
	int lines = 0;

	/* The layout check holds for the real kernel's file too. */
	for (p = sample; *p; p = strchr(p, '\n') + 1)
		assert_maps_line(p, (size_t)(strchr(p, '\n') - p));
	for (p = s; *p; p = strchr(p, '\n') + 1, v = vma_next(t->mm, v)) {
		size_t len = (size_t)(strchr(p, '\n') - p);

		assert_non_null(v);
		assert_true(pmap_parse(p, &start, &end, perms));
		assert_int_equal(start, v->vm_start);
		assert_int_equal(end, v->vm_end);
		assert_true(start >= prev_end && start < end);
		assert_int_equal(strlen(perms), 4);
		assert_int_equal(perms[0], v->vm_flags & VM_READ ? 'r' : '-');
		assert_int_equal(perms[2], v->vm_flags & VM_EXEC ? 'x' : '-');
		assert_maps_line(p, len);
		if (v->name) {
			assert_memory_equal(p + 73, v->name, strlen(v->name));
			assert_int_equal(len, 73 + strlen(v->name));
		}
		if (len > 73 && !strncmp(p + 73, "[stack]", 7)) {
			stack = true;
			assert_true(start <= t->mm->start_stack &&
				    t->mm->start_stack < end);
		}
		heap |= len > 73 && !strncmp(p + 73, "[heap]", 6);
		prev_end = end;
		lines++;
	}
	assert_null(v);
	assert_int_equal(lines, t->mm->map_count);
	assert_true(stack && heap);
	/* Every thread shows the process's map. */
	assert_int_equal(count_lines(show(f, render_tid_maps, f->th2, false)),
			 lines);
	free(sample);
}

/* The key sequence of one smaps block (header line excluded). */
static char *smaps_block_keys(const char *block, size_t len)
{
	char *copy = strndup(block, len), *nl = strchr(copy, '\n'), *k;

	assert_non_null(nl);
	k = keys_of(nl + 1, ':');
	free(copy);
	return k;
}

static void test_smaps_order_and_values(void **state)
{
	struct fx *f = *state;
	struct task *t = find_task(&f->k, f->proc);
	char *sample = read_sample("sleep/smaps", NULL);
	char *want = smaps_block_keys(sample,
		(size_t)(strchr(strstr(sample, "VmFlags"), '\n') - sample + 1));
	char *maps = strdup(show(f, render_tid_maps, f->proc, true));
	const char *s = show(f, render_tid_smaps, f->proc, true), *p = s, *m = maps;
	const struct vm_area_struct *v;
	unsigned long rss_sum = 0;

	/* pmap -x prints a row at Swap:, so Swap follows the three it uses. */
	assert_true(strstr(want, "|Swap|") > strstr(want, "Private_Dirty|"));
	assert_true(strstr(want, "|Swap|") > strstr(want, "|Shared_Dirty|"));
	assert_true(strstr(want, "|Swap|") > strstr(want, "|Rss|"));
	for (v = vma_first(t->mm); v; v = vma_next(t->mm, v)) {
		const char *end = strstr(p, "\nVmFlags: ");
		const char *mnl = strchr(m, '\n');
		char *got, rss[64];

		assert_non_null(end);
		end = strchr(end + 1, '\n') + 1;
		/* The header is the maps line. */
		assert_memory_equal(p, m, (size_t)(mnl - m + 1));
		got = smaps_block_keys(p, (size_t)(end - p));
		assert_string_equal(got, want);
		snprintf(rss, sizeof(rss), "\n%-16s%8lu kB\n", "Rss:",
			 v->rss_pages * 4);
		assert_non_null(memmem(p, (size_t)(end - p), rss, strlen(rss)));
		rss_sum += v->rss_pages * 4;
		free(got);
		p = end;
		m = mnl + 1;
	}
	assert_int_equal(*p, '\0');
	assert_int_equal(rss_sum, counts_of(f, f->proc).rss * 4);
	free(maps);
	free(want);
	free(sample);
}

/* ---- kernel threads and zombies ------------------------------------------ */

static void assert_no_mm_files(struct fx *f, int pid, const char *sample_status)
{
	char *sample = read_sample(sample_status, NULL);
	char *want = keys_of(sample, ':'), *got;
	const char *s = show(f, render_tid_status, pid, true);
	struct ps_stat p;

	assert_status_tabs(s);
	got = keys_of(s, ':');
	assert_string_equal(got, want);		/* no Vm*, Rss*, THP… lines */
	assert_null(strstr(s, "VmSize"));
	assert_int_equal(status_val(s, "Threads"), 1);
	assert_string_equal(show(f, render_tid_statm, pid, true), "0 0 0 0 0 0 0\n");
	show(f, render_tid_cmdline, pid, true);
	assert_int_equal(f->b.len, 0);
	show(f, render_tid_maps, pid, true);
	assert_int_equal(f->b.len, 0);
	show(f, render_tid_smaps, pid, true);
	assert_int_equal(f->b.len, 0);
	s = show(f, render_tid_stat, pid, true);
	assert_stat_shape(s);
	assert_int_equal(ps_stat_parse(s, &p), PS_STAT_FIELDS);
	assert_int_equal(p.vsize, 0);
	assert_int_equal(p.rss, 0);
	assert_int_equal(p.scode, 0);	/* sysvinit pidof: kernel thread */
	assert_int_equal(p.ecode, 0);
	free(got);
	free(want);
	free(sample);
}

static void test_kthread(void **state)
{
	struct fx *f = *state;
	char *sample = read_sample("kthread/stat", NULL);
	const char *s;
	struct ps_stat p, q;
	int pid;
	struct task *t;

	assert_no_mm_files(f, 2, "kthread/status");
	s = show(f, render_tid_stat, 2, true);
	assert_int_equal(ps_stat_parse(s, &p), PS_STAT_FIELDS);
	assert_int_equal(ps_stat_parse(sample, &q), PS_STAT_FIELDS);
	assert_string_equal(p.comm, "kthreadd");
	assert_int_equal(p.ppid, 0);
	assert_true(p.flags & PF_KTHREAD);
	assert_int_equal(p.sstack, q.sstack);
	assert_int_equal(p.rsslim, q.rsslim);
	s = show(f, render_tid_status, 2, true);
	assert_int_equal(status_val(s, "Kthread"), 1);
	assert_int_equal(status_val(s, "PPid"), 0);
	assert_non_null(strstr(s, "\nSigIgn:\tffffffffffffffff\n"));
	/* A worker: child of kthreadd. */
	for (pid = 3; (t = find_task(&f->k, pid)) && !task_is_kthread(t); pid++)
		;
	assert_non_null(t);
	assert_no_mm_files(f, pid, "kthread/status");
	assert_int_equal(status_val(show(f, render_tid_status, pid, true), "PPid"), 2);
	assert_string_equal(show(f, render_tid_cgroup, pid, true), "0::/\n");
	free(sample);
}

static void test_zombie(void **state)
{
	struct fx *f = *state;
	struct ps_stat p;
	const char *s;

	assert_no_mm_files(f, f->zombie, "kthread/status");
	s = show(f, render_tid_status, f->zombie, true);
	assert_non_null(strstr(s, "\nState:\tZ (zombie)\n"));
	assert_int_equal(status_val(s, "Kthread"), 0);
	assert_int_equal(status_val(s, "PPid"), f->proc);
	assert_int_equal(ps_stat_parse(show(f, render_tid_stat, f->zombie, true), &p),
			 PS_STAT_FIELDS);
	assert_int_equal(p.state, 'Z');
	assert_int_equal(p.ppid, f->proc);
	assert_int_equal(p.nlwp, 1);
	/* wchan of a zombie is "0", no newline. */
	assert_string_equal(show(f, render_tid_wchan, f->zombie, true), "0");
}

/* ---- small per-task files ------------------------------------------------ */

static void test_cmdline_environ_comm_wchan(void **state)
{
	struct fx *f = *state;
	static const char want[] = "/usr/bin/python3\0server.py";
	struct task *t = find_task(&f->k, f->proc);
	char *sample = read_sample("sleep/wchan", NULL);
	const char *s;

	show(f, render_tid_cmdline, f->proc, true);
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));
	show(f, render_tid_cmdline, f->th1, false);	/* the process's */
	assert_int_equal(f->b.len, sizeof(want));
	assert_memory_equal(f->b.data, want, sizeof(want));

	show(f, render_tid_environ, f->proc, true);
	assert_true(f->b.len > 5);
	assert_memory_equal(f->b.data, "PATH=", 5);
	assert_int_equal(f->b.data[f->b.len - 1], '\0');

	assert_string_equal(show(f, render_tid_comm, f->proc, true), "python3\n");

	assert_null(strchr(sample, '\n'));
	t->wchan = "hrtimer_nanosleep";
	assert_string_equal(show(f, render_tid_wchan, f->proc, true), sample);
	t->wchan = NULL;
	assert_string_equal(show(f, render_tid_wchan, f->proc, true), "0");

	s = show(f, render_tid_cgroup, 1, true);
	assert_memory_equal(s, "0::/", 4);
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(sample);
}

/* Every task of a populated world, both views: all parse. */
static void test_every_task_renders(void **state)
{
	static const task_render_fn fns[] = {
		render_tid_stat, render_tid_status, render_tid_statm,
		render_tid_cmdline, render_tid_environ, render_tid_comm,
		render_tid_wchan, render_tid_maps, render_tid_smaps,
		render_tid_cgroup,
	};
	struct fx *f = *state;
	struct task *t;
	struct ps_stat p;
	int pid, n = 0;

	for (pid = pid_store_next(&f->k.pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&f->k.pids, pid + 1, &t), n++) {
		for (int w = 0; w < 2; w++) {
			const char *s = show(f, render_tid_stat, pid, w);

			assert_stat_shape(s);
			assert_int_equal(ps_stat_parse(s, &p), PS_STAT_FIELDS);
			assert_int_equal(p.pid, pid);
			assert_status_tabs(show(f, render_tid_status, pid, w));
			for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
				show(f, fns[i], pid, w);
		}
	}
	assert_int_equal((unsigned long)n, f->k.nr_tasks);
}

/* ---- global files -------------------------------------------------------- */

static void test_uptime_grows(void **state)
{
	struct fx *f = *state;
	double up, idle, up2, idle2;
	const char *s = show_global(f, render_uptime);

	assert_int_equal(sscanf(s, "%lf %lf", &up, &idle), 2);
	assert_memory_equal(s, "1234.56 ", 8);
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_true(idle > 0 && idle <= up * f->k.nr_cpus);
	f->c.now += 1000;
	s = show_global(f, render_uptime);
	assert_int_equal(sscanf(s, "%lf %lf", &up2, &idle2), 2);
	assert_true(up2 > up + 9.99 && up2 < up + 10.01);
	assert_true(idle2 > idle);
	f->c.now -= 1000;
}

static void test_proc_stat(void **state)
{
	struct fx *f = *state;
	char *sample = read_sample("global/stat", NULL);
	char *want = keys_of(sample, 0), *got;
	const char *s = show_global(f, render_stat), *p;
	unsigned long long v[10], sum1 = 0, sum2 = 0;
	double up, idle;
	int i, cpus = 0;

	got = keys_of(s, 0);
	assert_string_equal(got, want);		/* sample is a 2-CPU machine */
	assert_memory_equal(s, "cpu  ", 5);
	assert_int_equal(sscanf(s, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu",
				&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
				&v[7]), 8);
	for (i = 0; i < 8; i++)
		sum1 += v[i];
	/* About nr_cpus * uptime ticks in all. */
	assert_true(sum1 <= f->c.now * 2 && sum1 > f->c.now * 2 * 99 / 100);
	for (p = strchr(s, '\n') + 1; !strncmp(p, "cpu", 3); p = strchr(p, '\n') + 1) {
		int id;

		assert_int_equal(sscanf(p, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu",
					&id, &v[0], &v[1], &v[2], &v[3], &v[4],
					&v[5], &v[6], &v[7]), 9);
		assert_int_equal(id, cpus++);
	}
	assert_int_equal(cpus, f->k.nr_cpus);
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_null(strstr(s, "\n\n"));
	assert_int_equal(atoll(strstr(s, "\nbtime ") + 7), BTIME);
	assert_int_equal(atol(strstr(s, "\nprocesses ") + 11), f->k.total_forks);
	assert_int_equal(atol(strstr(s, "\nprocs_running ") + 15), f->k.nr_running);
	/* Idle agrees with /proc/uptime's second number. */
	sscanf(s, "cpu  %*u %*u %*u %llu", &v[3]);
	sscanf(show_global(f, render_uptime), "%lf %lf", &up, &idle);
	assert_int_equal(v[3] / 100, (unsigned long long)idle);
	/* The counters move with the clock. */
	f->c.now += 500;
	s = show_global(f, render_stat);
	sscanf(s, "cpu  %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
	       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	for (i = 0; i < 8; i++)
		sum2 += v[i];
	assert_true(sum2 > sum1 + 900);
	f->c.now -= 500;
	free(got);
	free(want);
	free(sample);
}

static void test_meminfo(void **state)
{
	struct fx *f = *state;
	char *sample = read_sample("global/meminfo", NULL);
	char *want = keys_of(sample, 0), *got;
	const char *s = show_global(f, render_meminfo), *p;
	unsigned long anon = 0, before;
	struct task *t;
	int pid, kid;

	got = keys_of(s, 0);
	assert_string_equal(got, want);
	/* 16-column label, value right-aligned to column 24. */
	for (p = s; *p; p = strchr(p, '\n') + 1) {
		const char *nl = strchr(p, '\n');

		assert_true(nl - p >= 24);
		assert_true(p[23] >= '0' && p[23] <= '9');
		assert_true(p[15] == ' ' || p[15] == ':');
	}
	assert_int_equal(atol(strstr(s, "MemTotal:") + 9), f->k.mem_total_kb);
	assert_true(atol(strstr(s, "MemFree:") + 8) < (long)f->k.mem_total_kb);
	assert_true(atol(strstr(s, "MemAvailable:") + 13) <= (long)f->k.mem_total_kb);
	for (pid = next_tgid(&f->k, 1, &t); pid >= 0; pid = next_tgid(&f->k, pid + 1, &t))
		if (t->mm && !task_is_kthread(t) && t->state != EXIT_ZOMBIE)
			anon += counts_of(f, pid).rss_anon * 4;
	before = (unsigned long)atol(strstr(s, "\nAnonPages:") + 11);
	assert_int_equal(before, anon);
	/* A new process's memory shows up. */
	assert_int_equal(do_fork(&f->k, f->proc, 1, &kid), 0);
	s = show_global(f, render_meminfo);
	assert_int_equal(atol(strstr(s, "\nAnonPages:") + 11),
			 before + counts_of(f, kid).rss_anon * 4);
	assert_int_equal(do_exit(&f->k, kid, 0), 0);
	free(got);
	free(want);
	free(sample);
}

static void test_vmstat(void **state)
{
	struct fx *f = *state;
	char *sample = read_sample("global/vmstat", NULL);
	char *want = keys_of(sample, ' '), *got;
	const char *s = show_global(f, render_vmstat), *p;
	unsigned long free_kb;

	got = keys_of(s, ' ');
	assert_string_equal(got, want);
	for (p = s; *p; p = strchr(p, '\n') + 1) {
		char name[64];
		unsigned long long v;

		assert_int_equal(sscanf(p, "%63s %llu", name, &v), 2);
	}
	free_kb = (unsigned long)atol(strstr(show_global(f, render_meminfo),
					     "MemFree:") + 8);
	s = show_global(f, render_vmstat);
	assert_int_equal(atol(strstr(s, "nr_free_pages ") + 14), free_kb / 4);
	free(got);
	free(want);
	free(sample);
}

/* procps stat_cores_verify: each "processor" needs "core id" or a blank line. */
static void test_cpuinfo(void **state)
{
	struct fx *f = *state;
	char *sample = read_sample("global/cpuinfo", NULL);
	char *want = keys_of(sample, ':'), *got;
	const char *s = show_global(f, render_cpuinfo), *p;
	int n = 0;

	got = keys_of(s, ':');
	assert_string_equal(got, want);		/* the sample has 2 CPUs too */
	for (p = strstr(s, "processor"); p; p = strstr(p + 1, "processor")) {
		const char *blank = strstr(p, "\n\n");
		int id;

		assert_int_equal(sscanf(p, "processor\t: %d", &id), 1);
		assert_int_equal(id, n++);
		assert_non_null(blank);
		assert_true(!strstr(p + 1, "processor") ||
			    blank < strstr(p + 1, "processor"));
	}
	assert_int_equal(n, f->k.nr_cpus);
	assert_int_equal(strcmp(s + strlen(s) - 2, "\n\n"), 0);
	free(got);
	free(want);
	free(sample);
}

static void test_loadavg_version_sysctl(void **state)
{
	struct fx *f = *state;
	double l1, l5, l15;
	int run, total, last;
	unsigned int a, b, c;
	char osr[64], ver[128];
	const char *s = show_global(f, render_loadavg);

	assert_int_equal(sscanf(s, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run,
				&total, &last), 6);
	assert_int_equal(run, f->k.nr_running);
	assert_int_equal(total, f->k.nr_tasks);
	assert_int_equal(last, f->k.pids.last_pid);
	assert_int_equal(s[strlen(s) - 1], '\n');

	s = show_global(f, render_osrelease);
	assert_int_equal(sscanf(s, "%u.%u.%u", &a, &b, &c), 3);
	assert_int_equal(a, 6);
	assert_int_equal(s[strlen(s) - 1], '\n');
	snprintf(osr, sizeof(osr), "%.*s", (int)strlen(s) - 1, s);
	snprintf(ver, sizeof(ver), "Linux version %s ", osr);
	s = show_global(f, render_version);
	assert_memory_equal(s, ver, strlen(ver));
	assert_int_equal(count_lines(s), 1);

	assert_string_equal(show_global(f, render_pid_max), "32768\n");
	assert_int_equal(kernel_set_pid_max(&f->k, 4194304), 0);
	assert_string_equal(show_global(f, render_pid_max), "4194304\n");
	assert_int_equal(kernel_set_pid_max(&f->k, 32768), 0);
}

/* A bigger machine: per-CPU lines and the Cpus_allowed bitmap. */
static void test_many_cpus(void **state)
{
	struct kernel_opts o = { .nr_cpus = 40 };
	unsigned long long now = 1000;
	struct render_ctx c;
	struct kernel k;
	struct buf b;

	(void)state;
	o.clock = fx_clock;
	o.clock_arg = &now;
	assert_int_equal(kernel_init(&k, &o), 0);
	c.k = &k;
	c.now = now;
	c.btime = BTIME;
	buf_init(&b);
	render_tid_status(&b, &c, find_task(&k, 1), true);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "\nCpus_allowed:\tff,ffffffff\n"
				       "Cpus_allowed_list:\t0-39\n"));
	buf_reset(&b);
	render_stat(&b, &c);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "\ncpu39 "));
	assert_null(strstr(b.data, "\ncpu40 "));
	buf_reset(&b);
	render_cpuinfo(&b, &c);
	buf_putc(&b, '\0');
	assert_non_null(strstr(b.data, "processor\t: 39\n"));
	buf_free(&b);
	kernel_destroy(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test_setup_teardown(test_stat_parses_like_procps, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stat_comm_with_parens, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stat_whole_vs_thread, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_matches_kernel_order, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_thread_and_tracer, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_status_name_escaped, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_statm, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_maps_parse_like_pmap, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_smaps_order_and_values, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_kthread, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_zombie, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_environ_comm_wchan, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_every_task_renders, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_uptime_grows, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_proc_stat, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_meminfo, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_vmstat, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cpuinfo, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_loadavg_version_sysctl, setup, fx_teardown),
		cmocka_unit_test(test_many_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
