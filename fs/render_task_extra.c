// SPDX-License-Identifier: MIT
/*
 * Per-task files beyond the ones procps reads: io, limits, oom_score and
 * oom_score_adj, loginuid, sessionid, autogroup, schedstat, stack,
 * smaps_rollup and fdinfo/<fd>.  Values are functions of the task's own
 * counters (fs/proc/base.c and fs/proc/task_mmu.c formats, Linux 6.18).
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "render_clients.h"
#include "render_util.h"
#include "task_files.h"
#include "world_stamp.h"

/* I/O follows CPU time and faults: a task that ran more read more. */
void render_tid_io(struct buf *b, const struct render_ctx *c,
		   const struct task *t, bool whole)
{
	struct task_times tt;
	unsigned long long cpu;

	(void)c;
	task_times(t, whole, &tt);
	cpu = tt.utime + tt.stime;
	buf_printf(b, "rchar: %llu\nwchar: %llu\nsyscr: %llu\nsyscw: %llu\n"
		   "read_bytes: %llu\nwrite_bytes: %llu\ncancelled_write_bytes: 0\n",
		   cpu * 40960 + tt.minflt * 512, cpu * 8192, cpu * 20 + tt.minflt / 4,
		   cpu * 6, (unsigned long long)tt.majflt * 4096, cpu * 4096);
}

/* The process's limits as prlimit set them, else the boot defaults (core/rlimit.c). */
void render_tid_limits(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole)
{
	static const struct { const char *name, *unit; } lim[RLIM_NLIMITS] = {
		{ "Max cpu time", "seconds" }, { "Max file size", "bytes" },
		{ "Max data size", "bytes" }, { "Max stack size", "bytes" },
		{ "Max core file size", "bytes" }, { "Max resident set", "bytes" },
		{ "Max processes", "processes" }, { "Max open files", "files" },
		{ "Max locked memory", "bytes" }, { "Max address space", "bytes" },
		{ "Max file locks", "locks" }, { "Max pending signals", "signals" },
		{ "Max msgqueue size", "bytes" }, { "Max nice priority", NULL },
		{ "Max realtime priority", NULL }, { "Max realtime timeout", "us" },
	};

	(void)whole;
	buf_printf(b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit",
		   "Hard Limit", "Units");
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		struct rlimit r;

		task_rlimit(c->k, t, i, &r);
		buf_printf(b, "%-25s ", lim[i].name);
		if (r.rlim_cur == RLIM_INFINITY)
			buf_printf(b, "%-20s ", "unlimited");
		else
			buf_printf(b, "%-20llu ", (unsigned long long)r.rlim_cur);
		if (r.rlim_max == RLIM_INFINITY)
			buf_printf(b, "%-20s ", "unlimited");
		else
			buf_printf(b, "%-20llu ", (unsigned long long)r.rlim_max);
		if (lim[i].unit)
			buf_printf(b, "%-10s", lim[i].unit);
		buf_putc(b, '\n');
	}
}

/* What systemd units and sshd set (OOMScoreAdjust=). */
static int oom_score_adj(const struct task *t)
{
	const struct task *l = t->group_leader;

	if (!strcmp(l->comm, "systemd-udevd"))
		return -1000;
	if (!strcmp(l->comm, "sshd") && task_files_owner(l) == l)
		return -1000;
	if (!strcmp(l->comm, "dbus-daemon"))
		return -900;
	if (!strcmp(l->comm, "systemd-journal"))
		return -250;
	return 0;
}

void render_tid_oom_score_adj(struct buf *b, const struct render_ctx *c,
			      const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	buf_put_s64(b, oom_score_adj(t));
	buf_putc(b, '\n');
}

/* proc_oom_score: (1000 + badness * 1000 / totalpages) * 2 / 3. */
void render_tid_oom_score(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole)
{
	const struct mm_struct *mm = task_proc_mm(t);
	long total = (long)(c->k->mem_total_kb / 4), points = 0;

	(void)whole;
	if (mm && t->tgid != 1 && oom_score_adj(t) != -1000 && total > 0) {
		struct mm_counts mc;
		long badness;

		mm_counts(mm, &mc);
		badness = (long)mc.rss + (long)render_pte_kb(mc.rss) / 4 +
			  (long)oom_score_adj(t) * total / 1000;
		points = (1000 + badness * 1000 / total) * 2 / 3;
		if (points < 0)
			points = 0;
	}
	buf_put_s64(b, points);
	buf_putc(b, '\n');
}

/* The login session a task belongs to: its pts, or none. */
static bool in_login(const struct task *t)
{
	return !task_is_kthread(t) && t->signal->tty_nr && t->cred.uid >= 1000;
}

void render_tid_loginuid(struct buf *b, const struct render_ctx *c,
			 const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	buf_put_u64(b, in_login(t) ? t->cred.uid : 4294967295U);
}

void render_tid_sessionid(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	buf_put_u64(b, in_login(t) ? (unsigned)(t->signal->tty_nr & 0xff) + 1 :
		    4294967295U);
}

void render_tid_autogroup(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	buf_printf(b, "/autogroup-%d nice 0\n",
		   task_is_kthread(t) ? 0 : t->signal->session);
}

void render_tid_schedstat(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole)
{
	struct task_times tt;
	unsigned long long ns;

	(void)c;
	(void)whole;
	task_times(t, false, &tt);
	ns = (unsigned long long)(tt.utime + tt.stime) * (1000000000ULL / USER_HZ);
	buf_printf(b, "%llu %llu %lu\n", ns, ns / 50, t->nvcsw + t->nivcsw);
}

void render_tid_stack(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	if (t->state == TASK_RUNNING || t->state == EXIT_ZOMBIE || !t->wchan)
		return;
	buf_printf(b, "[<0>] %s+0x1c3/0x4e0\n", t->wchan);
	if (task_is_kthread(t)) {
		buf_putlit(b, "[<0>] kthread+0xfa/0x240\n"
			   "[<0>] ret_from_fork+0x1c1/0x1f0\n"
			   "[<0>] ret_from_fork_asm+0x1a/0x30\n");
	} else {
		buf_putlit(b, "[<0>] do_syscall_64+0x71/0x280\n"
			   "[<0>] entry_SYSCALL_64_after_hwframe+0x76/0x7e\n");
	}
}

/*
 * Real PSS needs each file page's map count: how many mms map that part of
 * that file.  A table from (ino, pgoff) to the number of mms, built by one
 * walk of every mm and kept until the world changes (k->gen).
 */
struct mapcount {
	pthread_mutex_t lock;
	struct world_stamp at;
	uint64_t *keys;
	unsigned *counts;
	size_t cap;			/* a power of two, or 0 */
};

static struct mapcount mapcount = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t vma_key(const struct vm_area_struct *v)
{
	return ((uint64_t)v->ino << 32 ^ v->vm_pgoff) + 1;	/* 0: empty */
}

static size_t slot(const struct mapcount *m, uint64_t key)
{
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool vma_is_file(const struct vm_area_struct *v)
{
	return v->ino && v->name && v->name[0] == '/';
}

static void mapcount_build(struct mapcount *m, const struct kernel *k)
{
	size_t need = 0, cap = 1024;
	struct task *t;
	int pid;

	for (pid = next_tgid(k, 1, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t))
		if (t->mm)
			need += (size_t)t->mm->map_count;
	while (cap < need * 2)
		cap *= 2;
	free(m->keys);
	free(m->counts);
	m->keys = calloc(cap, sizeof(*m->keys));
	m->counts = calloc(cap, sizeof(*m->counts));
	m->cap = m->keys && m->counts ? cap : 0;
	world_stamp_take(&m->at, k);
	if (!m->cap)
		return;
	for (pid = next_tgid(k, 1, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		if (!t->mm || t->state == EXIT_ZOMBIE)
			continue;
		for (const struct vm_area_struct *v = vma_first(t->mm); v;
		     v = vma_next(t->mm, v)) {
			size_t i;

			if (!vma_is_file(v))
				continue;
			i = slot(m, vma_key(v));
			m->keys[i] = vma_key(v);
			m->counts[i]++;
		}
	}
}

void render_tid_smaps_rollup(struct buf *b, const struct render_ctx *c,
			     const struct task *t, bool whole)
{
	const struct mm_struct *mm = task_proc_mm(t);
	const struct vm_area_struct *v, *last = NULL;
	unsigned long rss = 0, anon = 0, shared = 0, priv_file = 0;
	unsigned long pss_file = 0;	/* in 1/1024 kB */

	(void)whole;
	if (!mm || !vma_first(mm))
		return;
	pthread_mutex_lock(&mapcount.lock);
	if (!world_stamp_current(&mapcount.at, c->k) || !mapcount.cap)
		mapcount_build(&mapcount, c->k);
	for (v = vma_first(mm); v; v = vma_next(mm, v)) {
		unsigned long kb = v->rss_pages << (PAGE_SHIFT - 10);
		unsigned n = 1;

		last = v;
		rss += kb;
		if (!vma_is_file(v)) {
			anon += kb;
			continue;
		}
		if (mapcount.cap)
			n = mapcount.counts[slot(&mapcount, vma_key(v))];
		if (n > 1)
			shared += kb;
		else
			priv_file += kb;
		pss_file += (kb << 10) / (n ? n : 1);
	}
	pthread_mutex_unlock(&mapcount.lock);
	buf_put_hex(b, vma_first(mm)->vm_start, 8);
	buf_putc(b, '-');
	buf_put_hex(b, last->vm_end, 8);
	buf_putlit(b, " ---p 00000000 00:00 0                          [rollup]\n");
	buf_put_col16(b, "Rss:", rss, true);
	buf_put_col16(b, "Pss:", anon + (pss_file >> 10), true);
	buf_put_col16(b, "Pss_Dirty:", anon, true);
	buf_put_col16(b, "Pss_Anon:", anon, true);
	buf_put_col16(b, "Pss_File:", pss_file >> 10, true);
	buf_put_col16(b, "Pss_Shmem:", 0, true);
	buf_put_col16(b, "Shared_Clean:", shared, true);
	buf_put_col16(b, "Shared_Dirty:", 0, true);
	buf_put_col16(b, "Private_Clean:", priv_file, true);
	buf_put_col16(b, "Private_Dirty:", anon, true);
	buf_put_col16(b, "Referenced:", rss, true);
	buf_put_col16(b, "Anonymous:", anon, true);
	buf_put_col16(b, "KSM:", 0, true);
	buf_put_col16(b, "LazyFree:", 0, true);
	buf_put_col16(b, "AnonHugePages:", 0, true);
	buf_put_col16(b, "ShmemPmdMapped:", 0, true);
	buf_put_col16(b, "FilePmdMapped:", 0, true);
	buf_put_col16(b, "Shared_Hugetlb:", 0, true);
	buf_put_col16(b, "Private_Hugetlb:", 0, true);
	buf_put_col16(b, "Swap:", 0, true);
	buf_put_col16(b, "SwapPss:", 0, true);
	buf_put_col16(b, "Locked:", 0, true);
}

void render_fdinfo(struct buf *b, const struct render_ctx *c,
		   const struct task *t, int fd)
{
	struct tfile f;

	(void)c;
	if (!task_file(t, fd, &f))
		return;
	buf_printf(b, "pos:\t0\nflags:\t0%o\nmnt_id:\t%d\nino:\t%lu\n",
		   f.flags | (f.type == TF_FILE ? O_LARGEFILE : 0) |
		   (fd > 2 && fd != 255 ? O_CLOEXEC : 0),
		   f.type == TF_SOCK ? 8 : f.type == TF_PIPE ? 14 : 24,
		   f.ino ? f.ino : 5UL + (unsigned long)fd);
}
