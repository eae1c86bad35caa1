/* SPDX-License-Identifier: MIT */
/*
 * Values no real kernel produces (issue 15): a check of a world against
 * what Linux could show at the same clock.  Shared by the unit tests and
 * the fuzz executor harness, so it reports instead of asserting.
 *
 *  - a thread ran no longer than it has existed; a process no more than
 *    elapsed × ncpu, and right after populate (@fresh) no more than
 *    elapsed × min(threads, ncpu).  Later the bound is looser: exited
 *    threads' times stay with the leader, as in Linux's signal->utime;
 *  - the live tasks' times plus what reaped children left in cutime and
 *    cstime fit in /proc/stat's user and system totals, which fit in
 *    uptime × ncpu;
 *  - a session's processes agree on their terminal's foreground group;
 *  - PF_* flags as Linux sets them: kernel threads PF_KTHREAD and
 *    PF_FORKNOEXEC, every user task PF_RANDOMIZE (exec'd, or forked from
 *    one that was), no PF_KTHREAD;
 *  - loadavg's running/total field is nr_running/nr_tasks.
 *
 * Context: the caller holds k->lock (any mode).
 */
#ifndef PROCSIM_REALISM_CHECK_H
#define PROCSIM_REALISM_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "render.h"

/* The "cpu " line of /proc/stat: user+nice, system, and all fields. */
static inline void realism_stat_cpu(const struct kernel *k, unsigned long long now,
				    unsigned long long *user,
				    unsigned long long *sys,
				    unsigned long long *all)
{
	struct render_ctx c = { .k = k, .now = now, .btime = 0 };
	unsigned long long v[10] = { 0 };
	struct buf b;

	buf_init(&b);
	render_stat(&b, &c);
	buf_putc(&b, '\0');
	if (b.data)
		sscanf(b.data, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
		       &v[8], &v[9]);
	buf_free(&b);
	*user = v[0] + v[1];
	*sys = v[2];
	*all = 0;
	for (int i = 0; i < 8; i++)	/* guest time is inside user */
		*all += v[i];
}

/* NULL if @k is realistic at its clock, else what is not (in @msg). */
static inline const char *realism_violation(const struct kernel *k, bool fresh,
					    char *msg, size_t n)
{
	unsigned long long now = kernel_now(k), ncpu = (unsigned long long)k->nr_cpus;
	unsigned long long users = 0, syss = 0, st_user, st_sys, st_all;
	struct task *p, *t;
	int pid;

	for (pid = next_tgid(k, 0, &p); pid >= 0; pid = next_tgid(k, pid + 1, &p)) {
		unsigned long long sum = 0, nthreads = 0, cap;

		list_for_each_entry(t, &p->signal->thread_head, thread_node) {
			unsigned long long elapsed = now > t->start_time ? now - t->start_time : 0;

			if ((fresh || t != p) && t->utime + t->stime > elapsed) {
				snprintf(msg, n, "tid %d (%s) ran %lu ticks in %llu", t->pid,
					 t->comm, t->utime + t->stime, elapsed);
				return msg;
			}
			sum += t->utime + t->stime;
			users += t->utime;
			syss += t->stime;
			nthreads++;
			if (task_is_kthread(t) != !!(t->flags & PF_KTHREAD) ||
			    (task_is_kthread(t) && !(t->flags & PF_FORKNOEXEC)) ||
			    (!task_is_kthread(t) && !(t->flags & PF_RANDOMIZE))) {
				snprintf(msg, n, "tid %d (%s) flags %#x", t->pid, t->comm,
					 t->flags);
				return msg;
			}
		}
		users += p->signal->cutime;
		syss += p->signal->cstime;
		cap = (now > p->start_time ? now - p->start_time : 0) *
		      (fresh && nthreads < ncpu ? nthreads : ncpu);
		if (sum > cap) {
			snprintf(msg, n, "pid %d (%s): %llu ticks over %llu threads, cap %llu",
				 pid, p->comm, sum, nthreads, cap);
			return msg;
		}
		if (p->signal->tty_nr && p->state != EXIT_ZOMBIE) {
			struct task *q;

			for (int o = next_tgid(k, 0, &q); o >= 0; o = next_tgid(k, o + 1, &q))
				if (q->state != EXIT_ZOMBIE && q->signal->session == p->signal->session &&
				    q->signal->tty_nr == p->signal->tty_nr &&
				    q->signal->tpgid != p->signal->tpgid) {
					snprintf(msg, n, "session %d: tpgid %d (pid %d) and %d (pid %d)",
						 p->signal->session, p->signal->tpgid, pid,
						 q->signal->tpgid, o);
					return msg;
				}
		}
	}
	realism_stat_cpu(k, now, &st_user, &st_sys, &st_all);
	if (users > st_user || syss > st_sys) {
		snprintf(msg, n, "tasks used %llu user + %llu system ticks, /proc/stat "
			 "says %llu + %llu", users, syss, st_user, st_sys);
		return msg;
	}
	if (st_all > now * ncpu) {
		snprintf(msg, n, "/proc/stat counts %llu ticks in %llu × %llu CPUs",
			 st_all, now, ncpu);
		return msg;
	}
	{
		struct render_ctx c = { .k = k, .now = now, .btime = 0 };
		unsigned long running = 0, total = 0;
		struct buf b;
		char *slash;

		buf_init(&b);
		render_loadavg(&b, &c);
		buf_putc(&b, '\0');
		slash = b.data ? strchr(b.data, '/') : NULL;
		if (slash) {
			char *sp = slash;

			while (sp > b.data && sp[-1] != ' ')
				sp--;
			running = strtoul(sp, NULL, 10);
			total = strtoul(slash + 1, NULL, 10);
		}
		buf_free(&b);
		if (running != k->nr_running || total != k->nr_tasks) {
			snprintf(msg, n, "loadavg says %lu/%lu, the run queue %lu/%lu",
				 running, total, k->nr_running, k->nr_tasks);
			return msg;
		}
	}
	return NULL;
}

#endif
