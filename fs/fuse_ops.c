// SPDX-License-Identifier: MIT
/*
 * The low-level FUSE operations: the /dev/fuse transport.  What a request
 * means (node resolution, attributes, listings, renders) is in
 * fs/procfs_req.c, shared with the trace replayer; the handlers, by job,
 * turn libfuse's calls into those and their answers into fuse_reply_*,
 * sent with no lock held: fuse_node.c (names, attributes), fuse_dir.c,
 * fuse_file.c (open, read), fuse_ctl.c (the ctl session, change
 * publishing) and fuse_events.c.  This file times each op into the stats
 * and the trace, and negotiates the connection.
 */
#include <stdio.h>
#include "fuse_events.h"
#include "fuse_ops.h"
#include "fuse_req.h"
#include "task_files.h"

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
	if (!fs->cache)
		return;
	ps->no_opendir = conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT;
	if (ps->no_opendir)
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
	/*
	 * No OPEN at all; pages of files that move with time or with other
	 * tasks are dropped whenever a read finds a new mtime (cache_policy.c).
	 */
	ps->no_open = (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) &&
		      (conn->capable & FUSE_CAP_AUTO_INVAL_DATA);
	if (ps->no_open)
		conn->want |= FUSE_CAP_NO_OPEN_SUPPORT | FUSE_CAP_AUTO_INVAL_DATA;
	else
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
