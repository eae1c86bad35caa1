// SPDX-License-Identifier: MIT
/*
 * Global files of the machine around the processes: interrupts, softirqs,
 * filesystems, the disk (diskstats, partitions, swaps), cmdline, the page
 * allocator (buddyinfo, zoneinfo), tty/drivers, the pressure files and the
 * sysctls under /proc/sys.  One small KVM server with a virtio disk vda,
 * no swap (meminfo's SwapTotal is 0); counters grow with the clock, so
 * tools that take deltas (vmstat -d, mpstat -I, iostat) see activity.
 */
#include <string.h>
#include "kernel_release.h"
#include "render_clients.h"
#include "render_util.h"
#include "task_files.h"

/* @total events spread over the CPUs: CPU @cpu's share. */
static unsigned long long per_cpu(unsigned long long total, int cpu, int n)
{
	return total / (unsigned)n + ((unsigned long long)cpu < total % (unsigned)n);
}

/* ---- interrupts and softirqs (show_interrupts, show_softirqs) -------- */

struct irq_line {
	int irq;
	const char *chip;
	int hwirq;
	const char *name;
	unsigned rate;			/* per 1000 ticks */
};

static const struct irq_line irqs[] = {
	{ 0, "IO-APIC", 2, "timer", 0 },
	{ 1, "IO-APIC", 1, "i8042", 0 },
	{ 4, "IO-APIC", 4, "ttyS0", 2 },
	{ 8, "IO-APIC", 8, "rtc0", 0 },
	{ 9, "IO-APIC", 9, "acpi", 0 },
	{ 24, "PCI-MSI-0000:00:03.0", 0, "virtio0-config", 0 },
	{ 25, "PCI-MSI-0000:00:03.0", 1, "virtio0-input.0", 90 },
	{ 26, "PCI-MSI-0000:00:03.0", 2, "virtio0-output.0", 70 },
	{ 27, "PCI-MSI-0000:00:04.0", 0, "virtio1-config", 0 },
	{ 28, "PCI-MSI-0000:00:04.0", 1, "virtio1-req.0", 260 },
};

static const struct { const char *sym, *desc; unsigned rate; } arch_irqs[] = {
	{ "NMI", "Non-maskable interrupts", 0 },
	{ "LOC", "Local timer interrupts", 1000 },
	{ "SPU", "Spurious interrupts", 0 },
	{ "PMI", "Performance monitoring interrupts", 0 },
	{ "IWI", "IRQ work interrupts", 1 },
	{ "RTR", "APIC ICR read retries", 0 },
	{ "RES", "Rescheduling interrupts", 300 },
	{ "CAL", "Function call interrupts", 120 },
	{ "TLB", "TLB shootdowns", 40 },
	{ "TRM", "Thermal event interrupts", 0 },
	{ "THR", "Threshold APIC interrupts", 0 },
	{ "DFR", "Deferred Error APIC interrupts", 0 },
	{ "MCE", "Machine check exceptions", 0 },
	{ "MCP", "Machine check polls", 0 },
};

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

static void put_cpu_header(struct buf *b, int indent, int n)
{
	buf_printf(b, "%*s", indent, "");
	for (int j = 0; j < n; j++)
		buf_printf(b, "CPU%-8d", j);
	buf_putc(b, '\n');
}

void render_interrupts(struct buf *b, const struct render_ctx *c)
{
	int n = render_nr_cpus(c);
	unsigned long long now = c->now;

	put_cpu_header(b, 3 + 8, n);
	for (size_t i = 0; i < NR(irqs); i++) {
		unsigned long long total = now * irqs[i].rate / 1000;

		buf_printf(b, "%3d:", irqs[i].irq);
		for (int j = 0; j < n; j++)	/* each IRQ has one CPU's affinity */
			buf_printf(b, " %10llu", j == (int)(i % (size_t)n) ? total : 0);
		buf_printf(b, " %8s %3d-%-8s  %s\n", irqs[i].chip, irqs[i].hwirq,
			   "edge", irqs[i].name);
	}
	for (size_t i = 0; i < NR(arch_irqs); i++) {
		buf_printf(b, "%3s:", arch_irqs[i].sym);
		for (int j = 0; j < n; j++)
			buf_printf(b, " %10llu", now * arch_irqs[i].rate / 1000);
		buf_printf(b, "   %s\n", arch_irqs[i].desc);
	}
	buf_printf(b, "%3s: %10u\n%3s: %10u\n", "ERR", 0, "MIS", 0);
}

void render_softirqs(struct buf *b, const struct render_ctx *c)
{
	static const char *const names[10] = {
		"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL",
		"TASKLET", "SCHED", "HRTIMER", "RCU",
	};
	unsigned long long v[10];
	int n = render_nr_cpus(c);

	softirq_totals(c->now, n, v);
	put_cpu_header(b, 20, n);
	for (int i = 0; i < 10; i++) {
		buf_printf(b, "%12s:", names[i]);
		for (int j = 0; j < n; j++)
			buf_printf(b, " %10llu", per_cpu(v[i], j, n));
		buf_putc(b, '\n');
	}
}

void render_filesystems(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	buf_putlit(b,
		"nodev\tsysfs\nnodev\ttmpfs\nnodev\tbdev\nnodev\tproc\n"
		"nodev\tcgroup\nnodev\tcgroup2\nnodev\tcpuset\nnodev\tdevtmpfs\n"
		"nodev\tconfigfs\nnodev\tdebugfs\nnodev\ttracefs\n"
		"nodev\tsecurityfs\nnodev\tsockfs\nnodev\tbpf\nnodev\tpipefs\n"
		"nodev\tramfs\nnodev\thugetlbfs\nnodev\tdevpts\n\text3\n\text2\n"
		"\text4\nnodev\tautofs\nnodev\tmqueue\nnodev\tpstore\n"
		"\tfuseblk\nnodev\tfuse\nnodev\tfusectl\nnodev\toverlay\n\tvfat\n");
}

/* ---- the disk --------------------------------------------------------- */

struct disk {
	unsigned major, minor;
	const char *name;
	unsigned long long blocks;	/* 1 KiB */
	unsigned share;			/* per mille of the disk's I/O */
};

static const struct disk disks[] = {
	{ 254, 0, "vda", 83886080, 1000 },
	{ 254, 1, "vda1", 82836463, 990 },
	{ 254, 14, "vda14", 3072, 0 },
	{ 254, 15, "vda15", 126976, 10 },
};

void render_diskstats(struct buf *b, const struct render_ctx *c)
{
	unsigned long long now = c->now;

	for (size_t i = 0; i < NR(disks); i++) {
		unsigned long long s = disks[i].share, rd = now * s / 1000 / 2,
				   wr = now * s / 1000, io = (rd + wr) / 4;

		/* 6.x: 4 read, 4 write, in-flight, io_ticks, weighted, 4 discard, 2 flush */
		buf_printf(b, "%4u %7u %s %llu %llu %llu %llu %llu %llu %llu %llu "
			   "%u %llu %llu %u %u %u %u %llu %llu\n",
			   disks[i].major, disks[i].minor, disks[i].name,
			   rd, rd / 8, rd * 24, rd / 2, wr, wr / 3, wr * 16, wr,
			   0, io, rd / 2 + wr, 0, 0, 0, 0, s ? now / 500 : 0, s ? now / 1000 : 0);
	}
	buf_printf(b, "%4u %7u %s %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u\n",
		   11, 0, "sr0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

void render_partitions(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	buf_putlit(b, "major minor  #blocks  name\n\n");
	for (size_t i = 0; i < NR(disks); i++)
		buf_printf(b, "%4u  %7u %10llu %s\n", disks[i].major, disks[i].minor,
			   disks[i].blocks, disks[i].name);
}

/* No swap: the header alone, as meminfo's SwapTotal 0 says. */
void render_swaps(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	buf_putlit(b, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
}

void render_cmdline(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	buf_putlit(b, "BOOT_IMAGE=/boot/vmlinuz-" UTS_RELEASE
		   " root=UUID=6a1c2a3e-5b0f-4f8e-9d3c-2b7e1f0a9c44 ro console=tty0"
		   " console=ttyS0,115200 quiet\n");
}

/* ---- page allocator ---------------------------------------------------- */

void render_buddyinfo(struct buf *b, const struct render_ctx *c)
{
	unsigned long free_pages = c->k->mem_total_kb / 4 / 3;
	static const struct { const char *zone; unsigned div; } zones[] = {
		{ "DMA", 0 }, { "DMA32", 8 }, { "Normal", 1 },
	};

	for (size_t z = 0; z < NR(zones); z++) {
		unsigned long left = zones[z].div ? free_pages / zones[z].div : 3;

		buf_printf(b, "Node 0, zone %8s ", zones[z].zone);
		for (int order = 0; order < 11; order++) {
			/* Half of what is left at each order, the rest at order 10. */
			unsigned long blocks = order < 10 ? left / 2 / (1UL << order) / 8 :
				left >> order;

			buf_printf(b, "%6lu ", blocks);
			left -= order < 10 ? blocks << order : 0;
		}
		buf_putc(b, '\n');
	}
}

void render_zoneinfo(struct buf *b, const struct render_ctx *c)
{
	unsigned long pages = c->k->mem_total_kb / 4;
	static const char *const zones[] = { "DMA", "DMA32", "Normal", "Movable", "Device" };

	for (size_t z = 0; z < NR(zones); z++) {
		unsigned long present = z == 0 ? 3998 : z == 1 ? 520160 :
					z == 2 && pages > 524158 ? pages - 524158 : 0;
		unsigned long free = present / 3, min = present / 1000;

		buf_printf(b, "Node 0, zone %8s\n", zones[z]);
		buf_printf(b, "  pages free     %lu\n        boost    0\n"
			   "        min      %lu\n        low      %lu\n"
			   "        high     %lu\n        promo    %lu\n"
			   "        spanned  %lu\n        present  %lu\n"
			   "        managed  %lu\n        cma      0\n",
			   free, min, min * 5 / 4, min * 3 / 2, min * 7 / 4,
			   present, present, present - present / 50);
		buf_putlit(b, "        protection: (0, 0, 0, 0, 0)\n");
		if (!present)
			continue;
		buf_printf(b, "      nr_free_pages %lu\n", free);
		buf_putlit(b, "  pagesets\n");
		for (int j = 0; j < render_nr_cpus(c); j++)
			buf_printf(b, "    cpu: %d\n              count:    %d\n"
				   "              high:     %d\n              batch:    63\n"
				   "              high_min: 3548\n              high_max: 24576\n"
				   "  vm stats threshold: 20\n", j, 100 + j, 10991);
		buf_printf(b, "  node_unreclaimable:  0\n  start_pfn:           %lu\n",
			   z == 0 ? 1UL : z == 1 ? 4096UL : 1048576UL);
	}
}

/* ---- tty/drivers: procps maps tty_nr to a name through it -------------- */

void render_tty_drivers(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	buf_putlit(b,
		"/dev/tty             /dev/tty        5       0 system:/dev/tty\n"
		"/dev/console         /dev/console    5       1 system:console\n"
		"/dev/ptmx            /dev/ptmx       5       2 system\n"
		"/dev/vc/0            /dev/vc/0       4       0 system:vtmaster\n"
		"serial               /dev/ttyS       4 64-95 serial\n"
		"pty_slave            /dev/pts      136 0-1048575 pty:slave\n"
		"pty_master           /dev/ptm      128 0-1048575 pty:master\n"
		"unknown              /dev/tty        4 1-63 console\n");
}

/* ---- pressure (PSI): stall time follows the tasks waiting ------------- */

static void put_psi(struct buf *b, unsigned long long total_us, bool full,
		    unsigned pct100)
{
	const char *kind[2] = { "some", "full" };

	for (int i = 0; i < (full ? 2 : 1); i++) {
		unsigned p = i ? pct100 / 3 : pct100;

		buf_printf(b, "%s avg10=%u.%02u avg60=%u.%02u avg300=%u.%02u total=%llu\n",
			   kind[i], p / 100, p % 100, p * 3 / 4 / 100, p * 3 / 4 % 100,
			   p / 2 / 100, p / 2 % 100, i ? total_us / 3 : total_us);
	}
}

/* Percent × 100 of time some task waited: runnable beyond the CPUs, or blocked. */
static unsigned psi_pct(const struct render_ctx *c, unsigned long waiting)
{
	unsigned long p = waiting * 10000 / ((unsigned long)c->k->nr_tasks + 1);

	return p > 10000 ? 10000 : (unsigned)p;
}

void render_psi_cpu(struct buf *b, const struct render_ctx *c)
{
	unsigned long n = c->k->nr_running, cpus = (unsigned long)render_nr_cpus(c);

	/* 6.x prints "full" for cpu too, always zero at the system level. */
	put_psi(b, c->now * 10000 * (n > cpus ? n - cpus : 0) / (n + 1), false,
		psi_pct(c, n > cpus ? n - cpus : 0));
	buf_putlit(b, "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
}

void render_psi_io(struct buf *b, const struct render_ctx *c)
{
	put_psi(b, c->now * 200, true, psi_pct(c, c->k->nr_blocked));
}

void render_psi_memory(struct buf *b, const struct render_ctx *c)
{
	(void)c;
	put_psi(b, 0, true, 0);
}

/* ---- sysctls ------------------------------------------------------------ */

#define SYSCTL_STR(fn, text)						\
	void fn(struct buf *b, const struct render_ctx *c)		\
	{								\
		(void)c;						\
		buf_putlit(b, text "\n");				\
	}

SYSCTL_STR(render_sysctl_zero, "0")
SYSCTL_STR(render_sysctl_one, "1")
SYSCTL_STR(render_sysctl_ostype, "Linux")
SYSCTL_STR(render_sysctl_version, UTS_VERSION)
SYSCTL_STR(render_sysctl_hostname, "procsim")
SYSCTL_STR(render_sysctl_domainname, "(none)")
SYSCTL_STR(render_sysctl_ngroups_max, "65536")
SYSCTL_STR(render_sysctl_cap_last_cap, "40")
SYSCTL_STR(render_sysctl_randomize, "2")
SYSCTL_STR(render_sysctl_overcommit_ratio, "50")
SYSCTL_STR(render_sysctl_swappiness, "60")
SYSCTL_STR(render_sysctl_dirty_ratio, "20")
SYSCTL_STR(render_sysctl_dirty_bg_ratio, "10")
SYSCTL_STR(render_sysctl_page_cluster, "3")
SYSCTL_STR(render_sysctl_vfs_cache_pressure, "100")
SYSCTL_STR(render_sysctl_file_max, "9223372036854775807")
SYSCTL_STR(render_sysctl_nr_open, "1048576")

/* max_threads: a task's 16 KiB stack may take 1/8 of memory. */
void render_sysctl_threads_max(struct buf *b, const struct render_ctx *c)
{
	buf_printf(b, "%lu\n", c->k->mem_total_kb / 4 / 32);
}

void render_sysctl_max_map_count(struct buf *b, const struct render_ctx *c)
{
	buf_printf(b, "%d\n", c->k->max_map_count);
}

void render_sysctl_min_free_kbytes(struct buf *b, const struct render_ctx *c)
{
	buf_printf(b, "%lu\n", c->k->mem_total_kb / 360);
}

/* Allocated file handles: every open file of every process. */
void render_sysctl_file_nr(struct buf *b, const struct render_ctx *c)
{
	struct tfile v[TASK_FILES_MAX];
	unsigned long files = 0;
	struct task *t;

	for (int pid = next_tgid(c->k, 1, &t); pid >= 0; pid = next_tgid(c->k, pid + 1, &t))
		files += (unsigned long)task_files(t, v);
	buf_printf(b, "%lu\t0\t9223372036854775807\n", files + 1024);
}
