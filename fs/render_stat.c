// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat: the 52 fields of the
 * kernel's do_task_stat(), one line.  procps finds the comm between the
 * first '(' and the last ')' and sscanf()s from two bytes after that ')',
 * so exactly one space follows it.
 */
#include <string.h>
#include "render.h"
#include "render_util.h"

#define RLIM_INFINITY_STR	"18446744073709551615"

static inline void put_sp_u(struct buf *b, unsigned long long v)
{
	buf_putc(b, ' ');
	buf_put_u64(b, v);
}

static inline void put_sp_s(struct buf *b, long long v)
{
	buf_putc(b, ' ');
	buf_put_s64(b, v);
}

/* Fields 3-13: state through cmajflt. */
static void stat_ids(struct buf *b, const struct task *t,
		     const struct task_times *tt)
{
	const struct signal_struct *sig = t->signal;
	int tty = sig ? sig->tty_nr : 0;

	buf_putc(b, t->state);
	put_sp_s(b, task_ppid(t));
	put_sp_s(b, sig ? sig->pgrp : 0);
	put_sp_s(b, sig ? sig->session : 0);
	put_sp_s(b, tty);
	/* tpgid: -1 without a controlling terminal, as the kernel prints. */
	put_sp_s(b, tty ? sig->tpgid : -1);
	put_sp_u(b, t->flags);
	put_sp_u(b, tt->minflt);
	buf_putlit(b, " 0");		/* cminflt: not modelled */
	put_sp_u(b, tt->majflt);
	buf_putlit(b, " 0");		/* cmajflt */
}

/* Fields 14-22: times, priority, threads, starttime. */
static void stat_sched(struct buf *b, const struct task *t,
		       const struct task_times *tt)
{
	const struct signal_struct *sig = t->signal;

	put_sp_u(b, tt->utime);
	put_sp_u(b, tt->stime);
	put_sp_u(b, sig ? sig->cutime : 0);
	put_sp_u(b, sig ? sig->cstime : 0);
	put_sp_s(b, 20 + t->nice);	/* task_prio(): prio - MAX_RT_PRIO */
	put_sp_s(b, t->nice);
	put_sp_s(b, task_nr_threads(t));
	buf_putlit(b, " 0");		/* itrealvalue */
	put_sp_u(b, t->start_time);
}

/* Fields 23-28: vsize, rss, rsslim, startcode, endcode, startstack. */
static void stat_mem(struct buf *b, const struct mm_struct *mm)
{
	struct mm_counts c;

	if (!mm) {
		buf_putlit(b, " 0 0 " RLIM_INFINITY_STR " 0 0 0");
		return;
	}
	mm_counts(mm, &c);
	put_sp_u(b, c.total_vm << PAGE_SHIFT);
	put_sp_u(b, c.rss);
	buf_putlit(b, " " RLIM_INFINITY_STR);
	put_sp_u(b, mm->start_code);
	put_sp_u(b, mm->end_code);
	put_sp_u(b, mm->start_stack);
}

/*
 * Fields 29-44.  Signal masks are not modelled: kernel threads ignore
 * everything (0x7fffffff is what the 32-bit field shows), others nothing.
 * wchan (35) is a 0/1 flag since Linux 4.x.
 */
static void stat_signals(struct buf *b, const struct task *t)
{
	buf_putlit(b, " 0 0 0 0");	/* kstkesp kstkeip signal blocked */
	if (task_is_kthread(t))
		buf_putlit(b, " 2147483647 0");
	else
		buf_putlit(b, " 0 0");
	buf_putc(b, ' ');
	buf_putc(b, t->wchan ? '1' : '0');
	buf_putlit(b, " 0 0");		/* nswap cnswap */
	put_sp_s(b, t->exit_signal);
	put_sp_u(b, t->cpu);
	put_sp_u(b, t->rt_priority);
	put_sp_u(b, t->policy);
	buf_putlit(b, " 0 0 0");	/* blkio_ticks guest_time cguest_time */
}

/* Fields 45-52: the data and argument layout, and exit_code. */
static void stat_layout(struct buf *b, const struct task *t,
			const struct mm_struct *mm)
{
	if (mm) {
		put_sp_u(b, mm->start_data);
		put_sp_u(b, mm->end_data);
		put_sp_u(b, mm->start_brk);
		put_sp_u(b, mm->arg_start);
		put_sp_u(b, mm->arg_end);
		put_sp_u(b, mm->env_start);
		put_sp_u(b, mm->env_end);
	} else {
		buf_putlit(b, " 0 0 0 0 0 0 0");
	}
	put_sp_s(b, t->exit_code);
}

void render_tid_stat(struct buf *b, const struct render_ctx *c,
		     const struct task *t, bool whole)
{
	const struct mm_struct *mm = task_proc_mm(t);
	struct task_times tt;
	const char *name;
	size_t n;

	(void)c;
	task_times(t, whole, &tt);
	buf_put_s64(b, t->pid);
	buf_putlit(b, " (");
	/* The kernel writes comm unescaped here; procps copes via strrchr. */
	name = task_name(t, &n);
	buf_put(b, name, n);
	buf_putlit(b, ") ");
	stat_ids(b, t, &tt);
	stat_sched(b, t, &tt);
	stat_mem(b, mm);
	stat_signals(b, t);
	stat_layout(b, t, mm);
	buf_putc(b, '\n');
}
