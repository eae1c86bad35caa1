// SPDX-License-Identifier: MIT
/*
 * The pid store registry and the allocation policy every backend shares.
 * Backends only answer "first free pid in a range"; the cyclic walk, the
 * RESERVED_PIDS wrap and pid_max live here once (kernel/pid.c:alloc_pid).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kerr.h"
#include "registry.h"
#include "pidstore.h"
#include "task.h"

extern const struct pid_store_ops pid_store_idr_ops;
extern const struct pid_store_ops pid_store_bitmap_ops;
extern const struct pid_store_ops pid_store_xarray_ops;
extern const struct pid_store_ops pid_store_xarray_sharded_ops;
extern const struct pid_store_ops pid_store_sparse_ops;
extern const struct pid_store_ops pid_store_judy_ops;

/* One line per backend: adding a backend is its file plus a line here. */
const struct pid_store_ops *const pid_store_backends[] = {
	&pid_store_idr_ops,
	&pid_store_bitmap_ops,
	&pid_store_xarray_ops,
	&pid_store_xarray_sharded_ops,
	&pid_store_sparse_ops,
	&pid_store_judy_ops,
	NULL,
};

const struct pid_store_ops *pid_store_find_ops(const char *name)
{
	return REGISTRY_FIND(pid_store_backends, name);
}

static void mutex_init_adaptive(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(m, &attr);
	pthread_mutexattr_destroy(&attr);
}

int pid_store_init(struct pid_store *s, const struct pid_store_ops *ops,
		   int pid_max)
{
	if (pid_max <= RESERVED_PIDS || pid_max > PID_MAX_LIMIT)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->pid_max = pid_max;
	s->priv = ops->create();
	if (!s->priv)
		return -ENOMEM;
	mutex_init_adaptive(&s->pidmap_lock);
	pthread_rwlock_init(&s->read_lock, NULL);
	return 0;
}

static void shards_free(struct pid_shard *shard, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pthread_mutex_destroy(&shard[i].lock);
		free(shard[i].reserved.v);
	}
	free(shard);
}

void pid_store_destroy(struct pid_store *s)
{
	if (!s->priv)
		return;
	s->ops->destroy(s->priv);
	s->priv = NULL;
	free(s->reserved.v);
	s->reserved = (struct pid_resv){ 0 };
	shards_free(s->shard, s->nr_shards);
	s->shard = NULL;
	s->nr_shards = 0;
	pthread_mutex_destroy(&s->pidmap_lock);
	pthread_rwlock_destroy(&s->read_lock);
}

void pid_store_set_concurrent(struct pid_store *s)
{
	s->concurrent = true;
	if (s->ops->set_rcu)
		s->ops->set_rcu(s->priv);
}

long pid_store_alloc_calls(const struct pid_store *s)
{
	return s->ops->alloc_calls ? (long)s->ops->alloc_calls(s->priv) : -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One pidmap_lock and what it guards: the store's, or one shard's. */
struct pidmap {
	pthread_mutex_t *lock;
	int *last_pid;
	struct pid_resv *resv;
	struct pid_lock_stats *stats;
	int shard;		/* -1: the whole store */
};

static struct pidmap map_store(struct pid_store *s)
{
	return (struct pidmap){ &s->pidmap_lock, &s->last_pid, &s->reserved,
				&s->stats, -1 };
}

static struct pidmap map_shard(struct pid_store *s, unsigned i)
{
	struct pid_shard *sh = &s->shard[i];

	return (struct pidmap){ &sh->lock, &sh->last_pid, &sh->reserved,
				&sh->stats, (int)i };
}

/* The lock that guards @pid's slot. */
static struct pidmap map_of(struct pid_store *s, int pid)
{
	return s->nr_shards ? map_shard(s, s->ops->shard_of(pid)) : map_store(s);
}

/* spin_lock(&pidmap_lock), timed when asked: wait before, hold after. */
static uint64_t pidmap_lock(const struct pid_store *s, struct pidmap m)
{
	uint64_t t0, t1, wait;

	if (!s->timing) {
		pthread_mutex_lock(m.lock);
		return 0;
	}
	t0 = now_ns();
	pthread_mutex_lock(m.lock);
	t1 = now_ns();
	wait = t1 - t0;
	m.stats->wait_ns += wait;
	if (wait > m.stats->max_wait_ns)
		m.stats->max_wait_ns = wait;
	return t1;
}

static void pidmap_unlock(const struct pid_store *s, struct pidmap m,
			  uint64_t locked_at)
{
	if (s->timing) {
		uint64_t hold = now_ns() - locked_at;

		if (hold > PIDLOCK_PREEMPTED_NS)
			m.stats->preempted++;
		else
			m.stats->hold_ns += hold;
		if (hold > m.stats->max_hold_ns)
			m.stats->max_hold_ns = hold;
	}
	m.stats->acquired++;
	pthread_mutex_unlock(m.lock);
}

static void stats_add(struct pid_lock_stats *to, const struct pid_lock_stats *st)
{
	to->acquired += st->acquired;
	to->allocs += st->allocs;
	to->preempted += st->preempted;
	to->wait_ns += st->wait_ns;
	to->hold_ns += st->hold_ns;
	if (st->max_wait_ns > to->max_wait_ns)
		to->max_wait_ns = st->max_wait_ns;
	if (st->max_hold_ns > to->max_hold_ns)
		to->max_hold_ns = st->max_hold_ns;
}

size_t pid_store_mem_bytes(const struct pid_store *s)
{
	struct pid_store *w = (struct pid_store *)s;	/* the locks only */
	size_t bytes;

	pthread_mutex_lock(&w->pidmap_lock);
	for (unsigned i = 0; i < s->nr_shards; i++)
		pthread_mutex_lock(&w->shard[i].lock);
	bytes = s->ops->mem_bytes(s->priv);
	for (unsigned i = s->nr_shards; i-- > 0;)
		pthread_mutex_unlock(&w->shard[i].lock);
	pthread_mutex_unlock(&w->pidmap_lock);
	return bytes;
}

void pid_store_lock_stats(const struct pid_store *s, struct pid_lock_stats *out)
{
	*out = s->stats;
	for (unsigned i = 0; i < s->nr_shards; i++)
		stats_add(out, &s->shard[i].stats);
}

/* Backends without RCU lookups: readers are kept out while a hook writes. */
static bool locked_reads(const struct pid_store *s)
{
	return s->concurrent && !s->ops->rcu_lookup;
}

static void write_begin(struct pid_store *s)
{
	if (locked_reads(s))
		pthread_rwlock_wrlock(&s->read_lock);
}

static void write_end(struct pid_store *s)
{
	if (locked_reads(s))
		pthread_rwlock_unlock(&s->read_lock);
}

static void read_begin(const struct pid_store *s)
{
	if (locked_reads(s))
		pthread_rwlock_rdlock((pthread_rwlock_t *)&s->read_lock);
}

static void read_end(const struct pid_store *s)
{
	if (locked_reads(s))
		pthread_rwlock_unlock((pthread_rwlock_t *)&s->read_lock);
}

/*
 * Reserved pids are few and short-lived (between alloc and install), but
 * a backend switch must carry them over, so the shared layer keeps them.
 */
static int reserve_note(struct pid_resv *r, int pid)
{
	if (r->n == r->cap) {
		int cap = r->cap ? r->cap * 2 : 8;
		int *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = pid;
	return 0;
}

static void reserve_forget(struct pid_resv *r, int pid)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i] == pid) {
			r->v[i] = r->v[--r->n];
			return;
		}
}

/* Mark @nr used by @t (NULL: reserved) in the backend.  @m's lock held. */
static int reserve(struct pid_store *s, struct pidmap m, int nr, struct task *t)
{
	int err = t ? 0 : reserve_note(m.resv, nr);

	if (err)
		return err;
	write_begin(s);
	err = s->ops->insert(s->priv, nr, t);
	write_end(s);
	if (err) {
		if (!t)
			m.resv->n--;
		return err;
	}
	s->nr_used++;
	return 0;
}

/* First free pid in [from, to) of @m's part of the store. */
static int find_free(struct pid_store *s, struct pidmap m, int from, int to)
{
	if (m.shard < 0)
		return s->ops->find_free(s->priv, from, to);
	return s->ops->find_free_in(s->priv, (unsigned)m.shard, from, to);
}

/*
 * alloc_pid's policy: the first free pid after the cursor.  Before the
 * first wrap pids start at 1; afterwards at RESERVED_PIDS.  @m's lock held.
 */
static int next_free(struct pid_store *s, struct pidmap m)
{
	int last = *m.last_pid;
	int min = last >= RESERVED_PIDS ? RESERVED_PIDS : 1;
	int start = last + 1;
	int nr;

	if (start < min || start >= s->pid_max)
		start = min;
	nr = find_free(s, m, start, s->pid_max);
	if (nr < 0 && start > min)
		nr = find_free(s, m, min, start);
	return nr;
}

/* idr_preload: only where another thread may wait for the lock. */
static void preload(struct pid_store *s)
{
	if (s->concurrent && s->ops->preload)
		s->ops->preload(s->priv);
}

int pid_store_exhausted(const struct pid_store *s)
{
	return kerr(-EAGAIN, "no free pid (pid_max %d, %lu in use)",
		    s->pid_max, s->nr_used);
}

/*
 * One hold of @m's lock: a free pid of its part reserved (@t NULL) or
 * published with @t (pidlock=once).  -EAGAIN when that part is full.
 */
static int alloc_in(struct pid_store *s, struct pidmap m, struct task *t,
		    bool leader, int *pid)
{
	uint64_t at = pidmap_lock(s, m);
	int nr = next_free(s, m), err;

	if (nr >= 0) {
		if (t) {
			t->pid = nr;	/* before the task is visible */
			if (leader)
				t->tgid = nr;
		}
		err = reserve(s, m, nr, t);
	} else {
		err = pid_store_exhausted(s);
	}
	if (!err) {
		if (t && s->ops->set_leader) {
			write_begin(s);
			s->ops->set_leader(s->priv, nr, leader);
			write_end(s);
		}
		/* /proc/loadavg reads s->last_pid without this lock. */
		__atomic_store_n(m.last_pid, nr, __ATOMIC_RELAXED);
		if (m.shard >= 0)
			__atomic_store_n(&s->last_pid, nr, __ATOMIC_RELAXED);
		m.stats->allocs++;
		*pid = nr;
	}
	pidmap_unlock(s, m, at);
	return err;
}

/* The shard of the CPU we run on first, then the others in turn. */
static int alloc_any(struct pid_store *s, struct task *t, bool leader, int *pid)
{
	int cpu, err = -EAGAIN;
	unsigned home;

	preload(s);
	if (!s->nr_shards)
		return alloc_in(s, map_store(s), t, leader, pid);
	cpu = sched_getcpu();
	home = cpu > 0 ? (unsigned)cpu % s->nr_shards : 0;
	for (unsigned i = 0; i < s->nr_shards && err == -EAGAIN; i++)
		err = alloc_in(s, map_shard(s, (home + i) % s->nr_shards), t,
			       leader, pid);
	return err;
}

int pid_store_alloc(struct pid_store *s, int *pid)
{
	uint64_t t0;
	struct kstat *ks = kstat_begin(s->kstat, &t0);
	int err = alloc_any(s, NULL, false, pid);

	kstat_end(ks, KSTAT_PID_ALLOC, t0);
	return err;
}

int pid_store_alloc_task(struct pid_store *s, struct task *t, bool leader)
{
	uint64_t t0;
	struct kstat *ks = kstat_begin(s->kstat, &t0);
	int pid, err = alloc_any(s, t, leader, &pid);

	kstat_end(ks, KSTAT_PID_ALLOC, t0);
	return err;
}

int pid_store_alloc_at(struct pid_store *s, int pid)
{
	struct pidmap m;
	uint64_t at;
	int err = -EEXIST;

	/* Not pid_max: a live pid may lie above it once it was lowered. */
	if (pid <= 0 || pid >= PID_MAX_LIMIT)
		return -EINVAL;
	m = map_of(s, pid);
	at = pidmap_lock(s, m);
	if (find_free(s, m, pid, pid + 1) == pid)
		err = reserve(s, m, pid, NULL);
	pidmap_unlock(s, m, at);
	return err;
}

/*
 * With per-shard locks the next alloc starts in the CPU's own shard, so
 * this pins only that shard's cursor: best effort (replay remaps a miss).
 */
void pid_store_set_cursor(struct pid_store *s, int last)
{
	struct pidmap m = map_of(s, last > 0 ? last + 1 : 1);
	uint64_t at = pidmap_lock(s, m);

	__atomic_store_n(m.last_pid, last, __ATOMIC_RELAXED);
	if (m.shard >= 0)
		__atomic_store_n(&s->last_pid, last, __ATOMIC_RELAXED);
	pidmap_unlock(s, m, at);
}

void pid_store_install(struct pid_store *s, int pid, struct task *t)
{
	struct pidmap m = map_of(s, pid);
	uint64_t at = pidmap_lock(s, m);

	write_begin(s);
	s->ops->replace(s->priv, pid, t);
	if (t && s->ops->set_leader)
		s->ops->set_leader(s->priv, pid, thread_group_leader(t));
	write_end(s);
	if (t)
		reserve_forget(m.resv, pid);
	pidmap_unlock(s, m, at);
}

void pid_store_free(struct pid_store *s, int pid)
{
	uint64_t t0;
	struct kstat *ks = kstat_begin(s->kstat, &t0);
	struct pidmap m = map_of(s, pid);
	uint64_t at = pidmap_lock(s, m);

	reserve_forget(m.resv, pid);
	write_begin(s);
	s->ops->remove(s->priv, pid);
	write_end(s);
	s->nr_used--;
	pidmap_unlock(s, m, at);
	kstat_end(ks, KSTAT_PID_FREE, t0);
}

static struct task *lookup(const struct pid_store *s, int pid)
{
	struct task *t;

	read_begin(s);
	t = s->ops->lookup(s->priv, pid);
	read_end(s);
	return t;
}

struct task *pid_store_lookup(const struct pid_store *s, int pid)
{
	if (pid <= 0 || pid >= PID_MAX_LIMIT)
		return NULL;
	return KSTAT_TIMED(s->kstat, KSTAT_PID_LOOKUP, lookup(s, pid));
}

/* @tl: kstat_long()'s mark once the walk has skipped many threads. */
static int next_leader(const struct pid_store *s, int from, struct task **t,
		       uint64_t *tl)
{
	struct task *task;
	unsigned skipped = 0;
	int pid;

	if (s->ops->next_leader)
		return s->ops->next_leader(s->priv, from, t);
	/* No leader index: visit every pid and skip threads, as readdir does. */
	while ((pid = s->ops->next(s->priv, from, &task)) >= 0) {
		if (thread_group_leader(task)) {
			*t = task;
			return pid;
		}
		from = pid + 1;
		if (++skipped == KSTAT_LONG_STEPS)
			kstat_long(tl);
	}
	return -1;
}

/* The first pid (or leader) >= @from, 0 <= @from < PID_MAX_LIMIT. */
static int walk(const struct pid_store *s, int from, struct task **t,
		bool leaders, uint64_t *tl)
{
	int pid;

	read_begin(s);
	pid = leaders ? next_leader(s, from, t, tl) : s->ops->next(s->priv, from, t);
	read_end(s);
	return pid;
}

int pid_store_next(const struct pid_store *s, int from, struct task **t)
{
	if (from >= PID_MAX_LIMIT)
		return -1;
	return KSTAT_TIMED(s->kstat, KSTAT_PID_NEXT,
			   walk(s, from < 0 ? 0 : from, t, false, NULL));
}

int pid_store_next_leader(const struct pid_store *s, int from,
			  struct task **t)
{
	uint64_t t0, tl = 0;
	struct kstat *ks;
	int pid;

	if (from >= PID_MAX_LIMIT)
		return -1;
	/* Skipping threads can make one step carry a listing: kstat_long(). */
	ks = kstat_begin(s->kstat, &t0);
	pid = walk(s, from < 0 ? 0 : from, t, true, ks ? &tl : NULL);
	kstat_end_long(ks, KSTAT_PID_NEXT_LEADER, t0, tl);
	return pid;
}

static int switch_insert(void *priv, const struct pid_store_ops *ops, int pid,
			 struct task *t)
{
	int err = ops->insert(priv, pid, t);

	if (!err && t && ops->set_leader)
		ops->set_leader(priv, pid, thread_group_leader(t));
	return err;
}

/* Each reserved pid of the store and its shards, in @fn's hands. */
static int for_each_reserved(struct pid_store *s,
			     int (*fn)(struct pid_store *s, int pid, void *arg),
			     void *arg)
{
	int err = 0;

	for (int i = 0; i < s->reserved.n && !err; i++)
		err = fn(s, s->reserved.v[i], arg);
	for (unsigned j = 0; j < s->nr_shards && !err; j++)
		for (int i = 0; i < s->shard[j].reserved.n && !err; i++)
			err = fn(s, s->shard[j].reserved.v[i], arg);
	return err;
}

struct switch_to {
	void *priv;
	const struct pid_store_ops *ops;
};

static int switch_reserved(struct pid_store *s, int pid, void *arg)
{
	struct switch_to *to = arg;

	(void)s;
	return switch_insert(to->priv, to->ops, pid, NULL);
}

static int note_reserved(struct pid_store *s, int pid, void *arg)
{
	struct pid_resv *all = arg;

	(void)s;
	return reserve_note(all, pid);
}

/*
 * A lock per shard of s->ops (or none): the reserved pids move to the
 * lock that now guards them, each shard's cursor starts at the store's.
 * Context: no other thread uses @s (the world lock held for writing).
 */
static int shards_rebuild(struct pid_store *s)
{
	unsigned n = s->want_shards ? s->ops->nr_shards : 0;
	struct pid_shard *shard = n ? calloc(n, sizeof(*shard)) : NULL;
	struct pid_resv all = { 0 };
	int err;

	if (n && !shard)
		return -ENOMEM;
	err = for_each_reserved(s, note_reserved, &all);
	if (err) {
		free(all.v);
		free(shard);
		return err;
	}
	shards_free(s->shard, s->nr_shards);
	free(s->reserved.v);
	s->reserved = (struct pid_resv){ 0 };
	s->shard = shard;
	s->nr_shards = n;
	for (unsigned i = 0; i < n; i++) {
		mutex_init_adaptive(&shard[i].lock);
		shard[i].last_pid = s->last_pid;
	}
	for (int i = 0; i < all.n && !err; i++)
		err = reserve_note(map_of(s, all.v[i]).resv, all.v[i]);
	free(all.v);
	return err;
}

int pid_store_set_shards(struct pid_store *s)
{
	s->want_shards = true;
	return shards_rebuild(s);
}

/* A new store of @ops holding every pid of @s (its reserved ones too). */
static int store_copy(struct pid_store *s, const struct pid_store_ops *ops,
		      void **priv)
{
	struct switch_to to = { ops->create(), ops };
	struct task *t;
	int pid, err = 0;

	if (!to.priv)
		return -ENOMEM;
	if (s->concurrent && ops->set_rcu)
		ops->set_rcu(to.priv);
	for (pid = s->ops->next(s->priv, 0, &t); pid >= 0 && !err;
	     pid = s->ops->next(s->priv, pid + 1, &t))
		err = switch_insert(to.priv, ops, pid, t);
	if (!err)
		err = for_each_reserved(s, switch_reserved, &to);
	if (err) {
		ops->destroy(to.priv);
		return err;
	}
	*priv = to.priv;
	return 0;
}

/* Context: the world lock held for writing: no lookup runs. */
int pid_store_switch(struct pid_store *s, const struct pid_store_ops *ops)
{
	void *priv;
	int err = store_copy(s, ops, &priv);

	if (err)
		return err;
	s->ops->destroy(s->priv);
	s->ops = ops;
	s->priv = priv;
	/* The pids stay; only who locks them changes (ENOMEM: the lists
	 * are lost, which only a reserved pid of a restore in progress has). */
	return shards_rebuild(s);
}

/* Context: the world lock held for writing. */
int pid_store_park(struct pid_store *s, const struct pid_store_ops *ops,
		   struct pid_store_parked *p)
{
	*p = (struct pid_store_parked){ .ops = ops, .nr_used = s->nr_used };
	return store_copy(s, ops, &p->priv);
}

/* Context: the world lock held for writing. */
int pid_store_swap(struct pid_store *s, struct pid_store_parked *p)
{
	const struct pid_store_ops *ops = p->ops;
	void *priv = p->priv;

	if (!priv || p->nr_used != s->nr_used)
		return -ESTALE;
	p->ops = s->ops;
	p->priv = s->priv;
	s->ops = ops;
	s->priv = priv;
	return shards_rebuild(s);
}

void pid_store_parked_free(struct pid_store_parked *p)
{
	if (p->priv)
		p->ops->destroy(p->priv);
	p->priv = NULL;
}
