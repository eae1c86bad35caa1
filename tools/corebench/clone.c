// SPDX-License-Identifier: MIT
/*
 * corebench-clone: seed 003's pthread_create/join loop, in the core.
 * T threads, each the task of its own process, loop do_clone (CLONE_THREAD,
 * the stack from NPTL's cache: nothing mapped) then do_exit_thread (the
 * thread goes and reaps itself, as a joined thread does), each op under the
 * world lock held for reading (the converted paths; --world write: the old
 * behaviour, each op under the world lock held for writing).
 * --cycle fork: do_fork, do_exit, do_wait of the child instead.
 *
 * --inflight W: each writer keeps W threads out, joining the oldest
 * (pids then share leaves, as a busy machine's do).
 *
 * Prints CSV: backend,pidlock,world,cycle,inflight,threads,metric,value
 *   ops_s         one run's cycles per second (--repeats runs)
 *   acq_per_op, hold_ns, wait_ns, max_wait_ns (pidmap_lock, per op;
 *                 hold_ns from the holds the holder was not preempted in,
 *                 scaled to every hold; preempted_holds: how many not)
 *   alloc_calls   allocator calls of the pid store per pid allocated
 *                 (one extra run with pidmap_lock timed)
 * --readers N: N reader threads besides the writers, each looping
 *   world-read-lock, rcu, find_task of a live pid, a 50-leader next_tgid
 *   walk reading pid/tgid/comm; prints reader_max_us, reader_p99_us (a
 *   whole read), reader_lock_wait_max_us and _p999_us (in the world's
 *   rdlock alone),
 *   reader_ops_s.
 *
 * --pidlock takes twice, once, twice/shard, once/shard: "/shard" gives
 * each shard of a sharded backend its own pidmap_lock (pidlock_shards).
 *
 * usage: corebench-clone [--secs S] [--repeats R] [--threads 1,2,4]
 *        [--pidlock twice,once] [--world read|write] [--cycle thread|fork]
 *        [--readers N] [--inflight W] [BACKEND...]
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernel.h"
#include "rcu.h"

#define MAX_THREADS	64
#define MAX_SAMPLES	(1 << 20)

static double secs = 0.4;
static int repeats = 3, nreaders, inflight = 1;
static bool world_write, cycle_fork;
static const char *cur_backend, *cur_pidlock;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "corebench-clone: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void out(int threads, const char *metric, double v)
{
	printf("%s,%s,%s,%s,%d,%d,%s,%.3f\n", cur_backend, cur_pidlock,
	       world_write ? "write" : "read", cycle_fork ? "fork" : "thread",
	       inflight, threads, metric, v);
}

struct run {
	struct kernel k;
	atomic_bool stop;
	atomic_int ready;
	int pids[MAX_THREADS];		/* each writer's own process */
	long ops[MAX_THREADS];
	/* readers */
	double *lat[MAX_THREADS];
	long nlat[MAX_THREADS];
	double *wait[MAX_THREADS];		/* ns in rdlock of the world */
};

struct arg {
	struct run *r;
	int i;
};

static void world_lock(struct kernel *k)
{
	if (world_write)
		world_write_lock(k);
	else
		world_read_lock(k);
}

static void locked(struct kernel *k, const char *what, int err)
{
	world_unlock(k);
	if (err)
		die(what, err);
}

/* --cycle fork: one child forked, exited and reaped. */
static void fork_cycle(struct kernel *k, int pid)
{
	int child, st, reaped;

	world_lock(k);
	locked(k, "do_fork", do_fork(k, pid, 1, &child));
	world_lock(k);
	locked(k, "do_exit", do_exit(k, child, 0));
	world_lock(k);
	locked(k, "do_wait", do_wait(k, pid, child, 0, &reaped, &st));
}

/*
 * pthread_create, then pthread_join of the oldest once @inflight threads
 * are out (1: create and join at once, the seed's loop).
 */
static void thread_cycle(struct kernel *k, int pid, int *ring, long n)
{
	int tid;

	world_lock(k);
	locked(k, "do_clone", do_clone(k, pid, &tid));
	if (n >= inflight - 1) {
		int old = inflight > 1 ? ring[(n - (inflight - 1)) % inflight] : tid;

		world_lock(k);
		locked(k, "do_exit_thread", do_exit_thread(k, old, 0));
	}
	ring[n % inflight] = tid;
}

static void *writer(void *p)
{
	struct arg *a = p;
	struct run *r = a->r;
	int *ring = calloc(inflight, sizeof(int));
	long n = 0;

	if (!ring)
		die("calloc", -ENOMEM);
	r->ready++;
	while (!r->stop) {
		for (int j = 0; j < 64; j++, n++)
			if (cycle_fork)
				fork_cycle(&r->k, r->pids[a->i]);
			else
				thread_cycle(&r->k, r->pids[a->i], ring, n);
	}
	r->ops[a->i] = n;
	free(ring);
	return NULL;
}

static volatile uintptr_t sink;

static void *reader(void *p)
{
	struct arg *a = p;
	struct run *r = a->r;
	struct kernel *k = &r->k;
	uint64_t x = 0x9e3779b97f4a7c15ULL + a->i;
	long n = 0;

	r->lat[a->i] = malloc(MAX_SAMPLES * sizeof(double));
	r->wait[a->i] = malloc(MAX_SAMPLES * sizeof(double));
	if (!r->lat[a->i] || !r->wait[a->i])
		die("malloc", -ENOMEM);
	r->ready++;
	while (!r->stop && n < MAX_SAMPLES) {
		double t0 = now_ns();
		struct task *t;
		int pid;

		world_read_lock(k);
		r->wait[a->i][n] = now_ns() - t0;
		core_rcu_read_lock();
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = find_task(k, r->pids[x % MAX_THREADS % 2]);
		sink += t ? (uintptr_t)t->tgid : 0;
		pid = next_tgid(k, 0, &t);
		for (int j = 0; j < 50 && pid >= 0; j++) {
			sink += (uintptr_t)t->tgid + (uintptr_t)t->comm[0];
			pid = next_tgid(k, pid + 1, &t);
		}
		core_rcu_read_unlock();
		world_unlock(k);
		r->lat[a->i][n++] = now_ns() - t0;
	}
	r->nlat[a->i] = n;
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run: boot, one process per writer, run for secs; ops/s returned. */
static double run_once(int threads, bool timing, struct run *r)
{
	char mode[16];
	struct kernel_opts o = {
		.pidstore = cur_backend, .pidlock = mode,
		.pidlock_shards = strstr(cur_pidlock, "/shard") != NULL,
		.pidlock_timing = timing, .concurrent = true,
		.watchers = "none", .pid_max = PID_MAX_LIMIT,
	};
	pthread_t th[MAX_THREADS * 2];
	struct arg args[MAX_THREADS * 2];
	long total = 0;
	double t0, t1;
	int err, n = 0;

	snprintf(mode, sizeof(mode), "%.*s", (int)strcspn(cur_pidlock, "/"),
		 cur_pidlock);
	memset(r, 0, sizeof(*r));
	err = kernel_init(&r->k, &o);
	if (err)
		die("kernel_init", err);
	world_write_lock(&r->k);
	for (int i = 0; i < threads; i++) {
		err = do_fork(&r->k, 1, 1, &r->pids[i]);
		if (err)
			die("do_fork", err);
	}
	world_unlock(&r->k);
	for (int i = threads; i < MAX_THREADS; i++)
		r->pids[i] = r->pids[i % threads];
	memset(&r->k.pids.stats, 0, sizeof(r->k.pids.stats));
	for (unsigned i = 0; i < r->k.pids.nr_shards; i++)
		memset(&r->k.pids.shard[i].stats, 0, sizeof(r->k.pids.shard[i].stats));
	for (int i = 0; i < threads; i++) {
		args[n] = (struct arg){ r, i };
		pthread_create(&th[n], NULL, writer, &args[n]);
		n++;
	}
	for (int i = 0; i < nreaders; i++) {
		args[n] = (struct arg){ r, i };
		pthread_create(&th[n], NULL, reader, &args[n]);
		n++;
	}
	while (r->ready < n)
		;
	t0 = now_ns();
	{
		struct timespec d = { (time_t)secs,
				      (long)((secs - (time_t)secs) * 1e9) };
		nanosleep(&d, NULL);
	}
	r->stop = true;
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	for (int i = 0; i < threads; i++)
		total += r->ops[i];
	return total / ((t1 - t0) / 1e9);
}

/* Sort @nr readers' samples of @v into one array; its length in *@n. */
static double *gather(double **v, const long *nr, int readers, long *n)
{
	double *all;

	*n = 0;
	for (int i = 0; i < readers; i++)
		*n += nr[i];
	all = malloc((*n ? *n : 1) * sizeof(*all));
	if (!all)
		die("malloc", -ENOMEM);
	*n = 0;
	for (int i = 0; i < readers; i++) {
		memcpy(all + *n, v[i], nr[i] * sizeof(*all));
		*n += nr[i];
		free(v[i]);
	}
	qsort(all, *n, sizeof(*all), cmp_double);
	return all;
}

static void reader_report(int threads, struct run *r)
{
	long n;
	double *v = gather(r->wait, r->nlat, nreaders, &n);

	if (n) {
		out(threads, "reader_lock_wait_max_us", v[n - 1] / 1e3);
		out(threads, "reader_lock_wait_p999_us", v[n * 999 / 1000] / 1e3);
	}
	free(v);
	v = gather(r->lat, r->nlat, nreaders, &n);
	if (n) {
		out(threads, "reader_max_us", v[n - 1] / 1e3);
		out(threads, "reader_p99_us", v[n * 99 / 100] / 1e3);
		out(threads, "reader_ops_s", n / secs);
	}
	free(v);
}

static void cell(int threads)
{
	static struct run r;
	double ops = 0;

	for (int rep = 0; rep < repeats; rep++) {
		ops = run_once(threads, false, &r);
		out(threads, "ops_s", ops);
		if (nreaders)
			reader_report(threads, &r);
		kernel_destroy(&r.k);
	}
	if (nreaders)
		return;
	/* The timed run: pidmap_lock's hold and wait, the allocator calls. */
	ops = run_once(threads, true, &r);
	{
		struct pid_lock_stats sum, *st = &sum;
		long total = 0, calls0 = 0, calls;

		pid_store_lock_stats(&r.k.pids, &sum);
		for (int i = 0; i < threads; i++)
			total += r.ops[i];
		calls = pid_store_alloc_calls(&r.k.pids);
		(void)calls0;
		if (total) {
			out(threads, "timed_ops_s", ops);
			out(threads, "acq_per_op", (double)st->acquired / total);
			out(threads, "hold_ns", (double)st->hold_ns /
			    (st->acquired - st->preempted) * st->acquired / total);
			out(threads, "preempted_holds", (double)st->preempted);
			out(threads, "wait_ns", (double)st->wait_ns / total);
			out(threads, "max_wait_ns", (double)st->max_wait_ns);
			if (calls >= 0 && st->allocs)
				out(threads, "alloc_calls", (double)calls / st->allocs);
		}
	}
	kernel_destroy(&r.k);
}

static int parse_list(const char *s, int *v, int max)
{
	int n = 0;

	while (*s && n < max) {
		v[n++] = atoi(s);
		s = strchr(s, ',');
		if (!s)
			break;
		s++;
	}
	return n;
}

int main(int argc, char **argv)
{
	int threads[16] = { 1, 2, 4 }, nthreads = 3, nb = 0;
	const char *pidlocks = "twice,once", *backends[16];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			secs = atof(argv[++i]);
		else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
			repeats = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nthreads = parse_list(argv[++i], threads, 16);
		else if (!strcmp(argv[i], "--pidlock") && i + 1 < argc)
			pidlocks = argv[++i];
		else if (!strcmp(argv[i], "--world") && i + 1 < argc)
			world_write = !strcmp(argv[++i], "write");
		else if (!strcmp(argv[i], "--cycle") && i + 1 < argc)
			cycle_fork = !strcmp(argv[++i], "fork");
		else if (!strcmp(argv[i], "--readers") && i + 1 < argc)
			nreaders = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--inflight") && i + 1 < argc)
			inflight = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
		else if (argv[i][0] != '-' && nb < 16)
			backends[nb++] = argv[i];
		else {
			fprintf(stderr, "usage: corebench-clone [--secs S] [--repeats R] "
				"[--threads 1,2,4] [--pidlock twice,once] [--world read|write] "
				"[--cycle thread|fork] [--readers N] [--inflight W] [BACKEND...]\n");
			return 2;
		}
	}
	if (!nb)
		for (int i = 0; pid_store_backends[i] && nb < 16; i++)
			backends[nb++] = pid_store_backends[i]->name;
	for (int b = 0; b < nb; b++) {
		char modes[64], *save = NULL;

		const struct pid_store_ops *ops = pid_store_find_ops(backends[b]);

		if (!ops)
			die(backends[b], -EINVAL);
		cur_backend = backends[b];
		snprintf(modes, sizeof(modes), "%s", pidlocks);
		for (char *m = strtok_r(modes, ",", &save); m;
		     m = strtok_r(NULL, ",", &save)) {
			cur_pidlock = m;
			if (strstr(m, "/shard") && !ops->nr_shards)
				continue;	/* no shards to lock apart */
			for (int t = 0; t < nthreads; t++) {
				if (threads[t] < 1 || threads[t] > MAX_THREADS)
					die("--threads", -EINVAL);
				cell(threads[t]);
			}
			fflush(stdout);
		}
	}
	return 0;
}
