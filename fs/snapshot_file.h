/* SPDX-License-Identifier: MIT */
/* Save and restore to a file: the I/O around core/snapshot.c. */
#ifndef PROCSIM_SNAPSHOT_FILE_H
#define PROCSIM_SNAPSHOT_FILE_H

#include "kernel.h"
#include <sys/types.h>
#include "snapshot.h"

/*
 * The largest snapshot file save writes and load reads: 4 GiB, about 1.7
 * million tasks at ~2.4 KB a task.  A bigger file is refused by its size
 * (EFBIG) before a byte of it is read; a foreign one by its 12-byte head.
 */
#define SNAPSHOT_FILE_MAX	(4ULL << 30)

/*
 * Both take @own, a NULL-terminated list of the daemon's mount points
 * (NULL: none, as at boot): a path in one of them, by name or by device
 * (through a symlink or a bind mount), is refused with -EXDEV.  0 or
 * -errno, with a one-line reason in @why; on error the world is unchanged.
 */

/*
 * Write @k's world to @path: encoded under k->lock held for reading, then
 * written with no lock to a new "@path.tmp.XXXXXX" (O_EXCL: never a file
 * someone planted), fsynced, renamed over @path, and the directory fsynced.
 * An existing @path that is not a regular file (a symlink, a device, a
 * FIFO: -EINVAL; a directory: -EISDIR) is refused; so is a snapshot over
 * SNAPSHOT_FILE_MAX (-EFBIG), which load would refuse.
 * Context: takes k->lock; the caller must not hold it.
 */
int snapshot_save_file(struct kernel *k, const char *path,
		       const char *const *own, char why[SNAPSHOT_WHY_LEN]);
/*
 * Load @path into @k.  Opened without blocking (a FIFO or a device is
 * refused unopened), its size and head checked before the rest is read;
 * read, checked and built into a new world with no lock; only the swap
 * takes k->lock for writing.  -ENOENT/-EACCES/… from the file, -EINVAL for
 * a bad snapshot or a non-regular file, -EFBIG over SNAPSHOT_FILE_MAX.
 * Context: the caller must not hold k->lock, and must keep other commands
 * from running meanwhile (kernel_load_prepare()).
 */
int snapshot_load_file(struct kernel *k, const char *path,
		       const char *const *own, char why[SNAPSHOT_WHY_LEN]);

/*
 * The check above, for other readers of paths (import): -EXDEV with the
 * reason in @why if @path (lexically) or @fd (>= 0: by its device) is in
 * one of @own.
 */
int snapshot_check_own(const char *const *own, const char *path, int fd,
		       char why[SNAPSHOT_WHY_LEN]);

/*
 * The opening both load and replay use: @path for reading only if it is a
 * regular file outside @own of at most @max bytes (-EFBIG), checked on an
 * O_PATH descriptor first, which opens no device and no FIFO, then opened
 * O_NONBLOCK and checked to be the same file.  Its size in *@size; the fd,
 * or -errno with the reason in @why (SNAPSHOT_WHY_LEN bytes).
 */
int file_open_regular(const char *path, const char *const *own,
		      unsigned long long max, off_t *size, char *why);
/* read() until @n bytes or EOF; the count in *@got.  0 or -errno. */
int read_full(int fd, char *p, size_t n, size_t *got);
/* -@err, with the reason printed into @why (SNAPSHOT_WHY_LEN bytes). */
int why_fail(char *why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
