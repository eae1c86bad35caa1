// SPDX-License-Identifier: MIT
/* Links and task-named directories: see proc_links.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "proc_links.h"
#include "task_files.h"

static int copy_target(char *buf, size_t size, const char *s)
{
	int len = snprintf(buf, size, "%s", s);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : len;
}

static int ns_target(const struct task *t, int type, char *buf, size_t size)
{
	int len = snprintf(buf, size, "%s:[%lu]", ns_type_name(type),
			   task_ns_inum(t, type));

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : len;
}

int proc_link_target(const struct task *t, struct node n, char *buf, size_t size)
{
	unsigned kind = n.kind & ~NODE_CALLER_FLAG;
	struct tfile f;

	switch (kind) {
	case NODE_MOUNTS_LINK:
		return copy_target(buf, size, "self/mounts");
	case NODE_NET_LINK:
		return copy_target(buf, size, "self/net");
	default:
		break;
	}
	if (!t)
		return -ENOENT;
	switch (kind) {
	case NODE_T_EXE:
		return task_exe_path(t, buf, size);
	case NODE_T_CWD:
		return task_cwd_path(t, buf, size);
	case NODE_T_ROOT:
		return task_root_path(t, buf, size);
	case NODE_FD_LINK:
		if (!task_file(t, n.tid, &f))
			return -ENOENT;
		return tfile_target(&f, buf, size);
	default:
		if (kind == NODE_NS_LINK)
			return ns_target(t, n.tid - 1, buf, size);
		return -EINVAL;
	}
}

bool proc_dir_dynamic(unsigned kind)
{
	return kind == NODE_FD_DIR || kind == NODE_FDINFO_DIR ||
	       kind == NODE_NS_DIR || kind == NODE_PTS_DIR;
}

/* A decimal number in [0, max] with no sign or leading zero, or -1. */
static long parse_num(const char *s, long max)
{
	long v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* "socket:[123]" in fd/: the fd of @t holding that socket or pipe. */
static int lookup_fd_target(const struct task *t, const char *name, struct node dir,
			    struct node *out)
{
	struct tfile v[TASK_FILES_MAX];
	int n = task_files(t, v);
	char target[64];

	for (int i = 0; i < n; i++) {
		if (v[i].type != TF_SOCK && v[i].type != TF_PIPE)
			continue;
		if (tfile_target(&v[i], target, sizeof(target)) < 0 || strcmp(target, name))
			continue;
		*out = (struct node){ dir.pid, v[i].fd,
				      v[i].type == TF_SOCK ? NODE_FD_SOCKET : NODE_FD_PIPE,
				      dir.epoch };
		return 0;
	}
	return -ENOENT;
}

/* The ns/ link types whose target is @name ("pid:[4026531836]"). */
static int lookup_ns_target(const struct task *t, const char *name, struct node dir,
			    struct node *out)
{
	char target[64];

	for (int type = 0; type < NS_NR; type++) {
		if (ns_target(t, type, target, sizeof(target)) < 0 || strcmp(target, name))
			continue;
		*out = (struct node){ dir.pid, 1 + type,
				      NODE_NS_TARGET | (dir.kind & NODE_CALLER_FLAG), dir.epoch };
		return 0;
	}
	return -ENOENT;
}

#define PTS_LISTED	4096		/* pts/ lists terminals below this */
#define PTS_MAX		1048575

/*
 * The pts numbers some task has for its terminal, as a bitmap built by one
 * walk of the tasks and kept until the world changes: ps stats
 * /dev/pts/<n> for every process with a terminal, and a walk per lookup
 * made a cold `ps aux` quadratic in the number of processes.
 */
struct pts_stamp {
	const struct kernel *k;		/* NULL: never built */
	uint32_t epoch;			/* the world (a load or reset is another) */
	uint64_t tty_gen;		/* its terminals' comings and goings */
};

static struct {
	pthread_mutex_t lock;
	struct pts_stamp at;
	uint64_t used[(PTS_MAX + 1) / 64];
	uint64_t told[(PTS_MAX + 1) / 64];	/* the set at the last pts_changes() */
	struct pts_stamp told_at;
	bool served;	/* pts/ was looked up or listed: the kernel may hold some */
} pts = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * Only k->tty_gen says the set may have moved, so a ctl write that forks
 * and reaps tty-less children costs no walk (it cost O(processes) per
 * write, keyed by every change).
 */
static bool pts_current(const struct pts_stamp *s, const struct kernel *k)
{
	return s->k == k && s->epoch == k->epoch && s->tty_gen == k->tty_gen;
}

static void pts_take(struct pts_stamp *s, const struct kernel *k)
{
	*s = (struct pts_stamp){ k, k->epoch, k->tty_gen };
}

/* Context: pts.lock held. */
static void pts_refresh(const struct kernel *k)
{
	struct task *t;

	if (pts_current(&pts.at, k))
		return;
#ifdef PROCSIM_MUTATE_pts_stale
	if (pts.at.k)			/* mutation: never rebuilt */
		return;
#endif
	memset(pts.used, 0, sizeof(pts.used));
	for (int pid = next_tgid(k, 1, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		/* tty_nr is new_encode_dev: minor low byte, major, minor high bits. */
		unsigned tty = (unsigned)t->signal->tty_nr;
		unsigned nr = (tty & 0xff) | ((tty >> 12) & 0xfff00);

		if (((tty >> 8) & 0xfff) == 136 && nr <= PTS_MAX)
			pts.used[nr / 64] |= 1ULL << (nr % 64);
	}
	pts_take(&pts.at, k);
}

/*
 * pts/ is being served: from now on pts_changes() tells what leaves the
 * set.  Until then the kernel holds nothing of pts/ and pts_changes() skips
 * its walk of every process (a tenth of a million-process populate through
 * ctl); the first time, the set served is what the kernel may hold.
 * Context: pts.lock held, after pts_refresh().
 */
static void pts_serve(void)
{
	if (pts.served)
		return;
#ifndef PROCSIM_MUTATE_pts_untold	/* mutation: the set served untold */
	memcpy(pts.told, pts.used, sizeof(pts.told));
#endif
	pts.told_at = pts.at;
	pts.served = true;
}

static bool pts_used(const struct kernel *k, int nr)
{
	bool used;

	pthread_mutex_lock(&pts.lock);
	pts_refresh(k);
	pts_serve();
	used = pts.used[nr / 64] & (1ULL << (nr % 64));
	pthread_mutex_unlock(&pts.lock);
	return used;
}

int pts_changes(const struct kernel *k, int **gone)
{
	const size_t words = sizeof(pts.used) / 8;
	size_t n = 0, i;
	bool moved = false;
	int *v = NULL;

	*gone = NULL;
	pthread_mutex_lock(&pts.lock);
#ifdef PROCSIM_MUTATE_pts_unserved	/* mutation: walk before any serve */
	pts.served = true;
#endif
	if (!pts.served || pts_current(&pts.told_at, k))
		goto out;
	pts_refresh(k);
	for (i = 0; i < words; i++)
		n += (size_t)__builtin_popcountll(pts.told[i] & ~pts.used[i]);
	if (n && !(v = malloc(n * sizeof(*v)))) {
		pthread_mutex_unlock(&pts.lock);
		return -ENOMEM;		/* nothing taken: the next call tries again */
	}
	for (i = 0, n = 0; i < words; i++) {
		if (pts.told[i] == pts.used[i])
			continue;
		moved = true;
		for (uint64_t w = pts.told[i] & ~pts.used[i]; w; w &= w - 1)
			v[n++] = (int)(i * 64 + __builtin_ctzll(w));
		pts.told[i] = pts.used[i];
	}
	pts_take(&pts.told_at, k);
	*gone = v;
out:
	pthread_mutex_unlock(&pts.lock);
	return moved ? (int)n + 1 : 0;
}

/* The @idx-th terminal in use below PTS_LISTED, or -1. */
static int pts_nth(const struct kernel *k, int idx)
{
	int found = -1;

	pthread_mutex_lock(&pts.lock);
	pts_refresh(k);
	pts_serve();
	for (int i = 0, seen = 0; i < PTS_LISTED / 64 && found < 0; i++) {
		uint64_t w = pts.used[i];
		int n = __builtin_popcountll(w);

		if (seen + n <= idx) {
			seen += n;
			continue;
		}
		for (; w; w &= w - 1)
			if (seen++ == idx) {
				found = i * 64 + __builtin_ctzll(w);
				break;
			}
	}
	pthread_mutex_unlock(&pts.lock);
	return found;
}

int proc_dir_lookup(const struct kernel *k, const struct task *t,
		    struct node dir, const char *name, struct node *out)
{
	unsigned kind = dir.kind & ~NODE_CALLER_FLAG, flag = dir.kind & NODE_CALLER_FLAG;
	struct tfile f;
	long nr;

	switch (kind) {
	case NODE_PTS_DIR:
		/* Like devpts: only the terminals some session has. */
		nr = parse_num(name, PTS_MAX);
		if (nr < 0 || !pts_used(k, (int)nr))
			return -ENOENT;
		*out = (struct node){ 0, (int)nr, NODE_PTS_DEV, 0 };
		return 0;
	case NODE_FD_DIR:
	case NODE_FDINFO_DIR:
		if (!t)
			return -ENOENT;
		nr = parse_num(name, 0x3fffff);
		if (nr < 0)
			return kind == NODE_FD_DIR ? lookup_fd_target(t, name, dir, out) : -ENOENT;
		if (!task_file(t, (int)nr, &f))
			return -ENOENT;
		*out = (struct node){ dir.pid, (int)nr,
				      (kind == NODE_FD_DIR ? NODE_FD_LINK : NODE_FDINFO_FILE) | flag,
				      dir.epoch };
		return 0;
	case NODE_NS_DIR:
		return t ? lookup_ns_target(t, name, dir, out) : -ENOENT;
	default:
		return -ENOENT;
	}
}

int proc_dir_next(const struct kernel *k, const struct task *t, struct node dir,
		  int idx, char *name, size_t size, struct node *out)
{
	unsigned kind = dir.kind & ~NODE_CALLER_FLAG, flag = dir.kind & NODE_CALLER_FLAG;
	struct tfile v[TASK_FILES_MAX];
	int n;

	if (kind == NODE_PTS_DIR) {
		int nr = pts_nth(k, idx);

		if (nr < 0)
			return -ENOENT;
		snprintf(name, size, "%d", nr);
		*out = (struct node){ 0, nr, NODE_PTS_DEV, 0 };
		return 0;
	}
	if ((kind != NODE_FD_DIR && kind != NODE_FDINFO_DIR) || !t)
		return -ENOENT;
	n = task_files(t, v);
	if (idx >= n)
		return -ENOENT;
	snprintf(name, size, "%d", v[idx].fd);
	*out = (struct node){ dir.pid, v[idx].fd,
			      (kind == NODE_FD_DIR ? NODE_FD_LINK : NODE_FDINFO_FILE) | flag,
			      dir.epoch };
	return 0;
}

mode_t proc_dynamic_mode(unsigned kind)
{
	if (kind == NODE_NS_TARGET)
		return S_IFREG | 0444;
	switch (kind) {
	case NODE_FD_LINK:	return S_IFLNK | 0700;
	case NODE_FDINFO_FILE:	return S_IFREG | 0444;
	case NODE_FD_SOCKET:	return S_IFSOCK | 0777;
	/*
	 * Not S_IFIFO: the kernel opens a FIFO inode itself, as a new pipe
	 * with no writer, so an open through the link would hang.
	 */
	case NODE_FD_PIPE:	return S_IFREG | 0400;
	case NODE_PTS_DEV:	return S_IFCHR | 0620;
	default:		return 0;
	}
}

int proc_dynamic_stat(const struct kernel *k, const struct task *t,
		      struct node n, struct stat *st)
{
	unsigned kind = n.kind & ~NODE_CALLER_FLAG;
	struct tfile f;

	(void)k;
	if (kind == NODE_PTS_DEV) {
		st->st_rdev = makedev(136, (unsigned)n.tid);
		st->st_gid = 5;		/* tty */
		return 0;
	}
	if (kind == NODE_NS_TARGET) {
		st->st_ino = task_ns_inum(t, n.tid - 1);
		return 0;
	}
	if (kind != NODE_FD_LINK && kind != NODE_FDINFO_FILE &&
	    kind != NODE_FD_SOCKET && kind != NODE_FD_PIPE)
		return 0;
	if (!t || !task_file(t, n.tid, &f))
		return -ENOENT;
	if (kind == NODE_FD_LINK) {
		/* lr-x, l-wx or lrwx as the fd was opened. */
		int acc = f.flags & O_ACCMODE;

		st->st_mode = S_IFLNK | (acc == O_RDONLY ? 0500 : acc == O_WRONLY ? 0300 : 0700);
		st->st_size = 64;
	} else if (kind != NODE_FDINFO_FILE) {
		st->st_ino = f.ino;
	}
	return 0;
}
