/* SPDX-License-Identifier: MIT */
/*
 * The links and the directories whose names come from the task: exe, cwd,
 * root, fd/, fdinfo/, ns/, /proc/mounts, /proc/net, and the pts device
 * nodes of /proc/procsim/pts.  fs/procfs_req.c calls these; they only read
 * the core.  Context: the kernel's read lock held; @t is the task of the
 * node (NULL for nodes of no task).
 *
 * Linux's fd and ns links are "magic": stat() through them reaches the
 * socket, pipe or namespace.  FUSE can only return a path, so the target
 * names ("socket:[123]", "pid:[4026531836]") are also looked up, unlisted,
 * in the link's own directory, where they stat as that socket, pipe or
 * namespace inode: pstree -N and ps's *ns columns read st_ino that way.
 */
#ifndef PROCSIM_PROC_LINKS_H
#define PROCSIM_PROC_LINKS_H

#include <sys/stat.h>
#include "inode.h"
#include "kernel.h"

/* readlink of node @n: the target's length, or -ENOENT / -EINVAL. */
int proc_link_target(const struct task *t, struct node n, char *buf, size_t size);
/* A directory whose entries proc_dir_lookup/proc_dir_next produce. */
bool proc_dir_dynamic(unsigned kind);
/* @name in the dynamic directory @dir (of task @t): 0 and *@out, or -ENOENT. */
int proc_dir_lookup(const struct kernel *k, const struct task *t,
		    struct node dir, const char *name, struct node *out);
/*
 * The @idx-th listed entry of @dir after its fixed ones: 0 with its
 * name and node, -ENOENT past the last.
 */
int proc_dir_next(const struct kernel *k, const struct task *t, struct node dir,
		  int idx, char *name, size_t size, struct node *out);
/*
 * What changed in the set of terminals some task has (/proc/procsim/pts)
 * since the last call, for cache=on's invalidations (the kernel keeps the
 * listing and the pts/<n> entries it looked up): 0 if nothing (always
 * until pts/ was first looked up or listed, with no walk); else 1 +
 * the number of terminals that went away, their numbers in *@gone (to
 * free); -ENOMEM and nothing taken if that list cannot be made.
 * Context: the kernel's read lock held.
 */
int pts_changes(const struct kernel *k, int **gone);
/* The mode of a node kind no fixed directory lists, or 0. */
mode_t proc_dynamic_mode(unsigned kind);
/* Finish @st for a dynamic node: -ENOENT if it no longer exists. */
int proc_dynamic_stat(const struct kernel *k, const struct task *t,
		      struct node n, struct stat *st);

#endif
