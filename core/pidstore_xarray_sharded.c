// SPDX-License-Identifier: MIT
/*
 * Several XArrays with the pid space striped across them: the "multi-
 * xarray" of the Nov 2025 clone-scalability thread.  Stripe s (pids
 * [64s, 64s + 64), one leaf) lives in shard s % NR_SHARDS, at local index
 * (s / NR_SHARDS) * 64 + pid % 64, so a cyclic cursor walks the shards in
 * turn and each shard's tree stays NR_SHARDS times smaller.
 *
 * By default all shards share the store's one pidmap_lock ("multiple
 * xarrays that shared a single lock") and its global cyclic cursor
 * (pidstore.c).  With pidlock_shards each shard has a lock and a cursor
 * of its own (the thread's "sharding"): the write hooks of one shard touch
 * only its tree, and find_free_in() searches one shard, so allocations in
 * different shards never meet; pids are then in order per shard only.
 * A search over a pid range asks every shard for its first hit in its
 * share of the range and keeps the smallest (the map is monotonic within
 * a shard).  Lookups are RCU-safe as each shard's are (pidstore_xarray.c).
 */
#include <stdlib.h>
#include "pidstore_xarray.h"

#define NR_SHARDS	8
#define STRIPE_BITS	RADIX64_BITS
#define STRIPE		(1UL << STRIPE_BITS)

struct sharded {
	struct radix64 shard[NR_SHARDS];
};

static struct radix64 *shard_of(struct sharded *x, int pid, unsigned long *local)
{
	unsigned long stripe = (unsigned long)pid >> STRIPE_BITS;

	*local = (stripe / NR_SHARDS) << STRIPE_BITS | (pid & (STRIPE - 1));
	return &x->shard[stripe % NR_SHARDS];
}

static long to_global(unsigned i, long local)
{
	unsigned long stripe = ((unsigned long)local >> STRIPE_BITS) * NR_SHARDS + i;

	return (long)(stripe << STRIPE_BITS | (local & (STRIPE - 1)));
}

/* Shard @i's first local index whose pid is >= @pid. */
static unsigned long local_from(unsigned i, unsigned long pid)
{
	unsigned long stripe = pid >> STRIPE_BITS;
	unsigned long ahead = (i + NR_SHARDS - stripe % NR_SHARDS) % NR_SHARDS;

	if (!ahead)
		return (stripe / NR_SHARDS) << STRIPE_BITS | (pid & (STRIPE - 1));
	return ((stripe + ahead) / NR_SHARDS) << STRIPE_BITS;
}

static void *sh_create(void)
{
	return calloc(1, sizeof(struct sharded));
}

static void sh_destroy(void *priv)
{
	struct sharded *x = priv;

	for (unsigned i = 0; i < NR_SHARDS; i++)
		radix64_destroy(&x->shard[i]);
	free(x);
}

static unsigned sh_shard_of(int pid)
{
	return ((unsigned long)pid >> STRIPE_BITS) % NR_SHARDS;
}

/* Shard @i's first free pid in [from, to), or -1. */
static int sh_find_free_in(void *priv, unsigned i, int from, int to)
{
	struct sharded *x = priv;
	long n = xa_tree_find_free(&x->shard[i], local_from(i, from),
				   local_from(i, to));

	return n >= 0 ? (int)to_global(i, n) : -1;
}

static int sh_find_free(void *priv, int from, int to)
{
	long best = -1;

	for (unsigned i = 0; i < NR_SHARDS; i++) {
		int n = sh_find_free_in(priv, i, from, to);

		if (n >= 0 && (best < 0 || n < best))
			best = n;
	}
	return (int)best;
}

static int sh_insert(void *priv, int pid, struct task *t)
{
	unsigned long local;
	struct radix64 *xa = shard_of(priv, pid, &local);

	return xa_tree_insert(xa, local, t);
}

static void sh_replace(void *priv, int pid, struct task *t)
{
	unsigned long local;
	struct radix64 *xa = shard_of(priv, pid, &local);

	xa_tree_replace(xa, local, t);
}

static void sh_set_leader(void *priv, int pid, bool leader)
{
	unsigned long local;
	struct radix64 *xa = shard_of(priv, pid, &local);

	xa_tree_set_leader(xa, local, leader);
}

static void sh_remove(void *priv, int pid)
{
	unsigned long local;
	struct radix64 *xa = shard_of(priv, pid, &local);

	radix64_remove(xa, local);
}

static struct task *sh_lookup(void *priv, int pid)
{
	unsigned long local;
	struct radix64 *xa = shard_of(priv, pid, &local);

	return xa_tree_lookup(xa, local);
}

/* The smallest hit over the shards of @next (xa_tree_next or _leader). */
static int sh_min(struct sharded *x, int from, struct task **t,
		  long (*next)(const struct radix64 *, unsigned long,
			       struct task **))
{
	long best = -1;

	for (unsigned i = 0; i < NR_SHARDS; i++) {
		struct task *task;
		long n = next(&x->shard[i], local_from(i, from), &task);

		if (n >= 0 && (best < 0 || to_global(i, n) < best)) {
			best = to_global(i, n);
			*t = task;
		}
	}
	return (int)best;
}

static int sh_next(void *priv, int from, struct task **t)
{
	return sh_min(priv, from, t, xa_tree_next);
}

static int sh_next_leader(void *priv, int from, struct task **t)
{
	return sh_min(priv, from, t, xa_tree_next_leader);
}

static size_t sh_mem_bytes(void *priv)
{
	struct sharded *x = priv;
	size_t bytes = sizeof(*x) - sizeof(x->shard);

	for (unsigned i = 0; i < NR_SHARDS; i++)
		bytes += radix64_mem_bytes(&x->shard[i]);
	return bytes;
}

static void sh_set_rcu(void *priv)
{
	struct sharded *x = priv;

	for (unsigned i = 0; i < NR_SHARDS; i++)
		x->shard[i].rcu = true;
}

static unsigned long sh_alloc_calls(void *priv)
{
	struct sharded *x = priv;
	unsigned long n = 0;

	for (unsigned i = 0; i < NR_SHARDS; i++)
		n += x->shard[i].allocs;
	return n;
}

const struct pid_store_ops pid_store_xarray_sharded_ops = {
	.name = "xarray-sharded",
	.desc = "8 XArrays, 64-pid stripes spread across them, one pidmap_lock (or one each)",
	.create = sh_create,
	.destroy = sh_destroy,
	.find_free = sh_find_free,
	.insert = sh_insert,
	.replace = sh_replace,
	.remove = sh_remove,
	.lookup = sh_lookup,
	.next = sh_next,
	.next_leader = sh_next_leader,
	.set_leader = sh_set_leader,
	.mem_bytes = sh_mem_bytes,
	.rcu_lookup = true,
	.set_rcu = sh_set_rcu,
	.alloc_calls = sh_alloc_calls,
	.nr_shards = NR_SHARDS,
	.shard_of = sh_shard_of,
	.find_free_in = sh_find_free_in,
};
