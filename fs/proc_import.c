// SPDX-License-Identifier: MIT
/*
 * Import a /proc tree: read every process's and thread's files with no
 * lock held, parse them (fs/proc_parse.c) into core/import.h's records,
 * have the core build a new world from them, and swap it in under the
 * write lock, exactly as load does with a snapshot file.
 *
 * The tree may be the live /proc (processes come and go while it is read:
 * one gone between readdir and read is "vanished", and skipped) or a
 * procsim-snap copy, whose manifest makes a missing file an error.  The
 * daemon may run as root and the copy may come from anywhere: nothing is
 * followed through a symlink, only regular files (and directories) are
 * opened, every file and the total are bounded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "import.h"
#include "proc_import.h"
#include "proc_parse.h"
#include "snapshot_file.h"

struct reader {
	int dfd;			/* DIR */
	bool strict;			/* a procsim-snap copy */
	unsigned long long total;	/* bytes read so far */
	int max_vmas;
	struct import_task *v;
	size_t n, cap;
	/* handled, for the summary */
	unsigned long vanished, no_maps, no_environ, no_cmdline;
	char *why;
};

/*
 * Read the regular file @dfd/@name whole into a malloc'd, NUL-terminated
 * buffer.  Opened O_PATH|O_NOFOLLOW and checked regular before the real
 * open (never a symlink, FIFO or device: a FIFO's open would block, a
 * device's might do something), then re-opened and checked to be the
 * same file.  -errno from the file, -EINVAL for a non-regular file,
 * -EFBIG past @max or the import's total.
 */
static int read_at(struct reader *rd, int dfd, const char *name, size_t max,
		   char **out, size_t *len)
{
	struct stat pst, st;
	size_t cap = 4096, got = 0;
	char *buf;
	int pfd, fd, err = 0;

	pfd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	err = fstat(pfd, &pst) ? -errno : S_ISREG(pst.st_mode) ? 0 : -EINVAL;
	close(pfd);
	if (err)
		return err;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_dev != pst.st_dev || st.st_ino != pst.st_ino) {
		close(fd);
		return -EAGAIN;
	}
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r;

		if (got == cap) {
			char *nb;

			if (cap >= max) {
				err = -EFBIG;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		got += r;
		if (got > max) {
			err = -EFBIG;
			break;
		}
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	rd->total += got;
	if (!err && rd->total > IMPORT_TOTAL_MAX)
		err = -EFBIG;
	if (err) {
		free(buf);
		return err;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* The file is gone because its task exited (live /proc only). */
static bool gone(const struct reader *rd, int err)
{
	return !rd->strict && (err == -ENOENT || err == -ESRCH);
}

/* Reading @what of @pid failed: the one-line reason. */
static int file_fail(struct reader *rd, int pid, const char *what, int err)
{
	if (err == -EFBIG)
		return why_fail(rd->why, EFBIG, "pid %d %s: over the size bound",
				pid, what);
	if (err == -ENOENT && rd->strict)
		return why_fail(rd->why, EINVAL, "pid %d %s missing: truncated "
				"snapshot", pid, what);
	if (err == -EINVAL)
		return why_fail(rd->why, EINVAL, "pid %d %s: not a regular file",
				pid, what);
	return why_fail(rd->why, -err, "pid %d %s: %s", pid, what,
			strerror(-err));
}

static int parse_fail(struct reader *rd, int pid, const char *reason)
{
	return why_fail(rd->why, EINVAL, "pid %d: %s", pid, reason);
}

static struct import_task *new_record(struct reader *rd)
{
	if (rd->n == rd->cap) {
		size_t cap = rd->cap ? 2 * rd->cap : 256;
		struct import_task *v = realloc(rd->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		rd->v = v;
		rd->cap = cap;
	}
	memset(&rd->v[rd->n], 0, sizeof(rd->v[0]));
	return &rd->v[rd->n];
}

static void free_record(struct import_task *r)
{
	free((char *)r->args);
	free((char *)r->env);
	proc_free_vmas(r->vmas, r->nr_vmas);
}

/*
 * stat and status of the task in @tdir into a new record: 1 if read, 0 if
 * it vanished (live /proc), -errno.
 */
static int read_task(struct reader *rd, int tdir, int pid,
		     struct import_task **out)
{
	char why[PROC_PARSE_WHY_LEN];
	struct import_task *r = new_record(rd);
	char *buf;
	size_t len;
	int err;

	if (!r)
		return why_fail(rd->why, ENOMEM, "out of memory");
	err = read_at(rd, tdir, "stat", IMPORT_SMALL_MAX, &buf, &len);
	if (err)
		return gone(rd, err) ? 0 : file_fail(rd, pid, "stat", err);
	err = proc_parse_stat(buf, len, r, why);
	free(buf);
	if (err)
		return parse_fail(rd, pid, why);
	if (r->pid != pid)
		return parse_fail(rd, pid, "stat names another pid");
	err = read_at(rd, tdir, "status", IMPORT_SMALL_MAX, &buf, &len);
	if (err)
		return gone(rd, err) ? 0 : file_fail(rd, pid, "status", err);
	err = proc_parse_status(buf, len, r, why);
	free(buf);
	if (err)
		return parse_fail(rd, pid, why);
	*out = r;
	return 1;
}

/* cmdline, environ, smaps (or maps) of a process with an mm. */
static int read_mm(struct reader *rd, int pdir, struct import_task *r)
{
	char why[PROC_PARSE_WHY_LEN];
	char *buf;
	size_t len;
	int err;

	err = read_at(rd, pdir, "cmdline", IMPORT_ARGS_MAX, &buf, &len);
	if (gone(rd, err))
		return 0;
	if (err == -EACCES || err == -EPERM)
		rd->no_cmdline++;
	else if (err)
		return file_fail(rd, r->pid, "cmdline", err);
	else if (!len)
		free(buf);		/* a zombie-to-be: no argv */
	else {
		r->args = buf;
		r->args_len = len;
	}
	err = read_at(rd, pdir, "environ", IMPORT_ARGS_MAX, &buf, &len);
	if (gone(rd, err) || err == -ENOENT || err == -EACCES || err == -EPERM)
		rd->no_environ++;	/* a snapshot may lack it: not root */
	else if (err)
		return file_fail(rd, r->pid, "environ", err);
	else if (!len)
		free(buf);
	else {
		r->env = buf;
		r->env_len = len;
	}
	err = read_at(rd, pdir, "smaps", IMPORT_MAPS_MAX, &buf, &len);
	if (err == -ENOENT || err == -EACCES || err == -EPERM)
		err = read_at(rd, pdir, "maps", IMPORT_MAPS_MAX, &buf, &len);
	if (gone(rd, err) || err == -ENOENT || err == -EACCES || err == -EPERM) {
		rd->no_maps++;
		return 1;
	}
	if (err)
		return file_fail(rd, r->pid, "maps", err);
	err = proc_parse_maps(buf, len, rd->max_vmas, &r->vmas, &r->nr_vmas, why);
	free(buf);
	if (err == -ENOMEM)
		return why_fail(rd->why, ENOMEM, "out of memory");
	if (err == -E2BIG)
		return why_fail(rd->why, EFBIG, "pid %d: %s", r->pid, why);
	return err ? parse_fail(rd, r->pid, why) : 1;
}

/* A number-named directory entry: its pid, or 0. */
static int entry_pid(const char *name)
{
	long v = 0;

	if (*name < '1' || *name > '9')
		return 0;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || v > PID_MAX_LIMIT)
			return 0;
		v = v * 10 + (*name - '0');
	}
	return v < PID_MAX_LIMIT ? (int)v : 0;
}

/* Open the directory @name in @dfd, never through a symlink. */
static int open_dir(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* The threads in @pdir/task other than the leader. */
static int read_threads(struct reader *rd, int pdir, int tgid)
{
	int tfd = open_dir(pdir, "task"), err = 0;
	DIR *d;
	struct dirent *e;

	if (tfd < 0)
		return gone(rd, tfd) ? 0 : file_fail(rd, tgid, "task/", tfd);
	d = fdopendir(tfd);
	if (!d) {
		close(tfd);
		return why_fail(rd->why, ENOMEM, "out of memory");
	}
	while (!err && (e = readdir(d))) {
		int tid = entry_pid(e->d_name), tdir;
		struct import_task *r;

		if (!tid || tid == tgid)
			continue;
		tdir = open_dir(tfd, e->d_name);
		if (tdir < 0) {
			if (gone(rd, tdir))
				rd->vanished++;
			else
				err = file_fail(rd, tid, "task dir", tdir);
			continue;
		}
		err = read_task(rd, tdir, tid, &r);
		close(tdir);
		if (err == 0) {
			rd->vanished++;
		} else if (err > 0) {
			err = 0;
			if (r->tgid != tgid)
				err = parse_fail(rd, tid, "thread of another group");
			else
				rd->n++;
		}
	}
	closedir(d);
	return err;
}

/* One process: its record, its mm's files, its threads. */
static int read_process(struct reader *rd, const char *name, int pid)
{
	struct import_task *r;
	size_t mark = rd->n;
	int pdir = open_dir(rd->dfd, name), err;

	if (pdir < 0) {
		if (!gone(rd, pdir))
			return file_fail(rd, pid, "dir", pdir);
		rd->vanished++;
		return 0;
	}
	err = read_task(rd, pdir, pid, &r);
	if (err > 0 && r->tgid != pid)
		err = parse_fail(rd, pid, "Tgid is not the pid");
	if (err > 0) {
		rd->n++;
		r->has_mm = !(r->flags & PF_KTHREAD) && r->state != 'Z' &&
			    r->state != 'X';
		if (r->has_mm)
			err = read_mm(rd, pdir, r);
	}
	if (err > 0) {
		int terr = read_threads(rd, pdir, pid);

		if (terr)
			err = terr;
	}
	close(pdir);
	if (err == 0) {		/* exited while read: drop what we have of it */
		while (rd->n > mark)
			free_record(&rd->v[--rd->n]);
		rd->vanished++;
	}
	return err < 0 ? err : 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct import_task *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int read_tree(struct reader *rd)
{
	int dfd = dup(rd->dfd), err = 0;
	DIR *d;
	struct dirent *e;

	if (dfd < 0)
		return why_fail(rd->why, errno, "%s", strerror(errno));
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return why_fail(rd->why, ENOMEM, "out of memory");
	}
	while (!err && (e = readdir(d))) {
		int pid = entry_pid(e->d_name);

		if (pid)
			err = read_process(rd, e->d_name, pid);
	}
	closedir(d);
	return err;
}

/* DIR/uptime: the source's now, which start times are relative to. */
static int read_now(struct reader *rd, unsigned long long *now)
{
	char why[PROC_PARSE_WHY_LEN], *buf;
	size_t len;
	int err = read_at(rd, rd->dfd, "uptime", IMPORT_SMALL_MAX, &buf, &len);

	if (err == -ENOENT)
		return why_fail(rd->why, EINVAL, "no uptime: not a /proc tree");
	if (err)
		return why_fail(rd->why, -err, "uptime: %s", strerror(-err));
	err = proc_parse_uptime(buf, len, now, why);
	free(buf);
	return err ? why_fail(rd->why, EINVAL, "%s", why) : 0;
}

static void summarize(const struct reader *rd, const struct import_report *rep,
		      char *out)
{
	snprintf(out, IMPORT_SUMMARY_LEN,
		 "imported %lu processes, %lu threads, pid_max %d; "
		 "orphans %lu (parent not in the tree: to init or kthreadd), "
		 "vanished %lu (exited while read: skipped), "
		 "unreadable cmdline %lu, environ %lu, maps %lu (not permitted "
		 "or not copied: left empty), cpus folded %lu (CPU beyond ours), "
		 "dirty rounded %lu (VMAs partly dirty: all or none)",
		 rep->processes, rep->threads, rep->pid_max, rep->orphans,
		 rd->vanished, rd->no_cmdline, rd->no_environ, rd->no_maps,
		 rep->cpus_folded, rep->dirty_rounded);
}

int proc_import_dir(struct kernel *k, const char *path, const char *const *own,
		    char why[SNAPSHOT_WHY_LEN], char summary[IMPORT_SUMMARY_LEN])
{
	struct reader rd = { .why = why, .max_vmas = k->max_map_count };
	struct import_world w = { 0 };
	struct import_report rep;
	struct kernel *fresh = NULL;
	struct stat st;
	int err;

	why[0] = summary[0] = '\0';
	err = snapshot_check_own(own, path, -1, why);
	if (err)
		return err;
	rd.dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rd.dfd < 0)
		return why_fail(why, errno, "%s", strerror(errno));
	err = snapshot_check_own(own, path, rd.dfd, why);
	if (err)
		goto out;
	rd.strict = !fstatat(rd.dfd, IMPORT_SNAP_MANIFEST, &st,
			     AT_SYMLINK_NOFOLLOW);
	err = read_now(&rd, &w.now);
	if (!err)
		err = read_tree(&rd);
	if (err)
		goto out;
	qsort(rd.v, rd.n, sizeof(*rd.v), by_pid);
	w.tasks = rd.v;
	w.nr = rd.n;
	fresh = malloc(sizeof(*fresh));
	if (!fresh) {
		err = why_fail(why, ENOMEM, "out of memory");
		goto out;
	}
	err = kernel_import_prepare(k, &w, fresh, &rep, why);
	if (err)
		goto out;
	world_write_lock(k);
	kernel_load_commit(k, fresh);
	world_unlock(k);
	summarize(&rd, &rep, summary);
out:
	free(fresh);
	for (size_t i = 0; i < rd.n; i++)
		free_record(&rd.v[i]);
	free(rd.v);
	close(rd.dfd);
	return err;
}

int proc_import_at_start(struct kernel *k, const char *path)
{
	char why[SNAPSHOT_WHY_LEN], summary[IMPORT_SUMMARY_LEN];
	int err = proc_import_dir(k, path, NULL, why, summary);

	if (err)
		fprintf(stderr, "procsim: import: %s: %s\n", path, why);
	else
		fprintf(stderr, "procsim: import: %s: %s\n", path, summary);
	return err;
}
