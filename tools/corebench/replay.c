// SPDX-License-Identifier: MIT
/*
 * corebench-replay: one process-event trace (docs/record.md) replayed
 * through the core under every pid store, wait strategy, VMA store and
 * watcher mechanism, one axis at a time (the others at their defaults).
 *
 * usage: corebench-replay TRACE RUNS [BUSIEST.snap]
 *
 * Each run boots a fresh world (init and the kernel threads, as the daemon
 * with populate=0) and replays the whole trace; the configurations take
 * turns within a run, rotated each run, so drift on a busy machine hits
 * all alike.  Core CPU is this thread's CPU time inside the core calls
 * (event_replay's own count); peak is the pid store's memory at its
 * largest.  BUSIEST.snap: the world at the trace's busiest moment (most
 * tasks the trace made alive at once), saved with the defaults, for ps
 * and pstree to read through a mount.  Prints CSV:
 * run,axis,config,events,applied,skipped,remapped,core_cpu_ns,peak_pid_bytes
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_replay.h"
#include "snapshot.h"
#include "vma_store.h"
#include "watchers.h"

#define MAX_CONFIGS	32

struct config {
	const char *axis, *name;
	struct kernel_opts o;
};

static unsigned long long fixed_clock(void *arg)
{
	(void)arg;
	return 360000;
}

static int nconf;
static struct config conf[MAX_CONFIGS];

static void add(const char *axis, const char *name, struct kernel_opts o)
{
	if (nconf == MAX_CONFIGS)
		return;
	o.clock = fixed_clock;
	conf[nconf++] = (struct config){ axis, name, o };
}

static void configs(void)
{
	for (int i = 0; pid_store_backends[i]; i++)
		add("pidstore", pid_store_backends[i]->name,
		    (struct kernel_opts){ .pidstore = pid_store_backends[i]->name });
	for (int i = 0; wait_strategies[i]; i++)
		add("wait", wait_strategies[i]->name,
		    (struct kernel_opts){ .wait = wait_strategies[i]->name });
	for (int i = 0; vma_store_backends[i]; i++)
		add("vmastore", vma_store_backends[i]->name,
		    (struct kernel_opts){ .vmastore = vma_store_backends[i]->name });
	for (int i = 0; watch_mechanisms[i]; i++)
		add("watchers", watch_mechanisms[i]->name,
		    (struct kernel_opts){ .watchers = watch_mechanisms[i]->name });
}

/* Replay @upto events of @t on a fresh kernel booted with @o. */
static int replay(const struct event_trace *t, const struct kernel_opts *o,
		  size_t upto, struct event_replay *r, struct kernel *k)
{
	int err = kernel_init(k, o);

	if (err)
		return err;
	err = event_replay_init(r, t);
	if (err) {
		kernel_destroy(k);
		return err;
	}
	world_write_lock(k);
	event_replay_begin(k, r);
	while (!err && r->st.done < upto)
		err = event_replay_step(k, r);
	world_unlock(k);
	return err;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(data = malloc(n ? n : 1)) ||
	    fread(data, 1, n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = n;
	return data;
}

static int save_busiest(const struct event_trace *t, const char *path)
{
	struct kernel_opts o = { .clock = fixed_clock };
	struct event_replay r;
	struct kernel k;
	size_t len;
	void *snap;
	FILE *f;
	int err = replay(t, &o, t->busiest_at, &r, &k);

	if (err)
		return err;
	world_read_lock(&k);
	err = kernel_save(&k, &snap, &len);
	world_unlock(&k);
	fprintf(stderr, "corebench-replay: busiest moment: %zu events in, "
		"%.3f s, %lu tasks\n", t->busiest_at, t->busiest_ts / 1e9,
		(unsigned long)k.nr_tasks);
	event_replay_destroy(&r);
	kernel_destroy(&k);
	if (err)
		return err;
	f = fopen(path, "wb");
	if (!f || fwrite(snap, 1, len, f) != len || fclose(f))
		err = -EIO;
	free(snap);
	return err;
}

int main(int argc, char **argv)
{
	char why[EVENT_TRACE_WHY_LEN];
	struct event_trace t;
	size_t len;
	char *data;
	int runs, err;

	if (argc < 3 || argc > 4 || (runs = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: %s TRACE RUNS [BUSIEST.snap]\n", argv[0]);
		return 2;
	}
	data = slurp(argv[1], &len);
	err = event_trace_parse(data, len, &t, why);
	free(data);
	if (err) {
		fprintf(stderr, "corebench-replay: %s: %s\n", argv[1], why);
		return 1;
	}
	configs();
	printf("run,axis,config,events,applied,skipped,remapped,core_cpu_ns,"
	       "peak_pid_bytes\n");
	for (int run = 0; run < runs; run++) {
		for (int j = 0; j < nconf; j++) {
			const struct config *c = &conf[(j + run) % nconf];
			unsigned long applied = 0, skipped = 0;
			struct event_replay r;
			struct kernel k;

			err = replay(&t, &c->o, t.n, &r, &k);
			if (err) {
				fprintf(stderr, "corebench-replay: %s %s: %s\n",
					c->axis, c->name, strerror(-err));
				return 1;
			}
			for (int kind = 0; kind < EV_NR_KINDS; kind++) {
				applied += r.st.applied[kind];
				skipped += r.st.skipped[kind];
			}
			printf("%d,%s,%s,%zu,%lu,%lu,%lu,%llu,%zu\n", run, c->axis,
			       c->name, t.n, applied, skipped, r.st.remapped,
			       (unsigned long long)r.st.cpu_ns,
			       r.st.peak_pid_bytes);
			event_replay_destroy(&r);
			kernel_destroy(&k);
		}
	}
	if (argc == 4 && (err = save_busiest(&t, argv[3]))) {
		fprintf(stderr, "corebench-replay: %s: %s\n", argv[3],
			strerror(-err));
		return 1;
	}
	event_trace_free(&t);
	return 0;
}
