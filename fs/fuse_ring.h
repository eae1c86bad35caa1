/* SPDX-License-Identifier: MIT */
/*
 * FUSE over io_uring, the ring side (Linux 6.14+, fuse module parameter
 * enable_uring=Y, FUSE_OVER_IO_URING accepted in the INIT reply): one
 * queue per possible CPU, each served by a thread pinned to that CPU with
 * its own io_uring and @depth entries.  A completion brings a request in
 * an entry; the server writes the reply in place and one
 * COMMIT_AND_FETCH sends it and waits for the next request.  What a
 * request means is the caller's: this file only moves entries.
 * docs/transport.md has the protocol step by step.
 *
 * Used by the daemon (fs/fuse_transport_uring.c) and by
 * tools/uring-proto's synthetic server.
 */
#ifndef PROCSIM_FUSE_RING_H
#define PROCSIM_FUSE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "fuse_uring_uapi.h"

/* One ring entry: a request's headers and payload, then its reply's. */
struct fuse_ring_ent {
	struct fuse_uring_req_header *hdr;
	void *payload;			/* payload_sz bytes (the ring's) */
	struct iovec iov[2];
	uint64_t commit_id;
};

struct fuse_ring_config {
	int fd;				/* the connection's /dev/fuse */
	unsigned depth;			/* entries per queue, >= 1 */
	/*
	 * Each entry's payload buffer: at least the connection's largest
	 * payload, max(8 KiB, INIT's max_write, max_pages * page size).
	 */
	size_t payload_sz;
	bool defer_taskrun;		/* IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN */
	const char *prog;		/* prefix of the messages it prints */
	/*
	 * Answer the request in @ent: fuse_ring_reply() or equivalent.
	 * Context: the queue's own thread, pinned to CPU @qid; may block.
	 */
	void (*answer)(struct fuse_ring_ent *ent, unsigned qid, void *arg);
	/* Called once in each queue's thread before it registers; may be NULL. */
	void (*thread_init)(unsigned qid, void *arg);
	void *arg;
};

struct fuse_ring;

/*
 * fuse_ring_start - start one thread per possible CPU (the kernel's
 * num_possible_cpus()), each registering @cfg->depth entries.  Only after
 * the INIT reply carrying FUSE_OVER_IO_URING was written: before, the
 * kernel refuses REGISTER (-EAGAIN).  Returns once every queue has
 * submitted its REGISTER commands: 0, or -errno with the reason printed.
 * On failure the ring may never become ready, and requests wait for it in
 * the kernel: the caller must then abort the connection.  Either way,
 * when *@rp is set, fuse_ring_wait() it after the connection ended.
 */
int fuse_ring_start(const struct fuse_ring_config *cfg, struct fuse_ring **rp);

/*
 * fuse_ring_wait - join the queue threads, which end when the connection
 * does (unmount or abort), and free @r.  0, or the first queue's -errno.
 */
int fuse_ring_wait(struct fuse_ring *r);

/*
 * fuse_ring_reply - the reply to @ent's request: @error (0 or -errno) and
 * @len bytes of body already in @ent->payload.
 */
void fuse_ring_reply(struct fuse_ring_ent *ent, int error, size_t len);

/*
 * fuse_conn_of - the id of the FUSE connection mounted on @mnt (the device
 * minor in /proc/self/mountinfo, which names its /sys/fs/fuse/connections
 * directory), without touching the mount.  0 or -errno.
 * fuse_conn_abort - abort connection @id: every waiter then fails with
 * ECONNABORTED instead of hanging.  0 or -errno (-ENOENT: it is gone).
 */
int fuse_conn_of(const char *mnt, unsigned *id);
int fuse_conn_abort(unsigned id);

/* The request in @ent: its header (copied out: the reply overwrites it). */
static inline struct fuse_in_header fuse_ring_in(const struct fuse_ring_ent *ent)
{
	return *(const struct fuse_in_header *)ent->hdr->in_out;
}

/* Bytes of the request's variable argument in @ent->payload. */
static inline uint32_t fuse_ring_payload_len(const struct fuse_ring_ent *ent)
{
	return ent->hdr->ring_ent_in_out.payload_sz;
}

#endif
