// SPDX-License-Identifier: MIT
/*
 * libJudy as a pid store: one JudyL array from pid to task.  A reserved pid
 * holds a sentinel word, so the array alone answers every question:
 * JudyLFirstEmpty finds a free pid, JudyLFirst the next used one.
 *
 * Concurrency: libJudy cannot be read beside a writer (it reshapes and
 * frees its nodes in place), so lookups take the store's read_lock
 * (core/pidstore.h, LOCKING).  Its allocations happen inside libJudy and
 * are not counted (no .alloc_calls).
 */
#include <errno.h>
#include <stdlib.h>
#include <Judy.h>
#include "pidstore.h"

/* Any address no task has: the value of a reserved pid. */
static const char reserved_mark;
#define RESERVED_WORD	((Word_t)&reserved_mark)

struct judy_store {
	Pvoid_t array;
};

static void *judy_create(void)
{
	return calloc(1, sizeof(struct judy_store));
}

static void judy_destroy(void *priv)
{
	struct judy_store *j = priv;

	JudyLFreeArray(&j->array, PJE0);
	free(j);
}

static int judy_find_free(void *priv, int from, int to)
{
	struct judy_store *j = priv;
	Word_t idx = (Word_t)from;

	if (from >= to || JudyLFirstEmpty(j->array, &idx, PJE0) != 1)
		return -1;
	return idx < (Word_t)to ? (int)idx : -1;
}

static int judy_insert(void *priv, int pid, struct task *t)
{
	struct judy_store *j = priv;
	PWord_t v = (PWord_t)JudyLIns(&j->array, (Word_t)pid, PJE0);

	if (v == PJERR)
		return -ENOMEM;		/* Judy leaves the array as it was */
	*v = t ? (Word_t)t : RESERVED_WORD;
	return 0;
}

static void judy_replace(void *priv, int pid, struct task *t)
{
	struct judy_store *j = priv;
	PWord_t v = (PWord_t)JudyLGet(j->array, (Word_t)pid, PJE0);

	if (v && v != PJERR)
		*v = t ? (Word_t)t : RESERVED_WORD;
}

static void judy_remove(void *priv, int pid)
{
	struct judy_store *j = priv;

	JudyLDel(&j->array, (Word_t)pid, PJE0);
}

static struct task *judy_lookup(void *priv, int pid)
{
	struct judy_store *j = priv;
	PWord_t v = (PWord_t)JudyLGet(j->array, (Word_t)pid, PJE0);

	if (!v || v == PJERR || *v == RESERVED_WORD)
		return NULL;
	return (struct task *)*v;
}

static int judy_next(void *priv, int from, struct task **t)
{
	struct judy_store *j = priv;
	Word_t idx = (Word_t)from;
	PWord_t v;

	for (v = (PWord_t)JudyLFirst(j->array, &idx, PJE0); v && v != PJERR;
	     v = (PWord_t)JudyLNext(j->array, &idx, PJE0)) {
		if (*v != RESERVED_WORD) {
			*t = (struct task *)*v;
			return (int)idx;
		}
	}
	return -1;
}

static size_t judy_mem_bytes(void *priv)
{
	const struct judy_store *j = priv;

	return sizeof(*j) + JudyLMemUsed(j->array);
}

const struct pid_store_ops pid_store_judy_ops = {
	.name = "judy",
	.desc = "libJudy JudyL array from pid to task",
	.create = judy_create,
	.destroy = judy_destroy,
	.find_free = judy_find_free,
	.insert = judy_insert,
	.replace = judy_replace,
	.remove = judy_remove,
	.lookup = judy_lookup,
	.next = judy_next,
	.mem_bytes = judy_mem_bytes,
};
