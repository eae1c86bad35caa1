// SPDX-License-Identifier: MIT
/* The control directory's read-only files: config and stats; trace control. */
#include <errno.h>
#include "procfs.h"
#include "watchers.h"

void procfs_render_config(struct buf *b, const struct procfs *fs)
{
	const struct kernel *k = &fs->k;

	buf_printf(b, "pidstore %s\n", k->pids.ops->name);
	buf_printf(b, "pid_max %d\n", k->pids.pid_max);
	buf_printf(b, "max_map_count %d\n", k->max_map_count);
	buf_printf(b, "vmastore %s\n", k->mm_cfg.vma_ops->name);
	buf_printf(b, "forkdup %s\n", vma_forkdup_name(k->mm_cfg.forkdup));
	buf_printf(b, "mmap_layout %s\n", k->mm_cfg.legacy_layout ? "legacy" : "topdown");
	buf_printf(b, "wait %s\n", k->wait->name);
	buf_printf(b, "nr_cpus %d\n", k->nr_cpus);
	buf_printf(b, "mem_total_kb %lu\n", k->mem_total_kb);
	buf_printf(b, "cache %s\n", fs->cache ? "on" : "off");
	buf_printf(b, "ns_links %s\n", fs->ns_links ? "on" : "off");
	buf_printf(b, "watchers %s\n", k->watch->name);
	buf_printf(b, "ctl_lock %s\n", k->concurrent ? "fine" : "world");
	buf_printf(b, "entry_timeout %g\n", fs->entry_timeout);
	buf_printf(b, "attr_timeout %g\n", fs->attr_timeout);
	buf_printf(b, "warm %s\n", fs->warm.started ? "on" : "off");
}

void procfs_render_stats(struct buf *b, struct procfs *fs)
{
	const struct kernel *k = &fs->k;

	buf_printf(b, "tasks %lu\n", k->nr_tasks);
	buf_printf(b, "processes %lu\n", k->nr_processes);
	buf_printf(b, "threads %lu\n", k->nr_tasks - k->nr_processes);
	buf_printf(b, "running %lu\n", k->nr_running);
	buf_printf(b, "forks %lu\n", k->total_forks);
	buf_printf(b, "exits %lu\n", k->total_exits);
	buf_printf(b, "last_pid %d\n",
		   __atomic_load_n(&k->pids.last_pid, __ATOMIC_RELAXED));
	buf_printf(b, "pidstore_bytes %zu\n", pid_store_mem_bytes(&k->pids));
	buf_printf(b, "render_cache_bytes %lu\n", (unsigned long)fs->rcache.bytes);
	warm_render(b, &fs->warm);
	seen_render(b, &fs->seen);
	stats_render(b, &fs->stats);
}

int procfs_serve_ctl(void *arg, enum kstat_ctl what)
{
	struct procfs *fs = arg;

	switch (what) {
	case KSTAT_CTL_TRACE_START:
		return trace_start(&fs->trace);
	case KSTAT_CTL_TRACE_STOP:
		trace_stop(&fs->trace);
		return 0;
	default:
		return -EINVAL;
	}
}
