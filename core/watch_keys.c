// SPDX-License-Identifier: MIT
/*
 * Keys watcher: a per-task keyring allocated at fork and freed at exit,
 * in the manner of copy_keys()/exit_keys() (security/keys/process_keys.c).
 * k->nr_keys counts live keyrings so a test proves none leaks.
 */
#include <errno.h>
#include <stdlib.h>
#include "watchers.h"

struct key {
	unsigned int uid, gid;		/* owner, as the thread keyring records */
	int serial;
};

static void key_put(struct kernel *k, struct task *t)
{
	if (!t->keys)
		return;
	free(t->keys);
	t->keys = NULL;
	k->nr_keys--;
}

int keys_fork(struct kernel *k, const struct watch_info *w)
{
	struct task *t = w->task;
	struct key *key = malloc(sizeof(*key));

	watch_traced(k, "keys");
	if (!key)
		return -ENOMEM;
	key->uid = t->cred.uid;
	key->gid = t->cred.gid;
	key->serial = t->pid;
	t->keys = key;
	k->nr_keys++;
	return 0;
}

void keys_fork_undo(struct kernel *k, const struct watch_info *w)
{
	watch_traced(k, "-keys");
	key_put(k, w->task);
}

int keys_exit(struct kernel *k, const struct watch_info *w)
{
	watch_traced(k, "keys");
	key_put(k, w->task);
	return 0;
}

/* Teardown: the tasks still alive when the kernel goes keep theirs. */
int keys_init(struct kernel *k)
{
	k->nr_keys = 0;
	return 0;
}

void keys_destroy(struct kernel *k)
{
	(void)k;	/* free_world() frees t->keys of the tasks left */
}

TASK_WATCHER(fork, 200, keys, keys_fork, keys_fork_undo);
TASK_WATCHER(exit, 200, keys, keys_exit, NULL);

/* Save and restore (core/snapshot.c): a keyring is three numbers. */
bool keys_get(const struct task *t, unsigned int *uid, unsigned int *gid,
	      int *serial)
{
	if (!t->keys)
		return false;
	*uid = t->keys->uid;
	*gid = t->keys->gid;
	*serial = t->keys->serial;
	return true;
}

int keys_set(struct kernel *k, struct task *t, unsigned int uid,
	     unsigned int gid, int serial)
{
	struct key *key = malloc(sizeof(*key));

	if (!key)
		return -ENOMEM;
	*key = (struct key){ .uid = uid, .gid = gid, .serial = serial };
	t->keys = key;
	k->nr_keys++;
	return 0;
}
