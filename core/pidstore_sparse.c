// SPDX-License-Identifier: MIT
/*
 * A sparse bitmap for allocation plus a hash table for lookup: the design
 * proposed in the Nov 2025 clone-scalability thread, built for concurrency
 * as the thread means it.  The bitmap has two levels: chunks of 4096 bits
 * allocated on first use and freed when empty, each with a summary word
 * (bit i: word i is full; bit i of ->any: word i has a bit set), and over
 * the chunks two summary bitmaps (full chunks, non-empty chunks).  Every
 * search is a find-next-bit per level.  Lookup goes through a chained hash
 * table that holds every used pid (task NULL while only reserved).
 *
 * Concurrency (.rcu_lookup): writers hold pidmap_lock; lookup and next()
 * take no lock, inside an RCU read section.
 *   - Hash: a chain is singly linked and changed with release stores: an
 *     entry is filled, then linked at the head; an unlinked entry is freed
 *     after a grace period.  The table doubles when it holds as many
 *     entries as buckets: a new table is filled with copies of the entries
 *     and published whole; the old one, with its entries, goes after a
 *     grace period.  A growth that cannot allocate just does not happen.
 *   - Bitmap: words are stored and loaded whole (core/bitops.h), a chunk
 *     is published whole and freed after a grace period; next() takes a
 *     set bit whose chunk has gone for an empty chunk, and a set bit whose
 *     hash entry has gone for a free pid, and moves on.
 *   - A new chunk comes from a spare that preload() allocates before
 *     pidmap_lock is taken (only in a concurrent store, where a waiter is
 *     possible), so the lock is not held across calloc for it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "bitops.h"
#include "pidstore.h"
#include "rcu.h"

#define CHUNK_WORDS	64
#define CHUNK_BITS	(CHUNK_WORDS * BITS_PER_WORD)	/* 4096 */
#define NR_CHUNKS	(PID_MAX_LIMIT / CHUNK_BITS)	/* 1024 */
#define MIN_SHIFT	6				/* 64 buckets */

struct chunk {
	uint64_t full, any;		/* summaries over ->bits */
	uint64_t bits[CHUNK_WORDS];
	unsigned nr_used;
	struct core_rcu_head rcu;
};

struct sparse_entry {
	int pid;
	struct task *task;
	struct sparse_entry *next;
	struct core_rcu_head rcu;
};

struct sparse_table {
	unsigned shift;			/* 1 << shift buckets */
	struct core_rcu_head rcu;
	struct sparse_entry *bucket[];
};

struct sparse_store {
	uint64_t full[NR_CHUNKS / BITS_PER_WORD];	/* chunk is full */
	uint64_t busy[NR_CHUNKS / BITS_PER_WORD];	/* chunk exists (non-empty) */
	struct chunk *chunk[NR_CHUNKS];
	struct sparse_table *table;
	struct chunk *spare;		/* preload()'s, taken under the lock */
	size_t nr_chunks, nr_entries;
	unsigned long allocs;		/* calloc calls, ever (atomic: preload) */
	bool rcu;			/* free after a grace period */
};

static unsigned hashfn(int pid, unsigned shift)
{
	return (unsigned)(((uint64_t)pid * 0x61C8864680B583EBULL) >> (64 - shift));
}

static void *counted_calloc(struct sparse_store *s, size_t n, size_t size)
{
	__atomic_fetch_add(&s->allocs, 1, __ATOMIC_RELAXED);
	return calloc(n, size);
}

static struct sparse_table *table_new(struct sparse_store *s, unsigned shift)
{
	struct sparse_table *t = counted_calloc(s, 1, sizeof(*t) +
						(sizeof(t->bucket[0]) << shift));

	if (t)
		t->shift = shift;
	return t;
}

static void table_free(struct sparse_table *t)
{
	for (size_t i = 0; i < (size_t)1 << t->shift; i++)
		for (struct sparse_entry *e = t->bucket[i], *n; e; e = n) {
			n = e->next;
			free(e);
		}
	free(t);
}

static void *sparse_create(void)
{
	struct sparse_store *s = calloc(1, sizeof(*s));

	if (s && !(s->table = table_new(s, MIN_SHIFT))) {
		free(s);
		return NULL;
	}
	return s;
}

static void sparse_destroy(void *priv)
{
	struct sparse_store *s = priv;

	table_free(s->table);
	for (unsigned i = 0; i < NR_CHUNKS; i++)
		free(s->chunk[i]);
	free(s->spare);
	free(s);
}

static void sparse_set_rcu(void *priv)
{
	((struct sparse_store *)priv)->rcu = true;
}

/* The first clear (or set, @invert 0) bit >= @from in chunk @c, or -1. */
static int chunk_search(const struct chunk *c, unsigned from, uint64_t invert)
{
	unsigned w = from / BITS_PER_WORD;
	uint64_t bits = (word_load(&c->bits[w]) ^ invert) &
			(~0ULL << (from % BITS_PER_WORD));
	/* ->full marks words with no clear bit, ->any words with a set bit. */
	uint64_t summary = invert ? word_load(&c->full) : ~word_load(&c->any);

	if (!bits) {
		w = find_next_zero_bit(&summary, CHUNK_WORDS, w + 1);
		if (w >= CHUNK_WORDS)
			return -1;
		bits = word_load(&c->bits[w]) ^ invert;
		if (!bits)
			return -1;	/* changed under a reader: its next chunk */
	}
	return (int)(w * BITS_PER_WORD) + __builtin_ctzll(bits);
}

/*
 * First pid >= @from whose bit is clear (@invert ~0) or set (@invert 0),
 * chunk by chunk, skipping whole chunks through the top summaries.
 */
static int sparse_search(const struct sparse_store *s, int from, int to,
			 uint64_t invert)
{
	while (from < to) {
		unsigned long c = from / CHUNK_BITS;
		const struct chunk *ch;
		int r;

		c = invert ? find_next_zero_bit(s->full, NR_CHUNKS, c) :
			     find_next_bit(s->busy, NR_CHUNKS, c);
		if (c >= NR_CHUNKS)
			return -1;
		if (c != (unsigned long)from / CHUNK_BITS)
			from = c * CHUNK_BITS;
		if (from >= to)
			return -1;
		ch = rcu_dereference(s->chunk[c]);
		if (!ch && invert)		/* not full and absent: all clear */
			return from;
		r = ch ? chunk_search(ch, from % CHUNK_BITS, invert) : -1;
		if (r >= 0)
			return (int)(c * CHUNK_BITS) + r < to ?
			       (int)(c * CHUNK_BITS) + r : -1;
		from = (c + 1) * CHUNK_BITS;
	}
	return -1;
}

static int sparse_find_free(void *priv, int from, int to)
{
	return sparse_search(priv, from, to, ~0ULL);
}

/* The entry of @pid and the link that points to it.  Writers only. */
static struct sparse_entry **entry_link(struct sparse_store *s, int pid)
{
	struct sparse_entry **pp = &s->table->bucket[hashfn(pid, s->table->shift)];

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->next;
	return pp;
}

static void entry_link_head(struct sparse_table *t, struct sparse_entry *e)
{
	struct sparse_entry **head = &t->bucket[hashfn(e->pid, t->shift)];

	e->next = *head;
	rcu_assign_pointer(*head, e);
}

static void table_free_rcu(struct core_rcu_head *head)
{
	core_rcu_callback_begin();
	table_free((struct sparse_table *)((char *)head -
					   offsetof(struct sparse_table, rcu)));
}

/* Double the table: copies of every entry, published at once.  Optional. */
static void table_grow(struct sparse_store *s)
{
	struct sparse_table *old = s->table, *t = table_new(s, old->shift + 1);

	if (!t)
		return;
	for (size_t i = 0; i < (size_t)1 << old->shift; i++)
		for (struct sparse_entry *e = old->bucket[i]; e; e = e->next) {
			struct sparse_entry *c = counted_calloc(s, 1, sizeof(*c));

			if (!c) {
				table_free(t);
				return;
			}
			c->pid = e->pid;
			c->task = e->task;
			entry_link_head(t, c);
		}
	rcu_assign_pointer(s->table, t);
	if (s->rcu)
		core_call_rcu(&old->rcu, table_free_rcu);
	else
		table_free(old);
}

/* Before pidmap_lock: a spare chunk, so no insert callocs one under it. */
static void sparse_preload(void *priv)
{
	struct sparse_store *s = priv;
	struct chunk *c;

	if (__atomic_load_n(&s->spare, __ATOMIC_RELAXED))
		return;
	c = counted_calloc(s, 1, sizeof(*c));
	if (c && !__atomic_compare_exchange_n(&s->spare, &(struct chunk *){ NULL },
					      c, false, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED))
		free(c);
}

static struct chunk *chunk_get(struct sparse_store *s)
{
	struct chunk *c = __atomic_exchange_n(&s->spare, NULL, __ATOMIC_ACQUIRE);

	return c ? c : counted_calloc(s, 1, sizeof(*c));
}

static int sparse_insert(void *priv, int pid, struct task *t)
{
	struct sparse_store *s = priv;
	unsigned ci = pid / CHUNK_BITS, bit = pid % CHUNK_BITS;
	unsigned w = bit / BITS_PER_WORD;
	struct sparse_entry *e = counted_calloc(s, 1, sizeof(*e));
	struct chunk *c = s->chunk[ci];

	if (!e)
		return -ENOMEM;
	if (!c) {
		c = chunk_get(s);
		if (!c) {
			free(e);
			return -ENOMEM;
		}
		rcu_assign_pointer(s->chunk[ci], c);
		s->nr_chunks++;
		set_bit64(s->busy, ci);
	}
	e->pid = pid;
	e->task = t;
	set_bit64(c->bits, bit);
	word_store(&c->any, c->any | 1ULL << w);
	if (!~c->bits[w])
		word_store(&c->full, c->full | 1ULL << w);
	if (++c->nr_used == CHUNK_BITS)
		set_bit64(s->full, ci);
	entry_link_head(s->table, e);
	if (++s->nr_entries >= (size_t)1 << s->table->shift)
		table_grow(s);
	return 0;
}

static void sparse_replace(void *priv, int pid, struct task *t)
{
	struct sparse_entry *e = *entry_link(priv, pid);

	if (e)
		rcu_assign_pointer(e->task, t);
}

static void entry_free_rcu(struct core_rcu_head *head)
{
	core_rcu_callback_begin();
	free((char *)head - offsetof(struct sparse_entry, rcu));
}

static void chunk_free_rcu(struct core_rcu_head *head)
{
	core_rcu_callback_begin();
	free((char *)head - offsetof(struct chunk, rcu));
}

static void sparse_remove(void *priv, int pid)
{
	struct sparse_store *s = priv;
	struct sparse_entry **pp = entry_link(s, pid), *e = *pp;
	unsigned ci = pid / CHUNK_BITS, bit = pid % CHUNK_BITS;
	unsigned w = bit / BITS_PER_WORD;
	struct chunk *c = s->chunk[ci];

	if (!e)
		return;
	rcu_assign_pointer(*pp, e->next);
	if (s->rcu)
		core_call_rcu(&e->rcu, entry_free_rcu);
	else
		free(e);
	s->nr_entries--;
	clear_bit64(c->bits, bit);
	word_store(&c->full, c->full & ~(1ULL << w));
	if (!c->bits[w])
		word_store(&c->any, c->any & ~(1ULL << w));
	clear_bit64(s->full, ci);
	if (!--c->nr_used) {
		rcu_assign_pointer(s->chunk[ci], NULL);
		s->nr_chunks--;
		clear_bit64(s->busy, ci);
		if (s->rcu)
			core_call_rcu(&c->rcu, chunk_free_rcu);
		else
			free(c);
	}
}

/* Context: pidmap_lock, or an RCU read section. */
static struct task *sparse_lookup(void *priv, int pid)
{
	const struct sparse_store *s = priv;
	const struct sparse_table *t = rcu_dereference(s->table);
	const struct sparse_entry *e;

	for (e = rcu_dereference(t->bucket[hashfn(pid, t->shift)]); e;
	     e = rcu_dereference(e->next))
		if (e->pid == pid)
			return rcu_dereference(((struct sparse_entry *)e)->task);
	return NULL;
}

/* The next used bit, then the hash for its task; reserved pids are skipped. */
static int sparse_next(void *priv, int from, struct task **t)
{
	struct sparse_store *s = priv;
	int pid;

	for (pid = sparse_search(s, from, PID_MAX_LIMIT, 0); pid >= 0;
	     pid = sparse_search(s, pid + 1, PID_MAX_LIMIT, 0)) {
		struct task *task = sparse_lookup(s, pid);

		if (task) {
			*t = task;
			return pid;
		}
	}
	return -1;
}

static size_t sparse_mem_bytes(void *priv)
{
	const struct sparse_store *s = priv;

	return sizeof(*s) + (s->nr_chunks + !!s->spare) * sizeof(struct chunk) +
	       s->nr_entries * sizeof(struct sparse_entry) +
	       sizeof(struct sparse_table) +
	       (sizeof(struct sparse_entry *) << s->table->shift);
}

static unsigned long sparse_alloc_calls(void *priv)
{
	return __atomic_load_n(&((struct sparse_store *)priv)->allocs,
			       __ATOMIC_RELAXED);
}

const struct pid_store_ops pid_store_sparse_ops = {
	.name = "sparse",
	.desc = "two-level sparse bitmap plus an RCU hash table (Nov 2025 proposal)",
	.create = sparse_create,
	.destroy = sparse_destroy,
	.find_free = sparse_find_free,
	.insert = sparse_insert,
	.replace = sparse_replace,
	.remove = sparse_remove,
	.lookup = sparse_lookup,
	.next = sparse_next,
	.mem_bytes = sparse_mem_bytes,
	.rcu_lookup = true,
	.set_rcu = sparse_set_rcu,
	.alloc_calls = sparse_alloc_calls,
	.preload = sparse_preload,
};
