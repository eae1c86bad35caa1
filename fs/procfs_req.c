// SPDX-License-Identifier: MIT
/*
 * The /proc tree's request handlers, transport-independent (procfs_req.h).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "caller.h"
#include "proc_links.h"
#include "procfs_req.h"
#include "render_clients.h"

/* Readdir cookies: fixed entries count from 1, pids from PID_OFF. */
#define PID_OFF		1000

/* Entries that never change meaning: a day in the dentry cache. */
#define FIXED_TIMEOUT	86400.0

/* A stand-in task for a caller that is not a simulated process. */
struct caller_task {
	struct task t;
	struct signal_struct sig;
};

static __thread struct caller_task caller_slot;

struct node preq_node(const struct preq *r, uint64_t ino)
{
	if (r->control && ino == PREQ_ROOT_ID)
		return (struct node){ 0, 0, NODE_PROCSIM, 0 };
	return ino_node(ino);
}

/* In the /proc tree of a split daemon, procsim is a symlink to the control mount. */
static bool procsim_is_link(const struct preq *r, unsigned kind)
{
	return kind == NODE_PROCSIM && r->fs->split && !r->control;
}

static void rdlock(struct procfs *fs)
{
	world_read_lock(&fs->k);
}

static void unlock(struct procfs *fs)
{
	world_unlock(&fs->k);
}

/* The caller's pid as it sees itself, or -1. */
static int caller_tgid(const struct preq *r, int *tid)
{
	int tgid, t;

	if (!r->caller || caller_ids(r->caller, &tgid, &t))
		return -1;
	if (tid)
		*tid = t;
	return tgid;
}

static struct task *synth_caller(const struct preq *r, int pid)
{
	struct caller_task *c = &caller_slot;

	memset(c, 0, sizeof(*c));
	INIT_LIST_HEAD(&c->sig.thread_head);
	INIT_LIST_HEAD(&c->t.children);
	INIT_LIST_HEAD(&c->t.sibling);
	list_add_tail(&c->t.thread_node, &c->sig.thread_head);
	c->sig.nr_threads = 1;
	c->sig.pgrp = c->sig.session = pid;
	c->t.pid = c->t.tgid = pid;
	c->t.state = TASK_RUNNING;
	c->t.signal = &c->sig;
	c->t.group_leader = &c->t;
	c->t.exit_signal = SIGCHLD;
	c->t.cred.uid = c->t.cred.euid = c->t.cred.suid = c->t.cred.fsuid = r->uid;
	c->t.cred.gid = c->t.cred.egid = c->t.cred.sgid = c->t.cred.fsgid = r->gid;
	c->t.start_time = kernel_now(&r->fs->k);
	caller_comm(r->caller, c->t.comm, sizeof(c->t.comm));
	return &c->t;
}

/*
 * The task a per-task node names, or NULL if it is gone.  Read lock held.
 * A caller node stays valid only while no simulated task has its pid:
 * when the two collide, the simulated process wins.
 */
static unsigned base_kind(struct node n)
{
	return n.kind & ~NODE_CALLER_FLAG;
}

static struct task *node_task(const struct preq *r, struct node n)
{
	struct kernel *k = &r->fs->k;
	struct task *t, *dir;

	if (n.kind & NODE_CALLER_FLAG) {
		if (find_task(k, n.pid) || caller_tgid(r, NULL) != n.pid)
			return NULL;
		t = synth_caller(r, n.pid);
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
static bool node_cached(const struct procfs *fs, struct node n,
			const struct task *t)
{
	return fs->cache && !(n.kind & NODE_CALLER_FLAG) && !n.tid &&
	       kind_is_task_file(n.kind) && t && thread_group_leader(t);
}

static int render_node(const struct preq *r, struct node n, struct buf *b);

static bool kind_is_task_node(unsigned kind)
{
	return kind == NODE_PID_DIR || kind == NODE_TASK_DIR ||
	       kind == NODE_TID_DIR || kind_is_task_file(kind) ||
	       kind_is_task_extra(kind);
}

/*
 * A render buffer per thread, for sizes and page reads.  Freed when the thread ends:
 * libfuse retires idle workers and starts new ones, so a plain __thread
 * buffer would leak one per retired thread.
 */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
	buf_free(p);
	free(p);
}

static void scratch_key_init(void)
{
	if (pthread_key_create(&scratch_key, scratch_free))
		abort();
}

struct buf *preq_thread_buf(void)
{
	struct buf *b;

	pthread_once(&scratch_once, scratch_key_init);
	b = pthread_getspecific(scratch_key);
	if (!b) {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
		buf_init(b);
		if (pthread_setspecific(scratch_key, b)) {
			free(b);
			return NULL;
		}
	}
	return b;
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
static int node_stat(const struct preq *r, struct node n, struct stat *st, bool size)
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
static double attr_timeout(const struct preq *r, struct node n)
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
static int fill_entry(const struct preq *r, struct node n, struct preq_entry *e)
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

/*
 * /proc/<pid>/ns unless -o ns_links=on: a stat() of each link costs a
 * READLINK round trip (FUSE cannot cache symlinks while /proc/self's
 * target depends on the caller), and pstree and ps stat all eight links
 * of every process, which made a warm pstree -p 15x slower.
 */
static bool hidden(const struct preq *r, unsigned kind)
{
	return kind == NODE_NS_DIR && !r->fs->ns_links;
}

/* A numeric name under /proc: a simulated pid, else maybe the caller. */
static int lookup_pid(const struct preq *r, const char *name, struct node *out)
{
	int pid = parse_pid_name(name);

	if (pid < 0)
		return -ENOENT;
	if (find_task(&r->fs->k, pid)) {
		*out = (struct node){ pid, 0, NODE_PID_DIR,
				      node_epoch(r->fs->k.epoch) };
		return 0;
	}
	if (caller_tgid(r, NULL) == pid) {
		*out = (struct node){ pid, 0, NODE_PID_DIR | NODE_CALLER_FLAG, 0 };
		return 0;
	}
	return -ENOENT;
}

/* Resolve @name in @p, read lock held: 0 and *@n, or -ENOENT. */
static int lookup_node(const struct preq *r, struct node p, const char *name,
		       struct node *n)
{
	unsigned kind = base_kind(p), flag = p.kind & NODE_CALLER_FLAG;
	const struct dir_entry *e;

	if (kind_is_task_node(kind) && !node_task(r, p))
		return -ENOENT;
	if (kind == NODE_TASK_DIR) {
		int tid = parse_pid_name(name);
		struct task *t = tid > 0 ? (flag ? (tid == p.pid ? node_task(r, p) : NULL)
					     : find_task(&r->fs->k, tid)) : NULL;

		if (!t || t->tgid != node_task(r, p)->tgid)
			return -ENOENT;
		*n = (struct node){ p.pid, tid, NODE_TID_DIR | flag, p.epoch };
		return 0;
	}
	if ((e = dir_lookup(kind, name)) && !hidden(r, e->kind)) {
		*n = (struct node){ p.pid, e->aux ? e->aux : p.tid, e->kind | flag, p.epoch };
		return 0;
	}
	if (proc_dir_dynamic(kind))
		return proc_dir_lookup(&r->fs->k, kind_is_task_node(kind) ? node_task(r, p) : NULL,
				       p, name, n);
	if (kind == NODE_ROOT)
		return lookup_pid(r, name, n);
	return -ENOENT;
}

int preq_lookup(const struct preq *r, uint64_t parent, const char *name,
		struct preq_entry *e)
{
	struct node p = preq_node(r, parent), n = { 0, 0, 0, 0 };
	unsigned kind = base_kind(p);
	int err;

	rdlock(r->fs);
	err = lookup_node(r, p, name, &n);
	if (err == -ENOENT && kind != NODE_ROOT && kind != NODE_TASK_DIR &&
	    !proc_dir_dynamic(kind) &&
	    (!kind_is_task_node(kind) || node_task(r, p))) {
		/* A name a fixed directory lacks never appears: cache the miss. */
		memset(e, 0, sizeof(*e));
		e->entry_timeout = FIXED_TIMEOUT;
		err = 0;
	} else if (!err) {
		err = fill_entry(r, n, e);
	}
	unlock(r->fs);
	return err;
}

int preq_getattr(const struct preq *r, uint64_t ino, struct stat *st,
		 double *timeout)
{
	struct node n = preq_node(r, ino);
	int err;

	rdlock(r->fs);
	err = node_stat(r, n, st, true);
	*timeout = err ? 0 : attr_timeout(r, n);
	unlock(r->fs);
	return err;
}

int preq_stat(const struct preq *r, uint64_t ino, struct stat *st,
	      bool *keep_cache)
{
	struct node n = preq_node(r, ino);
	int err;

	rdlock(r->fs);
	err = node_stat(r, n, st, false);
	if (!err && keep_cache)
		*keep_cache = node_cached(r->fs, n, node_task(r, n));
	unlock(r->fs);
	return err;
}

int preq_readlink(const struct preq *r, uint64_t ino, char *out, size_t size)
{
	struct node n = preq_node(r, ino);
	int tid, tgid;

	if (procsim_is_link(r, n.kind)) {
		snprintf(out, size, "%s", r->fs->control_path);
		return 0;
	}
	if (n.kind != NODE_SELF && n.kind != NODE_THREAD_SELF) {
		/* exe, cwd, root, fd/<n>, ns/<type>, mounts, net */
		int len;

		rdlock(r->fs);
		len = proc_link_target(kind_is_task_node(base_kind(n)) ? node_task(r, n) : NULL,
				       n, out, size);
		unlock(r->fs);
		return len < 0 ? len : 0;
	}
	tgid = caller_tgid(r, &tid);
	if (tgid < 0)
		return -ENOENT;
	if (n.kind == NODE_SELF)
		snprintf(out, size, "%d", tgid);
	else if (n.kind == NODE_THREAD_SELF)
		snprintf(out, size, "%d/task/%d", tgid, tid);
	else
		return -EINVAL;
	return 0;
}

/* One listing: where it goes, and whether entries carry attributes. */
struct lister {
	const struct preq *r;
	preq_fill_fn fill;
	void *arg;
	bool plus;
};

/* Add one entry; false when full.  @n: the node it leads to (NULL: "." ".."). */
static bool dir_add(const struct lister *l, const char *name, const struct node *n,
		    uint64_t ino, mode_t mode, off_t next)
{
	struct preq_entry e;

	if (!l->plus)
		return l->fill(l->arg, name, ino, mode, next, NULL);
	if (!n) {
		memset(&e, 0, sizeof(e));
		e.attr.st_ino = ino;
		e.attr.st_mode = mode;
		return l->fill(l->arg, name, ino, mode, next, &e);
	}
	if (fill_entry(l->r, *n, &e))
		return true;	/* gone meanwhile: skip it */
	return l->fill(l->arg, name, ino, mode, next, &e);
}

/* /proc itself after its fixed entries: every thread-group leader. */
static void list_pids(const struct lister *l, off_t off)
{
	int pid = off > PID_OFF ? (int)(off - PID_OFF) : 0;
	struct task *t;
	char name[16];

	for (pid = next_tgid(&l->r->fs->k, pid, &t); pid >= 0;
	     pid = next_tgid(&l->r->fs->k, pid + 1, &t)) {
		snprintf(name, sizeof(name), "%d", pid);
		struct node pn = { pid, 0, NODE_PID_DIR, node_epoch(l->r->fs->k.epoch) };

		if (!dir_add(l, name, &pn, node_ino(pn), S_IFDIR, PID_OFF + pid + 1))
			return;
	}
}

/* /proc/<pid>/task: threads in the group's list order, as the kernel lists them. */
static void list_threads(const struct lister *l, struct node dir,
			 const struct task *owner, off_t off, off_t i)
{
	unsigned flag = dir.kind & NODE_CALLER_FLAG;
	struct task *t;
	char name[16];

	list_for_each_entry(t, &owner->signal->thread_head, thread_node) {
		if (off > i++)
			continue;
		snprintf(name, sizeof(name), "%d", t->pid);
		struct node tn = { dir.pid, t->pid, NODE_TID_DIR | flag, dir.epoch };

		if (!dir_add(l, name, &tn, node_ino(tn), S_IFDIR, i))
			return;
	}
}

/* fd/, fdinfo/, pts/: the entries proc_links.c derives from the world. */
static void list_dynamic(const struct lister *l, struct node dir,
			 const struct task *owner, off_t off, off_t i)
{
	char name[32];
	struct node dn;

	for (int j = 0; !proc_dir_next(&l->r->fs->k, owner, dir, j, name, sizeof(name), &dn); j++) {
		if (off > i++)
			continue;
		if (!dir_add(l, name, &dn, node_ino(dn), proc_dynamic_mode(base_kind(dn)), i))
			return;
	}
}

int preq_readdir(const struct preq *r, uint64_t ino, off_t off, bool plus,
		 preq_fill_fn fill, void *arg)
{
	struct lister l = { r, fill, arg, plus };
	struct node dir = preq_node(r, ino);
	unsigned kind = base_kind(dir), flag = dir.kind & NODE_CALLER_FLAG;
	const struct dir_entry *e = dir_entries(kind);
	struct task *owner = NULL;
	off_t i;
	int err = 0;

	rdlock(r->fs);
	if (kind_is_task_node(kind) && !(owner = node_task(r, dir))) {
		err = -ENOENT;
		goto out;
	}
	/* Offsets 1 and 2 are "." and ".."; fixed entries follow. */
	if (off < 1 && !dir_add(&l, ".", NULL, ino, S_IFDIR, 1))
		goto out;
	if (off < 2 && !dir_add(&l, "..", NULL, PREQ_ROOT_ID, S_IFDIR, 2))
		goto out;
	for (i = 2; e->name; e++, i++) {
		if (off > i || hidden(r, e->kind))
			continue;
		struct node en = { dir.pid, e->aux ? e->aux : dir.tid, e->kind | flag, dir.epoch };

		if (!dir_add(&l, e->name, &en, node_ino(en),
			     procsim_is_link(r, e->kind) ? S_IFLNK : e->mode, i + 1))
			goto out;
	}
	if (kind == NODE_ROOT)
		list_pids(&l, off);
	else if (proc_dir_dynamic(kind))
		list_dynamic(&l, dir, owner, off, i);
	else if (kind == NODE_TASK_DIR)
		list_threads(&l, dir, owner, off, i);
out:
	unlock(r->fs);
	return err;
}

/* Render node @n into @b; read lock held. */
static int render_node(const struct preq *r, struct node n, struct buf *b)
{
	struct procfs *fs = r->fs;
	unsigned kind = base_kind(n);
	const struct dir_entry *e = node_entry(kind, n.tid);
	struct render_ctx c = { .k = &fs->k, .btime = fs->btime };
	struct stats_render_mark m;
	struct task *t;

	buf_reset(b);
	c.now = kernel_now(&fs->k);
	if (kind == NODE_CONFIG) {
		procfs_render_config(b, fs);
	} else if (kind == NODE_STATS) {
		procfs_render_stats(b, fs);
	} else if (kind == NODE_TRACE) {
		trace_render(b, &fs->trace);
	} else if (e && e->global) {
		stats_render_begin(&m);
		e->global(b, &c);
		stats_render_end(&m);
	} else if (e && e->task) {
		t = node_task(r, n);
		if (!t)
			return -ESRCH;
		stats_render_begin(&m);
		e->task(b, &c, t, n.tid == 0);
		stats_render_end(&m);
	} else if (kind == NODE_FDINFO_FILE) {
		t = node_task(r, n);
		if (!t)
			return -ESRCH;
		stats_render_begin(&m);
		render_fdinfo(b, &c, t, n.tid);
		stats_render_end(&m);
	} else {
		return -EINVAL;
	}
	return b->oom ? -ENOMEM : 0;
}

int preq_render(const struct preq *r, uint64_t ino, struct buf *b)
{
	int err;

	rdlock(r->fs);
	err = render_node(r, preq_node(r, ino), b);
	unlock(r->fs);
	return err;
}
