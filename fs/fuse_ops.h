/* SPDX-License-Identifier: MIT */
#ifndef PROCSIM_FUSE_OPS_H
#define PROCSIM_FUSE_OPS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

/* The daemon's operations; userdata is the struct procfs. */
extern const struct fuse_lowlevel_ops procsim_ll_ops;

#endif
