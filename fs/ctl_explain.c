// SPDX-License-Identifier: MIT
/*
 * The message of a failed command, after "E<NAME>: <command>: ".
 */
#include <errno.h>
#include <string.h>
#include "ctl_exec.h"

/* The pid a command acts on, for messages. */
static int ctl_cmd_pid(const struct ctl_cmd *c)
{
	switch (c->op) {
	case CTL_FORK:		return c->fork.ppid;
	case CTL_CLONE:		return c->clone.pid;
	case CTL_EXEC:		return c->exec.pid;
	case CTL_EXIT:		return c->exit.pid;
	case CTL_WAIT:		return c->wait.pid;
	case CTL_EXIT_THREAD:	return c->exit_thread.pid;
	case CTL_KILL:
	case CTL_STOP:
	case CTL_CONT:		return c->kill.pid;
	case CTL_TGKILL:	return c->tgkill.tid;
	case CTL_SCHED_SETAFFINITY:
	case CTL_SCHED_GETAFFINITY:
	case CTL_SCHED_SETSCHEDULER:
	case CTL_SCHED_GETSCHEDULER:	return c->sched.pid;
	case CTL_PRLIMIT:	return c->prlimit.pid;
	case CTL_PTRACE:	return c->ptrace.pid;
	case CTL_DETACH:	return c->detach.pid;
	case CTL_SUBREAPER:	return c->subreaper.pid;
	case CTL_MMAP:		return c->mmap.pid;
	case CTL_MUNMAP:	return c->munmap.pid;
	case CTL_MPROTECT:	return c->mprotect.pid;
	case CTL_BRK:		return c->brk.pid;
	case CTL_SETUID:
	case CTL_SETGID:	return c->setid.pid;
	default:		return 0;
	}
}

static void explain_wait(struct buf *out, const struct ctl_cmd *c, int err)
{
	int pid = c->wait.pid, who = c->wait.who;

	if (err == -ECHILD && who == -1)
		buf_printf(out, "pid %d has no children", pid);
	else if (err == -ECHILD && who <= 0)
		buf_printf(out, "pid %d has no children in process group %d",
			   pid, -who);
	else if (err == -ECHILD)
		buf_printf(out, "pid %d has no child %d", pid, who);
	else if (who <= 0)	/* -EAGAIN: nothing runs to wake a sleeper */
		buf_printf(out, "no child of pid %d has exited "
			   "(add 'nohang')", pid);
	else
		buf_printf(out, "child %d of pid %d has not exited "
			   "(add 'nohang')", who, pid);
}

static void explain_ptrace(struct buf *out, const struct kernel *k,
			   const struct ctl_cmd *c, int err)
{
	const struct task *t = find_task(k, c->ptrace.pid);

	if (err == -ESRCH && t)
		buf_printf(out, "no live tracer with pid %d", c->ptrace.tracer);
	else if (err == -ESRCH)
		buf_printf(out, "no process with pid %d", c->ptrace.pid);
	else if (t && t->ptrace)
		buf_printf(out, "pid %d is already traced", c->ptrace.pid);
	else
		buf_printf(out, "pid %d cannot be traced by %d (init, a kernel "
			   "thread, a zombie, a non-leader thread or the "
			   "tracer's own process)", c->ptrace.pid,
			   c->ptrace.tracer);
}

static void explain_prio(struct buf *out, const struct ctl_cmd *c, int err)
{
	static const char *const which[] = { "process", "process group", "user" };

	if (err == -ESRCH)
		buf_printf(out, "no %s %d", which[c->prio.which], c->prio.who);
	else if (err == -EPERM && c->op == CTL_IOPRIO_SET)
		buf_printf(out, "uid %u may not set io priority %d of %s %d",
			   c->prio.as.uid, c->prio.nice, which[c->prio.which],
			   c->prio.who);
	else if (err == -EINVAL && c->op == CTL_IOPRIO_SET)
		buf_printf(out, "bad io priority %d (class << 13 | level)",
			   c->prio.nice);
	else if (err == -EPERM)
		buf_printf(out, "euid %u may not renice %s %d", c->prio.as.euid,
			   which[c->prio.which], c->prio.who);
	else if (err == -EACCES)
		buf_printf(out, "lowering nice to %d needs CAP_SYS_NICE",
			   c->prio.nice);
	else
		buf_puts(out, strerror(-err));
}

/* A setting the core refused: its own reason (kernel_opts.c). */
static void explain_opt(struct buf *out, int err, const char *why)
{
	buf_puts(out, err ? why : strerror(EINVAL));
}

/* The message after "E<NAME>: <command>: "; called under k->lock. */
void ctl_explain(struct buf *out, const struct kernel *k,
		 const struct ctl_cmd *c, int err)
{
	char why[KOPT_WHY_LEN];
	int pid = ctl_cmd_pid(c);

	if (c->op == CTL_REPLAY)
		buf_puts(out, c->replay.why);
	else if (c->op == CTL_SAVE || c->op == CTL_LOAD || c->op == CTL_IMPORT)
		buf_printf(out, "%s: %s", c->file.path, c->file.why);
	else if (c->op == CTL_PTRACE)
		explain_ptrace(out, k, c, err);
	else if (c->op == CTL_SETPRIORITY || c->op == CTL_GETPRIORITY ||
		 c->op == CTL_IOPRIO_SET || c->op == CTL_IOPRIO_GET)
		explain_prio(out, c, err);
	else if (err == -EPERM && (c->op == CTL_KILL || c->op == CTL_TGKILL))
		buf_printf(out, "uid %u (euid %u) may not signal pid %d",
			   c->op == CTL_KILL ? c->kill.as.uid : c->tgkill.as.uid,
			   c->op == CTL_KILL ? c->kill.as.euid : c->tgkill.as.euid,
			   pid);
	else if (err == -ESRCH && c->op == CTL_KILL && pid < 0)
		buf_printf(out, pid == -1 ? "no process to signal" :
			   "no process in group %d", -pid);
	else if (err == -ESRCH && c->op == CTL_TGKILL && c->tgkill.tgid)
		buf_printf(out, "no thread %d in process %d", pid, c->tgkill.tgid);
	else if (err == -EPERM && c->op >= CTL_SCHED_SETAFFINITY &&
		 c->op <= CTL_SCHED_GETSCHEDULER)
		buf_printf(out, "euid %u may not change pid %d without "
			   "CAP_SYS_NICE", c->sched.as.euid, pid);
	else if (err == -EINVAL && c->op == CTL_SCHED_SETAFFINITY)
		buf_printf(out, "mask 0x%llx has none of the %d CPUs",
			   (unsigned long long)c->sched.mask, k->nr_cpus);
	else if (err == -EINVAL && c->op == CTL_SCHED_SETSCHEDULER)
		buf_printf(out, "bad policy %d with priority %d", c->sched.policy,
			   c->sched.prio);
	else if (err == -EPERM && c->op == CTL_PRLIMIT)
		buf_printf(out, "uid %u may not change pid %d's limits, or raise "
			   "a hard limit, without CAP_SYS_RESOURCE",
			   c->prlimit.as.uid, pid);
	else if (err == -EINVAL && c->op == CTL_PRLIMIT)
		buf_printf(out, "no resource %d, or soft above hard",
			   c->prlimit.res);
	else if (err == -ESRCH && c->op == CTL_DETACH)
		buf_printf(out, "pid %d is not traced", pid);
	else if (err == -ESRCH)
		buf_printf(out, "no process with pid %d", pid);
	else if (c->op == CTL_WAIT && (err == -ECHILD || err == -EAGAIN))
		explain_wait(out, c, err);
	else if (err == -EAGAIN)
		buf_printf(out, "no free pid (pid_max %d, %lu in use)",
			   k->pids.pid_max, k->pids.nr_used);
	else if (err == -EINVAL && c->op == CTL_KILL)
		buf_printf(out, "no signal %d (1..64, or 0 to test)", c->kill.sig);
	else if (err == -EINVAL && c->op == CTL_TGKILL)
		buf_printf(out, "no signal %d (1..64, or 0 to test)",
			   c->tgkill.sig);
	else if (err == -EPERM && (c->op == CTL_EXIT || c->op == CTL_EXIT_THREAD))
		buf_printf(out, "pid %d is init or a kernel thread, "
			   "which cannot exit", pid);
	else if (err == -EPERM && (c->op == CTL_SETUID || c->op == CTL_SETGID))
		buf_printf(out, "pid %d is a kernel thread", pid);
	else if (err == -EINVAL && (c->op == CTL_CLONE || c->op == CTL_EXEC) &&
		 find_task(k, pid) && task_is_kthread(find_task(k, pid)))
		buf_printf(out, "pid %d is a kernel thread", pid);
	else if (err == -EACCES && c->op == CTL_EXEC)
		buf_printf(out, "'%s' is a directory", c->exec.argv[0]);
	else if (err == -ENOMEM && c->op == CTL_MPROTECT)
		buf_printf(out, "range not mapped throughout or over "
			   "max_map_count %d", k->max_map_count);
	else if (err == -ENOMEM && c->op == CTL_BRK)
		buf_printf(out, "no room for the heap there or over "
			   "max_map_count %d", k->max_map_count);
	else if (err == -EINVAL && c->op == CTL_BRK)
		buf_printf(out, "0x%lx is below the heap's start or the process has"
			   " no heap", c->brk.addr);
	else if (err == -EEXIST && c->op == CTL_MMAP)
		buf_printf(out, "noreplace: 0x%lx+0x%lx overlaps a mapping",
			   c->mmap.addr, c->mmap.len);
	else if (err == -EPERM && c->op == CTL_MMAP)
		buf_printf(out, "0x%lx is below mmap_min_addr", c->mmap.addr);
	else if (err == -ENOMEM && (c->op == CTL_MMAP || c->op == CTL_MUNMAP))
		buf_printf(out, "no room in the address space or over "
			   "max_map_count %d", k->max_map_count);
	else if (err == -EINVAL && c->op == CTL_PID_MAX)
		explain_opt(out, kopt_check_pid_max(c->pid_max.n, why), why);
	else if (err == -EINVAL && c->op == CTL_MAX_MAP_COUNT)
		explain_opt(out, kopt_check_max_map_count(c->max_map_count.n, why),
			    why);
	else if (err == -EINVAL && c->op == CTL_MUNMAP)
		buf_printf(out, "bad range 0x%lx+0x%lx", c->munmap.addr,
			   c->munmap.len);
	else
		buf_puts(out, strerror(-err));
}
