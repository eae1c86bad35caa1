/* SPDX-License-Identifier: MIT */
/*
 * /proc/procsim/events over FUSE: a read with nothing to say is parked
 * (its fuse_req_t kept) and answered when events arrive, so no FUSE
 * worker thread ever waits; poll/select are supported.
 */
#ifndef PROCSIM_FUSE_EVENTS_H
#define PROCSIM_FUSE_EVENTS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include "procfs.h"

void fuse_events_open(fuse_req_t req, struct fuse_file_info *fi);
void fuse_events_read(fuse_req_t req, size_t size, struct fuse_file_info *fi);
void fuse_events_release(fuse_req_t req, struct fuse_file_info *fi);
/* The poll op for every file: only the events file ever waits. */
void fuse_events_poll(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi, struct fuse_pollhandle *ph);
/* New events may be in the ring: answer parked reads, wake pollers. */
void fuse_events_wake(struct procfs *fs);
/* The session is over: parked reads get end of file. */
void fuse_events_shutdown(void);

#endif
