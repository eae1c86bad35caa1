// SPDX-License-Identifier: MIT
/*
 * Shared renderer helpers (see render_util.h).
 */
#include <string.h>
#include "render.h"
#include "render_util.h"

/* Digits of @v into the end of @tmp; returns the first digit. */
static char *fmt_u64(char tmp[20], unsigned long long v)
{
	char *p = tmp + 20;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void buf_put_u64(struct buf *b, unsigned long long v)
{
	char tmp[20], *p = fmt_u64(tmp, v);

	buf_put(b, p, (size_t)(tmp + 20 - p));
}

void buf_put_s64(struct buf *b, long long v)
{
	if (v < 0) {
		buf_putc(b, '-');
		buf_put_u64(b, 0ULL - (unsigned long long)v);
		return;
	}
	buf_put_u64(b, (unsigned long long)v);
}

void buf_put_u64_width(struct buf *b, unsigned long long v, int width)
{
	char tmp[20], *p = fmt_u64(tmp, v);
	int n = (int)(tmp + 20 - p);

	for (; n < width; n++)
		buf_putc(b, ' ');
	buf_put(b, p, (size_t)(tmp + 20 - p));
}

static const char hexdig[] = "0123456789abcdef";

void buf_put_hex16(struct buf *b, uint64_t v)
{
	char tmp[16];
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		tmp[i] = hexdig[v & 0xf];
	buf_put(b, tmp, sizeof(tmp));
}

void buf_put_hex(struct buf *b, unsigned long long v, int digits)
{
	char tmp[16], *p = tmp + 16;

	do {
		*--p = hexdig[v & 0xf];
		v >>= 4;
	} while (v);
	while (tmp + 16 - p < digits && p > tmp)
		*--p = '0';
	buf_put(b, p, (size_t)(tmp + 16 - p));
}

void buf_put_kv_u64(struct buf *b, const char *key, unsigned long long v)
{
	buf_puts(b, key);
	buf_putc(b, '\t');
	buf_put_u64(b, v);
	buf_putc(b, '\n');
}

void buf_put_kv_kb(struct buf *b, const char *key, unsigned long kb)
{
	buf_puts(b, key);
	buf_putc(b, '\t');
	buf_put_u64_width(b, kb, 8);
	buf_putlit(b, " kB\n");
}

static const struct task *task_leader(const struct task *t)
{
	return t->group_leader ? t->group_leader : t;
}

/*
 * The parent of the whole group: CLONE_THREAD copies real_parent, so a
 * thread reports its process's parent.  init and kthreadd are children of
 * the idle task, pid 0.
 */
int task_ppid(const struct task *t)
{
	const struct task *l = task_leader(t);

	if (l->tgid <= 2 || !l->real_parent || l->real_parent == l)
		return 0;
	return l->real_parent->tgid;
}

/* ptrace makes the tracer ->parent while ->real_parent stays. */
int task_tracer_pid(const struct task *t)
{
	/* ->ptrace, not parent != real_parent: a parent may trace its child */
	if (t->ptrace && t->parent)
		return t->parent->tgid;
	return 0;
}

/*
 * A zombie leader still counts itself until it is reaped (the kernel drops
 * it from nr_threads in __exit_signal, at release_task), so never print 0.
 */
int task_nr_threads(const struct task *t)
{
	int n = t->signal ? t->signal->nr_threads : 1;

	return n > 0 ? n : 1;
}

const char *task_state_name(char state)
{
	switch (state) {
	case TASK_RUNNING:		return "R (running)";
	case TASK_INTERRUPTIBLE:	return "S (sleeping)";
	case TASK_UNINTERRUPTIBLE:	return "D (disk sleep)";
	case TASK_STOPPED:		return "T (stopped)";
	case TASK_TRACED:		return "t (tracing stop)";
	case EXIT_DEAD:			return "X (dead)";
	case EXIT_ZOMBIE:		return "Z (zombie)";
	case 'P':			return "P (parked)";
	case TASK_IDLE:			return "I (idle)";
	default:			return "R (running)";
	}
}

/*
 * do_task_stat(whole=1) sums over the group; the kernel adds the times of
 * reaped threads from signal_struct, which procsim does not keep, so only
 * the threads still on thread_head count.
 */
void task_times(const struct task *t, bool whole, struct task_times *tt)
{
	const struct task *th;

	if (!whole || !t->signal || list_empty(&t->signal->thread_head)) {
		tt->utime = t->utime;
		tt->stime = t->stime;
		tt->minflt = t->minflt;
		tt->majflt = t->majflt;
		return;
	}
	memset(tt, 0, sizeof(*tt));
	list_for_each_entry(th, &t->signal->thread_head, thread_node) {
		tt->utime += th->utime;
		tt->stime += th->stime;
		tt->minflt += th->minflt;
		tt->majflt += th->majflt;
	}
}

const struct mm_struct *task_proc_mm(const struct task *t)
{
	if (task_is_kthread(t) || t->state == EXIT_ZOMBIE ||
	    t->state == EXIT_DEAD)
		return NULL;
	return t->mm;
}

unsigned long render_pte_kb(unsigned long rss_pages)
{
	return ((rss_pages + 511) / 512 + 10) * 4;
}

void buf_put_col16(struct buf *b, const char *label, unsigned long v, bool kb)
{
	size_t n = strlen(label);

	buf_put(b, label, n);
	for (; n < 16; n++)
		buf_putc(b, ' ');
	buf_put_u64_width(b, v, 8);
	if (kb)
		buf_putlit(b, " kB\n");
	else
		buf_putc(b, '\n');
}

int render_nr_cpus(const struct render_ctx *c)
{
	return c->k->nr_cpus > 0 ? c->k->nr_cpus : 1;
}
