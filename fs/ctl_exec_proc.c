// SPDX-License-Identifier: MIT
/*
 * Executing the process-life commands: fork, clone, exec, exit, wait,
 * exit_thread, ptrace, detach, subreaper, setuid and setgid.
 */
#include <errno.h>
#include <stdlib.h>
#include "ctl_exec.h"

#define PID_TEXT_MAX	11	/* " 4194303" + printf's NUL, and room */

int ctl_exec_fork(struct kernel *k, const struct ctl_cmd *c,
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

int ctl_exec_clone(struct kernel *k, const struct ctl_cmd *c,
		   struct buf *out)
{
	int tid, err = do_clone_thread(k, c->clone.pid, &tid);

	if (!err)
		buf_printf(out, "%d\n", tid);
	return err;
}

int ctl_exec_exec(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	/* comm NULL: the core takes the basename of argv[0], as execve does. */
	int err = do_execve(k, c->exec.pid, NULL, c->exec.argc, c->exec.argv);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

int ctl_exec_exit(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	int err = do_exit(k, c->exit.pid, c->exit.code);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

int ctl_exec_wait(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	int reaped = 0, status = 0;
	int err = do_wait(k, c->wait.pid, c->wait.who, c->wait.options,
			  &reaped, &status);

	if (!err)
		buf_printf(out, "%d %d\n", reaped, reaped ? status : 0);
	return err;
}

int ctl_exec_exit_thread(struct kernel *k, const struct ctl_cmd *c,
			 struct buf *out)
{
	return ctl_reply_ok(do_exit_thread(k, c->exit_thread.pid,
				       c->exit_thread.code), out);
}

int ctl_exec_ptrace(struct kernel *k, const struct ctl_cmd *c,
		    struct buf *out)
{
	return ctl_reply_ok(ptrace_attach(k, c->ptrace.pid, c->ptrace.tracer),
			    out);
}

int ctl_exec_detach(struct kernel *k, const struct ctl_cmd *c,
		    struct buf *out)
{
	return ctl_reply_ok(ptrace_detach(k, c->detach.pid), out);
}

int ctl_exec_subreaper(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	return ctl_reply_ok(set_child_subreaper(k, c->subreaper.pid,
					    c->subreaper.on), out);
}

int ctl_exec_setuid(struct kernel *k, const struct ctl_cmd *c,
		    struct buf *out)
{
	int err = do_setuid(k, c->setid.pid, c->setid.id);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

int ctl_exec_setgid(struct kernel *k, const struct ctl_cmd *c,
		    struct buf *out)
{
	int err = do_setgid(k, c->setid.pid, c->setid.id);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}
