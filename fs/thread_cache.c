// SPDX-License-Identifier: MIT
/* Thread files in the kernel's page cache: see thread_cache.h. */
#include <errno.h>
#include <stdlib.h>
#include "list.h"
#include "pidstore.h"
#include "task.h"
#include "thread_cache.h"

#define MARK_WORDS	(PID_MAX_LIMIT / 64)
_Static_assert(NODE_T_CGROUP - NODE_T_STAT < 32, "task file kinds fit thread_cache.kinds");

int thread_cache_init(struct thread_cache *c)
{
	/* 512 KiB of zero pages: only the words of marked groups get memory. */
	c->marks = calloc(MARK_WORDS, sizeof(*c->marks));
	return c->marks ? 0 : -ENOMEM;
}

void thread_cache_destroy(struct thread_cache *c)
{
	free((void *)c->marks);
	c->marks = NULL;
}

void thread_cache_mark(struct thread_cache *c, int tgid, unsigned kind)
{
	uint64_t bit = 1ULL << (tgid % 64);
	uint32_t kbit = 1u << (kind - NODE_T_STAT);

	if (!c->marks || tgid <= 0 || tgid >= PID_MAX_LIMIT)
		return;
	/* A load first: marking what is marked writes nothing. */
	if (!(atomic_load_explicit(&c->kinds, memory_order_relaxed) & kbit))
		atomic_fetch_or(&c->kinds, kbit);
	if (!(atomic_load_explicit(&c->marks[tgid / 64], memory_order_relaxed) & bit))
		atomic_fetch_or(&c->marks[tgid / 64], bit);
}

bool thread_cache_kind_marked(const struct thread_cache *c, unsigned kind)
{
	return !c->marks || atomic_load(&c->kinds) >> (kind - NODE_T_STAT) & 1;
}

static bool marked(const struct thread_cache *c, int tgid)
{
	if (!c->marks || tgid <= 0 || tgid >= PID_MAX_LIMIT)
		return true;
	return atomic_load(&c->marks[tgid / 64]) >> (tgid % 64) & 1;
}

static void add(struct thread_dirs *out, int tgid, int tid, uint32_t epoch)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 64;
		struct node *v = realloc(out->v, cap * sizeof(*v));

		if (!v) {
			out->overflow = true;
			return;
		}
		out->v = v;
		out->cap = cap;
	}
	out->v[out->n++] = (struct node){ tgid, tid, NODE_TID_DIR, node_epoch(epoch) };
}

void thread_cache_stale(struct kernel *k, const struct thread_cache *c,
			const struct change_log *changed,
			const struct change_log *gone, struct thread_dirs *out)
{
	*out = (struct thread_dirs){ 0 };
	for (size_t i = 0; i < gone->n; i++)
		if (marked(c, gone->v[i].tgid))
			add(out, gone->v[i].tgid, gone->v[i].pid, gone->v[i].epoch);
	kernel_read_lock(k);
	for (size_t i = 0; i < changed->n; i++) {
		const struct pid_change *ch = &changed->v[i];
		struct task *leader, *th;

		if (!marked(c, ch->tgid))
			continue;
		if (ch->pid != ch->tgid) {
			add(out, ch->tgid, ch->pid, ch->epoch);
			continue;
		}
		/* A leader of an earlier world is gone, and its threads with it. */
		leader = ch->epoch == k->epoch ? find_task(k, ch->tgid) : NULL;
		if (!leader || !thread_group_leader(leader))
			continue;
		list_for_each_entry(th, &leader->signal->thread_head, thread_node)
			add(out, ch->tgid, th->pid, ch->epoch);
	}
	kernel_read_unlock(k);
}
