/* SPDX-License-Identifier: MIT */
/*
 * Requests as a transport makes them: one preq handler call between
 * stats_begin and stats_end, so the stats count it as /dev/fuse's or the
 * ring's dispatch would.  For the tests that drive fs/procfs_req.h without
 * FUSE (test_procfs_req, test_procfs_serve).
 */
#ifndef PROCSIM_TEST_PREQ_CALLS_H
#define PROCSIM_TEST_PREQ_CALLS_H

#include "procfs_req.h"

static inline int req_lookup(struct procfs *fs, uint64_t parent,
			     const char *name, struct preq_entry *e)
{
	struct preq r = { .fs = fs };
	uint64_t t0 = stats_begin(&fs->stats);
	int err = preq_lookup(&r, parent, name, e);

	stats_end(&fs->stats, OP_LOOKUP, t0);
	return err;
}

static inline int req_getattr(struct procfs *fs, uint64_t ino,
			      struct stat *st, double *timeout)
{
	struct preq r = { .fs = fs };
	uint64_t t0 = stats_begin(&fs->stats);
	int err = preq_getattr(&r, ino, st, timeout);

	stats_end(&fs->stats, OP_GETATTR, t0);
	return err;
}

static inline int req_read(struct procfs *fs, uint64_t ino, struct buf *b)
{
	struct preq r = { .fs = fs };
	uint64_t t0 = stats_begin(&fs->stats);
	int err = preq_render(&r, ino, b);

	stats_end(&fs->stats, OP_READ, t0);
	return err;
}

#endif
