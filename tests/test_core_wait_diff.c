// SPDX-License-Identifier: MIT
/*
 * The two do_wait strategies against each other: random sequences of
 * fork, clone, exit, exit_thread, kill, stop, cont, ptrace, detach,
 * subreaper, setpgid and wait run on a scan kernel and a lookup kernel.
 * Every call must return the same, every wait report the same pid and
 * status, and the two worlds must dump the same after every step.
 */
#include "core_test_util.h"

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static int first_user_pid;	/* after boot's kernel threads */

/*
 * A random pid in use (a thread, a zombie or a process), mostly a user
 * task's; sometimes init, a kernel thread or a free pid.
 */
static int pick(const struct kernel *k, uint64_t *s)
{
	int lo = first_user_pid, span = k->pids.last_pid + 1 - lo, pid;
	struct task *t;

	if (rnd(s) % 16 == 0)
		return 1 + rnd(s) % (k->pids.last_pid + 2);
	if (span <= 0)
		return 1;
	pid = pid_store_next(&k->pids, lo + rnd(s) % span, &t);
	return pid < 0 ? 1 : pid;
}

static const int sigs[] = { 0, SIGKILL, SIGTERM, SIGSEGV, SIGSTOP, SIGTSTP,
			    SIGCONT, SIGCONT, SIGCONT, SIGCHLD, 65 };
static const int wflags[] = { WNOHANG, WNOWAIT, WUNTRACED, WCONTINUED,
			      __WNOTHREAD, __WALL };

/* One random operation on both kernels; @op and the args from @s. */
/* How often each kind of report came up: the sequences must reach them. */
static unsigned long nr_reaped, nr_stopped, nr_continued, nr_traced;

static void step(struct kernel *ks, struct kernel *kl, uint64_t *s, int i)
{
	int op = rnd(s) % 14, a = pick(ks, s), b = pick(ks, s), rs, rl;
	int p1 = -1, p2 = -1, st1 = -1, st2 = -1, who, opts = 0;
	char what[64];

	if (ks->nr_tasks > (unsigned long)first_user_pid + 60 && op < 3)
		op = 3;		/* keep the world small: exit instead */
	/* Kernel threads cannot exit: their children would fill the world. */
	if (op < 3 && find_task(ks, a) && task_is_kthread(find_task(ks, a)))
		a = 1;
	switch (op) {
	case 0: case 1:
		rs = do_fork(ks, a, 1, &p1);
		rl = do_fork(kl, a, 1, &p2);
		break;
	case 2:
		rs = do_clone_thread(ks, a, &p1);
		rl = do_clone_thread(kl, a, &p2);
		break;
	case 3:
		rs = do_exit(ks, a, b);
		rl = do_exit(kl, a, b);
		break;
	case 4:
		rs = do_exit_thread(ks, a, b);
		rl = do_exit_thread(kl, a, b);
		break;
	case 5: case 6: {
		int sig = sigs[rnd(s) % (sizeof(sigs) / sizeof(sigs[0]))];

		rs = do_kill(ks, a, sig);
		rl = do_kill(kl, a, sig);
		break;
	}
	case 7:
		rs = ptrace_attach(ks, a, b);
		rl = ptrace_attach(kl, a, b);
		break;
	case 8:
		rs = ptrace_detach(ks, a);
		rl = ptrace_detach(kl, a);
		break;
	case 9: {
		bool on = rnd(s) & 1;

		rs = set_child_subreaper(ks, a, on);
		rl = set_child_subreaper(kl, a, on);
		break;
	}
	case 10: {	/* setpgid(a, b's group or a's own) */
		struct task *ts = find_task(ks, a), *tl = find_task(kl, a);

		rs = rl = 0;
		if (ts && ts->pid > 2 && ts->state != EXIT_ZOMBIE) {
			int pg = rnd(s) & 1 ? ts->tgid : b;

			ts->signal->pgrp = tl->signal->pgrp = pg;
		}
		break;
	}
	default:
		/* mostly a waiter that has something to wait for: b's (tracer) parent */
		if (find_task(ks, b) && find_task(ks, b)->parent && rnd(s) % 4)
			a = (rnd(s) & 1 ? find_task(ks, b)->parent :
			     find_task(ks, b)->real_parent)->pid;
		switch (rnd(s) % 4) {
		case 0: who = -1; break;
		case 1: who = 0; break;
		case 2: who = find_task(ks, b) ? -find_task(ks, b)->signal->pgrp : -b;
			if (who == 0 || who == -1)
				who = -1;
			break;
		default: who = b; break;
		}
		for (size_t j = 0; j < sizeof(wflags) / sizeof(wflags[0]); j++)
			if (rnd(s) % 3 == 0)
				opts |= wflags[j];
		if (rnd(s) % 32 == 0)
			opts |= 0x1000;		/* an unknown bit */
		rs = do_wait(ks, a, who, opts, &p1, &st1);
		rl = do_wait(kl, a, who, opts, &p2, &st2);
		snprintf(what, sizeof(what), "step %d wait %d %d %#x", i, a,
			 who, opts);
		assert_int_equal(rs, rl);
		if (!rs && p1 > 0) {
			nr_reaped += WIFEXITED(st1) || WIFSIGNALED(st1);
			nr_stopped += WIFSTOPPED(st1);
			nr_continued += WIFCONTINUED(st1);
		}
		if (!rs) {
			if (p1 != p2 || st1 != st2)
				fail_msg("%s: scan %d/%#x, lookup %d/%#x", what,
					 p1, st1, p2, st2);
		}
		return;
	}
	nr_traced += op == 7 && !rs;
	if (rs != rl)
		fail_msg("step %d op %d (%d, %d): scan %d, lookup %d", i, op,
			 a, b, rs, rl);
	assert_int_equal(p1, p2);
}

static void run_seed(uint64_t seed, int steps)
{
	struct kernel_opts o;
	struct tk *ts, *tl;
	uint64_t s = seed;
	char *ds, *dl;

	memset(&o, 0, sizeof(o));
	o.wait = "scan";
	ts = tk_new(&o);
	o.wait = "lookup";
	tl = tk_new(&o);
	first_user_pid = ts->k.pids.last_pid + 1;
	for (int i = 0; i < steps; i++) {
		step(&ts->k, &tl->k, &s, i);
		if (i % 8 == 7 || i == steps - 1) {
			ds = world_dump(&ts->k);
			dl = world_dump(&tl->k);
			if (strcmp(ds, dl))
				fail_msg("seed %llu step %d: worlds differ",
					 (unsigned long long)seed, i);
			free(ds);
			free(dl);
			check_world(&ts->k);
			check_world(&tl->k);
		}
	}
	tk_free(ts);
	tk_free(tl);
}

static void test_strategies_agree(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++)
		run_seed(seed * 0x9e3779b97f4a7c15ULL, 1500);
	print_message("reaped %lu, stopped %lu, continued %lu, attached %lu\n",
		      nr_reaped, nr_stopped, nr_continued, nr_traced);
	assert_true(nr_reaped > 100 && nr_stopped > 20 && nr_continued > 20 &&
		    nr_traced > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strategies_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
