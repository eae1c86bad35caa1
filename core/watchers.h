/* SPDX-License-Identifier: MIT */
/*
 * Task watchers (Matt Helsley's 2006 series, seed 002): functions called
 * whenever a task forks, execs, changes its uid or gid, or exits.
 *
 * A subsystem marks a function as a watcher the way a module marks its
 * init function:
 *
 *	TASK_WATCHER(fork, 200, keys, keys_fork, keys_fork_undo);
 *
 * The macro puts a descriptor into the ELF section procsim_watch_<event>.<order>;
 * core/watchers.ld (linked into every program that links the core) sorts
 * those sections by name into one table per event, between
 * __start_procsim_watch_<event> and __stop_procsim_watch_<event>, inside the
 * RELRO segment: the dynamic loader makes it read-only before main().
 * ORDER is three decimal digits (100..999) so name order is number order.
 *
 * Three mechanisms call the same watchers in the same order, chosen at
 * boot (kernel_opts.watchers): "table" walks the sections, "chain" a
 * notifier chain (a locked list, registered at boot), "direct" explicit
 * calls as mainline copy_process/do_exit make; "none" calls nothing (the
 * benchmark's baseline: /proc/stat's processes then stays put).
 *
 * Only fork watchers may fail.  A failing fork watcher makes the fork
 * fail: the watchers that already ran are undone, newest first.
 */
#ifndef PROCSIM_WATCHERS_H
#define PROCSIM_WATCHERS_H

#include <stdbool.h>
#include "kernel.h"

enum watch_event { WATCH_FORK, WATCH_EXEC, WATCH_ID, WATCH_EXIT, WATCH_NR_EVENTS };

struct watch_info {
	enum watch_event event;
	struct task *task;		/* fork: the child */
	struct task *parent;		/* fork: the task that forked */
	bool gid;			/* id: a gid change, else a uid change */
	unsigned int old_id, new_id;	/* id */
	int code;			/* exit: the wait status */
};

typedef int (*watch_fn)(struct kernel *k, const struct watch_info *w);
typedef void (*watch_undo_fn)(struct kernel *k, const struct watch_info *w);

struct task_watcher {
	const char *name;
	int order;
	watch_fn fn;			/* 0 or, fork only, -errno */
	watch_undo_fn undo;		/* fork only: take back what fn did */
};

#define TASK_WATCHER_ALIGN	__alignof__(struct task_watcher)

/*
 * clang's ASan pads instrumented globals with redzones, which would break
 * the table's stride; gcc leaves globals in named sections alone.
 */
#if defined(__clang__)
#define TASK_WATCHER_NOSAN	__attribute__((no_sanitize("address")))
#else
#define TASK_WATCHER_NOSAN
#endif

#define TASK_WATCHER(event, ord, nm, f, u)				\
	_Static_assert((ord) >= 100 && (ord) <= 999, "order is 3 digits"); \
	const struct task_watcher watcher_##event##_##nm TASK_WATCHER_NOSAN \
	__attribute__((section("procsim_watch_" #event "." #ord), used,	\
		       aligned(TASK_WATCHER_ALIGN))) =			\
		{ .name = #nm, .order = (ord), .fn = (f), .undo = (u) }

/* Test hook: with k->watch_trace set, each watcher logs its calls. */
#define WATCH_TRACE_MAX	64
struct watch_trace {
	const char *call[WATCH_TRACE_MAX];	/* "acct", or "-acct" for an undo */
	int n;
};

static inline void watch_traced(struct kernel *k, const char *call)
{
	struct watch_trace *tr = k->watch_trace;

	if (tr && tr->n < WATCH_TRACE_MAX)
		tr->call[tr->n++] = call;
}

/* The sections' bounds, from core/watchers.ld. */
#define WATCH_SECTION_DECL(ev)						\
	extern const struct task_watcher __start_procsim_watch_##ev[];	\
	extern const struct task_watcher __stop_procsim_watch_##ev[]
WATCH_SECTION_DECL(fork);
WATCH_SECTION_DECL(exec);
WATCH_SECTION_DECL(id);
WATCH_SECTION_DECL(exit);

/* One mechanism: how the watchers of an event get called. */
struct watch_ops {
	const char *name;
	int (*init)(struct kernel *k);		/* NULL: nothing to set up */
	void (*destroy)(struct kernel *k);
	/* Call @w->event's watchers; a fork failure undoes those that ran. */
	int (*run)(struct kernel *k, const struct watch_info *w);
	/* Undo every fork watcher, newest first (rolling back a whole fork). */
	void (*undo)(struct kernel *k, const struct watch_info *w);
};

extern const struct watch_ops watch_table_ops, watch_chain_ops,
	watch_direct_ops, watch_none_ops;
extern const struct watch_ops *const watch_mechanisms[];	/* NULL-ended */
const struct watch_ops *watch_find_ops(const char *name);

/* The table of @ev: its first descriptor and the count. */
const struct task_watcher *watch_table(enum watch_event ev, size_t *n);

/* Set up the mechanism and the watchers' state; undone by watchers_destroy. */
int watchers_init(struct kernel *k, const char *mechanism);
void watchers_destroy(struct kernel *k);

/* The hooks the core calls. */
int watch_fork(struct kernel *k, struct task *parent, struct task *child);
void watch_fork_undo(struct kernel *k, struct task *parent, struct task *child);
void watch_exec(struct kernel *k, struct task *t);
void watch_id(struct kernel *k, struct task *t, bool gid, unsigned int old_id,
	      unsigned int new_id);
void watch_exit(struct kernel *k, struct task *t, int code);

/*
 * The watchers themselves (core/watch_*.c), named for the direct mechanism
 * and the chain's registration, as mainline names them in copy_process.
 */
int acct_fork(struct kernel *k, const struct watch_info *w);
void acct_fork_undo(struct kernel *k, const struct watch_info *w);
int acct_exit(struct kernel *k, const struct watch_info *w);
int keys_fork(struct kernel *k, const struct watch_info *w);
void keys_fork_undo(struct kernel *k, const struct watch_info *w);
int keys_exit(struct kernel *k, const struct watch_info *w);
int fault_fork(struct kernel *k, const struct watch_info *w);
int audit_event(struct kernel *k, const struct watch_info *w);
void audit_undo(struct kernel *k, const struct watch_info *w);
int cnproc_event(struct kernel *k, const struct watch_info *w);
void cnproc_undo(struct kernel *k, const struct watch_info *w);

/* Their descriptors, for the chain's registration at boot. */
extern const struct task_watcher watcher_fork_acct, watcher_exit_acct,
	watcher_fork_keys, watcher_exit_keys, watcher_fork_fault,
	watcher_fork_audit, watcher_exec_audit, watcher_id_audit,
	watcher_exit_audit, watcher_fork_cnproc, watcher_exec_cnproc,
	watcher_id_cnproc, watcher_exit_cnproc;

/* The watchers' state, created and freed with the kernel. */
int keys_init(struct kernel *k);
void keys_destroy(struct kernel *k);
int audit_init(struct kernel *k);
void audit_destroy(struct kernel *k);
int cnproc_init(struct kernel *k);
/* A task's keyring for save and restore: false if it has none. */
bool keys_get(const struct task *t, unsigned int *uid, unsigned int *gid,
	      int *serial);
int keys_set(struct kernel *k, struct task *t, unsigned int uid,
	     unsigned int gid, int serial);
void cnproc_destroy(struct kernel *k);

#endif
