// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "stats.h"

static const char *const op_names[OP_MAX] = {
	"lookup", "getattr", "readlink", "open", "read", "write", "flush",
	"release", "opendir", "readdir", "readdirplus", "releasedir", "forget",
	"statfs",
};

static const char *const core_names[KSTAT_CORE_NR] = {
	[KSTAT_PID_LOOKUP] = "pid_lookup", [KSTAT_PID_NEXT] = "pid_next",
	[KSTAT_PID_NEXT_LEADER] = "pid_next_leader",
	[KSTAT_PID_ALLOC] = "pid_alloc", [KSTAT_PID_FREE] = "pid_free",
	[KSTAT_VMA] = "vma", [KSTAT_WAIT] = "wait", [KSTAT_WATCH] = "watch",
};

/* One thread's accumulator, on cache lines of its own. */
struct stats_slot {
	struct kstat ks;
	struct stats_slot *next;
	bool owned;			/* a live thread has it */
} __attribute__((aligned(64)));

/* This thread's slot (for the stats it was taken from) and the live request's. */
static __thread struct fuse_stats *tls_owner;
static __thread struct stats_slot *tls_slot;
static __thread struct kstat *tls_active;
static __thread struct kstat *tls_req;	/* the live request's, account or not */

static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * ns per kstat_clock() tick: the counter against CLOCK_MONOTONIC since
 * stats_init, so the longer the daemon runs the finer the ratio (a read
 * pair's skew, ~50 ns, over at least CALIB_MIN_NS).  Lock held.
 */
#define CALIB_MIN_NS	200000ULL

static double ns_per_tick(struct fuse_stats *s)
{
	uint64_t ns, ticks;

	while ((ns = now_ns() - s->calib_ns) < CALIB_MIN_NS)
		;	/* only a read within 0.2 ms of start-up waits */
	ticks = kstat_ticks(s->calib_tick, kstat_clock());
	return ticks ? (double)ns / (double)ticks : 1.0;
}

const char *stats_op_name(enum fuse_op op)
{
	return (unsigned)op < OP_MAX ? op_names[op] : NULL;
}

int stats_op_from_name(const char *name)
{
	for (int i = 0; i < OP_MAX; i++)
		if (!strcmp(op_names[i], name))
			return i;
	return -1;
}

const char *stats_core_name(int item)
{
	return item >= 0 && item < KSTAT_CORE_NR ? core_names[item] : NULL;
}

static struct kstat *hook_cur(void *arg)
{
	(void)arg;
	return tls_active;
}

static int hook_ctl(void *arg, enum kstat_ctl what)
{
	struct fuse_stats *s = arg;

	switch (what) {
	case KSTAT_CTL_RESET:
		stats_reset(s);
		return 0;
	case KSTAT_CTL_ACCOUNT_ON:
	case KSTAT_CTL_ACCOUNT_OFF:
		__atomic_store_n(&s->account, what == KSTAT_CTL_ACCOUNT_ON,
				 __ATOMIC_RELAXED);
		return 0;
	default:
		break;
	}
	return s->ctl ? s->ctl(s->ctl_arg, what) : -ENOTSUP;
}

void stats_init(struct fuse_stats *s, bool account)
{
	memset(s, 0, sizeof(*s));
	s->sample_log2 = STATS_SAMPLE_LOG2;
	pthread_mutex_init(&s->lock, NULL);
	s->account = account;
	s->hook = (struct kstat_hook){ .cur = hook_cur, .ctl = hook_ctl, .arg = s };
	s->calib_ns = now_ns();
	s->calib_tick = kstat_clock();
}

void stats_destroy(struct fuse_stats *s)
{
	struct stats_slot *p, *next;

	for (p = s->slots; p; p = next) {
		next = p->next;
		free(p);
	}
	s->slots = NULL;
	if (tls_owner == s) {
		/* This thread's key must not name a freed slot when it ends. */
		pthread_setspecific(slot_key, NULL);
		tls_owner = NULL, tls_slot = NULL, tls_active = NULL;
	}
	pthread_mutex_destroy(&s->lock);
}

/* A thread ends: its slot (counts kept) goes to the next new thread. */
static void slot_release(void *p)
{
	struct stats_slot *slot = p;

	__atomic_store_n(&slot->owned, false, __ATOMIC_RELEASE);
}

static void slot_key_init(void)
{
	if (pthread_key_create(&slot_key, slot_release))
		abort();
}

static struct stats_slot *slot_get(struct fuse_stats *s)
{
	struct stats_slot *slot;

	if (tls_owner == s)
		return tls_slot;
	pthread_once(&slot_once, slot_key_init);
	pthread_mutex_lock(&s->lock);
	for (slot = s->slots; slot; slot = slot->next)
		if (!__atomic_load_n(&slot->owned, __ATOMIC_ACQUIRE))
			break;
	if (!slot) {
		slot = aligned_alloc(64, sizeof(*slot));
		if (slot) {
			memset(slot, 0, sizeof(*slot));
			slot->ks.sample_log2 = s->sample_log2;
			slot->next = s->slots;
			s->slots = slot;
		}
	}
	if (slot)
		slot->owned = true;
	pthread_mutex_unlock(&s->lock);
	if (slot && pthread_setspecific(slot_key, slot) == 0) {
		tls_owner = s;
		tls_slot = slot;
	}
	return slot;
}

uint64_t stats_begin(struct fuse_stats *s)
{
	struct stats_slot *slot = slot_get(s);

	tls_req = slot ? &slot->ks : NULL;
	tls_active = tls_req && __atomic_load_n(&s->account, __ATOMIC_RELAXED) ?
		     tls_req : NULL;
	return kstat_clock();
}

void stats_end(struct fuse_stats *s, enum fuse_op op, uint64_t t0)
{
	uint64_t ticks = kstat_ticks(t0, kstat_clock());

	tls_active = tls_req = NULL;
	if (tls_owner == s && tls_slot)
		kstat_add(&tls_slot->ks, KSTAT_REQ + op, 1, ticks);
}

void stats_render_begin(struct stats_render_mark *m)
{
	m->ks = tls_req;
	m->timed = tls_active != NULL;
	if (m->timed) {
		m->core0 = kstat_core_ns(m->ks);
		m->t0 = kstat_clock();
	}
}

void stats_render_end(const struct stats_render_mark *m)
{
	if (m->timed) {
		uint64_t ticks = kstat_ticks(m->t0, kstat_clock());
		uint64_t core = kstat_core_ns(m->ks) - m->core0;

		kstat_add(m->ks, KSTAT_RENDER, 1, ticks > core ? ticks - core : 0);
	} else if (m->ks) {
		kstat_add(m->ks, KSTAT_RENDER, 1, 0);
	}
}

void stats_count(int item)
{
	if (tls_req)
		kstat_add(tls_req, item, 1, 0);
}

/* The raw sums over every slot, base not subtracted.  Lock held. */
static void sum_slots(struct fuse_stats *s, struct kstat *out)
{
	memset(out, 0, sizeof(*out));
	for (struct stats_slot *p = s->slots; p; p = p->next)
		kstat_merge(out, &p->ks);
}

static uint64_t field(const _Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

void stats_sum(struct fuse_stats *s, struct kstat *out)
{
	struct kstat raw;
	double scale;

	pthread_mutex_lock(&s->lock);
	sum_slots(s, &raw);
	scale = ns_per_tick(s);
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < KSTAT_NR; i++) {
		const struct kstat_slot_item *r = &raw.item[i], *b = &s->base.item[i];

		atomic_store_explicit(&out->item[i].n, field(&r->n) - field(&b->n),
				      memory_order_relaxed);
		atomic_store_explicit(&out->item[i].timed,
				      field(&r->timed) - field(&b->timed),
				      memory_order_relaxed);
		atomic_store_explicit(&out->item[i].ticks, (uint64_t)((double)(
				      field(&r->ticks) - field(&b->ticks)) * scale + 0.5),
				      memory_order_relaxed);
		atomic_store_explicit(&out->item[i].tail, (uint64_t)((double)(
				      field(&r->tail) - field(&b->tail)) * scale + 0.5),
				      memory_order_relaxed);
	}
	pthread_mutex_unlock(&s->lock);
}

void stats_read_lock_wait(struct fuse_stats *s, uint64_t ns)
{
	struct kstat *ks = s->hook.cur ? s->hook.cur(s->hook.arg) : NULL;
	uint64_t max = atomic_load_explicit(&s->read_lock_max_ns, memory_order_relaxed);

	if (ks)
		kstat_add(ks, KSTAT_READ_LOCK, 1, ns);
	if (ns > READ_LOCK_SLOW_NS)
		atomic_fetch_add_explicit(&s->read_lock_slow, 1, memory_order_relaxed);
	while (ns > max && !atomic_compare_exchange_weak_explicit(
			&s->read_lock_max_ns, &max, ns, memory_order_relaxed,
			memory_order_relaxed))
		;
}

void stats_reset(struct fuse_stats *s)
{
	pthread_mutex_lock(&s->lock);
	atomic_store_explicit(&s->read_lock_max_ns, 0, memory_order_relaxed);
	atomic_store_explicit(&s->read_lock_slow, 0, memory_order_relaxed);
	sum_slots(s, &s->base);
	pthread_mutex_unlock(&s->lock);
}

void stats_render(struct buf *b, struct fuse_stats *s)
{
	struct kstat sum;
	uint64_t req_n = 0, req_ns = 0, core_ns, render_ns;

	stats_sum(s, &sum);
	for (int i = 0; i < OP_MAX; i++) {
		uint64_t n = kstat_read(&sum, KSTAT_REQ + i, false);
		uint64_t ns = kstat_read(&sum, KSTAT_REQ + i, true);

		buf_printf(b, "fuse %s %lu %lu\n", op_names[i], (unsigned long)n,
			   (unsigned long)ns);
		req_n += n;
		req_ns += ns;
	}
	buf_printf(b, "account %s\n",
		   __atomic_load_n(&s->account, __ATOMIC_RELAXED) ? "on" : "off");
	for (int i = 0; i < KSTAT_CORE_NR; i++)
		buf_printf(b, "core %s %lu %lu\n", core_names[i],
			   (unsigned long)kstat_read(&sum, i, false),
			   (unsigned long)kstat_read(&sum, i, true));
	core_ns = kstat_core_ns(&sum);
	render_ns = kstat_read(&sum, KSTAT_RENDER, true);
	buf_printf(b, "render %lu %lu\n",
		   (unsigned long)kstat_read(&sum, KSTAT_RENDER, false),
		   (unsigned long)render_ns);
	buf_printf(b, "request %lu %lu\n", (unsigned long)req_n, (unsigned long)req_ns);
	buf_printf(b, "render_cache_hit %lu\nrender_cache_miss %lu\n",
		   (unsigned long)kstat_read(&sum, KSTAT_RENDER_HIT, false),
		   (unsigned long)kstat_read(&sum, KSTAT_RENDER_MISS, false));
	buf_printf(b, "renders_per_request %.3f\n", req_n ?
		   (double)kstat_read(&sum, KSTAT_RENDER, false) / (double)req_n : 0.0);
	buf_printf(b, "read_lock_waits %lu\nread_lock_wait_ns %lu\n"
		   "read_lock_wait_max_ns %lu\nread_lock_waits_over_100us %lu\n",
		   (unsigned long)kstat_read(&sum, KSTAT_READ_LOCK, false),
		   (unsigned long)kstat_read(&sum, KSTAT_READ_LOCK, true),
		   (unsigned long)atomic_load_explicit(&s->read_lock_max_ns,
						       memory_order_relaxed),
		   (unsigned long)atomic_load_explicit(&s->read_lock_slow,
						       memory_order_relaxed));
	buf_printf(b, "other %lu\n", (unsigned long)(req_ns > core_ns + render_ns ?
				     req_ns - core_ns - render_ns : 0));
}
