// SPDX-License-Identifier: MIT
/*
 * The low-level FUSE operations: the /dev/fuse transport.  What a request
 * means (node resolution, attributes, listings, renders) is in
 * fs/procfs_req.c, shared with the trace replayer; this file turns
 * libfuse's calls into those and their answers into fuse_reply_*, sent
 * with no lock held.  Only ctl writes take the write lock (in ctl_execute).
 *
 * Cached files (cache=on, the files of /proc/<tgid>/) stay in the page
 * cache; every ctl command that changes a task invalidates its inodes and
 * entries (fuse_lowlevel_notify_inval_*) before its write() returns.
 * Direct files (st_size 0, direct_io, as procfs): a read at offset 0
 * renders afresh (top re-reads /proc/stat with lseek+read), and reads
 * past 0 continue the snapshot taken at 0, so a file is never torn.
 */
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <limits.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ctl.h"
#include "fuse_events.h"
#include "fuse_ops.h"
#include "inode.h"
#include "procfs.h"
#include "procfs_req.h"
#include "task_files.h"

struct open_file {
	pthread_mutex_t lock;		/* ctl: reads and writes may race on one fd */
	struct buf b;			/* the rendered file, or ctl's replies */
	struct buf in;			/* ctl: a line not yet ended */
	size_t rpos;			/* ctl: replies already read */
	bool rendered;
	bool skip_line;			/* ctl: drop the rest of a rejected line */
	struct ctl_session session;	/* ctl: $! */
};

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

/* The transport-independent view of a request (fs/procfs_req.h). */
static struct preq preq_of(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	return (struct preq){ .fs = fs_of(req), .control = session_of(req)->control,
			      .caller = ctx->pid, .uid = ctx->uid, .gid = ctx->gid };
}

/* The node kind an inode names in this request's session. */
static unsigned req_node(fuse_req_t req, fuse_ino_t ino)
{
	struct preq r = preq_of(req);

	return preq_node(&r, ino).kind;
}

static void entry_param(const struct preq_entry *e, struct fuse_entry_param *p)
{
	memset(p, 0, sizeof(*p));
	p->ino = e->ino;
	p->generation = e->generation;
	p->attr = e->attr;
	p->entry_timeout = e->entry_timeout;
	p->attr_timeout = e->attr_timeout;
}

static void op_lookup_impl(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct preq r = preq_of(req);
	struct preq_entry e;
	struct fuse_entry_param p;
	int err = preq_lookup(&r, parent, name, &e);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	entry_param(&e, &p);
	fuse_reply_entry(req, &p);
}

static void op_getattr_impl(fuse_req_t req, fuse_ino_t ino,
			    struct fuse_file_info *fi)
{
	struct preq r = preq_of(req);
	struct stat st;
	double timeout;
	int err = preq_getattr(&r, ino, &st, &timeout);

	(void)fi;
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_attr(req, &st, timeout);
}

static void op_readlink_impl(fuse_req_t req, fuse_ino_t ino)
{
	struct preq r = preq_of(req);
	char target[PATH_MAX];
	int err = preq_readlink(&r, ino, target, sizeof(target));

	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_readlink(req, target);
}

/* A READDIR(PLUS) reply being packed. */
struct dirbuf {
	fuse_req_t req;
	char *p;
	size_t size, len;
};

static bool dir_pack(void *arg, const char *name, uint64_t ino, mode_t mode,
		     off_t next, const struct preq_entry *e)
{
	struct dirbuf *d = arg;
	size_t room = d->size - d->len, used;

	if (e) {
		struct fuse_entry_param p;

		entry_param(e, &p);
		used = fuse_add_direntry_plus(d->req, d->p + d->len, room, name, &p, next);
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
	struct preq r = preq_of(req);
	struct dirbuf d = { .req = req, .size = size };
	int err;

	d.p = malloc(size);
	if (!d.p) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	err = preq_readdir(&r, ino, off, plus, dir_pack, &d);
	if (err)
		fuse_reply_err(req, -err);
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
	struct preq r = preq_of(req);
	unsigned kind = preq_node(&r, ino).kind & ~NODE_CALLER_FLAG;
	struct open_file *of;
	struct stat st;
	bool keep_cache;
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
	err = preq_stat(&r, ino, &st, &keep_cache);
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
	fi->keep_cache = keep_cache;
	fi->direct_io = !fi->keep_cache;
	fi->nonseekable = kind == NODE_CTL;
	fi->noflush = kind != NODE_CTL;	/* only ctl has work left at close */
	fuse_reply_open(req, fi);
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
	struct preq r = preq_of(req);
	struct node n = preq_node(&r, ino);
	int err;

	if (n.kind == NODE_CTL) {
		read_ctl(req, of, size);
		return;
	}
	if (n.kind == NODE_EVENTS)
		return fuse_events_read(req, size, fi);
	if (!of) {
		/* No OPEN (split tree): each READ fills page-cache pages afresh. */
		struct buf *page = preq_thread_buf();

		err = page ? preq_render(&r, ino, page) : -ENOMEM;
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
		err = preq_render(&r, ino, &of->b);
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
	/* A reparented process may leave its container's namespaces. */
	for (int type = 0; type < NS_NR; type++)
		inval_inode(fs, (struct node){ c->pid, 1 + type, NODE_NS_TARGET, ep });
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
#ifdef PROCSIM_MUTATE_no_inval		/* test hook: see tools/test */
	return;
#endif
	/*
	 * Per-writer freshness: the logs are shared, so another writer's
	 * publish may have taken this writer's changes.  Take and invalidate
	 * as one step under publish_serial: this writer's turn then comes
	 * only after that publish finished invalidating them.  Not under
	 * k->lock, which an invalidation may need a reader to get.
	 */
	pthread_mutex_lock(&publish_serial);
	world_write_lock(&fs->k);
	kernel_take_changes(&fs->k, &changed, &gone, &born);
	world_unlock(&fs->k);
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
		err = ctl_run_line_in(&fs->k, &of->session, of->in.data + start,
				      len, &of->b);
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
	if (req_node(req, ino) != NODE_CTL) {
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
	if (req_node(req, ino) == NODE_CTL) {
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

	if (req_node(req, ino) == NODE_EVENTS)
		return fuse_events_release(req, fi);
	if (of) {
		/* Wait out a read still replying from of->b on another thread. */
		pthread_mutex_lock(&of->lock);
		pthread_mutex_unlock(&of->lock);
		pthread_mutex_destroy(&of->lock);
		buf_free(&of->b);
		buf_free(&of->in);
		free(of);
		if (req_node(req, ino) == NODE_CTL)
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
	struct preq r = preq_of(req);
	struct stat st;
	int err;

	if (fs->cache && fs->no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	err = preq_stat(&r, ino, &st, NULL);
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

/* A trace keeps the /proc tree's requests, not the daemon's own files'. */
static bool traced(fuse_req_t req, fuse_ino_t ino, const char *name,
		   uint64_t off, uint64_t size)
{
	(void)name, (void)off, (void)size;
	return !session_of(req)->control && !kind_is_control_file(req_node(req, ino));
}

/*
 * Each op is timed into /proc/procsim/stats around its implementation, and
 * recorded while a trace runs (the /proc tree's requests only).  T: what
 * the trace keeps of it: inode, name, offset, size.
 */
#define TIMED(name, opcode, params, args, T)				\
	static void op_##name params					\
	{								\
		struct procfs *fs_ = fs_of(req);	/* req dies at reply */ \
		uint64_t t0;						\
									\
		if (trace_on(&fs_->trace) && traced(req, T))		\
			trace_note(&fs_->trace, opcode, T);		\
		t0 = stats_begin(&fs_->stats);				\
		op_##name##_impl args;					\
		stats_end(&fs_->stats, opcode, t0);			\
	}
#define T_(ino, name, off, size)	ino, name, off, size

TIMED(lookup, OP_LOOKUP, (fuse_req_t req, fuse_ino_t p, const char *name), (req, p, name), T_(p, name, 0, 0))
TIMED(getattr, OP_GETATTR, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi), T_(ino, NULL, 0, 0))
TIMED(readlink, OP_READLINK, (fuse_req_t req, fuse_ino_t ino), (req, ino), T_(ino, NULL, 0, 0))
TIMED(open, OP_OPEN, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi), T_(ino, NULL, 0, 0))
TIMED(read, OP_READ, (fuse_req_t req, fuse_ino_t ino, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, s, o, fi), T_(ino, NULL, o, s))
TIMED(write, OP_WRITE, (fuse_req_t req, fuse_ino_t ino, const char *b, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, b, s, o, fi), T_(ino, NULL, o, s))
TIMED(flush, OP_FLUSH, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi), T_(ino, NULL, 0, 0))
TIMED(release, OP_RELEASE, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi), T_(ino, NULL, 0, 0))
TIMED(opendir, OP_OPENDIR, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi), T_(ino, NULL, 0, 0))
TIMED(readdir, OP_READDIR, (fuse_req_t req, fuse_ino_t ino, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, s, o, fi), T_(ino, NULL, o, s))
TIMED(readdirplus, OP_READDIRPLUS, (fuse_req_t req, fuse_ino_t ino, size_t s, off_t o, struct fuse_file_info *fi), (req, ino, s, o, fi), T_(ino, NULL, o, s))
TIMED(releasedir, OP_RELEASEDIR, (fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi), (req, ino, fi), T_(ino, NULL, 0, 0))

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
