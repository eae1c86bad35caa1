/* SPDX-License-Identifier: MIT */
/* Save and restore to a file: the I/O around core/snapshot.c. */
#ifndef PROCSIM_SNAPSHOT_FILE_H
#define PROCSIM_SNAPSHOT_FILE_H

#include "kernel.h"
#include "snapshot.h"

/*
 * Write @k's world to @path atomically: @path.tmp, fsync, rename, fsync of
 * the directory.  Caller holds k->lock (read or write).  0 or -errno, with
 * a one-line reason in @why.
 */
int snapshot_save_file(const struct kernel *k, const char *path,
		       char why[SNAPSHOT_WHY_LEN]);
/*
 * Read @path fully and load it into @k (caller holds k->lock for writing).
 * -ENOENT/-EACCES/… from the file, -EINVAL for a bad snapshot (reason in
 * @why); on error @k is unchanged.
 */
int snapshot_load_file(struct kernel *k, const char *path,
		       char why[SNAPSHOT_WHY_LEN]);

#endif
