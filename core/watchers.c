// SPDX-License-Identifier: MIT
/*
 * Task watchers: the hooks the core calls, the mechanisms that call the
 * watchers, and the "table" mechanism itself (kernel/task_watchers.c of
 * the 2006 series): a walk over a read-only array the linker built.
 */
#include <errno.h>
#include <string.h>
#include "registry.h"
#include "watchers.h"

const struct task_watcher *watch_table(enum watch_event ev, size_t *n)
{
	static const struct { const struct task_watcher *start, *stop; } t[] = {
		[WATCH_FORK] = { __start_procsim_watch_fork, __stop_procsim_watch_fork },
		[WATCH_EXEC] = { __start_procsim_watch_exec, __stop_procsim_watch_exec },
		[WATCH_ID] = { __start_procsim_watch_id, __stop_procsim_watch_id },
		[WATCH_EXIT] = { __start_procsim_watch_exit, __stop_procsim_watch_exit },
	};

	*n = t[ev].stop - t[ev].start;
	return t[ev].start;
}

/* Undo fork watchers [from, start), newest first. */
static void table_unwind(struct kernel *k, const struct watch_info *w,
			 const struct task_watcher *start,
			 const struct task_watcher *from)
{
	while (from-- > start)
		if (from->undo)
			from->undo(k, w);
}

static int table_run(struct kernel *k, const struct watch_info *w)
{
	const struct task_watcher *p, *start, *stop;
	size_t n;
	int err;

	start = watch_table(w->event, &n);
	stop = start + n;
	for (p = start; p < stop; p++) {
		err = p->fn(k, w);
		if (err) {
			table_unwind(k, w, start, p);
			return err;
		}
	}
	return 0;
}

static void table_undo(struct kernel *k, const struct watch_info *w)
{
	size_t n;
	const struct task_watcher *start = watch_table(WATCH_FORK, &n);

	table_unwind(k, w, start, start + n);
}

const struct watch_ops watch_table_ops = {
	.name = "table",
	.run = table_run,
	.undo = table_undo,
};

static int none_run(struct kernel *k, const struct watch_info *w)
{
	(void)k;
	(void)w;
	return 0;
}

static void none_undo(struct kernel *k, const struct watch_info *w)
{
	(void)k;
	(void)w;
}

const struct watch_ops watch_none_ops = {
	.name = "none",
	.run = none_run,
	.undo = none_undo,
};

const struct watch_ops *const watch_mechanisms[] = {
	&watch_table_ops, &watch_chain_ops, &watch_direct_ops, &watch_none_ops,
	NULL,
};

const struct watch_ops *watch_find_ops(const char *name)
{
	return REGISTRY_FIND(watch_mechanisms, name);
}

int watchers_init(struct kernel *k, const char *mechanism)
{
	const struct watch_ops *ops = watch_find_ops(mechanism ? mechanism : "table");
	int err;

	if (!ops)
		return -EINVAL;
	err = keys_init(k);
	if (!err)
		err = audit_init(k);
	if (!err)
		err = cnproc_init(k);
	if (!err && ops->init)
		err = ops->init(k);
	if (err) {
		watchers_destroy(k);
		return err;
	}
	k->watch = ops;
	return 0;
}

void watchers_destroy(struct kernel *k)
{
	if (k->watch && k->watch->destroy)
		k->watch->destroy(k);
	k->watch = NULL;
	cnproc_destroy(k);
	audit_destroy(k);
	keys_destroy(k);
}

int watch_fork(struct kernel *k, struct task *parent, struct task *child)
{
	struct watch_info w = { .event = WATCH_FORK, .task = child, .parent = parent };

	return k->watch->run(k, &w);
}

void watch_fork_undo(struct kernel *k, struct task *parent, struct task *child)
{
	struct watch_info w = { .event = WATCH_FORK, .task = child, .parent = parent };

	k->watch->undo(k, &w);
}

void watch_exec(struct kernel *k, struct task *t)
{
	struct watch_info w = { .event = WATCH_EXEC, .task = t };

	k->watch->run(k, &w);
}

void watch_id(struct kernel *k, struct task *t, bool gid, unsigned int old_id,
	      unsigned int new_id)
{
	struct watch_info w = { .event = WATCH_ID, .task = t, .gid = gid,
				.old_id = old_id, .new_id = new_id };

	k->watch->run(k, &w);
}

void watch_exit(struct kernel *k, struct task *t, int code)
{
	struct watch_info w = { .event = WATCH_EXIT, .task = t, .code = code };

	k->watch->run(k, &w);
}
