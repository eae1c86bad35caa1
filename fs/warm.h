/* SPDX-License-Identifier: MIT */
/*
 * Warming the kernel's page cache after the world is replaced (populate,
 * load, import; -o warm=on|off): a background thread reads, through the
 * mount itself, the /proc/<pid> files that ps, top and pstree read, so the
 * next cold run finds them in the page cache instead of making a LOOKUP
 * and a READ round trip per file (docs/serving.md).  notify_store cannot
 * do this: it only stores into inodes the kernel already has.
 *
 * The thread holds no lock of ours across its I/O: its reads are requests
 * like any reader's, served by the session's loop.  It only runs with
 * cache=on (with cache=off the kernel keeps nothing).
 */
#ifndef PROCSIM_WARM_H
#define PROCSIM_WARM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"

struct warm {
	pthread_mutex_t lock;		/* gen, stop, cond */
	pthread_cond_t cond;
	pthread_t thread;
	_Atomic bool started;		/* read by ctl and stats threads */
	bool stop;			/* shutdown: the thread leaves */
	uint64_t gen;			/* bumped by each warm_kick() */
	const char *root;		/* the mount point, absolute */
	/* Progress, for /proc/procsim/stats; written by the thread only. */
	_Atomic uint64_t runs, pids_done, pids_total, files, bytes;
	_Atomic uint64_t last_ms;	/* the last finished run's wall time */
	_Atomic int state;		/* enum warm_state */
};

enum warm_state { WARM_OFF, WARM_IDLE, WARM_RUNNING, WARM_CANCELLED };

/*
 * Start the thread for the mount at @root (kept, not copied).  0 or an
 * errno; with an error the daemon serves on, unwarmed.
 * Context: once, before the first warm_kick(); no lock held.
 */
int warm_start(struct warm *w, const char *root);

/*
 * The world was replaced: (re)start warming it.  A run in progress stops
 * at its next file and starts over on the new world.  Never blocks on I/O.
 * Context: any thread, no lock required; a no-op before warm_start().
 */
void warm_kick(struct warm *w);

/*
 * Ask the thread to leave, without waiting: it stops at its next file.
 * Then warm_join() once the mount no longer serves (after unmount, so a
 * read in flight gets its answer or ENOTCONN and never hangs the join).
 * Context: the daemon's main thread, at shutdown.
 */
void warm_cancel(struct warm *w);
void warm_join(struct warm *w);

/* "warm STATE runs N pids DONE/TOTAL files N bytes N last_ms N\n". */
void warm_render(struct buf *b, struct warm *w);

#endif
