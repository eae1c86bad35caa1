// SPDX-License-Identifier: MIT
/*
 * kill(2) for whole processes (kernel/signal.c): the default action of
 * each signal, since no simulated task installs a handler.  Fatal signals
 * end the group, stop signals stop it (a group stop, reported once to a
 * WUNTRACED waiter), SIGCONT resumes it (reported once to WCONTINUED).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include "task_alloc.h"

#define SIGRTMAX_LINUX	64

enum sig_action { SA_TERM, SA_CORE, SA_STOP, SA_CONT, SA_IGN };

static const struct {
	const char *name;
	enum sig_action act;
} sigs[32] = {
	[SIGHUP] = { "HUP", SA_TERM },		[SIGINT] = { "INT", SA_TERM },
	[SIGQUIT] = { "QUIT", SA_CORE },	[SIGILL] = { "ILL", SA_CORE },
	[SIGTRAP] = { "TRAP", SA_CORE },	[SIGABRT] = { "ABRT", SA_CORE },
	[SIGBUS] = { "BUS", SA_CORE },		[SIGFPE] = { "FPE", SA_CORE },
	[SIGKILL] = { "KILL", SA_TERM },	[SIGUSR1] = { "USR1", SA_TERM },
	[SIGSEGV] = { "SEGV", SA_CORE },	[SIGUSR2] = { "USR2", SA_TERM },
	[SIGPIPE] = { "PIPE", SA_TERM },	[SIGALRM] = { "ALRM", SA_TERM },
	[SIGTERM] = { "TERM", SA_TERM },	[SIGSTKFLT] = { "STKFLT", SA_TERM },
	[SIGCHLD] = { "CHLD", SA_IGN },		[SIGCONT] = { "CONT", SA_CONT },
	[SIGSTOP] = { "STOP", SA_STOP },	[SIGTSTP] = { "TSTP", SA_STOP },
	[SIGTTIN] = { "TTIN", SA_STOP },	[SIGTTOU] = { "TTOU", SA_STOP },
	[SIGURG] = { "URG", SA_IGN },		[SIGXCPU] = { "XCPU", SA_CORE },
	[SIGXFSZ] = { "XFSZ", SA_CORE },	[SIGVTALRM] = { "VTALRM", SA_TERM },
	[SIGPROF] = { "PROF", SA_TERM },	[SIGWINCH] = { "WINCH", SA_IGN },
	[SIGIO] = { "IO", SA_TERM },		[SIGPWR] = { "PWR", SA_TERM },
	[SIGSYS] = { "SYS", SA_CORE },
};

/* sig_kernel_*: real-time signals (32..64) terminate by default. */
static enum sig_action sig_default(int sig)
{
	return sig < 32 ? sigs[sig].act : SA_TERM;
}

const char *signal_name(int sig)
{
	return sig > 0 && sig < 32 ? sigs[sig].name : NULL;
}

int signal_from_name(const char *name)
{
	int sig;

	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (sig = 1; sig < 32; sig++)
		if (sigs[sig].name && !strcasecmp(name, sigs[sig].name))
			return sig;
	return -EINVAL;
}

/* Every live thread to @state: stopped 'T' (a tracee 't'), or 'S'. */
static void set_group_state(struct kernel *k, struct task *leader, char state)
{
	struct task *th;

	list_for_each_entry(th, &leader->signal->thread_head, thread_node) {
		if (th->state == EXIT_ZOMBIE)
			continue;
		if (state == TASK_STOPPED && th->ptrace) {
			th->ptrace_code = leader->signal->group_stop_code;
			set_task_state(k, th, TASK_TRACED);
		} else {
			th->ptrace_code = 0;
			set_task_state(k, th, state);
		}
	}
	task_touch(k, leader);
}

/* do_signal_stop: the group stops once; a second stop signal does nothing. */
static void group_stop(struct kernel *k, struct task *leader, int sig)
{
	struct signal_struct *s = leader->signal;

	if (s->flags & SIGNAL_STOP_STOPPED)
		return;
	s->flags = SIGNAL_STOP_STOPPED;
	s->group_stop_code = sig;
	set_group_state(k, leader, TASK_STOPPED);
}

/* prepare_signal(SIGCONT): only a stopped group has a continue to report. */
static void group_cont(struct kernel *k, struct task *leader)
{
	struct signal_struct *s = leader->signal;
	int fatal = s->pending_fatal;

	if (!(s->flags & SIGNAL_STOP_STOPPED))
		return;
	s->flags = SIGNAL_STOP_CONTINUED;
	s->group_stop_code = 0;
	s->pending_fatal = 0;
	set_group_state(k, leader, TASK_INTERRUPTIBLE);
	if (fatal)	/* the signal that waited for the stop to end */
		group_exit(k, leader, fatal | (sig_default(fatal) == SA_CORE ? 0x80 : 0));
}

/* kill_ok_by_cred(): the sender's real or effective uid is the target's
 * real or saved uid, or the sender holds CAP_KILL (@as NULL or priv). */
static bool may_signal(const struct task *t, const struct sender *as)
{
	const struct cred *c = &t->cred;

	return !as || as->priv || as->euid == c->suid || as->euid == c->uid ||
	       as->uid == c->suid || as->uid == c->uid;
}

static int bad_signal(int sig)
{
	return kerr(-EINVAL, "no signal %d (1..64, or 0 to test)", sig);
}

/* group_send_sig_info(): the permission check, then the default action. */
static int send_group(struct kernel *k, struct task *t, int sig,
		      const struct sender *as)
{
	struct task *leader = t->group_leader;
	enum sig_action act;

	if (!may_signal(t, as))
		return kerr(-EPERM, "uid %u (euid %u) may not signal pid %d",
			    as->uid, as->euid, t->pid);
	/* Signal 0, a zombie group, init and kernel threads: nothing happens. */
	if (!sig || leader->signal->group_exiting || leader == k->init_task ||
	    task_is_kthread(leader))
		return 0;
	act = sig_default(sig);
	switch (act) {
	case SA_IGN:
		break;
	case SA_STOP:
		group_stop(k, leader, sig);
		break;
	case SA_CONT:
		group_cont(k, leader);
		break;
	case SA_TERM:
	case SA_CORE:
		/* Only SIGKILL ends a stopped group; others wait for SIGCONT. */
		if ((leader->signal->flags & SIGNAL_STOP_STOPPED) && sig != SIGKILL) {
			if (!leader->signal->pending_fatal)
				leader->signal->pending_fatal = sig;
			break;
		}
		group_exit(k, leader, sig | (act == SA_CORE ? 0x80 : 0));
		break;
	}
	return 0;
}

/*
 * kill(-1): every process but init (the caller is a real process, never a
 * simulated one).  As Linux: 0 once one was tried and only EPERMs failed,
 * -ESRCH if there was none.  By pid, so exits during the walk are safe.
 */
static int kill_all(struct kernel *k, int sig, const struct sender *as)
{
	struct task *t;
	int pid, err, retval = 0, count = 0;

	for (pid = next_tgid(k, 2, &t); pid > 0; pid = next_tgid(k, pid + 1, &t)) {
		err = send_group(k, t, sig, as);
		count++;
		if (err != -EPERM)
			retval = err;
	}
	return count ? retval : kerr(-ESRCH, "no process to signal");
}

/* __kill_pgrp_info(): 0 if one member got it, else the last error. */
static int kill_pgrp(struct kernel *k, int pgrp, int sig,
		     const struct sender *as)
{
	struct task *t;
	int pid, err, retval = -ESRCH;
	bool success = false;

	for (pid = next_tgid(k, 1, &t); pid > 0; pid = next_tgid(k, pid + 1, &t)) {
		if (t->signal->pgrp != pgrp)
			continue;
		err = send_group(k, t, sig, as);
		success |= !err;
		retval = err;
	}
	if (retval == -ESRCH)
		return kerr(-ESRCH, "no process in group %d", pgrp);
	return success ? 0 : retval;
}

int do_kill_as(struct kernel *k, int pid, int sig, const struct sender *as)
{
	struct task *t;

	lockdep_assert_world_held(k);
	if (sig < 0 || sig > SIGRTMAX_LINUX)
		return bad_signal(sig);
	if (pid == -1)
		return kill_all(k, sig, as);
	if (pid < -1 && pid != INT_MIN)
		return kill_pgrp(k, -pid, sig, as);
	t = pid > 0 ? find_task(k, pid) : NULL;
	return t ? send_group(k, t, sig, as) :
	       kerr_no_pid(pid);
}

int do_kill(struct kernel *k, int pid, int sig)
{
	lockdep_assert_world_held(k);
	return pid > 0 ? do_kill_as(k, pid, sig, NULL) :
	       (sig < 0 || sig > SIGRTMAX_LINUX) ? -EINVAL : -ESRCH;
}

int do_tkill(struct kernel *k, int tgid, int tid, int sig,
	     const struct sender *as)
{
	struct task *t;

	lockdep_assert_world_held(k);
	if (sig < 0 || sig > SIGRTMAX_LINUX)
		return bad_signal(sig);
	if (tid <= 0 || tgid < 0)
		return kerr(-EINVAL, "bad thread %d or process %d", tid, tgid);
	t = find_task(k, tid);
	if (!t)
		return kerr_no_pid(tid);
	if (tgid && t->tgid != tgid)
		return kerr(-ESRCH, "no thread %d in process %d", tid, tgid);
	return send_group(k, t, sig, as);
}

int set_child_subreaper(struct kernel *k, int pid, bool on)
{
	struct task *t = find_task(k, pid);

	lockdep_assert_world_held(k);
	if (!t || t->signal->group_exiting || t->state == EXIT_ZOMBIE)
		return kerr_no_pid(pid);
	t->signal->is_child_subreaper = on;
	task_touch(k, t->group_leader);
	return 0;
}
