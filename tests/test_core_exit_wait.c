// SPDX-License-Identifier: MIT
/*
 * exit_group, zombies, wait4 and reparenting (kernel/exit.c): status
 * encoding, orphans to init, init reaping orphaned zombies, and the
 * errors, each of which must leave the world as it was.
 */
#include "core_test_util.h"

/* init -> a -> p: p has a parent that is not init, so it stays a zombie. */
struct fam {
	int a, p;
};

static struct fam fam(struct kernel *k)
{
	struct fam f;

	f.a = fork1(k, 1);
	f.p = fork1(k, f.a);
	return f;
}

static void test_exit_zombie_then_wait(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *a = find_task(k, f.a), *p = find_task(k, f.p), *t;
	unsigned long tasks = k->nr_tasks, procs = k->nr_processes;
	unsigned long exits = k->total_exits, used = k->pids.nr_used;
	int reaped = -1, status = -1;

	(void)state;
	assert_int_equal(do_exit(k, f.p, 3), 0);
	assert_ptr_equal(find_task(k, f.p), p);
	assert_int_equal(p->state, EXIT_ZOMBIE);
	assert_null(p->mm);
	assert_int_equal(p->exit_code, 0x0300);
	assert_int_equal(p->signal->group_exit_code, 0x0300);
	assert_true(p->flags & PF_EXITING);
	assert_ptr_equal(p->real_parent, a);
	assert_true(list_has_child(a, p));
	assert_int_equal(next_tgid(k, f.p, &t), f.p);	/* ps shows <defunct> */
	assert_int_equal(k->nr_tasks, tasks);
	assert_int_equal(k->nr_processes, procs);
	assert_true(k->total_exits > exits);
	check_world(k);

	assert_int_equal(do_wait(k, f.a, f.p, 0, &reaped, &status), 0);
	assert_int_equal(reaped, f.p);
	assert_int_equal(status, 0x0300);
	assert_null(find_task(k, f.p));
	assert_null(find_process(k, f.p));
	assert_false(list_has_child(a, p));
	assert_int_not_equal(next_tgid(k, f.p, &t), f.p);
	assert_int_equal(k->nr_tasks, tasks - 1);
	assert_int_equal(k->nr_processes, procs - 1);
	assert_int_equal(k->pids.nr_used, used - 1);
	/* nothing left to wait for */
	assert_int_equal(do_wait(k, f.a, -1, WNOHANG, &reaped, &status), -ECHILD);
	check_world(k);
	tk_free(tk);
}

/* (code & 0xff) << 8, as exit_group(2) encodes it. */
static void test_status_encoding(void **state)
{
	static const int codes[][2] = {
		{ 0, 0 }, { 1, 0x100 }, { 3, 0x300 }, { 42, 0x2a00 },
		{ 255, 0xff00 }, { 256 + 3, 0x300 }, { -1, 0xff00 },
	};
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), pid, reaped, status;

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid = fork1(k, a);
		assert_int_equal(do_exit(k, pid, codes[i][0]), 0);
		assert_int_equal(find_task(k, pid)->exit_code, codes[i][1]);
		status = -1;
		assert_int_equal(do_wait(k, a, pid, WNOHANG, &reaped, &status), 0);
		assert_int_equal(reaped, pid);
		if (status != codes[i][1])
			fail_msg("exit code %d: status %#x, want %#x",
				 codes[i][0], status, codes[i][1]);
	}
	tk_free(tk);
}

/* exit_group takes every thread; their pids go, the leader stays a zombie. */
static void test_exit_multithreaded(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *p;
	unsigned long tasks, used;
	int t1, t2;

	(void)state;
	t1 = clone1(k, f.p);
	t2 = clone1(k, f.p);
	tasks = k->nr_tasks;
	used = k->pids.nr_used;
	assert_int_equal(do_exit(k, f.p, 7), 0);
	p = find_task(k, f.p);
	assert_int_equal(p->state, EXIT_ZOMBIE);
	assert_null(p->mm);
	assert_null(find_task(k, t1));
	assert_null(find_task(k, t2));
	assert_int_equal(nr_thread_nodes(p), 1);
	assert_int_equal(k->nr_tasks, tasks - 2);
	assert_int_equal(k->pids.nr_used, used - 2);
	check_world(k);
	assert_int_equal(do_wait(k, f.a, -1, 0, &t1, &t2), 0);
	assert_int_equal(t1, f.p);
	assert_int_equal(t2, 0x0700);
	check_world(k);
	tk_free(tk);
}

/* Linux: exit_group from any thread ends the whole group. */
static void test_exit_via_thread_tid(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *p;
	int tid, reaped, status;

	(void)state;
	tid = clone1(k, f.p);
	assert_int_equal(do_exit(k, tid, 9), 0);
	assert_null(find_task(k, tid));
	p = find_task(k, f.p);
	assert_non_null(p);
	assert_int_equal(p->state, EXIT_ZOMBIE);
	assert_int_equal(p->exit_code, 0x0900);
	assert_int_equal(do_wait(k, f.a, f.p, 0, &reaped, &status), 0);
	assert_int_equal(status, 0x0900);
	check_world(k);
	tk_free(tk);
}

/* Live children of an exiting process go to init, grandchildren stay. */
static void test_reparent_to_init(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *init = k->init_task, *c1, *c2, *g, *p;
	int n;

	(void)state;
	c1 = find_task(k, fork1(k, f.p));
	c2 = find_task(k, fork1(k, f.p));
	g = find_task(k, fork1(k, c2->pid));
	c1->signal->pgrp = f.p;
	c1->signal->session = f.a;
	n = nr_children(init);
	assert_int_equal(do_exit(k, f.p, 0), 0);
	p = find_task(k, f.p);
	assert_non_null(p);
	assert_true(list_empty(&p->children));
	assert_ptr_equal(c1->real_parent, init);
	assert_ptr_equal(c1->parent, init);
	assert_ptr_equal(c2->real_parent, init);
	assert_ptr_equal(c2->parent, init);
	assert_true(list_has_child(init, c1));
	assert_true(list_has_child(init, c2));
	assert_int_equal(nr_children(init), n + 2);
	assert_ptr_equal(g->real_parent, c2);
	assert_true(list_has_child(c2, g));
	/* reparenting leaves the process group and session alone */
	assert_int_equal(c1->signal->pgrp, f.p);
	assert_int_equal(c1->signal->session, f.a);
	assert_true(c1->state == TASK_INTERRUPTIBLE || c1->state == TASK_RUNNING);
	/* the old parent, dead, cannot wait for them */
	assert_true(do_wait(k, f.p, c1->pid, WNOHANG, &n, &n) < 0);
	check_world(k);
	tk_free(tk);
}

/*
 * Reparenting moves every thread of a child group, not just its leader
 * (kernel/exit.c:forget_original_parent walks for_each_thread), so that no
 * thread keeps pointing at a parent that is later reaped.
 */
static void test_reparent_moves_threads(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *c, *t;
	int reaped, status;

	(void)state;
	c = find_task(k, fork1(k, f.p));
	t = find_task(k, clone1(k, c->pid));
	assert_ptr_equal(t->real_parent, c->real_parent);
	assert_int_equal(do_exit(k, f.p, 0), 0);
	assert_ptr_equal(c->real_parent, k->init_task);
	assert_ptr_equal(t->real_parent, k->init_task);
	assert_ptr_equal(t->parent, k->init_task);
	assert_int_equal(do_wait(k, f.a, f.p, 0, &reaped, &status), 0);
	check_world(k);
	tk_free(tk);
}

/* Zombie children of an exiting process are reaped by init at once. */
static void test_init_reaps_orphaned_zombies(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *live;
	unsigned long tasks, procs, used;
	int z1, z2, zt;

	(void)state;
	z1 = fork1(k, f.p);
	z2 = fork1(k, f.p);
	zt = clone1(k, z2);
	live = find_task(k, fork1(k, f.p));
	assert_int_equal(do_exit(k, z1, 1), 0);
	assert_int_equal(do_exit(k, z2, 2), 0);
	assert_null(find_task(k, zt));
	assert_int_equal(find_task(k, z1)->state, EXIT_ZOMBIE);
	tasks = k->nr_tasks;
	procs = k->nr_processes;
	used = k->pids.nr_used;
	assert_int_equal(do_exit(k, f.p, 0), 0);
	assert_null(find_task(k, z1));
	assert_null(find_task(k, z2));
	assert_ptr_equal(live->real_parent, k->init_task);
	assert_int_equal(k->nr_tasks, tasks - 2);
	assert_int_equal(k->nr_processes, procs - 2);
	assert_int_equal(k->pids.nr_used, used - 2);
	check_world(k);
	/*
	 * A reparented child that exits later is init's to reap: either it
	 * is gone already or init's wait finds it.
	 */
	int lpid = live->pid, reaped = 0, status = -1;

	assert_int_equal(do_exit(k, lpid, 5), 0);
	if (find_task(k, lpid)) {
		assert_int_equal(do_wait(k, 1, lpid, WNOHANG, &reaped, &status), 0);
		assert_int_equal(reaped, lpid);
		assert_int_equal(status, 0x0500);
	}
	assert_null(find_task(k, lpid));
	check_world(k);
	tk_free(tk);
}

/* Linux: orphans go to the nearest child-subreaper ancestor, not init. */
static void test_reparent_to_subreaper(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *a = find_task(k, f.a), *c;

	(void)state;
	a->signal->is_child_subreaper = true;
	c = find_task(k, fork1(k, f.p));
	assert_int_equal(do_exit(k, f.p, 0), 0);
	assert_ptr_equal(c->real_parent, a);
	assert_true(list_has_child(a, c));
	assert_false(list_has_child(k->init_task, c));
	check_world(k);
	tk_free(tk);
}

/* wait(-1): zombies in children-list order, then WNOHANG 0, then ECHILD. */
static void test_wait_any(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int a, c1, c2, c3, reaped, status;
	char *before;

	(void)state;
	a = fork1(k, 1);
	c1 = fork1(k, a);
	c2 = fork1(k, a);
	c3 = fork1(k, a);
	assert_int_equal(do_exit(k, c3, 33), 0);
	assert_int_equal(do_exit(k, c2, 22), 0);
	/* nothing changes for a waiter that finds no zombie it may have */
	before = world_dump(k);
	assert_int_equal(do_wait(k, a, c1, WNOHANG, &reaped, &status), 0);
	assert_int_equal(reaped, 0);
	assert_int_equal(do_wait(k, a, c1, 0, &reaped, &status), -EAGAIN);
	assert_world_same(k, before);
	free(before);

	assert_int_equal(do_wait(k, a, -1, WNOHANG, &reaped, &status), 0);
	assert_int_equal(reaped, c2);		/* first in a's children */
	assert_int_equal(status, 22 << 8);
	assert_int_equal(do_wait(k, a, -1, 0, &reaped, &status), 0);
	assert_int_equal(reaped, c3);
	assert_int_equal(status, 33 << 8);
	before = world_dump(k);
	reaped = -1;
	assert_int_equal(do_wait(k, a, -1, WNOHANG, &reaped, &status), 0);
	assert_int_equal(reaped, 0);
	assert_int_equal(do_wait(k, a, -1, 0, &reaped, &status), -EAGAIN);
	assert_world_same(k, before);
	free(before);
	assert_int_equal(do_exit(k, c1, 0), 0);
	assert_int_equal(do_wait(k, a, -1, 0, &reaped, &status), 0);
	assert_int_equal(reaped, c1);
	assert_int_equal(status, 0);
	before = world_dump(k);
	assert_int_equal(do_wait(k, a, -1, 0, &reaped, &status), -ECHILD);
	assert_int_equal(do_wait(k, a, -1, WNOHANG, &reaped, &status), -ECHILD);
	assert_world_same(k, before);
	free(before);
	check_world(k);
	tk_free(tk);
}

static void test_wait_errors(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	int sib, g, reaped, status, lonely;
	char *before;

	(void)state;
	sib = fork1(k, f.a);
	g = fork1(k, f.p);
	assert_int_equal(do_exit(k, g, 1), 0);		/* a's grandchild */
	assert_int_equal(do_exit(k, sib, 1), 0);	/* p's sibling */
	lonely = fork1(k, 1);
	before = world_dump(k);
	assert_int_equal(do_wait(k, 99999, -1, 0, &reaped, &status), -ESRCH);
	assert_int_equal(do_wait(k, 99999, -1, WNOHANG, &reaped, &status),
			 -ESRCH);
	/* not a child: ECHILD, zombie or not, whatever WNOHANG says */
	assert_int_equal(do_wait(k, f.a, g, WNOHANG, &reaped, &status), -ECHILD);
	assert_int_equal(do_wait(k, f.a, g, 0, &reaped, &status), -ECHILD);
	assert_int_equal(do_wait(k, f.p, sib, 0, &reaped, &status), -ECHILD);
	assert_int_equal(do_wait(k, f.p, f.a, 0, &reaped, &status), -ECHILD);
	assert_int_equal(do_wait(k, f.p, f.p, 0, &reaped, &status), -ECHILD);
	/* no such pid to wait for: ECHILD too (wait4 says so) */
	assert_int_equal(do_wait(k, f.a, 99999, 0, &reaped, &status), -ECHILD);
	/* no children at all */
	assert_int_equal(do_wait(k, lonely, -1, 0, &reaped, &status), -ECHILD);
	assert_int_equal(do_wait(k, lonely, -1, WNOHANG, &reaped, &status),
			 -ECHILD);
	/* a live child, blocking: nothing will wake us */
	assert_int_equal(do_wait(k, f.a, f.p, 0, &reaped, &status), -EAGAIN);
	assert_world_same(k, before);
	free(before);
	check_world(k);
	tk_free(tk);
}

static void test_exit_errors(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	char *before;

	(void)state;
	assert_int_equal(do_exit(k, f.p, 0), 0);
	before = world_dump(k);
	assert_int_equal(do_exit(k, 1, 0), -EPERM);
	assert_int_equal(do_exit(k, 2, 0), -EPERM);
	assert_int_equal(do_exit(k, 99999, 0), -ESRCH);
	assert_true(do_exit(k, 0, 0) < 0);
	assert_true(do_exit(k, -3, 0) < 0);
	assert_world_same(k, before);
	/* a zombie cannot die twice */
	assert_true(do_exit(k, f.p, 5) < 0);
	assert_world_same(k, before);
	assert_int_equal(find_task(k, f.p)->exit_code, 0);
	free(before);
	assert_non_null(find_task(k, 1));
	assert_non_null(find_task(k, 2));
	check_world(k);
	tk_free(tk);
}

/* wait adds the child's times (and its reaped children's) to cutime. */
static void test_wait_accumulates_times(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct fam f = fam(k);
	struct task *a = find_task(k, f.a), *p = find_task(k, f.p);
	unsigned long cut = a->signal->cutime, cst = a->signal->cstime;
	int reaped, status;

	(void)state;
	p->utime = 10;
	p->stime = 5;
	p->signal->cutime = 7;
	p->signal->cstime = 3;
	assert_int_equal(do_exit(k, f.p, 0), 0);
	assert_int_equal(do_wait(k, f.a, f.p, 0, &reaped, &status), 0);
	assert_int_equal(a->signal->cutime, cut + 17);
	assert_int_equal(a->signal->cstime, cst + 8);
	tk_free(tk);
}

/* A long random life: fork, clone, exit, wait, checking invariants. */
static void test_random_life(void **state)
{
	struct tk *tk = tk_new_pidmax(1000);
	struct kernel *k = &tk->k;
	uint64_t x = 0x1234567;
	int reaped, status, pid, rc;

	(void)state;
	for (int step = 0; step < 3000; step++) {
		struct task *t;
		int pick, op;
		bool zombie;
		char *before;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		op = (int)(x % 100);
		pick = 1 + (int)((x >> 20) % 999);
		pid = next_tgid(k, pick, &t);
		if (pid < 0)
			pid = next_tgid(k, 1, &t);
		if (task_is_kthread(t) && op < 70)
			continue;	/* kthreads' fork/exit: unspecified */
		zombie = t->state == EXIT_ZOMBIE;
		before = NULL;
		if (step % 50 == 0) {
			check_world(k);	/* before the dump follows pointers */
			before = world_dump(k);
		}
		reaped = -1;
		if (op < 35) {
			int n = 1 + (int)((x >> 40) % 3), pids[3];

			rc = do_fork(k, pid, n, pids);
			if (zombie)
				assert_true(rc < 0);
			else if (rc)
				assert_int_equal(rc, -EAGAIN);
		} else if (op < 45) {
			rc = do_clone_thread(k, pid, &reaped);
			if (zombie)
				assert_true(rc < 0);
			else if (rc)
				assert_int_equal(rc, -EAGAIN);
		} else if (op < 70) {
			rc = do_exit(k, pid, op);
			if (pid <= 2)
				assert_int_equal(rc, -EPERM);
			else if (zombie)
				assert_true(rc < 0);
			else
				assert_int_equal(rc, 0);
		} else {
			if (op >= 90) {		/* init collects too */
				pid = 1;
				zombie = false;
			}
			rc = do_wait(k, pid, -1, op < 85 ? WNOHANG : 0,
				     &reaped, &status);
			if (zombie)	/* a dead waiter */
				assert_true(rc < 0);
			else
				assert_true(rc == 0 || rc == -ECHILD ||
					    rc == -EAGAIN);
			if (rc == 0 && reaped)
				assert_null(find_task(k, reaped));
		}
		/* failures, and a WNOHANG wait that found nothing, change nothing */
		if (before && (rc < 0 || (op >= 70 && reaped == 0)))
			assert_world_same(k, before);
		free(before);
	}
	check_world(k);
	tk_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_zombie_then_wait),
		cmocka_unit_test(test_status_encoding),
		cmocka_unit_test(test_exit_multithreaded),
		cmocka_unit_test(test_exit_via_thread_tid),
		cmocka_unit_test(test_reparent_to_init),
		cmocka_unit_test(test_reparent_moves_threads),
		cmocka_unit_test(test_init_reaps_orphaned_zombies),
		cmocka_unit_test(test_reparent_to_subreaper),
		cmocka_unit_test(test_wait_any),
		cmocka_unit_test(test_wait_errors),
		cmocka_unit_test(test_exit_errors),
		cmocka_unit_test(test_wait_accumulates_times),
		cmocka_unit_test(test_random_life),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
