// SPDX-License-Identifier: MIT
/*
 * The page-cache warmer (fs/warm.h): one thread, woken by warm_kick(),
 * that lists the mount's root and reads every process's common files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "warm.h"

/*
 * What the common tools read per process: ps (stat, status, cmdline,
 * environ), top (stat, statm), pstree (stat).  Each costs a page of page
 * cache.  procps also looks up "ctty", which no pid directory has: the
 * kernel then caches the miss (fs/procfs_req.c), one LOOKUP less for ps.
 * pstree -p lists task/ and stats ns (a cached miss with ns_links=off),
 * also as /proc/<tid>/ns for each thread: warm_dirs, warm_threads.
 */
static const char *const warm_files[] = {
	"stat", "status", "cmdline", "statm", "environ", "ctty",
};
static const char *const warm_dirs[] = { "ns", "task" };
#define NR_WARM_FILES	(sizeof(warm_files) / sizeof(*warm_files))

/*
 * The page cache one warmed process takes (its files' pages, inodes and
 * dentries; measured 23 KB, docs/serving.md), and the part
 * of the host's available memory a run may fill: a run stops there, so a
 * million processes never push 20 GB of the host's memory out.
 */
#define WARM_BYTES_PER_PID	(32 * 1024)
#define WARM_MEM_SHARE		4	/* a quarter of MemAvailable */

/* The processes a run may warm: MemAvailable / share / per pid. */
static size_t warm_budget(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return SIZE_MAX;	/* no /proc here: no bound known */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb ? kb * 1024 / WARM_MEM_SHARE / WARM_BYTES_PER_PID : SIZE_MAX;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Has a kick or the shutdown made the run of generation @gen obsolete? */
static bool warm_obsolete(struct warm *w, uint64_t gen)
{
	bool obsolete;

	pthread_mutex_lock(&w->lock);
	obsolete = w->stop || w->gen != gen;
	pthread_mutex_unlock(&w->lock);
	return obsolete;
}

/* The pids listed in the mount's root, or NULL (ENOMEM, no mount). */
static int *list_pids(const char *root, size_t *n)
{
	DIR *d = opendir(root);
	struct dirent *e;
	size_t cap = 0;
	int *v = NULL;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || pid <= 0)
			continue;
		if (*n == cap) {
			int *nv = realloc(v, (cap = cap ? 2 * cap : 1024) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		v[(*n)++] = (int)pid;
	}
	closedir(d);	/* before the reads: an open directory blocks umount */
	return v;
}

/*
 * A READ or READDIR makes the kernel mark the inode's atime stale
 * (fuse_invalidate_atime: unless the mount is read-only), so the next
 * stat() of it, which ps and pstree make, would be a GETATTR round trip:
 * take that round trip here, after the read.
 */
static void refresh_attr(int fd)
{
	struct stat st;

	if (fstat(fd, &st)) {
		/* gone meanwhile: the next world's run warms what replaced it */
	}
}

/* Read @path to its end; the bytes read, or 0 (gone since the listing). */
static size_t read_whole(const char *path)
{
	char buf[4096];
	size_t total = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += (size_t)r;
	refresh_attr(fd);
	close(fd);
	return total;
}

/*
 * List @path (the kernel caches the listing), or look up the miss; for a
 * task/ listing, also look up /proc/<tid>/ns of each other thread @pid has.
 */
static void list_whole(const char *root, int pid, const char *path)
{
	char tid_ns[4096];
	struct dirent *e;
	DIR *d = opendir(path);
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d))) {
		int tid = atoi(e->d_name);

		if (tid <= 0 || tid == pid)
			continue;
		snprintf(tid_ns, sizeof(tid_ns), "%s/%d/ns", root, tid);
		if (stat(tid_ns, &st)) {
			/* ENOENT with ns_links=off: the kernel caches the miss */
		}
	}
	refresh_attr(dirfd(d));
	closedir(d);
}

/* Read @pid's warm_files and list its warm_dirs, so the kernel keeps them. */
static void warm_pid(struct warm *w, int pid)
{
	char path[4096];

#ifdef PROCSIM_MUTATE_no_warm		/* test hook: see tools/test */
	return;
#endif
	for (size_t f = 0; f < NR_WARM_FILES; f++) {
		size_t got;

		snprintf(path, sizeof(path), "%s/%d/%s", w->root, pid, warm_files[f]);
		got = read_whole(path);
		w->files += got > 0;
		w->bytes += got;
	}
	for (size_t f = 0; f < sizeof(warm_dirs) / sizeof(*warm_dirs); f++) {
		snprintf(path, sizeof(path), "%s/%d/%s", w->root, pid, warm_dirs[f]);
		list_whole(w->root, pid, path);
	}
}

/* One run over the world of generation @gen; false if it was cut short. */
static bool warm_run(struct warm *w, uint64_t gen)
{
	size_t n, i;
	int *pids = list_pids(w->root, &n);
	size_t budget = warm_budget();

	if (n > budget) {
		fprintf(stderr, "procsim: warm: %zu processes, warming the first %zu "
			"(a quarter of the host's available memory)\n", n, budget);
		n = budget;
	}
	w->pids_done = 0;
	w->pids_total = n;
	for (i = 0; i < n; i++) {
		if (warm_obsolete(w, gen))
			break;
		warm_pid(w, pids[i]);
		w->pids_done = i + 1;
	}
	free(pids);
	return i == n;
}

static void *warm_thread(void *arg)
{
	struct warm *w = arg;
	uint64_t seen = 0, gen, t0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && w->gen == seen)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		seen = gen = w->gen;
		pthread_mutex_unlock(&w->lock);

		w->state = WARM_RUNNING;
		t0 = now_ms();
		if (warm_run(w, gen)) {
			w->last_ms = now_ms() - t0;
			w->runs++;
			w->state = WARM_IDLE;
			fprintf(stderr, "procsim: warm: %llu processes, %llu files, "
				"%llu KiB in %.2f s\n",
				(unsigned long long)w->pids_done,
				(unsigned long long)w->files,
				(unsigned long long)w->bytes / 1024,
				(double)w->last_ms / 1000);
		} else {
			w->state = WARM_CANCELLED;
		}
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int warm_start(struct warm *w, const char *root)
{
	int err;

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->root = root;
	w->state = WARM_IDLE;
	err = pthread_create(&w->thread, NULL, warm_thread, w);
	w->started = !err;
	if (err)
		w->state = WARM_OFF;
	return err;
}

void warm_kick(struct warm *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->gen++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void warm_cancel(struct warm *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void warm_join(struct warm *w)
{
	if (!w->started)
		return;
	warm_cancel(w);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void warm_render(struct buf *b, struct warm *w)
{
	static const char *const names[] = { "off", "idle", "running", "cancelled" };
	int state = atomic_load(&w->state);

	buf_printf(b, "warm %s runs %llu pids %llu/%llu files %llu bytes %llu last_ms %llu\n",
		   names[state], (unsigned long long)atomic_load(&w->runs),
		   (unsigned long long)atomic_load(&w->pids_done),
		   (unsigned long long)atomic_load(&w->pids_total),
		   (unsigned long long)atomic_load(&w->files),
		   (unsigned long long)atomic_load(&w->bytes),
		   (unsigned long long)atomic_load(&w->last_ms));
}
