// SPDX-License-Identifier: MIT
/*
 * corebench-populate: what populate costs in the core alone, in time and in
 * memory, without the daemon (issue 16: a million processes in <= 3 s and
 * <= 3 KB each).
 *
 *	corebench-populate [--vmastore NAME] [--layouts K] N
 *
 * Boots one kernel, populates N processes and prints one CSV row:
 * vmastore,n,tasks,populate_ms,cpu_ms,rss_bytes,bytes_per_process
 * (wall and CPU time of populate; RSS is this process's growth over
 * populate, so it counts the allocator's overhead as the daemon pays it).
 * One N per process: a freed world's memory stays with the allocator.
 * --layouts: kernel_opts.populate_layouts (0 the default, -1 no sharing).
 */
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

int main(int argc, char **argv)
{
	struct kernel_opts o = { .pid_max = PID_MAX_LIMIT, .vmastore = "list", .seed = 42 };
	struct kernel k;
	double w0, c0, w1, c1;
	long r0, r1;
	int i = 1, n, err;

	for (; i + 2 < argc; i += 2) {
		if (!strcmp(argv[i], "--vmastore"))
			o.vmastore = argv[i + 1];
		else if (!strcmp(argv[i], "--layouts"))
			o.populate_layouts = atoi(argv[i + 1]);
		else
			break;
	}
	if (i + 1 != argc || (n = atoi(argv[i])) < 1) {
		fprintf(stderr, "usage: corebench-populate [--vmastore NAME] [--layouts K] N\n");
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
	return 0;
}
