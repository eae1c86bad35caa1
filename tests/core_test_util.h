/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the core unit tests: a kernel with a pinned clock, a
 * dump of the whole world (to prove that a failing operation changed
 * nothing), and a checker of the structural invariants of the task tree.
 *
 * Every helper here keeps to THE LOCKING RULE: tk_new() takes k->lock for
 * writing and tk_free() drops it, so each test body runs as one writer.
 */
#ifndef CORE_TEST_UTIL_H
#define CORE_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "kernel.h"

/* A booted kernel whose clock reads ->now. */
struct tk {
	struct kernel k;
	unsigned long long now;
};

static inline unsigned long long tk_clock(void *arg)
{
	return *(const unsigned long long *)arg;
}

#define TK_BOOT_TICKS	12345ULL

/* The VMA store and fork mode tk_new() boots with, when @o names none. */
static const char *tk_vmastore;
static enum vma_forkdup tk_forkdup;

/* What the tests' bare mms (tk_mm_alloc(), no kernel) are made with. */
static struct mm_config tk_mm_cfg;

/* Set tk_mm_cfg's store, fork mode and layout; -EINVAL as mm_config_check. */
static inline int tk_mm_config(const struct vma_store_ops *ops,
			       enum vma_forkdup forkdup, bool legacy_layout)
{
	struct mm_config c = tk_mm_cfg;

	c.vma_ops = ops;
	c.forkdup = forkdup;
	c.legacy_layout = legacy_layout;
	if (mm_config_check(&c))
		return -EINVAL;
	tk_mm_cfg = c;
	return 0;
}

/* A bare mm with tk_mm_cfg; its names live until the test program ends. */
static inline struct mm_struct *tk_mm_alloc(void)
{
	if (!tk_mm_cfg.names)
		tk_mm_cfg.names = intern_create();
	assert_non_null(tk_mm_cfg.names);
	return mm_alloc(&tk_mm_cfg);
}

/* Boot with @o (NULL: defaults), the clock pinned at TK_BOOT_TICKS. */
static inline struct tk *tk_new(const struct kernel_opts *o)
{
	struct kernel_opts opts;
	struct tk *tk = calloc(1, sizeof(*tk));
	int rc;

	assert_non_null(tk);
	if (o)
		opts = *o;
	else
		memset(&opts, 0, sizeof(opts));
	tk->now = TK_BOOT_TICKS;
	if (!opts.vmastore) {
		opts.vmastore = tk_vmastore;
		opts.forkdup = tk_forkdup;
	}
	opts.clock = tk_clock;
	opts.clock_arg = &tk->now;
	rc = kernel_init(&tk->k, &opts);
	assert_int_equal(rc, 0);
	world_write_lock(&tk->k);
	return tk;
}

static inline struct tk *tk_new_pidmax(int pid_max)
{
	struct kernel_opts o;

	memset(&o, 0, sizeof(o));
	o.pid_max = pid_max;
	return tk_new(&o);
}

static inline void tk_free(struct tk *tk)
{
	if (!tk)
		return;
	world_unlock(&tk->k);
	kernel_destroy(&tk->k);
	free(tk);
}

/* ---- a growable string ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static inline void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap ? b->cap * 2 + (size_t)n : 4096 + (size_t)n;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
}

static inline void sb_hex(struct sbuf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_printf(b, "%02x", (unsigned char)p[i]);
}

/* ---- the world dump ---- */

/* Small ordinals for shared objects, so sharing shows without addresses. */
#define PTR_IDS_SIZE	(1 << 17)
struct ptr_ids {
	const void *p[PTR_IDS_SIZE];
	int id[PTR_IDS_SIZE];
	int n;
};

/* The ordinal of @p; *@fresh tells whether it was seen for the first time. */
static inline int ptr_id2(struct ptr_ids *ids, const void *p, bool *fresh)
{
	size_t h = ((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ULL >> 47;

	*fresh = false;
	if (!p)
		return -1;
	for (h &= PTR_IDS_SIZE - 1; ids->p[h]; h = (h + 1) & (PTR_IDS_SIZE - 1))
		if (ids->p[h] == p)
			return ids->id[h];
	assert_true(ids->n < PTR_IDS_SIZE / 2);
	ids->p[h] = p;
	ids->id[h] = ids->n;
	*fresh = true;
	return ids->n++;
}

static inline int ptr_id(struct ptr_ids *ids, const void *p)
{
	bool fresh;

	return ptr_id2(ids, p, &fresh);
}

static inline int task_pid_or0(const struct task *t)
{
	return t ? t->pid : 0;
}

static inline void dump_mm(struct sbuf *b, const struct mm_struct *mm)
{
	const struct vm_area_struct *v;

	sb_printf(b, "  mm users=%d maps=%d base=%lx code=%lx-%lx data=%lx-%lx"
		  " brk=%lx-%lx stack=%lx arg=%lx-%lx env=%lx-%lx hw=%lu/%lu\n",
		  mm->users, mm->map_count, mm->mmap_base, mm->start_code,
		  mm->end_code, mm->start_data, mm->end_data, mm->start_brk,
		  mm->brk, mm->start_stack, mm->arg_start, mm->arg_end,
		  mm->env_start, mm->env_end, mm->hiwater_vm, mm->hiwater_rss);
	sb_printf(b, "  args=");
	sb_hex(b, mm->args, mm->args ? mm->args_len : 0);
	sb_printf(b, "\n  env=");
	sb_hex(b, mm->env, mm->env ? mm->env_len : 0);
	sb_printf(b, "\n");
	for (v = vma_first(mm); v; v = vma_next(mm, v))
		sb_printf(b, "  vma %lx-%lx f=%lx pg=%lx dev=%x ino=%u rss=%lu %s\n",
			  v->vm_start, v->vm_end, v->vm_flags, v->vm_pgoff,
			  v->dev, v->ino, v->rss_pages, v->name ? v->name : "-");
}

static inline void dump_task(struct sbuf *b, struct ptr_ids *ids,
			     const struct task *t)
{
	const struct signal_struct *sig = t->signal;
	const struct task *c;

	bool mm_fresh;
	int sig_id = ptr_id(ids, sig), mm_id = ptr_id2(ids, t->mm, &mm_fresh);

	sb_printf(b, "task %d tgid=%d st=%c fl=%x comm=%.16s lead=%d rp=%d p=%d"
		  " xc=%d xs=%d nice=%d ut=%lu st=%lu start=%llu flt=%lu/%lu"
		  " cs=%lu/%lu cpu=%u wchan=%s uid=%u/%u/%u/%u gid=%u/%u/%u/%u"
		  " sig#%d mm#%d\n",
		  t->pid, t->tgid, t->state, t->flags, t->comm,
		  task_pid_or0(t->group_leader), task_pid_or0(t->real_parent),
		  task_pid_or0(t->parent), t->exit_code, t->exit_signal,
		  t->nice, t->utime, t->stime, t->start_time, t->minflt,
		  t->majflt, t->nvcsw, t->nivcsw, t->cpu,
		  t->wchan ? t->wchan : "0", t->cred.uid, t->cred.euid,
		  t->cred.suid, t->cred.fsuid, t->cred.gid, t->cred.egid,
		  t->cred.sgid, t->cred.fsgid, sig_id, mm_id);
	if (sig)
		sb_printf(b, "  sig thr=%d pgrp=%d sid=%d tty=%d tpgid=%d gxc=%d"
			  " gx=%d sr=%d cut=%lu cst=%lu\n", sig->nr_threads,
			  sig->pgrp, sig->session, sig->tty_nr, sig->tpgid,
			  sig->group_exit_code, sig->group_exiting,
			  sig->is_child_subreaper, sig->cutime, sig->cstime);
	if (sig)
		sb_printf(b, "  stop fl=%x code=%d fatal=%d pt=%d ptc=%d\n",
			  sig->flags, sig->group_stop_code, sig->pending_fatal,
			  t->ptrace, t->ptrace_code);
	sb_printf(b, "  ptraced:");
	list_for_each_entry(c, &t->ptraced, ptrace_entry)
		sb_printf(b, " %d", c->pid);
	sb_printf(b, "\n");
	sb_printf(b, "  children:");
	list_for_each_entry(c, &t->children, sibling)
		sb_printf(b, " %d", c->pid);
	sb_printf(b, "\n");
	if (mm_fresh)		/* each mm once, where it first appears */
		dump_mm(b, t->mm);
}

/*
 * Everything a failed operation must leave alone: counters, the pid
 * cursor and the rng (a save before and after must be the same bytes),
 * every pid in the store, every process (next_tgid), its threads,
 * children and mm.  Not included: gen counters (a spurious bump is
 * harmless).  Caller frees.
 */
static inline char *world_dump(const struct kernel *k)
{
	struct sbuf b = { 0 };
	struct ptr_ids *ids = calloc(1, sizeof(*ids));
	struct task *t, *th;
	int pid;

	assert_non_null(ids);
	sb_printf(&b, "counters tasks=%lu procs=%lu run=%lu forks=%lu exits=%lu"
		  " used=%lu pid_max=%d init=%d kthreadd=%d\n", k->nr_tasks,
		  k->nr_processes, k->nr_running, k->total_forks,
		  k->total_exits, k->pids.nr_used, k->pids.pid_max,
		  task_pid_or0(k->init_task), task_pid_or0(k->kthreadd));
	sb_printf(&b, "cursor=%d rng=%llx\n", k->pids.last_pid,
		  (unsigned long long)k->rng);
	sb_printf(&b, "store:");
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		sb_printf(&b, " %d=%d/%d", pid, t ? t->pid : -1,
			  t ? t->tgid : -1);
	sb_printf(&b, "\n");
	for (pid = next_tgid(k, 0, &t); pid >= 0;
	     pid = next_tgid(k, pid + 1, &t)) {
		dump_task(&b, ids, t);
		list_for_each_entry(th, &t->signal->thread_head, thread_node)
			if (th != t)
				dump_task(&b, ids, th);
	}
	free(ids);
	sb_printf(&b, "end\n");
	return b.p;
}

/* Fail, showing the first line where @before and the world differ. */
static inline void assert_world_same_(const struct kernel *k,
				      const char *before, const char *file,
				      int line)
{
	char *now = world_dump(k);
	const char *a = before, *c = now;

	if (strcmp(before, now) == 0) {
		free(now);
		return;
	}
	while (*a && *a == *c) {
		const char *na = strchr(a, '\n'), *nc = strchr(c, '\n');

		if (!na || !nc || na - a != nc - c ||
		    memcmp(a, c, (size_t)(na - a)))
			break;
		a = na + 1;
		c = nc + 1;
	}
	print_error("%s:%d: world changed by a failed operation\n"
		    "  before: %.300s\n  after:  %.300s\n", file, line, a, c);
	free(now);
	_fail(file, line);
}

#define assert_world_same(k, before) \
	assert_world_same_((k), (before), __FILE__, __LINE__)

/* ---- structural invariants ---- */

static inline bool list_has_child(const struct task *parent,
				  const struct task *child)
{
	const struct task *c;

	list_for_each_entry(c, &parent->children, sibling)
		if (c == child)
			return true;
	return false;
}

static inline int nr_children(const struct task *parent)
{
	const struct task *c;
	int n = 0;

	list_for_each_entry(c, &parent->children, sibling)
		n++;
	return n;
}

static inline int nr_thread_nodes(const struct task *leader)
{
	const struct task *th;
	int n = 0;

	list_for_each_entry(th, &leader->signal->thread_head, thread_node)
		n++;
	return n;
}

static inline int count_leaders(const struct kernel *k)
{
	struct task *t;
	int pid, n = 0;

	for (pid = next_tgid(k, 0, &t); pid >= 0;
	     pid = next_tgid(k, pid + 1, &t))
		n++;
	return n;
}

/* mm->stat as a walk of the VMAs computes it: the kept totals are right. */
static inline bool vm_stat_matches(const struct mm_struct *mm)
{
	const struct vm_area_struct *v;
	struct mm_counts w;

	memset(&w, 0, sizeof(w));
	for (v = vma_first(mm); v; v = vma_next(mm, v)) {
		unsigned long pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
		bool anon = v->vm_flags & VM_ANON;

		w.total_vm += pages;
		w.rss += v->rss_pages;
		if (!anon)
			w.rss_file += v->rss_pages;
		else if (v->vm_flags & VM_SHARED)
			w.rss_shmem += v->rss_pages;
		else
			w.rss_anon += v->rss_pages;
		if (v->vm_flags & VM_GROWSDOWN)
			w.stack += pages;
		else if ((v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			w.data += pages;
		else if ((v->vm_flags & (VM_EXEC | VM_WRITE)) == VM_EXEC)
			w.exec += pages;
	}
	return !memcmp(&w, &mm->stat, sizeof(w));
}

/* Sorted, disjoint, page-aligned VMAs; map_count and mm->stat match. */
static inline bool vmas_sane(const struct mm_struct *mm)
{
	const struct vm_area_struct *v;
	unsigned long prev_end = 0;
	int n = 0;

	for (v = vma_first(mm); v; v = vma_next(mm, v)) {
		if (v->vm_start >= v->vm_end || v->vm_start < prev_end ||
		    (v->vm_start | v->vm_end) & (PAGE_SIZE - 1) ||
		    v->vm_end > TASK_SIZE)
			return false;
		prev_end = v->vm_end;
		n++;
	}
	return n == mm->map_count && vm_stat_matches(mm);
}

#define inv_check(cond, ...) do {					\
	if (!(cond)) {							\
		print_error("%s:%d: invariant: %s: ", file, line, #cond); \
		print_error(__VA_ARGS__);				\
		print_error("\n");					\
		_fail(file, line);					\
	}								\
} while (0)

/*
 * The tree is consistent: counters match a walk, the store holds exactly
 * the tasks (no leaked reservation), thread groups, children lists and
 * mm user counts agree.
 */
static inline void check_world_(const struct kernel *k, const char *file,
				int line)
{
	unsigned long tasks = 0, procs = 0, running = 0, stored = 0;
	struct task *t, *th, *c;
	int pid;

	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		inv_check(t && t->pid == pid, "store pid %d", pid);
		inv_check(find_task(k, pid) == t, "find_task(%d)", pid);
		stored++;
	}
	for (pid = next_tgid(k, 0, &t); pid >= 0;
	     pid = next_tgid(k, pid + 1, &t)) {
		int live = 0;

		inv_check(t && t->pid == pid, "next_tgid gave %d", pid);
		inv_check(thread_group_leader(t), "next_tgid gave thread %d", pid);
		inv_check(t->group_leader == t, "pid %d", pid);
		inv_check(find_process(k, pid) == t, "find_process(%d)", pid);
		inv_check(list_first_entry(&t->signal->thread_head, struct task,
					   thread_node) == t,
			  "leader %d not first in its thread list", pid);
		procs++;
		list_for_each_entry(th, &t->signal->thread_head, thread_node) {
			inv_check(th->tgid == t->pid && th->group_leader == t &&
				  th->signal == t->signal,
				  "thread %d of %d", th->pid, pid);
			inv_check(find_task(k, th->pid) == th, "tid %d", th->pid);
			inv_check(th->mm == t->mm || t->state == EXIT_ZOMBIE,
				  "thread %d mm differs from leader", th->pid);
			/* CLONE_THREAD: one parent for the whole group */
			inv_check(th->real_parent == t->real_parent,
				  "thread %d real_parent differs from leader %d's",
				  th->pid, pid);
			tasks++;
			if (th->state == TASK_RUNNING)
				running++;
			if (th->state != EXIT_ZOMBIE && th->state != EXIT_DEAD)
				live++;
			if (th->state == EXIT_ZOMBIE)
				inv_check(!th->mm, "zombie %d has an mm", th->pid);
			else if (task_is_kthread(th))
				inv_check(!th->mm, "kthread %d has an mm", th->pid);
			else
				inv_check(th->mm, "user task %d lacks mm", th->pid);
			if (th->mm) {
				int users = 0;
				struct task *o;

				list_for_each_entry(o, &t->signal->thread_head,
						    thread_node)
					users += o->mm == th->mm;
				inv_check(th->mm->users == users,
					  "pid %d mm users %d, sharers %d",
					  th->pid, th->mm->users, users);
				inv_check(vmas_sane(th->mm), "vmas of %d", th->pid);
			}
		}
		if (t->state != EXIT_ZOMBIE)
			inv_check(t->signal->nr_threads == live,
				  "pid %d nr_threads %d, live %d", pid,
				  t->signal->nr_threads, live);
		list_for_each_entry(c, &t->children, sibling) {
			inv_check(c->real_parent == t, "child %d of %d", c->pid, pid);
			inv_check(find_task(k, c->pid) == c, "child %d", c->pid);
		}
		list_for_each_entry(th, &t->signal->thread_head, thread_node) {
			list_for_each_entry(c, &th->ptraced, ptrace_entry)
				inv_check(c->ptrace && c->parent == th,
					  "tracee %d of %d", c->pid, th->pid);
			inv_check(th->ptrace == !list_empty(&th->ptrace_entry) &&
				  (th->ptrace || th->parent == th->real_parent),
				  "ptrace links of %d", th->pid);
		}
		if (t->real_parent) {
			inv_check(list_has_child(t->real_parent, t),
				  "%d missing from children of %d", pid,
				  t->real_parent->pid);
			/* exit_notify hands every child on: no zombie parents */
			inv_check(t->real_parent->state != EXIT_ZOMBIE,
				  "%d has the zombie %d for parent", pid,
				  t->real_parent->pid);
		}
	}
	inv_check(tasks == k->nr_tasks, "walked %lu tasks, nr_tasks %lu",
		  tasks, k->nr_tasks);
	inv_check(stored == tasks, "store holds %lu, walked %lu", stored, tasks);
	inv_check(k->pids.nr_used == tasks, "nr_used %lu, tasks %lu",
		  k->pids.nr_used, tasks);
	inv_check(procs == k->nr_processes, "walked %lu procs, nr_processes %lu",
		  procs, k->nr_processes);
	inv_check(running == k->nr_running, "walked %lu R, nr_running %lu",
		  running, k->nr_running);
}

#define check_world(k) check_world_((k), __FILE__, __LINE__)

/* ---- small conveniences ---- */

static inline int fork1(struct kernel *k, int ppid)
{
	int pid = -1;

	assert_int_equal(do_fork(k, ppid, 1, &pid), 0);
	assert_true(pid > 0);
	return pid;
}

static inline int clone1(struct kernel *k, int pid)
{
	int tid = -1;

	assert_int_equal(do_clone_thread(k, pid, &tid), 0);
	assert_true(tid > 0);
	return tid;
}

/* pid_max - 1 - nr_used: the free pids of a kernel that never wrapped. */
static inline int free_pids_nowrap(const struct kernel *k)
{
	return k->pids.pid_max - 1 - (int)k->pids.nr_used;
}

#endif
