// SPDX-License-Identifier: MIT
/*
 * /dev/fuse: the ctl files, and publishing what their commands changed.
 * Only ctl writes take the world's write lock (in ctl_execute).  Before a
 * write() returns, the kernel is told which of its cached inodes and
 * entries the commands made stale (fuse_lowlevel_notify_inval_*): only
 * those a reply may have given it since their last invalidation (fs/seen.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_replay.h"
#include "fuse_events.h"
#include "fuse_ops.h"
#include "proc_links.h"
#include "fuse_req.h"
#include "inode.h"
#include "task_files.h"
#include "thread_dirs.h"

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

int ctl_file_get(void)
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

void ctl_file_put(void)
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

/*
 * Replies are consumed as they are read.  The lock spans the reply: once
 * it is sent the client may read again at once, on another FUSE thread.
 */
void ctl_file_read(fuse_req_t req, struct open_file *of, size_t size)
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

/*
 * Invalidate node @n, or with @send false only count the skip (the kernel
 * holds nothing of it: fs/seen.h), so the stats file's counts come from
 * the same calls as the notifications.
 */
static void inval_inode(struct procfs *fs, struct node n, bool send)
{
	/* -ENOENT (the kernel never saw that inode) is the common answer. */
	if (send)
		fuse_lowlevel_notify_inval_inode(fs->se, node_ino(n), 0, 0);
	seen_count(&fs->seen, send, 1);
}

static void inval_entry(struct procfs *fs, struct node dir, int pid, bool send)
{
	char name[16];
	int len = snprintf(name, sizeof(name), "%d", pid);

	if (send)
		fuse_lowlevel_notify_inval_entry(fs->se, node_ino(dir), name, len);
	seen_count(&fs->seen, send, 1);
}

/*
 * Everything cache=on lets the kernel keep about task @pid of group @tgid,
 * in the world it lived in: after a reset, the old world's inodes.
 */
static void inval_task(struct procfs *fs, const struct pid_change *c, bool send)
{
	unsigned ep = node_epoch(c->epoch);

	inval_inode(fs, (struct node){ c->pid, 0, NODE_PID_DIR, ep }, send);
	inval_inode(fs, (struct node){ c->pid, 0, NODE_TASK_DIR, ep }, send);
	inval_inode(fs, (struct node){ c->tgid, c->pid, NODE_TID_DIR, ep }, send);
	for (unsigned kind = NODE_T_STAT; kind <= NODE_T_CGROUP; kind++)
		inval_inode(fs, (struct node){ c->pid, 0, kind, ep }, send);
	/* A reparented process may leave its container's namespaces. */
	for (int type = 0; type < NS_NR; type++)
		inval_inode(fs, (struct node){ c->pid, 1 + type, NODE_NS_TARGET, ep }, send);
}

/*
 * The thread files the changes made stale (fs/thread_dirs.h): under
 * /proc/<tgid>/task/<tid>, which cache=on keeps as process files, each
 * kind of file the kernel was ever served of a thread (fs/seen.h).
 */
static void publish_thread_files(struct procfs *fs, struct thread_dirs *dirs)
{
#ifdef PROCSIM_MUTATE_no_thread_inval	/* test hook: see tools/test */
	dirs->n = 0;
#endif
	for (unsigned kind = NODE_T_STAT; kind <= NODE_T_CGROUP; kind++) {
		if (!seen_thread_kind(&fs->seen, kind))
			continue;
		for (size_t i = 0; i < dirs->n; i++)
			inval_inode(fs, (struct node){ dirs->v[i].pid, dirs->v[i].tid,
						       kind, dirs->v[i].epoch }, true);
	}
	if (dirs->overflow)
		fprintf(stderr, "procsim: thread list (ENOMEM): "
			"cached /proc/PID/task files may be stale\n");
	free(dirs->v);
}

/*
 * A terminal no task has any more leaves /proc/procsim/pts (its listing
 * and its entry), on whichever session serves that directory.
 */
static void publish_pts(struct procfs *fs)
{
	struct fuse_session *se = fs->control.se ? fs->control.se : fs->se;
	uint64_t dir = node_ino((struct node){ 0, 0, NODE_PTS_DIR, 0 });
	int *gone = NULL, n;
	char name[16];

#ifdef PROCSIM_MUTATE_no_pts_inval	/* test hook: see tools/test */
	return;
#endif
	kernel_read_lock(&fs->k);	/* its walk beside converted writers */
	n = pts_changes(&fs->k, &gone);
	kernel_read_unlock(&fs->k);
	if (n < 0)
		fprintf(stderr, "procsim: pts/ change list (ENOMEM): "
			"/proc/procsim/pts may be stale\n");
	if (n > 0 && se)
		fuse_lowlevel_notify_inval_inode(se, dir, 0, 0);
	for (int i = 0; i < n - 1 && se; i++) {
		int len = snprintf(name, sizeof(name), "%d", gone[i]);

		fuse_lowlevel_notify_inval_entry(se, dir, name, len);
	}
	free(gone);
}

/*
 * Task @c changed (@gone: and was reaped): invalidate what the kernel may
 * hold of it (fs/seen.h), and list in @dirs the thread directories that
 * makes stale.  A task of another world than @epoch (a reset or load
 * since) is invalidated whatever its marks: they are per pid, and this
 * world's task of that pid owns them now, so its take is not spent on the
 * old task; its thread files, a kind per thread, only where a peek says
 * that pid may have been served (no take of it has run since the reset).
 */
static void publish_task(struct procfs *fs, const struct pid_change *c,
			 bool gone, uint32_t epoch, struct thread_dirs *dirs)
{
	bool other = c->epoch != epoch, send;

	if (gone) {
		send = other || seen_take_entry(&fs->seen, c->pid);
		inval_entry(fs, (struct node){ 0, 0, NODE_ROOT, 0 }, c->pid, send);
		inval_entry(fs, (struct node){ c->tgid, 0, NODE_TASK_DIR,
					       node_epoch(c->epoch) }, c->pid, send);
	}
	send = other || seen_take_task(&fs->seen, c->pid);
	inval_task(fs, c, send);
	if (other ? seen_peek_task(&fs->seen, c->pid) : send)
		thread_dirs_add(&fs->k, &fs->seen, dirs, c, gone);
}

/* A global node (the root's listing, a global file), if the kernel may hold it. */
static void publish_global(struct procfs *fs, unsigned kind)
{
	inval_inode(fs, (struct node){ 0, 0, kind, 0 },
		    seen_take_global(&fs->seen, kind));
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
	struct thread_dirs dirs = { 0 };
	uint32_t epoch;

	/* Before the write returns: no render made before it is served after. */
	render_cache_forget(&fs->rcache);
	fuse_events_wake(fs);
	/* pts/<n> entries are cached with cache=off too; see below for why serial. */
	pthread_mutex_lock(&publish_serial);
	publish_pts(fs);
	pthread_mutex_unlock(&publish_serial);
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
	world_read_lock(&fs->k);	/* it takes tasklist_lock */
	kernel_take_changes(&fs->k, &changed, &gone, &born);
	epoch = fs->k.epoch;
	world_unlock(&fs->k);
	/* Each mark is taken after the change that made it matter. */
	for (size_t i = 0; i < gone.n; i++)
		publish_task(fs, &gone.v[i], true, epoch, &dirs);
	for (size_t i = 0; i < changed.n; i++)
		publish_task(fs, &changed.v[i], false, epoch, &dirs);
	publish_thread_files(fs, &dirs);
	/*
	 * The cached listing of /proc itself (a new task needs nothing else),
	 * and the global files, which count tasks.
	 */
	if (changed.n || gone.n || born.n) {
		publish_global(fs, NODE_ROOT);
		for (const struct dir_entry *e = dir_entries(NODE_ROOT); e->name; e++)
			if (e->global)
				publish_global(fs, e->kind);
	}
	if (changed.overflow || gone.overflow || born.overflow)
		fprintf(stderr, "procsim: change log overflow (ENOMEM): "
			"cached /proc files may be stale\n");
	pthread_mutex_unlock(&publish_serial);
	free(changed.v);
	free(gone.v);
	free(born.v);
}

/* Did of's commands replace the world?  Context: of->lock held. */
static bool take_world_new(struct open_file *of)
{
	bool new = of->session.world_new;

	of->session.world_new = false;
	return new;
}

/* publish_changes for ctl_replay_set_publish. */
static void publish_hook(void *fs)
{
	publish_changes(fs);
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

void op_write_impl(fuse_req_t req, fuse_ino_t ino, const char *data,
			  size_t size, off_t off, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	struct procfs *fs = fs_of(req);
	size_t skip = 0;
	bool kick;
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
	kick = take_world_new(of);
	pthread_mutex_unlock(&of->lock);
	publish_changes(fs);
	if (kick)
		warm_kick(&fs->warm);
	ctl_replay_set_publish(publish_hook, fs);	/* a paced replay's events */
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_write(req, size);
	ctl_files_add(0, -1);
}

/* close(): a last line without '\n' runs now, and its error reaches close. */
void op_flush_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	bool kick;
	int err = 0;

	/* Nothing to do at close on the tree: ENOSYS stops FLUSH for good. */
	if (session_of(req)->no_open) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if (req_node(req, ino) == NODE_CTL) {
		ctl_files_add(0, +1);
		pthread_mutex_lock(&of->lock);
		if (of->in.len)
			err = ctl_run_pending(fs_of(req), of, true);
		kick = take_world_new(of);
		pthread_mutex_unlock(&of->lock);
		publish_changes(fs_of(req));
		if (kick)
			warm_kick(&fs_of(req)->warm);
		fuse_reply_err(req, -err);
		ctl_files_add(0, -1);
		return;
	}
	fuse_reply_err(req, -err);
}
