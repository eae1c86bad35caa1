// SPDX-License-Identifier: MIT
/*
 * Wait semantics, one test per rule, from wait(2), ptrace(2), kill(2),
 * prctl(2) PR_SET_CHILD_SUBREAPER and kernel/exit.c.  Every test runs
 * under both do_wait strategies (scan and lookup): they must agree.
 */
#include <limits.h>
#include "core_test_util.h"

static struct tk *boot(void **state)
{
	struct kernel_opts o;

	memset(&o, 0, sizeof(o));
	o.wait = *state;
	return tk_new(&o);
}

struct rep {
	int err, pid, status;
};

static struct rep w(struct kernel *k, int pid, int who, int options)
{
	struct rep r = { 0, -1, -1 };

	r.err = do_wait(k, pid, who, options, &r.pid, &r.status);
	return r;
}

#define assert_rep(r, e, p, s) do {					\
	struct rep r_ = (r);						\
	assert_int_equal(r_.err, (e));					\
	if (!r_.err) {							\
		assert_int_equal(r_.pid, (p));				\
		assert_int_equal(r_.status, (s));			\
	}								\
} while (0)

#define STOPPED(sig)	(((sig) << 8) | 0x7f)
#define CONTINUED	0xffff

/* wait(2): WIFSIGNALED, WTERMSIG; WCOREDUMP for a core-dumping signal. */
static void test_killed_status_is_the_signal(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c1 = fork1(k, a), c2 = fork1(k, a);
	struct rep r;

	assert_int_equal(do_kill(k, c1, SIGTERM), 0);
	assert_int_equal(find_task(k, c1)->state, EXIT_ZOMBIE);
	r = w(k, a, c1, 0);
	assert_rep(r, 0, c1, SIGTERM);
	assert_true(WIFSIGNALED(r.status) && !WIFEXITED(r.status));
	assert_int_equal(WTERMSIG(r.status), SIGTERM);
	assert_int_equal(do_kill(k, c2, SIGSEGV), 0);
	r = w(k, a, -1, 0);
	assert_rep(r, 0, c2, SIGSEGV | 0x80);
	assert_true(WCOREDUMP(r.status));
	check_world(k);
	tk_free(tk);
}

/* kill(2): sig 0 checks existence; a bad signal is EINVAL; no pid ESRCH. */
static void test_kill_errors_and_sig0(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1);
	char *before = world_dump(k);

	assert_int_equal(do_kill(k, a, 0), 0);
	assert_int_equal(do_kill(k, a, -1), -EINVAL);
	assert_int_equal(do_kill(k, a, 65), -EINVAL);
	assert_int_equal(do_kill(k, 99999, 0), -ESRCH);
	assert_int_equal(do_kill(k, 99999, SIGKILL), -ESRCH);
	assert_int_equal(do_kill(k, 0, SIGKILL), -ESRCH);
	assert_int_equal(do_kill(k, a, SIGCHLD), 0);	/* ignored by default */
	assert_int_equal(do_kill(k, a, SIGCONT), 0);	/* not stopped: nothing */
	assert_world_same(k, before);
	free(before);
	tk_free(tk);
}

/* Init and kernel threads do not die of, nor stop on, a signal. */
static void test_init_and_kthreads_ignore_signals(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	char *before = world_dump(k);

	assert_int_equal(do_kill(k, 1, SIGKILL), 0);
	assert_int_equal(do_kill(k, 1, SIGSTOP), 0);
	assert_int_equal(do_kill(k, 2, SIGKILL), 0);
	assert_int_equal(do_kill(k, 3, SIGTERM), 0);
	assert_world_same(k, before);
	free(before);
	tk_free(tk);
}

/* WHO 0: children in the waiter's process group only. */
static void test_who_0_is_own_pgrp(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), same = fork1(k, a), other = fork1(k, a);

	find_task(k, other)->signal->pgrp = other;	/* setpgid(0, 0) */
	assert_int_equal(do_exit(k, other, 1), 0);
	assert_rep(w(k, a, 0, WNOHANG), 0, 0, 0);	/* same lives on */
	assert_int_equal(do_exit(k, same, 2), 0);
	assert_rep(w(k, a, 0, 0), 0, same, 0x200);
	assert_rep(w(k, a, 0, 0), -ECHILD, 0, 0);
	assert_rep(w(k, a, -1, 0), 0, other, 0x100);
	check_world(k);
	tk_free(tk);
}

/* WHO < -1: children whose process group is -WHO; none: ECHILD. */
static void test_who_minus_pgid(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), d = fork1(k, a);

	find_task(k, c)->signal->pgrp = c;
	assert_int_equal(do_exit(k, d, 0), 0);
	assert_rep(w(k, a, -c, WNOHANG), 0, 0, 0);	/* d is not in it */
	assert_rep(w(k, a, -99999, WNOHANG), -ECHILD, 0, 0);
	assert_int_equal(do_exit(k, c, 4), 0);
	assert_rep(w(k, a, -c, 0), 0, c, 0x400);
	assert_rep(w(k, a, -c, 0), -ECHILD, 0, 0);
	assert_rep(w(k, a, INT_MIN, 0), -ESRCH, 0, 0);	/* kernel_wait4 */
	check_world(k);
	tk_free(tk);
}

/* WNOWAIT: the child stays waitable; the next wait reaps it. */
static void test_wnowait_leaves_waitable(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a);
	char *before;

	assert_int_equal(do_exit(k, c, 7), 0);
	before = world_dump(k);
	assert_rep(w(k, a, c, WNOWAIT), 0, c, 0x700);
	assert_rep(w(k, a, -1, WNOWAIT | WNOHANG), 0, c, 0x700);
	assert_world_same(k, before);
	free(before);
	assert_rep(w(k, a, c, 0), 0, c, 0x700);
	assert_null(find_task(k, c));
	tk_free(tk);
}

/* WUNTRACED: a stopped child is reported once; without it, not at all. */
static void test_wuntraced_reports_stop_once(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), t = clone1(k, c);

	assert_int_equal(do_kill(k, c, SIGTSTP), 0);
	assert_int_equal(find_task(k, c)->state, TASK_STOPPED);
	assert_int_equal(find_task(k, t)->state, TASK_STOPPED);	/* group stop */
	assert_int_equal(find_task(k, clone1(k, t))->state, TASK_STOPPED);
	assert_rep(w(k, a, c, 0), -EAGAIN, 0, 0);
	assert_rep(w(k, a, c, WUNTRACED | WNOWAIT), 0, c, STOPPED(SIGTSTP));
	assert_rep(w(k, a, c, WUNTRACED), 0, c, STOPPED(SIGTSTP));
	assert_rep(w(k, a, c, WUNTRACED | WNOHANG), 0, 0, 0);	/* once */
	/* a second stop signal while stopped: no new report */
	assert_int_equal(do_kill(k, c, SIGSTOP), 0);
	assert_rep(w(k, a, -1, WUNTRACED | WNOHANG), 0, 0, 0);
	assert_true(find_task(k, c) != NULL);
	check_world(k);
	tk_free(tk);
}

/* WCONTINUED: a resumed child is reported once with status 0xffff. */
static void test_wcontinued_reports_once(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a);
	struct rep r;

	assert_int_equal(do_kill(k, c, SIGSTOP), 0);
	assert_int_equal(do_kill(k, c, SIGCONT), 0);
	assert_int_equal(find_task(k, c)->state, TASK_INTERRUPTIBLE);
	/* the continue replaced the unreported stop */
	assert_rep(w(k, a, c, WUNTRACED | WNOHANG), 0, 0, 0);
	r = w(k, a, c, WCONTINUED);
	assert_rep(r, 0, c, CONTINUED);
	assert_true(WIFCONTINUED(r.status));
	assert_rep(w(k, a, c, WCONTINUED | WNOHANG), 0, 0, 0);
	check_world(k);
	tk_free(tk);
}

/* Only SIGKILL ends a stopped process; others wait for SIGCONT. */
static void test_fatal_signal_waits_for_cont(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), d = fork1(k, a);

	assert_int_equal(do_kill(k, c, SIGSTOP), 0);
	assert_int_equal(do_kill(k, c, SIGTERM), 0);
	assert_int_equal(find_task(k, c)->state, TASK_STOPPED);
	assert_int_equal(do_kill(k, c, SIGCONT), 0);
	assert_rep(w(k, a, c, 0), 0, c, SIGTERM);
	assert_int_equal(do_kill(k, d, SIGSTOP), 0);
	assert_int_equal(do_kill(k, d, SIGKILL), 0);
	assert_rep(w(k, a, d, 0), 0, d, SIGKILL);
	check_world(k);
	tk_free(tk);
}

/* By default a thread waits for any thread's children; __WNOTHREAD its own. */
static void test_wnothread(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), t = clone1(k, a), c = fork1(k, t);

	assert_int_equal(do_exit(k, c, 3), 0);
	assert_rep(w(k, a, c, __WNOTHREAD), -ECHILD, 0, 0);
	assert_rep(w(k, a, -1, __WNOTHREAD), -ECHILD, 0, 0);
	assert_rep(w(k, t, c, __WNOTHREAD | WNOWAIT), 0, c, 0x300);
	assert_rep(w(k, a, c, 0), 0, c, 0x300);	/* a sibling thread's child */
	check_world(k);
	tk_free(tk);
}

/* Unknown option bits: EINVAL, nothing changes; __WCLONE finds no clone child. */
static void test_bad_options(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a);
	char *before;

	assert_int_equal(do_exit(k, c, 0), 0);
	before = world_dump(k);
	assert_rep(w(k, a, c, 0x1000), -EINVAL, 0, 0);
	assert_rep(w(k, a, -1, WNOHANG | 0x80), -EINVAL, 0, 0);
	assert_rep(w(k, a, -1, __WCLONE), -ECHILD, 0, 0);
	assert_world_same(k, before);
	free(before);
	assert_rep(w(k, a, -1, __WALL | WEXITED), 0, c, 0);
	tk_free(tk);
}

/* A tracer waits for a tracee that is not its child; TracerPid is its tgid. */
static void test_tracer_waits_for_tracee(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), tr = fork1(k, 1);
	int trt = clone1(k, tr);

	assert_int_equal(ptrace_attach(k, c, trt), 0);
	assert_ptr_equal(find_task(k, c)->parent, find_task(k, trt));
	assert_ptr_equal(find_task(k, c)->real_parent, find_task(k, a));
	assert_rep(w(k, tr, -1, WNOHANG), 0, 0, 0);	/* tr's group, trt traces */
	assert_rep(w(k, tr, c, __WNOTHREAD | WNOHANG), -ECHILD, 0, 0);
	assert_rep(w(k, trt, c, __WNOTHREAD | WNOHANG), 0, 0, 0);
	check_world(k);
	tk_free(tk);
}

/* ptrace(2): the tracer gets a tracee's exit first, then the real parent. */
static void test_traced_exit_tracer_first(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), tr = fork1(k, 1);

	assert_int_equal(ptrace_attach(k, c, tr), 0);
	assert_int_equal(do_exit(k, c, 9), 0);
	/* the zombie shows only to the tracer: the parent waits on */
	assert_rep(w(k, a, c, WNOHANG), 0, 0, 0);
	assert_rep(w(k, a, -1, 0), -EAGAIN, 0, 0);
	assert_rep(w(k, tr, -1, 0), 0, c, 0x900);
	assert_false(find_task(k, c)->ptrace);
	assert_ptr_equal(find_task(k, c)->parent, find_task(k, a));
	assert_rep(w(k, tr, -1, WNOHANG), -ECHILD, 0, 0);
	assert_rep(w(k, a, c, 0), 0, c, 0x900);
	assert_null(find_task(k, c));
	check_world(k);
	tk_free(tk);
}

/* A real parent that is also the tracer gets one report and reaps. */
static void test_parent_tracer_one_report(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a);

	assert_int_equal(ptrace_attach(k, c, a), 0);
	assert_int_equal(do_exit(k, c, 1), 0);
	assert_rep(w(k, a, -1, 0), 0, c, 0x100);
	assert_null(find_task(k, c));
	assert_rep(w(k, a, -1, 0), -ECHILD, 0, 0);
	check_world(k);
	tk_free(tk);
}

/* A tracee's stop is a tracing stop ('t'), reported without WUNTRACED. */
static void test_tracee_stop_reported_to_tracer(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), tr = fork1(k, 1);

	assert_int_equal(ptrace_attach(k, c, tr), 0);
	assert_int_equal(do_kill(k, c, SIGSTOP), 0);
	assert_int_equal(find_task(k, c)->state, TASK_TRACED);
	assert_rep(w(k, tr, c, 0), 0, c, STOPPED(SIGSTOP));
	assert_rep(w(k, tr, c, WNOHANG), 0, 0, 0);
	/* the real parent sees the group stop too, with WUNTRACED */
	assert_rep(w(k, a, c, WUNTRACED), 0, c, STOPPED(SIGSTOP));
	/* detach: back in the plain group stop */
	assert_int_equal(ptrace_detach(k, c), 0);
	assert_int_equal(find_task(k, c)->state, TASK_STOPPED);
	check_world(k);
	tk_free(tk);
}

/* Attaching to a stopped process puts it in a tracing stop for the tracer. */
static void test_attach_to_stopped(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), tr = fork1(k, 1);

	assert_int_equal(do_kill(k, c, SIGTTIN), 0);
	assert_int_equal(ptrace_attach(k, c, tr), 0);
	assert_int_equal(find_task(k, c)->state, TASK_TRACED);
	assert_rep(w(k, tr, -1, 0), 0, c, STOPPED(SIGTTIN));
	check_world(k);
	tk_free(tk);
}

/* exit of a tracer detaches its tracees; a zombie one returns to its parent. */
static void test_tracer_exit_detaches(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), d = fork1(k, a), tr = fork1(k, 1);

	assert_int_equal(ptrace_attach(k, c, tr), 0);
	assert_int_equal(ptrace_attach(k, d, tr), 0);
	assert_int_equal(do_exit(k, d, 6), 0);
	assert_int_equal(do_exit(k, tr, 0), 0);
	assert_false(find_task(k, c)->ptrace);
	assert_ptr_equal(find_task(k, c)->parent, find_task(k, a));
	assert_rep(w(k, a, -1, 0), 0, d, 0x600);
	assert_rep(w(k, a, -1, WNOHANG), 0, 0, 0);
	check_world(k);
	tk_free(tk);
}

/* ptrace(2) EPERM: init, kernel threads, own group, already traced; ESRCH. */
static void test_ptrace_errors(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), t = clone1(k, a), z = fork1(k, a);
	char *before;

	assert_int_equal(ptrace_attach(k, c, a), 0);
	assert_int_equal(do_exit(k, z, 0), 0);
	before = world_dump(k);
	assert_int_equal(ptrace_attach(k, 1, a), -EPERM);
	assert_int_equal(ptrace_attach(k, 3, a), -EPERM);	/* a kthread */
	assert_int_equal(ptrace_attach(k, a, t), -EPERM);	/* own group */
	assert_int_equal(ptrace_attach(k, c, t), -EPERM);	/* traced */
	assert_int_equal(ptrace_attach(k, t, c), -EPERM);	/* not a leader */
	assert_int_equal(ptrace_attach(k, z, c), -EPERM);	/* a zombie */
	assert_int_equal(ptrace_attach(k, 99999, a), -ESRCH);
	assert_int_equal(ptrace_attach(k, a, 99999), -ESRCH);
	assert_int_equal(ptrace_attach(k, a, z), -ESRCH);	/* dead tracer */
	assert_int_equal(ptrace_detach(k, a), -ESRCH);		/* not traced */
	assert_int_equal(ptrace_detach(k, 99999), -ESRCH);
	assert_world_same(k, before);
	free(before);
	tk_free(tk);
}

/* PR_SET_CHILD_SUBREAPER: orphans go to the nearest subreaper, off: init. */
static void test_subreaper(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int sr = fork1(k, 1), mid = fork1(k, sr), o1 = fork1(k, mid);
	int mid2 = fork1(k, sr), o2 = fork1(k, mid2);

	assert_int_equal(set_child_subreaper(k, sr, true), 0);
	assert_int_equal(do_exit(k, mid, 0), 0);
	assert_ptr_equal(find_task(k, o1)->real_parent, find_task(k, sr));
	assert_int_equal(do_exit(k, o1, 2), 0);
	assert_rep(w(k, sr, o1, 0), 0, o1, 0x200);
	assert_int_equal(set_child_subreaper(k, sr, false), 0);
	assert_int_equal(do_exit(k, mid2, 0), 0);
	assert_ptr_equal(find_task(k, o2)->real_parent, k->init_task);
	assert_int_equal(set_child_subreaper(k, 99999, true), -ESRCH);
	check_world(k);
	tk_free(tk);
}

/* A leader that exits alone stays a zombie until its whole group has. */
static void test_zombie_leader_waits_for_group(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), t1 = clone1(k, c);
	int t2 = clone1(k, c), g = fork1(k, c);

	assert_int_equal(do_exit_thread(k, c, 5), 0);
	assert_int_equal(find_task(k, c)->state, EXIT_ZOMBIE);
	assert_int_equal(find_task(k, c)->signal->nr_threads, 2);
	/* its child went to a live thread of the group */
	assert_ptr_equal(find_task(k, g)->real_parent, find_task(k, t1));
	assert_rep(w(k, a, c, WNOHANG), 0, 0, 0);
	assert_rep(w(k, a, -1, 0), -EAGAIN, 0, 0);
	assert_int_equal(do_exit_thread(k, c, 0), -ESRCH);	/* gone already */
	assert_int_equal(do_exit_thread(k, t1, 1), 0);
	assert_null(find_task(k, t1));
	assert_ptr_equal(find_task(k, g)->real_parent, find_task(k, t2));
	assert_rep(w(k, a, c, WNOHANG), 0, 0, 0);
	check_world(k);
	assert_int_equal(do_exit_thread(k, t2, 2), 0);
	/* the last thread went: reapable, with the leader's own status */
	assert_ptr_equal(find_task(k, g)->real_parent, k->init_task);
	assert_rep(w(k, a, c, 0), 0, c, 0x500);
	check_world(k);
	tk_free(tk);
}

/* exit_group from a thread while the leader is a zombie: the group's code. */
static void test_group_exit_after_leader(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), t = clone1(k, c);

	assert_int_equal(do_exit_thread(k, c, 5), 0);
	assert_int_equal(do_exit(k, t, 8), 0);
	assert_null(find_task(k, t));
	assert_rep(w(k, a, c, 0), 0, c, 0x800);
	/* a lone leader's own exit is its group's */
	c = fork1(k, a);
	assert_int_equal(do_exit_thread(k, c, 4), 0);
	assert_rep(w(k, a, c, 0), 0, c, 0x400);
	check_world(k);
	tk_free(tk);
}

/* Init reaps an orphaned zombie by itself; a traced one waits for its tracer. */
static void test_init_reaps_orphans_not_tracees(void **state)
{
	struct tk *tk = boot(state);
	struct kernel *k = &tk->k;
	int a = fork1(k, 1), c = fork1(k, a), d = fork1(k, a), tr = fork1(k, 1);

	assert_int_equal(ptrace_attach(k, d, tr), 0);
	assert_int_equal(do_exit(k, c, 0), 0);
	assert_int_equal(do_exit(k, d, 3), 0);
	assert_int_equal(do_exit(k, a, 0), 0);
	assert_null(find_task(k, c));
	assert_non_null(find_task(k, d));
	assert_ptr_equal(find_task(k, d)->real_parent, k->init_task);
	assert_rep(w(k, tr, d, 0), 0, d, 0x300);
	check_world(k);
	tk_free(tk);
}

#define W(fn)								\
	cmocka_unit_test_prestate(fn, "scan"),				\
	cmocka_unit_test_prestate(fn, "lookup")

int main(void)
{
	const struct CMUnitTest tests[] = {
		W(test_killed_status_is_the_signal),
		W(test_kill_errors_and_sig0),
		W(test_init_and_kthreads_ignore_signals),
		W(test_who_0_is_own_pgrp),
		W(test_who_minus_pgid),
		W(test_wnowait_leaves_waitable),
		W(test_wuntraced_reports_stop_once),
		W(test_wcontinued_reports_once),
		W(test_fatal_signal_waits_for_cont),
		W(test_wnothread),
		W(test_bad_options),
		W(test_tracer_waits_for_tracee),
		W(test_traced_exit_tracer_first),
		W(test_parent_tracer_one_report),
		W(test_tracee_stop_reported_to_tracer),
		W(test_attach_to_stopped),
		W(test_tracer_exit_detaches),
		W(test_ptrace_errors),
		W(test_subreaper),
		W(test_zombie_leader_waits_for_group),
		W(test_group_exit_after_leader),
		W(test_init_reaps_orphans_not_tracees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
