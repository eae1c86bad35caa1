// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/status, in the Linux 6.x key order (fs/proc/array.c:
 * proc_pid_status).  procps stops parsing at the first line whose colon is
 * not followed by a TAB, so every key is "Key:\t".  The file is the same
 * for the process and the thread view: only @t's own fields differ.
 */
#include <string.h>
#include "render.h"
#include "render_util.h"

/* CAP_LAST_CAP is 40 in 6.x: 41 bits of capabilities. */
#define CAP_FULL	0x000001ffffffffffULL

/* Name: escapes '\n' and '\\' (seq_escape_str); procps undoes it. */
static void status_name(struct buf *b, const struct task *t)
{
	size_t i, n;
	const char *name = task_name(t, &n);

	buf_putlit(b, "Name:\t");
	for (i = 0; i < n; i++) {
		if (name[i] == '\n')
			buf_putlit(b, "\\n");
		else if (name[i] == '\\')
			buf_putlit(b, "\\\\");
		else
			buf_putc(b, name[i]);
	}
	buf_putc(b, '\n');
}

static void put_ids4(struct buf *b, const char *key, unsigned int a,
		     unsigned int e, unsigned int s, unsigned int f)
{
	buf_puts(b, key);
	buf_putc(b, '\t');
	buf_put_u64(b, a);
	buf_putc(b, '\t');
	buf_put_u64(b, e);
	buf_putc(b, '\t');
	buf_put_u64(b, s);
	buf_putc(b, '\t');
	buf_put_u64(b, f);
	buf_putc(b, '\n');
}

/* task_state(): Name through Kthread. */
static void status_ids(struct buf *b, const struct task *t)
{
	const struct signal_struct *sig = t->signal;
	const struct cred *cr = &t->cred;
	int fdsize;

	status_name(b, t);
	buf_putlit(b, "Umask:\t0022\nState:\t");
	buf_puts(b, task_state_name(t->state));
	buf_putc(b, '\n');
	buf_put_kv_u64(b, "Tgid:", (unsigned)t->tgid);
	buf_putlit(b, "Ngid:\t0\n");
	buf_put_kv_u64(b, "Pid:", (unsigned)t->pid);
	buf_put_kv_u64(b, "PPid:", (unsigned)task_ppid(t));
	buf_put_kv_u64(b, "TracerPid:", (unsigned)task_tracer_pid(t));
	put_ids4(b, "Uid:", cr->uid, cr->euid, cr->suid, cr->fsuid);
	put_ids4(b, "Gid:", cr->gid, cr->egid, cr->sgid, cr->fsgid);
	/* A zombie has dropped its files; kernel threads start with 64. */
	if (t->state == EXIT_ZOMBIE || t->state == EXIT_DEAD)
		fdsize = 0;
	else
		fdsize = task_is_kthread(t) ? 64 : 256;
	buf_put_kv_u64(b, "FDSize:", (unsigned)fdsize);
	buf_putlit(b, "Groups:\t \n");	/* no supplementary groups */
	buf_put_kv_u64(b, "NStgid:", (unsigned)t->tgid);
	buf_put_kv_u64(b, "NSpid:", (unsigned)t->pid);
	buf_put_kv_u64(b, "NSpgid:", (unsigned)(sig ? sig->pgrp : 0));
	buf_put_kv_u64(b, "NSsid:", (unsigned)(sig ? sig->session : 0));
	buf_putlit(b, "Kthread:\t");
	buf_putc(b, task_is_kthread(t) ? '1' : '0');
	buf_putc(b, '\n');
}

static unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

#define KB(pages)	((pages) << (PAGE_SHIFT - 10))

/* task_mem(), then the lines the kernel prints only for a task with an mm. */
static void status_mem(struct buf *b, const struct mm_struct *mm)
{
	struct mm_counts c;

	mm_counts(mm, &c);
	buf_put_kv_kb(b, "VmPeak:", KB(max_ul(mm->hiwater_vm, c.total_vm)));
	buf_put_kv_kb(b, "VmSize:", KB(c.total_vm));
	buf_put_kv_kb(b, "VmLck:", KB(mm->locked_vm));
	buf_put_kv_kb(b, "VmPin:", 0);
	buf_put_kv_kb(b, "VmHWM:", KB(max_ul(mm->hiwater_rss, c.rss)));
	buf_put_kv_kb(b, "VmRSS:", KB(c.rss));
	buf_put_kv_kb(b, "RssAnon:", KB(c.rss_anon));
	buf_put_kv_kb(b, "RssFile:", KB(c.rss_file));
	buf_put_kv_kb(b, "RssShmem:", KB(c.rss_shmem));
	buf_put_kv_kb(b, "VmData:", KB(c.data));
	buf_put_kv_kb(b, "VmStk:", KB(c.stack));
	buf_put_kv_kb(b, "VmExe:", KB(c.text));
	buf_put_kv_kb(b, "VmLib:", KB(c.lib));
	buf_put_kv_kb(b, "VmPTE:", render_pte_kb(c.rss));
	buf_put_kv_kb(b, "VmSwap:", 0);
	buf_put_kv_kb(b, "HugetlbPages:", 0);
	buf_putlit(b, "CoreDumping:\t0\nTHP_enabled:\t1\n"
		   "untag_mask:\t0xffffffffffffffff\n");
}

static void put_mask(struct buf *b, const char *key, uint64_t v)
{
	buf_puts(b, key);
	buf_putc(b, '\t');
	buf_put_hex16(b, v);
	buf_putc(b, '\n');
}

/* Threads, SigQ, the signal masks and capabilities. */
static void status_signals(struct buf *b, const struct render_ctx *c,
			   const struct task *t)
{
	bool kthread = task_is_kthread(t);
	uint64_t cap = t->cred.euid == 0 ? CAP_FULL : 0;

	buf_put_kv_u64(b, "Threads:", (unsigned)task_nr_threads(t));
	/* RLIMIT_SIGPENDING defaults to max_threads/2 = RAM/256 KiB. */
	buf_putlit(b, "SigQ:\t0/");
	buf_put_u64(b, c->k->mem_total_kb / 256);
	buf_putc(b, '\n');
	put_mask(b, "SigPnd:", 0);
	put_mask(b, "ShdPnd:", 0);
	put_mask(b, "SigBlk:", 0);
	put_mask(b, "SigIgn:", kthread ? ~0ULL : 0);
	put_mask(b, "SigCgt:", 0);
	put_mask(b, "CapInh:", 0);
	put_mask(b, "CapPrm:", cap);
	put_mask(b, "CapEff:", cap);
	put_mask(b, "CapBnd:", CAP_FULL);
	put_mask(b, "CapAmb:", 0);
	buf_putlit(b, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
		   "Speculation_Store_Bypass:\tvulnerable\n"
		   "SpeculationIndirectBranch:\talways enabled\n");
}

/* Is CPU @cpu in @t's affinity mask?  (The mask covers CPUs 0..63.) */
static bool cpu_allowed(const struct task *t, int cpu)
{
	return cpu >= 64 || !(t->cpus_excluded >> cpu & 1);
}

/* @t's mask of @n CPUs as %*pb: 32-bit groups, high first, ','-separated. */
static void put_cpu_mask(struct buf *b, const struct task *t, int n)
{
	int digits = (n + 3) / 4, d;

	for (d = digits - 1; d >= 0; d--) {
		int v = 0, i;

		for (i = 0; i < 4 && d * 4 + i < n; i++)
			v |= cpu_allowed(t, d * 4 + i) << i;
		buf_putc(b, "0123456789abcdef"[v]);
		if (d && d % 8 == 0)
			buf_putc(b, ',');
	}
}

/* The same as %*pbl: "0-3,6". */
static void put_cpu_list(struct buf *b, const struct task *t, int n)
{
	int cpu = 0, end;
	bool first = true;

	while (cpu < n) {
		if (!cpu_allowed(t, cpu)) {
			cpu++;
			continue;
		}
		for (end = cpu; end + 1 < n && cpu_allowed(t, end + 1); end++)
			;
		if (!first)
			buf_putc(b, ',');
		first = false;
		buf_put_u64(b, (unsigned)cpu);
		if (end > cpu) {
			buf_putc(b, '-');
			buf_put_u64(b, (unsigned)end);
		}
		cpu = end + 1;
	}
}

/* Cpus_allowed through the context switch counts. */
static void status_sched(struct buf *b, const struct render_ctx *c,
			 const struct task *t)
{
	int n = render_nr_cpus(c);
	int i;

	buf_putlit(b, "Cpus_allowed:\t");
	put_cpu_mask(b, t, n);
	buf_putlit(b, "\nCpus_allowed_list:\t");
	put_cpu_list(b, t, n);
	/* MAX_NUMNODES = 1024 on Debian: 32 groups, node 0 only. */
	buf_putlit(b, "\nMems_allowed:\t");
	for (i = 0; i < 31; i++)
		buf_putlit(b, "00000000,");
	buf_putlit(b, "00000001\nMems_allowed_list:\t0\n");
	buf_put_kv_u64(b, "voluntary_ctxt_switches:", t->nvcsw);
	buf_put_kv_u64(b, "nonvoluntary_ctxt_switches:", t->nivcsw);
}

void render_tid_status(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole)
{
	const struct mm_struct *mm = task_proc_mm(t);

	(void)whole;
	status_ids(b, t);
	if (mm)
		status_mem(b, mm);
	status_signals(b, c, t);
	status_sched(b, c, t);
}
