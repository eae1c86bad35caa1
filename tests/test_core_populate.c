// SPDX-License-Identifier: MIT
/*
 * populate(): exactly N more processes, a tree that looks like a booted
 * distribution, all or nothing, reproducible from the seed.  (Its speed is
 * a benchmark's business, not a test's.)
 */
#include "core_test_util.h"

/* Walk a process's ancestors; returns the root it reaches (1 or 2) or -1. */
static int root_of(const struct kernel *k, const struct task *t)
{
	unsigned long steps = 0;

	t = t->group_leader;
	while (t && t->pid != 1 && t->pid != 2) {
		if (++steps > k->nr_tasks)
			return -1;	/* a cycle */
		t = t->real_parent;
		if (t && find_task(k, t->pid) != t)
			return -1;	/* a dangling parent */
	}
	return t ? t->pid : -1;
}

struct shape {
	int procs, kthreads, user, multithreaded, comms, zombies;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Check every task; return what the tree looks like. */
static struct shape check_tree(struct tk *tk)
{
	struct kernel *k = &tk->k;
	struct shape sh = { 0 };
	struct task *t, *th;
	char **comms = calloc(k->nr_processes + 1, sizeof(char *));
	int pid, n = 0;

	assert_non_null(comms);
	check_world(k);
	for (pid = next_tgid(k, 0, &t); pid >= 0;
	     pid = next_tgid(k, pid + 1, &t)) {
		int root = root_of(k, t);

		sh.procs++;
		if (root != 1 && root != 2)
			fail_msg("pid %d (%s): parent chain ends at %d", pid,
				 t->comm, root);
		assert_true(t->comm[0] != '\0');
		assert_true(t->start_time <= tk->now);
		if (t->state == EXIT_ZOMBIE) {
			sh.zombies++;
			continue;
		}
		if (task_is_kthread(t)) {
			sh.kthreads++;
			assert_null(t->mm);
			if (pid != 2) {
				if (t->real_parent != k->kthreadd)
					fail_msg("kthread %d (%s): parent %d",
						 pid, t->comm,
						 t->real_parent ?
						 t->real_parent->pid : 0);
			}
			continue;
		}
		sh.user++;
		if (root != 1)
			fail_msg("user process %d (%s) descends from %d", pid,
				 t->comm, root);
		assert_non_null(t->mm);
		if (t->mm->args_len == 0 || !t->mm->args)
			fail_msg("user process %d (%s) has no cmdline", pid,
				 t->comm);
		const struct vm_area_struct *v =
			find_vma(t->mm, t->mm->start_stack);
		if (!v || v->vm_start > t->mm->start_stack)
			fail_msg("pid %d (%s): start_stack %lx in no VMA", pid,
				 t->comm, t->mm->start_stack);
		if (!(v->vm_flags & VM_GROWSDOWN))
			fail_msg("pid %d (%s): stack VMA %lx-%lx lacks"
				 " VM_GROWSDOWN", pid, t->comm, v->vm_start,
				 v->vm_end);
		if (t->signal->nr_threads > 1)
			sh.multithreaded++;
		list_for_each_entry(th, &t->signal->thread_head, thread_node) {
			assert_ptr_equal(th->mm, t->mm);
			assert_false(task_is_kthread(th));
			assert_true(th->start_time <= tk->now);
		}
		comms[n++] = t->comm;
	}
	qsort(comms, (size_t)n, sizeof(char *), cmp_str);
	for (int i = 0; i < n; i++)
		if (i == 0 || strcmp(comms[i], comms[i - 1]))
			sh.comms++;
	free(comms);
	return sh;
}

static void test_adds_exactly_n(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int before = count_leaders(k);
	unsigned long procs = k->nr_processes;

	(void)state;
	assert_int_equal(populate(k, 200), 0);
	assert_int_equal(count_leaders(k), before + 200);
	assert_int_equal(k->nr_processes, procs + 200);
	check_world(k);
	assert_int_equal(populate(k, 1), 0);
	assert_int_equal(count_leaders(k), before + 201);
	assert_int_equal(populate(k, 57), 0);
	assert_int_equal(count_leaders(k), before + 258);
	check_tree(tk);
	tk_free(tk);
}

static void test_tree_shape(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct shape boot, sh;

	(void)state;
	boot = check_tree(tk);
	assert_int_equal(populate(k, 500), 0);
	sh = check_tree(tk);
	assert_int_equal(sh.procs, boot.procs + 500);
	assert_true(sh.user > boot.user + 100);
	assert_true(sh.multithreaded >= 1);
	if (sh.comms < 20)
		fail_msg("only %d distinct comms among %d user processes",
			 sh.comms, sh.user);
	tk_free(tk);
}

static void test_10000(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int before = count_leaders(k);
	struct shape sh;

	(void)state;
	assert_int_equal(populate(k, 10000), 0);
	assert_int_equal(count_leaders(k), before + 10000);
	sh = check_tree(tk);
	assert_true(sh.multithreaded >= 10);
	assert_true(sh.comms >= 30);
	tk_free(tk);
}

/* More than the free pids: -EAGAIN and nothing added. */
static void test_all_or_nothing(void **state)
{
	struct tk *tk = tk_new_pidmax(1000);
	struct kernel *k = &tk->k;
	int before = count_leaders(k), nfree = free_pids_nowrap(k);
	char *w;

	(void)state;
	w = world_dump(k);
	assert_int_equal(populate(k, nfree + 1), -EAGAIN);
	assert_world_same(k, w);
	assert_int_equal(populate(k, 5000), -EAGAIN);
	assert_world_same(k, w);
	free(w);
	check_world(k);
	assert_int_equal(count_leaders(k), before);
	/* a smaller one still fits */
	assert_int_equal(populate(k, 100), 0);
	assert_int_equal(count_leaders(k), before + 100);
	check_tree(tk);
	/* and failing again on a populated world changes nothing either */
	w = world_dump(k);
	assert_int_equal(populate(k, free_pids_nowrap(k) + 1), -EAGAIN);
	assert_world_same(k, w);
	free(w);
	tk_free(tk);
}

static void test_bad_n(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	char *w = world_dump(k);

	(void)state;
	assert_true(populate(k, -1) < 0);
	assert_world_same(k, w);
	assert_int_equal(populate(k, 0), 0);
	assert_world_same(k, w);
	free(w);
	tk_free(tk);
}

/* The same seed (and clock) gives the same world; another seed does not. */
static void test_deterministic(void **state)
{
	struct kernel_opts o = { .seed = 42 };
	struct tk *a = tk_new(&o), *b = tk_new(&o), *c;
	char *wa, *wb, *wc;

	(void)state;
	o.seed = 43;
	c = tk_new(&o);
	assert_int_equal(populate(&a->k, 300), 0);
	assert_int_equal(populate(&b->k, 300), 0);
	assert_int_equal(populate(&c->k, 300), 0);
	wa = world_dump(&a->k);
	wb = world_dump(&b->k);
	wc = world_dump(&c->k);
	assert_string_equal(wa, wb);
	assert_string_not_equal(wa, wc);
	free(wa);
	free(wb);
	free(wc);
	tk_free(a);
	tk_free(b);
	tk_free(c);
}

/* A populated world supports the ordinary life cycle. */
static void test_then_fork_exit_wait(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *t, *victim = NULL;
	int pid, c, reaped, status;

	(void)state;
	assert_int_equal(populate(k, 300), 0);
	/* a user process with children, not init */
	for (pid = next_tgid(k, 3, &t); pid >= 0;
	     pid = next_tgid(k, pid + 1, &t))
		if (!task_is_kthread(t) && t->state != EXIT_ZOMBIE &&
		    !list_empty(&t->children) && t->real_parent &&
		    t->real_parent->pid != 1 && !t->signal->is_child_subreaper)
			victim = t;
	if (!victim) {
		for (pid = next_tgid(k, 3, &t); pid >= 0;
		     pid = next_tgid(k, pid + 1, &t))
			if (!task_is_kthread(t) && t->state != EXIT_ZOMBIE &&
			    !list_empty(&t->children))
				victim = t;
	}
	assert_non_null(victim);
	pid = victim->pid;
	c = fork1(k, pid);
	assert_ptr_equal(find_task(k, c)->real_parent, victim);
	assert_int_equal(do_exit(k, c, 4), 0);
	assert_int_equal(do_wait(k, pid, c, 0, &reaped, &status), 0);
	assert_int_equal(status, 0x400);
	assert_int_equal(do_exit(k, pid, 0), 0);
	assert_true(!find_task(k, pid) || list_empty(&victim->children));
	check_tree(tk);
	tk_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adds_exactly_n),
		cmocka_unit_test(test_tree_shape),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_bad_n),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_then_fork_exit_wait),
		cmocka_unit_test(test_10000),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
