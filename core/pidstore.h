/* SPDX-License-Identifier: MIT */
/*
 * Pid stores: the structure that maps a pid number to its task.
 *
 * Every backend fills one struct pid_store_ops and lives in one file,
 * core/pidstore_<name>.c; core/pidstore.c holds the registry and the
 * allocation policy that all backends share (cyclic from the last pid,
 * wrapping to RESERVED_PIDS at pid_max, as kernel/pid.c:alloc_pid does).
 * Backends never see pid_max: they index the whole range [0, PID_MAX_LIMIT),
 * so pid_max can change at run time without touching a backend.
 *
 * A backend holds three kinds of slot: free, reserved (allocated, task not
 * yet installed: the kernel's idr_alloc(NULL) before idr_replace) and
 * present.  lookup() and next() never return reserved slots, so a reader
 * can never see a half-built task.
 */
#ifndef PROCSIM_PIDSTORE_H
#define PROCSIM_PIDSTORE_H

#include <stddef.h>
#include <stdbool.h>

#define PID_MAX_DEFAULT	32768
#define PID_MAX_LIMIT	4194304		/* 4M, the x86-64 ceiling */
#define RESERVED_PIDS	300

struct task;

struct pid_store_ops {
	const char *name;
	const char *desc;		/* one line, for config and --help */
	void *(*create)(void);		/* NULL on ENOMEM */
	void (*destroy)(void *priv);
	/* First pid in [from, to) that is neither reserved nor present, or -1. */
	int (*find_free)(void *priv, int from, int to);
	/* Mark @pid used, with @t (which may be NULL: reserved).  0 or -ENOMEM. */
	int (*insert)(void *priv, int pid, struct task *t);
	/* Replace the entry of a used pid; never allocates. */
	void (*replace)(void *priv, int pid, struct task *t);
	/* Make @pid free again. */
	void (*remove)(void *priv, int pid);
	/* The task at @pid, or NULL when free or only reserved. */
	struct task *(*lookup)(void *priv, int pid);
	/* Smallest present pid >= @from (its task in *@t), or -1. */
	int (*next)(void *priv, int from, struct task **t);
	/*
	 * Optional: like next() but only thread-group leaders.  A NULL hook
	 * means the backend has no leader index; pid_store_next_leader() then
	 * walks next() and skips the threads, as the kernel's readdir does.
	 */
	int (*next_leader)(void *priv, int from, struct task **t);
	/* Optional: tell the backend whether a present pid leads its group. */
	void (*set_leader)(void *priv, int pid, bool leader);
	/* Bytes the backend holds for its own structure (not the tasks). */
	size_t (*mem_bytes)(void *priv);
};

struct pid_store {
	const struct pid_store_ops *ops;
	void *priv;
	int last_pid;		/* cursor: the last pid handed out */
	int pid_max;		/* pids are < pid_max */
	unsigned long nr_used;	/* reserved + present */
	int *reserved;		/* pids allocated but not installed yet */
	int nr_reserved, reserved_cap;
};

/* The registry: NULL-terminated, in the order --help lists them. */
extern const struct pid_store_ops *const pid_store_backends[];
const struct pid_store_ops *pid_store_find_ops(const char *name);

int pid_store_init(struct pid_store *s, const struct pid_store_ops *ops,
		   int pid_max);
void pid_store_destroy(struct pid_store *s);

/*
 * alloc_pid's policy: the first free pid after last_pid, wrapping to
 * RESERVED_PIDS (or 1, before the first wrap) at pid_max.  The slot is
 * reserved; pid_store_install() publishes the task.  -EAGAIN when full.
 */
int pid_store_alloc(struct pid_store *s, int *pid);
/*
 * Reserve a given pid (restore).  -EEXIST if used, -EINVAL outside
 * 1..PID_MAX_LIMIT-1: pid_max bounds only new pids, and Linux lets it be
 * lowered below live ones, which a saved world then holds.
 */
int pid_store_alloc_at(struct pid_store *s, int pid);
void pid_store_install(struct pid_store *s, int pid, struct task *t);
void pid_store_free(struct pid_store *s, int pid);
struct task *pid_store_lookup(const struct pid_store *s, int pid);
int pid_store_next(const struct pid_store *s, int from, struct task **t);
int pid_store_next_leader(const struct pid_store *s, int from, struct task **t);
/* Move every entry into a store of another backend; the cursor is kept. */
int pid_store_switch(struct pid_store *s, const struct pid_store_ops *ops);

#endif
