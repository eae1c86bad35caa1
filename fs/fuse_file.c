// SPDX-License-Identifier: MIT
/*
 * /dev/fuse: opening and reading files.
 *
 * Cached files (cache=on, the files of /proc/<tgid>/) stay in the page
 * cache; every ctl command that changes a task invalidates its inodes and
 * entries (fs/fuse_ctl.c) before its write() returns.
 * Direct files (st_size 0, direct_io, as procfs): a read at offset 0
 * renders afresh (top re-reads /proc/stat with lseek+read), and reads
 * past 0 continue the snapshot taken at 0, so a file is never torn.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fuse_events.h"
#include "fuse_req.h"
#include "inode.h"

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

void op_open_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
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
	if (session_of(req)->no_open) {
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

void op_read_impl(fuse_req_t req, fuse_ino_t ino, size_t size,
			 off_t off, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	struct preq r = preq_of(req);
	struct node n = preq_node(&r, ino);
	int err;

	if (n.kind == NODE_CTL) {
		ctl_file_read(req, of, size);
		return;
	}
	if (n.kind == NODE_EVENTS)
		return fuse_events_read(req, size, fi);
	if (!of) {
		/* No OPEN (cache=on tree): each READ fills page-cache pages afresh. */
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

void op_release_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
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
