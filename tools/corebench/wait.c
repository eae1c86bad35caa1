// SPDX-License-Identifier: MIT
/*
 * corebench-wait: the experiment of commit 5449162ac001 against procsim's
 * core.  A waiter W already has N children (or N tracees); time one more
 * child's fork, exit and waitpid(W, child), per do_wait strategy.
 *
 *	corebench-wait [--runs R] [--min-ms MS] [--kind children|tracees]
 *		       [--strategy scan|lookup] N...
 *
 * children: W forks C, C exits, W waits for C (C is last on W's list).
 * tracees:  a helper H forks C, W attaches to C, C exits, W (the tracer)
 *	     waits for C, then H reaps it (C is last on W's ptraced list).
 *
 * One CSV row per run on stdout: strategy,kind,n,run,iters,ns_per_op, the
 * thread's CPU time per operation (time spent preempted does not count).
 * Runs alternate strategies inside each N, so both sides see the same
 * machine noise.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernel.h"

struct world {
	struct kernel k;
	int w, h;	/* the waiter and, for tracees, the helper parent */
	bool tracees;
};

static double now_ns(void)
{
	struct timespec ts;

	/* CPU time, not wall: the machine is shared, preemption is not ours */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "corebench-wait: %s: %s\n", what, strerror(-err));
	exit(1);
}

static void check(const char *what, int err)
{
	if (err)
		die(what, err);
}

/* W (and H) forked from init, then N children of W or N tracees of W. */
static void world_init(struct world *wd, const char *strategy, bool tracees,
		       int n)
{
	struct kernel_opts o = { .pid_max = PID_MAX_LIMIT, .wait = strategy };
	int *pids = malloc(sizeof(*pids) * (n + 1));

	if (!pids)
		die("malloc", -12);
	check("kernel_init", kernel_init(&wd->k, &o));
	/* One thread drives the world: hold its lock throughout, as do_* require. */
	world_write_lock(&wd->k);
	wd->tracees = tracees;
	check("fork W", do_fork(&wd->k, 1, 1, &wd->w));
	check("fork H", do_fork(&wd->k, 1, 1, &wd->h));
	if (n)
		check("fork N", do_fork(&wd->k, tracees ? wd->h : wd->w, n, pids));
	for (int i = 0; tracees && i < n; i++)
		check("ptrace N", ptrace_attach(&wd->k, pids[i], wd->w));
	free(pids);
}

/* The measured operation: fork one more, exit it, waitpid it. */
static void one_op(struct world *wd)
{
	struct kernel *k = &wd->k;
	int c, reaped, status;

	if (!wd->tracees) {
		check("fork", do_fork(k, wd->w, 1, &c));
		check("exit", do_exit(k, c, 0));
		check("wait", do_wait(k, wd->w, c, 0, &reaped, &status));
		return;
	}
	check("fork", do_fork(k, wd->h, 1, &c));
	check("ptrace", ptrace_attach(k, c, wd->w));
	check("exit", do_exit(k, c, 0));
	check("tracer wait", do_wait(k, wd->w, c, 0, &reaped, &status));
	check("parent wait", do_wait(k, wd->h, c, 0, &reaped, &status));
}

/* Run for at least @min_ms, at least 20 operations: ns per operation. */
static double timed_run(struct world *wd, double min_ms, long *iters)
{
	double t0 = now_ns(), t;
	long i = 0;

	do {
		for (int j = 0; j < 20; j++, i++)
			one_op(wd);
		t = now_ns();
	} while (t - t0 < min_ms * 1e6);
	*iters = i;
	return (t - t0) / i;
}

int main(int argc, char **argv)
{
	const char *strategies[2] = { "scan", "lookup" }, *kind = "children";
	int nstrat = 2, runs = 5, i;
	double min_ms = 20;
	struct world wd[2];

	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc)
			die(argv[i], -22);
		if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--min-ms"))
			min_ms = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--kind"))
			kind = argv[i + 1];
		else if (!strcmp(argv[i], "--strategy")) {
			strategies[0] = argv[i + 1];
			nstrat = 1;
		} else
			die(argv[i], -22);
	}
	if (strcmp(kind, "children") && strcmp(kind, "tracees"))
		die(kind, -22);
	/*
	 * No fastbins.  With them, whether each fork pays glibc's
	 * malloc_consolidate depends on the heap's history (the same N gave
	 * 0.8 or 1.2 µs from run to run): a cost of the allocator, not of
	 * do_wait, and one that would drown the lookup line's flatness.
	 */
	mallopt(M_MXFAST, 0);
	printf("strategy,kind,n,run,iters,ns_per_op\n");
	for (; i < argc; i++) {
		int n = atoi(argv[i]);

		for (int s = 0; s < nstrat; s++) {
			world_init(&wd[s], strategies[s], !strcmp(kind, "tracees"), n);
			timed_run(&wd[s], min_ms / 4, &(long){ 0 });	/* warm-up */
		}
		for (int r = 0; r < runs; r++)
			for (int s = 0; s < nstrat; s++) {
				long iters;
				double ns = timed_run(&wd[s], min_ms, &iters);

				printf("%s,%s,%d,%d,%ld,%.1f\n", strategies[s],
				       kind, n, r, iters, ns);
				fflush(stdout);
			}
		for (int s = 0; s < nstrat; s++) {
			world_unlock(&wd[s].k);
			kernel_destroy(&wd[s].k);
		}
	}
	return 0;
}
