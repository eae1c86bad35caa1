/* SPDX-License-Identifier: MIT */
/*
 * The world lock's wrappers.  Every hold of k->lock goes through them, so
 * a debug build can answer what pthread rwlocks cannot: does this thread
 * hold it?  With PROCSIM_LOCKDEP (Debug and sanitizer builds, CMakeLists)
 * each thread counts its holds per kernel, and lockdep_assert_world_held()
 * aborts with a message in any do_* entered without the lock; in release
 * builds the wrappers are the bare pthread calls and the assertion is
 * nothing.  kernel.h includes it after struct kernel.
 */
#ifndef PROCSIM_WORLD_LOCK_H
#define PROCSIM_WORLD_LOCK_H

#include <pthread.h>
#include <stdbool.h>

#ifdef PROCSIM_LOCKDEP
/*
 * world_read_lock, world_write_lock - take k->lock.
 * Context: may block; the caller must not hold k->lock already (a
 * pthread rwlock is not recursive).
 */
void world_read_lock(struct kernel *k);
void world_write_lock(struct kernel *k);
/* Context: k->lock held by this thread, either way. */
void world_unlock(struct kernel *k);
/* Whether this thread holds k->lock, for reading or writing. */
bool world_lock_held(const struct kernel *k);
/* Abort, naming @fn, unless this thread holds k->lock (either way). */
void __lockdep_assert_world_held(const struct kernel *k, const char *fn);
#define lockdep_assert_world_held(k) \
	__lockdep_assert_world_held((k), __func__)
#else
static inline void world_read_lock(struct kernel *k)
{
	pthread_rwlock_rdlock(&k->lock);
}

static inline void world_write_lock(struct kernel *k)
{
	pthread_rwlock_wrlock(&k->lock);
}

static inline void world_unlock(struct kernel *k)
{
	pthread_rwlock_unlock(&k->lock);
}

#define lockdep_assert_world_held(k)	((void)(k))
#endif

#endif
