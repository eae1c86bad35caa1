/* SPDX-License-Identifier: MIT */
#ifndef PROCSIM_FUSE_OPS_H
#define PROCSIM_FUSE_OPS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <stdbool.h>

struct procfs;

/* The daemon's operations; userdata is a struct procfs_session. */
extern const struct fuse_lowlevel_ops procsim_ll_ops;

/*
 * Stopping: refuse new opens of ctl (ESHUTDOWN) and wait for the open ones
 * to close, so that a command already written (a save at SIGTERM) and its
 * reply finish before the control mount goes: up to @idle_s while no
 * command runs, up to @busy_s in all.  The control session must still be
 * serving.  False if some stayed open.
 */
bool procfs_ctl_drain(double idle_s, double busy_s);

#endif
