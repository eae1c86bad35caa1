// SPDX-License-Identifier: MIT
/* /dev/fuse: directories (OPENDIR, READDIR, READDIRPLUS, RELEASEDIR). */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "fuse_req.h"

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

void op_readdir_impl(fuse_req_t req, fuse_ino_t ino, size_t size,
			    off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	readdir_common(req, ino, size, off, false);
}

/* With the attributes: saves ps a LOOKUP of every /proc/<pid> it stats. */
void op_readdirplus_impl(fuse_req_t req, fuse_ino_t ino, size_t size,
				off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	readdir_common(req, ino, size, off, true);
}

/*
 * Directories keep no per-open state (readdir cookies are pids), so with
 * cache=on the first OPENDIR answers ENOSYS: the kernel then stops sending
 * OPENDIR/RELEASEDIR and caches listings, which inval_task() and
 * publish_changes() drop when they change.
 */
void op_opendir_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct preq r = preq_of(req);
	struct stat st;
	int err;

	if (session_of(req)->no_opendir) {
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

void op_releasedir_impl(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}
