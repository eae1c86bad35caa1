/* SPDX-License-Identifier: MIT */
/*
 * What the host kernel may have cached (cache=on), so that a ctl publish
 * (fs/fuse_ctl.c) sends only the invalidations that can matter.
 *
 * Each reply that can fill one of the kernel's caches marks what it
 * describes first: a dentry (LOOKUP, READDIRPLUS entry: seen_mark_entry),
 * attributes or pages of a task's nodes or of a global node (every
 * node_stat(), READ and listing: seen_mark_node).  A publish takes a
 * mark (reads and clears it) and invalidates only when it was set.  Without
 * this, every change sent ~40 notifications per ctl transaction, nearly
 * all answered ENOENT (the kernel never saw those inodes), and they were
 * half of a ctl fork/exit/wait's time.
 *
 * Why a skipped invalidation is never a stale read: a reader marks inside
 * its read-locked section (procfs_rdlock), before it reads what it replies
 * (a lookup checks existence first, under tasklist_lock, which reaping
 * holds for writing), and the take follows the change.  A reader before
 * the change marked before the take, which then sees the mark and
 * invalidates; the kernel's invalidation also covers that reader's reply
 * if it is still in flight (a read's folio is locked, an attribute reply
 * older than the invalidation is not cached, and a dentry invalidation
 * waits for the lookups holding the directory locked).  A reader after the
 * change read the changed world, and its mark stays set for the next
 * change's take.  Marks are sequentially consistent atomics.
 *
 * One reply escapes that cover: one that makes a new inode or dentry (a
 * LOOKUP the kernel installs after an invalidation that found nothing to
 * drop, ENOENT).  Invalidating at every change, as before, fixed such an
 * install at the next change; so a mark counts at the next two takes of
 * its pid, not one, and the next change still sends its invalidation.  Only
 * a requester delayed past two whole publishes could keep what the old
 * code would have dropped at the third.
 *
 * Marks are per pid (a task's /proc/<pid> nodes, its task/<tid> nodes,
 * and their entries; a node's tid field is marked too, which for fd/ and
 * ns/ nodes marks a pid for nothing, at worst one needless invalidation)
 * and per kind for global nodes.  A map that could not be allocated, or
 * a pid beyond it, counts as seen: a take then answers true, as before.
 *
 * Thread files (task/<tid>/<file>, fs/thread_dirs.h) use the same marks:
 * their node marks its pid, the group's leader, and its tid, so a leader's
 * take answers for its whole group and a peek (seen_peek_task) at each
 * thread picks those of a walked group the kernel may hold files of.  One
 * more mark per kind of thread file served (ps and top read two of the
 * ten) is never cleared: it spans every group, so no one take owns it.
 */
#ifndef PROCSIM_SEEN_H
#define PROCSIM_SEEN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "inode.h"

struct seen {
	_Atomic uint64_t *data;		/* per pid: attributes or pages */
	_Atomic uint64_t *entry;	/* per pid: a dentry naming it */
	_Atomic uint8_t global[NODE_KIND_MAX];	/* per kind, pid 0 nodes */
	_Atomic uint32_t thread_kinds;	/* bit kind - NODE_T_STAT: a thread file */
	_Atomic uint64_t sent, skipped;	/* invalidations, for the stats file */
};

/* Allocate the maps (zero: nothing seen).  -ENOMEM leaves every take true. */
int seen_init(struct seen *s);
void seen_destroy(struct seen *s);

/* A reply about node @n may fill the kernel's attribute or page cache. */
void seen_mark_node(struct seen *s, struct node n);
/* A reply hands the kernel a dentry for task node @n (a global one: nothing). */
void seen_mark_entry(struct seen *s, struct node n);

/*
 * Was @pid's (resp. global @kind's) mark set since the last two takes?
 * Call after the change is made, before its invalidations; true when the
 * map is missing.  Context: publish_serial (takes of a pid in order).
 */
bool seen_take_task(struct seen *s, int pid);
bool seen_take_entry(struct seen *s, int pid);
bool seen_take_global(struct seen *s, unsigned kind);
/* What seen_take_task(@pid) would answer now, taking nothing. */
bool seen_peek_task(struct seen *s, int pid);
/* Was a thread file of @kind (NODE_T_STAT..NODE_T_CGROUP) ever served? */
bool seen_thread_kind(struct seen *s, unsigned kind);

/*
 * Count @n invalidations sent or skipped (the stats file): inval_inode()
 * and inval_entry() count each one sent; a skip counts what would have
 * been sent.
 */
void seen_count(struct seen *s, bool sent, unsigned n);
/* "publish_invals_sent N" and "publish_invals_skipped N" lines. */
void seen_render(struct buf *b, struct seen *s);

#endif
