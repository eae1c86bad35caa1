// SPDX-License-Identifier: MIT
/*
 * Memory: /proc/meminfo and /proc/vmstat.  Memory use is summed from the
 * processes' resident pages plus a kernel share scaled by MemTotal; paging
 * counters are a deterministic function of the clock and of forks.
 */
#include <string.h>
#include "render.h"
#include "render_util.h"

/* ---- memory ---------------------------------------------------------- */

/* Everything in kB. */
struct mem_model {
	unsigned long total, free, avail, buffers, cached;
	unsigned long anon, file, shmem, mapped, dirty;
	unsigned long act_anon, inact_anon, act_file, inact_file;
	unsigned long slab, srecl, sunrecl, kstack, ptables;
	unsigned long committed, percpu, vmalloc_used;
};

/* One pass over the processes: O(processes x VMAs), no allocation. */
static void mem_sum_processes(const struct kernel *k, struct mem_model *m)
{
	struct task *t;
	struct mm_counts mc;
	int pid;

	for (pid = next_tgid(k, 1, &t); pid >= 0;
	     pid = next_tgid(k, pid + 1, &t)) {
		const struct mm_struct *mm = task_proc_mm(t);

		if (!mm)
			continue;
		mm_counts(mm, &mc);
		m->anon += mc.rss_anon << 2;
		m->file += mc.rss_file << 2;
		m->shmem += mc.rss_shmem << 2;
		m->ptables += render_pte_kb(mc.rss);
		m->committed += (mc.data + mc.stack) << 2;
	}
}

static void mem_model(const struct render_ctx *c, struct mem_model *m)
{
	const struct kernel *k = c->k;
	unsigned long used, reserved;

	memset(m, 0, sizeof(*m));
	m->total = k->mem_total_kb;
	mem_sum_processes(k, m);
	/* The kernel's own share, proportions of a small idle VM. */
	m->kstack = k->nr_tasks * 16;		/* THREAD_SIZE */
	m->slab = m->total / 300 + k->nr_tasks * 10;
	m->srecl = m->slab * 2 / 3;
	m->sunrecl = m->slab - m->srecl;
	m->buffers = m->total / 30000;
	m->cached = m->file + m->shmem + m->total / 800;
	m->mapped = m->file + m->shmem;
	m->dirty = m->file / 100;
	m->percpu = (unsigned long)render_nr_cpus(c) * 812;
	m->vmalloc_used = 12000 + (unsigned long)render_nr_cpus(c) * 1000;
	reserved = m->total / 400;
	used = m->buffers + m->cached + m->anon + m->slab + m->kstack +
	       m->ptables + m->percpu + reserved;
	/* Never report less than 1/64 free: the simulation cannot swap. */
	m->free = used + m->total / 64 < m->total ? m->total - used :
						   m->total / 64;
	m->avail = m->free + (m->cached - m->shmem) / 2 + m->srecl / 2;
	m->avail = m->avail > m->total / 300 ? m->avail - m->total / 300 : 0;
	if (m->avail > m->total)
		m->avail = m->total;
	m->act_anon = (m->anon + m->shmem) / 3;
	m->inact_anon = m->anon + m->shmem - m->act_anon;
	m->act_file = (m->cached - m->shmem + m->buffers) / 2;
	m->inact_file = m->cached - m->shmem + m->buffers - m->act_file;
}

/* meminfo's show_val_kb(): a 16-column label, "%8lu kB". */
static void mi_kb(struct buf *b, const char *label, unsigned long kb)
{
	buf_put_col16(b, label, kb, true);
}

static void mi_num(struct buf *b, const char *label, unsigned long v)
{
	buf_put_col16(b, label, v, false);
}

static void meminfo_directmap(struct buf *b, unsigned long total)
{
	unsigned long dm4k = 28672, dm2m, dm1g, rest;

	rest = total > dm4k ? total - dm4k : 0;
	dm2m = rest < 2068480 ? (rest + 2047) / 2048 * 2048 : 2068480;
	dm1g = rest > dm2m ? (rest - dm2m + 1048575) / 1048576 * 1048576 : 0;
	mi_kb(b, "DirectMap4k:", dm4k);
	mi_kb(b, "DirectMap2M:", dm2m);
	mi_kb(b, "DirectMap1G:", dm1g);
}

void render_meminfo(struct buf *b, const struct render_ctx *c)
{
	struct mem_model m;

	mem_model(c, &m);
	mi_kb(b, "MemTotal:", m.total);
	mi_kb(b, "MemFree:", m.free);
	mi_kb(b, "MemAvailable:", m.avail);
	mi_kb(b, "Buffers:", m.buffers);
	mi_kb(b, "Cached:", m.cached);
	mi_kb(b, "SwapCached:", 0);
	mi_kb(b, "Active:", m.act_anon + m.act_file);
	mi_kb(b, "Inactive:", m.inact_anon + m.inact_file);
	mi_kb(b, "Active(anon):", m.act_anon);
	mi_kb(b, "Inactive(anon):", m.inact_anon);
	mi_kb(b, "Active(file):", m.act_file);
	mi_kb(b, "Inactive(file):", m.inact_file);
	mi_kb(b, "Unevictable:", 0);
	mi_kb(b, "Mlocked:", 0);
	mi_kb(b, "SwapTotal:", 0);
	mi_kb(b, "SwapFree:", 0);
	mi_kb(b, "Zswap:", 0);
	mi_kb(b, "Zswapped:", 0);
	mi_kb(b, "Dirty:", m.dirty);
	mi_kb(b, "Writeback:", 0);
	mi_kb(b, "AnonPages:", m.anon);
	mi_kb(b, "Mapped:", m.mapped);
	mi_kb(b, "Shmem:", m.shmem);
	mi_kb(b, "KReclaimable:", m.srecl);
	mi_kb(b, "Slab:", m.slab);
	mi_kb(b, "SReclaimable:", m.srecl);
	mi_kb(b, "SUnreclaim:", m.sunrecl);
	mi_kb(b, "KernelStack:", m.kstack);
	mi_kb(b, "PageTables:", m.ptables);
	mi_kb(b, "SecPageTables:", 0);
	mi_kb(b, "NFS_Unstable:", 0);
	mi_kb(b, "Bounce:", 0);
	mi_kb(b, "WritebackTmp:", 0);
	mi_kb(b, "CommitLimit:", m.total / 2);	/* no swap, ratio 50 */
	mi_kb(b, "Committed_AS:", m.committed);
	mi_kb(b, "VmallocTotal:", 34359738367UL);
	mi_kb(b, "VmallocUsed:", m.vmalloc_used);
	mi_kb(b, "VmallocChunk:", 0);
	mi_kb(b, "Percpu:", m.percpu);
	mi_kb(b, "AnonHugePages:", 0);
	mi_kb(b, "ShmemHugePages:", 0);
	mi_kb(b, "ShmemPmdMapped:", 0);
	mi_kb(b, "FileHugePages:", 0);
	mi_kb(b, "FilePmdMapped:", 0);
	mi_kb(b, "Balloon:", 0);
	mi_num(b, "HugePages_Total:", 0);
	mi_num(b, "HugePages_Free:", 0);
	mi_num(b, "HugePages_Rsvd:", 0);
	mi_num(b, "HugePages_Surp:", 0);
	mi_kb(b, "Hugepagesize:", 2048);
	mi_kb(b, "Hugetlb:", 0);
	meminfo_directmap(b, m.total);
}

/* ---- vmstat ---------------------------------------------------------- */

enum vmstat_src {
	V_ZERO, V_FREE, V_FREE_BLOCKS, V_INACT_ANON, V_ACT_ANON,
	V_INACT_FILE, V_ACT_FILE, V_DIRTY, V_SRECL, V_SUNRECL, V_ANON,
	V_MAPPED, V_FILE_PAGES, V_SHMEM, V_KSTACK_KB, V_PTABLES,
	V_DIRTY_THRESH, V_DIRTY_BG, V_MEMMAP, V_PGPGIN, V_PGPGOUT,
	V_PGALLOC, V_PGFREE, V_PGACTIVATE, V_PGFAULT, V_PGMAJFAULT,
	V_PGREUSE, V_DIRTIED, V_WRITTEN, V_NR
};

/* The keys of a 6.18 kernel, in its order (vmstat_text[]). */
static const struct {
	const char *name;
	unsigned char src;
} vmstat_keys[] = {
	{ "nr_free_pages", V_FREE },
	{ "nr_free_pages_blocks", V_FREE_BLOCKS },
	{ "nr_zone_inactive_anon", V_INACT_ANON },
	{ "nr_zone_active_anon", V_ACT_ANON },
	{ "nr_zone_inactive_file", V_INACT_FILE },
	{ "nr_zone_active_file", V_ACT_FILE },
	{ "nr_zone_unevictable", V_ZERO },
	{ "nr_zone_write_pending", V_DIRTY },
	{ "nr_mlock", V_ZERO },
	{ "nr_zspages", V_ZERO },
	{ "nr_free_cma", V_ZERO },
	{ "numa_hit", V_PGALLOC },
	{ "numa_miss", V_ZERO },
	{ "numa_foreign", V_ZERO },
	{ "numa_interleave", V_ZERO },
	{ "numa_local", V_PGALLOC },
	{ "numa_other", V_ZERO },
	{ "nr_inactive_anon", V_INACT_ANON },
	{ "nr_active_anon", V_ACT_ANON },
	{ "nr_inactive_file", V_INACT_FILE },
	{ "nr_active_file", V_ACT_FILE },
	{ "nr_unevictable", V_ZERO },
	{ "nr_slab_reclaimable", V_SRECL },
	{ "nr_slab_unreclaimable", V_SUNRECL },
	{ "nr_isolated_anon", V_ZERO },
	{ "nr_isolated_file", V_ZERO },
	{ "workingset_nodes", V_ZERO },
	{ "workingset_refault_anon", V_ZERO },
	{ "workingset_refault_file", V_ZERO },
	{ "workingset_activate_anon", V_ZERO },
	{ "workingset_activate_file", V_ZERO },
	{ "workingset_restore_anon", V_ZERO },
	{ "workingset_restore_file", V_ZERO },
	{ "workingset_nodereclaim", V_ZERO },
	{ "nr_anon_pages", V_ANON },
	{ "nr_mapped", V_MAPPED },
	{ "nr_file_pages", V_FILE_PAGES },
	{ "nr_dirty", V_DIRTY },
	{ "nr_writeback", V_ZERO },
	{ "nr_shmem", V_SHMEM },
	{ "nr_shmem_hugepages", V_ZERO },
	{ "nr_shmem_pmdmapped", V_ZERO },
	{ "nr_file_hugepages", V_ZERO },
	{ "nr_file_pmdmapped", V_ZERO },
	{ "nr_anon_transparent_hugepages", V_ZERO },
	{ "nr_vmscan_write", V_ZERO },
	{ "nr_vmscan_immediate_reclaim", V_ZERO },
	{ "nr_dirtied", V_DIRTIED },
	{ "nr_written", V_WRITTEN },
	{ "nr_throttled_written", V_ZERO },
	{ "nr_kernel_misc_reclaimable", V_ZERO },
	{ "nr_foll_pin_acquired", V_ZERO },
	{ "nr_foll_pin_released", V_ZERO },
	{ "nr_kernel_stack", V_KSTACK_KB },
	{ "nr_page_table_pages", V_PTABLES },
	{ "nr_sec_page_table_pages", V_ZERO },
	{ "nr_iommu_pages", V_ZERO },
	{ "nr_swapcached", V_ZERO },
	{ "pgpromote_success", V_ZERO },
	{ "pgpromote_candidate", V_ZERO },
	{ "pgpromote_candidate_nrl", V_ZERO },
	{ "pgdemote_kswapd", V_ZERO },
	{ "pgdemote_direct", V_ZERO },
	{ "pgdemote_khugepaged", V_ZERO },
	{ "pgdemote_proactive", V_ZERO },
	{ "nr_hugetlb", V_ZERO },
	{ "nr_balloon_pages", V_ZERO },
	{ "nr_kernel_file_pages", V_ZERO },
	{ "nr_dirty_threshold", V_DIRTY_THRESH },
	{ "nr_dirty_background_threshold", V_DIRTY_BG },
	{ "nr_memmap_pages", V_ZERO },
	{ "nr_memmap_boot_pages", V_MEMMAP },
	{ "pgpgin", V_PGPGIN },
	{ "pgpgout", V_PGPGOUT },
	{ "pswpin", V_ZERO },
	{ "pswpout", V_ZERO },
	{ "pgalloc_dma", V_ZERO },
	{ "pgalloc_dma32", V_ZERO },
	{ "pgalloc_normal", V_PGALLOC },
	{ "pgalloc_movable", V_ZERO },
	{ "pgalloc_device", V_ZERO },
	{ "allocstall_dma", V_ZERO },
	{ "allocstall_dma32", V_ZERO },
	{ "allocstall_normal", V_ZERO },
	{ "allocstall_movable", V_ZERO },
	{ "allocstall_device", V_ZERO },
	{ "pgskip_dma", V_ZERO },
	{ "pgskip_dma32", V_ZERO },
	{ "pgskip_normal", V_ZERO },
	{ "pgskip_movable", V_ZERO },
	{ "pgskip_device", V_ZERO },
	{ "pgfree", V_PGFREE },
	{ "pgactivate", V_PGACTIVATE },
	{ "pgdeactivate", V_ZERO },
	{ "pglazyfree", V_ZERO },
	{ "pgfault", V_PGFAULT },
	{ "pgmajfault", V_PGMAJFAULT },
	{ "pglazyfreed", V_ZERO },
	{ "pgrefill", V_ZERO },
	{ "pgreuse", V_PGREUSE },
	{ "pgsteal_kswapd", V_ZERO },
	{ "pgsteal_direct", V_ZERO },
	{ "pgsteal_khugepaged", V_ZERO },
	{ "pgsteal_proactive", V_ZERO },
	{ "pgscan_kswapd", V_ZERO },
	{ "pgscan_direct", V_ZERO },
	{ "pgscan_khugepaged", V_ZERO },
	{ "pgscan_proactive", V_ZERO },
	{ "pgscan_direct_throttle", V_ZERO },
	{ "pgscan_anon", V_ZERO },
	{ "pgscan_file", V_ZERO },
	{ "pgsteal_anon", V_ZERO },
	{ "pgsteal_file", V_ZERO },
	{ "zone_reclaim_success", V_ZERO },
	{ "zone_reclaim_failed", V_ZERO },
	{ "pginodesteal", V_ZERO },
	{ "slabs_scanned", V_ZERO },
	{ "kswapd_inodesteal", V_ZERO },
	{ "kswapd_low_wmark_hit_quickly", V_ZERO },
	{ "kswapd_high_wmark_hit_quickly", V_ZERO },
	{ "pageoutrun", V_ZERO },
	{ "pgrotated", V_ZERO },
	{ "drop_pagecache", V_ZERO },
	{ "drop_slab", V_ZERO },
	{ "oom_kill", V_ZERO },
	{ "numa_pte_updates", V_ZERO },
	{ "numa_huge_pte_updates", V_ZERO },
	{ "numa_hint_faults", V_ZERO },
	{ "numa_hint_faults_local", V_ZERO },
	{ "numa_pages_migrated", V_ZERO },
	{ "pgmigrate_success", V_ZERO },
	{ "pgmigrate_fail", V_ZERO },
	{ "thp_migration_success", V_ZERO },
	{ "thp_migration_fail", V_ZERO },
	{ "thp_migration_split", V_ZERO },
	{ "compact_migrate_scanned", V_ZERO },
	{ "compact_free_scanned", V_ZERO },
	{ "compact_isolated", V_ZERO },
	{ "compact_stall", V_ZERO },
	{ "compact_fail", V_ZERO },
	{ "compact_success", V_ZERO },
	{ "compact_daemon_wake", V_ZERO },
	{ "compact_daemon_migrate_scanned", V_ZERO },
	{ "compact_daemon_free_scanned", V_ZERO },
	{ "htlb_buddy_alloc_success", V_ZERO },
	{ "htlb_buddy_alloc_fail", V_ZERO },
	{ "unevictable_pgs_culled", V_ZERO },
	{ "unevictable_pgs_scanned", V_ZERO },
	{ "unevictable_pgs_rescued", V_ZERO },
	{ "unevictable_pgs_mlocked", V_ZERO },
	{ "unevictable_pgs_munlocked", V_ZERO },
	{ "unevictable_pgs_cleared", V_ZERO },
	{ "unevictable_pgs_stranded", V_ZERO },
	{ "thp_fault_alloc", V_ZERO },
	{ "thp_fault_fallback", V_ZERO },
	{ "thp_fault_fallback_charge", V_ZERO },
	{ "thp_collapse_alloc", V_ZERO },
	{ "thp_collapse_alloc_failed", V_ZERO },
	{ "thp_file_alloc", V_ZERO },
	{ "thp_file_fallback", V_ZERO },
	{ "thp_file_fallback_charge", V_ZERO },
	{ "thp_file_mapped", V_ZERO },
	{ "thp_split_page", V_ZERO },
	{ "thp_split_page_failed", V_ZERO },
	{ "thp_deferred_split_page", V_ZERO },
	{ "thp_underused_split_page", V_ZERO },
	{ "thp_split_pmd", V_ZERO },
	{ "thp_scan_exceed_none_pte", V_ZERO },
	{ "thp_scan_exceed_swap_pte", V_ZERO },
	{ "thp_scan_exceed_share_pte", V_ZERO },
	{ "thp_split_pud", V_ZERO },
	{ "thp_zero_page_alloc", V_ZERO },
	{ "thp_zero_page_alloc_failed", V_ZERO },
	{ "thp_swpout", V_ZERO },
	{ "thp_swpout_fallback", V_ZERO },
	{ "balloon_inflate", V_ZERO },
	{ "balloon_deflate", V_ZERO },
	{ "balloon_migrate", V_ZERO },
	{ "swap_ra", V_ZERO },
	{ "swap_ra_hit", V_ZERO },
	{ "swpin_zero", V_ZERO },
	{ "swpout_zero", V_ZERO },
	{ "ksm_swpin_copy", V_ZERO },
	{ "cow_ksm", V_ZERO },
	{ "zswpin", V_ZERO },
	{ "zswpout", V_ZERO },
	{ "zswpwb", V_ZERO },
	{ "direct_map_level2_splits", V_ZERO },
	{ "direct_map_level3_splits", V_ZERO },
	{ "direct_map_level2_collapses", V_ZERO },
	{ "direct_map_level3_collapses", V_ZERO },
	{ "nr_unstable", V_ZERO },
};

static void vmstat_values(const struct render_ctx *c,
			  unsigned long long v[V_NR])
{
	const struct kernel *k = c->k;
	unsigned long long now = c->now, forks = k->total_forks;
	struct mem_model m;

	mem_model(c, &m);
	memset(v, 0, sizeof(v[0]) * V_NR);
	v[V_FREE] = m.free / 4;
	v[V_FREE_BLOCKS] = m.free / 4 * 4 / 5;
	v[V_INACT_ANON] = m.inact_anon / 4;
	v[V_ACT_ANON] = m.act_anon / 4;
	v[V_INACT_FILE] = m.inact_file / 4;
	v[V_ACT_FILE] = m.act_file / 4;
	v[V_DIRTY] = m.dirty / 4;
	v[V_SRECL] = m.srecl / 4;
	v[V_SUNRECL] = m.sunrecl / 4;
	v[V_ANON] = m.anon / 4;
	v[V_MAPPED] = m.mapped / 4;
	v[V_FILE_PAGES] = (m.cached + m.buffers) / 4;
	v[V_SHMEM] = m.shmem / 4;
	v[V_KSTACK_KB] = m.kstack;		/* this one is in kB */
	v[V_PTABLES] = m.ptables / 4;
	v[V_DIRTY_THRESH] = m.avail / 4 / 5;
	v[V_DIRTY_BG] = m.avail / 4 / 10;
	v[V_MEMMAP] = m.total / 4 / 64;		/* 64-byte struct page */
	/* Event counters: monotonic in time and in forks. */
	v[V_PGPGIN] = 300000 + now / 10;
	v[V_PGPGOUT] = now / 4;
	v[V_PGFAULT] = 500000 + forks * 300 + now * 20;
	v[V_PGALLOC] = v[V_PGFAULT] + now * 5;
	v[V_PGFREE] = v[V_PGALLOC] + v[V_FREE];
	v[V_PGACTIVATE] = 20000 + now * 5;
	v[V_PGMAJFAULT] = 1500 + forks / 4;
	v[V_PGREUSE] = forks * 40 + now;
	v[V_DIRTIED] = 10000 + now * 2;
	v[V_WRITTEN] = 5000 + now;
}

void render_vmstat(struct buf *b, const struct render_ctx *c)
{
	unsigned long long v[V_NR];
	size_t i;

	vmstat_values(c, v);
	for (i = 0; i < sizeof(vmstat_keys) / sizeof(vmstat_keys[0]); i++) {
		buf_puts(b, vmstat_keys[i].name);
		buf_putc(b, ' ');
		buf_put_u64(b, v[vmstat_keys[i].src]);
		buf_putc(b, '\n');
	}
}
