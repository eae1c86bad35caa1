/* SPDX-License-Identifier: MIT */
/*
 * Request accounting for /proc/procsim/stats: per FUSE opcode a count and
 * the handler's time, and inside the handlers the core's time by family
 * (core/kstat.h), the renderers' time, and what is left.
 *
 * Every serving thread owns one accumulator (a struct kstat in a slot of
 * its own cache lines), found through a thread-local; the core charges it
 * through the kstat hook only between stats_begin() and stats_end(), so
 * work outside a request (boot, populate at start) is never charged.  A
 * read sums the slots; a reset records the sums as the new zero, so no
 * thread's counters are ever written by another.  A thread that ends
 * leaves its slot (and its counts) to the next new thread.
 *
 * With account off (-o account=off, or `stats account off`) the opcode counts and handler times
 * are still kept (they cost two counter reads per request), but the core
 * and the renderers are not timed: their dispatches read no clock.
 */
#ifndef PROCSIM_STATS_H
#define PROCSIM_STATS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "kstat.h"

enum fuse_op {
	OP_LOOKUP, OP_GETATTR, OP_READLINK, OP_OPEN, OP_READ, OP_WRITE,
	OP_FLUSH, OP_RELEASE, OP_OPENDIR, OP_READDIR, OP_READDIRPLUS,
	OP_RELEASEDIR, OP_FORGET, OP_STATFS, OP_MAX,
};

/* The serving layer's items in the accumulator. */
enum {
	KSTAT_RENDER = KSTAT_CORE_NR,	/* renderers, minus the core inside them */
	KSTAT_RENDER_HIT,		/* render cache (fs/render_cache.h): a render saved */
	KSTAT_RENDER_MISS,		/* ... looked up, not there: rendered */
	KSTAT_READ_LOCK,		/* waits for kernel_read_lock() */
	KSTAT_REQ,			/* + enum fuse_op: the handlers */
};
_Static_assert(KSTAT_REQ + OP_MAX <= KSTAT_NR, "kstat has room for every opcode");

struct stats_slot;

struct fuse_stats {
	pthread_mutex_t lock;		/* the slot list and base */
	struct stats_slot *slots;
	struct kstat base;		/* the sums at the last reset */
	/*
	 * Time the core and the renderers: -o account=, and `stats account
	 * on|off` (ctl) while serving, so one daemon can compare both
	 * (docs/replay.md "Cost"); read relaxed once per request.
	 */
	bool account;
	uint64_t calib_ns, calib_tick;	/* now_ns() and kstat_clock() at init */
	/* Core dispatches timed: 1 in 2^sample_log2 (kstat.h); set before serving. */
	unsigned sample_log2;
	struct kstat_hook hook;		/* what the kernel is booted with */
	/* The serving layer's ctl commands beyond reset (trace), or NULL. */
	int (*ctl)(void *arg, enum kstat_ctl what);
	void *ctl_arg;
	/* The longest wait for kernel_read_lock() since the last reset, and
	 * how many waited over READ_LOCK_SLOW_NS (rare: an atomic each). */
	_Atomic uint64_t read_lock_max_ns, read_lock_slow;
};

/*
 * The daemon times one core dispatch in 64 and counts every one: timing
 * each cost a warm `ps aux` 40% of its in-process CPU (docs/replay.md).
 */
#define STATS_SAMPLE_LOG2	6

/* Set up @s; @account: -o account=on|off. */
void stats_init(struct fuse_stats *s, bool account);
/* Free the slots; no thread may be serving. */
void stats_destroy(struct fuse_stats *s);

/*
 * A request starts on this thread: returns its start time.  Until
 * stats_end() the core charges this thread's slot (when accounting).
 */
uint64_t stats_begin(struct fuse_stats *s);
void stats_end(struct fuse_stats *s, enum fuse_op op, uint64_t t0);

/*
 * Around a renderer: counts it in KSTAT_RENDER (account on or off) and,
 * when accounting, charges its time minus the core's inside.
 */
struct stats_render_mark {
	struct kstat *ks;		/* the request's slot, or NULL */
	bool timed;
	uint64_t t0, core0;
};
void stats_render_begin(struct stats_render_mark *m);
void stats_render_end(const struct stats_render_mark *m);
/* Count one @item (KSTAT_RENDER_HIT, ...) in this thread's live request. */
void stats_count(int item);

/*
 * A request waited @ns for kernel_read_lock(): counted and summed in the
 * request's accumulator (when accounting), and the longest kept, for the
 * stats file's read_lock_* lines (how long readers stall behind writers).
 */
#define READ_LOCK_SLOW_NS	100000
void stats_read_lock_wait(struct fuse_stats *s, uint64_t ns);

/*
 * The sums since the last reset, over every thread, times in ns (the
 * slots hold kstat_clock() ticks; this converts them).
 */
void stats_sum(struct fuse_stats *s, struct kstat *out);
void stats_reset(struct fuse_stats *s);

/*
 * The stats file's accounting part: "fuse <op> <count> <ns>" per opcode,
 * "core <item> <count> <ns>" per core item, "render <count> <ns>",
 * "request <count> <ns>" (all handlers), "other <ns>" (request − core −
 * render), "render_cache_hit <n>", "render_cache_miss <n>",
 * "renders_per_request <r>", "read_lock_waits N", "read_lock_wait_ns NS",
 * "read_lock_wait_max_ns NS", "read_lock_waits_over_100us N" (readers'
 * waits for kernel_read_lock: stats_read_lock_wait) and "account on|off".
 * docs/replay.md describes them.
 */
void stats_render(struct buf *b, struct fuse_stats *s);
/* An opcode's name in the stats file and traces ("lookup"), and back (-1). */
const char *stats_op_name(enum fuse_op op);
int stats_op_from_name(const char *name);
/* The name of a core item in the stats file ("pid_lookup"). */
const char *stats_core_name(int item);
/* CLOCK_MONOTONIC in ns (wall time, for what is not accounting). */
uint64_t now_ns(void);

#endif
