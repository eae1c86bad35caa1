// SPDX-License-Identifier: MIT
/*
 * The low-level FUSE operations.  Every node is named by its inode number
 * (fs/inode.h), so lookups and reads go straight to the core under its
 * read lock; only ctl writes take the write lock (in ctl_execute).
 *
 * Two kinds of file:
 *  - cached: the files of /proc/<tgid>/ (cache=on).  Their size is exact,
 *    their pages stay in the kernel's page cache across opens, and every
 *    ctl command that changes a task invalidates that task's inodes and
 *    entries (fuse_lowlevel_notify_inval_*) before its write() returns.
 *    Their entries and attributes therefore live long.
 *  - direct: everything else (global files that move with time, thread
 *    files, ctl).  st_size 0 and direct_io, as procfs: a read at offset 0
 *    renders afresh (top re-reads /proc/stat with lseek+read), and reads
 *    past 0 continue the snapshot taken at 0, so a file is never torn.
 */
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "caller.h"
#include "ctl.h"
#include "fuse_events.h"
#include "fuse_ops.h"
#include "inode.h"
#include "procfs.h"

/* Readdir cookies: fixed entries count from 1, pids from PID_OFF. */
#define PID_OFF		1000

struct open_file {
	pthread_mutex_t lock;		/* ctl: reads and writes may race on one fd */
	struct buf b;			/* the rendered file, or ctl's replies */
	struct buf in;			/* ctl: a line not yet ended */
	size_t rpos;			/* ctl: replies already read */
	bool rendered;
	bool skip_line;			/* ctl: drop the rest of a rejected line */
};

/* A stand-in task for a caller that is not a simulated process. */
struct caller_task {
	struct task t;
	struct signal_struct sig;
};

static __thread struct caller_task caller_slot;

static struct procfs_session *session_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static struct procfs *fs_of(fuse_req_t req)
{
	return session_of(req)->fs;
}

struct procfs *procfs_of(fuse_req_t req)
{
	return fs_of(req);
}

/* The node an inode names; the control session's root is /proc/procsim. */
static struct node req_node(fuse_req_t req, fuse_ino_t ino)
{
	if (session_of(req)->control && ino == FUSE_ROOT_ID)
		return (struct node){ 0, 0, NODE_PROCSIM, 0 };
	return ino_node(ino);
}

/* In the /proc tree of a split daemon, procsim is a symlink to the control mount. */
static bool procsim_is_link(fuse_req_t req, unsigned kind)
{
	return kind == NODE_PROCSIM && fs_of(req)->split && !session_of(req)->control;
}

static void rdlock(struct procfs *fs)
{
	pthread_rwlock_rdlock(&fs->k.lock);
}

static void unlock(struct procfs *fs)
{
	pthread_rwlock_unlock(&fs->k.lock);
}

/* The caller's pid as it sees itself, or -1. */
static int caller_tgid(fuse_req_t req, int *tid)
{
	int tgid, t;

	if (caller_ids(fuse_req_ctx(req)->pid, &tgid, &t))
		return -1;
	if (tid)
		*tid = t;
	return tgid;
}

static struct task *synth_caller(fuse_req_t req, int pid)
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
	c->t.cred.uid = c->t.cred.euid = c->t.cred.suid = c->t.cred.fsuid = fuse_req_ctx(req)->uid;
	c->t.cred.gid = c->t.cred.egid = c->t.cred.sgid = c->t.cred.fsgid = fuse_req_ctx(req)->gid;
	c->t.start_time = kernel_now(&fs_of(req)->k);
	caller_comm(fuse_req_ctx(req)->pid, c->t.comm, sizeof(c->t.comm));
	return &c->t;
}

/*
 * The task a per-task node names, or NULL if it is gone.  Read lock held.
 * A caller node stays valid only while no simulated task has its pid:
 * when the two collide, the simulated process wins.
 */
static struct task *node_task(fuse_req_t req, struct node n)
{
	struct procfs *fs = fs_of(req);
	struct task *t, *dir;

	if (n.kind & NODE_CALLER_FLAG) {
		if (find_task(&fs->k, n.pid) || caller_tgid(req, NULL) != n.pid)
			return NULL;
		t = synth_caller(req, n.pid);
		return !n.tid || n.tid == n.pid ? t : NULL;
	}
	if (n.epoch != node_epoch(fs->k.epoch))
		return NULL;		/* a pid of an earlier world (reset, load) */
	if (!n.tid)
		return find_task(&fs->k, n.pid);
	t = find_task(&fs->k, n.tid);
	dir = find_task(&fs->k, n.pid);	/* /proc/<pid> may name a thread gone */
	if (!t || !dir || t->tgid != dir->tgid)
		return NULL;
	return t;
}

static unsigned base_kind(struct node n)
{
	return n.kind & ~NODE_CALLER_FLAG;
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

static int render_node(fuse_req_t req, struct node n, struct buf *b,
		       bool locked);

static bool kind_is_task_node(unsigned kind)
{
	return kind == NODE_PID_DIR || kind == NODE_TASK_DIR ||
	       kind == NODE_TID_DIR || kind_is_task_file(kind);
}

/*
 * A render buffer per FUSE thread, for sizes.  Freed when the thread ends:
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

static struct buf *scratch_buf(void)
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
		return e ? e->mode : 0;
	}
}

/* Files the kernel keeps in its page cache: all of the tree's when split. */
static bool node_paged(fuse_req_t req, struct node n, const struct task *t)
{
	struct procfs *fs = fs_of(req);

	return node_cached(fs, n, t) || (fs->split && !session_of(req)->control);
}

/*
 * Fill @st for node @n; read lock held.  -ENOENT if the task is gone.
 * @size: render a paged file to report its exact size (lookup, getattr):
 * the page cache reads no further than st_size.
 */
static int node_stat(fuse_req_t req, struct node n, struct stat *st, bool size)
{
	struct procfs *fs = fs_of(req);
	unsigned kind = base_kind(n);
	struct task *t = NULL;

	memset(st, 0, sizeof(*st));
	st->st_ino = session_of(req)->control && kind == NODE_PROCSIM ?
		     FUSE_ROOT_ID : node_ino(n);
	st->st_mode = kind_mode(kind);
	if (!st->st_mode)
		return -ENOENT;
	st->st_nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	st->st_atime = st->st_mtime = st->st_ctime = fs->btime;
	if (kind_is_task_node(kind)) {
		t = node_task(req, n);
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
	if (procsim_is_link(req, kind)) {
		st->st_mode = S_IFLNK | 0777;
		st->st_size = strlen(fs->control_path);
		return 0;
	}
	if (!S_ISREG(st->st_mode) || !node_paged(req, n, t))
		return 0;
	if (size) {
		struct buf *scratch = scratch_buf();

		if (!scratch || render_node(req, n, scratch, true))
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

/* Entries that never change meaning: a day in the dentry cache. */
#define FIXED_TIMEOUT	86400.0

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
static double attr_timeout(fuse_req_t req, struct node n)
{
	struct procfs *fs = fs_of(req);
	unsigned kind = base_kind(n);
	struct task *t = kind_is_task_node(kind) ? node_task(req, n) : NULL;

	/*
	 * Global files move with the clock, and print it to the tick: cached
	 * for one tick they are as fresh as their resolution (a ctl command
	 * that changes them invalidates them at once).
	 */
	if (S_ISREG(kind_mode(kind)) && node_paged(req, n, t) && !node_cached(fs, n, t))
		return kind_is_task_node(kind) ? 0 : 1.0 / USER_HZ;
	if (!kind_is_task_node(kind))
		return FIXED_TIMEOUT;
	if (fs->cache && !(n.kind & NODE_CALLER_FLAG) &&
	    (is_pid_named(n) || kind == NODE_TASK_DIR || node_cached(fs, n, t)))
		return FIXED_TIMEOUT;
	return fs->attr_timeout;
}

/* The entry of node @n, as LOOKUP and READDIRPLUS answer it.  Read lock held. */
static int fill_entry(fuse_req_t req, struct node n, struct fuse_entry_param *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	err = node_stat(req, n, &e->attr, true);
	if (err)
		return err;
	e->ino = node_ino(n);
	/* The epoch bits the inode number has no room for (after 4096 worlds). */
	if (kind_is_task_node(base_kind(n)) && !(n.kind & NODE_CALLER_FLAG))
		e->generation = fs_of(req)->k.epoch >> NODE_EPOCH_BITS;
	/*
	 * A fixed name inside a directory always leads to the same inode, and
	 * the inode resolves its task afresh on every use, so only the
	 * directories named by pids need revalidating.
	 */
	e->entry_timeout = is_pid_named(n) ? pid_timeout(fs_of(req), n) : FIXED_TIMEOUT;
	e->attr_timeout = attr_timeout(req, n);
	return 0;
}

/* A numeric name under /proc: a simulated pid, else maybe the caller. */
static int lookup_pid(fuse_req_t req, const char *name, struct node *out)
{
	int pid = parse_pid_name(name);

	if (pid < 0)
		return -ENOENT;
	if (find_task(&fs_of(req)->k, pid)) {
		*out = (struct node){ pid, 0, NODE_PID_DIR,
				      node_epoch(fs_of(req)->k.epoch) };
		return 0;
	}
	if (caller_tgid(req, NULL) == pid) {
		*out = (struct node){ pid, 0, NODE_PID_DIR | NODE_CALLER_FLAG, 0 };
		return 0;
	}
	return -ENOENT;
}

static void op_lookup_impl(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct procfs *fs = fs_of(req);
	struct node p = req_node(req, parent), n = { 0, 0, 0, 0 };
	unsigned kind = base_kind(p), flag = p.kind & NODE_CALLER_FLAG;
	const struct dir_entry *de;
	struct fuse_entry_param e;
	int err = 0;

	rdlock(fs);
	if (kind_is_task_node(kind) && !node_task(req, p)) {
		err = -ENOENT;
	} else if (kind == NODE_TASK_DIR) {
		int tid = parse_pid_name(name);
		struct task *t = tid > 0 ? (flag ? (tid == p.pid ? node_task(req, p) : NULL)
					     : find_task(&fs->k, tid)) : NULL;

		if (t && t->tgid == node_task(req, p)->tgid)
			n = (struct node){ p.pid, tid, NODE_TID_DIR | flag, p.epoch };
		else
			err = -ENOENT;
	} else if ((de = dir_lookup(kind, name))) {
		n = (struct node){ p.pid, p.tid, de->kind | flag, p.epoch };
	} else if (kind == NODE_ROOT) {
		err = lookup_pid(req, name, &n);
	} else {
		err = -ENOENT;
	}
	if (err == -ENOENT && kind != NODE_ROOT && kind != NODE_TASK_DIR &&
	    (!kind_is_task_node(kind) || node_task(req, p))) {
		/* A name a fixed directory lacks never appears: cache the miss. */
		e = (struct fuse_entry_param){ .ino = 0, .entry_timeout = FIXED_TIMEOUT };
		err = 0;
	} else if (!err) {
		err = fill_entry(req, n, &e);
	}
	unlock(fs);
	/* Replies go out with no lock held: a reply may wait on the kernel. */
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_entry(req, &e);
}

static void op_getattr_impl(fuse_req_t req, fuse_ino_t ino,
			    struct fuse_file_info *fi)
{
	struct procfs *fs = fs_of(req);
	struct node n = req_node(req, ino);
	struct stat st;
	double timeout;
	int err;

	(void)fi;
	rdlock(fs);
	err = node_stat(req, n, &st, true);
	timeout = err ? 0 : attr_timeout(req, n);
	unlock(fs);
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_attr(req, &st, timeout);
}

static void op_readlink_impl(fuse_req_t req, fuse_ino_t ino)
{
	struct node n = req_node(req, ino);
	char target[64];
	int tid, tgid;

	if (procsim_is_link(req, n.kind)) {
		fuse_reply_readlink(req, fs_of(req)->control_path);
		return;
	}
	tgid = caller_tgid(req, &tid);
	if (tgid < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (n.kind == NODE_SELF)
		snprintf(target, sizeof(target), "%d", tgid);
	else if (n.kind == NODE_THREAD_SELF)
		snprintf(target, sizeof(target), "%d/task/%d", tgid, tid);
	else {
		fuse_reply_err(req, EINVAL);
		return;
	}
	fuse_reply_readlink(req, target);
}

/* Directory listing: "." and "..", fixed entries, then the dynamic part. */
struct dirbuf {
	fuse_req_t req;
	char *p;
	size_t size, len;
	bool plus;			/* READDIRPLUS: entries with attributes */
};

/*
 * Add one entry; false when the buffer is full.  @n is the node the name
 * leads to, NULL for "." and "..", which READDIRPLUS leaves unlooked-up.
 */
static bool dir_add(struct dirbuf *d, const char *name, const struct node *n,
		    fuse_ino_t ino, mode_t mode, off_t next)
{
	size_t room = d->size - d->len, used;

	if (d->plus) {
		struct fuse_entry_param e = { .attr = { .st_ino = ino, .st_mode = mode } };

		if (n && fill_entry(d->req, *n, &e))
			return true;	/* gone meanwhile: skip it */
		if (!n)
			e.ino = 0;
		used = fuse_add_direntry_plus(d->req, d->p + d->len, room, name, &e, next);
	} else {
		struct stat st = { .st_ino = ino, .st_mode = mode };

		used = fuse_add_direntry(d->req, d->p + d->len, room, name, &st, next);
	}
	if (used > room)
		return false;
	d->len += used;
	return true;
}

static void readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, bool plus)
{
	struct procfs *fs = fs_of(req);
	struct node dir = req_node(req, ino);
	unsigned kind = base_kind(dir), flag = dir.kind & NODE_CALLER_FLAG;
	struct dirbuf d = { .req = req, .size = size, .plus = plus };
	const struct dir_entry *e = dir_entries(kind);
	off_t i = 0;
	struct task *t, *owner = NULL;
	int err = 0;

	d.p = malloc(size);
	if (!d.p) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	rdlock(fs);
	if (kind_is_task_node(kind) && !(owner = node_task(req, dir))) {
		err = ENOENT;
		goto out;
	}
	/* Offsets 1 and 2 are "." and ".."; fixed entries follow. */
	if (off < 1 && !dir_add(&d, ".", NULL, ino, S_IFDIR, 1))
		goto out;
	if (off < 2 && !dir_add(&d, "..", NULL, FUSE_ROOT_ID, S_IFDIR, 2))
		goto out;
	for (i = 2; e->name; e++, i++) {
		if (off > i)
			continue;
		struct node en = { dir.pid, dir.tid, e->kind | flag, dir.epoch };

		if (!dir_add(&d, e->name, &en, node_ino(en),
			     procsim_is_link(req, e->kind) ? S_IFLNK : e->mode, i + 1))
			goto out;
	}
	if (kind == NODE_ROOT) {
		int pid = off > PID_OFF ? (int)(off - PID_OFF) : 0;
		char name[16];

		for (pid = next_tgid(&fs->k, pid, &t); pid >= 0;
		     pid = next_tgid(&fs->k, pid + 1, &t)) {
			snprintf(name, sizeof(name), "%d", pid);
			struct node pn = { pid, 0, NODE_PID_DIR, node_epoch(fs->k.epoch) };

			if (!dir_add(&d, name, &pn, node_ino(pn), S_IFDIR, PID_OFF + pid + 1))
				break;
		}
	} else if (kind == NODE_TASK_DIR) {
		/* Threads in the group's list order, as the kernel lists them. */
		char name[16];

		list_for_each_entry(t, &owner->signal->thread_head, thread_node) {
			if (off > i++)
				continue;
			snprintf(name, sizeof(name), "%d", t->pid);
			struct node tn = { dir.pid, t->pid, NODE_TID_DIR | flag, dir.epoch };

			if (!dir_add(&d, name, &tn, node_ino(tn), S_IFDIR, i))
				break;
		}
	}
out:
	unlock(fs);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, d.p, d.len);
	free(d.p);
}

static void op_readdir_impl(fuse_req_t req, fuse_ino_t ino, size_t size,
			    off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	readdir_common(req, ino, size, off, false);
}

/* With the attributes: saves ps a LOOKUP of every /proc/<pid> it stats. */
static void op_readdirplus_impl(fuse_req_t req, fuse_ino_t ino, size_t size,
				off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	readdir_common(req, ino, size, off, true);
}

static bool may_access(fuse_req_t req, uid_t owner, mode_t mode, int flags)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	mode_t want = (flags & O_ACCMODE) == O_RDONLY ? 4 :
		   (flags & O_ACCMODE) == O_WRONLY ? 2 : 6;

	if (ctx->uid == 0)
		return true;
	if (ctx->uid == owner)
		return ((mode >> 6) & want) == want;
	return (mode & want) == want;
}

/*
 * Open ctl files and the commands running on them, so a stopping daemon
 * can finish those and their replies before its control mount goes
 * (procfs_ctl_drain()).
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int open;
	int busy;			/* ctl writes and flushes in progress */
	bool draining;			/* no new opens */
} ctl_files = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, false };

static int ctl_file_get(void)
{
	int err = 0;

	pthread_mutex_lock(&ctl_files.lock);
	if (ctl_files.draining)
		err = -ESHUTDOWN;
	else
		ctl_files.open++;
	pthread_mutex_unlock(&ctl_files.lock);
	return err;
}

/* @open_delta, @busy_delta: -1, 0 or +1. */
static void ctl_files_add(int open_delta, int busy_delta)
{
	pthread_mutex_lock(&ctl_files.lock);
	ctl_files.open += open_delta;
	ctl_files.busy += busy_delta;
	pthread_cond_broadcast(&ctl_files.changed);
	pthread_mutex_unlock(&ctl_files.lock);
}

static void ctl_file_put(void)
{
	ctl_files_add(-1, 0);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

bool procfs_ctl_drain(double idle_s, double busy_s)
{
	double start = now_s(), waited = 0;
	bool done;

	pthread_mutex_lock(&ctl_files.lock);
	ctl_files.draining = true;
	while (ctl_files.open && waited < busy_s &&
	       (ctl_files.busy || waited < idle_s)) {
		struct timespec tick;

		clock_gettime(CLOCK_REALTIME, &tick);
		tick.tv_nsec += 100000000L;	/* re-check the clock each 0.1 s */
		if (tick.tv_nsec >= 1000000000L) {
			tick.tv_sec++;
			tick.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&ctl_files.changed, &ctl_files.lock, &tick);
		waited = now_s() - start;
	}
	done = !ctl_files.open;
	pthread_mutex_unlock(&ctl_files.lock);
	return done;
}

static void op_open_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct procfs *fs = fs_of(req);
	struct node n = req_node(req, ino);
	unsigned kind = base_kind(n);
	struct open_file *of;
	struct stat st;
	int err;

	/*
	 * The tree's files keep no per-open state: the first OPEN answers
	 * ENOSYS and the kernel sends no more OPEN or RELEASE on this
	 * connection (the control files live on another one).
	 */
	if (fs->no_open && !session_of(req)->control) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	rdlock(fs);
	err = node_stat(req, n, &st, false);
	unlock(fs);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	/* Only the mount's owner may use ctl, whatever uid root maps to. */
	if (kind == NODE_CTL ? fuse_req_ctx(req)->uid != fs->owner_uid :
	    !may_access(req, st.st_uid, st.st_mode, fi->flags)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (kind != NODE_CTL && (fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (kind == NODE_EVENTS)
		return fuse_events_open(req, fi);
	if (kind == NODE_CTL && (err = ctl_file_get())) {
		fuse_reply_err(req, -err);
		return;
	}
	of = calloc(1, sizeof(*of));
	if (!of) {
		if (kind == NODE_CTL)
			ctl_file_put();
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_init(&of->lock, NULL);
	buf_init(&of->b);
	buf_init(&of->in);
	fi->fh = (uintptr_t)of;
	rdlock(fs);
	fi->keep_cache = node_cached(fs, n, node_task(req, n));
	unlock(fs);
	fi->direct_io = !fi->keep_cache;
	fi->nonseekable = kind == NODE_CTL;
	fi->noflush = kind != NODE_CTL;	/* only ctl has work left at close */
	fuse_reply_open(req, fi);
}

/* Render node @n into @b, taking the read lock unless @locked. */
static int render_node(fuse_req_t req, struct node n, struct buf *b,
		       bool locked)
{
	struct procfs *fs = fs_of(req);
	unsigned kind = base_kind(n);
	const struct dir_entry *e = kind_entry(kind);
	struct render_ctx c = { .k = &fs->k, .btime = fs->btime };
	int err = 0;

	buf_reset(b);
	if (!locked)
		rdlock(fs);
	c.now = kernel_now(&fs->k);
	if (kind == NODE_CONFIG) {
		procfs_render_config(b, fs);
	} else if (kind == NODE_STATS) {
		procfs_render_stats(b, fs);
	} else if (e && e->global) {
		e->global(b, &c);
	} else if (e && e->task) {
		struct task *t = node_task(req, n);

		if (t)
			e->task(b, &c, t, n.tid == 0);
		else
			err = -ESRCH;
	} else {
		err = -EINVAL;
	}
	if (!locked)
		unlock(fs);
	if (!err && b->oom)
		err = -ENOMEM;
	return err;
}

/*
 * Replies are consumed as they are read.  The lock spans the reply: once
 * it is sent the client may read again at once, on another FUSE thread.
 */
static void read_ctl(fuse_req_t req, struct open_file *of, size_t size)
{
	size_t n;

	pthread_mutex_lock(&of->lock);
	n = of->b.len - of->rpos;
	if (n > size)
		n = size;
	fuse_reply_buf(req, of->b.data + of->rpos, n);
	of->rpos += n;
	if (of->rpos == of->b.len) {
		buf_reset(&of->b);
		of->rpos = 0;
	}
	pthread_mutex_unlock(&of->lock);
}

static void op_read_impl(fuse_req_t req, fuse_ino_t ino, size_t size,
			 off_t off, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	struct node n = req_node(req, ino);
	int err;

	if (n.kind == NODE_CTL) {
		read_ctl(req, of, size);
		return;
	}
	if (n.kind == NODE_EVENTS)
		return fuse_events_read(req, size, fi);
	if (!of) {
		/* No OPEN (split tree): each READ fills page-cache pages afresh. */
		struct buf *page = scratch_buf();

		err = page ? render_node(req, n, page, false) : -ENOMEM;
		if (err)
			fuse_reply_err(req, -err);
		else if ((size_t)off >= page->len)
			fuse_reply_buf(req, NULL, 0);
		else
			fuse_reply_buf(req, page->data + off,
				       size < page->len - off ? size : page->len - off);
		return;
	}
	/*
	 * Reads of one fd may come on several threads (a client's threads,
	 * or a re-read at 0 right after the last reply): one at a time, and
	 * the lock spans the reply, so of->b is never re-rendered or freed
	 * (op_release) while a reply still points into it.
	 */
	pthread_mutex_lock(&of->lock);
	err = 0;
	if (off == 0 || !of->rendered) {
		err = render_node(req, n, &of->b, false);
		of->rendered = !err;
	}
	if (err)
		fuse_reply_err(req, -err);
	else if ((size_t)off >= of->b.len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, of->b.data + off,
			       size < of->b.len - off ? size : of->b.len - off);
	pthread_mutex_unlock(&of->lock);
}

static void inval_inode(struct procfs *fs, struct node n)
{
	/* -ENOENT (the kernel never saw that inode) is the common answer. */
	fuse_lowlevel_notify_inval_inode(fs->se, node_ino(n), 0, 0);
}

static void inval_entry(struct procfs *fs, struct node dir, int pid)
{
	char name[16];
	int len = snprintf(name, sizeof(name), "%d", pid);

	fuse_lowlevel_notify_inval_entry(fs->se, node_ino(dir), name, len);
}

/*
 * Everything cache=on lets the kernel keep about task @pid of group @tgid,
 * in the world it lived in: after a reset, the old world's inodes.
 */
static void inval_task(struct procfs *fs, const struct pid_change *c)
{
	unsigned ep = node_epoch(c->epoch);

	inval_inode(fs, (struct node){ c->pid, 0, NODE_PID_DIR, ep });
	inval_inode(fs, (struct node){ c->pid, 0, NODE_TASK_DIR, ep });
	inval_inode(fs, (struct node){ c->tgid, c->pid, NODE_TID_DIR, ep });
	for (unsigned kind = NODE_T_STAT; kind <= NODE_T_CGROUP; kind++)
		inval_inode(fs, (struct node){ c->pid, 0, kind, ep });
}

/*
 * Tell the kernel what the last commands changed, before their write()
 * returns: so the very next read after a ctl command is fresh, for every
 * writer (tests/it_ctl_writers.sh).  Called
 * with no lock held: the kernel may need a FUSE thread (and our read
 * lock) to finish an invalidation.
 */
static pthread_mutex_t publish_serial = PTHREAD_MUTEX_INITIALIZER;

static void publish_changes(struct procfs *fs)
{
	struct change_log changed, gone, born;

	fuse_events_wake(fs);
	if (!fs->cache)
		return;
	/*
	 * Per-writer freshness: the logs are shared, so another writer's
	 * publish may have taken this writer's changes.  Take and invalidate
	 * as one step under publish_serial: this writer's turn then comes
	 * only after that publish finished invalidating them.  Not under
	 * k->lock, which an invalidation may need a reader to get.
	 */
	pthread_mutex_lock(&publish_serial);
	pthread_rwlock_wrlock(&fs->k.lock);
	kernel_take_changes(&fs->k, &changed, &gone, &born);
	pthread_rwlock_unlock(&fs->k.lock);
	for (size_t i = 0; i < gone.n; i++) {
		inval_entry(fs, (struct node){ 0, 0, NODE_ROOT, 0 }, gone.v[i].pid);
		inval_entry(fs, (struct node){ gone.v[i].tgid, 0, NODE_TASK_DIR,
					       node_epoch(gone.v[i].epoch) },
			    gone.v[i].pid);
		inval_task(fs, &gone.v[i]);
	}
	for (size_t i = 0; i < changed.n; i++)
		inval_task(fs, &changed.v[i]);
	/*
	 * The cached listing of /proc itself (a new task needs nothing else),
	 * and the global files, which count tasks.
	 */
	if (changed.n || gone.n || born.n) {
		inval_inode(fs, (struct node){ 0, 0, NODE_ROOT, 0 });
		for (const struct dir_entry *e = dir_entries(NODE_ROOT); e->name; e++)
			if (e->global)
				inval_inode(fs, (struct node){ 0, 0, e->kind, 0 });
	}
	if (changed.overflow || gone.overflow || born.overflow)
		fprintf(stderr, "procsim: change log overflow (ENOMEM): "
			"cached /proc files may be stale\n");
	pthread_mutex_unlock(&publish_serial);
	free(changed.v);
	free(gone.v);
	free(born.v);
}

/*
 * Run every complete line in of->in.  Lines stop at the first failure:
 * what follows a failed line in the same write is discarded, so a script
 * never runs commands past an error it has not seen.  With CTL_REPLY_MAX
 * bytes of replies unread, a line fails with ENOBUFS, unrun.
 */
static int ctl_run_pending(struct procfs *fs, struct open_file *of, bool flush)
{
	size_t start = 0;
	int err = 0;

	while (start < of->in.len) {
		char *nl = memchr(of->in.data + start, '\n', of->in.len - start);
		size_t len = nl ? (size_t)(nl - of->in.data) - start : of->in.len - start;

		if (!nl && !flush)
			break;
		/* Replies nobody reads must not grow without bound. */
		if (of->b.len - of->rpos >= CTL_REPLY_MAX) {
			err = -ENOBUFS;
			start = of->in.len;
			break;
		}
		err = ctl_run_line(&fs->k, of->in.data + start, len, &of->b);
		start += len + (nl ? 1 : 0);
		if (err) {
			start = of->in.len;
			break;
		}
	}
	memmove(of->in.data, of->in.data + start, of->in.len - start);
	of->in.len -= start;
	return err;
}

static void op_write_impl(fuse_req_t req, fuse_ino_t ino, const char *data,
			  size_t size, off_t off, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	struct procfs *fs = fs_of(req);
	size_t skip = 0;
	int err = 0;

	(void)off;
	if (req_node(req, ino).kind != NODE_CTL) {
		fuse_reply_err(req, EACCES);
		return;
	}
	ctl_files_add(0, +1);
	pthread_mutex_lock(&of->lock);
	/* The tail of a line rejected as partial must not run as a command. */
	if (of->skip_line) {
		const char *nl = memchr(data, '\n', size);

		of->skip_line = !nl;
		skip = nl ? (size_t)(nl + 1 - data) : size;
	}
	buf_put(&of->in, data + skip, size - skip);
	if (of->in.oom) {
		buf_reset(&of->in);
		of->in.oom = false;
		err = -ENOMEM;
	}
	if (!err)
		err = ctl_run_pending(fs, of, false);
	/* A partial line no ending could make valid fails now, not at close. */
	if (!err && of->in.len) {
		struct buf msg;

		buf_init(&msg);
		err = ctl_check_partial(of->in.data, of->in.len, &msg);
		if (err) {
			buf_printf(&of->b, "%s: %.*s\n", ctl_errno_name(err),
				   (int)msg.len, msg.data ? msg.data : "");
			buf_reset(&of->in);
			of->skip_line = true;
		}
		buf_free(&msg);
	}
	pthread_mutex_unlock(&of->lock);
	publish_changes(fs);
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_write(req, size);
	ctl_files_add(0, -1);
}

/* close(): a last line without '\n' runs now, and its error reaches close. */
static void op_flush_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	int err = 0;

	/* Nothing to do at close on the tree: ENOSYS stops FLUSH for good. */
	if (!session_of(req)->control && fs_of(req)->no_open) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (req_node(req, ino).kind == NODE_CTL) {
		ctl_files_add(0, +1);
		pthread_mutex_lock(&of->lock);
		if (of->in.len)
			err = ctl_run_pending(fs_of(req), of, true);
		pthread_mutex_unlock(&of->lock);
		publish_changes(fs_of(req));
		fuse_reply_err(req, -err);
		ctl_files_add(0, -1);
		return;
	}
	fuse_reply_err(req, -err);
}

static void op_release_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;

	if (req_node(req, ino).kind == NODE_EVENTS)
		return fuse_events_release(req, fi);
	if (of) {
		/* Wait out a read still replying from of->b on another thread. */
		pthread_mutex_lock(&of->lock);
		pthread_mutex_unlock(&of->lock);
		pthread_mutex_destroy(&of->lock);
		buf_free(&of->b);
		buf_free(&of->in);
		free(of);
		if (req_node(req, ino).kind == NODE_CTL)
			ctl_file_put();
	}
	fuse_reply_err(req, 0);
}

/*
 * Directories keep no per-open state (readdir cookies are pids), so with
 * cache=on the first OPENDIR answers ENOSYS: the kernel then stops sending
 * OPENDIR/RELEASEDIR and caches listings, which inval_task() and
 * publish_changes() drop when they change.
 */
static void op_opendir_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct procfs *fs = fs_of(req);
	struct stat st;
	int err;

	if (fs->cache && fs->no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}

	rdlock(fs);
	err = node_stat(req, req_node(req, ino), &st, false);
	unlock(fs);
	if (err)
		fuse_reply_err(req, -err);
	else if (!S_ISDIR(st.st_mode))
		fuse_reply_err(req, ENOTDIR);
	else
		fuse_reply_open(req, fi);
}

static void op_releasedir_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

/* Each op is timed into /proc/procsim/stats around its implementation. */
#define TIMED(name, opcode, params, args)				\
	static void op_##name params					\
	{								\
		struct procfs *fs_ = fs_of(req);	/* req dies at reply */ \
		uint64_t t0 = now_ns();					\
		op_##name##_impl args;					\
		stats_add(&fs_->stats, opcode, now_ns() - t0);		\
	}

TIMED(lookup, OP_LOOKUP, (fuse_req_t req, fuse_ino_t p, const char *name), (req, p, name))
TIMED(getattr, OP_GETATTR, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi))
TIMED(readlink, OP_READLINK, (fuse_req_t req, fuse_ino_t ino), (req, ino))
TIMED(open, OP_OPEN, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi))
TIMED(read, OP_READ, (fuse_req_t req, fuse_ino_t ino, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, s, o, fi))
TIMED(write, OP_WRITE, (fuse_req_t req, fuse_ino_t ino, const char *b, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, b, s, o, fi))
TIMED(flush, OP_FLUSH, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi))
TIMED(release, OP_RELEASE, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi))
TIMED(opendir, OP_OPENDIR, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi))
TIMED(readdir, OP_READDIR, (fuse_req_t req, fuse_ino_t ino, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, s, o, fi))
TIMED(readdirplus, OP_READDIRPLUS, (fuse_req_t req, fuse_ino_t ino, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, s, o, fi))
TIMED(releasedir, OP_RELEASEDIR, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi))

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct procfs_session *ps = userdata;
	struct procfs *fs = ps->fs;

	/* Never cache /proc/self: its target depends on who asks. */
	conn->want &= ~FUSE_CAP_CACHE_SYMLINKS;
	if (ps->control)
		return;
	fs->no_opendir = fs->cache && (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
	if (fs->no_opendir)
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
	/*
	 * Split: no OPEN at all; pages of files that move with time or with
	 * other tasks are dropped whenever a read finds a new mtime.
	 */
	fs->no_open = fs->split && (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) &&
		      (conn->capable & FUSE_CAP_AUTO_INVAL_DATA);
	if (fs->no_open)
		conn->want |= FUSE_CAP_NO_OPEN_SUPPORT | FUSE_CAP_AUTO_INVAL_DATA;
	else if (fs->split)
		fprintf(stderr, "procsim: the kernel cannot skip OPEN; serving with opens\n");
}

const struct fuse_lowlevel_ops procsim_ll_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.poll = fuse_events_poll,
};
