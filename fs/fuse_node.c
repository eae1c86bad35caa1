// SPDX-License-Identifier: MIT
/*
 * /dev/fuse: names and attributes (LOOKUP, GETATTR, READLINK).  What they
 * mean is in fs/procfs_req.c; this turns libfuse's calls into those and
 * their answers into fuse_reply_*, sent with no lock held.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "fuse_req.h"

void entry_param(const struct preq_entry *e, struct fuse_entry_param *p)
{
	memset(p, 0, sizeof(*p));
	p->ino = e->ino;
	p->generation = e->generation;
	p->attr = e->attr;
	p->entry_timeout = e->entry_timeout;
	p->attr_timeout = e->attr_timeout;
}

void op_lookup_impl(fuse_req_t req, fuse_ino_t parent, const char *name)
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

void op_getattr_impl(fuse_req_t req, fuse_ino_t ino,
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

void op_readlink_impl(fuse_req_t req, fuse_ino_t ino)
{
	struct preq r = preq_of(req);
	char target[PATH_MAX];
	int err = preq_readlink(&r, ino, target, sizeof(target));

	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_readlink(req, target);
}
