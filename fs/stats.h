/* SPDX-License-Identifier: MIT */
/* Per-opcode FUSE request counters for /proc/procsim/stats. */
#ifndef PROCSIM_STATS_H
#define PROCSIM_STATS_H

#include <stdatomic.h>
#include <stdint.h>
#include "buf.h"

enum fuse_op {
	OP_LOOKUP, OP_GETATTR, OP_READLINK, OP_OPEN, OP_READ, OP_WRITE,
	OP_FLUSH, OP_RELEASE, OP_OPENDIR, OP_READDIR, OP_READDIRPLUS,
	OP_RELEASEDIR, OP_FORGET, OP_STATFS, OP_MAX,
};

struct op_stats {
	atomic_ulong count;
	atomic_ulong ns;		/* time spent in the handler */
};

struct fuse_stats {
	struct op_stats op[OP_MAX];
};

void stats_add(struct fuse_stats *s, enum fuse_op op, uint64_t ns);
/* "fuse <op> <count> <ns>" lines, one per opcode. */
void stats_render(struct buf *b, const struct fuse_stats *s);
uint64_t now_ns(void);

#endif
