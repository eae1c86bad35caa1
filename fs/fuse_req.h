/* SPDX-License-Identifier: MIT */
/*
 * What the /dev/fuse handlers (fs/fuse_*.c) share: a request's session and
 * its transport-independent view (struct preq), the per-open state, and
 * the handlers fuse_ops.c times into the ops table.  Private to fs/fuse_*.c.
 */
#ifndef PROCSIM_FUSE_REQ_H
#define PROCSIM_FUSE_REQ_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include "buf.h"
#include "ctl.h"
#include "procfs.h"
#include "procfs_req.h"

struct open_file {
	pthread_mutex_t lock;		/* ctl: reads and writes may race on one fd */
	struct buf b;			/* the rendered file, or ctl's replies */
	struct buf in;			/* ctl: a line not yet ended */
	size_t rpos;			/* ctl: replies already read */
	bool rendered;
	bool skip_line;			/* ctl: drop the rest of a rejected line */
	struct ctl_session session;	/* ctl: $! */
};

static inline struct procfs_session *session_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static inline struct procfs *fs_of(fuse_req_t req)
{
	return session_of(req)->fs;
}

/* The transport-independent view of a request (fs/procfs_req.h). */
static inline struct preq preq_of(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	return (struct preq){ .fs = fs_of(req), .control = session_of(req)->control,
			      .caller = ctx->pid, .uid = ctx->uid, .gid = ctx->gid };
}

/* The node kind an inode names in this request's session. */
static inline unsigned req_node(fuse_req_t req, fuse_ino_t ino)
{
	struct preq r = preq_of(req);

	return preq_node(&r, ino).kind;
}

/* A preq_entry as libfuse's entry (fuse_node.c). */
void entry_param(const struct preq_entry *e, struct fuse_entry_param *p);

/* fs/fuse_node.c: names and attributes. */
void op_lookup_impl(fuse_req_t req, fuse_ino_t parent, const char *name);
void op_getattr_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_readlink_impl(fuse_req_t req, fuse_ino_t ino);

/* fs/fuse_dir.c: directories. */
void op_opendir_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_readdir_impl(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi);
void op_readdirplus_impl(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			 struct fuse_file_info *fi);
void op_releasedir_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* fs/fuse_file.c: opens and reads of the tree's files (and ctl's, events'). */
void op_open_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void op_read_impl(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi);
void op_release_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* fs/fuse_ctl.c: the ctl session, and publishing what its commands changed. */
void op_write_impl(fuse_req_t req, fuse_ino_t ino, const char *data,
		   size_t size, off_t off, struct fuse_file_info *fi);
void op_flush_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
/* Count an open ctl file (-ESHUTDOWN while draining), and its close. */
int ctl_file_get(void);
void ctl_file_put(void);
/* Answer a read of ctl with up to @size bytes of replies. */
void ctl_file_read(fuse_req_t req, struct open_file *of, size_t size);

#endif
