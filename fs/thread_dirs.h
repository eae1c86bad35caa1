/* SPDX-License-Identifier: MIT */
/*
 * Thread files in the kernel's page cache (cache=on): which task/<tid>/
 * directories a publish must invalidate.
 *
 * /proc/<tgid>/task/<tid>/<file> is cached as a process file is
 * (fs/cache_policy.c), but no change log names all of it: a thread's files
 * show its group too (Threads:, the mm, shared signals), and those changes
 * touch the group leader only.  So a changed leader stales the files of
 * every thread of its group, and a changed or gone thread its own.
 *
 * Walking a group costs one invalidation per file and thread, so it asks
 * fs/seen.h what the kernel may hold: a thread file's node marks its pid
 * (the leader's) and its tid, so the leader's own take gates the walk (a
 * group nobody read is not walked), and within it only the threads that
 * seen_peek_task() says may be held are listed.  seen_thread_kind() then
 * picks the kinds of file to invalidate.
 */
#ifndef PROCSIM_THREAD_DIRS_H
#define PROCSIM_THREAD_DIRS_H

#include <stdbool.h>
#include <stddef.h>
#include "inode.h"
#include "kernel.h"
#include "seen.h"

/* Thread directories whose files a batch of changes made stale. */
struct thread_dirs {
	struct node *v;			/* NODE_TID_DIR nodes */
	size_t n, cap;
	bool overflow;			/* ENOMEM: some were left out */
};

/*
 * Add to @d the thread directories change @c (@gone: a reaped task) made
 * stale.  Call it where the take of c's mark (seen_take_task(c->pid))
 * answered true (for a task of another world, where a peek did: see
 * publish_task()): a changed leader adds every thread of its group that
 * @s may have served (the leader itself, and each other where
 * seen_peek_task() answers true), any other task its own.
 * Context: publish_serial; takes the reader's section (kernel_read_lock)
 * to walk a group.
 */
void thread_dirs_add(struct kernel *k, struct seen *s, struct thread_dirs *d,
		     const struct pid_change *c, bool gone);

#endif
