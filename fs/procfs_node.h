/* SPDX-License-Identifier: MIT */
/*
 * What the request handlers (fs/procfs_req.c, procfs_node.c, procfs_dir.c)
 * share: nodes resolved to tasks, their attributes and timeouts, and the
 * render.  Private to fs/procfs_*.c; transports use fs/procfs_req.h.
 *
 * Context: "read lock held" is the world's k.lock, taken with
 * procfs_rdlock() by the preq_* entry points.
 */
#ifndef PROCSIM_PROCFS_NODE_H
#define PROCSIM_PROCFS_NODE_H

#include <stdbool.h>
#include <sys/stat.h>
#include "inode.h"
#include "procfs_req.h"
#include "task_files.h"

/* Entries that never change meaning: a day in the dentry cache. */
#define FIXED_TIMEOUT	86400.0

static inline void procfs_rdlock(struct procfs *fs)
{
	pthread_rwlock_rdlock(&fs->k.lock);
}

static inline void procfs_unlock(struct procfs *fs)
{
	pthread_rwlock_unlock(&fs->k.lock);
}

/* A node's kind without the caller flag. */
static inline unsigned base_kind(struct node n)
{
	return n.kind & ~NODE_CALLER_FLAG;
}

/* Directories and files that belong to one task. */
bool kind_is_task_node(unsigned kind);

/*
 * The task a per-task node names, or NULL if it is gone.  Read lock held.
 * A caller node stays valid only while no simulated task has its pid:
 * when the two collide, the simulated process wins.
 */
struct task *node_task(const struct preq *r, struct node n);

/* In the /proc tree of a split daemon, procsim is a symlink to the control mount. */
bool procsim_is_link(const struct preq *r, unsigned kind);
/* An entry not served with these options (ns/ without ns_links=on). */
bool node_hidden(const struct preq *r, unsigned kind);

/* A file the kernel keeps in its page cache, invalidated on change. */
bool node_cached(const struct procfs *fs, struct node n, const struct task *t);
/*
 * Fill @st for node @n; read lock held.  -ENOENT if the task is gone.
 * @size: render a paged file to report its exact size.
 */
int node_stat(const struct preq *r, struct node n, struct stat *st, bool size);
/* How long the attributes of @n may be cached.  Read lock held. */
double attr_timeout(const struct preq *r, struct node n);
/* The entry of node @n, as LOOKUP and READDIRPLUS answer it.  Read lock held. */
int fill_entry(const struct preq *r, struct node n, struct preq_entry *e);

/* Render node @n into @b; read lock held. */
int render_node(const struct preq *r, struct node n, struct buf *b);

#endif
