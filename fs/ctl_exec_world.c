// SPDX-License-Identifier: MIT
/*
 * Executing the commands on the world as a whole: populate, reset,
 * pid_max, pidstore, save, load, stats, trace and help.
 */
#include <errno.h>
#include "ctl_exec.h"
#include "snapshot_file.h"

int ctl_exec_populate(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	int err = populate(k, c->populate.n);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

int ctl_exec_reset(struct kernel *k, const struct ctl_cmd *c,
		   struct buf *out)
{
	int err = kernel_reset(k);

	(void)c;
	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

int ctl_exec_pid_max(struct kernel *k, const struct ctl_cmd *c,
		     struct buf *out)
{
	int err = kernel_set_pid_max(k, c->pid_max.n);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/*
 * Move every pid into another backend.  What the /proc files show does not
 * depend on the backend, so no task is touched and no cache invalidated.
 */
int ctl_exec_pidstore(struct kernel *k, const struct ctl_cmd *c,
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

const char *const *ctl_get_own_mounts(void)
{
	return ctl_own_mounts;
}

int ctl_exec_save(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	int err = snapshot_save_file(k, c->file.path, ctl_own_mounts,
				     c->file.why);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/* Every old pid is logged gone (kernel_replace), so the caches drop all. */
int ctl_exec_load(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	int err = snapshot_load_file(k, c->file.path, ctl_own_mounts,
				     c->file.why);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/* stats and trace: the serving layer's, through the kernel's kstat hook. */
static int exec_serve(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	const struct kstat_hook *h = k->kstat;

	if (!h || !h->ctl)
		return -EOPNOTSUPP;
	return ctl_reply_ok(h->ctl(h->arg, c->serve.what), out);
}

int ctl_exec_stats(struct kernel *k, const struct ctl_cmd *c,
		   struct buf *out)
{
	return exec_serve(k, c, out);
}

int ctl_exec_trace(struct kernel *k, const struct ctl_cmd *c,
		   struct buf *out)
{
	return exec_serve(k, c, out);
}

int ctl_exec_help(struct kernel *k, const struct ctl_cmd *c,
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
