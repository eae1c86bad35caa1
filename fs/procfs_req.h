/* SPDX-License-Identifier: MIT */
/*
 * The request handlers of the /proc tree, whatever carries the requests:
 * node resolution, attributes and timeouts, directory listings and
 * renders.  A transport (fs/fuse_*.c for /dev/fuse through libfuse,
 * tools/replay.c for a recorded tool trace) fills a struct preq per
 * request, calls these, and sends what they return; nothing here knows
 * FUSE beyond the inode scheme (fs/inode.h) and the FUSE_ROOT_ID it fixes.
 *
 * Context: every function takes the kernel's read lock itself and drops
 * it before returning, so a transport replies with no lock held.
 */
#ifndef PROCSIM_PROCFS_REQ_H
#define PROCSIM_PROCFS_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "buf.h"
#include "inode.h"
#include "procfs.h"

#define PREQ_ROOT_ID	1	/* FUSE_ROOT_ID: the root's inode */

/* Who sent a request, as the handlers need it. */
struct preq {
	struct procfs *fs;
	bool control;			/* through the control session */
	pid_t caller;			/* the caller's host tid; 0: none */
	uid_t uid;
	gid_t gid;
};

/* What a lookup (or a READDIRPLUS entry) answers. */
struct preq_entry {
	uint64_t ino;			/* 0: a negative entry, cached */
	uint64_t generation;		/* the world's epoch beyond the inode's bits */
	struct stat attr;
	double entry_timeout, attr_timeout;
};

/* The node @ino names; the control session's root is /proc/procsim. */
struct node preq_node(const struct preq *r, uint64_t ino);

/* @name in directory @parent: 0 and *@e, or -errno (-ENOENT, -ENOMEM). */
int preq_lookup(const struct preq *r, uint64_t parent, const char *name,
		struct preq_entry *e);
/* The attributes of @ino and how long they may be cached. */
int preq_getattr(const struct preq *r, uint64_t ino, struct stat *st,
		 double *timeout);
/*
 * Attributes without a render (OPEN, OPENDIR), and whether the file may
 * stay in the page cache (*@keep_cache, may be NULL).
 */
int preq_stat(const struct preq *r, uint64_t ino, struct stat *st,
	      bool *keep_cache);

/*
 * One directory entry for the transport to pack: @name, the inode and
 * mode it leads to, the cookie of the entry after it, and with @plus its
 * full entry (NULL for "." and "..").  Return false when the reply is
 * full: the listing stops there.
 */
typedef bool (*preq_fill_fn)(void *arg, const char *name, uint64_t ino,
			     mode_t mode, off_t next,
			     const struct preq_entry *e);
/*
 * List directory @ino from cookie @off; with @plus every entry comes with
 * its attributes (READDIRPLUS), and a task gone meanwhile is skipped.
 * 0 or -ENOENT (the directory's task is gone).
 */
int preq_readdir(const struct preq *r, uint64_t ino, off_t off, bool plus,
		 preq_fill_fn fill, void *arg);

/* Render the file @ino into @b: 0, -ESRCH (task gone), -EINVAL, -ENOMEM. */
int preq_render(const struct preq *r, uint64_t ino, struct buf *b);

/*
 * A render buffer of the calling thread's own (freed when it ends), for
 * reads that keep no per-open state.  NULL on ENOMEM.
 */
struct buf *preq_thread_buf(void);

/* /proc/self and /proc/thread-self for the caller: 0 and the target in @out. */
int preq_readlink(const struct preq *r, uint64_t ino, char *out, size_t size);

#endif
