// SPDX-License-Identifier: MIT
/*
 * corebench-watchers: fork+exit+wait loops per second through the core
 * API, as unixbench's spawn does, under each task watcher mechanism.
 *
 * usage: corebench-watchers SAMPLES LOOPS MECH[,MECH...]
 *
 * One kernel per mechanism, all booted up front; each sample runs LOOPS
 * spawn loops on every mechanism in turn, the order rotated each sample,
 * so drift on a busy machine hits all alike.  Both wall time and this
 * thread's CPU time are taken: on a shared 2-core machine the CPU time
 * leaves out the time other programs held the core.  Prints CSV:
 * sample,mechanism,loops,seconds,cpu_seconds,forks_per_s,forks_per_cpu_s
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernel.h"
#include "watchers.h"

#define MAX_MECHS	8

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* unixbench spawn: fork a child that exits at once, wait for it. */
static int spawn_loops(struct kernel *k, int parent, long loops)
{
	int pid, reaped, status, err;

	for (long i = 0; i < loops; i++) {
		err = do_fork(k, parent, 1, &pid);
		if (!err)
			err = do_exit(k, pid, 0);
		if (!err)
			err = do_wait(k, parent, pid, 0, &reaped, &status);
		if (err)
			return err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct kernel k[MAX_MECHS];
	const char *mech[MAX_MECHS];
	int parent[MAX_MECHS], n = 0, samples, err;
	long loops;
	char *list, *tok, *save;

	if (argc != 4 || (samples = atoi(argv[1])) < 1 || (loops = atol(argv[2])) < 1) {
		fprintf(stderr, "usage: %s SAMPLES LOOPS MECH[,MECH...]\n", argv[0]);
		return 2;
	}
	list = strdup(argv[3]);
	for (tok = strtok_r(list, ",", &save); tok && n < MAX_MECHS;
	     tok = strtok_r(NULL, ",", &save)) {
		struct kernel_opts o = { .watchers = tok };

		if (!watch_find_ops(tok)) {
			fprintf(stderr, "corebench-watchers: unknown mechanism '%s'\n", tok);
			return 2;
		}
		err = kernel_init(&k[n], &o);
		/* The spawning parent: a forked copy of init, mm and all. */
		if (!err) {
			world_write_lock(&k[n]);
			err = do_fork(&k[n], 1, 1, &parent[n]);
			world_unlock(&k[n]);
		}
		if (err) {
			fprintf(stderr, "corebench-watchers: boot %s: %s\n", tok, strerror(-err));
			return 1;
		}
		mech[n++] = tok;
	}
	printf("sample,mechanism,loops,seconds,cpu_seconds,forks_per_s,forks_per_cpu_s\n");
	for (int s = 0; s < samples; s++) {
		for (int j = 0; j < n; j++) {
			int m = (s + j) % n;
			double t0, c0, dt, dc;

			world_write_lock(&k[m]);
			t0 = now_s(CLOCK_MONOTONIC);
			c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
			err = spawn_loops(&k[m], parent[m], loops);
			dc = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
			dt = now_s(CLOCK_MONOTONIC) - t0;
			world_unlock(&k[m]);
			if (err) {
				fprintf(stderr, "corebench-watchers: %s: %s\n", mech[m], strerror(-err));
				return 1;
			}
			printf("%d,%s,%ld,%.6f,%.6f,%.2f,%.2f\n", s, mech[m], loops,
			       dt, dc, loops / dt, loops / dc);
		}
	}
	for (int m = 0; m < n; m++)
		kernel_destroy(&k[m]);
	free(list);
	return 0;
}
