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
 * Times are kstat_clock() ticks, inclusive of what the dispatch calls: a
 * pid store lookup's time is the backend's lookup.  The layer that reads
 * the sums converts ticks to nanoseconds (fs/stats.c calibrates the
 * counter against CLOCK_MONOTONIC), so the hot path never does.  The read
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
 * One thread's accumulator: per item the calls, how many of them were
 * timed, and the timed ones' ticks.  A dispatch is timed one time in
 * 2^sample_log2 (chosen by a Weyl sequence, so no walk's stride aliases
 * with it); the others are only counted.  Two counter reads around a
 * pid-store step of a walk cost far more than their ~10 ns in a loop:
 * they stall the step's cache misses (measured: +40% of a warm `ps aux`
 * replay timing every call, docs/replay.md).  kstat_read() scales the
 * timed ticks to every call.
 *
 * A uniform sampler misses the rare call that carries most of an item's
 * time (a /proc listing's last walk step skipping 100,000 threads: timed
 * in one listing of 64).  So a call that proves long (a walk that has
 * skipped KSTAT_LONG_STEPS entries, kstat_long()) is timed from there on
 * whatever the sampler chose: its tail's ticks go to @tail, never scaled,
 * and only its head (up to that point) is sampled.  The estimate stays
 * unbiased and the clock pair is paid once per KSTAT_LONG_STEPS steps at
 * most.  Only its thread writes it (relaxed load and
 * store, no read-modify-write: plain moves on x86), others may read the
 * items at any time (kstat_read); weyl is the owner's alone.
 */
struct kstat_slot_item {
	_Atomic uint64_t n, timed, ticks;	/* side by side: one line per add */
	_Atomic uint64_t tail;		/* long calls' tails: always timed */
};

struct kstat {
	struct kstat_slot_item item[KSTAT_NR];
	uint64_t weyl;			/* the sampler's state */
	unsigned sample_log2;		/* time 1 call in 2^sample_log2; 0: all */
};

static inline void kstat_inc_(_Atomic uint64_t *v, uint64_t by)
{
	atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + by,
			      memory_order_relaxed);
}

/* Add @n calls, all timed, taking @ticks, to an item of this thread's accumulator. */
static inline void kstat_add(struct kstat *ks, int item, uint64_t n, uint64_t ticks)
{
	kstat_inc_(&ks->item[item].n, n);
	kstat_inc_(&ks->item[item].timed, n);
	kstat_inc_(&ks->item[item].ticks, ticks);
}

/* One call, not timed. */
static inline void kstat_count(struct kstat *ks, int item)
{
	kstat_inc_(&ks->item[item].n, 1);
}

/* Add every field of @from's items to @to's (a merge of accumulators). */
static inline void kstat_merge(struct kstat *to, const struct kstat *from)
{
	for (int i = 0; i < KSTAT_NR; i++) {
		kstat_inc_(&to->item[i].n, atomic_load_explicit(&from->item[i].n,
				memory_order_relaxed));
		kstat_inc_(&to->item[i].timed, atomic_load_explicit(&from->item[i].timed,
				memory_order_relaxed));
		kstat_inc_(&to->item[i].ticks, atomic_load_explicit(&from->item[i].ticks,
				memory_order_relaxed));
		kstat_inc_(&to->item[i].tail, atomic_load_explicit(&from->item[i].tail,
				memory_order_relaxed));
	}
}

/*
 * An item's calls (@ns false) or its time: the timed calls' ticks scaled
 * to all calls, plus the long calls' tails as measured.
 */
static inline uint64_t kstat_read(const struct kstat *ks, int item, bool ns)
{
	uint64_t n = atomic_load_explicit(&ks->item[item].n, memory_order_relaxed);
	uint64_t timed, ticks, tail;

	if (!ns)
		return n;
	timed = atomic_load_explicit(&ks->item[item].timed, memory_order_relaxed);
	ticks = atomic_load_explicit(&ks->item[item].ticks, memory_order_relaxed);
	tail = atomic_load_explicit(&ks->item[item].tail, memory_order_relaxed);
	if (!timed)
		return tail;
	return tail + (timed >= n ? ticks :
		       (uint64_t)((unsigned __int128)ticks * n / timed));
}

/*
 * The serving layer's side.  @cur: the calling thread's accumulator, or
 * NULL when not accounting.  @ctl: the ctl commands that concern the
 * serving layer rather than the world (stats reset, stats account on|off,
 * trace start/stop);
 * returns 0 or -errno with a one-line reason in @why (may be NULL:
 * ctl then answers ENOTSUP).  The hook outlives every kernel booted with it
 * (kernel_reset and kernel_load keep it).
 */
enum kstat_ctl {
	KSTAT_CTL_RESET, KSTAT_CTL_TRACE_START, KSTAT_CTL_TRACE_STOP,
	KSTAT_CTL_ACCOUNT_ON, KSTAT_CTL_ACCOUNT_OFF,
};

struct kstat_hook {
	struct kstat *(*cur)(void *arg);	/* NULL: never accounting */
	int (*ctl)(void *arg, enum kstat_ctl what);
	void *arg;
};

/*
 * The accounting clock, in ticks: the time-stamp counter on x86-64 (rdtsc,
 * about 24 ns a read on this project's VM against 60 ns for
 * clock_gettime(CLOCK_MONOTONIC) through the vDSO; Linux uses the same
 * counter as its clocksource when it is invariant), CLOCK_MONOTONIC ns
 * elsewhere.  Not serialising: a dispatch's time may smear by a few cycles
 * into its neighbours, which is far below what it measures.
 */
static inline uint64_t kstat_clock(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
#endif
}

/* Ticks from @t0 to @t1; 0 if the counter went back (a CPU switch). */
static inline uint64_t kstat_ticks(uint64_t t0, uint64_t t1)
{
	return t1 > t0 ? t1 - t0 : 0;
}

/*
 * The accumulator to charge, or NULL; *@t0 gets the start time, or 0 when
 * this call is only counted (the sampler's choice).
 */
static inline struct kstat *kstat_begin(const struct kstat_hook *h, uint64_t *t0)
{
	struct kstat *ks = h && h->cur ? h->cur(h->arg) : NULL;

	*t0 = 0;
	if (ks) {
		ks->weyl += 0x9e3779b97f4a7c15ULL;
		if (!ks->sample_log2 || !(ks->weyl >> (64 - ks->sample_log2)))
			*t0 = kstat_clock() | 1;	/* never 0 */
	}
	return ks;
}

/* A walk skips this many entries before its call counts as long. */
#define KSTAT_LONG_STEPS 16

/*
 * A call in progress has proved long: *@tl gets the time its tail starts
 * (once; @tl NULL when not accounting).  For loops inside a dispatch.
 */
static inline void kstat_long(uint64_t *tl)
{
#ifdef PROCSIM_MUTATE_no_long_tail
	return;		/* the old uniform sampler: a long tail goes unseen */
#endif
	if (tl && !*tl)
		*tl = kstat_clock() | 1;	/* never 0 */
}

/*
 * End a call begun with kstat_begin(): @tl is 0, or when kstat_long()
 * found it long.  A long call's tail is always charged; its head only if
 * the sampler chose the call (@t0).
 */
static inline void kstat_end_long(struct kstat *ks, enum kstat_item item,
				  uint64_t t0, uint64_t tl)
{
	uint64_t t1;

	if (!ks)
		return;
	if (!t0 && !tl) {
		kstat_count(ks, item);
		return;
	}
	t1 = kstat_clock();
	if (tl)
		kstat_inc_(&ks->item[item].tail, kstat_ticks(tl, t1));
	if (t0)
		kstat_add(ks, item, 1, kstat_ticks(t0, tl ? tl : t1));
	else
		kstat_count(ks, item);
}

static inline void kstat_end(struct kstat *ks, enum kstat_item item, uint64_t t0)
{
	kstat_end_long(ks, item, t0, 0);
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

/* Sum of the core families' ticks in @ks (to subtract nested core time). */
static inline uint64_t kstat_core_ns(const struct kstat *ks)
{
	uint64_t sum = 0;

	for (int i = 0; i < KSTAT_CORE_NR; i++)
		sum += kstat_read(ks, i, true);
	return sum;
}

#endif
