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
#include "ctl_exec.h"

#define REPLY_MIN	64	/* room for any reply but fork's */

/*
 * What a failed command's line starts with: glibc's name for every errno
 * (strerrorname_np, glibc 2.32), so none reads EUNKNOWN.
 */
const char *ctl_errno_name(int err)
{
	const char *name = strerrorname_np(err < 0 ? -err : err);

	return name ? name : "EUNKNOWN";
}

int ctl_reply_ok(int err, struct buf *out)
{
	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

/* The commands' executors: add a command, and its ctl_exec_<name>(). */
static const ctl_exec_fn ctl_exec_fns[CTL_NR_OPS] = {
#define CTL_ROW_(op, nm, min, max, use) [CTL_##op] = ctl_exec_##nm,
	CTL_COMMANDS(CTL_ROW_)
#undef CTL_ROW_
};

/* Commands that take k->lock themselves, around their memory-only part. */
static bool ctl_locks_itself(enum ctl_op op)
{
	return op == CTL_SAVE || op == CTL_LOAD || op == CTL_IMPORT ||
	       op == CTL_REPLAY;
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
int ctl_exec_repeat(struct kernel *k, const struct ctl_cmd *c,
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
		ctl_explain(out, k, cmd, err);	/* save, load: no kernel read */
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
