// SPDX-License-Identifier: MIT
/* What the host kernel may have cached: see fs/seen.h. */
#include <errno.h>
#include <stdlib.h>
#include "pidstore.h"
#include "seen.h"

#define MAP_WORDS	(PID_MAX_LIMIT / 64)
_Static_assert(NODE_T_CGROUP - NODE_T_STAT < 32, "thread file kinds fit seen.thread_kinds");

/*
 * Each map is two: words [0, MAP_WORDS) are the marks, words [MAP_WORDS,
 * 2 MAP_WORDS) what the last take of each pid found.  A take answers true
 * for a mark set since either of the last two takes (see seen.h: a reply
 * still in flight at a take).
 */
int seen_init(struct seen *s)
{
	/* calloc: untouched pages stay unbacked; 4 x 512 KiB at most. */
	s->data = calloc(2 * MAP_WORDS, sizeof(*s->data));
	s->entry = calloc(2 * MAP_WORDS, sizeof(*s->entry));
	if (s->data && s->entry)
		return 0;
	seen_destroy(s);
	return -ENOMEM;
}

void seen_destroy(struct seen *s)
{
	free((void *)s->data);
	free((void *)s->entry);
	s->data = s->entry = NULL;
}

/* Set @pid's bit; a load first keeps a read-mostly line shared. */
static void mark(_Atomic uint64_t *map, int pid)
{
	uint64_t bit;

	if (!map || pid <= 0 || pid >= PID_MAX_LIMIT)
		return;		/* a take answers true for these */
	bit = 1ull << (pid % 64);
	if (!(atomic_load(&map[pid / 64]) & bit))
		atomic_fetch_or(&map[pid / 64], bit);
}

/* A pid the map cannot answer for: counts as seen. */
static bool unmapped(_Atomic uint64_t *map, int pid)
{
#ifdef PROCSIM_MUTATE_seen_unused	/* test hook: see tools/test */
	return true;
#endif
	return !map || pid <= 0 || pid >= PID_MAX_LIMIT;
}

/* Context: takes of one pid are serialised (publish_serial). */
static bool take(_Atomic uint64_t *map, int pid)
{
	_Atomic uint64_t *cur, *last;
	bool now, before;
	uint64_t bit;

	if (unmapped(map, pid))
		return true;
	bit = 1ull << (pid % 64);
	cur = &map[pid / 64];
	last = &map[MAP_WORDS + pid / 64];
	/* The loads spare the locked ops for the common unseen pid. */
	now = (atomic_load(cur) & bit) && (atomic_fetch_and(cur, ~bit) & bit);
	before = atomic_load(last) & bit;
	if (now && !before)
		atomic_fetch_or(last, bit);
	else if (!now && before)
		atomic_fetch_and(last, ~bit);
	return now || before;
}

static void mark_kind(struct seen *s, struct node n)
{
	unsigned kind = n.kind & ~NODE_CALLER_FLAG;

	if (kind < NODE_KIND_MAX && !(atomic_load(&s->global[kind]) & 1))
		atomic_fetch_or(&s->global[kind], 1);
}

/* task/<tid>/<file>: its kind, before its pid and tid (seen.h). */
static void mark_thread_kind(struct seen *s, struct node n)
{
	unsigned kind = n.kind & ~NODE_CALLER_FLAG;
	uint32_t bit;

	if (kind < NODE_T_STAT || kind > NODE_T_CGROUP)
		return;
	bit = 1u << (kind - NODE_T_STAT);
	if (!(atomic_load(&s->thread_kinds) & bit))
		atomic_fetch_or(&s->thread_kinds, bit);
}

void seen_mark_node(struct seen *s, struct node n)
{
#ifdef PROCSIM_MUTATE_no_seen_mark	/* test hook: see tools/test */
	return;
#endif
	if (!n.pid) {
		mark_kind(s, n);
		return;
	}
	if (n.tid)
		mark_thread_kind(s, n);
	mark(s->data, n.pid);
	if (n.tid)
		mark(s->data, n.tid);
}

void seen_mark_entry(struct seen *s, struct node n)
{
#ifdef PROCSIM_MUTATE_no_seen_mark
	return;
#endif
	mark(s->entry, n.pid);
	if (n.tid)
		mark(s->entry, n.tid);
}

bool seen_take_task(struct seen *s, int pid)
{
	return take(s->data, pid);
}

bool seen_take_entry(struct seen *s, int pid)
{
	return take(s->entry, pid);
}

bool seen_peek_task(struct seen *s, int pid)
{
#ifdef PROCSIM_MUTATE_no_thread_peek	/* test hook: see tools/test */
	return false;
#endif
	if (unmapped(s->data, pid))
		return true;
	/* Marked since the last take, or found by it: take()'s answer. */
	return (atomic_load(&s->data[pid / 64]) |
		atomic_load(&s->data[MAP_WORDS + pid / 64])) >> (pid % 64) & 1;
}

bool seen_thread_kind(struct seen *s, unsigned kind)
{
	return atomic_load(&s->thread_kinds) >> (kind - NODE_T_STAT) & 1;
}

bool seen_take_global(struct seen *s, unsigned kind)
{
	uint8_t v;

	if (kind >= NODE_KIND_MAX)
		return true;
	if (!atomic_load(&s->global[kind]))
		return false;
	/* Bit 0: marked since the last take; bit 1: the last take found it. */
	v = atomic_fetch_and(&s->global[kind], (uint8_t)~1);
	if (v & 1)
		atomic_fetch_or(&s->global[kind], 2);
	else
		atomic_fetch_and(&s->global[kind], (uint8_t)~2);
	return v & 3;
}

void seen_count(struct seen *s, bool sent, unsigned n)
{
	atomic_fetch_add_explicit(sent ? &s->sent : &s->skipped, n,
				  memory_order_relaxed);
}

void seen_render(struct buf *b, struct seen *s)
{
	buf_printf(b, "publish_invals_sent %llu\n",
		   (unsigned long long)atomic_load(&s->sent));
	buf_printf(b, "publish_invals_skipped %llu\n",
		   (unsigned long long)atomic_load(&s->skipped));
}
