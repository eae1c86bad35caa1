// SPDX-License-Identifier: MIT
/*
 * Replay of a process-event trace: host events into core calls
 * (fs/event_replay.h).  The connector reports no wait(), so a process is
 * reaped by its parent (init, for an orphan) at its exit: a build's make
 * and shells wait at once, and a lingering zombie is not in the trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "event_replay.h"

int event_replay_init(struct event_replay *r, const struct event_trace *t)
{
	memset(r, 0, sizeof(*r));
	r->t = t;
	/* Untouched pages cost nothing: a trace touches a few. */
	r->map = calloc(PID_MAX_LIMIT, sizeof(*r->map));
	r->owner = calloc(PID_MAX_LIMIT, sizeof(*r->owner));
	if (!r->map || !r->owner) {
		event_replay_destroy(r);
		return -ENOMEM;
	}
	return 0;
}

void event_replay_destroy(struct event_replay *r)
{
	free(r->map);
	free(r->owner);
	r->map = r->owner = NULL;
}

static size_t pid_bytes(const struct kernel *k)
{
	return k->pids.ops->mem_bytes ? k->pids.ops->mem_bytes(k->pids.priv) : 0;
}

void event_replay_begin(struct kernel *k, struct event_replay *r)
{
	r->epoch = k->epoch;
	r->st.pid_max_from = r->st.pid_max_to = k->pids.pid_max;
	/* Linux's own pid_max is often 4194304: fit the host's pids. */
	if (r->t->max_pid >= k->pids.pid_max &&
	    !kernel_set_pid_max(k, r->t->max_pid + 1))
		r->st.pid_max_to = r->t->max_pid + 1;
	r->st.peak_pid_bytes = pid_bytes(k);
}

/* The simulated task the host pid @h stands for, or NULL. */
static struct task *resolve(struct kernel *k, struct event_replay *r, int h)
{
	int m = r->map[h];
	struct task *t;

	if (m < 0)
		return NULL;
	if (m > 0)
		t = r->owner[m] == h ? find_task(k, m) : NULL;
	else
		t = r->owner[h] ? NULL : find_task(k, h);	/* a remap holds h */
	return t && t->state != EXIT_ZOMBIE && t->state != EXIT_DEAD ? t : NULL;
}

static void forget(struct event_replay *r, int h, int sim)
{
	r->map[h] = -1;
	if (r->owner[sim] == h)
		r->owner[sim] = 0;
}

static int replay_fork(struct kernel *k, struct event_replay *r,
		       const struct trace_event *e)
{
	bool thread = e->a != e->b;
	/* A clone joins group CTGID; the event's parent is the group's. */
	struct task *parent = resolve(k, r, (int)(thread ? e->b : e->tgid));
	struct task *was = resolve(k, r, (int)e->a);
	int child, err;

	/* The start snapshot, taken after the recording began, has it. */
	if (was && parent && (thread ? was->group_leader == parent->group_leader :
			      was->group_leader->real_parent == parent->group_leader))
		return -EEXIST;
	if (!parent && thread)
		return -ESRCH;
	if (!parent)
		r->st.adopted++;
#ifndef PROCSIM_MUTATE_no_pid_pin
	pid_store_set_cursor(&k->pids, (int)e->a - 1);
#endif
	if (thread) {
		err = do_clone_thread(k, parent->pid, &child);
		r->st.threads += !err;
	} else {
		err = do_fork(k, parent ? parent->tgid : 1, 1, &child);
	}
	if (err)
		return err;
	if (child != e->a)
		r->st.remapped++;
	r->map[e->a] = child;
	r->owner[child] = (int)e->a;
	return 0;
}

static int replay_exec(struct kernel *k, struct event_replay *r,
		       const struct trace_event *e)
{
	struct task *t = resolve(k, r, e->tgid);
	const char *comm = event_comm(r->t, e), *p;
	char *argv1[2], **argv = argv1, cur[TASK_COMM_LEN];
	int argc = 1, err;

	if (!t)
		return -ESRCH;
	if (e->nargs > 0 && *(p = comm + strlen(comm) + 1)) {
		argv = malloc((e->nargs + 1) * sizeof(*argv));
		if (!argv)
			return -ENOMEM;
		for (argc = 0; argc < e->nargs; argc++, p += strlen(p) + 1)
			argv[argc] = (char *)p;
		argv[argc] = NULL;
	} else {
		/* No cmdline read: argv[0] the comm, as ps shows it then. */
		snprintf(cur, sizeof(cur), "%s", *comm ? comm : t->comm);
		argv1[0] = cur;
		argv1[1] = NULL;
	}
	err = do_execve(k, t->pid, *comm ? comm : NULL, argc, argv);
	if (argv != argv1)
		free(argv);
	return err;
}

/* Reap @leader_pid's group if it is all gone: its parent waits (or init). */
static void reap(struct kernel *k, struct event_replay *r, int leader_pid,
		 int host)
{
	struct task *l = find_task(k, leader_pid);
	int reaped = 0, status;

	if (!l || l->state != EXIT_ZOMBIE || l->signal->nr_threads ||
	    !l->parent)
		return;
	if (!do_wait(k, l->parent->pid, leader_pid, WNOHANG | __WALL,
		     &reaped, &status) && reaped == leader_pid)
		r->st.reaped++;
	forget(r, host, leader_pid);
}

static int replay_exit(struct kernel *k, struct event_replay *r,
		       const struct trace_event *e)
{
	struct task *t = resolve(k, r, e->pid);
	int tid, leader, htgid, status = (int)e->a, err;

	if (!t)
		return -ESRCH;
	tid = t->pid;
	leader = t->group_leader->pid;
	htgid = r->owner[leader] ? r->owner[leader] : leader;
	if (t->signal->nr_threads > 1) {
		err = do_exit_thread(k, tid, (status >> 8) & 0xff);
	} else {
		err = do_exit_status(k, tid, status);
	}
	if (err)
		return err;
	if (tid != leader)
		forget(r, e->pid, tid);
	reap(k, r, leader, htgid);
	return 0;
}

static int apply(struct kernel *k, struct event_replay *r,
		 const struct trace_event *e)
{
	struct task *t;

	switch (e->kind) {
	case EV_FORK:
		return replay_fork(k, r, e);
	case EV_EXEC:
		return replay_exec(k, r, e);
	case EV_UID:
	case EV_GID:
		t = resolve(k, r, e->tgid);
		if (!t)
			return -ESRCH;
		return e->kind == EV_UID ? do_setuid(k, t->pid, e->b) :
					   do_setgid(k, t->pid, e->b);
	case EV_COMM:
		t = resolve(k, r, e->pid);
		return t ? do_set_comm(k, t->pid, event_comm(r->t, e)) : -ESRCH;
	case EV_EXIT:
		return replay_exit(k, r, e);
	case EV_LOST:
	default:
		return 0;
	}
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

int event_replay_step(struct kernel *k, struct event_replay *r)
{
	const struct trace_event *e = &r->t->ev[r->st.done];
	uint64_t t0;
	size_t bytes;
	int err;

	if (k->epoch != r->epoch)
		return -ESTALE;
	t0 = thread_cpu_ns();
	err = apply(k, r, e);
	r->st.cpu_ns += thread_cpu_ns() - t0;
	if (err)
		r->st.skipped[e->kind]++;
	else
		r->st.applied[e->kind]++;
	if (e->kind == EV_FORK && !err) {
		bytes = pid_bytes(k);
		if (bytes > r->st.peak_pid_bytes)
			r->st.peak_pid_bytes = bytes;
	}
	r->st.done++;
	return 0;
}

static void by_kind(struct buf *out, const unsigned long *n)
{
	bool first = true;

	for (int kind = 0; kind < EV_NR_KINDS; kind++) {
		if (kind == EV_LOST || !n[kind])
			continue;
		buf_printf(out, "%s%s %lu", first ? " (" : ", ",
			   event_kind_name(kind), n[kind]);
		first = false;
	}
	if (!first)
		buf_putc(out, ')');
}

void event_replay_summary(const struct event_replay *r, struct buf *out)
{
	const struct replay_stats *s = &r->st;
	unsigned long applied = 0, skipped = 0;

	for (int kind = 0; kind < EV_NR_KINDS; kind++)
		if (kind != EV_LOST) {
			applied += s->applied[kind];
			skipped += s->skipped[kind];
		}
	buf_printf(out, "%zu of %zu events: applied %lu", s->done, r->t->n,
		   applied);
	by_kind(out, s->applied);
	buf_printf(out, ", skipped %lu", skipped);
	by_kind(out, s->skipped);
	buf_printf(out, ", remapped %lu, threads %lu, adopted %lu, reaped %lu, "
		   "overruns %lu", s->remapped, s->threads, s->adopted,
		   s->reaped, r->t->overruns);
	if (s->pid_max_to != s->pid_max_from)
		buf_printf(out, ", pid_max %d->%d", s->pid_max_from,
			   s->pid_max_to);
	buf_printf(out, ", core CPU %.3f ms", s->cpu_ns / 1e6);
}
