/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proto.h - uring-proto's synthetic tree and the transports that serve it.
 *
 * The tree stands in for a /proc of N processes: the root holds
 * directories "0".."N-1", each with one ~300-byte file "stat", plus
 * ".count", whose content is the request counters (requests on .count
 * itself are not counted, so a driver can read it around a measured pass).
 * Node ids: root 1, directory i 2+2i, its stat 3+2i, .count 2+2N.
 *
 * Both transports hand each request to tree_answer() and send back what it
 * wrote, so they serve identical bytes and differ only in how requests
 * travel.
 */
#ifndef URING_PROTO_PROTO_H
#define URING_PROTO_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fuse_uring_uapi.h"

#define PROTO_MAX_WRITE	(128 * 1024)	/* INIT's max_write and max_pages * 4 KiB */
#define PROTO_NOREPLY	1		/* tree_answer(): FORGET and the like */

struct tree_config {
	unsigned dirs;		/* N */
	double timeout;		/* entry and attr validity, seconds */
	bool direct_io;		/* stat files bypass the page cache */
	unsigned work_us;	/* spin this long per counted request (the
				   daemon's own CPU cost, issue 16: ~16 µs) */
};

/* Counters, by what ps-like readers cause.  Relaxed atomics. */
enum proto_stat {
	ST_LOOKUP, ST_GETATTR, ST_OPEN, ST_READ, ST_RELEASE, ST_READDIR,
	ST_OTHER,
	ST_RING,	/* of the above, how many came through a ring queue */
	ST_NR
};

void tree_init(const struct tree_config *cfg);

/* The calling thread serves a ring queue: its requests count in ST_RING. */
void tree_thread_is_ring(void);

/*
 * tree_answer - answer one request.
 * @in:      its fuse_in_header.
 * @arg:     its fixed per-opcode argument (fuse_read_in, ...).
 * @payload: its variable argument (a LOOKUP's name).  For /dev/fuse, @arg
 *           and @payload are both the bytes after @in: LOOKUP has no fixed
 *           argument.
 * @out:     where the reply's body goes, @cap bytes (>= PROTO_MAX_WRITE).
 *
 * Returns the body's length, -errno for an error reply, or PROTO_NOREPLY.
 * Context: any thread; no locks, no blocking.
 */
int tree_answer(const struct fuse_in_header *in, const void *arg,
		const void *payload, void *out, size_t cap);

/* The content of directory @i's stat file into @buf (>= 512 bytes). */
int tree_render_stat(unsigned i, char *buf, size_t cap);

/* Transports: serve the mounted /dev/fuse @fd until it is unmounted. */
struct serve_config {
	int fd;
	unsigned threads;	/* dev: worker threads */
	unsigned spin_us;	/* dev: poll /dev/fuse (O_NONBLOCK) this long
				   before sleeping in poll(); 0: blocking read */
	int cpu;		/* dev: pin the workers to this CPU, -1: don't,
				   CPU_EACH: worker i to CPU i mod CPUs */
	unsigned depth;		/* uring: entries per queue */
	bool defer_taskrun;	/* uring: IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN */
};

int dev_serve(const struct serve_config *sc);

/*
 * uring_start - register the ring queues, one pinned thread per possible
 * CPU, each with @sc->depth entries.  Returns 0 once every queue has
 * submitted its REGISTER commands, or -errno with a one-line reason printed.
 * uring_wait - join the queue threads (after the unmount); 0 or -errno.
 */
int uring_start(const struct serve_config *sc);
int uring_wait(void);

#define CPU_EACH	(-2)

/* Pin the calling thread to @cpu; prints why not. */
int pin_to_cpu(int cpu);

#endif
