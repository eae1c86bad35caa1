/* SPDX-License-Identifier: MIT */
/*
 * The files the common /proc clients beyond procps read (issue 15): global
 * files of fs/render_sys.c, fs/render_slabinfo.c and fs/render_net.c, and
 * the per-task files of fs/render_task_extra.c.  Same contract as render.h.
 */
#ifndef PROCSIM_RENDER_CLIENTS_H
#define PROCSIM_RENDER_CLIENTS_H

#include "render.h"

/*
 * The softirq counts of /proc/stat (fs/render_global.c), which softirqs
 * splits over the CPUs: HI TIMER NET_TX NET_RX BLOCK IRQ_POLL TASKLET
 * SCHED HRTIMER RCU.
 */
void softirq_totals(unsigned long long now, int ncpu, unsigned long long v[10]);

/* fs/render_sys.c */
void render_interrupts(struct buf *b, const struct render_ctx *c);
void render_softirqs(struct buf *b, const struct render_ctx *c);
void render_filesystems(struct buf *b, const struct render_ctx *c);
void render_diskstats(struct buf *b, const struct render_ctx *c);
void render_partitions(struct buf *b, const struct render_ctx *c);
void render_swaps(struct buf *b, const struct render_ctx *c);
void render_cmdline(struct buf *b, const struct render_ctx *c);
void render_buddyinfo(struct buf *b, const struct render_ctx *c);
void render_zoneinfo(struct buf *b, const struct render_ctx *c);
void render_tty_drivers(struct buf *b, const struct render_ctx *c);
void render_psi_cpu(struct buf *b, const struct render_ctx *c);
void render_psi_io(struct buf *b, const struct render_ctx *c);
void render_psi_memory(struct buf *b, const struct render_ctx *c);

/* Sysctls under /proc/sys (fs/render_sys.c). */
void render_sysctl_zero(struct buf *b, const struct render_ctx *c);
void render_sysctl_one(struct buf *b, const struct render_ctx *c);
void render_sysctl_ostype(struct buf *b, const struct render_ctx *c);
void render_sysctl_version(struct buf *b, const struct render_ctx *c);
void render_sysctl_hostname(struct buf *b, const struct render_ctx *c);
void render_sysctl_domainname(struct buf *b, const struct render_ctx *c);
void render_sysctl_threads_max(struct buf *b, const struct render_ctx *c);
void render_sysctl_ngroups_max(struct buf *b, const struct render_ctx *c);
void render_sysctl_cap_last_cap(struct buf *b, const struct render_ctx *c);
void render_sysctl_randomize(struct buf *b, const struct render_ctx *c);
void render_sysctl_max_map_count(struct buf *b, const struct render_ctx *c);
void render_sysctl_overcommit_ratio(struct buf *b, const struct render_ctx *c);
void render_sysctl_swappiness(struct buf *b, const struct render_ctx *c);
void render_sysctl_min_free_kbytes(struct buf *b, const struct render_ctx *c);
void render_sysctl_dirty_ratio(struct buf *b, const struct render_ctx *c);
void render_sysctl_dirty_bg_ratio(struct buf *b, const struct render_ctx *c);
void render_sysctl_page_cluster(struct buf *b, const struct render_ctx *c);
void render_sysctl_vfs_cache_pressure(struct buf *b, const struct render_ctx *c);
void render_sysctl_file_max(struct buf *b, const struct render_ctx *c);
void render_sysctl_file_nr(struct buf *b, const struct render_ctx *c);
void render_sysctl_nr_open(struct buf *b, const struct render_ctx *c);

/* fs/render_slabinfo.c: caches sized from the simulation's own objects. */
void render_slabinfo(struct buf *b, const struct render_ctx *c);

/* fs/render_net.c: the files of /proc/<pid>/net, the sockets of its netns. */
void render_tid_net_dev(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole);
void render_tid_net_tcp(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole);
void render_tid_net_tcp6(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole);
void render_tid_net_udp(struct buf *b, const struct render_ctx *c,
			const struct task *t, bool whole);
void render_tid_net_udp6(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole);
void render_tid_net_unix(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole);

/* fs/render_task_extra.c */
void render_tid_io(struct buf *b, const struct render_ctx *c,
		   const struct task *t, bool whole);
void render_tid_limits(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole);
void render_tid_oom_score(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole);
void render_tid_oom_score_adj(struct buf *b, const struct render_ctx *c,
			      const struct task *t, bool whole);
void render_tid_loginuid(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole);
void render_tid_sessionid(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole);
void render_tid_autogroup(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole);
void render_tid_schedstat(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole);
void render_tid_stack(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole);
void render_tid_mounts(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole);
void render_tid_mountinfo(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole);
void render_tid_smaps_rollup(struct buf *b, const struct render_ctx *c,
			     const struct task *t, bool whole);
/* /proc/<pid>/fdinfo/<fd>; nothing if @t has no such fd. */
void render_fdinfo(struct buf *b, const struct render_ctx *c,
		   const struct task *t, int fd);

#endif
