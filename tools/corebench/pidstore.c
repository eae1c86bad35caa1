// SPDX-License-Identifier: MIT
/*
 * corebench-pidstore: the pid stores measured in the core, without FUSE.
 * Prints CSV on stdout, one figure a line:
 *	backend,metric,live,value,unit
 * Per backend and live count (pid_max 4194304): alloc+free ns per pair in
 * steady state (allocate a pid, free the oldest: the cyclic cursor walks
 * the whole space), lookup ns, a full next() walk and a next_leader() walk
 * (one leader per ten pids), bytes per live pid; then alloc+free
 * throughput with 1 and 2 threads and lookup throughput of 2 readers with
 * and without a writer, all under the kernel's one rwlock (core/kernel.h).
 *
 * usage: corebench-pidstore [--quick] [--runs N] [BACKEND...]
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pidstore.h"
#include "task.h"

#define LEADER_EVERY	10

/* Two tasks stand for all: the store keeps pointers and asks pid == tgid. */
static struct task leader_task = { .pid = 1, .tgid = 1 };
static struct task thread_task = { .pid = 2, .tgid = 1 };

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "corebench-pidstore: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void out(const char *backend, const char *metric, long live,
		double value, const char *unit)
{
	printf("%s,%s,%ld,%.3f,%s\n", backend, metric, live, value, unit);
}

/* A FIFO of live pids: free the oldest, so the population stays at N. */
struct fifo {
	int *v;
	long head, n, cap;
};

static int fifo_pop(struct fifo *f)
{
	int pid = f->v[f->head];

	f->head = (f->head + 1) % f->cap;
	f->n--;
	return pid;
}

static void fifo_push(struct fifo *f, int pid)
{
	f->v[(f->head + f->n) % f->cap] = pid;
	f->n++;
}

static int alloc_one(struct pid_store *s, long seq)
{
	int pid, err = pid_store_alloc(s, &pid);

	if (err)
		die("pid_store_alloc", err);
	pid_store_install(s, pid, seq % LEADER_EVERY ? &thread_task :
						     &leader_task);
	return pid;
}

static void fill(struct pid_store *s, struct fifo *f, long n)
{
	for (long i = 0; i < n; i++)
		fifo_push(f, alloc_one(s, i));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static volatile uintptr_t sink;	/* keeps the measured loops alive */

static void bench_live(const struct pid_store_ops *ops, long live, long ops_n,
		       int runs)
{
	struct pid_store s;
	struct fifo f = { .cap = live + 1 };
	double churn[16], look[16], walk[16], lwalk[16];
	struct task *t;
	long seq = live;
	int err;

	f.v = malloc(f.cap * sizeof(*f.v));
	if (!f.v)
		die("malloc", -ENOMEM);
	err = pid_store_init(&s, ops, PID_MAX_LIMIT);
	if (err)
		die("pid_store_init", err);
	fill(&s, &f, live);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns();

		for (long i = 0; i < ops_n; i++) {
			fifo_push(&f, alloc_one(&s, seq++));
			pid_store_free(&s, fifo_pop(&f));
		}
		churn[r] = (now_ns() - t0) / ops_n;

		t0 = now_ns();
		for (long i = 0; i < ops_n; i++) {
			long k = xorshift(&rng) % f.n;

			sink += (uintptr_t)pid_store_lookup(&s, f.v[(f.head + k) % f.cap]);
		}
		look[r] = (now_ns() - t0) / ops_n;

		t0 = now_ns();
		for (int pid = pid_store_next(&s, 0, &t); pid >= 0;
		     pid = pid_store_next(&s, pid + 1, &t))
			sink += pid;
		walk[r] = (now_ns() - t0) / 1e6;

		t0 = now_ns();
		for (int pid = pid_store_next_leader(&s, 0, &t); pid >= 0;
		     pid = pid_store_next_leader(&s, pid + 1, &t))
			sink += pid;
		lwalk[r] = (now_ns() - t0) / 1e6;
	}
	out(ops->name, "alloc_free_ns", live, median(churn, runs), "ns/op");
	out(ops->name, "lookup_ns", live, median(look, runs), "ns/op");
	out(ops->name, "iterate_ms", live, median(walk, runs), "ms");
	out(ops->name, "iterate_leaders_ms", live, median(lwalk, runs), "ms");
	out(ops->name, "bytes_per_pid", live,
	    (double)ops->mem_bytes(s.priv) / live, "B");
	pid_store_destroy(&s);
	free(f.v);
	fflush(stdout);
}

/* ---- threads, under the one rwlock of THE LOCKING RULE ---- */

struct shared {
	pthread_rwlock_t lock;
	struct pid_store s;
	long ops_n, live;
	atomic_bool stop;
	atomic_long lookups, writes;
};

static void *churn_thread(void *arg)
{
	struct shared *sh = arg;
	struct fifo f = { .cap = 1025 };
	long seq = 0, i;

	f.v = malloc(f.cap * sizeof(*f.v));
	if (!f.v)
		die("malloc", -ENOMEM);
	for (i = 0; i < sh->ops_n || (sh->ops_n < 0 && !sh->stop); i++) {
		int pid;

		pthread_rwlock_wrlock(&sh->lock);
		pid = alloc_one(&sh->s, seq++);
		pthread_rwlock_unlock(&sh->lock);
		fifo_push(&f, pid);
		if (f.n == 1024) {
			pid = fifo_pop(&f);
			pthread_rwlock_wrlock(&sh->lock);
			pid_store_free(&sh->s, pid);
			pthread_rwlock_unlock(&sh->lock);
		}
	}
	pthread_rwlock_wrlock(&sh->lock);
	while (f.n)
		pid_store_free(&sh->s, fifo_pop(&f));
	pthread_rwlock_unlock(&sh->lock);
	sh->writes += i;
	free(f.v);
	return NULL;
}

static void *lookup_thread(void *arg)
{
	struct shared *sh = arg;
	uint64_t seed = (uintptr_t)&seed | 1;
	long n = 0, found = 0;	/* thread-local: no shared line but the lock's */

	while (!sh->stop) {
		int pid = RESERVED_PIDS + xorshift(&seed) % sh->live;

		pthread_rwlock_rdlock(&sh->lock);
		found += pid_store_lookup(&sh->s, pid) != NULL;
		pthread_rwlock_unlock(&sh->lock);
		n++;
	}
	sh->lookups += n;
	sink += found;
	return NULL;
}

static void shared_init(struct shared *sh, const struct pid_store_ops *ops,
			long live)
{
	struct fifo f = { .cap = live + 1 };
	int err;

	memset(sh, 0, sizeof(*sh));
	pthread_rwlock_init(&sh->lock, NULL);
	err = pid_store_init(&sh->s, ops, PID_MAX_LIMIT);
	if (err)
		die("pid_store_init", err);
	f.v = malloc(f.cap * sizeof(*f.v));
	if (!f.v)
		die("malloc", -ENOMEM);
	sh->s.last_pid = RESERVED_PIDS - 1;	/* the population from 300 on */
	fill(&sh->s, &f, live);
	free(f.v);
	sh->live = live;
}

static void shared_destroy(struct shared *sh)
{
	pid_store_destroy(&sh->s);
	pthread_rwlock_destroy(&sh->lock);
}

/* alloc+free pairs per second, all threads together. */
static double churn_rate(const struct pid_store_ops *ops, int nthreads,
			 long ops_n, long live)
{
	struct shared sh;
	pthread_t th[2];
	double t0, rate;

	shared_init(&sh, ops, live);
	sh.ops_n = ops_n;
	t0 = now_ns();
	for (int i = 0; i < nthreads; i++)
		pthread_create(&th[i], NULL, churn_thread, &sh);
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	rate = nthreads * ops_n / ((now_ns() - t0) / 1e9);
	shared_destroy(&sh);
	return rate;
}

/* Lookups per second of two readers, with or without a writer churning. */
static double lookup_rate(const struct pid_store_ops *ops, bool writer,
			  long live, double seconds, double *write_rate)
{
	struct shared sh;
	pthread_t th[3];
	struct timespec d = { (time_t)seconds,
			      (long)((seconds - (time_t)seconds) * 1e9) };
	double t0, rate;
	int n = 0;

	shared_init(&sh, ops, live);
	sh.ops_n = -1;
	t0 = now_ns();
	for (; n < 2; n++)
		pthread_create(&th[n], NULL, lookup_thread, &sh);
	if (writer)
		pthread_create(&th[n++], NULL, churn_thread, &sh);
	nanosleep(&d, NULL);
	sh.stop = true;
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	rate = sh.lookups / ((now_ns() - t0) / 1e9);
	*write_rate = sh.writes / ((now_ns() - t0) / 1e9);
	shared_destroy(&sh);
	return rate;
}

static void bench_threads(const struct pid_store_ops *ops, bool quick,
			  int runs)
{
	const long live = 10000, ops_n = quick ? 100000 : 500000;
	const double secs = quick ? 0.2 : 0.5;
	double v[5][16], w;

	for (int r = 0; r < runs; r++) {
		v[0][r] = churn_rate(ops, 1, ops_n, live);
		v[1][r] = churn_rate(ops, 2, ops_n / 2, live);
		v[2][r] = lookup_rate(ops, false, live, secs, &w);
		v[3][r] = lookup_rate(ops, true, live, secs, &v[4][r]);
	}
	out(ops->name, "alloc_free_1thread", live, median(v[0], runs), "ops/s");
	out(ops->name, "alloc_free_2threads", live, median(v[1], runs), "ops/s");
	out(ops->name, "lookup_2readers", live, median(v[2], runs), "ops/s");
	out(ops->name, "lookup_2readers_1writer", live, median(v[3], runs),
	    "ops/s");
	/* glibc's rwlock prefers readers: how far does the writer get? */
	out(ops->name, "writer_alloc_free_vs_2readers", live,
	    median(v[4], runs), "ops/s");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const long full_lives[] = { 10000, 100000, 1000000 };
	const struct pid_store_ops *picked[16];
	int npicked = 0, runs = 0;
	bool quick = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = atoi(argv[++i]);
			if (runs < 1 || runs > 16) {
				fprintf(stderr, "corebench-pidstore: --runs 1..16\n");
				return 2;
			}
		} else if (npicked < 16 && pid_store_find_ops(argv[i])) {
			picked[npicked++] = pid_store_find_ops(argv[i]);
		} else {
			fprintf(stderr, "usage: %s [--quick] [--runs N] [BACKEND...]"
				" (unknown '%s')\n", argv[0], argv[i]);
			return 2;
		}
	}
	if (!npicked)
		while (pid_store_backends[npicked]) {
			picked[npicked] = pid_store_backends[npicked];
			npicked++;
		}
	if (!runs)
		runs = quick ? 1 : 3;
	printf("backend,metric,live,value,unit\n");
	for (int b = 0; b < npicked; b++) {
		for (int l = 0; l < (quick ? 2 : 3); l++) {
			long live = quick ? full_lives[l] / 10 : full_lives[l];

			bench_live(picked[b], live, quick ? 20000 : 200000, runs);
		}
		bench_threads(picked[b], quick, runs);
	}
	return 0;
}
