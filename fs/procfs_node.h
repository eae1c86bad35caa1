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
#include "cache_policy.h"
#include "inode.h"
#include "procfs_req.h"
#include "task_files.h"


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

/* In the /proc tree with cache=on, procsim is a symlink to the control mount. */
bool procsim_is_link(const struct preq *r, unsigned kind);
/* An entry not served with these options (ns/ without ns_links=on). */
bool node_hidden(const struct preq *r, unsigned kind);

/*
 * Fill @st for node @n and point *@pol at its caching policy
 * (cache_policy.h).  -ENOENT if the task is gone.  @size: render a file
 * whose size is exact to report it.  Read lock held.
 */
int node_stat(const struct preq *r, struct node n, struct stat *st, bool size,
	      const struct cache_policy **pol);
/* A policy's timeout @t, or the user's @opt for OPT_TIMEOUT. */
double policy_timeout(double t, double opt);
/* The entry of node @n, as LOOKUP and READDIRPLUS answer it.  Read lock held. */
int fill_entry(const struct preq *r, struct node n, struct preq_entry *e);

/*
 * Node @n's task in *@t (NULL for a global node) and its caching policy in
 * *@pol: 0, or -ESRCH if its task is gone.  Read lock held.
 */
int node_policy(const struct preq *r, struct node n, struct task **t,
		const struct cache_policy **pol);
/*
 * Render node @n of task @t (NULL: global) into @b, and its length into
 * *@len; with @b NULL only the length (into a scratch buffer).  With
 * @p->render_once the bytes come from, or go to, the render cache
 * (fs/render_cache.h).  0, -ESRCH (task gone), -EINVAL, -ENOMEM.  Read
 * lock held.
 */
int node_render(const struct preq *r, struct node n, struct task *t,
		const struct cache_policy *p, struct buf *b, size_t *len);

#endif
