// SPDX-License-Identifier: MIT
/*
 * corebench-snapshot: what save and restore cost, against the other way to
 * get a world: building it again with populate.
 *
 *	corebench-snapshot [--runs R] [--vmastore NAME] N...
 *
 * For each N, R runs; each run boots a kernel, populates N processes
 * (timed), saves it (timed), loads the bytes into a second kernel (timed,
 * kernel_load's full build-and-swap) and checks that the loaded world saves
 * to the same bytes.  One CSV row per run on stdout:
 * vmastore,n,run,tasks,bytes,populate_ms,save_ms,load_ms (CPU time of this
 * thread, so time spent preempted does not count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernel.h"
#include "snapshot.h"

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void check(const char *what, int err, const char *why)
{
	if (err) {
		fprintf(stderr, "corebench-snapshot: %s: %s %s\n", what,
			strerror(-err), why ? why : "");
		exit(1);
	}
}

static void one_run(const char *store, int n, int run)
{
	struct kernel_opts o = { .pid_max = PID_MAX_LIMIT, .vmastore = store,
				 .seed = 42 + run };
	struct kernel a, b;
	char why[SNAPSHOT_WHY_LEN] = "";
	void *data, *again;
	size_t len, len2;
	double t0, t_pop, t_save, t_load;

	check("kernel_init", kernel_init(&a, &o), NULL);
	check("kernel_init", kernel_init(&b, NULL), NULL);
	/* One thread drives both worlds: hold their locks throughout. */
	world_write_lock(&a);
	world_write_lock(&b);
	t0 = cpu_ms();
	check("populate", populate(&a, n), NULL);
	t_pop = cpu_ms() - t0;
	t0 = cpu_ms();
	check("save", kernel_save(&a, &data, &len), NULL);
	t_save = cpu_ms() - t0;
	t0 = cpu_ms();
	check("load", kernel_load(&b, data, len, why), why);
	t_load = cpu_ms() - t0;
	check("save again", kernel_save(&b, &again, &len2), NULL);
	if (len != len2 || memcmp(data, again, len)) {
		fprintf(stderr, "corebench-snapshot: the loaded world saves "
			"differently\n");
		exit(1);
	}
	printf("%s,%d,%d,%lu,%zu,%.3f,%.3f,%.3f\n", store, n, run, a.nr_tasks,
	       len, t_pop, t_save, t_load);
	free(data);
	free(again);
	world_unlock(&b);
	world_unlock(&a);
	kernel_destroy(&a);
	kernel_destroy(&b);
}

int main(int argc, char **argv)
{
	const char *store = "list";
	int runs = 5, i;

	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--runs"))
			runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--vmastore"))
			store = argv[i + 1];
		else
			break;
	}
	if (i >= argc || runs < 1) {
		fprintf(stderr, "usage: corebench-snapshot [--runs R] "
			"[--vmastore NAME] N...\n");
		return 2;
	}
	printf("vmastore,n,run,tasks,bytes,populate_ms,save_ms,load_ms\n");
	for (int r = 0; r < runs; r++)
		for (int j = i; j < argc; j++)
			one_run(store, atoi(argv[j]), r);
	return 0;
}
