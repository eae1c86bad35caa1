// SPDX-License-Identifier: MIT
/*
 * The world lock's hold tracking for debug builds (world_lock.h): each
 * thread counts its holds of each kernel's k->lock, since a pthread rwlock
 * cannot say who holds it.  Per thread and keyed by kernel, so two worlds
 * in one process (tests) never see each other's holds.  Empty unless
 * PROCSIM_LOCKDEP.
 */
#ifdef PROCSIM_LOCKDEP
#include <stdio.h>
#include <stdlib.h>
#include "kernel.h"

#define HELD_MAX	8	/* kernels one thread holds at once */

static _Thread_local struct held {
	const struct kernel *k;
	int n;
} held[HELD_MAX];

static struct held *held_slot(const struct kernel *k, bool make)
{
	struct held *free_slot = NULL;

	for (int i = 0; i < HELD_MAX; i++) {
		if (held[i].k == k && held[i].n)
			return &held[i];
		if (!held[i].n && !free_slot)
			free_slot = &held[i];
	}
	if (!make)
		return NULL;
	if (!free_slot) {
		fprintf(stderr, "lockdep: one thread holds over %d worlds\n",
			HELD_MAX);
		abort();
	}
	free_slot->k = k;
	return free_slot;
}

void world_read_lock(struct kernel *k)
{
	pthread_rwlock_rdlock(&k->lock);
	held_slot(k, true)->n++;
}

void world_write_lock(struct kernel *k)
{
	pthread_rwlock_wrlock(&k->lock);
	held_slot(k, true)->n++;
}

void world_unlock(struct kernel *k)
{
	struct held *h = held_slot(k, false);

	if (!h) {
		fprintf(stderr, "lockdep: world_unlock of a world this thread "
			"does not hold\n");
		abort();
	}
	h->n--;
	pthread_rwlock_unlock(&k->lock);
}

bool world_lock_held(const struct kernel *k)
{
	return held_slot(k, false) != NULL;
}

void __lockdep_assert_world_held(const struct kernel *k, const char *fn)
{
	if (world_lock_held(k))
		return;
	fprintf(stderr, "lockdep: %s() called without the world lock "
		"(k->lock) held\n", fn);
	abort();
}
#endif
