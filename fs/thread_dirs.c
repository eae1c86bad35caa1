// SPDX-License-Identifier: MIT
/* Thread directories a publish invalidates: see thread_dirs.h. */
#include <stdlib.h>
#include "list.h"
#include "task.h"
#include "thread_dirs.h"

static void add(struct thread_dirs *d, int tgid, int tid, uint32_t epoch)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct node *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->overflow = true;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = (struct node){ tgid, tid, NODE_TID_DIR, node_epoch(epoch) };
}

void thread_dirs_add(struct kernel *k, struct seen *s, struct thread_dirs *d,
		     const struct pid_change *c, bool gone)
{
	struct task *leader, *th;

	if (gone || c->pid != c->tgid) {
		add(d, c->tgid, c->pid, c->epoch);
		return;
	}
	kernel_read_lock(k);
	/* A leader of an earlier world is gone, and its threads with it. */
	leader = c->epoch == k->epoch ? find_task(k, c->tgid) : NULL;
	if (leader && thread_group_leader(leader))
		list_for_each_entry(th, &leader->signal->thread_head, thread_node)
			if (th == leader || seen_peek_task(s, th->pid))
				add(d, c->tgid, th->pid, c->epoch);
	kernel_read_unlock(k);
}
