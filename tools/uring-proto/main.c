// SPDX-License-Identifier: GPL-2.0
/*
 * uring-proto: a minimal FUSE server, with its own INIT and two transports,
 * to measure FUSE over io_uring against /dev/fuse on the same tree (issue
 * 16).  Independent of the procsim daemon and of libfuse.
 *
 *   uring-proto serve [--transport=dev|uring] [--threads=N] [--cpu=C|each] [--spin=US]
 *                     [--depth=D] [--defer-taskrun] [--dirs=N] [--timeout=S]
 *                     [--direct-io] [--work=US] MNT
 *   uring-proto drive [--dirs=N] [--from=K] [--count=C] [--cpu=C]
 *                     [--passes=cold,warm] MNT
 *
 * serve mounts MNT (as root), prints "ready TRANSPORT" once requests are
 * served and returns when MNT is unmounted (or on SIGTERM/SIGINT, which
 * unmount it).  drive reads the tree (directories K .. K+C-1 of N) as ps
 * reads /proc and prints one CSV row per pass.  docs/transport.md has the protocol and the figures.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fuse_ring.h"
#include "proto.h"

#define PROTO_MINOR	42	/* the first with FUSE_OVER_IO_URING */

static const char *usage =
	"usage: uring-proto serve [--transport=dev|uring] [--threads=N] [--cpu=C|each] [--spin=US]\n"
	"                         [--depth=D] [--defer-taskrun] [--dirs=N] [--timeout=S]\n"
	"                         [--direct-io] [--work=US] MNT\n"
	"       uring-proto drive [--dirs=N] [--from=K] [--count=C] [--cpu=C]\n"
	"                         [--passes=cold,warm] MNT\n";

int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "uring-proto: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return -errno;
	}
	return 0;
}

/* "--name=value" -> value if @arg starts with "--name=", else NULL. */
static const char *opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

static long num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == 0 || *end || v < lo || v > hi) {
		fprintf(stderr, "uring-proto: %s must be %ld..%ld, not '%s'\n", what, lo, hi, s);
		exit(2);
	}
	return v;
}

/* ---------------------------------------------------------------- serve */

static const char *mountpoint;

static void on_signal(int sig)
{
	(void)sig;
	umount2(mountpoint, MNT_DETACH);	/* the loops then see ENODEV */
}

/*
 * Answer the kernel's INIT on @fd: the flags libfuse asks by default for a
 * read-only tree, plus FUSE_OVER_IO_URING when @uring.  Returns 0, or
 * -EPROTONOSUPPORT (printed) when @uring and the kernel did not offer it;
 * INIT is then refused, so the mount fails cleanly.
 */
static int do_init(int fd, bool uring)
{
	char buf[PROTO_MAX_WRITE + 4096];
	struct fuse_in_header *ih = (void *)buf;
	struct fuse_init_in *ii = (void *)(ih + 1);
	struct { struct fuse_out_header h; struct fuse_init_out o; } r;
	uint64_t offered;
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)(sizeof(*ih) + 16) || ih->opcode != FUSE_INIT) {
		fprintf(stderr, "uring-proto: expected INIT from /dev/fuse\n");
		return -EIO;
	}
	offered = ii->flags;
	if (ii->major == 7 && ii->minor >= 36 && (ii->flags & FUSE_INIT_EXT))
		offered |= (uint64_t)ii->flags2 << 32;
	memset(&r, 0, sizeof(r));
	r.h.unique = ih->unique;
	r.h.len = sizeof(r);
	if (ii->major != 7 || (uring && !(offered & FUSE_OVER_IO_URING))) {
		if (ii->major != 7)
			fprintf(stderr, "uring-proto: kernel speaks FUSE %u.%u, not 7.x\n",
				ii->major, ii->minor);
		else
			fprintf(stderr, "uring-proto: uring unavailable: the kernel (FUSE 7.%u) "
				"did not offer FUSE_OVER_IO_URING; needs Linux 6.14+ with "
				"CONFIG_FUSE_IO_URING and "
				"'echo Y > /sys/module/fuse/parameters/enable_uring'\n", ii->minor);
		r.h.error = -EPROTO;
		r.h.len = sizeof(r.h);
		(void)!write(fd, &r, sizeof(r.h));
		return -EPROTONOSUPPORT;
	}
	r.o.major = 7;
	r.o.minor = ii->minor < PROTO_MINOR ? ii->minor : PROTO_MINOR;
	r.o.max_readahead = ii->max_readahead;
	uint64_t want = FUSE_ASYNC_READ | FUSE_PARALLEL_DIROPS | FUSE_MAX_PAGES |
			FUSE_INIT_EXT | (uring ? FUSE_OVER_IO_URING : 0);
	want &= offered | FUSE_INIT_EXT;
	r.o.flags = (uint32_t)want;
	r.o.flags2 = (uint32_t)(want >> 32);
	r.o.max_write = PROTO_MAX_WRITE;
	r.o.max_pages = PROTO_MAX_WRITE / 4096;
	r.o.time_gran = 1;
	if (write(fd, &r, sizeof(r)) != sizeof(r)) {
		fprintf(stderr, "uring-proto: INIT reply: %s\n", strerror(errno));
		return -EIO;
	}
	return 0;
}

/* Read MNT/.count into @buf; 0 or -errno. */
static int read_counts(const char *mnt, char *buf, size_t cap)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/.count", mnt);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int err;
} probe = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0 };

static void *probe_thread(void *arg)
{
	char counts[512];
	int err = read_counts(arg, counts, sizeof(counts));

	pthread_mutex_lock(&probe.lock);
	probe.done = true;
	probe.err = err;
	pthread_cond_signal(&probe.cond);
	pthread_mutex_unlock(&probe.lock);
	return NULL;
}

/*
 * Read .count once: it blocks until the kernel has every queue's first
 * entry.  Should that never happen, abort our own connection after
 * @seconds rather than leave this and every other reader hung.
 */
static int probe_ring(const char *mnt, int seconds)
{
	struct timespec deadline;
	pthread_t tid;
	int err = 0;

	if (pthread_create(&tid, NULL, probe_thread, (void *)mnt))
		return -EAGAIN;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&probe.lock);
	while (!probe.done && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&probe.cond, &probe.lock, &deadline);
	pthread_mutex_unlock(&probe.lock);
	if (!probe.done) {
		fprintf(stderr, "uring-proto: the ring was not ready after %d s: "
			"aborting the connection\n", seconds);
		unsigned id;

		if (!fuse_conn_of(mnt, &id))
			fuse_conn_abort(id);
	}
	pthread_join(tid, NULL);
	return probe.err ? probe.err : (err ? -ETIMEDOUT : 0);
}

static void *dev_thread(void *arg)
{
	dev_serve(arg);
	return NULL;
}

static int serve(int argc, char **argv)
{
	struct tree_config tc = { .dirs = 10000, .timeout = 86400 };
	struct serve_config sc = { .threads = 1, .cpu = -1, .depth = 4 };
	bool uring = false;
	char opts[256], mnt_real[4096];
	const char *v;
	pthread_t dev_tid;
	int err;

	for (int i = 0; i < argc; i++) {
		if ((v = opt(argv[i], "--transport"))) {
			if (strcmp(v, "dev") && strcmp(v, "uring"))
				return fprintf(stderr, "uring-proto: --transport is dev or uring\n"), 2;
			uring = !strcmp(v, "uring");
		} else if ((v = opt(argv[i], "--threads"))) {
			sc.threads = (unsigned)num(v, 1, 64, "--threads");
		} else if ((v = opt(argv[i], "--cpu"))) {
			sc.cpu = !strcmp(v, "each") ? CPU_EACH
						    : (int)num(v, 0, CPU_SETSIZE - 1, "--cpu");
		} else if ((v = opt(argv[i], "--depth"))) {
			sc.depth = (unsigned)num(v, 1, 256, "--depth");
		} else if ((v = opt(argv[i], "--dirs"))) {
			tc.dirs = (unsigned)num(v, 1, 10000000, "--dirs");
		} else if ((v = opt(argv[i], "--timeout"))) {
			tc.timeout = (double)num(v, 0, 86400, "--timeout");
		} else if ((v = opt(argv[i], "--spin"))) {
			sc.spin_us = (unsigned)num(v, 0, 1000000, "--spin");
		} else if ((v = opt(argv[i], "--work"))) {
			tc.work_us = (unsigned)num(v, 0, 1000000, "--work");
		} else if (!strcmp(argv[i], "--defer-taskrun")) {
			sc.defer_taskrun = true;
		} else if (!strcmp(argv[i], "--direct-io")) {
			tc.direct_io = true;
		} else if (argv[i][0] == '-' || mountpoint) {
			return fputs(usage, stderr), 2;
		} else {
			mountpoint = argv[i];
		}
	}
	if (!mountpoint)
		return fputs(usage, stderr), 2;
	if (!realpath(mountpoint, mnt_real)) {
		fprintf(stderr, "uring-proto: %s: %s\n", mountpoint, strerror(errno));
		return 1;
	}
	mountpoint = mnt_real;	/* as /proc/self/mountinfo names it */
	tree_init(&tc);

	sc.fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (sc.fd < 0) {
		fprintf(stderr, "uring-proto: /dev/fuse: %s\n", strerror(errno));
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", sc.fd);
	if (mount("uring-proto", mountpoint, "fuse.uring-proto", MS_NOSUID | MS_NODEV, opts)) {
		fprintf(stderr, "uring-proto: mount %s: %s\n", mountpoint, strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	err = do_init(sc.fd, uring);
	if (err) {
		umount2(mountpoint, MNT_DETACH);
		return err == -EPROTONOSUPPORT ? 3 : 1;
	}
	if (!uring) {
		printf("ready dev\n");
		fflush(stdout);
		err = dev_serve(&sc);
		goto out;
	}

	/*
	 * FORGET and INTERRUPT still come through /dev/fuse, and so would
	 * everything if the ring failed to become ready: a reader stays.
	 */
	err = uring_start(&sc);
	if (!err && pthread_create(&dev_tid, NULL, dev_thread, &sc))
		err = -EAGAIN;
	if (err) {
		fprintf(stderr, "uring-proto: ring setup failed\n");
		umount2(mountpoint, MNT_DETACH);
		return 1;
	}
	err = probe_ring(mountpoint, 10);
	if (err) {
		fprintf(stderr, "uring-proto: probe %s/.count: %s\n", mountpoint, strerror(-err));
		umount2(mountpoint, MNT_DETACH);
	} else {
		printf("ready uring\n");
		fflush(stdout);
	}
	pthread_join(dev_tid, NULL);
	err = uring_wait();
out:
	return err ? 1 : 0;
}

/* ---------------------------------------------------------------- drive */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Field @key of a .count line ("total 12 lookup 3 ..."). */
static unsigned long field(const char *counts, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "%s ", key);
	for (p = counts; (p = strstr(p, pat)); p++)
		if (p == counts || p[-1] == ' ')
			return strtoul(p + strlen(pat), NULL, 10);
	return 0;
}

static const char *const count_keys[] = {
	"total", "lookup", "getattr", "open", "read", "release", "readdir", "other",
	"ring"
};

/*
 * One ps-like pass: list the root (of @dirs directories), then stat, open,
 * read and close the stat of directories @from .. @from + @count - 1.
 */
static int pass(const char *mnt, unsigned dirs, unsigned from, unsigned count,
		const char *name)
{
	char before[512], after[512], path[4096], want[512], got[4096];
	DIR *d;
	double t0, t1;
	unsigned listed = 0;
	int err;

	err = read_counts(mnt, before, sizeof(before));
	if (err)
		return fprintf(stderr, "uring-proto: %s/.count: %s\n", mnt, strerror(-err)), 1;
	t0 = now();
	d = opendir(mnt);
	if (!d)
		return fprintf(stderr, "uring-proto: opendir %s: %s\n", mnt, strerror(errno)), 1;
	while (readdir(d))
		listed++;
	closedir(d);
	for (unsigned i = from; i < from + count; i++) {
		struct stat st;
		ssize_t n, total = 0;
		int fd;

		snprintf(path, sizeof(path), "%s/%u", mnt, i);
		if (stat(path, &st))
			return fprintf(stderr, "uring-proto: stat %s: %s\n", path, strerror(errno)), 1;
		snprintf(path, sizeof(path), "%s/%u/stat", mnt, i);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fprintf(stderr, "uring-proto: open %s: %s\n", path, strerror(errno)), 1;
		while ((n = read(fd, got + total, sizeof(got) - (size_t)total)) > 0)
			total += n;
		close(fd);
		if (n < 0 || total != tree_render_stat(i, want, sizeof(want)) ||
		    memcmp(got, want, (size_t)total))
			return fprintf(stderr, "uring-proto: %s: wrong content\n", path), 1;
	}
	t1 = now();
	err = read_counts(mnt, after, sizeof(after));
	if (err)
		return fprintf(stderr, "uring-proto: %s/.count: %s\n", mnt, strerror(-err)), 1;
	if (listed != dirs + 3)
		return fprintf(stderr, "uring-proto: listed %u entries, want %u\n", listed, dirs + 3), 1;
	printf("%s,%u,%.6f", name, count, t1 - t0);
	for (size_t k = 0; k < sizeof(count_keys) / sizeof(*count_keys); k++)
		printf(",%lu", field(after, count_keys[k]) - field(before, count_keys[k]));
	printf("\n");
	return 0;
}

static int drive(int argc, char **argv)
{
	struct tree_config tc = { .dirs = 10000 };
	const char *passes = "cold,warm", *mnt = NULL, *v;
	unsigned from = 0, count = 0;
	char list[256], *save, *p;

	for (int i = 0; i < argc; i++) {
		if ((v = opt(argv[i], "--dirs")))
			tc.dirs = (unsigned)num(v, 1, 10000000, "--dirs");
		else if ((v = opt(argv[i], "--cpu")))
			pin_to_cpu((int)num(v, 0, CPU_SETSIZE - 1, "--cpu"));
		else if ((v = opt(argv[i], "--passes")))
			passes = v;
		else if ((v = opt(argv[i], "--from")))
			from = (unsigned)num(v, 0, 10000000, "--from");
		else if ((v = opt(argv[i], "--count")))
			count = (unsigned)num(v, 1, 10000000, "--count");
		else if (argv[i][0] == '-' || mnt)
			return fputs(usage, stderr), 2;
		else
			mnt = argv[i];
	}
	if (!mnt)
		return fputs(usage, stderr), 2;
	if (!count)
		count = tc.dirs > from ? tc.dirs - from : 0;
	if (from + count > tc.dirs)
		return fprintf(stderr, "uring-proto: --from + --count exceed --dirs\n"), 2;
	tree_init(&tc);
	printf("pass,dirs,wall_s");
	for (size_t k = 0; k < sizeof(count_keys) / sizeof(*count_keys); k++)
		printf(",%s", count_keys[k]);
	printf("\n");
	snprintf(list, sizeof(list), "%s", passes);
	for (p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
		if (pass(mnt, tc.dirs, from, count, p))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return serve(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "drive"))
		return drive(argc - 2, argv + 2);
	fputs(usage, stderr);
	return 2;
}
