/* SPDX-License-Identifier: MIT */
/*
 * Who is calling: FUSE hands us the calling thread's id as the daemon's pid
 * namespace sees it.  Tools usually run in a pid namespace of their own
 * (tools/procsim-run), so /proc/self must name the pid the tool itself
 * sees: the host's /proc/<tid>/status says it (the last NStgid/NSpid field).
 */
#ifndef PROCSIM_CALLER_H
#define PROCSIM_CALLER_H

#include <sys/types.h>

/* The caller's tgid and tid in its own pid namespace; -ESRCH if unknown. */
int caller_ids(pid_t host_tid, int *tgid, int *tid);
/* The caller's comm (for its synthesised /proc/<pid>), "?" if unknown. */
void caller_comm(pid_t host_tid, char *comm, size_t size);

struct preq;
/* The pid request @r's caller sees itself by (and its tid in *@tid), or -1. */
int caller_tgid(const struct preq *r, int *tid);
/*
 * A stand-in task for a caller that is not a simulated process, seen as
 * @pid: the calling thread's own slot, valid until its next call.
 */
struct task *caller_synth(const struct preq *r, int pid);

#endif
