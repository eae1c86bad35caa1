// SPDX-License-Identifier: MIT
/*
 * Save and restore (core/snapshot.c): a world saved and loaded renders
 * every /proc file byte for byte as before and keeps behaving alike (the
 * same operations afterwards give the same world again), under every pid
 * store and VMA store; and a damaged or truncated snapshot is refused with
 * the running world left exactly as it was.
 */
#include "core_test_util.h"
#include "render.h"
#include "snapshot.h"
#include "watchers.h"

/* ---- everything a reader of /proc sees ---- */

static const task_render_fn task_files[] = {
	render_tid_stat, render_tid_status, render_tid_statm, render_tid_cmdline,
	render_tid_environ, render_tid_comm, render_tid_wchan, render_tid_maps,
	render_tid_smaps, render_tid_cgroup,
};

static const global_render_fn global_files[] = {
	render_uptime, render_loadavg, render_stat, render_meminfo,
	render_cpuinfo, render_vmstat, render_version, render_pid_max,
	render_osrelease,
};

/* Every per-task file of every task (both views) and the global files. */
static char *render_all(const struct kernel *k)
{
	struct render_ctx c = { .k = k, .now = kernel_now(k), .btime = 1000 };
	struct buf b;
	struct task *t;
	size_t i;
	int pid;

	buf_init(&b);
	for (i = 0; i < sizeof(global_files) / sizeof(*global_files); i++)
		global_files[i](&b, &c);
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		buf_printf(&b, "== %d\n", pid);
		for (i = 0; i < sizeof(task_files) / sizeof(*task_files); i++) {
			task_files[i](&b, &c, t, false);
			if (thread_group_leader(t))
				task_files[i](&b, &c, t, true);
		}
	}
	buf_putc(&b, '\0');
	assert_false(b.oom);
	return b.data;
}

/* The renderings and the structural dump together. */
static char *snapshot_view(const struct kernel *k)
{
	char *r = render_all(k), *d = world_dump(k), *all;

	assert_non_null(all = malloc(strlen(r) + strlen(d) + 64));
	sprintf(all, "%s\n--\n%s\nlast_pid=%d\n", r, d, k->pids.last_pid);
	free(r);
	free(d);
	return all;
}

static void assert_same_view(const struct kernel *a, const struct kernel *b)
{
	char *va = snapshot_view(a), *vb = snapshot_view(b);

	if (strcmp(va, vb)) {
		size_t i = 0;

		while (va[i] == vb[i])
			i++;
		print_error("views differ at byte %zu:\n--- %.200s\n+++ %.200s\n",
			    i, va + (i > 100 ? i - 100 : 0),
			    vb + (i > 100 ? i - 100 : 0));
	}
	assert_string_equal(va, vb);
	free(va);
	free(vb);
}

/* ---- random operations, the same ones on two worlds ---- */

static uint64_t trng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Some pid (any task), chosen by @r from the store's order. */
static int some_pid(const struct kernel *k, uint64_t r)
{
	struct task *t;
	int pid = pid_store_next(&k->pids, 1 + r % 40000, &t);

	return pid >= 0 ? pid : pid_store_next(&k->pids, 1, &t);
}

/* One random operation; failures (ESRCH, EPERM, …) are part of the run. */
static void random_op(struct kernel *k, uint64_t *s)
{
	uint64_t r = trng(s);
	int pid = some_pid(k, trng(s)), other = some_pid(k, trng(s));
	int out, status;
	unsigned long addr;
	char *argv[] = { "worker", "--x" };

	switch (r % 20) {
	case 0: case 1: case 2:
		do_fork(k, pid, 1 + trng(s) % 3, (int[3]){ 0 });
		break;
	case 3:
		do_clone_thread(k, pid, &out);
		break;
	case 4:
		do_execve(k, pid, NULL, 2, argv);
		break;
	case 5:
		do_exit(k, pid, trng(s) % 256);
		break;
	case 6:
		do_exit_thread(k, pid, 1);
		break;
	case 7: case 8:
		do_wait(k, pid, -1, WNOHANG | (trng(s) & 1 ? WUNTRACED : 0) |
			(trng(s) & 1 ? WCONTINUED : 0), &out, &status);
		break;
	case 9:
		do_kill(k, pid, (int[]){ SIGSTOP, SIGCONT, SIGTERM, SIGKILL,
					 SIGTSTP, SIGSEGV }[trng(s) % 6]);
		break;
	case 10:
		ptrace_attach(k, pid, other);
		break;
	case 11:
		ptrace_detach(k, pid);
		break;
	case 12:
		do_mmap(k, pid, 0, (1 + trng(s) % 64) * PAGE_SIZE,
			PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			&addr);
		break;
	case 13: {
		const struct task *t = find_task(k, pid);
		const struct vm_area_struct *v;

		if (t && t->mm && (v = vma_first(t->mm)))
			do_munmap(k, pid, v->vm_start, PAGE_SIZE);
		break;
	}
	case 14: {
		const struct task *t = find_task(k, pid);
		const struct vm_area_struct *v = NULL;

		if (t && t->mm)
			v = find_vma(t->mm, t->mm->mmap_base - (trng(s) % 64) * PAGE_SIZE * 1024);
		if (v)
			do_mprotect(k, pid, v->vm_start, PAGE_SIZE, PROT_READ);
		break;
	}
	case 15:
		do_setuid(k, pid, trng(s) % 3 * 1000);
		break;
	case 16:
		populate(k, 1 + trng(s) % 4);
		break;
	case 17:
		set_child_subreaper(k, pid, trng(s) & 1);
		break;
	case 18: {
		const struct task *t = find_task(k, pid);

		if (t && t->mm)
			do_brk(k, pid, t->mm->brk + PAGE_SIZE * (trng(s) % 8), &addr);
		break;
	}
	default:
		do_setgid(k, pid, trng(s) % 2 * 50);
		break;
	}
}

/* Save @a, load it into a kernel booted with other options, compare. */
static struct tk *save_load(struct tk *a, const char *other_store)
{
	struct kernel_opts o = { .vmastore = other_store, .pidstore = "bitmap",
				 .wait = "scan", .pid_max = 5000 };
	struct tk *b = tk_new(&o);
	char why[SNAPSHOT_WHY_LEN];
	void *data;
	size_t len;

	assert_int_equal(kernel_save(&a->k, &data, &len), 0);
	b->now = a->now;
	assert_int_equal(kernel_load(&b->k, data, len, why), 0);
	free(data);
	/* The loaded world boots again with its own options. */
	assert_string_equal(b->k.pids.ops->name, a->k.pids.ops->name);
	assert_string_equal(b->k.mm_cfg.vma_ops->name, a->k.mm_cfg.vma_ops->name);
	assert_int_equal(b->k.pids.pid_max, a->k.pids.pid_max);
	check_world(&b->k);
	assert_same_view(&a->k, &b->k);
	return b;
}

static void round_trip(const char *pidstore, const char *vmastore,
		       const char *wait, const char *watchers, uint64_t seed)
{
	struct kernel_opts o = { .pidstore = pidstore, .vmastore = vmastore,
				 .wait = wait, .watchers = watchers,
				 .seed = seed };
	struct tk *a = tk_new(&o), *b;
	uint64_t s = seed, s2;
	int i;

	for (i = 0; i < 300; i++) {
		random_op(&a->k, &s);
		a->now += trng(&s) % 3;
	}
	check_world(&a->k);
	b = save_load(a, strcmp(vmastore, "list") ? "list" : "maple");
	/* The same operations from here give the same world again. */
	s2 = s;
	for (i = 0; i < 200; i++) {
		random_op(&a->k, &s);
		random_op(&b->k, &s2);
		a->now = b->now = a->now + 1;
	}
	assert_same_view(&a->k, &b->k);
	/* Pids wrap and the rng continues alike too. */
	assert_int_equal(a->k.pids.last_pid, b->k.pids.last_pid);
	assert_true(a->k.rng == b->k.rng);
	tk_free(a);
	tk_free(b);
}

static void test_round_trip_all_backends(void **state)
{
	static const char *const waits[] = { "lookup", "scan" };
	static const char *const watchers[] = { "table", "chain", "direct" };
	int n = 0;

	(void)state;
	for (int p = 0; pid_store_backends[p]; p++)
		for (int v = 0; vma_store_backends[v]; v++, n++)
			round_trip(pid_store_backends[p]->name,
				   vma_store_backends[v]->name, waits[n % 2],
				   watchers[n % 3], 1000 + n);
}

static void test_shared_mm_and_threads(void **state)
{
	struct tk *a = tk_new(NULL), *b;
	int pid, t1, t2;
	struct task *l;

	(void)state;
	pid = fork1(&a->k, 1);
	t1 = clone1(&a->k, pid);
	t2 = clone1(&a->k, pid);
	b = save_load(a, "maple");
	l = find_task(&b->k, pid);
	assert_non_null(l);
	assert_ptr_equal(find_task(&b->k, t1)->mm, l->mm);
	assert_ptr_equal(find_task(&b->k, t2)->mm, l->mm);
	assert_ptr_equal(find_task(&b->k, t2)->signal, l->signal);
	assert_int_equal(l->mm->users, 3);
	assert_int_equal(l->signal->nr_threads, 3);
	tk_free(a);
	tk_free(b);
}

/* Writes to every third process (and a populate): the same on two worlds. */
static void change_thirds(struct kernel *k)
{
	struct task *t;
	unsigned long addr;
	int i = 0;

	for (int pid = next_tgid(k, 0, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		if (!t->mm || i++ % 3)
			continue;
		assert_int_equal(do_mmap(k, pid, 0, 4 * PAGE_SIZE, PROT_READ,
					 MAP_PRIVATE | MAP_ANONYMOUS, &addr), 0);
		assert_int_equal(do_munmap(k, pid, vma_first(t->mm)->vm_start,
					   PAGE_SIZE), 0);
	}
	assert_int_equal(populate(k, 60), 0);
}

/*
 * Who shares a layout with whom, as text: for each process (pid order)
 * that shares, the ordinal of its template.  *@stores gets the bytes of
 * every distinct VMA store (a shared one once), *@shared how many
 * processes share.
 */
static char *sharing_of(const struct kernel *k, size_t *stores, int *shared)
{
	struct ptr_ids *tmpl = calloc(1, sizeof(*tmpl));
	struct ptr_ids *roots = calloc(1, sizeof(*roots));
	struct sbuf b = { 0 };
	struct task *t;
	bool fresh;

	assert_non_null(tmpl);
	assert_non_null(roots);
	*stores = 0;
	*shared = 0;
	for (int pid = next_tgid(k, 0, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		if (!t->mm)
			continue;
		ptr_id2(roots, t->mm->vma_root, &fresh);
		if (fresh)
			*stores += mm_store_bytes(t->mm);
		if (!mm_shared(t->mm))
			continue;
		(*shared)++;
		sb_printf(&b, "%d:%d ", pid, ptr_id(tmpl, t->mm->cow_src));
	}
	free(tmpl);
	free(roots);
	sb_printf(&b, ".");
	return b.p;
}

/* @a and @b share alike, with the same memory in VMA stores. */
static void assert_same_sharing(const struct kernel *a, const struct kernel *b,
				int *shared)
{
	size_t sa, sb;
	int na, nb;
	char *wa = sharing_of(a, &sa, &na), *wb = sharing_of(b, &sb, &nb);

	assert_string_equal(wa, wb);
	assert_int_equal(na, nb);
	assert_int_equal(sa, sb);
	*shared = na;
	free(wa);
	free(wb);
}

/* Both worlds save to the same bytes. */
static void assert_same_save(const struct kernel *a, const struct kernel *b)
{
	void *da, *db;
	size_t la, lb;

	assert_int_equal(kernel_save(a, &da, &la), 0);
	assert_int_equal(kernel_save(b, &db, &lb), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(da, db, la);
	free(da);
	free(db);
}

/*
 * Populated processes share layouts copy-on-write (core/populate.c), and
 * a save keeps that (TAG_LAYOUT, TAG_MM_SHARED): the loaded processes
 * share the same templates in the same groups, with the same bytes of VMA
 * store, and the templates are back in populate's pool at their places,
 * with K (populate_layouts, here 8: the loading kernel boots with the
 * default 64).  So after the same writes (which unshare) and a populate
 * (whose new processes share the loaded templates) the two worlds still
 * render, share and save alike.
 */
static void test_shared_layouts_round_trip(void **state)
{
	struct kernel_opts o = { .seed = 5, .populate_layouts = 8 };
	struct tk *a = tk_new(&o), *b;
	int shared, pairs = 0;
	struct task *t, *u;

	(void)state;
	assert_int_equal(populate(&a->k, 400), 0);
	for (int pid = next_tgid(&a->k, 0, &t); pid >= 0;
	     pid = next_tgid(&a->k, pid + 1, &t)) {
		if (!t->mm || !mm_shared(t->mm))
			continue;
		for (int q = next_tgid(&a->k, pid + 1, &u); q >= 0;
		     q = next_tgid(&a->k, q + 1, &u))
			pairs += u->mm && u->mm->cow_src == t->mm->cow_src;
	}
	assert_true(pairs > 300);
	b = save_load(a, "maple");
	assert_int_equal(b->k.opts.populate_layouts, 8);
	assert_same_sharing(&a->k, &b->k, &shared);
	assert_true(shared > 300);
	assert_same_save(&a->k, &b->k);
	change_thirds(&a->k);
	change_thirds(&b->k);
	assert_same_view(&a->k, &b->k);
	assert_same_sharing(&a->k, &b->k, &shared);
	assert_same_save(&a->k, &b->k);
	assert_true(a->k.rng == b->k.rng);
	check_world(&b->k);
	tk_free(a);
	tk_free(b);
}

/*
 * Linux lets pid_max drop below live pids, which stay: a world saved so
 * must load (once "task 500: pid bad or twice"), and then hand out the
 * same pids as the world it came from, below the new pid_max.
 */
static void test_pid_max_below_live_pids(void **state)
{
	struct tk *a = tk_new(NULL), *b;
	int pids[400], pa, pb, i, r, st;

	(void)state;
	assert_int_equal(do_fork(&a->k, 1, 400, pids), 0);
	assert_true(pids[399] > 400);
	/* Room below the new pid_max: pids 300..309 exit and are reaped. */
	for (i = 0; i < 400; i++)
		if (pids[i] >= RESERVED_PIDS && pids[i] < RESERVED_PIDS + 10) {
			assert_int_equal(do_exit(&a->k, pids[i], 0), 0);
			assert_int_equal(do_wait(&a->k, 1, pids[i], WNOHANG, &r, &st), 0);
			assert_int_equal(r, pids[i]);
		}
	assert_int_equal(kernel_set_pid_max(&a->k, RESERVED_PIDS + 50), 0);
	assert_true(a->k.pids.last_pid >= a->k.pids.pid_max);
	b = save_load(a, "maple");
	assert_non_null(find_task(&b->k, pids[399]));
	for (i = 0; i < 3; i++) {
		pa = fork1(&a->k, 1);
		pb = fork1(&b->k, 1);
		assert_int_equal(pa, pb);
		assert_true(pa < RESERVED_PIDS + 50);
	}
	/* The pids above pid_max live on: they exit and are reaped alike. */
	assert_int_equal(do_exit(&b->k, pids[399], 7), 0);
	assert_int_equal(do_exit(&a->k, pids[399], 7), 0);
	assert_same_view(&a->k, &b->k);
	tk_free(a);
	tk_free(b);
}

/*
 * A refused fork takes back its children, the pid cursor and the rng: a
 * save before and after it are the same bytes (README: "byte-for-byte").
 */
static void test_refused_fork_saves_alike(void **state)
{
	struct tk *a = tk_new_pidmax(RESERVED_PIDS + 100);
	static int pids[RESERVED_PIDS + 100];
	void *before, *after;
	size_t nb, na;

	(void)state;
	fork1(&a->k, 1);
	assert_int_equal(kernel_save(&a->k, &before, &nb), 0);
	assert_int_equal(do_fork(&a->k, 1, RESERVED_PIDS + 100, pids), -EAGAIN);
	assert_int_equal(kernel_save(&a->k, &after, &na), 0);
	assert_int_equal(na, nb);
	assert_memory_equal(after, before, nb);
	free(before);
	free(after);
	tk_free(a);
}

/* ---- damage ---- */

static void put32(unsigned char *p, uint32_t v);

static void *small_snapshot(struct tk *a, size_t *len)
{
	void *data;
	int pid = fork1(&a->k, 1);

	clone1(&a->k, pid);
	assert_int_equal(kernel_save(&a->k, &data, len), 0);
	return data;
}

/* Load @data into @k, which must refuse it and stay as @before. */
static void assert_refused(struct kernel *k, const void *data, size_t len,
			   const char *before, bool compare)
{
	char why[SNAPSHOT_WHY_LEN];
	uint64_t gen = k->gen;

	assert_int_equal(kernel_load(k, data, len, why), -EINVAL);
	assert_true(why[0] && !strchr(why, '\n'));
	assert_true(k->gen == gen);
	if (compare) {
		char *now = snapshot_view(k);

		assert_string_equal(now, before);
		free(now);
	}
}

static void test_every_byte_flipped(void **state)
{
	struct tk *a = tk_new(NULL), *b = tk_new(NULL);
	unsigned char *data, *copy;
	size_t len, i;
	char *before;

	(void)state;
	data = small_snapshot(a, &len);
	fork1(&b->k, 1);	/* b's world differs from the snapshot's */
	before = snapshot_view(&b->k);
	assert_non_null(copy = malloc(len));
	for (i = 0; i < len; i++) {
		memcpy(copy, data, len);
		copy[i] ^= 1 << (i % 8);
		assert_refused(&b->k, copy, len, before, i % 251 == 0);
	}
	{
		char *now = snapshot_view(&b->k);

		assert_string_equal(now, before);
		free(now);
	}
	free(copy);
	free(before);
	free(data);
	tk_free(a);
	tk_free(b);
}

static void test_every_length_truncated(void **state)
{
	struct tk *a = tk_new(NULL), *b = tk_new(NULL);
	char why[SNAPSHOT_WHY_LEN];
	unsigned char *data;
	size_t len, i;
	char *before;

	(void)state;
	data = small_snapshot(a, &len);
	before = snapshot_view(&b->k);
	for (i = 0; i < len; i++) {
		assert_int_equal(kernel_load(&b->k, data, i, why), -EINVAL);
		if (i >= 8)
			assert_string_equal(why, "truncated");
	}
	{
		char *now = snapshot_view(&b->k);

		assert_string_equal(now, before);
		free(now);
	}
	/* The whole of it loads. */
	assert_int_equal(kernel_load(&b->k, data, len, why), 0);
	free(before);
	free(data);
	tk_free(a);
	tk_free(b);
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void test_version_and_unknown_sections(void **state)
{
	struct tk *a = tk_new(NULL), *b = tk_new(NULL);
	char why[SNAPSHOT_WHY_LEN], want[SNAPSHOT_WHY_LEN];
	unsigned char *data, *big;
	size_t len;

	(void)state;
	data = small_snapshot(a, &len);
	/* A later version is refused by name, the checksum made right. */
	put32(data + 8, SNAPSHOT_VERSION + 1);
	put32(data + len - 4, snapshot_crc32(data, len - 4));
	assert_int_equal(kernel_load(&b->k, data, len, why), -EINVAL);
	snprintf(want, sizeof(want), "version %d not supported", SNAPSHOT_VERSION + 1);
	assert_string_equal(why, want);
	put32(data + 8, 0);
	put32(data + len - 4, snapshot_crc32(data, len - 4));
	assert_int_equal(kernel_load(&b->k, data, len, why), -EINVAL);
	assert_string_equal(why, "version 0 not supported");
	put32(data + 8, SNAPSHOT_VERSION);
	/* An unknown section before END is skipped. */
	assert_non_null(big = malloc(len + 12));
	memcpy(big, data, len - 12);		/* up to END's tag */
	put32(big + len - 12, 99);
	put32(big + len - 8, 4);
	memcpy(big + len - 4, "abcd", 4);
	memcpy(big + len, data + len - 12, 8);	/* END */
	put32(big + len + 8, snapshot_crc32(big, len + 8));
	assert_int_equal(kernel_load(&b->k, big, len + 12, why), 0);
	assert_same_view(&a->k, &b->k);
	/* Not a snapshot at all. */
	assert_int_equal(kernel_load(&b->k, "PROCSIMX", 8, why), -EINVAL);
	assert_string_equal(why, "not a procsim snapshot");
	free(big);
	free(data);
	tk_free(a);
	tk_free(b);
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The body of @pid's TASK section (tag 5) in a snapshot, or NULL. */
static unsigned char *task_record(unsigned char *data, size_t len, int pid)
{
	size_t off = 12;

	while (off + 8 <= len - 4) {
		uint32_t tag = get32(data + off), n = get32(data + off + 4);

		if (tag == 5 && (int)get32(data + off + 8) == pid)
			return data + off + 8;
		off += 8 + n;
	}
	return NULL;
}

/* The body of the SCHED section (tag 6) and its frame's offset, or NULL. */
static unsigned char *sched_section(unsigned char *data, size_t len,
				    size_t *frame)
{
	size_t off = 12;

	while (off + 8 <= len - 4) {
		uint32_t tag = get32(data + off), n = get32(data + off + 4);

		if (tag == 6) {
			*frame = off;
			return data + off + 8;
		}
		off += 8 + n;
	}
	return NULL;
}

/*
 * Affinity, policy and io priority survive a save and load; a file
 * without their section (an older save) loads with the defaults; a
 * record with a bad value is refused.
 */
static void test_sched_attrs(void **state)
{
	struct tk *a = tk_new(NULL), *b = tk_new(NULL), *c;
	struct sender me = { .uid = 0, .euid = 0, .priv = true };
	char why[SNAPSHOT_WHY_LEN];
	unsigned char *data, *sec;
	size_t len, frame, n;
	int pid, tid;

	(void)state;
	pid = fork1(&a->k, 1);
	tid = clone1(&a->k, pid);
	assert_int_equal(do_sched_setaffinity(&a->k, tid, 0x2, &me), 0);
	assert_int_equal(do_sched_setscheduler(&a->k, pid, 2, 7, &me), 0);
	assert_int_equal(do_ioprio_set(&a->k, 1, pid, 3 << 13, &me), 0);
	assert_int_equal(do_prlimit(&a->k, tid, RLIMIT_NOFILE,
				    &(struct rlimit){ 100, 200 }, NULL, &me), 0);
	c = save_load(a, "maple");	/* also compares every /proc file */
	assert_non_null(find_task(&c->k, pid)->signal->rlim);
	assert_int_equal(find_task(&c->k, pid)->signal->rlim[RLIMIT_NOFILE].rlim_cur, 100);
	assert_int_equal(find_task(&c->k, pid)->signal->rlim[RLIMIT_NOFILE].rlim_max, 200);
	assert_null(find_task(&c->k, 1)->signal->rlim);
	assert_int_equal(find_task(&c->k, tid)->cpus_excluded, 0x1);
	assert_int_equal(find_task(&c->k, pid)->policy, 2);
	assert_int_equal(find_task(&c->k, pid)->rt_priority, 7);
	assert_int_equal(find_task(&c->k, pid)->ioprio, 3 << 13);
	assert_int_equal(kernel_save(&a->k, (void **)&data, &len), 0);
	assert_non_null(sec = sched_section(data, len, &frame));
	assert_int_equal(get32(sec), 2);	/* two tasks differ */
	/* A bad policy (4 is not one): refused. */
	sec[4 + 4] = 4;
	put32(data + len - 4, snapshot_crc32(data, len - 4));
	assert_int_equal(kernel_load(&b->k, data, len, why), -EINVAL);
	assert_true(strstr(why, "sched record") != NULL);
	/* The section cut out: every attribute back to its default. */
	n = 8 + get32(data + frame + 4);
	memmove(data + frame, data + frame + n, len - frame - n);
	len -= n;
	put32(data + len - 4, snapshot_crc32(data, len - 4));
	assert_int_equal(kernel_load(&b->k, data, len, why), 0);
	assert_int_equal(find_task(&b->k, pid)->policy, 0);
	assert_int_equal(find_task(&b->k, tid)->cpus_excluded, 0);
	free(data);
	tk_free(a);
	tk_free(b);
	tk_free(c);
}

/*
 * A file with a right checksum that still lies: parents swapped into a
 * cycle (which would hang exit's reaper search), a parent without ptrace.
 */
static void test_consistent_lies_refused(void **state)
{
	struct tk *a = tk_new(NULL), *b = tk_new(NULL);
	char why[SNAPSHOT_WHY_LEN], want[SNAPSHOT_WHY_LEN];
	unsigned char *data, *rec;
	int p1, p2;
	size_t len;
	char *before = snapshot_view(&b->k);

	(void)state;
	p1 = fork1(&a->k, 1);
	p2 = fork1(&a->k, p1);
	assert_int_equal(kernel_save(&a->k, (void **)&data, &len), 0);
	/* p1's parents become p2, its own child. */
	assert_non_null(rec = task_record(data, len, p1));
	put32(rec + 8, p2);
	put32(rec + 12, p2);
	put32(data + len - 4, snapshot_crc32(data, len - 4));
	assert_refused(&b->k, data, len, before, true);
	/* p2's parent (not its real parent) becomes init, untraced. */
	put32(rec + 8, 1);
	put32(rec + 12, 1);
	assert_non_null(rec = task_record(data, len, p2));
	put32(rec + 12, 1);
	put32(data + len - 4, snapshot_crc32(data, len - 4));
	assert_refused(&b->k, data, len, before, true);
	assert_int_equal(kernel_load(&b->k, data, len, why), -EINVAL);
	snprintf(want, sizeof(want), "task %d: parent without ptrace", p2);
	assert_string_equal(why, want);
	free(before);
	free(data);
	tk_free(a);
	tk_free(b);
}

/* The standard check value, and a long input through the 8-byte path. */
static void test_crc32(void **state)
{
	unsigned char buf[1000];

	(void)state;
	assert_int_equal(snapshot_crc32("123456789", 9), 0xcbf43926U);
	for (int i = 0; i < 1000; i++)
		buf[i] = i * 7 % 256;
	assert_int_equal(snapshot_crc32(buf, sizeof(buf)), 0x114ad5ffU); /* zlib.crc32 */
	assert_int_equal(snapshot_crc32("", 0), 0);
}

/* A committed snapshot (tests/snapshot-corpus/, the fuzzer's seeds too). */
static unsigned char *corpus_file(const char *name, size_t *len)
{
	char path[1024];
	unsigned char *d;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/../snapshot-corpus/%s", PROCSIM_SAMPLES, name);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	assert_non_null(d = malloc(n));
	assert_int_equal(fread(d, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return d;
}

static struct tk *load_corpus(const char *name, const struct kernel_opts *o)
{
	struct tk *b = tk_new(o);
	char why[SNAPSHOT_WHY_LEN];
	unsigned char *d;
	size_t len;

	d = corpus_file(name, &len);
	assert_int_equal(kernel_load(&b->k, d, len, why), 0);
	free(d);
	check_world(&b->k);
	return b;
}

/*
 * A version 1 snapshot (saved by the code before v2: populate 4, K 1,
 * seed 3) still loads, as before: the same world as v2's save of it, but
 * every mm private, and K the loading kernel's own (v1 did not save it).
 */
static void test_version_1_loads(void **state)
{
	struct kernel_opts o = { .populate_layouts = 5 };
	struct tk *v1 = load_corpus("v1-populate4.snap", &o);
	struct tk *v2 = load_corpus("v2-populate4-k1.snap", &o);
	size_t s1, s2;
	int n1, n2;

	(void)state;
	assert_same_view(&v1->k, &v2->k);
	free(sharing_of(&v1->k, &s1, &n1));
	free(sharing_of(&v2->k, &s2, &n2));
	assert_int_equal(n1, 0);
	assert_int_equal(n2, 4);	/* 4 layouts: none shared by two */
	assert_int_equal(v1->k.opts.populate_layouts, 5);
	assert_int_equal(v2->k.opts.populate_layouts, 1);
	tk_free(v1);
	tk_free(v2);
}

/* The @nth (from 0) section tagged @tag: its body, its length in *@n. */
static unsigned char *section(unsigned char *data, size_t len, uint32_t tag,
			      int nth, size_t *n)
{
	size_t off = 12;

	while (off + 8 <= len - 4) {
		uint32_t t = get32(data + off);

		*n = get32(data + off + 4);
		if (t == tag && nth-- == 0)
			return data + off + 8;
		off += 8 + *n;
	}
	return NULL;
}

/* @d with the u32 at @at set to @v and its checksum made right. */
static void patch32(unsigned char *d, size_t len, unsigned char *at, uint32_t v)
{
	put32(at, v);
	put32(d + len - 4, snapshot_crc32(d, len - 4));
}

/*
 * Layout records that lie, with a right checksum: a sharer of no layout or
 * of one not read yet, a slot out of 0 .. K-1 or taken twice, a K out of
 * range: each refused with its reason, the running world unchanged.  A
 * program this build does not have loads, its layout out of the pool but
 * still shared.  Then every byte of the layout records' heads flipped in
 * turn: refused or loaded, never a crash (ASan) or a broken world.
 */
static void test_layout_records_checked(void **state)
{
	struct tk *a = tk_new(NULL);
	char why[SNAPSHOT_WHY_LEN], *before;
	unsigned char *d, *l1, *l2, *m, *opts;
	size_t len, n, n1, no;
	uint32_t v;

	(void)state;
	d = corpus_file("v2-populate8-k2.snap", &len);
	before = snapshot_view(&a->k);
	assert_non_null(m = section(d, len, 10, 0, &n));	/* MM_SHARED */
	assert_non_null(l1 = section(d, len, 9, 0, &n1));	/* LAYOUT 1 */
	assert_non_null(l2 = section(d, len, 9, 1, &n));	/* LAYOUT 2 */
	assert_non_null(opts = section(d, len, 1, 0, &no));
	/* A sharer's layout number (after its id): none, then not read yet. */
	v = get32(m + 4);
	patch32(d, len, m + 4, 0);
	assert_refused(&a->k, d, len, before, true);
	assert_int_equal(kernel_load(&a->k, d, len, why), -EINVAL);
	assert_non_null(strstr(why, "layout 0 unknown"));
	patch32(d, len, m + 4, 99);
	assert_int_equal(kernel_load(&a->k, d, len, why), -EINVAL);
	assert_non_null(strstr(why, "layout 99 unknown"));
	patch32(d, len, m + 4, v);
	/* Layout 1's slot (after id, pooled, program) out of range, then taken. */
	v = get32(l1 + 9);
	patch32(d, len, l1 + 9, 2);
	assert_refused(&a->k, d, len, before, true);
	patch32(d, len, l1 + 9, (uint32_t)-1);
	assert_refused(&a->k, d, len, before, true);
	patch32(d, len, l1 + 9, v);
	/* Two layouts of one program (4 and 7 here) in one slot. */
	assert_non_null(l1 = section(d, len, 9, 3, &n));
	assert_non_null(l2 = section(d, len, 9, 6, &n));
	assert_memory_equal(l1 + 5, l2 + 5, 4);
	v = get32(l2 + 9);
	patch32(d, len, l2 + 9, get32(l1 + 9));
	assert_int_equal(kernel_load(&a->k, d, len, why), -EINVAL);
	assert_non_null(strstr(why, "bad or taken"));
	patch32(d, len, l2 + 9, v);
	assert_non_null(l1 = section(d, len, 9, 0, &n1));
	/* K out of range: the last u32 of OPTS. */
	patch32(d, len, opts + no - 4, (uint32_t)-2);
	assert_int_equal(kernel_load(&a->k, d, len, why), -EINVAL);
	assert_string_equal(why, "bad populate_layouts -2");
	patch32(d, len, opts + no - 4, POPULATE_LAYOUTS_MAX + 1);
	assert_refused(&a->k, d, len, before, true);
	patch32(d, len, opts + no - 4, 2);
	/* An unknown program number: loaded, shared, not pooled. */
	v = get32(l1 + 5);
	patch32(d, len, l1 + 5, 9999);
	assert_int_equal(kernel_load(&a->k, d, len, why), 0);
	check_world(&a->k);
	patch32(d, len, l1 + 5, v);
	assert_int_equal(kernel_load(&a->k, d, len, why), 0);
	free(before);
	before = snapshot_view(&a->k);
	/*
	 * Every byte of the sharing records and of each layout record's head
	 * (its place, its fields, its first VMAs: the rest is a TAG_MM body),
	 * flipped.
	 */
	for (int tag = 9; tag <= 10; tag++)
		for (int nth = 0; (l1 = section(d, len, tag, nth, &n)); nth++)
			for (size_t i = 0; i < n && i < 256; i++) {
				l1[i] ^= 0xa5;
				put32(d + len - 4, snapshot_crc32(d, len - 4));
				if (kernel_load(&a->k, d, len, why))
					assert_true(why[0] && !strchr(why, '\n'));
				else
					check_world(&a->k);
				l1[i] ^= 0xa5;
			}
	put32(d + len - 4, snapshot_crc32(d, len - 4));
	assert_int_equal(kernel_load(&a->k, d, len, why), 0);
	{
		char *now = snapshot_view(&a->k);

		assert_string_equal(now, before);
		free(now);
	}
	free(before);
	free(d);
	tk_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_sched_attrs),
		cmocka_unit_test(test_consistent_lies_refused),
		cmocka_unit_test(test_shared_mm_and_threads),
		cmocka_unit_test(test_shared_layouts_round_trip),
		cmocka_unit_test(test_version_1_loads),
		cmocka_unit_test(test_layout_records_checked),
		cmocka_unit_test(test_pid_max_below_live_pids),
		cmocka_unit_test(test_refused_fork_saves_alike),
		cmocka_unit_test(test_version_and_unknown_sections),
		cmocka_unit_test(test_every_length_truncated),
		cmocka_unit_test(test_every_byte_flipped),
		cmocka_unit_test(test_round_trip_all_backends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
