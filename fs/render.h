/* SPDX-License-Identifier: MIT */
/*
 * Renderers: pure functions from core state to the bytes of one /proc file,
 * in the format of Linux 6.x (see shared/PROC_SPEC.md).  They take the
 * kernel's read lock as given, print into a struct buf, and never fail but
 * for ENOMEM (buf->oom).  The seq_file show functions of the kernel, one per
 * file, are the model.
 */
#ifndef PROCSIM_RENDER_H
#define PROCSIM_RENDER_H

#include <stdbool.h>
#include "buf.h"
#include "kernel.h"

struct render_ctx {
	const struct kernel *k;
	unsigned long long now;		/* ticks since boot (kernel_now) */
	long long btime;		/* boot time, seconds since the epoch */
};

/*
 * Per-task files.  @t is the task the path names.  @whole is true for
 * /proc/<tgid>/… (the process view: times summed over the threads, as the
 * kernel's do_task_stat(whole=1)) and false for …/task/<tid>/….
 */
typedef void (*task_render_fn)(struct buf *b, const struct render_ctx *c,
			       const struct task *t, bool whole);

void render_tid_stat(struct buf *b, const struct render_ctx *c,
		     const struct task *t, bool whole);
void render_tid_status(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole);
void render_tid_statm(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole);
void render_tid_cmdline(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole);
void render_tid_environ(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole);
void render_tid_comm(struct buf *b, const struct render_ctx *c,
		     const struct task *t, bool whole);
void render_tid_wchan(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole);
void render_tid_maps(struct buf *b, const struct render_ctx *c,
		     const struct task *t, bool whole);
void render_tid_smaps(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole);
void render_tid_cgroup(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole);

/* Global files. */
typedef void (*global_render_fn)(struct buf *b, const struct render_ctx *c);

void render_uptime(struct buf *b, const struct render_ctx *c);
void render_loadavg(struct buf *b, const struct render_ctx *c);
void render_stat(struct buf *b, const struct render_ctx *c);
void render_meminfo(struct buf *b, const struct render_ctx *c);
void render_cpuinfo(struct buf *b, const struct render_ctx *c);
void render_vmstat(struct buf *b, const struct render_ctx *c);
void render_version(struct buf *b, const struct render_ctx *c);
void render_pid_max(struct buf *b, const struct render_ctx *c);
void render_osrelease(struct buf *b, const struct render_ctx *c);

#endif
