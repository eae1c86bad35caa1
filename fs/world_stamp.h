/* SPDX-License-Identifier: MIT */
/*
 * A table derived from the whole world (every task's terminal, every mm's
 * file mappings) is built by one walk and kept until the world changes.
 * The stamp says which world and which moment the table was built for:
 * gen alone may repeat after a reset or a load, so the world's address and
 * its fork and task counts are compared too.
 *
 * Context: the caller holds the kernel's read lock (the world cannot change
 * under it) and the table's own mutex (readers build concurrently).
 */
#ifndef PROCSIM_WORLD_STAMP_H
#define PROCSIM_WORLD_STAMP_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel.h"

struct world_stamp {
	const struct kernel *k;		/* NULL: never built */
	uint64_t gen;
	unsigned long forks, tasks;
};

/* Whether a table stamped @s still describes @k as it is now. */
static inline bool world_stamp_current(const struct world_stamp *s,
				       const struct kernel *k)
{
	return s->k == k && s->gen == k->gen && s->forks == k->total_forks &&
	       s->tasks == k->nr_tasks;
}

/* Stamp a table just built from @k. */
static inline void world_stamp_take(struct world_stamp *s, const struct kernel *k)
{
	*s = (struct world_stamp){ k, k->gen, k->total_forks, k->nr_tasks };
}

#endif
