// SPDX-License-Identifier: MIT
/*
 * The request handlers without FUSE (fs/procfs_req.h): the accounting a
 * known sequence of requests leaves in the stats (fs/stats.h, the core's
 * kstat hook), a pid that has gone answering ENOENT, and the trace
 * format's round trip (fs/trace.h).
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
#include "preq_calls.h"

#define NR_POPULATE	20

static unsigned long long fixed_clock(void *arg)
{
	(void)arg;
	return 5000;
}

static int setup(void **state)
{
	struct procfs *fs = calloc(1, sizeof(*fs));
	struct kernel_opts o = { .clock = fixed_clock, .seed = 7 };

	if (!fs)
		return -1;
	stats_init(&fs->stats, true);
	trace_init(&fs->trace, true);
	fs->cache = true;
	fs->control_path = "/run/procsim-control";
	o.kstat = &fs->stats.hook;
	if (kernel_init(&fs->k, &o) || populate(&fs->k, NR_POPULATE))
		return -1;
	*state = fs;
	return 0;
}

static int teardown(void **state)
{
	struct procfs *fs = *state;

	kernel_destroy(&fs->k);
	trace_destroy(&fs->trace);
	stats_destroy(&fs->stats);
	free(fs);
	return 0;
}

/* The inode of @pid's node @kind in the current world. */
static uint64_t task_ino(struct procfs *fs, int pid, unsigned kind)
{
	return node_ino((struct node){ pid, 0, kind, node_epoch(fs->k.epoch) });
}

static uint64_t count(struct procfs *fs, int item)
{
	struct kstat s;

	stats_sum(&fs->stats, &s);
	return kstat_read(&s, item, false);
}

static int fixed_entries(enum node_kind dir)
{
	int n = 0;

	for (const struct dir_entry *e = dir_entries(dir); e->name; e++)
		n++;
	return n;
}

static bool count_all(void *arg, const char *name, uint64_t ino, mode_t mode,
		      off_t next, const struct preq_entry *e)
{
	(void)name; (void)ino; (void)mode; (void)next; (void)e;
	++*(int *)arg;
	return true;
}

static int req_readdir(struct procfs *fs, uint64_t ino, int *entries)
{
	struct preq r = { .fs = fs };
	uint64_t t0 = stats_begin(&fs->stats);
	int err = preq_readdir(&r, ino, 0, false, count_all, entries);

	stats_end(&fs->stats, OP_READDIR, t0);
	return err;
}

static void test_known_sequence_counts(void **state)
{
	struct procfs *fs = *state;
	struct preq_entry e;
	struct buf b;
	int entries = 0;
	unsigned long procs = fs->k.nr_processes;

	buf_init(&b);
	stats_reset(&fs->stats);
	/*
	 * LOOKUP "1" in /proc: the name (1), then the entry's attributes
	 * resolve the task (2); its timeouts come from the same resolution.
	 */
	assert_int_equal(req_lookup(fs, PREQ_ROOT_ID, "1", &e), 0);
	assert_int_equal(count(fs, KSTAT_PID_LOOKUP), 2);
	/* READDIR of /proc: one next_leader per process, and one that ends it. */
	assert_int_equal(req_readdir(fs, PREQ_ROOT_ID, &entries), 0);
	assert_int_equal(count(fs, KSTAT_PID_NEXT_LEADER), procs + 1);
	assert_int_equal(entries, 2 + fixed_entries(NODE_ROOT) + (int)procs);	/* . .. fixed pids */
	/* READ /proc/1/stat: one task lookup, one render; the mm keeps its totals. */
	assert_int_equal(req_read(fs, task_ino(fs, 1, NODE_T_STAT), &b), 0);
	assert_int_equal(count(fs, KSTAT_PID_LOOKUP), 3);
	assert_int_equal(count(fs, KSTAT_RENDER), 1);
	assert_int_equal(count(fs, KSTAT_VMA), 0);
	/* READ /proc/1/maps: vma_first, then vma_next past every VMA. */
	assert_int_equal(req_read(fs, task_ino(fs, 1, NODE_T_MAPS), &b), 0);
	assert_int_equal(count(fs, KSTAT_PID_LOOKUP), 4);
	assert_int_equal(count(fs, KSTAT_RENDER), 2);
	assert_int_equal(count(fs, KSTAT_VMA), find_task(&fs->k, 1)->mm->map_count + 1);
	assert_int_equal(count(fs, KSTAT_REQ + OP_LOOKUP), 1);
	assert_int_equal(count(fs, KSTAT_REQ + OP_READDIR), 1);
	assert_int_equal(count(fs, KSTAT_REQ + OP_READ), 2);
	assert_int_equal(count(fs, KSTAT_PID_NEXT) + count(fs, KSTAT_PID_ALLOC) +
			 count(fs, KSTAT_PID_FREE) + count(fs, KSTAT_WAIT) +
			 count(fs, KSTAT_WATCH), 0);
	/* Reset: every count from zero again. */
	stats_reset(&fs->stats);
	assert_int_equal(count(fs, KSTAT_PID_LOOKUP), 0);
	assert_int_equal(count(fs, KSTAT_REQ + OP_READ), 0);
	buf_free(&b);
}

/* Account off (`stats account off`, the hook's ctl): requests only counted. */
static void test_account_off_counts_requests_only(void **state)
{
	struct procfs *fs = *state;
	const struct kstat_hook *h = &fs->stats.hook;
	struct preq_entry e;

	assert_int_equal(h->ctl(h->arg, KSTAT_CTL_ACCOUNT_OFF), 0);
	stats_reset(&fs->stats);
	assert_int_equal(req_lookup(fs, PREQ_ROOT_ID, "1", &e), 0);
	assert_int_equal(count(fs, KSTAT_REQ + OP_LOOKUP), 1);
	assert_int_equal(count(fs, KSTAT_PID_LOOKUP), 0);
	/* ... and on again from the next request. */
	assert_int_equal(h->ctl(h->arg, KSTAT_CTL_ACCOUNT_ON), 0);
	assert_int_equal(req_lookup(fs, PREQ_ROOT_ID, "1", &e), 0);
	assert_int_equal(count(fs, KSTAT_REQ + OP_LOOKUP), 2);
	assert_int_equal(count(fs, KSTAT_PID_LOOKUP), 2);
}

/* Core work outside a request (a ctl-less boot, populate) is not charged. */
static void test_outside_request_not_charged(void **state)
{
	struct procfs *fs = *state;

	stats_reset(&fs->stats);
	assert_non_null(find_task(&fs->k, 1));
	assert_int_equal(count(fs, KSTAT_PID_LOOKUP), 0);
}

static void test_gone_pid_enoent(void **state)
{
	struct procfs *fs = *state;
	struct preq r = { .fs = fs };
	struct preq_entry e;
	struct stat st;
	struct buf b;
	double timeout;
	int pid, reaped, status, entries = 0, after = 0;
	uint64_t dir, stat;

	buf_init(&b);
	world_write_lock(&fs->k);	/* as ctl would: the handlers take it too */
	assert_int_equal(do_fork(&fs->k, 1, 1, &pid), 0);
	world_unlock(&fs->k);
	dir = task_ino(fs, pid, NODE_PID_DIR);
	stat = task_ino(fs, pid, NODE_T_STAT);
	assert_int_equal(preq_lookup(&r, PREQ_ROOT_ID, "1", &e), 0);
	char name[16];

	snprintf(name, sizeof(name), "%d", pid);
	assert_int_equal(preq_lookup(&r, PREQ_ROOT_ID, name, &e), 0);
	assert_int_equal(e.ino, dir);
	assert_int_equal(preq_render(&r, stat, &b), 0);
	assert_int_equal(req_readdir(fs, PREQ_ROOT_ID, &entries), 0);
	/* The pid goes: exit and reaped by init. */
	world_write_lock(&fs->k);
	assert_int_equal(do_exit(&fs->k, pid, 0), 0);
	assert_int_equal(do_wait(&fs->k, 1, pid, 0, &reaped, &status), 0);
	world_unlock(&fs->k);
	assert_int_equal(preq_lookup(&r, PREQ_ROOT_ID, name, &e), -ENOENT);
	assert_int_equal(preq_getattr(&r, dir, &st, &timeout), -ENOENT);
	assert_int_equal(preq_lookup(&r, dir, "stat", &e), -ENOENT);
	assert_int_equal(preq_readdir(&r, dir, 0, false, count_all, &after), -ENOENT);
	assert_int_equal(preq_render(&r, stat, &b), -ESRCH);
	after = 0;
	assert_int_equal(req_readdir(fs, PREQ_ROOT_ID, &after), 0);
	assert_int_equal(after, entries - 1);
	buf_free(&b);
}

static void test_trace_round_trip(void **state)
{
	struct procfs *fs = *state;
	struct trace_rec r;
	struct buf b;
	char name[64], *line, *nl;
	bool cache = false;

	buf_init(&b);
	trace_note(&fs->trace, OP_LOOKUP, 1, "not recorded", 0, 0);
	assert_int_equal(trace_start(&fs->trace), 0);
	trace_note(&fs->trace, OP_LOOKUP, 0x1234, "a b%\n", 0, 0);
	trace_note(&fs->trace, OP_READ, 0x10000000016ULL, NULL, 4096, 131072);
	trace_stop(&fs->trace);
	trace_note(&fs->trace, OP_GETATTR, 1, NULL, 0, 0);
	trace_render(&b, &fs->trace);
	buf_putc(&b, '\0');
	line = b.data;
	nl = strchr(line, '\n');
	*nl = '\0';
	assert_int_equal(trace_check_header(line, &cache), 0);
	assert_true(cache);
	line = nl + 1;
	nl = strchr(line, '\n');
	*nl = '\0';
	assert_string_equal(line, "lookup 1234 0 0 a%20b%25%0A");
	assert_int_equal(trace_parse_line(line, &r, name, sizeof(name)), 1);
	assert_int_equal(r.op, OP_LOOKUP);
	assert_int_equal(r.ino, 0x1234);
	assert_string_equal(r.name, "a b%\n");
	line = nl + 1;
	nl = strchr(line, '\n');
	*nl = '\0';
	assert_int_equal(trace_parse_line(line, &r, name, sizeof(name)), 1);
	assert_int_equal(r.op, OP_READ);
	assert_int_equal(r.off, 4096);
	assert_int_equal(r.size, 131072);
	assert_null(r.name);
	assert_string_equal(nl + 1, "");	/* nothing after stop */
	assert_int_equal(trace_parse_line("frobnicate 1 0 0", &r, name, sizeof(name)), -EINVAL);
	assert_int_equal(trace_parse_line("lookup 1 0 0 a%00", &r, name, sizeof(name)), -EINVAL);
	assert_int_equal(trace_parse_line("# comment", &r, name, sizeof(name)), 0);
	/* Strict: no sign, no second space, no junk in numbers, no raw bytes. */
	assert_int_equal(trace_parse_line("lookup 4-1 2 3 x", &r, name, sizeof(name)), -EINVAL);
	assert_int_equal(trace_parse_line("read 1 -1 0", &r, name, sizeof(name)), -EINVAL);
	assert_int_equal(trace_parse_line("lookup 1 0 0  x", &r, name, sizeof(name)), -EINVAL);
	assert_int_equal(trace_parse_line("lookup 1 0 0 ", &r, name, sizeof(name)), -EINVAL);
	assert_int_equal(trace_parse_line("lookup 1 0 0 a\xff", &r, name, sizeof(name)), -EINVAL);
	assert_int_equal(trace_parse_line("read 1 99999999999999999999 0", &r, name,
					  sizeof(name)), -EINVAL);
	assert_int_equal(trace_check_header("procsim-trace 2 cache=on", &cache), -EINVAL);
	buf_free(&b);
}

static struct kstat *fixed_cur(void *arg)
{
	return arg;
}

/*
 * The sampler: every call counted, about 1 in 2^sample_log2 timed, and the
 * time read back scaled from the timed calls to all of them.
 */
static void test_sampled_calls_counted_and_scaled(void **state)
{
	static struct kstat ks;
	struct kstat_hook h = { .cur = fixed_cur, .arg = &ks };
	uint64_t t0, timed, ticks;
	enum { N = 64000 };

	(void)state;
	memset(&ks, 0, sizeof(ks));
	ks.sample_log2 = 6;
	for (int i = 0; i < N; i++) {
		struct kstat *cur = kstat_begin(&h, &t0);

		kstat_end(cur, KSTAT_PID_NEXT, t0);
	}
	timed = atomic_load(&ks.item[KSTAT_PID_NEXT].timed);
	ticks = atomic_load(&ks.item[KSTAT_PID_NEXT].ticks);
	assert_int_equal(kstat_read(&ks, KSTAT_PID_NEXT, false), N);
	assert_in_range(timed, N / 64 / 2, N / 64 * 2);	/* 1000 expected */
	assert_int_equal(kstat_read(&ks, KSTAT_PID_NEXT, true),
			 (uint64_t)((unsigned __int128)ticks * N / timed));
	/* Off: the hook gives no accumulator and nothing is read or counted. */
	h.cur = NULL;
	assert_null(kstat_begin(&h, &t0));
	assert_int_equal(t0, 0);
	assert_int_equal(kstat_read(&ks, KSTAT_PID_NEXT, false), N);
}

/* One /proc listing's leader walk; returns the leaders seen. */
static int list_leaders(const struct kernel *k)
{
	struct task *t;
	int pid, from = 0, n = 0;

	while ((pid = pid_store_next_leader(&k->pids, from, &t)) >= 0)
		from = pid + 1, n++;
	return n;
}

/* pid_next_leader's estimated ticks over @listings listings, 1 in 2^@log2 timed. */
static uint64_t listing_ticks(const struct kernel *k, struct kstat *ks,
			      unsigned log2, int listings)
{
	memset(ks, 0, sizeof(*ks));
	ks->sample_log2 = log2;
	for (int i = 0; i < listings; i++)
		list_leaders(k);
	return kstat_read(ks, KSTAT_PID_NEXT_LEADER, true);
}

/*
 * A heavy-tailed item: threads allocated after the processes make each
 * listing's last next_leader step skip all of them (idr has no leader
 * index), so that one call in ~25 carries most of the item's time.  The
 * sampled estimate must still match every call timed: a uniform 1-in-64
 * sampler times that call in one listing of 64 and reads ~20x low (or, in
 * the listing where it does, ~60x high).  Tolerance 2x either way, against
 * the smaller of two fully timed passes; the min of two sampled passes.
 */
static void test_sampled_heavy_tail_unbiased(void **state)
{
	static struct kstat ks;
	struct kstat_hook h = { .cur = fixed_cur, .arg = &ks };
	struct kernel_opts o = { .clock = fixed_clock, .seed = 7, .pidstore = "idr",
				 .kstat = &h };
	struct kernel k;
	enum { THREADS = 5000, LISTINGS = 8 };
	uint64_t full, sampled, a, b;
	int tid;

	(void)state;
	assert_int_equal(kernel_init(&k, &o), 0);
	assert_int_equal(populate(&k, NR_POPULATE), 0);
	world_write_lock(&k);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(do_clone_thread(&k, 1, &tid), 0);
	world_unlock(&k);
	assert_true(list_leaders(&k) > NR_POPULATE);	/* warm */
	a = listing_ticks(&k, &ks, 0, LISTINGS);
	sampled = listing_ticks(&k, &ks, 6, LISTINGS);
	b = listing_ticks(&k, &ks, 0, LISTINGS);
	full = a < b ? a : b;
	b = listing_ticks(&k, &ks, 6, LISTINGS);
	sampled = sampled < b ? sampled : b;
	assert_true(full > 0);
	if (sampled < full / 2 || sampled > full * 2)
		fail_msg("sampled %llu ticks against %llu every call timed",
			 (unsigned long long)sampled, (unsigned long long)full);
	kernel_destroy(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_known_sequence_counts, setup, teardown),
		cmocka_unit_test(test_sampled_heavy_tail_unbiased),
		cmocka_unit_test_setup_teardown(test_account_off_counts_requests_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_request_not_charged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_pid_enoent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_round_trip, setup, teardown),
		cmocka_unit_test(test_sampled_calls_counted_and_scaled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
