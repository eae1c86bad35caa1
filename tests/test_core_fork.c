// SPDX-License-Identifier: MIT
/*
 * Boot, fork (copy_process), clone(CLONE_THREAD), execve and the order in
 * which pids come out, against kernel.h and Linux.
 */
#include "core_test_util.h"
#include "watchers.h"

#define W	0x100000000UL

static char *mm_dump(const struct mm_struct *mm)
{
	struct sbuf b = { 0 };

	dump_mm(&b, mm);
	return b.p;
}

static int max_pid(const struct kernel *k)
{
	struct task *t;
	int pid, max = 0;

	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		max = pid;
	return max;
}

/* A process under init that the tests can make children of. */
static int make_proc(struct kernel *k)
{
	return fork1(k, 1);
}

static void test_boot(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *init, *kthreadd, *t;
	const struct vm_area_struct *v;
	int pid, n = 0, kthreads = 0;

	(void)state;
	check_world(k);
	init = find_task(k, 1);
	kthreadd = find_task(k, 2);
	assert_non_null(init);
	assert_non_null(kthreadd);
	assert_ptr_equal(k->init_task, init);
	assert_ptr_equal(k->kthreadd, kthreadd);
	assert_true(!strcmp(init->comm, "systemd") || !strcmp(init->comm, "init"));
	assert_string_equal(kthreadd->comm, "kthreadd");
	/* ppid 0: nobody, or the idle task */
	assert_true(!init->real_parent || init->real_parent->pid == 0);
	assert_true(!kthreadd->real_parent || kthreadd->real_parent->pid == 0);
	assert_false(task_is_kthread(init));
	assert_non_null(init->mm);
	assert_true(init->mm->args_len > 0);
	v = find_vma(init->mm, init->mm->start_stack);
	assert_non_null(v);
	assert_true(v->vm_start <= init->mm->start_stack);
	assert_true(task_is_kthread(kthreadd));
	assert_null(kthreadd->mm);
	assert_int_equal(init->signal->pgrp, 1);
	assert_int_equal(init->signal->session, 1);
	/* Boot pids are 1..n with no gap; kthreads hang under kthreadd. */
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		assert_int_equal(pid, ++n);
		assert_true(t->start_time <= TK_BOOT_TICKS);
		if (task_is_kthread(t) && pid != 2) {
			assert_ptr_equal(t->real_parent, kthreadd);
			assert_null(t->mm);
			kthreads++;
		}
	}
	assert_true(kthreads > 0);
	assert_int_equal(k->nr_tasks, n);
	assert_int_equal(k->nr_processes, count_leaders(k));
	tk_free(tk);
}

/* One child: everything copy_process copies or resets. */
static void test_fork_basic(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *p, *c;
	unsigned long out, tasks, procs, forks;
	char *pd, *cd;
	int ppid, pid = -1;

	(void)state;
	ppid = make_proc(k);
	p = find_task(k, ppid);
	assert_int_equal(do_mmap(k, ppid, W, 3 * PAGE_SIZE, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, &out), 0);
	p->cred.uid = p->cred.euid = 1000;
	p->cred.gid = 100;
	p->nice = 5;
	p->signal->pgrp = ppid;
	p->signal->session = ppid;
	p->utime = 77;
	p->minflt = 5;
	tasks = k->nr_tasks;
	procs = k->nr_processes;
	forks = k->total_forks;
	tk->now = 50000;

	assert_int_equal(do_fork(k, ppid, 1, &pid), 0);
	assert_int_equal(pid, ppid + 1);
	c = find_task(k, pid);
	assert_non_null(c);
	assert_int_equal(c->pid, pid);
	assert_int_equal(c->tgid, pid);
	assert_ptr_equal(c->group_leader, c);
	assert_ptr_equal(find_process(k, pid), c);
	assert_ptr_equal(c->real_parent, p);
	assert_ptr_equal(c->parent, p);
	assert_true(list_has_child(p, c));
	assert_true(list_empty(&c->children));
	assert_true(c->state == TASK_INTERRUPTIBLE || c->state == TASK_RUNNING);
	assert_string_equal(c->comm, p->comm);
	assert_ptr_not_equal(c->signal, p->signal);
	assert_int_equal(c->signal->nr_threads, 1);
	assert_int_equal(nr_thread_nodes(c), 1);
	assert_int_equal(c->signal->pgrp, ppid);
	assert_int_equal(c->signal->session, ppid);
	assert_int_equal(c->exit_signal, SIGCHLD);
	assert_int_equal(c->cred.uid, 1000);
	assert_int_equal(c->cred.euid, 1000);
	assert_int_equal(c->cred.gid, 100);
	assert_int_equal(c->nice, 5);
	assert_true(c->flags & PF_FORKNOEXEC);
	assert_false(c->flags & PF_KTHREAD);
	assert_int_equal(c->start_time, 50000);
	assert_int_equal(c->utime, 0);
	assert_int_equal(c->stime, 0);
	assert_int_equal(c->minflt, 0);
	assert_int_equal(c->majflt, 0);
	/* the mm: a copy, not a share */
	assert_non_null(c->mm);
	assert_ptr_not_equal(c->mm, p->mm);
	assert_int_equal(c->mm->users, 1);
	assert_int_equal(p->mm->users, 1);
	pd = mm_dump(p->mm);
	cd = mm_dump(c->mm);
	assert_string_equal(cd, pd);
	assert_ptr_not_equal(c->mm->args, p->mm->args);
	free(cd);
	/* and independent: unmapping in the child leaves the parent */
	assert_int_equal(do_munmap(k, pid, W, PAGE_SIZE), 0);
	cd = mm_dump(p->mm);
	assert_string_equal(cd, pd);
	free(cd);
	free(pd);
	assert_int_equal(k->nr_tasks, tasks + 1);
	assert_int_equal(k->nr_processes, procs + 1);
	assert_int_equal(k->total_forks, forks + 1);
	check_world(k);
	tk_free(tk);
}

/* do_fork(count): consecutive pids after the cursor, children in order. */
static void test_fork_many_order(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *p, *c;
	int ppid, pids[8], top, i;
	uint64_t gen;

	(void)state;
	ppid = make_proc(k);
	fork1(k, ppid);
	top = max_pid(k);
	assert_int_equal(k->pids.last_pid, top);
	gen = k->gen;
	assert_int_equal(do_fork(k, ppid, 8, pids), 0);
	assert_true(k->gen != gen);
	for (i = 0; i < 8; i++)
		assert_int_equal(pids[i], top + 1 + i);
	p = find_task(k, ppid);
	assert_int_equal(nr_children(p), 9);
	/* list_add_tail: the new ones are the last eight, in pid order */
	i = -1;
	list_for_each_entry(c, &p->children, sibling) {
		if (i >= 0)
			assert_int_equal(c->pid, pids[i]);
		i++;
	}
	assert_int_equal(i, 8);
	/* each got its own mm */
	for (i = 0; i < 8; i++)
		for (int j = i + 1; j < 8; j++)
			assert_ptr_not_equal(find_task(k, pids[i])->mm,
					     find_task(k, pids[j])->mm);
	/* grandchildren: parent is the forking task, not its parent */
	assert_int_equal(do_fork(k, pids[3], 2, pids), 0);
	assert_int_equal(pids[0], top + 9);
	assert_int_equal(find_task(k, pids[0])->real_parent->pid, top + 4);
	assert_int_equal(find_task(k, pids[1])->real_parent->pid, top + 4);
	check_world(k);
	tk_free(tk);
}

/* fork copies only the calling thread (POSIX), not the others. */
static void test_fork_multithreaded_parent(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *c;
	int ppid, pid;

	(void)state;
	ppid = make_proc(k);
	clone1(k, ppid);
	clone1(k, ppid);
	assert_int_equal(find_task(k, ppid)->signal->nr_threads, 3);
	assert_int_equal(find_task(k, ppid)->mm->users, 3);
	pid = fork1(k, ppid);
	c = find_task(k, pid);
	assert_int_equal(c->signal->nr_threads, 1);
	assert_int_equal(nr_thread_nodes(c), 1);
	assert_int_equal(c->mm->users, 1);
	assert_ptr_not_equal(c->mm, find_task(k, ppid)->mm);
	assert_int_equal(find_task(k, ppid)->mm->users, 3);
	check_world(k);
	tk_free(tk);
}

static void test_fork_errors(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int a, z, pids[4] = { 0 };
	char *before;

	(void)state;
	a = make_proc(k);
	z = fork1(k, a);
	assert_int_equal(do_exit(k, z, 0), 0);		/* a zombie of a */
	assert_int_equal(find_task(k, z)->state, EXIT_ZOMBIE);
	before = world_dump(k);
	assert_int_equal(do_fork(k, 99999, 1, pids), -ESRCH);
	assert_true(do_fork(k, 0, 1, pids) < 0);
	assert_true(do_fork(k, -5, 1, pids) < 0);
	assert_world_same(k, before);
	assert_true(do_fork(k, a, -1, pids) < 0);
	assert_world_same(k, before);
	/* a zombie cannot fork */
	assert_true(do_fork(k, z, 1, pids) < 0);
	assert_world_same(k, before);
	/* and the dump does see a fork that succeeds */
	fork1(k, a);
	char *after = world_dump(k);

	assert_string_not_equal(after, before);
	free(after);
	free(before);
	check_world(k);
	tk_free(tk);
}

/*
 * More children than free pids: -EAGAIN and no trace.  The cursor after a
 * failed fork is unspecified, so afterwards only the pids >= RESERVED_PIDS
 * are sure to be reachable; those must all still be there.
 */
static void test_fork_eagain_all_or_nothing(void **state)
{
	struct tk *tk = tk_new_pidmax(1000);
	struct kernel *k = &tk->k;
	int a, nfree, *pids, one, n;
	char *before;

	(void)state;
	assert_int_equal(k->pids.pid_max, 1000);
	a = make_proc(k);
	assert_true(k->pids.last_pid < RESERVED_PIDS);
	nfree = free_pids_nowrap(k);
	assert_true(nfree > 700);
	pids = calloc((size_t)nfree + 500, sizeof(int));
	assert_non_null(pids);
	before = world_dump(k);
	assert_int_equal(do_fork(k, a, nfree + 1, pids), -EAGAIN);
	assert_world_same(k, before);
	check_world(k);
	assert_int_equal(do_fork(k, a, nfree + 500, pids), -EAGAIN);
	assert_world_same(k, before);
	assert_int_equal(do_fork(k, a, 100000, pids), -EAGAIN);
	assert_world_same(k, before);
	free(before);
	/* nothing leaked: the 700 pids in [300, 1000) can all be had */
	assert_int_equal(do_fork(k, a, 700, pids), 0);
	for (int i = 0; i < 700; i++)
		assert_non_null(find_task(k, pids[i]));
	assert_int_equal(nr_children(find_task(k, a)), 700);
	/* take whatever is left, then nothing more */
	for (n = 0; n < 1000 && do_fork(k, a, 1, &one) == 0; n++)
		;
	assert_true(n <= nfree - 700);
	before = world_dump(k);
	assert_int_equal(do_fork(k, a, 1, &one), -EAGAIN);
	assert_int_equal(do_clone_thread(k, a, &one), -EAGAIN);
	assert_world_same(k, before);
	free(before);
	free(pids);
	check_world(k);
	tk_free(tk);
}

/*
 * A fork that must fail fails fast: more children than pids below pid_max
 * makes no child to take back, so no fork watcher runs (a ctl "fork 1
 * 1000000" held the write lock for 1.7 s doing that).  A lowered pid_max
 * still lets the pids below it be had.
 */
static void test_fork_fails_fast(void **state)
{
	struct tk *tk = tk_new_pidmax(1000);
	struct kernel *k = &tk->k;
	struct watch_trace tr = { .n = 0 };
	int a, *pids = calloc(1000, sizeof(int));
	char *before;

	(void)state;
	assert_non_null(pids);
	a = make_proc(k);
	before = world_dump(k);
	k->watch_trace = &tr;
	assert_int_equal(do_fork(k, a, 1000, pids), -EAGAIN);
	assert_int_equal(do_fork(k, a, 1000000, pids), -EAGAIN);
	assert_int_equal(tr.n, 0);
	k->watch_trace = NULL;
	assert_world_same(k, before);
	free(before);
	/* pids above a lowered pid_max do not count against the room */
	assert_int_equal(do_fork(k, a, 400, pids), 0);
	assert_int_equal(kernel_set_pid_max(k, 500), 0);
	assert_int_equal(do_fork(k, a, 10, pids), 0);
	check_world(k);
	free(pids);
	tk_free(tk);
}

/* Exactly as many children as free pids: all of them, in one call. */
static void test_fork_exactly_free(void **state)
{
	struct tk *tk = tk_new_pidmax(1000);
	struct kernel *k = &tk->k;
	int a, nfree, *pids, one;

	(void)state;
	a = make_proc(k);
	nfree = free_pids_nowrap(k);
	pids = calloc((size_t)nfree, sizeof(int));
	assert_non_null(pids);
	assert_int_equal(do_fork(k, a, nfree, pids), 0);
	for (int i = 0; i < nfree; i++)
		assert_int_equal(pids[i], a + 1 + i);
	assert_int_equal(pids[nfree - 1], 999);
	assert_int_equal(k->pids.nr_used, 999);
	assert_int_equal(do_fork(k, a, 1, &one), -EAGAIN);
	free(pids);
	check_world(k);
	tk_free(tk);
}

/*
 * Pid order through the kernel: a reaped pid is not reused before the
 * wrap; at pid_max the search restarts at RESERVED_PIDS; pids under it
 * never come back.
 */
static void test_pid_order_wrap(void **state)
{
	struct tk *tk = tk_new_pidmax(1000);
	struct kernel *k = &tk->k;
	int a, x, y, reaped, status, nfree, *pids, low = -1;

	(void)state;
	a = make_proc(k);
	x = fork1(k, a);
	assert_int_equal(do_exit(k, x, 0), 0);
	assert_int_equal(do_wait(k, a, x, 0, &reaped, &status), 0);
	assert_int_equal(reaped, x);
	assert_null(find_task(k, x));
	y = fork1(k, a);
	assert_int_equal(y, x + 1);		/* not x again */
	/* x is free but below the cursor; fill everything above */
	nfree = free_pids_nowrap(k) - 1;
	pids = calloc((size_t)nfree, sizeof(int));
	assert_non_null(pids);
	assert_int_equal(do_fork(k, a, nfree, pids), 0);
	assert_int_equal(pids[nfree - 1], 999);
	for (int i = 0; i < nfree; i++)
		if (pids[i] < 300) {
			low = pids[i];
			break;
		}
	/* free 500 and one pid under 300 */
	assert_int_equal(do_exit(k, 500, 0), 0);
	assert_int_equal(do_wait(k, a, 500, 0, &reaped, &status), 0);
	if (low > 0) {
		assert_int_equal(do_exit(k, low, 0), 0);
		assert_int_equal(do_wait(k, a, low, 0, &reaped, &status), 0);
	}
	if (x >= 300) {
		assert_int_equal(fork1(k, a), x);	/* the wrap finds x first */
	}
	assert_int_equal(fork1(k, a), 500);
	assert_int_equal(do_fork(k, a, 1, &y), -EAGAIN);
	if (low > 0)
		assert_null(find_task(k, low));
	free(pids);
	check_world(k);
	tk_free(tk);
}

static void test_clone_thread(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *p, *t, *th;
	unsigned long tasks, procs, forks;
	int pid, tid = -1, tid2, n;

	(void)state;
	pid = make_proc(k);
	p = find_task(k, pid);
	tasks = k->nr_tasks;
	procs = k->nr_processes;
	forks = k->total_forks;
	n = nr_children(k->init_task);
	tk->now = 777;
	assert_int_equal(do_clone_thread(k, pid, &tid), 0);
	assert_int_equal(tid, pid + 1);
	t = find_task(k, tid);
	assert_non_null(t);
	assert_int_equal(t->pid, tid);
	assert_int_equal(t->tgid, pid);
	assert_false(thread_group_leader(t));
	assert_ptr_equal(t->group_leader, p);
	assert_ptr_equal(t->mm, p->mm);
	assert_int_equal(p->mm->users, 2);
	assert_ptr_equal(t->signal, p->signal);
	assert_int_equal(p->signal->nr_threads, 2);
	assert_string_equal(t->comm, p->comm);
	assert_int_equal(t->exit_signal, -1);
	assert_int_equal(t->start_time, 777);
	/* CLONE_THREAD: the thread's parent is the leader's parent */
	assert_ptr_equal(t->real_parent, p->real_parent);
	/* threads are not children of anyone */
	assert_false(list_has_child(p, t));
	assert_false(list_has_child(k->init_task, t));
	assert_int_equal(nr_children(k->init_task), n);
	/* in the thread list after the leader */
	th = list_first_entry(&p->signal->thread_head, struct task, thread_node);
	assert_ptr_equal(th, p);
	th = list_entry(p->thread_node.next, struct task, thread_node);
	assert_ptr_equal(th, t);
	/* hidden from next_tgid, found by find_task / find_process */
	assert_int_not_equal(next_tgid(k, tid, &th), tid);
	assert_int_equal(next_tgid(k, pid, &th), pid);
	assert_int_equal(next_tgid(k, pid + 1, &th), -1);
	assert_ptr_equal(find_process(k, tid), p);
	assert_int_equal(k->nr_tasks, tasks + 1);
	assert_int_equal(k->nr_processes, procs);
	assert_int_equal(k->total_forks, forks + 1);	/* as Linux counts */
	/* a clone through a thread's tid joins the same group, at the tail */
	assert_int_equal(do_clone_thread(k, tid, &tid2), 0);
	th = find_task(k, tid2);
	assert_int_equal(th->tgid, pid);
	assert_ptr_equal(th->group_leader, p);
	assert_int_equal(p->signal->nr_threads, 3);
	assert_int_equal(p->mm->users, 3);
	th = list_entry(p->signal->thread_head.prev, struct task, thread_node);
	assert_int_equal(th->pid, tid2);
	check_world(k);
	tk_free(tk);
}

static void test_clone_errors(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int a, z, tid;
	char *before;

	(void)state;
	a = make_proc(k);
	z = fork1(k, a);
	clone1(k, z);
	assert_int_equal(do_exit(k, z, 1), 0);
	before = world_dump(k);
	assert_int_equal(do_clone_thread(k, 99999, &tid), -ESRCH);
	assert_true(do_clone_thread(k, 0, &tid) < 0);
	assert_world_same(k, before);
	assert_true(do_clone_thread(k, z, &tid) < 0);	/* zombie */
	assert_world_same(k, before);
	free(before);
	tk_free(tk);
}

static void test_execve(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *p, *th;
	const struct vm_area_struct *v;
	unsigned long out, tasks, procs;
	char *argv[] = { "/usr/bin/very-long-program-name", "--flag", "x" };
	static const char want_args[] =
		"/usr/bin/very-long-program-name\0--flag\0x";
	int pid, t1, t2, c, pp;

	(void)state;
	pid = make_proc(k);
	c = fork1(k, pid);
	t1 = clone1(k, pid);
	t2 = clone1(k, pid);
	assert_int_equal(do_mmap(k, pid, W, 4 * PAGE_SIZE, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, &out), 0);
	p = find_task(k, pid);
	pp = p->real_parent->pid;
	p->signal->pgrp = 4242;
	tasks = k->nr_tasks;
	procs = k->nr_processes;
	assert_true(p->flags & PF_FORKNOEXEC);

	assert_int_equal(do_execve(k, pid, NULL, 3, argv), 0);
	p = find_task(k, pid);
	assert_non_null(p);
	assert_string_equal(p->comm, "very-long-progr");	/* 15 chars */
	assert_non_null(p->mm);
	assert_int_equal(p->mm->args_len, sizeof(want_args));
	assert_memory_equal(p->mm->args, want_args, sizeof(want_args));
	/* the fresh mm: our mapping is gone, a stack is there */
	v = find_vma(p->mm, W);
	assert_true(!v || v->vm_start >= W + 4 * PAGE_SIZE);
	v = find_vma(p->mm, p->mm->start_stack);
	assert_non_null(v);
	assert_true(v->vm_start <= p->mm->start_stack);
	assert_int_equal(p->mm->users, 1);
	assert_false(p->flags & PF_FORKNOEXEC);
	/* the other threads are gone */
	assert_null(find_task(k, t1));
	assert_null(find_task(k, t2));
	assert_int_equal(p->signal->nr_threads, 1);
	assert_int_equal(nr_thread_nodes(p), 1);
	th = list_first_entry(&p->signal->thread_head, struct task, thread_node);
	assert_ptr_equal(th, p);
	assert_int_equal(k->nr_tasks, tasks - 2);
	assert_int_equal(k->nr_processes, procs);
	/* identity, family and group survive */
	assert_int_equal(p->pid, pid);
	assert_int_equal(p->tgid, pid);
	assert_int_equal(p->real_parent->pid, pp);
	assert_true(list_has_child(p, find_task(k, c)));
	assert_int_equal(p->signal->pgrp, 4242);
	check_world(k);

	/* explicit comm, truncated; a bare argv[0] is its own basename */
	char *argv2[] = { "bash" };

	assert_int_equal(do_execve(k, pid, NULL, 1, argv2), 0);
	assert_string_equal(p->comm, "bash");
	assert_int_equal(p->mm->args_len, 5);
	assert_memory_equal(p->mm->args, "bash", 5);
	assert_int_equal(do_execve(k, pid, "kworker-like-name-long", 1, argv2), 0);
	assert_string_equal(p->comm, "kworker-like-na");
	assert_int_equal(do_execve(k, pid, "sh", 1, argv2), 0);
	assert_string_equal(p->comm, "sh");
	assert_memory_equal(p->mm->args, "bash", 5);
	check_world(k);
	tk_free(tk);
}

/* exec from a forked child does not touch the parent's mm. */
static void test_execve_child_leaves_parent(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	char *argv[] = { "/bin/true" }, *before;
	int a, c;

	(void)state;
	a = make_proc(k);
	c = fork1(k, a);
	before = mm_dump(find_task(k, a)->mm);
	assert_int_equal(do_execve(k, c, NULL, 1, argv), 0);
	char *now = mm_dump(find_task(k, a)->mm);

	assert_string_equal(now, before);
	assert_string_equal(find_task(k, c)->comm, "true");
	free(now);
	free(before);
	check_world(k);
	tk_free(tk);
}

static void test_execve_errors(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	char *argv[] = { "/bin/true" }, *before;
	int a, z;

	(void)state;
	a = make_proc(k);
	z = fork1(k, a);
	assert_int_equal(do_exit(k, z, 0), 0);
	before = world_dump(k);
	assert_int_equal(do_execve(k, 99999, NULL, 1, argv), -ESRCH);
	assert_true(do_execve(k, -1, NULL, 1, argv) < 0);
	assert_world_same(k, before);
	assert_true(do_execve(k, z, NULL, 1, argv) < 0);	/* zombie */
	assert_world_same(k, before);
	assert_true(do_execve(k, a, NULL, -1, argv) < 0);
	assert_world_same(k, before);
	free(before);
	tk_free(tk);
}

/* task_touch bumps the task's gen and the kernel's. */
static void test_task_touch(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *t = k->init_task;
	uint64_t tg = t->gen, kg = k->gen;

	(void)state;
	task_touch(k, t);
	assert_true(t->gen != tg);
	assert_true(k->gen != kg);
	tk_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot),
		cmocka_unit_test(test_fork_basic),
		cmocka_unit_test(test_fork_many_order),
		cmocka_unit_test(test_fork_multithreaded_parent),
		cmocka_unit_test(test_fork_errors),
		cmocka_unit_test(test_fork_eagain_all_or_nothing),
		cmocka_unit_test(test_fork_exactly_free),
		cmocka_unit_test(test_pid_order_wrap),
		cmocka_unit_test(test_clone_thread),
		cmocka_unit_test(test_clone_errors),
		cmocka_unit_test(test_fork_fails_fast),
		cmocka_unit_test(test_execve),
		cmocka_unit_test(test_execve_child_leaves_parent),
		cmocka_unit_test(test_execve_errors),
		cmocka_unit_test(test_task_touch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
