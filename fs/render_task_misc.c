// SPDX-License-Identifier: MIT
/*
 * The small per-task files: cmdline, environ, comm, wchan, cgroup.
 */
#include <string.h>
#include "render.h"
#include "render_util.h"

/*
 * argv as the process laid it out, NUL-separated; a thread shows its
 * process's (they share the mm).  Empty for kernel threads and zombies,
 * which is what makes ps print "[comm]".
 */
void render_tid_cmdline(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole)
{
	const struct mm_struct *mm = task_proc_mm(t);

	(void)c;
	(void)whole;
	if (mm && mm->args)
		buf_put(b, mm->args, mm->args_len);
}

void render_tid_environ(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole)
{
	const struct mm_struct *mm = task_proc_mm(t);

	(void)c;
	(void)whole;
	if (mm && mm->env)
		buf_put(b, mm->env, mm->env_len);
}

/* The thread's own name, unescaped, newline-terminated. */
void render_tid_comm(struct buf *b, const struct render_ctx *c,
		     const struct task *t, bool whole)
{
	const char *name;
	size_t n;

	(void)c;
	(void)whole;
	name = task_name(t, &n);
	buf_put(b, name, n);
	buf_putc(b, '\n');
}

/* A symbol name or "0", with no newline (procps shows "-" for "0"). */
void render_tid_wchan(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	buf_puts(b, t->wchan ? t->wchan : "0");
}

/*
 * cgroup v2 only: one "0::<path>" line.  The path follows a systemd host:
 * init in init.scope, kernel threads at the root, logins under user.slice
 * and the remaining system processes in system.slice.
 */
void render_tid_cgroup(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	if (task_is_kthread(t)) {
		buf_putlit(b, "0::/\n");
	} else if (t->tgid == 1) {
		buf_putlit(b, "0::/init.scope\n");
	} else if (t->cred.uid >= 1000) {
		buf_putlit(b, "0::/user.slice/user-");
		buf_put_u64(b, t->cred.uid);
		buf_putlit(b, ".slice/session-1.scope\n");
	} else {
		buf_putlit(b, "0::/system.slice\n");
	}
}
