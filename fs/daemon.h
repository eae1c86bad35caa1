/* SPDX-License-Identifier: MIT */
/*
 * The daemon's set-up around fs/main.c: its mount points (daemon_mount.c)
 * and its FUSE sessions' loops (daemon_session.c).  Daemon only: none of
 * this is in the procsim_fs library.
 */
#ifndef PROCSIM_DAEMON_H
#define PROCSIM_DAEMON_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include "procfs.h"

/* Refuse a mount point that is stale or already serving procsim: 0 or -1. */
int check_mountpoint(const char *mnt);
/* Lazily unmount @path: umount2 as root, else fusermount3 as its owner. */
void detach_mount(const char *path);
/* Take down the control mounts of dead daemons under @dir. */
void sweep_stale_control_mounts(const char *dir);

/* Run a session's loop, multithreaded unless -s. */
int run_loop(struct fuse_session *se, const struct fuse_cmdline_opts *cmd);

/* The control session's loop, in a thread of its own. */
struct control_loop {
	struct fuse_session *se;
	const struct fuse_cmdline_opts *cmd;
	pthread_t thread;
};

/*
 * Make and mount the control session (see struct procfs_session) on a
 * fresh directory, fs->control_path; NULL (with a message) on failure.
 */
struct fuse_session *control_new(struct procfs *fs, const char *prog,
				 bool allow_other, bool debug);
/* Start @c's loop; 0 or an errno. */
int control_start(struct control_loop *c);
/* End @c's loop (if @started), unmount and remove its directory. */
void control_stop(struct procfs *fs, struct control_loop *c, bool started);

#endif
