/* SPDX-License-Identifier: MIT */
#ifndef PROCSIM_FUSE_OPS_H
#define PROCSIM_FUSE_OPS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

struct procfs;

/* The daemon's operations; userdata is a struct procfs_session. */
extern const struct fuse_lowlevel_ops procsim_ll_ops;

/* The daemon state behind a request, whichever session it came through. */
struct procfs *procfs_of(fuse_req_t req);

#endif
