// SPDX-License-Identifier: MIT
#include <time.h>
#include "stats.h"

static const char *const op_names[OP_MAX] = {
	"lookup", "getattr", "readlink", "open", "read", "write", "flush",
	"release", "opendir", "readdir", "readdirplus", "releasedir", "forget",
	"statfs",
};

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void stats_add(struct fuse_stats *s, enum fuse_op op, uint64_t ns)
{
	atomic_fetch_add_explicit(&s->op[op].count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->op[op].ns, ns, memory_order_relaxed);
}

void stats_render(struct buf *b, const struct fuse_stats *s)
{
	for (int i = 0; i < OP_MAX; i++)
		buf_printf(b, "fuse %s %lu %lu\n", op_names[i],
			   atomic_load(&s->op[i].count), atomic_load(&s->op[i].ns));
}
