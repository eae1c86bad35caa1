/* SPDX-License-Identifier: MIT */
/*
 * Parsers of a real /proc's per-task files, for import (docs/import.md):
 * stat, status and maps/smaps into core/import.h's records.  Pure: bytes
 * in, a record or a one-line reason out; no I/O, so the unit tests and the
 * fuzz harness (tests/fuzz/fuzz_proc_parse.c) call them on any input.
 */
#ifndef PROCSIM_PROC_PARSE_H
#define PROCSIM_PROC_PARSE_H

#include <stddef.h>
#include "import.h"

#define PROC_PARSE_WHY_LEN	80

/*
 * /proc/<pid>/stat: pid, comm (between the first '(' and the last ')'),
 * state, ppid (ignored: status' PPid is used), pgrp, session, tty_nr,
 * tpgid, flags, faults, utime, stime, nice, starttime, processor,
 * rt_priority, policy and, where the line has them (Linux 3.5+), the mm's
 * start_data .. env_end.  0, or -EINVAL with the reason in @why.
 */
int proc_parse_stat(const char *buf, size_t len, struct import_task *r,
		    char why[PROC_PARSE_WHY_LEN]);
/*
 * /proc/<pid>/status: Tgid, PPid, Uid and Gid (four each) are required;
 * VmLck and the context-switch counts are read if present.
 */
int proc_parse_status(const char *buf, size_t len, struct import_task *r,
		      char why[PROC_PARSE_WHY_LEN]);
/*
 * /proc/<pid>/maps or smaps: every VMA, in order, into *@vmas (malloc'd,
 * *@nr of them); names strdup'd (free them with proc_free_vmas).  smaps'
 * "Rss:" gives rss_pages; plain maps leaves it 0.  [vsyscall] (the gate
 * page above TASK_SIZE, which is no VMA of the mm) is skipped.  At most
 * @max VMAs (-E2BIG beyond).  0, -EINVAL with @why, -ENOMEM.
 */
int proc_parse_maps(const char *buf, size_t len, size_t max,
		    struct import_vma **vmas, size_t *nr,
		    char why[PROC_PARSE_WHY_LEN]);
void proc_free_vmas(struct import_vma *vmas, size_t nr);
/* /proc/uptime's first number, in USER_HZ ticks. */
int proc_parse_uptime(const char *buf, size_t len, unsigned long long *ticks,
		      char why[PROC_PARSE_WHY_LEN]);

#endif
