// SPDX-License-Identifier: MIT
/*
 * Nodes of the /proc tree: the task a node names, its attributes, and how
 * long the kernel may cache them (see procfs_node.h).
 *
 * Two kinds of file:
 *  - cached: the files of /proc/<tgid>/ (cache=on).  Their size is exact,
 *    their pages stay in the kernel's page cache across opens, and every
 *    ctl command that changes a task invalidates that task's inodes and
 *    entries before its write() returns.  Their entries and attributes
 *    therefore live long.
 *  - direct: everything else (global files that move with time, thread
 *    files, ctl).  st_size 0 and direct_io, as procfs.
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

/*
 * A process file whose content changes only through task_touch() on its
 * group leader, which the change log reports.  Thread files also move
 * when a sibling thread changes, so they stay direct.
 */
bool node_cached(const struct procfs *fs, struct node n, const struct task *t)
{
	return fs->cache && !(n.kind & NODE_CALLER_FLAG) && !n.tid &&
	       kind_is_task_file(n.kind) && t && thread_group_leader(t);
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

/* Files the kernel keeps in its page cache: all of the tree's when split. */
static bool node_paged(const struct preq *r, struct node n, const struct task *t)
{
	return node_cached(r->fs, n, t) || (r->fs->split && !r->control);
}

/*
 * Fill @st for node @n; read lock held.  -ENOENT if the task is gone.
 * @size: render a paged file to report its exact size (lookup, getattr):
 * the page cache reads no further than st_size.
 */
int node_stat(const struct preq *r, struct node n, struct stat *st, bool size)
{
	struct procfs *fs = r->fs;
	unsigned kind = base_kind(n);
	struct task *t = NULL;

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
		return 0;
	}
	if (!S_ISREG(st->st_mode) || !node_paged(r, n, t) ||
	    (proc_dynamic_mode(kind) && kind != NODE_FDINFO_FILE))	/* ns inodes */
		return 0;
	if (size) {
		struct buf *scratch = preq_thread_buf();

		if (!scratch || render_node(r, n, scratch))
			return -ENOMEM;
		st->st_size = scratch->len;
	}
	if (!node_cached(fs, n, t)) {
		/*
		 * A new mtime whenever the content may have moved, and
		 * auto_inval_data drops the pages: every getattr for files of
		 * threads and callers, every clock tick for the global files.
		 */
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		if (!kind_is_task_node(kind)) {
			unsigned long long tick = kernel_now(&fs->k);

			now.tv_sec = tick / USER_HZ;
			now.tv_nsec = (long)(tick % USER_HZ) * (1000000000 / USER_HZ);
		}
		st->st_mtim = now;
	}
	return 0;
}

static bool is_pid_named(struct node n)
{
	return base_kind(n) == NODE_PID_DIR || base_kind(n) == NODE_TID_DIR;
}

/* With cache=on a released pid's entries are invalidated, so they may live. */
static double pid_timeout(const struct procfs *fs, struct node n)
{
	return fs->cache && !(n.kind & NODE_CALLER_FLAG) ? FIXED_TIMEOUT
							 : fs->entry_timeout;
}

/*
 * Owners and sizes of task nodes change.  cache=on invalidates the
 * directories named by pids and the cached files, which may so live long.
 * The other paged files (split) are revalidated on every read.  Read lock held.
 */
double attr_timeout(const struct preq *r, struct node n)
{
	struct procfs *fs = r->fs;
	unsigned kind = base_kind(n);
	struct task *t = kind_is_task_node(kind) ? node_task(r, n) : NULL;

	/*
	 * Global files move with the clock, and print it to the tick: cached
	 * for one tick they are as fresh as their resolution (a ctl command
	 * that changes them invalidates them at once).
	 */
	/*
	 * A namespace link and its target (what stat() of ns/<type> reads:
	 * pstree and ps stat all eight for every process) change only when
	 * their task does, and inval_task() then invalidates the targets.
	 */
	if (fs->cache && !(n.kind & NODE_CALLER_FLAG) &&
	    (kind == NODE_NS_LINK || kind == NODE_NS_TARGET))
		return FIXED_TIMEOUT;
	if (S_ISREG(kind_mode(kind)) && node_paged(r, n, t) && !node_cached(fs, n, t))
		return kind_is_task_node(kind) ? 0 : 1.0 / USER_HZ;
	if (!kind_is_task_node(kind))
		return FIXED_TIMEOUT;
	if (fs->cache && !(n.kind & NODE_CALLER_FLAG) &&
	    (is_pid_named(n) || kind == NODE_TASK_DIR || node_cached(fs, n, t)))
		return FIXED_TIMEOUT;
	return fs->attr_timeout;
}

/* The entry of node @n, as LOOKUP and READDIRPLUS answer it.  Read lock held. */
int fill_entry(const struct preq *r, struct node n, struct preq_entry *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	err = node_stat(r, n, &e->attr, true);
	if (err)
		return err;
	e->ino = node_ino(n);
	/* The epoch bits the inode number has no room for (after 4096 worlds). */
	if (kind_is_task_node(base_kind(n)) && !(n.kind & NODE_CALLER_FLAG))
		e->generation = r->fs->k.epoch >> NODE_EPOCH_BITS;
	/*
	 * A fixed name inside a directory always leads to the same inode, and
	 * the inode resolves its task afresh on every use, so only the
	 * directories named by pids need revalidating.
	 */
	e->entry_timeout = is_pid_named(n) ? pid_timeout(r->fs, n) : FIXED_TIMEOUT;
	e->attr_timeout = attr_timeout(r, n);
	return 0;
}
