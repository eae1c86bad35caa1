// SPDX-License-Identifier: MIT
/*
 * The pid store registry and the allocation policy every backend shares.
 * Backends only answer "first free pid in a range"; the cyclic walk, the
 * RESERVED_PIDS wrap and pid_max live here once (kernel/pid.c:alloc_pid).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "registry.h"
#include "pidstore.h"
#include "task.h"

extern const struct pid_store_ops pid_store_idr_ops;
extern const struct pid_store_ops pid_store_bitmap_ops;
extern const struct pid_store_ops pid_store_xarray_ops;
extern const struct pid_store_ops pid_store_sparse_ops;
extern const struct pid_store_ops pid_store_judy_ops;

/* One line per backend: adding a backend is its file plus a line here. */
const struct pid_store_ops *const pid_store_backends[] = {
	&pid_store_idr_ops,
	&pid_store_bitmap_ops,
	&pid_store_xarray_ops,
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
	if (pid_max <= RESERVED_PIDS || pid_max > PID_MAX_LIMIT)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->pid_max = pid_max;
	s->priv = ops->create();
	return s->priv ? 0 : -ENOMEM;
}

void pid_store_destroy(struct pid_store *s)
{
	if (s->priv)
		s->ops->destroy(s->priv);
	s->priv = NULL;
	free(s->reserved);
	s->reserved = NULL;
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
static int reserve(struct pid_store *s, int nr)
{
	int err = reserve_note(s, nr);

	if (err)
		return err;
	err = s->ops->insert(s->priv, nr, NULL);
	if (err) {
		s->nr_reserved--;
		return err;
	}
	s->nr_used++;
	return 0;
}

int pid_store_alloc(struct pid_store *s, int *pid)
{
	/* Before the first wrap pids start at 1; afterwards at RESERVED_PIDS. */
	int min = s->last_pid >= RESERVED_PIDS ? RESERVED_PIDS : 1;
	int start = s->last_pid + 1;
	int nr, err;

	if (start < min || start >= s->pid_max)
		start = min;
	nr = s->ops->find_free(s->priv, start, s->pid_max);
	if (nr < 0 && start > min)
		nr = s->ops->find_free(s->priv, min, start);
	if (nr < 0)
		return -EAGAIN;
	err = reserve(s, nr);
	if (err)
		return err;
	s->last_pid = nr;
	*pid = nr;
	return 0;
}

int pid_store_alloc_at(struct pid_store *s, int pid)
{
	/* Not pid_max: a live pid may lie above it once it was lowered. */
	if (pid <= 0 || pid >= PID_MAX_LIMIT)
		return -EINVAL;
	if (s->ops->find_free(s->priv, pid, pid + 1) != pid)
		return -EEXIST;
	return reserve(s, pid);
}

void pid_store_install(struct pid_store *s, int pid, struct task *t)
{
	s->ops->replace(s->priv, pid, t);
	if (t)
		reserve_forget(s, pid);
	if (t && s->ops->set_leader)
		s->ops->set_leader(s->priv, pid, thread_group_leader(t));
}

void pid_store_free(struct pid_store *s, int pid)
{
	reserve_forget(s, pid);
	s->ops->remove(s->priv, pid);
	s->nr_used--;
}

struct task *pid_store_lookup(const struct pid_store *s, int pid)
{
	if (pid <= 0 || pid >= PID_MAX_LIMIT)
		return NULL;
	return s->ops->lookup(s->priv, pid);
}

int pid_store_next(const struct pid_store *s, int from, struct task **t)
{
	if (from < 0)
		from = 0;
	if (from >= PID_MAX_LIMIT)
		return -1;
	return s->ops->next(s->priv, from, t);
}

int pid_store_next_leader(const struct pid_store *s, int from,
			  struct task **t)
{
	struct task *task;
	int pid;

	if (from < 0)
		from = 0;
	if (from >= PID_MAX_LIMIT)
		return -1;
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

static int switch_insert(void *priv, const struct pid_store_ops *ops, int pid,
			 struct task *t)
{
	int err = ops->insert(priv, pid, t);

	if (!err && t && ops->set_leader)
		ops->set_leader(priv, pid, thread_group_leader(t));
	return err;
}

int pid_store_switch(struct pid_store *s, const struct pid_store_ops *ops)
{
	void *priv = ops->create();
	struct task *t;
	int pid, err = 0;

	if (!priv)
		return -ENOMEM;
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
