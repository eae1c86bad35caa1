// SPDX-License-Identifier: MIT
/*
 * The pre-4.15 pid store: a bitmap of 32768-bit pages, each allocated on
 * first use and carrying a free count, for allocation (kernel/pid.c:
 * alloc_pidmap), and a separate pid hash of bucket chains for lookup
 * (find_pid_ns).  next() is find_ge_pid: a hash lookup, else the next set
 * bit (next_pidmap).  Pages are never freed, as in the kernel.
 *
 * Concurrency (.rcu_lookup): writers hold pidmap_lock; lookups take no
 * lock, inside an RCU read section.  A upid is filled, then linked at the
 * head of its chain with a release store; an unlinked one is freed after a
 * grace period.  Pages are published whole and never freed; their words
 * are stored and loaded whole (core/bitops.h).  next() takes a set bit
 * whose upid has gone for a free pid and moves on.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "bitops.h"
#include "pidstore.h"
#include "rcu.h"

#define BITS_PER_PAGE	32768			/* PAGE_SIZE * 8 */
#define PIDMAP_ENTRIES	(PID_MAX_LIMIT / BITS_PER_PAGE)
#define PIDHASH_SHIFT	12			/* pidhash_init's ceiling: 4096 chains */
#define PIDHASH_SIZE	(1U << PIDHASH_SHIFT)

struct pidmap {
	int nr_free;
	uint64_t *page;				/* NULL until first used */
};

/* A used pid in the hash; task NULL while only reserved (struct upid). */
struct upid {
	int nr;
	struct task *task;
	struct upid *next;
	struct core_rcu_head rcu;
};

struct bitmap_store {
	struct pidmap map[PIDMAP_ENTRIES];
	struct upid *hash[PIDHASH_SIZE];
	size_t nr_pages, nr_upids;
	unsigned long allocs;		/* upid and page allocations */
	bool rcu;			/* free after a grace period */
};

/* hash_long(nr, pidhash_shift): the golden-ratio multiplicative hash. */
static unsigned pid_hashfn(int nr)
{
	return (unsigned)(((uint64_t)nr * 0x61C8864680B583EBULL) >>
			  (64 - PIDHASH_SHIFT));
}

static void *bitmap_create(void)
{
	return calloc(1, sizeof(struct bitmap_store));
}

static void bitmap_destroy(void *priv)
{
	struct bitmap_store *b = priv;

	for (unsigned i = 0; i < PIDMAP_ENTRIES; i++)
		free(b->map[i].page);
	for (unsigned i = 0; i < PIDHASH_SIZE; i++)
		for (struct upid *u = b->hash[i], *n; u; u = n) {
			n = u->next;
			free(u);
		}
	free(b);
}

static int bitmap_find_free(void *priv, int from, int to)
{
	struct bitmap_store *b = priv;

	while (from < to) {
		const struct pidmap *m = &b->map[from / BITS_PER_PAGE];
		int base = from - from % BITS_PER_PAGE;
		unsigned long off = BITS_PER_PAGE;

		if (!m->page)
			return from;		/* a page not yet used is all free */
		if (m->nr_free)
			off = find_next_zero_bit(m->page, BITS_PER_PAGE,
						 from - base);
		if (off < BITS_PER_PAGE)
			return base + (int)off < to ? base + (int)off : -1;
		from = base + BITS_PER_PAGE;
	}
	return -1;
}

/* The link to @nr's upid (or the chain's end).  Writers only. */
static struct upid **hash_slot(struct bitmap_store *b, int nr)
{
	struct upid **pp = &b->hash[pid_hashfn(nr)];

	while (*pp && (*pp)->nr != nr)
		pp = &(*pp)->next;
	return pp;
}

static int bitmap_insert(void *priv, int pid, struct task *t)
{
	struct bitmap_store *b = priv;
	struct pidmap *m = &b->map[pid / BITS_PER_PAGE];
	struct upid *u = malloc(sizeof(*u));
	unsigned h = pid_hashfn(pid);

	b->allocs++;
	if (!u)
		return -ENOMEM;
	if (!m->page) {
		uint64_t *page = calloc(BITS_PER_PAGE / 8, 1);

		b->allocs++;
		if (!page) {
			free(u);
			return -ENOMEM;
		}
		WRITE_ONCE(m->nr_free, BITS_PER_PAGE);
		rcu_assign_pointer(m->page, page);
		b->nr_pages++;
	}
	set_bit64(m->page, pid % BITS_PER_PAGE);
	WRITE_ONCE(m->nr_free, m->nr_free - 1);
	u->nr = pid;
	u->task = t;
	u->next = b->hash[h];
	rcu_assign_pointer(b->hash[h], u);
	b->nr_upids++;
	return 0;
}

static void bitmap_replace(void *priv, int pid, struct task *t)
{
	struct upid *u = *hash_slot(priv, pid);

	if (u)
		rcu_assign_pointer(u->task, t);
}

static void upid_free_rcu(struct core_rcu_head *head)
{
	core_rcu_callback_begin();
	free((char *)head - offsetof(struct upid, rcu));
}

static void bitmap_set_rcu(void *priv)
{
	((struct bitmap_store *)priv)->rcu = true;
}

static void bitmap_remove(void *priv, int pid)
{
	struct bitmap_store *b = priv;
	struct pidmap *m = &b->map[pid / BITS_PER_PAGE];
	struct upid **pp = hash_slot(b, pid), *u = *pp;

	if (!u)
		return;
	rcu_assign_pointer(*pp, u->next);
	if (b->rcu)
		core_call_rcu(&u->rcu, upid_free_rcu);
	else
		free(u);
	b->nr_upids--;
	clear_bit64(m->page, pid % BITS_PER_PAGE);
	WRITE_ONCE(m->nr_free, m->nr_free + 1);
}

/* find_pid_ns.  Context: pidmap_lock, or an RCU read section. */
static struct task *bitmap_lookup(void *priv, int pid)
{
	struct bitmap_store *b = priv;
	struct upid *u;

	for (u = rcu_dereference(b->hash[pid_hashfn(pid)]); u;
	     u = rcu_dereference(u->next))
		if (u->nr == pid)
			return rcu_dereference(u->task);
	return NULL;
}

/* next_pidmap: the next used pid >= @from, or -1. */
static int next_pidmap(const struct bitmap_store *b, int from)
{
	while (from < PID_MAX_LIMIT) {
		const struct pidmap *m = &b->map[from / BITS_PER_PAGE];
		const uint64_t *page = rcu_dereference(m->page);
		int base = from - from % BITS_PER_PAGE;
		unsigned long off = BITS_PER_PAGE;

		if (page && READ_ONCE(m->nr_free) < BITS_PER_PAGE)
			off = find_next_bit(page, BITS_PER_PAGE, from - base);
		if (off < BITS_PER_PAGE)
			return base + (int)off;
		from = base + BITS_PER_PAGE;
	}
	return -1;
}

/* find_ge_pid: look the number up in the hash, else go to the next set bit. */
static int bitmap_next(void *priv, int from, struct task **t)
{
	struct bitmap_store *b = priv;

	for (int nr = next_pidmap(b, from); nr >= 0; nr = next_pidmap(b, nr + 1)) {
		struct task *task = bitmap_lookup(b, nr);

		if (task) {
			*t = task;
			return nr;
		}
	}
	return -1;
}

static size_t bitmap_mem_bytes(void *priv)
{
	const struct bitmap_store *b = priv;

	return sizeof(*b) + b->nr_pages * (BITS_PER_PAGE / 8) +
	       b->nr_upids * sizeof(struct upid);
}

static unsigned long bitmap_alloc_calls(void *priv)
{
	return ((struct bitmap_store *)priv)->allocs;
}

const struct pid_store_ops pid_store_bitmap_ops = {
	.name = "bitmap",
	.desc = "32768-bit pidmap pages plus a 4096-chain pid hash (pre-4.15)",
	.create = bitmap_create,
	.destroy = bitmap_destroy,
	.find_free = bitmap_find_free,
	.insert = bitmap_insert,
	.replace = bitmap_replace,
	.remove = bitmap_remove,
	.lookup = bitmap_lookup,
	.next = bitmap_next,
	.mem_bytes = bitmap_mem_bytes,
	.rcu_lookup = true,
	.set_rcu = bitmap_set_rcu,
	.alloc_calls = bitmap_alloc_calls,
};
