// SPDX-License-Identifier: MIT
/* Directory listings of the /proc tree (preq_readdir). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "proc_links.h"
#include "procfs_node.h"

/* Readdir cookies: fixed entries count from 1, pids from PID_OFF. */
#define PID_OFF		1000

struct lister {
	const struct preq *r;
	preq_fill_fn fill;
	void *arg;
	bool plus;
};

/* Add one entry; false when full.  @n: the node it leads to (NULL: "." ".."). */
static bool dir_add(const struct lister *l, const char *name, const struct node *n,
		    uint64_t ino, mode_t mode, off_t next)
{
	struct preq_entry e;

	if (!l->plus)
		return l->fill(l->arg, name, ino, mode, next, NULL);
	if (!n) {
		memset(&e, 0, sizeof(e));
		e.attr.st_ino = ino;
		e.attr.st_mode = mode;
		return l->fill(l->arg, name, ino, mode, next, &e);
	}
	if (fill_entry(l->r, *n, &e))
		return true;	/* gone meanwhile: skip it */
	return l->fill(l->arg, name, ino, mode, next, &e);
}

/* /proc itself after its fixed entries: every thread-group leader. */
static void list_pids(const struct lister *l, off_t off)
{
	int pid = off > PID_OFF ? (int)(off - PID_OFF) : 0;
	struct task *t;
	char name[16];

	for (pid = next_tgid(&l->r->fs->k, pid, &t); pid >= 0;
	     pid = next_tgid(&l->r->fs->k, pid + 1, &t)) {
		snprintf(name, sizeof(name), "%d", pid);
		struct node pn = { pid, 0, NODE_PID_DIR, node_epoch(l->r->fs->k.epoch) };

		if (!dir_add(l, name, &pn, node_ino(pn), S_IFDIR, PID_OFF + pid + 1))
			return;
	}
}

/* /proc/<pid>/task: threads in the group's list order, as the kernel lists them. */
static void list_threads(const struct lister *l, struct node dir,
			 const struct task *owner, off_t off, off_t i)
{
	unsigned flag = dir.kind & NODE_CALLER_FLAG;
	struct task *t;
	char name[16];

	list_for_each_entry(t, &owner->signal->thread_head, thread_node) {
		if (off > i++)
			continue;
		snprintf(name, sizeof(name), "%d", t->pid);
		struct node tn = { dir.pid, t->pid, NODE_TID_DIR | flag, dir.epoch };

		if (!dir_add(l, name, &tn, node_ino(tn), S_IFDIR, i))
			return;
	}
}

/* fd/, fdinfo/, pts/: the entries proc_links.c derives from the world. */
static void list_dynamic(const struct lister *l, struct node dir,
			 const struct task *owner, off_t off, off_t i)
{
	char name[32];
	struct node dn;

	for (int j = 0; !proc_dir_next(&l->r->fs->k, owner, dir, j, name, sizeof(name), &dn); j++) {
		if (off > i++)
			continue;
		if (!dir_add(l, name, &dn, node_ino(dn), proc_dynamic_mode(base_kind(dn)), i))
			return;
	}
}

int preq_readdir(const struct preq *r, uint64_t ino, off_t off, bool plus,
		 preq_fill_fn fill, void *arg)
{
	struct lister l = { r, fill, arg, plus };
	struct node dir = preq_node(r, ino);
	unsigned kind = base_kind(dir), flag = dir.kind & NODE_CALLER_FLAG;
	const struct dir_entry *e = dir_entries(kind);
	struct task *owner = NULL;
	off_t i;
	int err = 0;

	procfs_rdlock(r->fs);
	seen_mark_node(&r->fs->seen, dir);	/* a cached listing */
	if (kind_is_task_node(kind) && !(owner = node_task(r, dir))) {
		err = -ENOENT;
		goto out;
	}
	/* Offsets 1 and 2 are "." and ".."; fixed entries follow. */
	if (off < 1 && !dir_add(&l, ".", NULL, ino, S_IFDIR, 1))
		goto out;
	if (off < 2 && !dir_add(&l, "..", NULL, PREQ_ROOT_ID, S_IFDIR, 2))
		goto out;
	for (i = 2; e->name; e++, i++) {
		if (off > i || node_hidden(r, e->kind))
			continue;
		struct node en = { dir.pid, e->aux ? e->aux : dir.tid, e->kind | flag, dir.epoch };

		if (!dir_add(&l, e->name, &en, node_ino(en),
			     procsim_is_link(r, e->kind) ? S_IFLNK : e->mode, i + 1))
			goto out;
	}
	if (kind == NODE_ROOT)
		list_pids(&l, off);
	else if (proc_dir_dynamic(kind))
		list_dynamic(&l, dir, owner, off, i);
	else if (kind == NODE_TASK_DIR)
		list_threads(&l, dir, owner, off, i);
out:
	procfs_unlock(r->fs);
	return err;
}

