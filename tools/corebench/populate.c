// SPDX-License-Identifier: MIT
/*
 * corebench-populate: what populate costs in the core alone, in time and in
 * memory, without the daemon (issue 16: a million processes in <= 3 s and
 * <= 3 KB each).
 *
 *	corebench-populate [--vmastore NAME] [--layouts K] [--breakdown] N
 *
 * Boots one kernel, populates N processes and prints one CSV row:
 * vmastore,n,tasks,populate_ms,cpu_ms,rss_bytes,bytes_per_process
 * (wall and CPU time of populate; RSS is this process's growth over
 * populate, so it counts the allocator's overhead as the daemon pays it).
 * One N per process: a freed world's memory stays with the allocator.
 * --layouts: kernel_opts.populate_layouts (0 the default, -1 no sharing).
 * --breakdown: then where the bytes went, per kind of object, as malloc
 * holds them (usable size + its 8-byte header), on stderr.
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernel.h"

static double ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, rss = 0;

	if (!f || fscanf(f, "%ld %ld", &size, &rss) != 2)
		rss = 0;
	if (f)
		fclose(f);
	return rss * 4096;
}

/* What malloc holds for @p: its usable size and the chunk header. */
static size_t held(const void *p)
{
	return p ? malloc_usable_size((void *)p) + sizeof(size_t) : 0;
}

struct kind {
	const char *name;
	unsigned long n;
	size_t bytes;
};

enum { K_TASK, K_SIGNAL, K_MM, K_ROOT, K_VMA, K_ARGS, K_TROOT, K_TVMA,
       K_TARGS, K_PIDS, NR_KINDS };

static void add(struct kind *k, const void *p)
{
	k->n++;
	k->bytes += held(p);
}

/* One mm's store and strings; list-store VMAs and root are malloc blocks. */
static void add_mm_store(struct kind *kinds, const struct mm_struct *mm,
			 int root, int vma, int args)
{
	const struct vm_area_struct *v;

	add(&kinds[root], mm->vma_root);
	kinds[root].bytes += mm_store_bytes(mm) > held(mm->vma_root) ?
			     mm_store_bytes(mm) - held(mm->vma_root) : 0;
	for (v = vma_first(mm); v; v = vma_next(mm, v))
		add(&kinds[vma], v);
	add(&kinds[args], mm->args);
	add(&kinds[args], mm->env);
}

static bool seen_tmpl(const struct mm_struct **seen, size_t *nr,
		      const struct mm_struct *t)
{
	for (size_t i = 0; i < *nr; i++)
		if (seen[i] == t)
			return true;
	seen[(*nr)++] = t;
	return false;
}

static void breakdown(struct kernel *k, long rss, int n)
{
	static const char *const names[NR_KINDS] = {
		"task_struct", "signal_struct (+rlimits)", "mm_struct",
		"VMA store root, private", "VMAs, private", "args+env, private",
		"VMA store root, templates", "VMAs, templates",
		"args+env, templates", "pid store",
	};
	struct kind kinds[NR_KINDS];
	static const struct mm_struct *seen[1 << 16];
	size_t nr_seen = 0, sum = 0;
	struct task *t, *th;

	for (int i = 0; i < NR_KINDS; i++)
		kinds[i] = (struct kind){ .name = names[i] };
	for (int pid = next_tgid(k, 0, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		add(&kinds[K_SIGNAL], t->signal);
		kinds[K_SIGNAL].bytes += held(t->signal->rlim);
		list_for_each_entry(th, &t->signal->thread_head, thread_node)
			add(&kinds[K_TASK], th);
		if (!t->mm)
			continue;
		add(&kinds[K_MM], t->mm);
		if (!mm_shared(t->mm))
			add_mm_store(kinds, t->mm, K_ROOT, K_VMA, K_ARGS);
		else if (nr_seen < sizeof(seen) / sizeof(*seen) &&
			 !seen_tmpl(seen, &nr_seen, t->mm->cow_src))
			add_mm_store(kinds, t->mm->cow_src, K_TROOT, K_TVMA, K_TARGS);
	}
	kinds[K_PIDS].n = k->nr_tasks;
	kinds[K_PIDS].bytes = pid_store_mem_bytes(&k->pids);
	fprintf(stderr, "kind,objects,bytes,bytes_per_process\n");
	for (int i = 0; i < NR_KINDS; i++) {
		fprintf(stderr, "%s,%lu,%zu,%.0f\n", kinds[i].name, kinds[i].n,
			kinds[i].bytes, (double)kinds[i].bytes / n);
		sum += kinds[i].bytes;
	}
	fprintf(stderr, "rest (RSS growth - the above),,%ld,%.0f\n",
		rss - (long)sum, (double)(rss - (long)sum) / n);
}

int main(int argc, char **argv)
{
	struct kernel_opts o = { .pid_max = PID_MAX_LIMIT, .vmastore = "list", .seed = 42 };
	struct kernel k;
	double w0, c0, w1, c1;
	long r0, r1;
	int i = 1, n, err;
	bool bd = false;

	for (; i + 2 < argc; i += 2) {
		if (!strcmp(argv[i], "--vmastore"))
			o.vmastore = argv[i + 1];
		else if (!strcmp(argv[i], "--layouts"))
			o.populate_layouts = atoi(argv[i + 1]);
		else
			break;
	}
	if (i + 2 == argc && !strcmp(argv[i], "--breakdown")) {
		bd = true;
		i++;
	}
	if (i + 1 != argc || (n = atoi(argv[i])) < 1) {
		fprintf(stderr, "usage: corebench-populate [--vmastore NAME] "
			"[--layouts K] [--breakdown] N\n");
		return 2;
	}
	if ((err = kernel_init(&k, &o))) {
		fprintf(stderr, "corebench-populate: kernel_init: %s\n", strerror(-err));
		return 1;
	}
	r0 = rss_bytes();
	w0 = ms(CLOCK_MONOTONIC);
	c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
	err = populate(&k, n);
	c1 = ms(CLOCK_PROCESS_CPUTIME_ID);
	w1 = ms(CLOCK_MONOTONIC);
	r1 = rss_bytes();
	if (err) {
		fprintf(stderr, "corebench-populate: populate: %s\n", strerror(-err));
		return 1;
	}
	printf("vmastore,n,tasks,populate_ms,cpu_ms,rss_bytes,bytes_per_process\n");
	printf("%s,%d,%lu,%.1f,%.1f,%ld,%.0f\n", o.vmastore, n, (unsigned long)k.nr_tasks,
	       w1 - w0, c1 - c0, r1 - r0, (double)(r1 - r0) / n);
	if (bd)
		breakdown(&k, r1 - r0, n);
	kernel_destroy(&k);
	return 0;
}
