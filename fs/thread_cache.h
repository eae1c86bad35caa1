/* SPDX-License-Identifier: MIT */
/*
 * Thread files in the kernel's page cache (cache=on): which thread groups
 * may have some there, and which of them a batch of changes made stale.
 *
 * /proc/<tgid>/task/<tid>/<file> is cached as a process file is
 * (fs/cache_policy.c), but no change log names all of it: a thread's files
 * show its group too (Threads:, the mm, shared signals), and those changes
 * touch the group leader only.  So a changed leader stales the files of
 * every thread of its group, and a changed or gone thread its own.
 * Walking a group costs one invalidation per file and thread, so only
 * groups whose thread files the kernel may hold are walked, and only the
 * kinds of file it may hold (ps and top read two of the ten): a mark per
 * tgid and one per kind, set before the render the kernel caches, never
 * cleared.  A mark is only ever too many (a reused pid, a later world):
 * clearing one at an invalidation would race with a reply still in flight.
 */
#ifndef PROCSIM_THREAD_CACHE_H
#define PROCSIM_THREAD_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "inode.h"
#include "kernel.h"

struct thread_cache {
	/* Bit tgid: the kernel may hold a thread file of that group.  NULL
	 * (not set up, or ENOMEM): every group counts as marked. */
	_Atomic uint64_t *marks;
	/* Bit kind - NODE_T_STAT: that file may be cached of some thread. */
	_Atomic uint32_t kinds;
};

/* Set up @c: 0, or -ENOMEM (every group then counts as marked). */
int thread_cache_init(struct thread_cache *c);
void thread_cache_destroy(struct thread_cache *c);

/*
 * The kernel may now hold file @kind (a task file) of a thread of group
 * @tgid.  Call it before the render that the reply carries.  Context: the
 * world's read lock held, so that a change after the render publishes
 * with the mark seen.
 */
void thread_cache_mark(struct thread_cache *c, int tgid, unsigned kind);
/* Whether the kernel may hold file @kind of some thread. */
bool thread_cache_kind_marked(const struct thread_cache *c, unsigned kind);

/* Thread directories whose files a batch of changes made stale. */
struct thread_dirs {
	struct node *v;			/* NODE_TID_DIR nodes */
	size_t n, cap;
	bool overflow;			/* ENOMEM: some were left out */
};

/*
 * Fill @out (the caller frees out->v) from the change logs of one
 * publish: each gone or changed thread's own directory, and each changed
 * leader's group, every thread of it, where the group is marked.
 * Context: takes the reader's section (kernel_read_lock).
 */
void thread_cache_stale(struct kernel *k, const struct thread_cache *c,
			const struct change_log *changed,
			const struct change_log *gone, struct thread_dirs *out);

#endif
