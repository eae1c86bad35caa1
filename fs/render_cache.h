/* SPDX-License-Identifier: MIT */
/*
 * One render per change: the bytes of recently rendered files, so that
 * the LOOKUP (or GETATTR) that reports a file's exact size and the READ
 * that follows share one render instead of making two.
 *
 * An entry is the inode and a key (struct render_key) of everything a
 * render's bytes depend on: the world (its epoch and k->gen, which
 * task_touch and every release bump), every ctl change (render_cache_forget,
 * from publish_changes before the write returns), and the clock tick the
 * render printed.  A lookup whose key differs misses, so a hit is always
 * the bytes a render would make now.
 *
 * Bounded: RENDER_CACHE_SLOTS direct-mapped slots (by inode) of at most
 * RENDER_CACHE_ENTRY_MAX bytes each, 16 MiB at worst; larger renders are
 * not kept.  The cache only has to bridge a LOOKUP and the READ right
 * after it, and the pairs in flight at once are few (FUSE worker threads
 * times readers), so 1,024 slots make two of them rarely collide; 16 KiB
 * covers every file ps, top and pstree read (stat, status, statm, cmdline:
 * 0.1 to 1.5 KiB) with room.
 *
 * Context: each slot has a mutex of its own, a leaf lock taken with the
 * world's read lock held, never with anything else taken inside it.  A
 * cache that render_cache_init() did not set up (zeroed) is off: every
 * lookup misses and nothing is kept.
 */
#ifndef PROCSIM_RENDER_CACHE_H
#define PROCSIM_RENDER_CACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"

#define RENDER_CACHE_SLOTS	1024	/* a power of two */
#define RENDER_CACHE_ENTRY_MAX	(16 * 1024)

/* What a render's bytes depend on beyond its inode. */
struct render_key {
	uint64_t epoch;			/* k->epoch: the world (reset, load) */
	uint64_t world_gen;		/* k->gen: task_touch, releases */
	uint64_t forget_gen;		/* render_cache_forget(): every ctl change */
	unsigned long long tick;	/* kernel_now(): what the render printed */
};

struct render_cache_slot;

struct render_cache {
	struct render_cache_slot *slots;	/* NULL: off */
	_Atomic uint64_t gen;			/* bumped by render_cache_forget */
	_Atomic uint64_t bytes;			/* held by the entries, for the stats */
};

/* Set up @c: 0 or -ENOMEM (the cache then stays off). */
int render_cache_init(struct render_cache *c);
void render_cache_destroy(struct render_cache *c);

/*
 * Every entry made before this call misses from now on.  The daemon calls
 * it after each ctl command, before its write() returns.
 */
void render_cache_forget(struct render_cache *c);
/* The forget generation to put in a key (with the world's read lock held). */
uint64_t render_cache_gen(struct render_cache *c);

/*
 * The entry of @ino made with key @k: its length in *@len, and with @out
 * its bytes copied there (out->oom on ENOMEM).  False on a miss.
 */
bool render_cache_get(struct render_cache *c, uint64_t ino,
		      const struct render_key *k, struct buf *out, size_t *len);
/* Keep @b as the entry of @ino with key @k (if it fits: see above). */
void render_cache_put(struct render_cache *c, uint64_t ino,
		      const struct render_key *k, const struct buf *b);

#endif
