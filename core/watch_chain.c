// SPDX-License-Identifier: MIT
/*
 * The "chain" mechanism: a notifier chain per event (kernel/notifier.c's
 * blocking_notifier_chain), a linked list under a lock with run-time
 * registration sorted by priority.  The watchers register at boot, as
 * subsystems call blocking_notifier_chain_register from their init.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "list.h"
#include "watchers.h"

struct watch_nb {
	struct list_head node;
	const struct task_watcher *w;
};

struct watch_chain {
	pthread_rwlock_t lock;
	struct list_head head[WATCH_NR_EVENTS];
};

/* notifier_chain_register: lower order first, after equals. */
static int chain_register(struct watch_chain *c, enum watch_event ev,
			  const struct task_watcher *w)
{
	struct watch_nb *nb = malloc(sizeof(*nb)), *pos;

	if (!nb)
		return -ENOMEM;
	nb->w = w;
	pthread_rwlock_wrlock(&c->lock);
	list_for_each_entry(pos, &c->head[ev], node)
		if (pos->w->order > w->order)
			break;
	list_add_tail(&nb->node, &pos->node);
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

static void chain_destroy(struct kernel *k)
{
	struct watch_chain *c = k->watch_chain;
	struct watch_nb *nb, *n;

	if (!c)
		return;
	for (int ev = 0; ev < WATCH_NR_EVENTS; ev++)
		list_for_each_entry_safe(nb, n, &c->head[ev], node)
			free(nb);
	pthread_rwlock_destroy(&c->lock);
	free(c);
	k->watch_chain = NULL;
}

static int chain_init(struct kernel *k)
{
	/* Each subsystem's init would register its own; here, in one place. */
	static const struct { enum watch_event ev; const struct task_watcher *w; } boot[] = {
		{ WATCH_FORK, &watcher_fork_acct }, { WATCH_EXIT, &watcher_exit_acct },
		{ WATCH_FORK, &watcher_fork_keys }, { WATCH_EXIT, &watcher_exit_keys },
		{ WATCH_FORK, &watcher_fork_fault },
		{ WATCH_FORK, &watcher_fork_audit }, { WATCH_EXEC, &watcher_exec_audit },
		{ WATCH_ID, &watcher_id_audit }, { WATCH_EXIT, &watcher_exit_audit },
		{ WATCH_FORK, &watcher_fork_cnproc }, { WATCH_EXEC, &watcher_exec_cnproc },
		{ WATCH_ID, &watcher_id_cnproc }, { WATCH_EXIT, &watcher_exit_cnproc },
	};
	struct watch_chain *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	pthread_rwlock_init(&c->lock, NULL);
	for (int ev = 0; ev < WATCH_NR_EVENTS; ev++)
		INIT_LIST_HEAD(&c->head[ev]);
	k->watch_chain = c;
	for (size_t i = 0; i < sizeof(boot) / sizeof(boot[0]); i++)
		if (chain_register(c, boot[i].ev, boot[i].w)) {
			chain_destroy(k);
			return -ENOMEM;
		}
	return 0;
}

/* Undo the fork watchers before @from, newest first.  Lock held. */
static void chain_unwind(struct kernel *k, const struct watch_info *w,
			 struct watch_nb *from)
{
	struct list_head *head = &k->watch_chain->head[WATCH_FORK];
	struct watch_nb *nb;

	for (nb = list_entry(from->node.prev, struct watch_nb, node);
	     &nb->node != head;
	     nb = list_entry(nb->node.prev, struct watch_nb, node))
		if (nb->w->undo)
			nb->w->undo(k, w);
}

static int chain_run(struct kernel *k, const struct watch_info *w)
{
	struct watch_chain *c = k->watch_chain;
	struct watch_nb *nb;
	int err = 0;

	pthread_rwlock_rdlock(&c->lock);
	list_for_each_entry(nb, &c->head[w->event], node) {
		err = nb->w->fn(k, w);
		if (err) {
			chain_unwind(k, w, nb);
			break;
		}
	}
	pthread_rwlock_unlock(&c->lock);
	return err;
}

static void chain_undo(struct kernel *k, const struct watch_info *w)
{
	struct watch_chain *c = k->watch_chain;
	struct watch_nb *end = list_entry(&c->head[WATCH_FORK], struct watch_nb, node);

	pthread_rwlock_rdlock(&c->lock);
	chain_unwind(k, w, end);
	pthread_rwlock_unlock(&c->lock);
}

const struct watch_ops watch_chain_ops = {
	.name = "chain",
	.init = chain_init,
	.destroy = chain_destroy,
	.run = chain_run,
	.undo = chain_undo,
};
