/* SPDX-License-Identifier: MIT */
/*
 * kstat: what the core spends, by family, for the layer that serves it.
 *
 * The core keeps no counters of its own (no globals, nothing to lock):
 * the serving layer hands it a hook, struct kstat_hook, through
 * kernel_opts.kstat, and every accounted dispatch asks the hook for the
 * calling thread's accumulator.  NULL means "not accounting now" (the
 * daemon outside a request, or with -o account=off): then the dispatch
 * reads no clock and costs one indirect call.  The accumulator belongs to
 * the calling thread alone, so adding to it needs no atomics and no shared
 * cache line; the layer above sums its threads' accumulators when read.
 *
 * Times are CLOCK_MONOTONIC nanoseconds, inclusive of what the dispatch
 * calls: a pid store lookup's time is the backend's lookup.  The read
 * path (lookup, readdir, renders) nests nothing; on the write path a
 * wait's and a watcher's own pid lookups count both as lookups and inside
 * KSTAT_WAIT / KSTAT_WATCH.
 */
#ifndef PROCSIM_KSTAT_H
#define PROCSIM_KSTAT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum kstat_item {
	/* The pid store dispatch (core/pidstore.c). */
	KSTAT_PID_LOOKUP, KSTAT_PID_NEXT, KSTAT_PID_NEXT_LEADER,
	KSTAT_PID_ALLOC, KSTAT_PID_FREE,
	/* A VMA store call from the mm layer (core/mm.c): find, first, next, walks. */
	KSTAT_VMA,
	/* do_wait's strategy (core/wait.c). */
	KSTAT_WAIT,
	/* A task watcher run (core/watchers.c). */
	KSTAT_WATCH,
	KSTAT_CORE_NR,
	/*
	 * Items from here on are the serving layer's to name (renderers,
	 * requests); the core never touches them but they share the
	 * accumulator, so one merge and one reset covers everything.
	 */
	KSTAT_NR = KSTAT_CORE_NR + 24,
};

/*
 * One thread's accumulator: a count and nanoseconds per item.  Only its
 * thread writes it (relaxed load and store, no read-modify-write: plain
 * moves on x86), others may read it at any time (kstat_read).
 */
struct kstat {
	struct {
		_Atomic uint64_t n, ns;	/* side by side: one cache line per add */
	} item[KSTAT_NR];
};

/* Add to an item of the calling thread's own accumulator. */
static inline void kstat_add(struct kstat *ks, int item, uint64_t n, uint64_t ns)
{
	atomic_store_explicit(&ks->item[item].n, atomic_load_explicit(
			      &ks->item[item].n, memory_order_relaxed) + n,
			      memory_order_relaxed);
	atomic_store_explicit(&ks->item[item].ns, atomic_load_explicit(
			      &ks->item[item].ns, memory_order_relaxed) + ns,
			      memory_order_relaxed);
}

static inline uint64_t kstat_read(const struct kstat *ks, int item, bool ns)
{
	return atomic_load_explicit(ns ? &ks->item[item].ns : &ks->item[item].n,
				    memory_order_relaxed);
}

/*
 * The serving layer's side.  @cur: the calling thread's accumulator, or
 * NULL when not accounting.  @ctl: the ctl commands that concern the
 * serving layer rather than the world (stats reset, trace start/stop);
 * returns 0 or -errno with a one-line reason in @why (may be NULL:
 * ctl then answers ENOTSUP).  The hook outlives every kernel booted with it
 * (kernel_reset and kernel_load keep it).
 */
enum kstat_ctl { KSTAT_CTL_RESET, KSTAT_CTL_TRACE_START, KSTAT_CTL_TRACE_STOP };

struct kstat_hook {
	struct kstat *(*cur)(void *arg);
	int (*ctl)(void *arg, enum kstat_ctl what);
	void *arg;
};

static inline uint64_t kstat_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The accumulator to charge, or NULL; *@t0 gets the start time. */
static inline struct kstat *kstat_begin(const struct kstat_hook *h, uint64_t *t0)
{
	struct kstat *ks = h ? h->cur(h->arg) : NULL;

	*t0 = ks ? kstat_clock() : 0;
	return ks;
}

static inline void kstat_end(struct kstat *ks, enum kstat_item item, uint64_t t0)
{
	if (ks)
		kstat_add(ks, item, 1, kstat_clock() - t0);
}

/*
 * The value of @expr, its time charged to @item of @hook's accumulator:
 * the one-call dispatches' whole accounting (a GNU statement expression).
 */
#define KSTAT_TIMED(hook, item, expr) ({				\
	uint64_t t0_;							\
	struct kstat *ks_ = kstat_begin((hook), &t0_);			\
	__typeof__(expr) ret_ = (expr);					\
									\
	kstat_end(ks_, (item), t0_);					\
	ret_;								\
})

/* Sum of the core families' ns in @ks (to subtract nested core time). */
static inline uint64_t kstat_core_ns(const struct kstat *ks)
{
	uint64_t sum = 0;

	for (int i = 0; i < KSTAT_CORE_NR; i++)
		sum += kstat_read(ks, i, true);
	return sum;
}

#endif
