// SPDX-License-Identifier: MIT
/*
 * The request handlers serve a small world without FUSE (fs/procfs_req.h):
 * lookup, getattr, readdir and read answer what the caching policy
 * (fs/cache_policy.c) says for each node class, with cache=on and off; the
 * table keeps every untracked node short-lived; and a cold read renders
 * once (fs/render_cache.h) yet never serves bytes older than a change.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache_policy.h"
#include "preq_calls.h"
#include "thread_dirs.h"

#define NR_POPULATE	20
#define BTIME		1700000000

static unsigned long long clock_ticks = 5000;

static unsigned long long test_clock(void *arg)
{
	(void)arg;
	return clock_ticks;
}

static int boot(void **state, bool cache)
{
	struct procfs *fs = calloc(1, sizeof(*fs));
	struct kernel_opts o = { .clock = test_clock, .seed = 7 };

	if (!fs)
		return -1;
	clock_ticks = 5000;
	stats_init(&fs->stats, true);
	trace_init(&fs->trace, cache);
	fs->cache = cache;
	fs->btime = BTIME;
	fs->entry_timeout = 0.25;
	fs->attr_timeout = 0.5;
	fs->control_path = "/run/procsim-control";
	o.kstat = &fs->stats.hook;
	if (kernel_init(&fs->k, &o) || populate(&fs->k, NR_POPULATE) ||
	    render_cache_init(&fs->rcache))
		return -1;
	fs->k.track_changes = cache;
	*state = fs;
	return 0;
}

static int setup_on(void **state)
{
	return boot(state, true);
}

static int setup_off(void **state)
{
	return boot(state, false);
}

static int teardown(void **state)
{
	struct procfs *fs = *state;

	render_cache_destroy(&fs->rcache);
	seen_destroy(&fs->seen);
	kernel_destroy(&fs->k);
	trace_destroy(&fs->trace);
	stats_destroy(&fs->stats);
	free(fs);
	return 0;
}

static uint64_t count(struct procfs *fs, int item)
{
	struct kstat s;

	stats_sum(&fs->stats, &s);
	return kstat_read(&s, item, false);
}

/* The inode of @path ("1/task/1/stat") from the root, through LOOKUP. */
static uint64_t walk(struct procfs *fs, const char *path, struct preq_entry *e)
{
	char copy[128], *save, *name;
	uint64_t ino = PREQ_ROOT_ID;

	snprintf(copy, sizeof(copy), "%s", path);
	for (name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
		assert_int_equal(req_lookup(fs, ino, name, e), 0);
		assert_true(e->ino != 0);
		ino = e->ino;
	}
	return ino;
}

static bool keeps_cache(struct procfs *fs, uint64_t ino)
{
	struct preq r = { .fs = fs };
	struct stat st;
	bool keep = true;

	assert_int_equal(preq_stat(&r, ino, &st, &keep), 0);
	return keep;
}

static void test_cache_on_answers(void **state)
{
	struct procfs *fs = *state;
	struct task *init = find_task(&fs->k, 1);
	time_t start = BTIME + (time_t)(init->start_time / USER_HZ);
	struct preq_entry e;
	struct buf b;
	struct stat st;
	double timeout;
	uint64_t ino;
	char comm[32];

	buf_init(&b);
	/* /proc/1: a pid-named directory, invalidated with its task. */
	ino = walk(fs, "1", &e);
	assert_true(S_ISDIR(e.attr.st_mode));
	assert_true(e.entry_timeout == FIXED_TIMEOUT && e.attr_timeout == FIXED_TIMEOUT);
	assert_int_equal(e.attr.st_mtime, start);
	/* A process file: exact size, kept, long-lived. */
	ino = walk(fs, "1/comm", &e);
	assert_true(S_ISREG(e.attr.st_mode));
	assert_int_equal(req_read(fs, ino, &b), 0);
	snprintf(comm, sizeof(comm), "%s\n", init->comm);
	assert_int_equal(b.len, strlen(comm));
	assert_memory_equal(b.data, comm, b.len);
	assert_int_equal(e.attr.st_size, b.len);
	assert_true(e.attr_timeout == FIXED_TIMEOUT);
	assert_int_equal(e.attr.st_mtime, start);
	assert_true(keeps_cache(fs, ino));
	/* A thread file: as a process file (fs/thread_dirs.h). */
	ino = walk(fs, "1/task/1/stat", &e);
	assert_int_equal(req_read(fs, ino, &b), 0);
	assert_int_equal(e.attr.st_size, b.len);
	assert_true(e.attr_timeout == FIXED_TIMEOUT);
	assert_int_equal(e.attr.st_mtime, start);
	assert_true(keeps_cache(fs, ino));
	/* An extra that reads other tasks: revalidated on every getattr. */
	ino = walk(fs, "1/task/1/io", &e);
	assert_true(e.attr_timeout == 0);
	assert_true(e.attr.st_mtime > start);		/* the wall clock */
	assert_false(keeps_cache(fs, ino));
	/* A global file: fresh to the tick it prints. */
	ino = walk(fs, "uptime", &e);
	assert_int_equal(req_read(fs, ino, &b), 0);
	assert_int_equal(e.attr.st_size, b.len);
	assert_true(e.attr_timeout == 1.0 / USER_HZ);
	assert_int_equal(e.attr.st_mtime, (time_t)(clock_ticks / USER_HZ));
	assert_int_equal(req_getattr(fs, ino, &st, &timeout), 0);
	assert_int_equal(st.st_size, b.len);
	assert_true(timeout == 1.0 / USER_HZ);
	/* A name a fixed directory lacks: a negative entry, cached. */
	assert_int_equal(req_lookup(fs, walk(fs, "1", &e), "nonesuch", &e), 0);
	assert_int_equal(e.ino, 0);
	assert_true(e.entry_timeout == FIXED_TIMEOUT);
	/* /proc/procsim is a symlink to the control mount. */
	walk(fs, "procsim", &e);
	assert_true(S_ISLNK(e.attr.st_mode));
	buf_free(&b);
}

static void test_cache_off_answers(void **state)
{
	struct procfs *fs = *state;
	struct preq_entry e;
	struct buf b;
	uint64_t ino;

	buf_init(&b);
	walk(fs, "1", &e);
	assert_true(e.entry_timeout == fs->entry_timeout && e.attr_timeout == fs->attr_timeout);
	/* Every file direct, as procfs: st_size 0, the user's timeouts. */
	ino = walk(fs, "1/stat", &e);
	assert_int_equal(e.attr.st_size, 0);
	assert_true(e.attr_timeout == fs->attr_timeout);
	assert_false(keeps_cache(fs, ino));
	assert_int_equal(req_read(fs, ino, &b), 0);
	assert_true(b.len > 0);
	walk(fs, "uptime", &e);
	assert_int_equal(e.attr.st_size, 0);
	assert_int_equal(e.attr.st_mtime, BTIME);
	/* No lookup rendered anything, and no read was kept. */
	assert_int_equal(count(fs, KSTAT_RENDER), 1);
	assert_int_equal(count(fs, KSTAT_RENDER_HIT) + count(fs, KSTAT_RENDER_MISS), 0);
	walk(fs, "procsim", &e);
	assert_true(S_ISDIR(e.attr.st_mode));
	buf_free(&b);
}

struct listing {
	struct procfs *fs;
	int files;
	bool saw_stat;
};

static bool list_fill(void *arg, const char *name, uint64_t ino, mode_t mode,
		      off_t next, const struct preq_entry *e)
{
	struct listing *l = arg;
	struct buf b;

	(void)next;
	assert_non_null(e);
	if (!S_ISREG(mode))
		return true;
	assert_int_equal(e->ino, ino);
	l->files++;
	if (!strcmp(name, "stat")) {
		/* READDIRPLUS carries the same exact size a read gives. */
		buf_init(&b);
		assert_int_equal(req_read(l->fs, ino, &b), 0);
		assert_int_equal(e->attr.st_size, b.len);
		buf_free(&b);
		l->saw_stat = true;
	}
	return true;
}

static void test_readdirplus(void **state)
{
	struct procfs *fs = *state;
	struct preq r = { .fs = fs };
	struct listing l = { fs, 0, false };
	struct preq_entry e;

	assert_int_equal(preq_readdir(&r, walk(fs, "1", &e), 0, true, list_fill, &l), 0);
	assert_true(l.saw_stat);
	assert_true(l.files >= 10);
}

/*
 * A cold LOOKUP then READ renders once; a change (task_touch, or a ctl
 * command's render_cache_forget) or a new tick makes the next read render
 * again, so the bytes are never older than the change.
 */
static void test_render_once_never_stale(void **state)
{
	struct procfs *fs = *state;
	struct task *t = find_task(&fs->k, 1);
	struct preq_entry e;
	struct buf b;
	uint64_t comm, uptime;

	buf_init(&b);
	stats_reset(&fs->stats);
	comm = walk(fs, "1/comm", &e);
	assert_int_equal(count(fs, KSTAT_RENDER), 1);
	assert_int_equal(req_read(fs, comm, &b), 0);
	assert_int_equal(count(fs, KSTAT_RENDER), 1);
	assert_int_equal(count(fs, KSTAT_RENDER_HIT), 1);
	assert_int_equal(e.attr.st_size, b.len);
	/* A change the core logs. */
	snprintf(t->comm, sizeof(t->comm), "renamed");
	task_touch(&fs->k, t);
	assert_int_equal(req_read(fs, comm, &b), 0);
	assert_int_equal(b.len, strlen("renamed\n"));
	assert_memory_equal(b.data, "renamed\n", b.len);
	assert_int_equal(count(fs, KSTAT_RENDER), 2);
	/* One only a ctl command's publish knows of. */
	snprintf(t->comm, sizeof(t->comm), "again");
	render_cache_forget(&fs->rcache);
	assert_int_equal(req_read(fs, comm, &b), 0);
	assert_memory_equal(b.data, "again\n", b.len);
	/* A global file: one render per tick. */
	uptime = walk(fs, "uptime", &e);
	assert_int_equal(req_read(fs, uptime, &b), 0);
	assert_int_equal(count(fs, KSTAT_RENDER), 4);
	clock_ticks += 1;
	assert_int_equal(req_read(fs, uptime, &b), 0);
	assert_int_equal(count(fs, KSTAT_RENDER), 5);
	assert_int_equal(count(fs, KSTAT_RENDER_MISS), 5);
	assert_true(fs->rcache.bytes > 0 &&
		    fs->rcache.bytes <= (uint64_t)RENDER_CACHE_SLOTS * RENDER_CACHE_ENTRY_MAX);
	buf_free(&b);
}

static bool task_class(enum node_class c)
{
	return c != NC_GLOBAL_FILE && c != NC_CONTROL_FILE && c != NC_DIR && c != NC_LINK;
}

/*
 * The table's freshness rules: what no change log tracks (cache=off, the
 * caller's stand-in) never lives long, pages are kept only with an exact
 * size, and renders are shared only where changes are tracked.
 */
static void test_policy_table(void **state)
{
	(void)state;
	for (int m = 0; m < CACHE_MODE_NR; m++)
		for (int c = 0; c < NC_NR; c++) {
			const struct cache_policy *p = cache_policy(m, c);

			if (p->keep_cache)
				assert_true(p->exact_size);
			if (p->render_once)
				assert_true(p->exact_size && m == CACHE_TRACKED);
			if (m == CACHE_DIRECT)
				assert_false(p->exact_size || p->keep_cache);
			if (m != CACHE_TRACKED && task_class(c))
				assert_true(p->attr_timeout == OPT_TIMEOUT || p->attr_timeout == 0);
		}
	/* Moved by other tasks or the clock, no log names it: revalidated. */
	assert_true(cache_policy(CACHE_TRACKED, NC_UNTRACKED_FILE)->attr_timeout == 0);
	assert_int_equal(cache_policy(CACHE_TRACKED, NC_UNTRACKED_FILE)->mtime, MTIME_NOW);
	/* A thread's files are kept as its process's (fs/thread_dirs.h). */
	assert_memory_equal(cache_policy(CACHE_TRACKED, NC_THREAD_FILE),
			    cache_policy(CACHE_TRACKED, NC_PROCESS_FILE),
			    sizeof(struct cache_policy));
	assert_int_equal(cache_policy(CACHE_TRACKED, NC_GLOBAL_FILE)->mtime, MTIME_TICK);
}

/*
 * The thread directories the changes since the last call stale, as
 * publish_changes() lists them: where the take of a task's mark said the
 * kernel may hold something of it.
 */
static void take_stale(struct procfs *fs, struct thread_dirs *d)
{
	struct change_log changed, gone, born;

	world_read_lock(&fs->k);
	kernel_take_changes(&fs->k, &changed, &gone, &born);
	world_unlock(&fs->k);
	*d = (struct thread_dirs){ 0 };
	for (size_t i = 0; i < gone.n; i++)
		if (seen_take_task(&fs->seen, gone.v[i].pid))
			thread_dirs_add(&fs->k, &fs->seen, d, &gone.v[i], true);
	for (size_t i = 0; i < changed.n; i++)
		if (seen_take_task(&fs->seen, changed.v[i].pid))
			thread_dirs_add(&fs->k, &fs->seen, d, &changed.v[i], false);
	free(changed.v);
	free(gone.v);
	free(born.v);
}

static bool has_dir(const struct thread_dirs *d, int tgid, int tid)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].pid == tgid && d->v[i].tid == tid)
			return true;
	return false;
}

/* @run under the write lock, then what it staled. */
#define STALE(fs, d, run) do {				\
		world_write_lock(&(fs)->k);		\
		assert_int_equal(run, 0);		\
		world_unlock(&(fs)->k);			\
		free((d)->v);				\
		take_stale(fs, d);			\
	} while (0)

/*
 * Thread files are invalidated per group, as fs/seen.h's marks say
 * (fs/thread_dirs.h): nothing before the kernel was served one; then a
 * thread's own change stales its files, a leader's those of every thread
 * served, and a gone thread its own; from the third take after the last
 * read, nothing.
 */
static void test_thread_dirs(void **state)
{
	struct procfs *fs = *state;
	struct thread_dirs d = { 0 };
	struct preq_entry e;
	char path[64];
	int pid, t1, t2, t3;

	assert_int_equal(seen_init(&fs->seen), 0);
	world_write_lock(&fs->k);
	assert_int_equal(do_fork(&fs->k, 1, 1, &pid), 0);
	assert_int_equal(do_clone(&fs->k, pid, &t1), 0);
	assert_int_equal(do_clone(&fs->k, pid, &t2), 0);
	assert_int_equal(do_clone(&fs->k, pid, &t3), 0);
	world_unlock(&fs->k);
	take_stale(fs, &d);		/* born: in no change log after this */
	STALE(fs, &d, do_set_comm(&fs->k, pid, "unread"));
	assert_int_equal(d.n, 0);

	snprintf(path, sizeof(path), "%d/task/%d/stat", pid, t1);
	walk(fs, path, &e);
	assert_true(seen_thread_kind(&fs->seen, NODE_T_STAT));
	assert_false(seen_thread_kind(&fs->seen, NODE_T_MAPS));
	STALE(fs, &d, do_set_comm(&fs->k, t1, "one"));
	assert_int_equal(d.n, 1);
	assert_true(has_dir(&d, pid, t1));
	/* t2 and t3 were never served: not listed. */
	STALE(fs, &d, do_set_comm(&fs->k, pid, "group"));
	assert_int_equal(d.n, 2);
	assert_true(has_dir(&d, pid, pid) && has_dir(&d, pid, t1));

	snprintf(path, sizeof(path), "%d/task/%d/status", pid, t2);
	walk(fs, path, &e);
	STALE(fs, &d, do_exit_thread(&fs->k, t2, 0));
	assert_int_equal(d.n, 3);
	assert_true(has_dir(&d, pid, t2) && has_dir(&d, pid, t1) && has_dir(&d, pid, pid));
	/* The read's mark on the group counts at its second take too... */
	STALE(fs, &d, do_set_comm(&fs->k, pid, "later"));
	assert_int_equal(d.n, 2);
	assert_true(has_dir(&d, pid, pid) && has_dir(&d, pid, t1));
	/* ...not at its third: nothing read since, nothing to walk. */
	STALE(fs, &d, do_set_comm(&fs->k, pid, "again"));
	assert_int_equal(d.n, 0);
	free(d.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cache_on_answers, setup_on, teardown),
		cmocka_unit_test_setup_teardown(test_cache_off_answers, setup_off, teardown),
		cmocka_unit_test_setup_teardown(test_readdirplus, setup_on, teardown),
		cmocka_unit_test_setup_teardown(test_render_once_never_stale, setup_on, teardown),
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test_setup_teardown(test_thread_dirs, setup_on, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
