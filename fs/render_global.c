// SPDX-License-Identifier: MIT
/*
 * The global files: uptime, loadavg, stat, meminfo, cpuinfo, vmstat,
 * version and /proc/sys/kernel/{pid_max,osrelease}.
 *
 * Nothing here runs on a CPU, so CPU time and paging counters are a
 * deterministic function of the clock (they grow as real ones do, which is
 * what top and vmstat take deltas of); memory use is summed from the
 * processes' resident pages plus a kernel share scaled by MemTotal.
 */
#include <string.h>
#include "render.h"
#include "render_util.h"
#include "kernel_release.h"
#include "render_clients.h"

/* ---- CPU time -------------------------------------------------------- */

enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
       CPU_SOFTIRQ, CPU_STEAL, CPU_GUEST, CPU_GUEST_NICE, CPU_NR };

static int nr_cpus(const struct render_ctx *c)
{
	return c->k->nr_cpus > 0 ? c->k->nr_cpus : 1;
}

/*
 * Ticks CPU @i spent in each state by @now: fixed per-mille shares, a
 * little different per CPU.  Each counter is floor(now * share), so every
 * one of them is monotonic in @now.
 */
static void cpu_ticks(unsigned long long now, int i,
		      unsigned long long t[CPU_NR])
{
	unsigned int user = 17 + (unsigned)(i * 7) % 13;
	unsigned int sys = 35 + (unsigned)(i * 5) % 11;
	unsigned int iowait = 2 + (unsigned)i % 3;
	unsigned int softirq = 1;

	memset(t, 0, sizeof(t[0]) * CPU_NR);
	t[CPU_USER] = now * user / 1000;
	t[CPU_SYSTEM] = now * sys / 1000;
	t[CPU_IOWAIT] = now * iowait / 1000;
	t[CPU_SOFTIRQ] = now * softirq / 1000;
	t[CPU_IDLE] = now * (1000 - user - sys - iowait - softirq) / 1000;
}

static unsigned long long idle_ticks(const struct render_ctx *c)
{
	unsigned long long t[CPU_NR], sum = 0;
	int i;

	for (i = 0; i < nr_cpus(c); i++) {
		cpu_ticks(c->now, i, t);
		sum += t[CPU_IDLE];
	}
	return sum;
}

/* "%lu.%02lu" of a tick count. */
static void put_ticks_sec(struct buf *b, unsigned long long ticks)
{
	buf_put_u64(b, ticks / USER_HZ);
	buf_putc(b, '.');
	buf_putc(b, (char)('0' + ticks % USER_HZ / 10));
	buf_putc(b, (char)('0' + ticks % 10));
}

void render_uptime(struct buf *b, const struct render_ctx *c)
{
	put_ticks_sec(b, c->now);
	buf_putc(b, ' ');
	put_ticks_sec(b, idle_ticks(c));
	buf_putc(b, '\n');
}

/* No run queues to average: the load follows the number running. */
void render_loadavg(struct buf *b, const struct render_ctx *c)
{
	const struct kernel *k = c->k;
	unsigned long long r = k->nr_running;

	put_ticks_sec(b, r * 50);
	buf_putc(b, ' ');
	put_ticks_sec(b, r * 40);
	buf_putc(b, ' ');
	put_ticks_sec(b, r * 30);
	buf_putc(b, ' ');
	buf_put_u64(b, k->nr_running);
	buf_putc(b, '/');
	buf_put_u64(b, k->nr_tasks);
	buf_putc(b, ' ');
	buf_put_s64(b, __atomic_load_n(&k->pids.last_pid, __ATOMIC_RELAXED));
	buf_putc(b, '\n');
}

static void put_cpu_line(struct buf *b, const unsigned long long t[CPU_NR])
{
	int j;

	for (j = 0; j < CPU_NR; j++) {
		buf_putc(b, ' ');
		buf_put_u64(b, t[j]);
	}
	buf_putc(b, '\n');
}

/* "intr <total>" and one count per IRQ, as many as on a small VM. */
#define NR_IRQS_SHOWN	424

static void stat_intr(struct buf *b, unsigned long long total)
{
	int i;

	buf_putlit(b, "intr ");
	buf_put_u64(b, total);
	buf_putc(b, ' ');
	buf_put_u64(b, total);	/* all on the timer, IRQ 0 */
	for (i = 1; i < NR_IRQS_SHOWN; i++)
		buf_putlit(b, " 0");
	buf_putc(b, '\n');
}

void softirq_totals(unsigned long long now, int ncpu, unsigned long long v[10])
{
	const unsigned long long t[10] = {
		0, now * ncpu / 4, 2, now / 10, now / 100,
		0, 3, now * ncpu / 3, 0, now * ncpu / 2,
	};

	memcpy(v, t, sizeof(t));
}

static void stat_softirq(struct buf *b, unsigned long long now, int ncpu)
{
	unsigned long long v[10];
	unsigned long long sum = 0;
	int i;

	softirq_totals(now, ncpu, v);

	for (i = 0; i < 10; i++)
		sum += v[i];
	buf_putlit(b, "softirq ");
	buf_put_u64(b, sum);
	for (i = 0; i < 10; i++) {
		buf_putc(b, ' ');
		buf_put_u64(b, v[i]);
	}
	buf_putc(b, '\n');
}

/*
 * procps needs "cpu" + 2 spaces and >= 8 numbers first, then "cpuN" lines,
 * and steps through the file by '\n', so every line ends with one.
 */
void render_stat(struct buf *b, const struct render_ctx *c)
{
	const struct kernel *k = c->k;
	unsigned long long t[CPU_NR], sum[CPU_NR] = { 0 };
	int i, j, n = nr_cpus(c);

	for (i = 0; i < n; i++) {
		cpu_ticks(c->now, i, t);
		for (j = 0; j < CPU_NR; j++)
			sum[j] += t[j];
	}
	buf_putlit(b, "cpu ");
	put_cpu_line(b, sum);
	for (i = 0; i < n; i++) {
		cpu_ticks(c->now, i, t);
		buf_putlit(b, "cpu");
		buf_put_u64(b, (unsigned)i);
		put_cpu_line(b, t);
	}
	stat_intr(b, c->now * (unsigned)n * 2);
	buf_putlit(b, "ctxt ");
	buf_put_u64(b, c->now * (unsigned)n * 40 + k->total_forks * 50);
	buf_putlit(b, "\nbtime ");
	buf_put_s64(b, c->btime);
	buf_putlit(b, "\nprocesses ");
	buf_put_u64(b, k->total_forks);
	buf_putlit(b, "\nprocs_running ");
	buf_put_u64(b, k->nr_running);
	buf_putlit(b, "\nprocs_blocked ");
	buf_put_u64(b, k->nr_blocked);
	buf_putc(b, '\n');
	stat_softirq(b, c->now, n);
}

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
	m->percpu = (unsigned long)nr_cpus(c) * 812;
	m->vmalloc_used = 12000 + (unsigned long)nr_cpus(c) * 1000;
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

/* ---- cpuinfo, version, sysctls --------------------------------------- */

static const char cpuinfo_head[] =
	"vendor_id\t: GenuineIntel\n"
	"cpu family\t: 6\n"
	"model\t\t: 106\n"
	"model name\t: Intel(R) Xeon(R) Processor\n"
	"stepping\t: 6\n"
	"microcode\t: 0x1\n"
	"cpu MHz\t\t: 2599.998\n"
	"cache size\t: 49152 KB\n"
	"physical id\t: 0\n"
	"siblings\t: ";

static const char cpuinfo_tail[] =
	"fpu\t\t: yes\n"
	"fpu_exception\t: yes\n"
	"cpuid level\t: 27\n"
	"wp\t\t: yes\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca "
	"cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb "
	"rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid "
	"tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 "
	"x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand "
	"hypervisor lahf_lm abm 3dnowprefetch fsgsbase tsc_adjust bmi1 avx2 "
	"smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap clflushopt "
	"clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 "
	"xsaves arat avx512vbmi umip pku ospke avx512_vbmi2 gfni vaes "
	"vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid md_clear "
	"arch_capabilities\n"
	"bugs\t\t: spectre_v1 spectre_v2 spec_store_bypass swapgs\n"
	"bogomips\t: 5199.99\n"
	"clflush size\t: 64\n"
	"cache_alignment\t: 64\n"
	"address sizes\t: 46 bits physical, 48 bits virtual\n"
	"power management:\n"
	"\n";

/*
 * One block per CPU, each ended by an empty line: procps 4.0.1-4.0.3 scan
 * from "processor" to "core id" or a blank line and fail at EOF.
 */
void render_cpuinfo(struct buf *b, const struct render_ctx *c)
{
	int i, n = nr_cpus(c);

	for (i = 0; i < n; i++) {
		buf_putlit(b, "processor\t: ");
		buf_put_u64(b, (unsigned)i);
		buf_putc(b, '\n');
		buf_putlit(b, cpuinfo_head);
		buf_put_u64(b, (unsigned)n);
		buf_putlit(b, "\ncore id\t\t: ");
		buf_put_u64(b, (unsigned)i);
		buf_putlit(b, "\ncpu cores\t: ");
		buf_put_u64(b, (unsigned)n);
		buf_putlit(b, "\napicid\t\t: ");
		buf_put_u64(b, (unsigned)i);
		buf_putlit(b, "\ninitial apicid\t: ");
		buf_put_u64(b, (unsigned)i);
		buf_putc(b, '\n');
		buf_putlit(b, cpuinfo_tail);
	}
}

void render_version(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	buf_putlit(b, "Linux version " UTS_RELEASE
		   " (debian-kernel@lists.debian.org) (" LINUX_COMPILER ") "
		   UTS_VERSION "\n");
}

void render_osrelease(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	buf_putlit(b, UTS_RELEASE "\n");
}

void render_pid_max(struct buf *b, const struct render_ctx *c)
{
	buf_put_s64(b, c->k->pids.pid_max);
	buf_putc(b, '\n');
}
