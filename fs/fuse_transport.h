/* SPDX-License-Identifier: MIT */
/*
 * How the /proc tree's requests travel (-o transport=uring|dev).
 *
 * dev: libfuse's loop reads /dev/fuse and writes the replies.
 * uring: FUSE over io_uring (fs/fuse_ring.c): the same libfuse session
 * and the same handlers (fs/fuse_ops.c, fs/procfs_req.c), but its INIT
 * reply also asks for FUSE_OVER_IO_URING, and once the kernel agrees,
 * requests arrive in ring entries on the caller's CPU and are answered
 * in place, one io_uring_enter() per request.  /dev/fuse stays open for
 * what the kernel still sends there (FORGET, INTERRUPT) and for
 * notifications (fuse_lowlevel_notify_*), which the kernel accepts only
 * as /dev/fuse writes.  The control connection always uses /dev/fuse.
 */
#ifndef PROCSIM_FUSE_TRANSPORT_H
#define PROCSIM_FUSE_TRANSPORT_H

#define FUSE_USE_VERSION 312
#include <stdbool.h>
#include <fuse_lowlevel.h>

/* The command that lets the kernel serve FUSE over io_uring (as root). */
#define FUSE_URING_ENABLE_CMD \
	"echo Y > /sys/module/fuse/parameters/enable_uring"

/*
 * Why transport=uring cannot serve this daemon's /proc tree, or NULL.
 * @cache: -o cache=on (with cache=off the tree also holds the events
 * file, whose parked reads are answered from other threads, which a ring
 * entry cannot be).  Reads the fuse module's enable_uring and changes
 * nothing: the daemon never changes host settings.
 */
const char *fuse_uring_unavailable(bool cache);

/*
 * fuse_transport_choose - -o transport=uring for the mounted @se: the ring
 * where the kernel allows it (fuse_uring_attach, and no clone_fd), else
 * /dev/fuse with one line on stderr saying why and how to allow it.
 */
void fuse_transport_choose(struct fuse_session *se, struct fuse_cmdline_opts *cmd,
			   bool cache);

/*
 * fuse_uring_attach - serve @se over io_uring from its INIT on.
 * @se: mounted on @mnt (a path as /proc/self/mountinfo names it), its
 *      loop not started yet; its loop must not use clone_fd.
 * Should the kernel not offer FUSE_OVER_IO_URING at INIT after all, one
 * line says so and everything stays on /dev/fuse.  Should the ring fail
 * to start, the connection is aborted (its readers get ECONNABORTED
 * instead of waiting for a ring that never comes) and the loop ends.
 * Returns 0 or -errno.
 */
int fuse_uring_attach(struct fuse_session *se, const char *mnt);

/*
 * fuse_uring_detach - after the session's loop ended and its unmount:
 * end the connection (the rings hold /dev/fuse open, so closing the fd
 * would not), join the ring's threads, and print how many requests the
 * ring served.
 */
void fuse_uring_detach(void);

#endif
