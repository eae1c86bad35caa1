// SPDX-License-Identifier: MIT
/*
 * The files of issue 15 against real 6.18 files (tests/samples/global-extra):
 * headers byte for byte, and every line's shape, the text with its digits
 * blanked, where the kernel prints fixed widths.  Then what the clients
 * read from them: the task-derived fds, links and namespaces.
 */
#include <stdio.h>
#include <string.h>

#include "render_fixture.h"
#include "render_clients.h"
#include "task_files.h"

static int setup(void **state)
{
	*state = fx_boot(7, 360000 /* an hour */, 600, 1700000000);
	return 0;
}

/* tests/samples/global-extra/@rel, found beside this source file. */
static char *sample(const char *rel)
{
	char path[1024];
	const char *slash = strrchr(__FILE__, '/');
	FILE *fp;
	char *s;
	long n;

	snprintf(path, sizeof(path), "%.*s/samples/global-extra/%s",
		 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".", rel);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("no sample %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

static const char *show_global(struct fx *f, global_render_fn fn)
{
	buf_reset(&f->b);
	fn(&f->b, &f->c);
	buf_putc(&f->b, '\0');
	assert_false(f->b.oom);
	return f->b.data;
}

static const char *show(struct fx *f, task_render_fn fn, int pid)
{
	struct task *t = find_task(&f->k, pid);

	assert_non_null(t);
	buf_reset(&f->b);
	fn(&f->b, &f->c, t, true);
	buf_putc(&f->b, '\0');
	assert_false(f->b.oom);
	return f->b.data;
}

/* Line @i (0-based) of @s, without its '\n', in @out. */
static const char *line(const char *s, int i, char *out, size_t n)
{
	const char *nl;

	while (i-- > 0 && (nl = strchr(s, '\n')))
		s = nl + 1;
	nl = strchr(s, '\n');
	snprintf(out, n, "%.*s", nl ? (int)(nl - s) : (int)strlen(s), s);
	return out;
}

static int nr_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* @s with every digit a blank: equal shapes mean equal widths. */
static char *shape(const char *s)
{
	static char buf[4][512];
	static int next;
	char *o = buf[next++ % 4];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf[0]) - 1; i++)
		o[i] = s[i] >= '0' && s[i] <= '9' ? ' ' : s[i];
	o[i] = '\0';
	return o;
}

static int nr_fields(const char *s)
{
	int n = 0;
	bool in = false;

	for (; *s && *s != '\n'; s++) {
		if (*s != ' ' && *s != '\t' && !in)
			n++;
		in = *s != ' ' && *s != '\t';
	}
	return n;
}

/* The first @lines lines of ours equal the sample's, byte for byte. */
static void assert_header(const char *ours, const char *rel, int lines)
{
	char *s = sample(rel);
	char a[512], b[512];

	for (int i = 0; i < lines; i++)
		assert_string_equal(line(ours, i, a, sizeof(a)), line(s, i, b, sizeof(b)));
	free(s);
}

static void test_net_headers_and_rows(void **state)
{
	struct fx *f = *state;
	char a[512], b[512];
	char *s;

	assert_header(show(f, render_tid_net_tcp, 1), "net/tcp", 1);
	s = sample("net/tcp");
	line(s, 1, b, sizeof(b));
	line(f->b.data, 1, a, sizeof(a));	/* sshd's listening socket */
	assert_int_equal(strlen(a), strlen(b));
	assert_int_equal(nr_fields(a), nr_fields(b));
	free(s);
	assert_header(show(f, render_tid_net_tcp6, 1), "net/tcp6", 1);
	assert_header(show(f, render_tid_net_udp, 1), "net/udp", 1);
	assert_header(show(f, render_tid_net_udp6, 1), "net/udp6", 1);
	assert_header(show(f, render_tid_net_unix, 1), "net/unix", 1);
	s = sample("net/unix");
	line(s, 1, b, sizeof(b));
	line(f->b.data, 1, a, sizeof(a));
	assert_int_equal(nr_fields(a), nr_fields(b) + 1);	/* ours is bound: a path */
	assert_int_equal(strchr(a, ':') - a, strchr(b, ':') - b);
	free(s);
	assert_header(show(f, render_tid_net_dev, 1), "net/dev", 2);
	s = sample("net/dev");
	line(s, 2, b, sizeof(b));
	line(f->b.data, 2, a, sizeof(a));
	assert_int_equal(nr_fields(a), nr_fields(b));
	assert_int_equal(strchr(a, ':') - a, strchr(b, ':') - b);
	free(s);
}

static void test_interrupts_softirqs(void **state)
{
	struct fx *f = *state;
	const char *ours = show_global(f, render_interrupts);
	char *s = sample("interrupts");
	char a[512], b[512];

	assert_header(ours, "interrupts", 1);
	/* IO-APIC lines to the action name; arch lines whole. */
	line(s, 1, b, sizeof(b));
	line(ours, 1, a, sizeof(a));
	assert_memory_equal(shape(a), shape(b), (size_t)(strstr(b, "-edge") - b + 11));
	for (int i = 0; i < nr_lines(ours); i++) {
		const char *p;

		line(ours, i, a, sizeof(a));
		if (strncmp(a, "NMI:", 4) && strncmp(a, "LOC:", 4) && strncmp(a, "ERR:", 4))
			continue;
		p = strstr(s, a[0] == 'N' ? "NMI:" : a[0] == 'L' ? "LOC:" : "ERR:");
		assert_non_null(p);
		line(p, 0, b, sizeof(b));
		assert_string_equal(shape(a), shape(b));
	}
	free(s);
	ours = show_global(f, render_softirqs);
	s = sample("softirqs");
	assert_int_equal(nr_lines(ours), nr_lines(s));
	for (int i = 0; i < nr_lines(s); i++)
		assert_string_equal(shape(line(ours, i, a, sizeof(a))),
				    shape(line(s, i, b, sizeof(b))));
	free(s);
}

static void test_disk_files(void **state)
{
	struct fx *f = *state;
	char a[512], b[512];
	const char *ours = show_global(f, render_diskstats);
	char *s = sample("diskstats");

	for (int i = 0; i < nr_lines(ours); i++) {
		line(ours, i, a, sizeof(a));
		assert_int_equal(nr_fields(a), nr_fields(line(s, 0, b, sizeof(b))));
		assert_memory_equal(shape(a), shape(b), 13);
	}
	free(s);
	ours = show_global(f, render_partitions);
	assert_header(ours, "partitions", 2);
	s = sample("partitions");
	assert_string_equal(shape(line(ours, 2, a, sizeof(a))), shape(line(s, 2, b, sizeof(b))));
	free(s);
	s = sample("swaps");
	assert_string_equal(show_global(f, render_swaps), s);
	free(s);
	ours = show_global(f, render_buddyinfo);
	s = sample("buddyinfo");
	assert_int_equal(nr_lines(ours), nr_lines(s));
	for (int i = 0; i < nr_lines(s); i++)
		assert_string_equal(shape(line(ours, i, a, sizeof(a))),
				    shape(line(s, i, b, sizeof(b))));
	free(s);
}

static void test_slabinfo_counts_the_world(void **state)
{
	struct fx *f = *state;
	const char *ours = show_global(f, render_slabinfo);
	char a[512], b[512], want[64];
	char *s = sample("slabinfo");

	assert_header(ours, "slabinfo", 2);
	line(s, 2, b, sizeof(b));
	line(ours, 2, a, sizeof(a));
	/* the name may overflow its 17 columns: compare from the tunables */
	assert_string_equal(shape(strstr(a, " : tunables")), shape(strstr(b, " : tunables")));
	assert_int_equal(nr_fields(a), nr_fields(b));
	snprintf(want, sizeof(want), "\n%-17s %6lu ", "task_struct", f->k.nr_tasks);
	assert_non_null(strstr(ours, want));
	free(s);
}

static void test_tty_drivers_and_psi(void **state)
{
	struct fx *f = *state;
	char *s = sample("tty/drivers");
	const char *ours = show_global(f, render_tty_drivers);
	const char *pts = strstr(s, "pty_slave");
	char a[256];

	assert_non_null(pts);
	assert_non_null(strstr(ours, line(pts, 0, a, sizeof(a))));
	free(s);
	ours = show_global(f, render_psi_cpu);
	s = sample("pressure/cpu");
	assert_int_equal(nr_lines(ours), nr_lines(s));
	for (int i = 0; i < nr_lines(s); i++) {
		char b[256];

		line(ours, i, a, sizeof(a));
		line(s, i, b, sizeof(b));
		assert_int_equal(nr_fields(a), nr_fields(b));
		assert_memory_equal(a, b, 11);	/* "some avg10=" */
	}
	free(s);
}

/* limits reads the process's limits: what prlimit set, on every thread. */
static void test_limits_follow_prlimit(void **state)
{
	struct fx *f = *state;
	struct rlimit nofile = { 100, 200 };
	char a[512];

	assert_non_null(strstr(show(f, render_tid_limits, 1),
			       "Max open files            524288               524288               files"));
	assert_int_equal(do_prlimit(&f->k, 1, RLIMIT_NOFILE, &nofile, NULL, NULL), 0);
	assert_string_equal(line(show(f, render_tid_limits, 1), 8, a, sizeof(a)),
			    "Max open files            100                  200                  files     ");
}

static void test_task_files_match_samples(void **state)
{
	struct fx *f = *state;
	char a[512], b[512];
	char *s;
	const char *ours;

	ours = show(f, render_tid_limits, 1);
	s = sample("self/limits");
	assert_int_equal(nr_lines(ours), nr_lines(s));
	assert_header(ours, "self/limits", 1);
	for (int i = 0; i < nr_lines(s); i++)	/* names and column starts */
		assert_memory_equal(line(ours, i, a, sizeof(a)), line(s, i, b, sizeof(b)), 26);
	free(s);
	ours = show(f, render_tid_smaps_rollup, 1);
	s = sample("self/smaps_rollup");
	assert_int_equal(nr_lines(ours), nr_lines(s));
	assert_string_equal(strstr(line(ours, 0, a, sizeof(a)), " ---p"),
			    strstr(line(s, 0, b, sizeof(b)), " ---p"));
	for (int i = 1; i < nr_lines(s); i++)
		assert_string_equal(shape(line(ours, i, a, sizeof(a))),
				    shape(line(s, i, b, sizeof(b))));
	free(s);
	ours = show(f, render_tid_io, 1);
	s = sample("self/io");
	assert_int_equal(nr_lines(ours), nr_lines(s));
	for (int i = 0; i < nr_lines(s); i++) {
		line(ours, i, a, sizeof(a));
		line(s, i, b, sizeof(b));
		assert_memory_equal(a, b, (size_t)(strchr(b, ':') - b + 2));
	}
	free(s);
	s = sample("self/loginuid");
	assert_string_equal(show(f, render_tid_loginuid, 1), s);	/* unset: no '\n' */
	free(s);
	s = sample("self/oom_score_adj");
	assert_string_equal(show(f, render_tid_oom_score_adj, 1), s);
	free(s);
	ours = show(f, render_tid_mountinfo, 1);
	s = sample("self/mountinfo");
	line(s, 0, b, sizeof(b));
	for (int i = 0; i < nr_lines(ours); i++) {
		const char *dash;

		line(ours, i, a, sizeof(a));
		dash = strstr(a, " - ");
		assert_non_null(dash);
		assert_int_equal(nr_fields(dash + 3), nr_fields(strstr(b, " - ") + 3));
	}
	free(s);
}

/* What lsof, psutil and pstree -N rely on: fds, sockets, namespaces. */
static void test_files_and_namespaces(void **state)
{
	struct fx *f = *state;
	struct tfile v[TASK_FILES_MAX];
	struct task *t, *sshd = NULL, *ctr = NULL, *kt = find_task(&f->k, 2);
	char target[64];
	int n;

	for (int pid = next_tgid(&f->k, 1, &t); pid >= 0; pid = next_tgid(&f->k, pid + 1, &t)) {
		if (!sshd && !strcmp(t->comm, "sshd") && task_files_owner(t) == t)
			sshd = t;
		if (!ctr && task_container(t))
			ctr = t;
	}
	assert_non_null(sshd);
	assert_non_null(ctr);
	assert_int_equal(task_files(kt, v), 0);		/* kernel threads have none */
	n = task_files(sshd, v);
	assert_true(n >= 5);
	assert_int_equal(v[3].port, 22);
	assert_int_equal(tfile_target(&v[3], target, sizeof(target)) > 0, 1);
	assert_int_equal(strncmp(target, "socket:[", 8), 0);
	/* the socket shows in net/tcp under that inode */
	snprintf(target, sizeof(target), " %lu ", v[3].ino);
	assert_non_null(strstr(show(f, render_tid_net_tcp, 1), target));
	assert_int_equal(task_ns_inum(sshd, NS_PID), 4026531836UL);
	assert_true(task_ns_inum(ctr, NS_NET) != task_ns_inum(sshd, NS_NET));
	assert_int_equal(task_ns_inum(ctr, NS_USER), task_ns_inum(sshd, NS_USER));
	/* a container's net/tcp does not list the host's sshd */
	assert_null(strstr(show(f, render_tid_net_tcp, ctr->pid), target));
	assert_int_equal(task_exe_path(sshd, target, sizeof(target)), (int)strlen("/usr/sbin/sshd"));
	assert_string_equal(target, "/usr/sbin/sshd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_net_headers_and_rows, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupts_softirqs, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_disk_files, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_slabinfo_counts_the_world, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_tty_drivers_and_psi, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_task_files_match_samples, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_limits_follow_prlimit, setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_files_and_namespaces, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
