// SPDX-License-Identifier: MIT
/*
 * corebench-vma: the VMA stores' micro-benchmarks, CSV on stdout.
 *
 *   corebench-vma str02 STORE THREADS STEP
 *	test_str02: one process creates THREADS threads (an 8 MiB stack and
 *	a PROT_NONE guard page each); a row per STEP threads:
 *	str02,STORE,threads_so_far,ns_per_thread_in_this_step,map_count
 *   corebench-vma frag STORE VMAS OPS
 *	mmap/munmap churn with mixed sizes at a steady VMAS mappings:
 *	frag,STORE,vmas,ns_per_op (one munmap + one mmap),vmas_mapped
 *   corebench-vma forkdup STORE insert|bulk VMAS SECONDS
 *	fork+exit+wait of a process with VMAS VMAs for SECONDS; then the
 *	address-space copy alone (dup_mm) and a memcpy of as many bytes:
 *	forkdup,STORE,DUP,vmas,forks_per_s,dup_us,copy_bytes,memcpy_us
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../core/kernel.h"

/* CPU time: the machine is shared, and descheduled time is not ours. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "corebench-vma: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void boot(struct kernel *k, const char *store, enum vma_forkdup dup,
		 int max_map_count)
{
	struct kernel_opts o = { .vmastore = store, .forkdup = dup,
				 .max_map_count = max_map_count, .seed = 42,
				 .pid_max = PID_MAX_LIMIT };	/* 100,000 threads */
	int err = kernel_init(k, &o);

	if (err)
		die(store, err);
	/* One thread drives the world: hold its lock throughout, as do_* require. */
	world_write_lock(k);
}

static int fork_one(struct kernel *k, int ppid)
{
	int pid, err = do_fork(k, ppid, 1, &pid);

	if (err)
		die("fork", err);
	return pid;
}

static int str02(const char *store, int threads, int step)
{
	struct kernel k;
	int pid, tid, err;

	boot(&k, store, FORKDUP_INSERT, 2 * threads + 1000);
	pid = fork_one(&k, 1);
	for (int done = 0; done < threads;) {
		int n = threads - done < step ? threads - done : step;
		double t0 = now_s();

		for (int i = 0; i < n; i++)
			if ((err = do_clone_thread(&k, pid, &tid)))
				die("clone", err);
		done += n;
		printf("str02,%s,%d,%.1f,%d\n", store, done,
		       (now_s() - t0) * 1e9 / n, find_task(&k, pid)->mm->map_count);
		fflush(stdout);
	}
	world_unlock(&k);
	kernel_destroy(&k);
	return 0;
}

static uint64_t rng = 88172645463325252ULL;

static unsigned long rnd(unsigned long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)(rng % n);
}

/* Mixed sizes: mostly small, some medium, a few large (malloc's arenas). */
static unsigned long frag_len(void)
{
	unsigned long r = rnd(100);

	return (r < 70 ? 1 + rnd(8) : r < 95 ? 16 + rnd(64) : 256 + rnd(512))
	       << PAGE_SHIFT;
}

static int frag(const char *store, int vmas, int ops)
{
	struct kernel k;
	struct mm_struct *mm;
	unsigned long *addr = calloc(vmas, sizeof(*addr)), *len = calloc(vmas, sizeof(*len));
	int pid, err, base;
	double t0;

	boot(&k, store, FORKDUP_INSERT, 4 * vmas + 1000);
	pid = fork_one(&k, 1);
	mm = find_task(&k, pid)->mm;
	base = mm->map_count;
	/* Alternate protections so that no two mappings merge. */
	for (int i = 0; i < vmas; i++) {
		len[i] = frag_len();
		if ((err = do_mmap(&k, pid, 0, len[i], i & 1 ? PROT_READ : PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, &addr[i])))
			die("mmap", err);
	}
	t0 = now_s();
	for (int i = 0; i < ops; i++) {
		int j = (int)rnd(vmas);

		if ((err = do_munmap(&k, pid, addr[j], len[j])))
			die("munmap", err);
		len[j] = frag_len();
		if ((err = do_mmap(&k, pid, 0, len[j], j & 1 ? PROT_READ : PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, &addr[j])))
			die("mmap", err);
	}
	printf("frag,%s,%d,%.1f,%d\n", store, vmas, (now_s() - t0) * 1e9 / ops,
	       mm->map_count - base);
	world_unlock(&k);
	kernel_destroy(&k);
	free(addr);
	free(len);
	return 0;
}

/* Bring @pid to exactly @vmas VMAs: drop from the bottom, or add pages. */
static void set_vmas(struct kernel *k, int pid, int vmas)
{
	struct mm_struct *mm = find_task(k, pid)->mm;
	unsigned long out;
	int err, i = 0;

	while (mm->map_count > vmas) {
		struct vm_area_struct *v = vma_first(mm);

		if ((err = do_munmap(k, pid, v->vm_start, v->vm_end - v->vm_start)))
			die("munmap", err);
	}
	while (mm->map_count < vmas) {
		if ((err = do_mmap(k, pid, 0, PAGE_SIZE, i++ & 1 ? PROT_READ : PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS, &out)))
			die("mmap", err);
	}
}

static int forkdup(const char *store, const char *dupname, int vmas, double secs)
{
	enum vma_forkdup dup = strcmp(dupname, "bulk") ? FORKDUP_INSERT : FORKDUP_BULK;
	struct kernel k;
	struct mm_struct *mm;
	long forks = 0, dups = 0, copies = 0;
	size_t bytes;
	char *src, *dst;
	double t0, fork_s, dup_s, copy_s;

	int pid, child, reaped, status, err;

	boot(&k, store, dup, vmas + 1000);
	pid = fork_one(&k, 1);
	set_vmas(&k, pid, vmas);
	mm = find_task(&k, pid)->mm;
	/* unixbench spawn: fork, the child exits, the parent reaps it. */
	t0 = now_s();
	do {
		child = fork_one(&k, pid);
		if ((err = do_exit(&k, child, 0)) ||
		    (err = do_wait(&k, pid, child, 0, &reaped, &status)))
			die("exit/wait", err);
		forks++;
	} while ((fork_s = now_s() - t0) < secs);
	/* The copy alone (its free not counted), then a memcpy of as much. */
	dup_s = 0;
	do {
		double t1 = now_s();
		struct mm_struct *c = dup_mm(mm);

		if (!c)
			die("dup_mm", -ENOMEM);
		dup_s += now_s() - t1;
		mmput(c);
		dups++;
	} while (dup_s < secs / 2);
	bytes = mm_store_bytes(mm) + (size_t)vmas * sizeof(struct vm_area_struct);
	src = malloc(bytes);
	dst = malloc(bytes);
	memset(src, 1, bytes);
	memset(dst, 2, bytes);
	t0 = now_s();
	do {
		memcpy(dst, src, bytes);
		__asm__ volatile("" : : "r"(dst) : "memory");
		copies++;
	} while ((copy_s = now_s() - t0) < secs / 4);
	printf("forkdup,%s,%s,%d,%.1f,%.3f,%zu,%.3f\n", store, dupname, vmas,
	       forks / fork_s, dup_s * 1e6 / dups, bytes, copy_s * 1e6 / copies);
	free(src);
	free(dst);
	world_unlock(&k);
	kernel_destroy(&k);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "str02"))
		return str02(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "frag"))
		return frag(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "forkdup"))
		return forkdup(argv[2], argv[3], atoi(argv[4]), atof(argv[5]));
	fprintf(stderr, "usage: corebench-vma str02 STORE THREADS STEP\n"
		"       corebench-vma frag STORE VMAS OPS\n"
		"       corebench-vma forkdup STORE insert|bulk VMAS SECONDS\n");
	return 2;
}
