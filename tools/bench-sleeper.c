/*
 * bench-sleeper THREADS: a kernel-side sleeper with THREADS extra threads.
 *
 * procsim-bench's like-for-like readdir table (tools/bench/likeforlike.py)
 * spawns one of these per simulated process, with that process's thread
 * count, so the kernel's /proc holds the same shape as `populate`: the
 * same number of processes and threads for ps -eL and pstree -p to walk.
 * Every thread sleeps in pause() until the bench kills the process
 * (the bench sets PR_SET_PDEATHSIG before exec, so it dies with the bench).
 * Small stacks: 11,000 threads must not cost 88 GiB of address space.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	pthread_t t;
	char *end;
	long n;

	n = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *end || n < 0 || n > 100000) {
		fprintf(stderr, "usage: bench-sleeper THREADS (0..100000)\n");
		return 2;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 0; i < n; i++) {
		int err = pthread_create(&t, &attr, sleeper, NULL);

		if (err) {
			fprintf(stderr, "bench-sleeper: thread %ld: error %d\n",
				i, err);
			return 1;
		}
	}
	for (;;)
		pause();
}
