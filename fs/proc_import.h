/* SPDX-License-Identifier: MIT */
/* Import a /proc tree (the host's, or a procsim-snap copy): docs/import.md. */
#ifndef PROCSIM_PROC_IMPORT_H
#define PROCSIM_PROC_IMPORT_H

#include "kernel.h"
#include "snapshot.h"

/* Bounds on what import reads: a bigger file is refused with -EFBIG. */
#define IMPORT_SMALL_MAX	(64UL << 10)	/* stat, status, uptime */
#define IMPORT_ARGS_MAX		(4UL << 20)	/* cmdline, environ */
#define IMPORT_MAPS_MAX		(256UL << 20)	/* smaps of 65530 VMAs */
#define IMPORT_TOTAL_MAX	(4ULL << 30)	/* every file together */

#define IMPORT_SUMMARY_LEN	400

/* The name of the manifest procsim-snap writes: its presence makes a
 * missing stat, status or cmdline an error ("truncated snapshot") rather
 * than a process that exited while read. */
#define IMPORT_SNAP_MANIFEST	"procsim-snap"

/*
 * Replace @k's world with the process table of the /proc tree at @path.
 * Every file is read and parsed, and the new world built, with no lock
 * held; only the swap takes k->lock for writing.  @own as
 * snapshot_load_file's (-EXDEV).  On success a one-line summary of what
 * was handled (orphans, vanished, unreadable, each with its reason) in
 * @summary.  On error -errno with a one-line reason in @why (-ENOENT,
 * -EACCES, -ENOTDIR for DIR itself; -EINVAL for a bad or truncated tree;
 * -EFBIG over a bound; -ENOMEM) and @k unchanged.
 * Context: as snapshot_load_file().
 */
int proc_import_dir(struct kernel *k, const char *path, const char *const *own,
		    char why[SNAPSHOT_WHY_LEN],
		    char summary[IMPORT_SUMMARY_LEN]);

/* -o import=DIR: proc_import_dir at boot, its summary or reason on stderr. */
int proc_import_at_start(struct kernel *k, const char *path);

#endif
