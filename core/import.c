// SPDX-License-Identifier: MIT
/*
 * Import: build a world from another machine's process table.  The caller
 * (fs/proc_import.c) read and parsed the /proc files; here the records are
 * checked and turned into tasks, signal_structs and mms the way the
 * snapshot loader (core/snapshot.c) builds them: into a fresh kernel, with
 * no lock, so a refused import leaves the running world untouched.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "import.h"
#include "task_alloc.h"

/* The PF_* bits the simulation knows; others of the source are dropped. */
#define PF_IMPORTED	(PF_EXITING | PF_FORKNOEXEC | PF_NOFREEZE | \
			 PF_SUPERPRIV | PF_KTHREAD | PF_RANDOMIZE)

static int fail(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, SNAPSHOT_WHY_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A record the simulation can hold: valid letters and ranges only. */
static int check_record(const struct import_task *r, int pid_max, char *why)
{
	if (r->pid <= 0 || r->pid >= pid_max || r->tgid <= 0 || r->ppid < 0)
		return fail(why, "pid %d: bad pid, tgid or ppid", r->pid);
	if (!r->state || !strchr("RSDTtIZX", r->state))
		return fail(why, "pid %d: bad state '%c'", r->pid,
			    r->state ? r->state : '?');
	if (r->nice < -20 || r->nice > 19)
		return fail(why, "pid %d: nice %d out of range", r->pid, r->nice);
	/* SCHED_DEADLINE (6) is not modelled: imported as SCHED_OTHER. */
	if (r->policy < 0 || r->policy > 6 || r->policy == 4 ||
	    ((r->policy == 1 || r->policy == 2) ?
	     r->rt_priority < 1 || r->rt_priority > 99 :
	     r->rt_priority != 0 && r->policy != 6))
		return fail(why, "pid %d: bad policy %d/%d", r->pid, r->policy,
			    r->rt_priority);
	if (!memchr(r->comm, '\0', TASK_COMM_LEN) ||
	    !memchr(r->name, '\0', IMPORT_NAME_LEN))
		return fail(why, "pid %d: comm not terminated", r->pid);
	if (strlen(r->name) >= TASK_COMM_LEN && !(r->flags & PF_KTHREAD))
		return fail(why, "pid %d: comm over %d bytes, not a kernel thread",
			    r->pid, TASK_COMM_LEN - 1);
	return 0;
}

/* Start times keep their age: now - age on our clock, at most our boot. */
static unsigned long long rebase(unsigned long long start,
				 const struct import_world *w,
				 unsigned long long now)
{
	unsigned long long age = w->now > start ? w->now - start : 0;

	return now > age ? now - age : 0;
}

static struct mm_struct *build_mm(struct kernel *k, const struct import_task *r,
				  struct import_report *rep, char *why, int *err)
{
	struct mm_struct *mm = mm_alloc(&k->mm_cfg);
	unsigned long heap_end = r->start_brk;
	size_t i;

	*err = -ENOMEM;
	if (!mm)
		return NULL;
	mm->start_code = r->start_code;
	mm->end_code = r->end_code;
	mm->start_data = r->start_data;
	mm->end_data = r->end_data;
	mm->start_stack = r->start_stack;
	mm->arg_start = r->arg_start;
	mm->arg_end = r->arg_end;
	mm->env_start = r->env_start;
	mm->env_end = r->env_end;
	mm->locked_vm = r->locked_pages;
	if ((r->args && mm_set_args(mm, r->args, r->args_len)) ||
	    (r->env && mm_set_env(mm, r->env, r->env_len)))
		goto out;
	for (i = 0; i < r->nr_vmas; i++) {
		const struct import_vma *iv = &r->vmas[i];
		struct vm_area_struct v = {
			.vm_start = iv->start, .vm_end = iv->end,
			.vm_flags = iv->flags, .vm_pgoff = iv->pgoff,
			.dev = iv->dev, .ino = iv->ino,
			.rss_pages = iv->rss_pages,
		};

		if (iv->flags & VM_READ)
			v.vm_flags |= VM_MAYREAD;
		if (iv->flags & VM_WRITE)
			v.vm_flags |= VM_MAYWRITE;
		if (iv->flags & VM_EXEC)
			v.vm_flags |= VM_MAYEXEC;
		if (iv->flags & VM_SHARED)
			v.vm_flags |= VM_MAYSHARE;
		if (!iv->ino && !iv->name)
			v.vm_flags |= VM_ANON;
		/* Dirty is all or nothing here: round a partly dirty VMA. */
		if (iv->dirty_pages && iv->dirty_pages != iv->rss_pages)
			rep->dirty_rounded++;
		if (iv->ino && 2 * iv->dirty_pages >= iv->rss_pages &&
		    iv->dirty_pages)
			v.vm_flags |= VM_DIRTY;
		if (iv->name && !(v.name = intern(mm->names, iv->name)))
			goto out;
		if (iv->rss_pages > (iv->end - iv->start) >> PAGE_SHIFT ||
		    iv->dirty_pages > iv->rss_pages ||
		    iv->ino > 0xffffffffUL) {
			*err = fail(why, "pid %d: vma %lx-%lx: bad rss or inode",
				    r->pid, iv->start, iv->end);
			goto out;
		}
		*err = mm_restore_vma(mm, &v);
		if (*err == -EINVAL)
			*err = fail(why, "pid %d: vma %lx-%lx out of order or range",
				    r->pid, iv->start, iv->end);
		if (*err)
			goto out;
		if (iv->name && !strcmp(iv->name, "[heap]"))
			heap_end = iv->end;
	}
	mm->start_brk = r->start_brk;
	mm->brk = heap_end;
	mm->hiwater_vm = mm->stat.total_vm;
	mm->hiwater_rss = mm->stat.rss;
	*err = 0;
	return mm;
out:
	mmput(mm);
	return NULL;
}

/* A task from @r, its pid installed in @k; its links come later. */
static int build_task(struct kernel *k, const struct import_task *r,
		      unsigned long long now, const struct import_world *w,
		      struct import_report *rep, char *why)
{
	struct task *t = alloc_task();
	int err;

	if (!t)
		return -ENOMEM;
	t->pid = r->pid;
	t->tgid = r->tgid;
	t->state = r->state;
	t->flags = r->flags & PF_IMPORTED;
	memcpy(t->comm, r->comm, TASK_COMM_LEN);
	if (strlen(r->name) >= TASK_COMM_LEN &&
	    !(t->full_name = intern(k->strings, r->name))) {
		free(t);
		return -ENOMEM;
	}
	t->cred = r->cred;
	t->exit_signal = r->pid == r->tgid ? SIGCHLD : -1;
	t->nice = r->nice;
	t->policy = r->policy == 6 ? 0 : r->policy;
	t->rt_priority = r->rt_priority;
	t->cpu = r->cpu;
	if (t->cpu >= (unsigned int)k->nr_cpus) {
		t->cpu %= k->nr_cpus;
		rep->cpus_folded++;
	}
	t->utime = r->utime;
	t->stime = r->stime;
	t->minflt = r->minflt;
	t->majflt = r->majflt;
	t->nvcsw = r->nvcsw;
	t->nivcsw = r->nivcsw;
	t->start_time = rebase(r->start_time, w, now);
	err = pid_store_alloc_at(&k->pids, t->pid);
	if (err) {
		free(t);
		return err == -ENOMEM ? err : fail(why, "pid %d twice", r->pid);
	}
	pid_store_install(&k->pids, t->pid, t);	/* freed with the store */
	if (r->pid == r->tgid) {
		err = init_signal(t);
		if (err)
			return err;
		t->signal->pgrp = r->pgrp;
		t->signal->session = r->session;
		t->signal->tty_nr = r->tty_nr;
		t->signal->tpgid = r->tpgid;
		if (r->has_mm && !(t->mm = build_mm(k, r, rep, why, &err)))
			return err;
		k->nr_processes++;
		rep->processes++;
	} else {
		rep->threads++;
	}
	count_built_task(k, t);
	return 0;
}

/* A thread joins its leader's group and shares its mm. */
static int join_group(struct kernel *k, struct task *t, char *why)
{
	struct task *leader = find_task(k, t->tgid);

	if (!leader || !thread_group_leader(leader))
		return fail(why, "thread %d: no leader %d", t->pid, t->tgid);
	t->group_leader = leader;
	t->signal = leader->signal;
	list_add_tail(&t->thread_node, &t->signal->thread_head);
	t->signal->nr_threads++;
	t->mm = leader->mm;
	if (t->mm)
		t->mm->users++;
	return 0;
}

/*
 * The parent of a process: its PPid's process; a kernel thread's
 * kthreadd.  One missing (it exited between the reads, or lives outside
 * the source's pid namespace) makes an orphan, reparented as exit would.
 */
static struct task *parent_of(struct kernel *k, const struct task *t, int ppid,
			      struct import_report *rep)
{
	struct task *p = ppid ? find_task(k, ppid) : NULL;

	if (t->pid <= 2)
		return NULL;
	if (p && p != t)
		return p->group_leader;
	rep->orphans++;
	return task_is_kthread(t) ? k->kthreadd : k->init_task;
}

/* exit's reaper walk climbs ->real_parent: a cycle would never end. */
static int check_cycles(struct kernel *k, char *why)
{
	int pid = parent_cycle(k);

	return pid ? fail(why, "pid %d: its parents form a cycle", pid) : 0;
}

static int build_world(struct kernel *k, const struct import_world *w,
		       struct import_report *rep, char *why)
{
	unsigned long long now = kernel_now(k);
	struct task *t;
	size_t i;
	int err = 0, pid;

	kernel_free_tasks(k);
	k->nr_tasks = k->nr_processes = k->nr_running = k->nr_blocked = 0;
	k->init_task = k->kthreadd = NULL;
	for (i = 0; i < w->nr && !err; i++)
		if (i && w->tasks[i].pid <= w->tasks[i - 1].pid)
			err = fail(why, "pid %d twice or out of order",
				   w->tasks[i].pid);
		else
			err = check_record(&w->tasks[i], k->pids.pid_max, why);
	/* Leaders first: a thread's tid may be below its leader's after a wrap. */
	for (i = 0; i < w->nr && !err; i++)
		if (w->tasks[i].pid == w->tasks[i].tgid)
			err = build_task(k, &w->tasks[i], now, w, rep, why);
	for (i = 0; i < w->nr && !err; i++)
		if (w->tasks[i].pid != w->tasks[i].tgid &&
		    !(err = build_task(k, &w->tasks[i], now, w, rep, why)))
			err = join_group(k, find_task(k, w->tasks[i].pid), why);
	if (err)
		return err;
	k->init_task = find_task(k, 1);
	k->kthreadd = find_task(k, 2);
	if (!k->init_task || !thread_group_leader(k->init_task))
		return fail(why, "no init (pid 1)");
	if (!k->kthreadd || !task_is_kthread(k->kthreadd))
		return fail(why, "no kthreadd (pid 2): not a whole machine's /proc");
	for (i = 0; i < w->nr; i++) {
		struct task *p;

		if (w->tasks[i].pid != w->tasks[i].tgid)
			continue;
		t = find_task(k, w->tasks[i].pid);
		p = parent_of(k, t, w->tasks[i].ppid, rep);
		t->real_parent = t->parent = p;
		if (p)
			list_add_tail(&t->sibling, &p->children);
	}
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		if (!thread_group_leader(t))
			t->real_parent = t->parent = t->group_leader->real_parent;
	err = check_cycles(k, why);
	if (err)
		return err;
	k->pids.last_pid = w->nr ? w->tasks[w->nr - 1].pid : 0;
	k->total_forks = rep->processes + rep->threads;
	return 0;
}

int kernel_import_prepare(const struct kernel *k, const struct import_world *w,
			  struct kernel *fresh, struct import_report *rep,
			  char why[SNAPSHOT_WHY_LEN])
{
	struct kernel_opts o = k->opts;
	int max = w->nr ? w->tasks[w->nr - 1].pid : 0, err;

	why[0] = '\0';
	memset(rep, 0, sizeof(*rep));
	o.pid_max = k->pids.pid_max;
	if (max >= o.pid_max) {		/* grow to fit, as a booted Linux would */
		if (max >= PID_MAX_LIMIT)
			return fail(why, "pid %d over the limit %d", max,
				    PID_MAX_LIMIT - 1);
		o.pid_max = max + 1;
	}
	err = kernel_init(fresh, &o);
	if (err)
		return err == -EINVAL ? fail(why, "options refused") : err;
	err = build_world(fresh, w, rep, why);
	if (err) {
		kernel_destroy(fresh);
		if (err == -ENOMEM && !why[0])
			snprintf(why, SNAPSHOT_WHY_LEN, "out of memory");
		return err;
	}
	rep->pid_max = fresh->pids.pid_max;
	return 0;
}
