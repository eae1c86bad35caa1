// SPDX-License-Identifier: MIT
/*
 * Task watchers: one set of tests run against every mechanism (table,
 * chain, direct): the same watchers in the same order, fork failure
 * rolled back with nothing leaked, the events and the id changes.
 */
#include "core_test_util.h"
#include "event_ring.h"
#include "task_alloc.h"
#include "watchers.h"

static const char *const fork_order[] = { "acct", "keys", "fault", "audit", "cnproc" };
static const char *const exec_order[] = { "audit", "cnproc" };
static const char *const exit_order[] = { "acct", "keys", "audit", "cnproc" };

static struct tk *tk_mech(void **state)
{
	struct kernel_opts o;

	memset(&o, 0, sizeof(o));
	o.watchers = *state;
	return tk_new(&o);
}

static void assert_trace(const struct watch_trace *tr, const char *const *want,
			 int n)
{
	assert_int_equal(tr->n, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(tr->call[i], want[i]);
}

#define ARRAY_SIZE(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The table is what the linker built: sorted by order, names as expected. */
static void test_table_sorted(void **state)
{
	static const char *const *want[] = { fork_order, exec_order, exec_order, exit_order };
	static const int nwant[] = { ARRAY_SIZE(fork_order), ARRAY_SIZE(exec_order),
				     ARRAY_SIZE(exec_order), ARRAY_SIZE(exit_order) };

	(void)state;
	for (int ev = 0; ev < WATCH_NR_EVENTS; ev++) {
		size_t n;
		const struct task_watcher *w = watch_table(ev, &n);

		assert_int_equal(n, nwant[ev]);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(w[i].name, want[ev][i]);
			if (i)
				assert_true(w[i - 1].order < w[i].order);
		}
	}
}

/* The tables live in a mapping the process cannot write. */
static void test_table_readonly(void **state)
{
	uintptr_t a = (uintptr_t)watch_table(WATCH_FORK, &(size_t){ 0 });
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perms[8];
	bool found = false;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
		    a >= lo && a < hi) {
			found = true;
			assert_int_equal(perms[1], '-');
		}
	}
	fclose(f);
	assert_true(found);
}

static void test_unknown_mechanism(void **state)
{
	struct kernel k;
	struct kernel_opts o = { .watchers = "list" };

	(void)state;
	assert_int_equal(kernel_init(&k, &o), -EINVAL);
	assert_non_null(watch_find_ops("table"));
	assert_null(watch_find_ops("Table"));
}

/* Fork, exec, setuid, exit: every mechanism calls the same, in order. */
static void test_call_order(void **state)
{
	struct tk *tk = tk_mech(state);
	struct kernel *k = &tk->k;
	struct watch_trace tr = { .n = 0 };
	char *argv[] = { "ls", NULL };
	int pid = fork1(k, 1), tid = clone1(k, pid);
	static const char *const exec_with_thread[] = {
		"acct", "keys", "audit", "cnproc", "audit", "cnproc" };

	assert_string_equal(k->watch->name, *state);
	k->watch_trace = &tr;
	fork1(k, pid);
	assert_trace(&tr, fork_order, ARRAY_SIZE(fork_order));
	tr.n = 0;
	/* exec kills the other thread first: its exit watchers, then exec's. */
	assert_int_equal(do_execve(k, tid, NULL, 1, argv), 0);
	assert_trace(&tr, exec_with_thread, ARRAY_SIZE(exec_with_thread));
	tr.n = 0;
	assert_int_equal(do_setuid(k, pid, 1000), 0);
	assert_trace(&tr, exec_order, ARRAY_SIZE(exec_order));
	tr.n = 0;
	assert_int_equal(do_exit(k, pid, 3), 0);
	assert_trace(&tr, exit_order, ARRAY_SIZE(exit_order));
	k->watch_trace = NULL;
	check_world(k);
	tk_free(tk);
}

struct counters {
	unsigned long forks, keys;
	uint64_t audit, cnproc;
};

static struct counters counters(const struct kernel *k)
{
	return (struct counters){ k->total_forks, k->nr_keys,
				  audit_ring(k)->head, cnproc_ring(k)->head };
}

static void assert_counters_same(struct counters a, struct counters b)
{
	assert_int_equal(a.forks, b.forks);
	assert_int_equal(a.keys, b.keys);
	assert_int_equal(a.audit, b.audit);
	assert_int_equal(a.cnproc, b.cnproc);
}

/* A failing fork watcher: the ones that ran are undone, newest first. */
static void test_fork_failure_rollback(void **state)
{
	struct tk *tk = tk_mech(state);
	struct kernel *k = &tk->k;
	struct watch_trace tr = { .n = 0 };
	static const char *const undo[] = { "acct", "keys", "fault", "-keys", "-acct" };
	int pid, pids[4];
	struct counters c0;
	char *before;

	assert_int_equal(populate(k, 30), 0);
	pid = fork1(k, 1);
	clone1(k, pid);
	before = world_dump(k);
	c0 = counters(k);
	k->watch_trace = &tr;
	k->watch_fail_fork = 1;
	assert_int_equal(do_fork(k, pid, 1, pids), -ENOMEM);
	assert_trace(&tr, undo, ARRAY_SIZE(undo));
	assert_world_same(k, before);
	assert_counters_same(counters(k), c0);

	/* The third of three fails: the two made are taken back whole. */
	tr.n = 0;
	k->watch_fail_fork = 3;
	assert_int_equal(do_fork(k, pid, 3, pids), -ENOMEM);
	assert_int_equal(tr.n, 2 * 5 + 5 + 2 * 4);
	assert_string_equal(tr.call[tr.n - 1], "-acct");
	assert_string_equal(tr.call[tr.n - 4], "-cnproc");
	assert_world_same(k, before);
	assert_counters_same(counters(k), c0);

	/* A thread's fork fails the same way. */
	k->watch_fail_fork = 1;
	assert_int_equal(do_clone_thread(k, pid, pids), -ENOMEM);
	assert_world_same(k, before);
	assert_counters_same(counters(k), c0);
	k->watch_trace = NULL;

	/* The hook is spent: the next fork works and is counted. */
	fork1(k, pid);
	assert_int_equal(k->total_forks, c0.forks + 1);
	assert_int_equal(k->nr_keys, c0.keys + 1);
	check_world(k);
	free(before);
	tk_free(tk);
}

/* Every task that has not exited holds exactly one keyring. */
static unsigned long live_tasks(const struct kernel *k)
{
	unsigned long n = 0;
	struct task *t;

	for (int pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		assert_true((t->keys != NULL) == (t->state != EXIT_ZOMBIE && t->pid != 1));
		n += t->keys != NULL;
	}
	return n;
}

static void test_keys_no_leak(void **state)
{
	struct tk *tk = tk_mech(state);
	struct kernel *k = &tk->k;
	char *argv[] = { "sh", NULL };
	unsigned long keys0;
	int i, reaped, status;

	assert_int_equal(populate(k, 40), 0);
	keys0 = k->nr_keys;
	assert_int_equal(keys0, live_tasks(k));
	for (i = 0; i < 50; i++) {
		int pid = fork1(k, 1), child = fork1(k, pid);

		clone1(k, pid);
		clone1(k, child);
		if (i % 2)
			assert_int_equal(do_execve(k, child, NULL, 1, argv), 0);
		assert_int_equal(do_exit(k, pid, 0), 0);	/* child to init */
		assert_int_equal(do_exit(k, child, 0), 0);	/* init reaps it */
		assert_int_equal(do_wait(k, 1, pid, 0, &reaped, &status), 0);
		assert_int_equal(k->nr_keys, live_tasks(k));
	}
	assert_int_equal(k->nr_keys, keys0);
	/* Exit added the final voluntary switch to a fresh child's zero. */
	{
		int pid = fork1(k, 1);

		assert_int_equal(find_task(k, pid)->nvcsw, 0);
		assert_int_equal(do_exit(k, pid, 0), 0);
		assert_int_equal(find_task(k, pid)->nvcsw, 1);
	}
	tk_free(tk);
}

/* The connector sees each event with its fields, in sequence. */
static void test_events(void **state)
{
	struct tk *tk = tk_mech(state);
	struct kernel *k = &tk->k;
	const struct event_ring *r = cnproc_ring(k);
	uint64_t pos = r->head + 1, lost;
	struct task_event e;
	char *argv[] = { "/usr/bin/ls", "-l", NULL };
	int pid = fork1(k, 1);

	assert_int_equal(do_execve(k, pid, NULL, 2, argv), 0);
	assert_int_equal(do_setuid(k, pid, 1000), 0);
	assert_int_equal(do_setgid(k, pid, 100), 0);
	assert_int_equal(do_exit(k, pid, 7), 0);

	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 1);
	assert_int_equal(lost, 0);
	assert_int_equal(e.event, WATCH_FORK);
	assert_int_equal(e.pid, pid);
	assert_int_equal(e.ppid, 1);
	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 1);
	assert_int_equal(e.event, WATCH_EXEC);
	assert_string_equal(e.comm, "ls");
	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 1);
	assert_int_equal(e.event, WATCH_ID);
	assert_false(e.gid);
	assert_int_equal(e.old_id, 0);
	assert_int_equal(e.new_id, 1000);
	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 1);
	assert_int_equal(e.event, WATCH_ID);
	assert_true(e.gid);
	assert_int_equal(e.new_id, 100);
	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 1);
	assert_int_equal(e.event, WATCH_EXIT);
	assert_int_equal(e.code, 7 << 8);
	assert_int_equal(e.seq + 1, pos);
	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 0);
	tk_free(tk);
}

/* A reader more than a ring behind is told exactly how many it lost. */
static void test_events_overflow(void **state)
{
	struct tk *tk = tk_mech(state);
	struct kernel *k = &tk->k;
	const struct event_ring *r = cnproc_ring(k);
	uint64_t pos = r->head + 1, start = pos, lost;
	struct task_event e;
	int pid = fork1(k, 1);
	int *pids = malloc(sizeof(int) * r->cap);

	assert_non_null(pids);
	assert_int_equal(do_fork(k, pid, (int)r->cap, pids), 0);
	/* 1 + cap forks since start: the first one fell off. */
	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 1);
	assert_int_equal(lost, 1);
	assert_int_equal(e.seq, start + 1);
	assert_int_equal(e.pid, pids[0]);

	/* A rolled-back fork after a wrap leaves no stale event behind. */
	pos = r->head + 1;
	k->watch_fail_fork = 2;
	assert_int_equal(do_fork(k, pid, 2, pids), -ENOMEM);
	assert_int_equal(event_ring_read(r, &pos, &e, &lost), 0);
	assert_true(event_ring_first(r) > start + 1);
	free(pids);
	tk_free(tk);
}

static void test_setid(void **state)
{
	struct tk *tk = tk_mech(state);
	struct kernel *k = &tk->k;
	int pid = fork1(k, 1), tid = clone1(k, pid);
	char *before;

	assert_int_equal(do_setuid(k, tid, 1000), 0);	/* any thread: the process */
	assert_int_equal(find_task(k, pid)->cred.euid, 1000);
	assert_int_equal(find_task(k, tid)->cred.fsuid, 1000);
	assert_int_equal(find_task(k, tid)->cred.gid, 0);
	assert_int_equal(do_setgid(k, pid, 4294967294ULL), 0);
	assert_int_equal(find_task(k, tid)->cred.sgid, 4294967294U);

	before = world_dump(k);
	assert_int_equal(do_setuid(k, 99999, 1), -ESRCH);
	assert_int_equal(do_setuid(k, pid, 4294967295ULL), -EINVAL);
	assert_int_equal(do_setgid(k, 2, 5), -EPERM);
	assert_int_equal(do_exit(k, pid, 0), 0);
	free(before);
	before = world_dump(k);
	assert_int_equal(do_setuid(k, pid, 5), -ESRCH);	/* a zombie */
	assert_world_same(k, before);
	free(before);
	tk_free(tk);
}

/* "none" calls nothing: the baseline of the benchmark. */
static void test_none(void **state)
{
	struct kernel_opts o = { .watchers = "none" };
	struct tk *tk = tk_new(&o);
	struct counters c0 = counters(&tk->k);

	(void)state;
	fork1(&tk->k, 1);
	assert_counters_same(counters(&tk->k), c0);
	tk_free(tk);
}

/* A reset keeps the event rings, so a reader keeps its place. */
static void test_reset_keeps_events(void **state)
{
	struct tk *tk = tk_mech(state);
	struct kernel *k = &tk->k;
	const struct event_ring *r = cnproc_ring(k);
	uint64_t head;

	fork1(k, 1);
	head = r->head;
	assert_int_equal(kernel_reset(k), 0);
	assert_ptr_equal(cnproc_ring(k), r);
	assert_int_equal(r->head, head);
	assert_string_equal(k->watch->name, *state);
	fork1(k, 1);
	assert_int_equal(r->head, head + 1);
	tk_free(tk);
}

/* procs_blocked counts state D, through state changes and exits. */
static void test_nr_blocked(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), b = fork1(k, 1), tid = clone1(k, b);

	(void)state;
	assert_int_equal(k->nr_blocked, 0);
	set_task_state(k, find_task(k, a), TASK_UNINTERRUPTIBLE);
	set_task_state(k, find_task(k, tid), TASK_UNINTERRUPTIBLE);
	assert_int_equal(k->nr_blocked, 2);
	set_task_state(k, find_task(k, a), TASK_RUNNING);
	assert_int_equal(k->nr_blocked, 1);
	assert_int_equal(do_exit(k, b, 0), 0);		/* the D thread is released */
	assert_int_equal(k->nr_blocked, 0);
	tk_free(tk);
}

#define EACH_MECH(fn)						\
	cmocka_unit_test_prestate(fn, "table"),			\
	cmocka_unit_test_prestate(fn, "chain"),			\
	cmocka_unit_test_prestate(fn, "direct")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_table_readonly),
		cmocka_unit_test(test_unknown_mechanism),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_nr_blocked),
		EACH_MECH(test_call_order),
		EACH_MECH(test_fork_failure_rollback),
		EACH_MECH(test_keys_no_leak),
		EACH_MECH(test_events),
		EACH_MECH(test_events_overflow),
		EACH_MECH(test_setid),
		EACH_MECH(test_reset_keeps_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
