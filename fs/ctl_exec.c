// SPDX-License-Identifier: MIT
/*
 * The control-file executor: a parsed struct ctl_cmd into core calls and
 * one reply line.  The core calls are all-or-nothing, so a failure here
 * needs no undo: only the reply buffer is prepared before the world moves.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "ctl_replay.h"
#include "snapshot_file.h"

#define REPLY_MIN	64	/* room for any reply but fork's */
#define PID_TEXT_MAX	11	/* " 4194303" + printf's NUL, and room */

/*
 * What a failed command's line starts with: glibc's name for every errno
 * (strerrorname_np, glibc 2.32), so none reads EUNKNOWN.
 */
const char *ctl_errno_name(int err)
{
	const char *name = strerrorname_np(err < 0 ? -err : err);

	return name ? name : "EUNKNOWN";
}

/* ---- the commands: core calls only; the reply is written on success ---- */

typedef int (*ctl_exec_fn)(struct kernel *k, const struct ctl_cmd *c,
			   struct buf *out);

static int exec_fork(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	int *pids, i, err;

	/* Reserve the whole reply first: once forked, ENOMEM would be a lie. */
	if (!buf_reserve(out, (size_t)c->fork.count * PID_TEXT_MAX + 1))
		return -ENOMEM;
	pids = malloc(c->fork.count * sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	err = do_fork(k, c->fork.ppid, c->fork.count, pids);
	for (i = 0; !err && i < c->fork.count; i++)
		buf_printf(out, i ? " %d" : "%d", pids[i]);
	if (!err)
		buf_putc(out, '\n');
	free(pids);
	return err;
}

static int exec_clone(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	int tid, err = do_clone_thread(k, c->clone.pid, &tid);

	if (!err)
		buf_printf(out, "%d\n", tid);
	return err;
}

static int exec_exec(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	/* comm NULL: the core takes the basename of argv[0], as execve does. */
	int err = do_execve(k, c->exec.pid, NULL, c->exec.argc, c->exec.argv);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_exit(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	int err = do_exit(k, c->exit.pid, c->exit.code);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_wait(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	int reaped = 0, status = 0;
	int err = do_wait(k, c->wait.pid, c->wait.who, c->wait.options,
			  &reaped, &status);

	if (!err)
		buf_printf(out, "%d %d\n", reaped, reaped ? status : 0);
	return err;
}

static int reply_ok(int err, struct buf *out)
{
	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_exit_thread(struct kernel *k, const struct ctl_cmd *c,
			    struct buf *out)
{
	return reply_ok(do_exit_thread(k, c->exit_thread.pid,
				       c->exit_thread.code), out);
}

static int exec_kill(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	return reply_ok(do_kill_as(k, c->kill.pid, c->kill.sig, &c->kill.as),
			out);
}

static int exec_tgkill(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	return reply_ok(do_tkill(k, c->tgkill.tgid, c->tgkill.tid,
				 c->tgkill.sig, &c->tgkill.as), out);
}

static int exec_setpriority(struct kernel *k, const struct ctl_cmd *c,
			    struct buf *out)
{
	return reply_ok(do_setpriority(k, c->prio.which, c->prio.who,
				       c->prio.nice, &c->prio.as), out);
}

static int exec_getpriority(struct kernel *k, const struct ctl_cmd *c,
			    struct buf *out)
{
	int prio, err = do_getpriority(k, c->prio.which, c->prio.who, &prio);

	if (!err)
		buf_printf(out, "%d\n", prio);
	return err;
}

static int exec_sched_setaffinity(struct kernel *k, const struct ctl_cmd *c,
				  struct buf *out)
{
	return reply_ok(do_sched_setaffinity(k, c->sched.pid, c->sched.mask,
					     &c->sched.as), out);
}

static int exec_sched_getaffinity(struct kernel *k, const struct ctl_cmd *c,
				  struct buf *out)
{
	uint64_t mask;
	int err = do_sched_getaffinity(k, c->sched.pid, &mask);

	if (!err)
		buf_printf(out, "0x%llx\n", (unsigned long long)mask);
	return err;
}

static int exec_sched_setscheduler(struct kernel *k, const struct ctl_cmd *c,
				   struct buf *out)
{
	return reply_ok(do_sched_setscheduler(k, c->sched.pid, c->sched.policy,
					      c->sched.prio, &c->sched.as), out);
}

static int exec_sched_getscheduler(struct kernel *k, const struct ctl_cmd *c,
				   struct buf *out)
{
	int policy, prio, err = do_sched_getscheduler(k, c->sched.pid, &policy,
						      &prio);

	if (!err)
		buf_printf(out, "%d %d\n", policy, prio);
	return err;
}

/* ctl's WHICH is 0..2 (process, pgrp, user); IOPRIO_WHO_* are 1..3. */
static int exec_ioprio_set(struct kernel *k, const struct ctl_cmd *c,
			   struct buf *out)
{
	return reply_ok(do_ioprio_set(k, c->prio.which + 1, c->prio.who,
				      c->prio.nice, &c->prio.as), out);
}

static int exec_ioprio_get(struct kernel *k, const struct ctl_cmd *c,
			   struct buf *out)
{
	int ioprio, err = do_ioprio_get(k, c->prio.which + 1, c->prio.who,
					&ioprio);

	if (!err)
		buf_printf(out, "%d\n", ioprio);
	return err;
}

/* The limit before, "unlimited" spelled as prlimit(1) and limits spell it. */
static void put_rlim(struct buf *out, rlim_t v, char end)
{
	if (v == RLIM_INFINITY)
		buf_puts(out, "unlimited");
	else
		buf_printf(out, "%llu", (unsigned long long)v);
	buf_putc(out, end);
}

static int exec_prlimit(struct kernel *k, const struct ctl_cmd *c,
			struct buf *out)
{
	struct rlimit old, new = { c->prlimit.soft, c->prlimit.hard };
	int err = do_prlimit(k, c->prlimit.pid, c->prlimit.res,
			     c->prlimit.set ? &new : NULL, &old, &c->prlimit.as);

	if (!err) {
		put_rlim(out, old.rlim_cur, ' ');
		put_rlim(out, old.rlim_max, '\n');
	}
	return err;
}

static int exec_stop(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	return exec_kill(k, c, out);
}

static int exec_cont(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	return exec_kill(k, c, out);
}

static int exec_ptrace(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	return reply_ok(ptrace_attach(k, c->ptrace.pid, c->ptrace.tracer), out);
}

static int exec_detach(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	return reply_ok(ptrace_detach(k, c->detach.pid), out);
}

static int exec_subreaper(struct kernel *k, const struct ctl_cmd *c,
			  struct buf *out)
{
	return reply_ok(set_child_subreaper(k, c->subreaper.pid,
					    c->subreaper.on), out);
}

static int exec_mmap(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	unsigned long addr;
	int err = do_mmap(k, c->mmap.pid, c->mmap.addr, c->mmap.len,
			  c->mmap.prot, c->mmap.flags, &addr);

	if (!err)
		buf_printf(out, "0x%lx\n", addr);
	return err;
}

static int exec_munmap(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	int err = do_munmap(k, c->munmap.pid, c->munmap.addr, c->munmap.len);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_mprotect(struct kernel *k, const struct ctl_cmd *c,
			 struct buf *out)
{
	int err = do_mprotect(k, c->mprotect.pid, c->mprotect.addr,
			      c->mprotect.len, c->mprotect.prot);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_brk(struct kernel *k, const struct ctl_cmd *c, struct buf *out)
{
	unsigned long brk = 0;
	int err = do_brk(k, c->brk.pid, c->brk.addr, &brk);

	if (!err)
		buf_printf(out, "0x%lx\n", brk);
	return err;
}

static int exec_max_map_count(struct kernel *k, const struct ctl_cmd *c,
			      struct buf *out)
{
	int err = kernel_set_max_map_count(k, c->max_map_count.n);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_populate(struct kernel *k, const struct ctl_cmd *c,
			 struct buf *out)
{
	int err = populate(k, c->populate.n);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_reset(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	int err = kernel_reset(k);

	(void)c;
	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_pid_max(struct kernel *k, const struct ctl_cmd *c,
			struct buf *out)
{
	int err = kernel_set_pid_max(k, c->pid_max.n);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_setuid(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	int err = do_setuid(k, c->setid.pid, c->setid.id);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

static int exec_setgid(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	int err = do_setgid(k, c->setid.pid, c->setid.id);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/*
 * Move every pid into another backend.  What the /proc files show does not
 * depend on the backend, so no task is touched and no cache invalidated.
 */
static int exec_pidstore(struct kernel *k, const struct ctl_cmd *c,
			 struct buf *out)
{
	int err = pid_store_switch(&k->pids, c->pidstore.ops);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/*
 * save and load lock for themselves (fs/snapshot_file.c): their file I/O
 * runs with no world lock held, so that no path (our own mount, a FIFO, a
 * slow disk) can make a reader wait on it.
 */
static const char *const *ctl_own_mounts;

void ctl_set_own_mounts(const char *const *paths)
{
	ctl_own_mounts = paths;
}

static int exec_save(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	int err = snapshot_save_file(k, c->file.path, ctl_own_mounts,
				     c->file.why);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/* Every old pid is logged gone (kernel_replace), so the caches drop all. */
static int exec_load(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	int err = snapshot_load_file(k, c->file.path, ctl_own_mounts,
				     c->file.why);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/* replay: fs/ctl_replay.c, which takes k->lock around each event. */
static int exec_replay(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	return ctl_replay(k, c, ctl_own_mounts, out);
}

/* stats and trace: the serving layer's, through the kernel's kstat hook. */
static int exec_serve(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	const struct kstat_hook *h = k->kstat;

	if (!h || !h->ctl)
		return -EOPNOTSUPP;
	return reply_ok(h->ctl(h->arg, c->serve.what), out);
}

static int exec_stats(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	return exec_serve(k, c, out);
}

static int exec_trace(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	return exec_serve(k, c, out);
}

static int exec_help(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	int op;

	(void)k;
	(void)c;
	buf_puts(out, "commands:");
	for (op = 0; op < CTL_NR_OPS; op++)
		buf_printf(out, "%s %s%s%s", op ? ";" : "", ctl_op_name(op),
			   *ctl_op_usage(op) ? " " : "", ctl_op_usage(op));
	buf_putc(out, '\n');
	return 0;
}

/* repeat runs commands through the table: defined after it. */
static int exec_repeat(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out);

static const ctl_exec_fn ctl_exec_fns[CTL_NR_OPS] = {
#define CTL_ROW_(op, nm, min, max, use) [CTL_##op] = exec_##nm,
	CTL_COMMANDS(CTL_ROW_)
#undef CTL_ROW_
};

/* ---- errors ---- */

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
static void explain(struct buf *out, const struct kernel *k,
		    const struct ctl_cmd *c, int err)
{
	char why[KOPT_WHY_LEN];
	int pid = ctl_cmd_pid(c);

	if (c->op == CTL_REPLAY)
		buf_puts(out, c->replay.why);
	else if (c->op == CTL_SAVE || c->op == CTL_LOAD)
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

/* Commands that take k->lock themselves, around their memory-only part. */
static bool ctl_locks_itself(enum ctl_op op)
{
	return op == CTL_SAVE || op == CTL_LOAD || op == CTL_REPLAY;
}

/*
 * One command at a time, whoever writes: a load builds its new world
 * outside k->lock from k's options, so no other command may run
 * meanwhile.  Readers never take this.
 */
static pthread_mutex_t ctl_serial = PTHREAD_MUTEX_INITIALIZER;

void ctl_serial_lock(void)
{
	pthread_mutex_lock(&ctl_serial);
}

void ctl_serial_unlock(void)
{
	pthread_mutex_unlock(&ctl_serial);
}

/* The pid a fork or clone made: the last number of its reply. */
static void note_last_pid(struct ctl_session *s, const struct ctl_cmd *cmd,
			  const struct buf *out, size_t mark)
{
	const char *p = out->data + out->len;
	int pid = 0, scale = 1;

	if (cmd->op != CTL_FORK && cmd->op != CTL_CLONE)
		return;
	while (p > out->data + mark && (p[-1] < '0' || p[-1] > '9'))
		p--;
	for (; p > out->data + mark && p[-1] >= '0' && p[-1] <= '9'; p--, scale *= 10)
		pid += (p[-1] - '0') * scale;
	if (pid > 0)
		s->last_pid = pid;
}

static int execute_locked(struct kernel *k, struct ctl_session *s,
			  const struct ctl_cmd *cmd, struct buf *out);

/*
 * repeat: every run parses its commands again, so $! follows the forks
 * of the run before.  A failure is reported as the failing command's own
 * line, with the run: "E<NAME>: repeat: run I of N: <command>: <why>".
 */
static int run_repeat(struct kernel *k, struct ctl_session *s,
		      const struct ctl_cmd *c, struct buf *out, size_t mark)
{
	struct buf scratch;
	int err = 0;

	buf_init(&scratch);
	for (int run = 1; run <= c->repeat.n && !err; run++) {
		const char *line = c->repeat.text;

		for (int i = 0; i < c->repeat.nlines && !err;
		     i++, line += strlen(line) + 1) {
			struct ctl_cmd sub;

			buf_reset(&scratch);
			err = ctl_parse_in(line, strlen(line), s->last_pid, &sub, &scratch);
			if (err) {
				out->len = mark;
				buf_printf(out, "%s: repeat: run %d of %d: %.*s\n",
					   ctl_errno_name(err), run, c->repeat.n,
					   (int)scratch.len, scratch.data ? scratch.data : "");
				break;
			}
			err = execute_locked(k, s, &sub, &scratch);
			ctl_cmd_free(&sub);
			if (err) {
				const char *msg = scratch.data ? strchr(scratch.data, ' ') : NULL;

				out->len = mark;
				buf_printf(out, "%s: repeat: run %d of %d: %.*s",
					   ctl_errno_name(err), run, c->repeat.n,
					   msg ? (int)(scratch.len - (msg + 1 - scratch.data)) : 0,
					   msg ? msg + 1 : "");
			}
		}
	}
	buf_free(&scratch);
	if (!err)
		buf_printf(out, "ok %d\n", c->repeat.n);
	return err;
}

/* The table's entry: a repeat outside any session (its $! starts unset). */
static int exec_repeat(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	struct ctl_session s = { 0 };

	return run_repeat(k, &s, c, out, out->len);
}

/*
 * Run @cmd: the reply, or the error line.
 * Context: ctl_serial held, and k->lock for writing unless
 * ctl_locks_itself(@cmd->op).
 */
static int execute_locked(struct kernel *k, struct ctl_session *s,
			  const struct ctl_cmd *cmd, struct buf *out)
{
	size_t mark = out->len;
	int err;

	if (cmd->op == CTL_REPEAT)
		return run_repeat(k, s, cmd, out, mark);
	err = ctl_exec_fns[cmd->op](k, cmd, out);
	if (err) {
		out->len = mark;	/* never half a reply */
		buf_printf(out, "%s: %s: ", ctl_errno_name(err),
			   ctl_op_name(cmd->op));
		explain(out, k, cmd, err);	/* save, load: no kernel read */
		buf_putc(out, '\n');
	} else {
		note_last_pid(s, cmd, out, mark);
	}
	return err;
}

int ctl_execute_in(struct kernel *k, struct ctl_session *s,
		   const struct ctl_cmd *cmd, struct buf *out)
{
	bool self = ctl_locks_itself(cmd->op);
	int err;

	if ((unsigned int)cmd->op >= CTL_NR_OPS) {
		buf_puts(out, "EINVAL: no such command value\n");
		return -EINVAL;
	}
	/* Room for a short reply before the world moves; fork asks for more. */
	if (!buf_reserve(out, REPLY_MIN))
		return -ENOMEM;
	pthread_mutex_lock(&ctl_serial);
	if (!self)
		pthread_rwlock_wrlock(&k->lock);
	err = execute_locked(k, s, cmd, out);
	if (!self)
		pthread_rwlock_unlock(&k->lock);
	pthread_mutex_unlock(&ctl_serial);
	return err;
}

int ctl_execute(struct kernel *k, const struct ctl_cmd *cmd, struct buf *out)
{
	struct ctl_session s = { 0 };

	return ctl_execute_in(k, &s, cmd, out);
}

int ctl_run_line_in(struct kernel *k, struct ctl_session *s, const char *line,
		    size_t len, struct buf *out)
{
	struct ctl_cmd cmd;
	struct buf msg;
	int err;

	buf_init(&msg);
	err = ctl_parse_in(line, len, s->last_pid, &cmd, &msg);
	if (err) {
		buf_printf(out, "%s: %.*s\n", ctl_errno_name(err),
			   (int)msg.len, msg.len ? msg.data : "");
		buf_free(&msg);
		return err;
	}
	buf_free(&msg);
	err = ctl_execute_in(k, s, &cmd, out);
	ctl_cmd_free(&cmd);
	return err;
}

int ctl_run_line(struct kernel *k, const char *line, size_t len,
		 struct buf *out)
{
	struct ctl_session s = { 0 };

	return ctl_run_line_in(k, &s, line, len, out);
}
