// SPDX-License-Identifier: MIT
/*
 * The pid store registry and the allocation policy every backend shares.
 * Backends only answer "first free pid in a range"; the cyclic walk, the
 * RESERVED_PIDS wrap and pid_max live here once (kernel/pid.c:alloc_pid).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

int pid_store_init(struct pid_store *s, const struct pid_store_ops *ops,
		   int pid_max)
{
	pthread_mutexattr_t attr;

	if (pid_max <= RESERVED_PIDS || pid_max > PID_MAX_LIMIT)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->pid_max = pid_max;
	s->priv = ops->create();
	if (!s->priv)
		return -ENOMEM;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&s->pidmap_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_rwlock_init(&s->read_lock, NULL);
	return 0;
}

void pid_store_destroy(struct pid_store *s)
{
	if (!s->priv)
		return;
	s->ops->destroy(s->priv);
	s->priv = NULL;
	free(s->reserved);
	s->reserved = NULL;
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

/* spin_lock(&pidmap_lock), timed when asked: wait before, hold after. */
static uint64_t pidmap_lock(struct pid_store *s)
{
	uint64_t t0, t1, wait;

	if (!s->timing) {
		pthread_mutex_lock(&s->pidmap_lock);
		return 0;
	}
	t0 = now_ns();
	pthread_mutex_lock(&s->pidmap_lock);
	t1 = now_ns();
	wait = t1 - t0;
	s->stats.wait_ns += wait;
	if (wait > s->stats.max_wait_ns)
		s->stats.max_wait_ns = wait;
	return t1;
}

static void pidmap_unlock(struct pid_store *s, uint64_t locked_at)
{
	if (s->timing) {
		uint64_t hold = now_ns() - locked_at;

		if (hold > PIDLOCK_PREEMPTED_NS)
			s->stats.preempted++;
		else
			s->stats.hold_ns += hold;
		if (hold > s->stats.max_hold_ns)
			s->stats.max_hold_ns = hold;
	}
	s->stats.acquired++;
	pthread_mutex_unlock(&s->pidmap_lock);
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
static int reserve_note(struct pid_store *s, int pid)
{
	if (s->nr_reserved == s->reserved_cap) {
		int cap = s->reserved_cap ? s->reserved_cap * 2 : 8;
		int *r = realloc(s->reserved, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		s->reserved = r;
		s->reserved_cap = cap;
	}
	s->reserved[s->nr_reserved++] = pid;
	return 0;
}

static void reserve_forget(struct pid_store *s, int pid)
{
	for (int i = 0; i < s->nr_reserved; i++)
		if (s->reserved[i] == pid) {
			s->reserved[i] = s->reserved[--s->nr_reserved];
			return;
		}
}

/* Mark @nr used (reserved) in the backend and in the reserved list. */
/* Mark @nr used by @t (NULL: reserved) in the backend.  pidmap_lock held. */
static int reserve(struct pid_store *s, int nr, struct task *t)
{
	int err = t ? 0 : reserve_note(s, nr);

	if (err)
		return err;
	write_begin(s);
	err = s->ops->insert(s->priv, nr, t);
	write_end(s);
	if (err) {
		if (!t)
			s->nr_reserved--;
		return err;
	}
	s->nr_used++;
	return 0;
}

/*
 * alloc_pid's policy: the first free pid after last_pid.  Before the first
 * wrap pids start at 1; afterwards at RESERVED_PIDS.  pidmap_lock held.
 */
static int next_free(struct pid_store *s)
{
	int min = s->last_pid >= RESERVED_PIDS ? RESERVED_PIDS : 1;
	int start = s->last_pid + 1;
	int nr;

	if (start < min || start >= s->pid_max)
		start = min;
	nr = s->ops->find_free(s->priv, start, s->pid_max);
	if (nr < 0 && start > min)
		nr = s->ops->find_free(s->priv, min, start);
	return nr;
}

/* idr_preload: only where another thread may wait for the lock. */
static void preload(struct pid_store *s)
{
	if (s->concurrent && s->ops->preload)
		s->ops->preload(s->priv);
}

int pid_store_alloc(struct pid_store *s, int *pid)
{
	uint64_t at, t0;
	struct kstat *ks = kstat_begin(s->kstat, &t0);
	int nr, err = -EAGAIN;

	preload(s);
	at = pidmap_lock(s);
	nr = next_free(s);
	if (nr >= 0)
		err = reserve(s, nr, NULL);
	if (!err) {
		s->last_pid = nr;
		s->stats.allocs++;
		*pid = nr;
	}
	pidmap_unlock(s, at);
	kstat_end(ks, KSTAT_PID_ALLOC, t0);
	return err;
}

int pid_store_alloc_task(struct pid_store *s, struct task *t, bool leader)
{
	uint64_t at, t0;
	struct kstat *ks = kstat_begin(s->kstat, &t0);
	int nr, err = -EAGAIN;

	preload(s);
	at = pidmap_lock(s);
	nr = next_free(s);
	if (nr >= 0) {
		t->pid = nr;		/* before the task is visible */
		if (leader)
			t->tgid = nr;
		err = reserve(s, nr, t);
	}
	if (!err) {
		if (s->ops->set_leader) {
			write_begin(s);
			s->ops->set_leader(s->priv, nr, leader);
			write_end(s);
		}
		s->last_pid = nr;
		s->stats.allocs++;
	}
	pidmap_unlock(s, at);
	kstat_end(ks, KSTAT_PID_ALLOC, t0);
	return err;
}

int pid_store_alloc_at(struct pid_store *s, int pid)
{
	uint64_t at;
	int err = -EEXIST;

	/* Not pid_max: a live pid may lie above it once it was lowered. */
	if (pid <= 0 || pid >= PID_MAX_LIMIT)
		return -EINVAL;
	at = pidmap_lock(s);
	if (s->ops->find_free(s->priv, pid, pid + 1) == pid)
		err = reserve(s, pid, NULL);
	pidmap_unlock(s, at);
	return err;
}

void pid_store_set_cursor(struct pid_store *s, int last)
{
	uint64_t at = pidmap_lock(s);

	s->last_pid = last;
	pidmap_unlock(s, at);
}

void pid_store_install(struct pid_store *s, int pid, struct task *t)
{
	uint64_t at = pidmap_lock(s);

	write_begin(s);
	s->ops->replace(s->priv, pid, t);
	if (t && s->ops->set_leader)
		s->ops->set_leader(s->priv, pid, thread_group_leader(t));
	write_end(s);
	if (t)
		reserve_forget(s, pid);
	pidmap_unlock(s, at);
}

void pid_store_free(struct pid_store *s, int pid)
{
	uint64_t t0;
	struct kstat *ks = kstat_begin(s->kstat, &t0);
	uint64_t at = pidmap_lock(s);

	reserve_forget(s, pid);
	write_begin(s);
	s->ops->remove(s->priv, pid);
	write_end(s);
	s->nr_used--;
	pidmap_unlock(s, at);
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

static int next_leader(const struct pid_store *s, int from, struct task **t)
{
	struct task *task;
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
	}
	return -1;
}

/* The first pid (or leader) >= @from, 0 <= @from < PID_MAX_LIMIT. */
static int walk(const struct pid_store *s, int from, struct task **t,
		bool leaders)
{
	int pid;

	read_begin(s);
	pid = leaders ? next_leader(s, from, t) : s->ops->next(s->priv, from, t);
	read_end(s);
	return pid;
}

int pid_store_next(const struct pid_store *s, int from, struct task **t)
{
	if (from >= PID_MAX_LIMIT)
		return -1;
	return KSTAT_TIMED(s->kstat, KSTAT_PID_NEXT,
			   walk(s, from < 0 ? 0 : from, t, false));
}

int pid_store_next_leader(const struct pid_store *s, int from,
			  struct task **t)
{
	if (from >= PID_MAX_LIMIT)
		return -1;
	return KSTAT_TIMED(s->kstat, KSTAT_PID_NEXT_LEADER,
			   walk(s, from < 0 ? 0 : from, t, true));
}

static int switch_insert(void *priv, const struct pid_store_ops *ops, int pid,
			 struct task *t)
{
	int err = ops->insert(priv, pid, t);

	if (!err && t && ops->set_leader)
		ops->set_leader(priv, pid, thread_group_leader(t));
	return err;
}

/* Context: the world lock held for writing: no lookup runs. */
int pid_store_switch(struct pid_store *s, const struct pid_store_ops *ops)
{
	void *priv = ops->create();
	struct task *t;
	int pid, err = 0;

	if (!priv)
		return -ENOMEM;
	if (s->concurrent && ops->set_rcu)
		ops->set_rcu(priv);
	for (pid = s->ops->next(s->priv, 0, &t); pid >= 0 && !err;
	     pid = s->ops->next(s->priv, pid + 1, &t))
		err = switch_insert(priv, ops, pid, t);
	for (int i = 0; i < s->nr_reserved && !err; i++)
		err = switch_insert(priv, ops, s->reserved[i], NULL);
	if (err) {
		ops->destroy(priv);
		return err;
	}
	s->ops->destroy(s->priv);
	s->ops = ops;
	s->priv = priv;
	return 0;
}
