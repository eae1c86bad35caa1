// SPDX-License-Identifier: MIT
/*
 * A sparse bitmap for allocation plus a hash table for lookup: the design
 * proposed in the Nov 2025 clone-scalability thread.  The bitmap has two
 * levels: chunks of 4096 bits allocated on first use and freed when empty,
 * each with a summary word (bit i: word i is full; bit i of ->any: word i
 * has a bit set), and over the chunks two summary bitmaps (full chunks,
 * non-empty chunks).  Every search is a find-next-bit per level.  Lookup
 * goes through a uthash table that holds every used pid (task NULL while
 * only reserved).
 *
 * Concurrency: uthash is not safe to read beside a writer (a bucket
 * expansion moves every entry), so this backend has no .rcu_lookup and
 * its lookups take the store's read_lock (core/pidstore.h, LOCKING).  Not
 * yet the thread's lock-free hash: see docs/pidstores.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "bitops.h"
#include "pidstore.h"

struct sparse_entry;
#define HASH_NONFATAL_OOM	1
#define uthash_nonfatal_oom(e)	((e)->oom = true)
#include <uthash.h>

#define CHUNK_WORDS	64
#define CHUNK_BITS	(CHUNK_WORDS * BITS_PER_WORD)	/* 4096 */
#define NR_CHUNKS	(PID_MAX_LIMIT / CHUNK_BITS)	/* 1024 */

struct chunk {
	uint64_t full, any;		/* summaries over ->bits */
	uint64_t bits[CHUNK_WORDS];
	unsigned nr_used;
};

struct sparse_entry {
	int pid;
	bool oom;
	struct task *task;
	UT_hash_handle hh;
};

struct sparse_store {
	uint64_t full[NR_CHUNKS / BITS_PER_WORD];	/* chunk is full */
	uint64_t busy[NR_CHUNKS / BITS_PER_WORD];	/* chunk exists (non-empty) */
	struct chunk *chunk[NR_CHUNKS];
	struct sparse_entry *hash;
	size_t nr_chunks, nr_entries;
	unsigned long allocs;		/* entry and chunk callocs (uthash's own not counted) */
};

static void *sparse_create(void)
{
	return calloc(1, sizeof(struct sparse_store));
}

static void sparse_destroy(void *priv)
{
	struct sparse_store *s = priv;
	struct sparse_entry *e, *tmp;

	HASH_ITER(hh, s->hash, e, tmp) {
		HASH_DEL(s->hash, e);
		free(e);
	}
	for (unsigned i = 0; i < NR_CHUNKS; i++)
		free(s->chunk[i]);
	free(s);
}

/* The first clear (or set, @invert 0) bit >= @from in chunk @c, or -1. */
static int chunk_search(const struct chunk *c, unsigned from, uint64_t invert)
{
	unsigned w = from / BITS_PER_WORD;
	uint64_t bits = (c->bits[w] ^ invert) & (~0ULL << (from % BITS_PER_WORD));
	/* ->full marks words with no clear bit, ->any words with a set bit. */
	uint64_t summary = invert ? c->full : ~c->any;

	if (!bits) {
		w = find_next_zero_bit(&summary, CHUNK_WORDS, w + 1);
		if (w >= CHUNK_WORDS)
			return -1;
		bits = c->bits[w] ^ invert;
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
		int r;

		c = invert ? find_next_zero_bit(s->full, NR_CHUNKS, c) :
			     find_next_bit(s->busy, NR_CHUNKS, c);
		if (c >= NR_CHUNKS)
			return -1;
		if (c != (unsigned long)from / CHUNK_BITS)
			from = c * CHUNK_BITS;
		if (from >= to)
			return -1;
		if (!s->chunk[c])		/* not full and absent: all clear */
			return from;
		r = chunk_search(s->chunk[c], from % CHUNK_BITS, invert);
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

static struct sparse_entry *entry_find(struct sparse_store *s, int pid)
{
	struct sparse_entry *e;

	HASH_FIND_INT(s->hash, &pid, e);
	return e;
}

static int sparse_insert(void *priv, int pid, struct task *t)
{
	struct sparse_store *s = priv;
	unsigned ci = pid / CHUNK_BITS, bit = pid % CHUNK_BITS;
	unsigned w = bit / BITS_PER_WORD;
	struct sparse_entry *e = calloc(1, sizeof(*e));
	struct chunk *c = s->chunk[ci];

	s->allocs++;
	if (!e)
		return -ENOMEM;
	if (!c) {
		c = calloc(1, sizeof(*c));
		s->allocs++;
		if (!c) {
			free(e);
			return -ENOMEM;
		}
	}
	e->pid = pid;
	e->task = t;
	HASH_ADD_INT(s->hash, pid, e);
	if (e->oom) {			/* uthash rolled the add back */
		if (c != s->chunk[ci])
			free(c);
		free(e);
		return -ENOMEM;
	}
	s->nr_entries++;
	if (!s->chunk[ci]) {
		s->chunk[ci] = c;
		s->nr_chunks++;
		set_bit64(s->busy, ci);
	}
	set_bit64(c->bits, bit);
	c->any |= 1ULL << w;
	if (!~c->bits[w])
		c->full |= 1ULL << w;
	if (++c->nr_used == CHUNK_BITS)
		set_bit64(s->full, ci);
	return 0;
}

static void sparse_replace(void *priv, int pid, struct task *t)
{
	struct sparse_entry *e = entry_find(priv, pid);

	if (e)
		e->task = t;
}

static void sparse_remove(void *priv, int pid)
{
	struct sparse_store *s = priv;
	struct sparse_entry *e = entry_find(s, pid);
	unsigned ci = pid / CHUNK_BITS, bit = pid % CHUNK_BITS;
	unsigned w = bit / BITS_PER_WORD;
	struct chunk *c = s->chunk[ci];

	if (!e)
		return;
	HASH_DEL(s->hash, e);
	free(e);
	s->nr_entries--;
	clear_bit64(c->bits, bit);
	c->full &= ~(1ULL << w);
	if (!c->bits[w])
		c->any &= ~(1ULL << w);
	clear_bit64(s->full, ci);
	if (!--c->nr_used) {
		free(c);
		s->chunk[ci] = NULL;
		s->nr_chunks--;
		clear_bit64(s->busy, ci);
	}
}

static struct task *sparse_lookup(void *priv, int pid)
{
	struct sparse_entry *e = entry_find(priv, pid);

	return e ? e->task : NULL;
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
	/* The handles live in the entries; add the buckets and the table. */
	size_t table = s->hash ? s->hash->hh.tbl->num_buckets *
				 sizeof(UT_hash_bucket) +
				 sizeof(UT_hash_table) : 0;

	return sizeof(*s) + s->nr_chunks * sizeof(struct chunk) +
	       s->nr_entries * sizeof(struct sparse_entry) + table;
}

static unsigned long sparse_alloc_calls(void *priv)
{
	return ((struct sparse_store *)priv)->allocs;
}

const struct pid_store_ops pid_store_sparse_ops = {
	.name = "sparse",
	.desc = "two-level sparse bitmap plus a uthash table (Nov 2025 proposal)",
	.create = sparse_create,
	.destroy = sparse_destroy,
	.find_free = sparse_find_free,
	.insert = sparse_insert,
	.replace = sparse_replace,
	.remove = sparse_remove,
	.lookup = sparse_lookup,
	.next = sparse_next,
	.mem_bytes = sparse_mem_bytes,
	.alloc_calls = sparse_alloc_calls,
};
