// SPDX-License-Identifier: MIT
/* The bounded event ring behind the audit log and the events connector. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "event_ring.h"
#include "watchers.h"

struct event_ring *event_ring_new(size_t cap)
{
	struct event_ring *r = calloc(1, sizeof(*r));

	if (r && !(r->v = calloc(cap, sizeof(*r->v)))) {
		free(r);
		return NULL;
	}
	if (r) {
		r->cap = cap;
		r->floor = 1;
	}
	return r;
}

void event_ring_free(struct event_ring *r)
{
	if (r)
		free(r->v);
	free(r);
}

void event_ring_push(struct event_ring *r, struct kernel *k,
		     const struct watch_info *w)
{
	struct task_event *e = &r->v[r->head % r->cap];
	const struct task *t = w->task;

	e->seq = ++r->head;
	/* A fork happens at the child's start: no second clock read (two
	 * watchers per fork were 5% of a million-process populate). */
	e->ticks = w->event == WATCH_FORK ? t->start_time : kernel_now(k);
	e->event = w->event;
	e->gid = w->gid;
	e->pid = t->pid;
	e->tgid = t->tgid;
	/* Fork names the forking thread; the rest the process's parent. */
	if (!w->parent && t->real_parent)
		e->ppid = e->ptgid = t->real_parent->tgid;
	else
		e->ppid = w->parent ? w->parent->pid : 0,
		e->ptgid = w->parent ? w->parent->tgid : 0;
	e->uid = t->cred.uid;
	e->gid_ = t->cred.gid;
	e->old_id = w->old_id;
	e->new_id = w->new_id;
	e->code = w->code;
	memcpy(e->comm, t->comm, sizeof(e->comm));
}

void event_ring_pop(struct event_ring *r)
{
	if (!r->head)
		return;
	/* The slot held the oldest event before this one overwrote it. */
	if (r->head >= r->cap)
		r->floor = r->head - r->cap + 1;
	r->head--;
}

uint64_t event_ring_first(const struct event_ring *r)
{
	uint64_t first = r->head >= r->cap ? r->head - r->cap + 1 : 1;

	return first > r->floor ? first : r->floor;
}

int event_ring_read(const struct event_ring *r, uint64_t *pos,
		    struct task_event *ev, uint64_t *lost)
{
	uint64_t first = event_ring_first(r);

	*lost = 0;
	if (*pos < first) {
		*lost = first - *pos;
		*pos = first;
	}
	if (*pos > r->head)
		return 0;
	*ev = r->v[(*pos - 1) % r->cap];
	(*pos)++;
	return 1;
}
