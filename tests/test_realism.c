// SPDX-License-Identifier: MIT
/*
 * Values no real kernel produces (issue 15): realism_violation() after
 * populate at several clocks and CPU counts, and after random sequences of
 * ctl commands, the ones a user would type.
 */
#include "core_test_util.h"
#include "ctl.h"
#include "realism_check.h"
#include "thread_stack.h"

static void assert_realistic(const struct kernel *k, bool fresh)
{
	char msg[256];
	const char *why = realism_violation(k, fresh, msg, sizeof(msg));

	if (why)
		fail_msg("unrealistic: %s", why);
}

/* populate at a young and an old clock, 1 and 4 CPUs. */
static void test_populate_realistic(void **state)
{
	static const struct { unsigned long long now; int cpus; } cases[] = {
		{ 120 * USER_HZ, 2 },		/* two minutes after boot */
		{ 3600ULL * 24 * 30 * USER_HZ, 4 },	/* a month */
		{ 12345, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kernel_opts o;
		struct tk *tk;

		memset(&o, 0, sizeof(o));
		o.nr_cpus = cases[i].cpus;
		tk = tk_new(&o);
		tk->now = cases[i].now;
		assert_int_equal(populate(&tk->k, 2000), 0);
		assert_realistic(&tk->k, true);
		/* a second populate adds to what the CPUs already spent */
		assert_int_equal(populate(&tk->k, 500), 0);
		assert_realistic(&tk->k, true);
		tk_free(tk);
	}
}

/* Some process of @k, drawn with @x. */
static int some_pid(const struct kernel *k, uint64_t x)
{
	struct task *t;
	int pid = next_tgid(k, 1 + (int)(x % 4000), &t);

	return pid < 0 ? 1 : pid;
}

/* Random ctl commands on a populated world, the clock moving on. */
static void test_random_commands_realistic(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	struct buf out;

	(void)state;
	buf_init(&out);
	tk->now = 600 * USER_HZ;
	assert_int_equal(populate(k, 1000), 0);
	for (int step = 0; step < 3000; step++) {
		char line[128];
		int pid, op, len;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pid = some_pid(k, x >> 8);
		op = (int)(x % 13);
		switch (op) {
		case 0: len = snprintf(line, sizeof(line), "fork %d 2", pid); break;
		case 1: len = snprintf(line, sizeof(line), "clone %d", pid); break;
		case 2: len = snprintf(line, sizeof(line), "exec %d prog --x", pid); break;
		case 3: len = snprintf(line, sizeof(line), "exit %d 1", pid); break;
		case 4: len = snprintf(line, sizeof(line), "kill %d STOP", pid); break;
		case 5: len = snprintf(line, sizeof(line), "kill %d CONT", pid); break;
		case 6: len = snprintf(line, sizeof(line), "wait %d -1 nohang", pid); break;
		case 7: len = snprintf(line, sizeof(line), "wait 1 -1 nohang"); break;
		case 8: len = snprintf(line, sizeof(line), "populate 5"); break;
		case 9: len = snprintf(line, sizeof(line), "mmap %d 65536", pid); break;
		case 10: len = snprintf(line, sizeof(line), "kill %d TERM", pid); break;
		case 11: {	/* a thread of that process, populate's included */
			struct task *th = find_task(k, pid);

			th = list_entry(th->signal->thread_head.prev, struct task, thread_node);
			len = snprintf(line, sizeof(line), "exit_thread %d", th->pid);
			break;
		}
		default: len = snprintf(line, sizeof(line), "setuid %d 1000", pid); break;
		}
		buf_reset(&out);
		world_unlock(k);	/* ctl takes it itself */
		(void)ctl_run_line(k, line, (size_t)len, &out);
		world_write_lock(k);
		tk->now += x >> 60;	/* 0..15 ticks */
		if (step % 100 == 0) {
			check_world(k);
			assert_realistic(k, false);
		}
	}
	assert_realistic(k, false);
	buf_free(&out);
	tk_free(tk);
}

/*
 * glibc's stack cache: a clone after an exit reuses the exited thread's
 * stack, and at most STACK_CACHE_MAX stacks stay cached (700 clone/exit
 * cycles grew a java to 5.5 GB and 1,371 mappings).
 */
static void test_thread_stacks_reused(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	char *const argv[] = { "/usr/bin/java", "-jar", "app.jar", NULL };
	int pid, tid, tids[10], base;

	(void)state;
	assert_int_equal(do_fork(k, 1, 1, &pid), 0);
	assert_int_equal(do_execve(k, pid, NULL, 3, argv), 0);
	base = find_task(k, pid)->mm->map_count;
	for (int i = 0; i < 700; i++) {
		assert_int_equal(do_clone_thread(k, pid, &tid), 0);
		assert_int_equal(do_exit_thread(k, tid, 0), 0);
	}
	/* one stack, cached */
	assert_int_equal(find_task(k, pid)->mm->map_count, base + 2);
	for (int i = 0; i < 10; i++)
		assert_int_equal(do_clone_thread(k, pid, &tids[i]), 0);
	assert_int_equal(find_task(k, pid)->mm->map_count, base + 20);
	for (int i = 0; i < 10; i++)
		assert_int_equal(do_exit_thread(k, tids[i], 0), 0);
	assert_int_equal(find_task(k, pid)->mm->map_count, base + 2 * STACK_CACHE_MAX);
	check_world(k);
	tk_free(tk);
}

/* The lowest cached stack: two VMAs, the guard below an 8 MiB - 4K one. */
static unsigned long cached_stack(struct mm_struct *mm)
{
	for (struct vm_area_struct *v = vma_first(mm); v; v = vma_next(mm, v))
		if (v->vm_flags & VM_STACK_CACHED)
			return v->vm_start - PAGE_SIZE;
	return 0;
}

/*
 * The mm counts its cached stacks only as a hint (so a clone does not walk
 * every VMA): a fork's child and a cached stack unmapped by hand must
 * still see the cache the VMAs hold.
 */
static void test_thread_stack_hint(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int pid, child, tids[3], base;
	unsigned long addr;

	(void)state;
	assert_int_equal(do_fork(k, 1, 1, &pid), 0);
	base = find_task(k, pid)->mm->map_count;
	for (int i = 0; i < 3; i++)
		assert_int_equal(do_clone_thread(k, pid, &tids[i]), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(do_exit_thread(k, tids[i], 0), 0);
	assert_int_equal(find_task(k, pid)->mm->map_count, base + 6);
	/* The child inherits the three cached stacks and reuses them. */
	assert_int_equal(do_fork(k, pid, 1, &child), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(do_clone_thread(k, child, &tids[i]), 0);
	assert_int_equal(find_task(k, child)->mm->map_count, base + 6);
	/* Unmapped by hand, a cached stack is not handed out again. */
	addr = cached_stack(find_task(k, pid)->mm);
	assert_int_not_equal(addr, 0);
	assert_int_equal(do_munmap(k, pid, addr, THREAD_STACK_SIZE), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(do_clone_thread(k, pid, &tids[i]), 0);
	assert_int_equal(find_task(k, pid)->mm->map_count, base + 6);
	assert_int_equal(cached_stack(find_task(k, pid)->mm), 0);
	check_world(k);
	tk_free(tk);
}

/*
 * k->tty_gen moves only when a process with a terminal comes or goes: the
 * pts/ set is rebuilt by a walk of every process, keyed by it.
 */
static void test_tty_gen(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	uint64_t g;
	int pid, tty_pid = -1, child, reaped, status;
	struct task *t;

	(void)state;
	g = k->tty_gen;
	assert_int_equal(populate(k, 40), 0);
	assert_true(k->tty_gen != g);
	g = k->tty_gen;
	assert_int_equal(do_fork(k, 1, 1, &pid), 0);	/* init has none */
	assert_int_equal(do_exit(k, pid, 0), 0);
	assert_int_equal(do_wait(k, 1, pid, 0, &reaped, &status), 0);
	assert_int_equal(reaped, pid);
	assert_int_equal(k->tty_gen, g);
	for (int p = next_tgid(k, 1, &t); p >= 0; p = next_tgid(k, p + 1, &t))
		if (t->signal->tty_nr && t->mm) {
			tty_pid = p;
			break;
		}
	assert_true(tty_pid > 0);
	assert_int_equal(do_fork(k, tty_pid, 1, &child), 0);
	assert_true(k->tty_gen != g);
	g = k->tty_gen;
	assert_int_equal(do_exit(k, child, 0), 0);
	assert_int_equal(do_wait(k, tty_pid, child, 0, &reaped, &status), 0);
	assert_int_equal(reaped, child);
	assert_true(k->tty_gen != g);
	check_world(k);
	tk_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_populate_realistic),
		cmocka_unit_test(test_random_commands_realistic),
		cmocka_unit_test(test_thread_stacks_reused),
		cmocka_unit_test(test_thread_stack_hint),
		cmocka_unit_test(test_tty_gen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
