// SPDX-License-Identifier: MIT
/*
 * Nodes of the /proc tree: the task a node names, its attributes, and how
 * long the kernel may cache them (see procfs_node.h).
 *
 * How long the kernel may keep what these answer is one table,
 * fs/cache_policy.c.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "caller.h"
#include "proc_links.h"
#include "procfs_node.h"

struct task *node_task(const struct preq *r, struct node n)
{
	struct kernel *k = &r->fs->k;
	struct task *t, *dir;

	if (n.kind & NODE_CALLER_FLAG) {
		if (find_task(k, n.pid) || caller_tgid(r, NULL) != n.pid)
			return NULL;
		t = caller_synth(r, n.pid);
		return !n.tid || n.tid == n.pid || kind_tid_is_aux(base_kind(n)) ? t : NULL;
	}
	if (n.epoch != node_epoch(k->epoch))
		return NULL;		/* a pid of an earlier world (reset, load) */
	if (!n.tid || kind_tid_is_aux(n.kind))	/* fd/<n>: n is no thread */
		return find_task(k, n.pid);
	t = find_task(k, n.tid);
	dir = find_task(k, n.pid);	/* /proc/<pid> may name a thread gone */
	if (!t || !dir || t->tgid != dir->tgid)
		return NULL;
	return t;
}

bool kind_is_task_node(unsigned kind)
{
	return kind == NODE_PID_DIR || kind == NODE_TASK_DIR ||
	       kind == NODE_TID_DIR || kind_is_task_file(kind) ||
	       kind_is_task_extra(kind);
}

static mode_t kind_mode(unsigned kind)
{
	const struct dir_entry *e;

	switch (kind) {
	case NODE_ROOT:
	case NODE_PID_DIR:
	case NODE_TID_DIR:
		return S_IFDIR | 0555;
	default:
		e = kind_entry(kind);
		if (!e && kind == NODE_TASK_DIR)
			return S_IFDIR | 0555;
		return e ? e->mode : proc_dynamic_mode(kind);
	}
}

/* Who keeps node @n's cached state fresh, as request @r sees it. */
static enum cache_mode node_mode(const struct preq *r, struct node n)
{
	if (!r->fs->cache || r->control)
		return CACHE_DIRECT;
	return n.kind & NODE_CALLER_FLAG ? CACHE_CALLER : CACHE_TRACKED;
}

static const struct cache_policy *policy_of(const struct preq *r, struct node n,
					    mode_t mode, const struct task *t)
{
	return cache_policy(node_mode(r, n),
			    node_class(n, mode, t ? t->tgid : 0));
}

int node_policy(const struct preq *r, struct node n, struct task **t,
		const struct cache_policy **pol)
{
	unsigned kind = base_kind(n);
	mode_t mode = procsim_is_link(r, kind) ? S_IFLNK : kind_mode(kind);

	*t = NULL;
	if (kind_is_task_node(kind) && !(*t = node_task(r, n)))
		return -ESRCH;
	*pol = policy_of(r, n, mode, *t);
	return 0;
}

static void set_mtime(const struct preq *r, enum mtime_rule rule, struct stat *st)
{
	unsigned long long tick;

	switch (rule) {
	case MTIME_BOOT:
	case MTIME_START:
		break;			/* node_stat's atime = mtime = ctime */
	case MTIME_NOW:
		clock_gettime(CLOCK_REALTIME, &st->st_mtim);
		break;
	case MTIME_TICK:
		tick = kernel_now(&r->fs->k);
		st->st_mtim.tv_sec = tick / USER_HZ;
		st->st_mtim.tv_nsec = (long)(tick % USER_HZ) * (1000000000 / USER_HZ);
		break;
	}
}

/*
 * Fill @st for node @n and point *@pol at its caching policy; read lock
 * held.  -ENOENT if the task is gone.  @size: render a file whose size is
 * exact to report it (lookup, getattr): the page cache reads no further
 * than st_size.
 */
int node_stat(const struct preq *r, struct node n, struct stat *st, bool size,
	      const struct cache_policy **pol)
{
	struct procfs *fs = r->fs;
	unsigned kind = base_kind(n);
	struct task *t = NULL;
	const struct cache_policy *p;

	seen_mark_node(&fs->seen, n);	/* before the world is read */
	memset(st, 0, sizeof(*st));
	st->st_ino = r->control && kind == NODE_PROCSIM ? PREQ_ROOT_ID : node_ino(n);
	st->st_mode = kind_mode(kind);
	if (!st->st_mode)
		return -ENOENT;
	st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	st->st_atime = st->st_mtime = st->st_ctime = fs->btime;
	if (kind_is_task_node(kind)) {
		t = node_task(r, n);
		if (!t)
			return -ENOENT;
		st->st_uid = t->cred.euid;
		st->st_gid = t->cred.egid;
		st->st_mtime = st->st_ctime = st->st_atime =
			fs->btime + (time_t)(t->start_time / USER_HZ);
	} else if (kind == NODE_CTL || kind == NODE_PROCSIM) {
		st->st_uid = fs->owner_uid;
		st->st_gid = fs->owner_gid;
	}
	if (proc_dynamic_mode(kind)) {
		int err = proc_dynamic_stat(&fs->k, t, n, st);

		if (err)
			return err;
	}
	if (procsim_is_link(r, kind)) {
		st->st_mode = S_IFLNK | 0777;
		st->st_size = strlen(fs->control_path);
	}
	p = policy_of(r, n, st->st_mode, t);
	*pol = p;
	if (p->exact_size && size) {
		size_t len;

		if (node_render(r, n, t, p, NULL, &len))
			return -ENOMEM;
		st->st_size = len;
	}
	set_mtime(r, p->mtime, st);
	return 0;
}

double policy_timeout(double t, double opt)
{
	return t == OPT_TIMEOUT ? opt : t;
}

/* The entry of node @n, as LOOKUP and READDIRPLUS answer it.  Read lock held. */
int fill_entry(const struct preq *r, struct node n, struct preq_entry *e)
{
	const struct cache_policy *p;
	int err;

	seen_mark_entry(&r->fs->seen, n);
	memset(e, 0, sizeof(*e));
	err = node_stat(r, n, &e->attr, true, &p);
	if (err)
		return err;
	e->ino = node_ino(n);
	/* The epoch bits the inode number has no room for (after 4096 worlds). */
	if (kind_is_task_node(base_kind(n)) && !(n.kind & NODE_CALLER_FLAG))
		e->generation = r->fs->k.epoch >> NODE_EPOCH_BITS;
	e->entry_timeout = policy_timeout(p->entry_timeout, r->fs->entry_timeout);
	e->attr_timeout = policy_timeout(p->attr_timeout, r->fs->attr_timeout);
	return 0;
}
