// SPDX-License-Identifier: MIT
/*
 * procsim-replay: run a recorded tool trace (docs/replay.md) in-process
 * against a seeded world, through the same request handlers the daemon
 * uses (fs/procfs_req.h), with no FUSE: what the tool would cost if
 * procsim's /proc lived in the kernel.  Every pid store backend in turn
 * (or those named), the same world for each (switched live, as the ctl
 * command does).
 *
 *   procsim-replay [--populate N] [--seed S] [--pid-max N] [--vmastore NAME]
 *                  [--ctl FILE] [--pidstore NAME[,NAME...]|all] [--runs N]
 *                  [--acct-runs N] [--min-ms MS] [--no-warmup] [--turns R,W]
 *                  [--runs-csv FILE] [--cpu N] [--sample LOG2] [--check] TRACE...
 *
 * Every backend's store is built once (parked, core/pidstore.h) on the one
 * world, and the runs go in rounds: each round replays every trace once on
 * every backend, the backends' order rotated from round to round, so that
 * whatever drifts on a shared machine (the other CPU's load, the host)
 * reaches every backend alike.  A round before the first, not counted,
 * warms caches and buffers, and times each trace: with --min-ms MS, a run
 * of a trace is as many replays of it as filled MS on the fastest backend
 * in the warm-up (warm replays, after a first that only warms; the same
 * count on every backend), and every figure below is per replay.  A replay of a few ms otherwise measures
 * the cache state the previous trace left more than its own work.
 * --no-warmup skips the warm-up's replays (and so --min-ms): for replays
 * of seconds, which warm their own caches, at a million pids.
 * --turns R,W: before each round wait for a byte on fd R, after it write
 * one to fd W, so that a driver can run several invocations in lockstep.
 *
 * Prints CSV, one row per trace and backend: the replay's CPU time (the
 * thread's CLOCK_THREAD_CPUTIME_ID: what the replay ran, not what the rest
 * of a shared machine took from it; median, min, max of N runs without
 * accounting), its wall time, page faults and preemptions (medians), its CPU
 * time with accounting on (median), the pid store's ns and calls, the VMA
 * store's and the renderers' ns (medians of the accounted runs, with the
 * clock's own cost per call subtracted), the ratio to idr, and a hash of
 * every answer.  --runs-csv FILE: every run's CPU ms, wall ms, faults and
 * preemptions too, one line each, in order, with its round, whether it
 * was accounted, and when it started (CLOCK_MONOTONIC ms).  In the first
 * --acct-runs rounds (default: all) every trace is replayed again with
 * accounting, in a pass of its own, after the plain pass in even rounds
 * and before it in odd ones.  --check: exit 1 unless every run of every
 * backend gave the same hash for a trace (the determinism test).  Several traces share
 * one world, booted once (at a million pids, the boot is the long part).
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "procfs_req.h"
#include "trace.h"

#define MAX_RUNS	64
#define MAX_REPS	4096	/* --min-ms's repetitions of one trace per run */
#define STR_(x)		#x
#define STR(x)		STR_(x)
#define MAX_TRACES	16
#define UPTIME_TICKS	360000ULL	/* a pinned clock: one hour of uptime */

struct opts {
	int populate, pid_max, runs, cpu;	/* cpu: pin to it; -1: do not */
	int acct_runs;		/* rounds that also replay accounted */
	int sample_log2;	/* time 1 core call in 2^N (default: as the daemon) */
	int min_ms;		/* a run repeats a trace until it lasts this long */
	int turn_in, turn_out;	/* --turns: round-by-round lockstep, or -1 */
	uint64_t seed;
	const char *vmastore, *ctl, *pidstores, *runs_csv;
	const char *traces[MAX_TRACES];
	int nr_traces;
	bool check;
	bool no_warmup;		/* round -1 replays nothing (turns still taken) */
};

struct trace_file {
	struct trace_rec *v;
	size_t n;
	int reps;		/* replays per run (--min-ms), 1 until set */
	bool cache;
};

static unsigned long long pinned_clock(void *arg)
{
	(void)arg;
	return UPTIME_TICKS;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "procsim-replay: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static void usage(const char *why)
{
	fprintf(stderr, "procsim-replay: %s\n"
		"usage: procsim-replay [--populate N] [--seed S] [--pid-max N]"
		" [--vmastore NAME] [--ctl FILE] [--pidstore NAME,...|all] [--runs N]"
		" [--acct-runs N] [--min-ms MS] [--no-warmup] [--turns R,W] [--runs-csv FILE]"
		" [--cpu N] [--sample LOG2] [--check] TRACE...\n", why);
	exit(2);
}

static long num_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0)
		die("not a number: '%s'", s);
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .runs = 5, .pidstores = "all", .pid_max = 0, .cpu = -1,
			    .sample_log2 = STATS_SAMPLE_LOG2, .acct_runs = -1,
			    .turn_in = -1, .turn_out = -1 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--check")) {
			o->check = true;
			continue;
		}
		if (!strcmp(a, "--no-warmup")) {
			o->no_warmup = true;
			continue;
		}
		if (a[0] != '-') {
			if (o->nr_traces == MAX_TRACES)
				usage("too many traces");
			o->traces[o->nr_traces++] = a;
			continue;
		}
		if (!v)
			die("%s needs a value", a);
		i++;
		if (!strcmp(a, "--populate"))
			o->populate = (int)num_arg(v);
		else if (!strcmp(a, "--seed"))
			o->seed = (uint64_t)num_arg(v);
		else if (!strcmp(a, "--pid-max"))
			o->pid_max = (int)num_arg(v);
		else if (!strcmp(a, "--runs"))
			o->runs = (int)num_arg(v);
		else if (!strcmp(a, "--runs-csv"))
			o->runs_csv = v;
		else if (!strcmp(a, "--acct-runs"))
			o->acct_runs = (int)num_arg(v);
		else if (!strcmp(a, "--cpu"))
			o->cpu = (int)num_arg(v);
		else if (!strcmp(a, "--sample"))
			o->sample_log2 = (int)num_arg(v);
		else if (!strcmp(a, "--vmastore"))
			o->vmastore = v;
		else if (!strcmp(a, "--ctl"))
			o->ctl = v;
		else if (!strcmp(a, "--pidstore"))
			o->pidstores = v;
		else if (!strcmp(a, "--min-ms"))
			o->min_ms = (int)num_arg(v);
		else if (!strcmp(a, "--turns")) {
			if (sscanf(v, "%d,%d", &o->turn_in, &o->turn_out) != 2
			    || o->turn_in < 0 || o->turn_out < 0)
				die("--turns: want two file descriptors R,W, not '%s'", v);
		} else
			die("unknown option %s", a);
	}
	if (o->acct_runs < 0 || o->acct_runs > o->runs)
		o->acct_runs = o->runs;
	if (!o->nr_traces)
		usage("no trace given");
	if (o->runs < 1 || o->runs > MAX_RUNS)
		die("%s", "--runs: 1 to " STR(MAX_RUNS));
	if (o->acct_runs < 1)
		die("%s", "--acct-runs: at least 1 (the pid store's ns come from them)");
	if (o->sample_log2 > 32)
		die("%s", "--sample: 0 to 32");
	if (o->min_ms > 10000)
		die("%s", "--min-ms: at most 10000");
}

static struct trace_file load_trace(const char *path)
{
	struct trace_file t = { .reps = 1 };
	size_t cap = 0, lineno = 0;
	char *line = NULL, name[1024];
	size_t lcap = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot open trace %s", path);
	while ((len = getline(&line, &lcap, f)) >= 0) {
		struct trace_rec r;
		int ok;

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno++ == 0 && trace_check_header(line, &t.cache))
			die("%s: not a procsim-trace 1 file", path);
		ok = trace_parse_line(line, &r, name, sizeof(name));
		if (ok < 0)
			die("malformed trace line: %s", line);
		if (!ok)
			continue;
		if (r.name && !(r.name = strdup(r.name)))
			die("%s", "out of memory");
		if (t.n == cap) {
			cap = cap ? cap * 2 : 1024;
			t.v = realloc(t.v, cap * sizeof(*t.v));
			if (!t.v)
				die("%s", "out of memory");
		}
		t.v[t.n++] = r;
	}
	free(line);
	fclose(f);
	return t;
}

/* ---- the world ---- */

static void run_ctl_file(struct kernel *k, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct buf out;

	if (!f)
		die("cannot open ctl file %s", path);
	buf_init(&out);
	while ((len = getline(&line, &cap, f)) >= 0) {
		if (len && line[len - 1] == '\n')
			len--;
		buf_reset(&out);
		if (len && ctl_run_line(k, line, (size_t)len, &out))
			die("ctl line failed: %s", out.data);
	}
	buf_free(&out);
	free(line);
	fclose(f);
}

static void boot(struct procfs *fs, const struct opts *o, bool cache)
{
	struct kernel_opts ko = {
		.pid_max = o->pid_max, .vmastore = o->vmastore, .seed = o->seed,
		.clock = pinned_clock, .kstat = &fs->stats.hook,
	};
	int err;

	memset(fs, 0, sizeof(*fs));
	stats_init(&fs->stats, true);
	/* As the daemon: timing every call perturbs what it times (kstat.h). */
	fs->stats.sample_log2 = (unsigned)o->sample_log2;
	trace_init(&fs->trace, cache);
	fs->cache = cache;
	if (render_cache_init(&fs->rcache))
		die("render cache: %s", strerror(ENOMEM));
	/* Serve everything a daemon can: a trace that never looked in ns/ is
	 * unaffected, and one recorded with -o ns_links=on replays alike. */
	fs->ns_links = true;
	fs->btime = 1700000000;
	fs->control_path = "/run/procsim-control";
	err = kernel_init(&fs->k, &ko);
	if (err)
		die("cannot boot: %s", strerror(-err));
	err = populate(&fs->k, o->populate);
	if (err)
		die("populate: %s", strerror(-err));
	if (o->ctl)
		run_ctl_file(&fs->k, o->ctl);
}

/* ---- one replay ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

/* What is hashed of an answer: never times (mtimes follow the real clock). */
static uint64_t hash_stat(uint64_t h, const struct stat *st)
{
	uint64_t v[5] = { st->st_ino, st->st_mode, st->st_uid, st->st_gid,
			  (uint64_t)st->st_size };

	return fnv(h, v, sizeof(v));
}

struct lister {
	size_t room;
	uint64_t hash;
};

/* The room a FUSE reply gives an entry (linux/fuse.h), as libfuse packs it. */
static bool list_fill(void *arg, const char *name, uint64_t ino, mode_t mode,
		      off_t next, const struct preq_entry *e)
{
	struct lister *l = arg;
	size_t len = strlen(name);
	size_t need = e ? FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + len)
			: FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + len);
	uint64_t v[3] = { ino, mode, (uint64_t)next };

	if (need > l->room)
		return false;
	l->room -= need;
	l->hash = fnv(fnv(l->hash, name, len), v, sizeof(v));
	if (e)
		l->hash = hash_stat(l->hash, &e->attr);
	return true;
}

static uint64_t replay_one(struct procfs *fs, const struct preq *r,
			   const struct trace_rec *q, uint64_t h, struct buf *b)
{
	struct preq_entry e;
	struct stat st;
	double timeout;
	char link[4096];
	int err = 0;

	if (kind_is_control_file(ino_node(q->ino).kind))
		return h;	/* the daemon's files, not the tool's /proc */
	switch (q->op) {
	case OP_LOOKUP:
		err = preq_lookup(r, q->ino, q->name ? q->name : "", &e);
		if (!err)
			h = hash_stat(fnv(h, &e.ino, sizeof(e.ino)), &e.attr);
		break;
	case OP_GETATTR:
		err = preq_getattr(r, q->ino, &st, &timeout);
		if (!err)
			h = hash_stat(h, &st);
		break;
	case OP_OPEN:
	case OP_OPENDIR:
		err = preq_stat(r, q->ino, &st, NULL);
		break;
	case OP_READLINK:
		err = preq_readlink(r, q->ino, link, sizeof(link));
		if (!err)
			h = fnv(h, link, strlen(link));
		break;
	case OP_READ:
		err = preq_render(r, q->ino, b);
		if (!err && q->off < b->len) {
			size_t n = b->len - q->off < q->size ? b->len - q->off : q->size;

			h = fnv(h, b->data + q->off, n);
		}
		break;
	case OP_READDIR:
	case OP_READDIRPLUS: {
		struct lister l = { q->size, h };

		err = preq_readdir(r, q->ino, (off_t)q->off, q->op == OP_READDIRPLUS,
				   list_fill, &l);
		h = l.hash;
		break;
	}
	default:		/* write, flush, release: the control files' */
		return h;
	}
	(void)fs;
	return fnv(h, &err, sizeof(err));
}

/* What disturbs a replay from outside its code: page faults, preemptions. */
struct disturb {
	long faults, preempts;
};

static struct disturb thread_disturb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (struct disturb){ ru.ru_minflt + ru.ru_majflt, ru.ru_nivcsw };
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One run as --runs-csv lists it. */
struct run {
	uint64_t ns, wall, start;	/* start: CLOCK_MONOTONIC, as in other processes */
	struct disturb d;
};

/*
 * One run: @t->reps replays of @t, its times and disturbances in @x.
 * Returns the hash of the first one's answers, and clears *@same (if not
 * NULL) when a later one answered otherwise.
 */
static uint64_t replay(struct procfs *fs, const struct trace_file *t,
		       struct run *x, bool *same)
{
	struct preq r = { .fs = fs, .control = false, .caller = 0 };
	struct buf b;
	struct disturb d0 = thread_disturb();
	uint64_t h0 = 0, w0 = now_ns(), t0 = thread_cpu_ns();

	buf_init(&b);
	for (int k = 0; k < t->reps; k++) {
		uint64_t h = 0xcbf29ce484222325ULL;

		render_cache_forget(&fs->rcache);	/* each as cold as the recording */
		for (size_t i = 0; i < t->n; i++) {
			uint64_t s0 = stats_begin(&fs->stats);

			h = replay_one(fs, &r, &t->v[i], h, &b);
			stats_end(&fs->stats, t->v[i].op, s0);
		}
		if (!k)
			h0 = h;
		else if (h != h0 && same)
			*same = false;
	}
	x->ns = thread_cpu_ns() - t0;
	x->wall = now_ns() - w0;
	x->start = w0;
	x->d = thread_disturb();
	x->d.faults -= d0.faults;
	x->d.preempts -= d0.preempts;
	buf_free(&b);
	return h0;
}

/* ns the clock itself adds to one accounted call: subtracted per call. */
static double clock_bias(struct procfs *fs)
{
	enum { N = 200000 };
	struct kstat sum;
	uint64_t s0 = stats_begin(&fs->stats), t0;

	for (int i = 0; i < N; i++) {
		struct kstat *ks = kstat_begin(&fs->stats.hook, &t0);

		kstat_end(ks, KSTAT_PID_LOOKUP, t0);
	}
	stats_end(&fs->stats, OP_GETATTR, s0);
	stats_sum(&fs->stats, &sum);
	stats_reset(&fs->stats);
	return (double)kstat_read(&sum, KSTAT_PID_LOOKUP, true) / N;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double family_ns(const struct kstat *s, int lo, int hi, double bias,
			uint64_t *calls)
{
	uint64_t n = 0, ns = 0;

	for (int i = lo; i <= hi; i++) {
		n += kstat_read(s, i, false);
		ns += kstat_read(s, i, true);
	}
	if (calls)
		*calls = n;
	return ns > n * bias ? ns - n * bias : 0;
}

/* What one trace's replays on one backend gave: plain runs, accounted runs. */
struct result {
	double cpu[MAX_RUNS], wall[MAX_RUNS], faults[MAX_RUNS], preempts[MAX_RUNS];
	double acct[MAX_RUNS], pid[MAX_RUNS], pidraw[MAX_RUNS], vma[MAX_RUNS],
	       rend[MAX_RUNS], other[MAX_RUNS];
	int n, na;
	uint64_t calls, lookups, leaders, hash;
	bool same;		/* every run gave the same hash */
};

static void note_hash(struct result *res, uint64_t h)
{
	res->same &= (!res->n && !res->na) || h == res->hash;
	res->hash = h;
}

static struct run run_plain(struct procfs *fs, const struct trace_file *t,
			    struct result *res)
{
	struct run x;

	fs->stats.account = false;
	note_hash(res, replay(fs, t, &x, &res->same));
	res->cpu[res->n] = x.ns / 1e6 / t->reps;
	res->wall[res->n] = x.wall / 1e6 / t->reps;
	res->faults[res->n] = (double)x.d.faults / t->reps;
	res->preempts[res->n++] = (double)x.d.preempts / t->reps;
	return x;
}

static struct run run_accounted(struct procfs *fs, const struct trace_file *t,
				double bias, struct result *res)
{
	struct kstat s;
	struct run x;
	uint64_t ns, req = 0;
	int i = res->na;

	fs->stats.account = true;
	stats_reset(&fs->stats);
	note_hash(res, replay(fs, t, &x, &res->same));
	ns = x.ns;
	fs->stats.account = false;
	/* Per replay: every one of a run's t->reps replays does the same calls. */
	res->acct[i] = ns / 1e6 / t->reps;
	stats_sum(&fs->stats, &s);
	res->pid[i] = family_ns(&s, KSTAT_PID_LOOKUP, KSTAT_PID_FREE, bias, &res->calls)
		      / t->reps;
	res->calls /= t->reps;
	res->pidraw[i] = family_ns(&s, KSTAT_PID_LOOKUP, KSTAT_PID_FREE, 0, NULL) / t->reps;
	res->vma[i] = family_ns(&s, KSTAT_VMA, KSTAT_VMA, bias, NULL) / t->reps;
	res->rend[i] = (double)kstat_read(&s, KSTAT_RENDER, true) / t->reps;
	for (int op = 0; op < OP_MAX; op++)
		req += kstat_read(&s, KSTAT_REQ + op, true);
	res->other[i] = ((double)req - family_ns(&s, 0, KSTAT_CORE_NR - 1, bias, NULL))
			/ t->reps - res->rend[i];
	res->lookups = kstat_read(&s, KSTAT_PID_LOOKUP, false) / t->reps;
	res->leaders = kstat_read(&s, KSTAT_PID_NEXT_LEADER, false) / t->reps;
	res->na++;
	return x;
}

static void print_row(const char *trace, const char *backend, const char *vma,
		      size_t requests, int reps, struct result *r, double idr_ms,
		      double bias)
{
	double lo = r->cpu[0], hi = r->cpu[0], med;
	char ratio[32] = "";

	for (int i = 1; i < r->n; i++) {
		lo = r->cpu[i] < lo ? r->cpu[i] : lo;
		hi = r->cpu[i] > hi ? r->cpu[i] : hi;
	}
	med = median(r->cpu, r->n);
	if (idr_ms > 0)
		snprintf(ratio, sizeof(ratio), "%.3f", med / idr_ms);
	printf("%s,%s,%s,%zu,%.3f,%.3f,%.3f,%.3f,%.0f,%.0f,%.3f,%.0f,%.0f,%" PRIu64 ",%" PRIu64
	       ",%" PRIu64 ",%.0f,%.0f,%.0f,%s,%.1f,%d,%d,%d,%016" PRIx64 "\n",
	       trace, backend, vma, requests, med, lo, hi, median(r->wall, r->n),
	       median(r->faults, r->n), median(r->preempts, r->n), median(r->acct, r->na),
	       median(r->pid, r->na), median(r->pidraw, r->na), r->calls, r->lookups,
	       r->leaders, median(r->vma, r->na), median(r->rend, r->na),
	       median(r->other, r->na), ratio, bias, r->n, r->na, reps, r->hash);
	fflush(stdout);
}

/*
 * --turns: the driver runs several replayers in lockstep, a round of each
 * in turn, so that the machine's drift over minutes reaches each alike
 * (tools/bench/pidstore.py).  A round starts when a byte arrives on @fd.
 */
static void take_turn(int fd)
{
	char c;
	ssize_t n;

#ifdef PROCSIM_MUTATE_no_turns
	return;			/* mutation: every invocation runs at once */
#endif
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		die("--turns: the driver went away (%s)", n ? strerror(errno) : "EOF");
}

static void give_turn(int fd)
{
	ssize_t n;

	do
		n = write(fd, "r", 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		die("--turns: cannot answer the driver (%s)", strerror(errno));
}

/*
 * --min-ms: how many replays of @t, after the warm-up's first, it takes to
 * fill @ms.  The first replay of a trace meets cold caches and can take
 * several times a warm one, so it only warms; the count is of warm ones.
 */
static int reps_to_fill(struct procfs *fs, const struct trace_file *t,
			uint64_t first_ns, int ms)
{
	uint64_t want = (uint64_t)ms * 1000000u, sum = 0;
	struct run x;
	int n = 0;

#ifdef PROCSIM_MUTATE_no_min_reps
	return 1;		/* mutation: one replay per run, however short */
#endif
	if (first_ns >= want)
		return 1;
	while (sum < want && n < MAX_REPS) {
		replay(fs, t, &x, NULL);
		sum += x.ns;
		n++;
	}
	return n ? n : 1;
}

/* Put parked store @p live, or back aside (a second call). */
static void use_store(struct procfs *fs, struct pid_store_parked *p)
{
	int err;

	world_write_lock(&fs->k);
	err = pid_store_swap(&fs->k.pids, p);
	world_unlock(&fs->k);
	if (err)
		die("pidstore swap: %s", strerror(-err));
}

int main(int argc, char **argv)
{
	static struct procfs fs;
	static struct result res[MAX_TRACES][16];
	static struct pid_store_parked park[16];
	struct opts o;
	struct trace_file t[MAX_TRACES];
	const struct pid_store_ops *list[16];
	int need[MAX_TRACES] = { 0 };	/* --min-ms: replays per run, per trace */
	double bias;
	bool same = true;
	int nb = 0, idr = -1;
	FILE *runs_csv = NULL;

	parse_args(argc, argv, &o);
	if (o.cpu >= 0) {	/* no migrations: each would start on a cold cache */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("--cpu: cannot pin to that CPU: %s", strerror(errno));
	}
	for (int i = 0; i < o.nr_traces; i++) {
		t[i] = load_trace(o.traces[i]);
		if (t[i].cache != t[0].cache)
			die("%s: traces of cache=on and cache=off daemons mixed", o.traces[i]);
	}
	if (o.runs_csv) {
		if (!(runs_csv = fopen(o.runs_csv, "w")))
			die("cannot write %s", o.runs_csv);
		fprintf(runs_csv, "round,trace,backend,accounted,replay_ms,replay_wall_ms,replay_faults,"
			"replay_preempts,start_ms\n");
	}
	boot(&fs, &o, t[0].cache);
	bias = clock_bias(&fs);
	if (!strcmp(o.pidstores, "all")) {
		for (nb = 0; pid_store_backends[nb] && nb < 16; nb++)
			list[nb] = pid_store_backends[nb];
	} else {
		char *names = strdup(o.pidstores), *save = NULL;

		for (char *w = strtok_r(names, ",", &save); w && nb < 16;
		     w = strtok_r(NULL, ",", &save))
			if (!(list[nb++] = pid_store_find_ops(w)))
				die("no pid store '%s'", w);
	}
	for (int b = 0; b < nb; b++) {
		int err;

		world_write_lock(&fs.k);
		err = pid_store_park(&fs.k.pids, list[b], &park[b]);
		world_unlock(&fs.k);
		if (err)
			die("pidstore park: %s", strerror(-err));
		if (!strcmp(list[b]->name, "idr"))
			idr = b;
		for (int i = 0; i < o.nr_traces; i++)
			res[i][b].same = true;
	}
	/*
	 * Round -1 warms up and times each trace once per backend (for
	 * --min-ms); then backends in rotated order, round by round.
	 */
	for (int r = -1; r < o.runs; r++) {
		if (o.turn_in >= 0)
			take_turn(o.turn_in);
		for (int j = 0; j < (r < 0 && o.no_warmup ? 0 : nb); j++) {
			int b = (j + (r < 0 ? 0 : r)) % nb;
			/*
			 * A plain pass over the traces, and in the first
			 * acct_runs rounds an accounted one, first in odd
			 * rounds: a plain replay of a trace after the first
			 * always follows a plain replay of the one before it,
			 * never a warming run of itself.
			 */
			bool acct = r >= 0 && r < o.acct_runs;

			use_store(&fs, &park[b]);
			if (fs.k.pids.ops != list[b])
				die("pidstore swap: %s not live", list[b]->name);

			for (int pass = 0; pass < (acct ? 2 : 1); pass++) {
				bool accounted = acct && pass == (r % 2 ? 0 : 1);

				for (int i = 0; i < o.nr_traces; i++) {
					struct run x;

					if (r < 0) {
						fs.stats.account = false;
						replay(&fs, &t[i], &x, NULL);
						if (o.min_ms) {
							int n = reps_to_fill(&fs, &t[i], x.ns, o.min_ms);

							need[i] = n > need[i] ? n : need[i];
						}
						continue;
					}
					x = accounted ? run_accounted(&fs, &t[i], bias, &res[i][b])
						      : run_plain(&fs, &t[i], &res[i][b]);
					if (runs_csv)
						fprintf(runs_csv, "%d,%s,%s,%d,%.3f,%.3f,%.2f,%.2f,%.3f\n",
							r, o.traces[i], list[b]->name, accounted,
							x.ns / 1e6 / t[i].reps,
							x.wall / 1e6 / t[i].reps,
							(double)x.d.faults / t[i].reps,
							(double)x.d.preempts / t[i].reps,
							x.start / 1e6);
				}
			}
			use_store(&fs, &park[b]);
		}
		if (r < 0)		/* the fastest backend's count, for all */
			for (int i = 0; i < o.nr_traces; i++)
				t[i].reps = need[i] ? need[i] : 1;
		if (o.turn_out >= 0)
			give_turn(o.turn_out);
	}
	printf("trace,backend,vmastore,requests,replay_ms,replay_ms_min,replay_ms_max,"
	       "replay_wall_ms,replay_faults,replay_preempts,replay_acct_ms,pid_ns,pid_ns_raw,pid_calls,"
	       "pid_lookups,pid_next_leaders,vma_ns,render_ns,other_ns,ratio_idr,"
	       "clock_bias_ns,runs,acct_runs,reps,hash\n");
	for (int b = 0; b < nb; b++) {
		for (int i = 0; i < o.nr_traces; i++) {
			const char *name = strrchr(o.traces[i], '/');
			double idr_ms = idr >= 0 ? median(res[i][idr].cpu, res[i][idr].n) : 0;

			same &= res[i][b].same && res[i][b].hash == res[i][0].hash;
			print_row(name ? name + 1 : o.traces[i], list[b]->name,
				  fs.k.mm_cfg.vma_ops->name, t[i].n, t[i].reps, &res[i][b],
				  idr_ms, bias);
		}
		pid_store_parked_free(&park[b]);
	}
	if (runs_csv && fclose(runs_csv))
		die("cannot write %s", o.runs_csv);
	if (o.check && !same) {
		fprintf(stderr, "procsim-replay: answers differ between runs or backends\n");
		return 1;
	}
	return 0;
}
