// SPDX-License-Identifier: MIT
/*
 * The global files but memory's: uptime, loadavg, stat, cpuinfo, version
 * and /proc/sys/kernel/{pid_max,osrelease}.  meminfo and vmstat are in
 * render_mem.c.
 *
 * Nothing here runs on a CPU, so CPU time is a deterministic function of
 * the clock (it grows as real CPU time does, which is what top and vmstat
 * take deltas of).
 */
#include <string.h>
#include "render.h"
#include "render_util.h"
#include "kernel_release.h"
#include "render_clients.h"

/* ---- CPU time -------------------------------------------------------- */

enum { CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
       CPU_SOFTIRQ, CPU_STEAL, CPU_GUEST, CPU_GUEST_NICE, CPU_NR };

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

	for (i = 0; i < render_nr_cpus(c); i++) {
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
	buf_put_s64(b, k->pids.last_pid);
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
	int i, j, n = render_nr_cpus(c);

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
	int i, n = render_nr_cpus(c);

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
