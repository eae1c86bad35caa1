// SPDX-License-Identifier: MIT
/*
 * Save and restore to a file, in two phases so that no file I/O ever
 * happens under the world's lock (a path in our own mount, a FIFO, a slow
 * disk would otherwise freeze every reader):
 *  - save: encode under the read lock into memory, then write with no lock;
 *  - load: open, check, read and build a whole new world with no lock;
 *    only the swap takes the write lock.
 * The daemon may run as root, so save never follows a symlink, never
 * writes through a device node or FIFO, and neither command touches the
 * daemon's own mounts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <unistd.h>
#include "snapshot_file.h"

static int io_fail(char *why, int err)
{
	snprintf(why, SNAPSHOT_WHY_LEN, "%s", strerror(err));
	return -err;
}

int why_fail(char *why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, SNAPSHOT_WHY_LEN, fmt, ap);
	va_end(ap);
	return -err;
}

/* ---- the daemon's own mounts ---- */

/*
 * Does absolute @path lie in or under absolute @mnt, taken lexically ("."
 * and ".." folded, repeated '/' ignored)?  No system call: a stat() of a
 * path in our own mount would be a FUSE request to ourselves.
 */
static bool lexically_under(const char *path, const char *mnt)
{
	char norm[PATH_MAX];
	size_t len = 0, mlen;
	const char *p = path;

	if (path[0] != '/' || mnt[0] != '/')
		return false;
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = end - p;
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len && norm[len - 1] != '/')
				len--;
			if (len)
				len--;
		} else {
			if (len + 1 + n >= sizeof(norm))
				return false;
			norm[len++] = '/';
			memcpy(norm + len, p, n);
			len += n;
		}
		p = end;
	}
	norm[len] = '\0';
	mlen = strlen(mnt);
	while (mlen > 1 && mnt[mlen - 1] == '/')
		mlen--;
	if (mlen == 1)
		return true;		/* mounted on / */
	return !strncmp(norm, mnt, mlen) && (norm[mlen] == '/' || !norm[mlen]);
}

/*
 * The device of @fd (or of @path if @fd < 0) from the kernel's cached
 * inode, never asking the filesystem: statx's AT_STATX_DONT_SYNC with an
 * empty mask makes FUSE answer from the inode (fuse_update_get_attr), so
 * this cannot become a request to ourselves.
 */
static int dev_of(int fd, const char *path, dev_t *dev)
{
	struct statx sx;
	int flags = AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT;

	if (fd >= 0 ? statx(fd, "", flags | AT_EMPTY_PATH, 0, &sx) :
		      statx(AT_FDCWD, path, flags, 0, &sx))
		return -errno;
	*dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	return 0;
}

/*
 * -EXDEV if @path (lexically) or @fd (by its device: a symlink or a bind
 * mount may lead there) is in one of @own, a NULL-terminated list of the
 * daemon's mount points; @own NULL means none (at boot).
 */
static int check_own(const char *const *own, const char *path, int fd,
		     char *why)
{
	dev_t dev, mdev;

	for (const char *const *m = own; m && *m; m++)
		if (lexically_under(path, *m))
			goto refuse;
	if (fd < 0 || !own || dev_of(fd, NULL, &dev))
		return 0;
	for (const char *const *m = own; *m; m++)
		if (!dev_of(-1, *m, &mdev) && mdev == dev)
			goto refuse;
	return 0;
refuse:
	return why_fail(why, EXDEV, "in this daemon's own mount");
}

int snapshot_check_own(const char *const *own, const char *path, int fd,
		       char why[SNAPSHOT_WHY_LEN])
{
	return check_own(own, path, fd, why);
}

/* "a directory", "a symlink", … for messages about a non-regular file. */
static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:	return "a directory";
	case S_IFLNK:	return "a symlink";
	case S_IFCHR:	return "a character device";
	case S_IFBLK:	return "a block device";
	case S_IFIFO:	return "a FIFO";
	case S_IFSOCK:	return "a socket";
	default:	return "not a regular file";
	}
}

static int not_regular(char *why, mode_t mode)
{
	return why_fail(why, S_ISDIR(mode) ? EISDIR : EINVAL,
			"%s, not a regular file", file_kind(mode));
}

/* ---- save ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= w;
	}
	return 0;
}

/*
 * A new temporary file "@name.tmp.XXXXXX" in @dfd: O_EXCL makes it ours
 * (never a symlink, FIFO or device someone planted there), so the name
 * FILE.tmp that another user can guess is never opened.
 */
static int create_temp(int dfd, const char *name, char *tmp, size_t cap)
{
	for (int tries = 0; tries < 100; tries++) {
		unsigned int r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (unsigned int)getpid() * 2654435761u + tries;
		if ((size_t)snprintf(tmp, cap, "%s.tmp.%08x", name, r) >= cap)
			return -ENAMETOOLONG;
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* @data into @dfd/@name: temp file, fsync, rename, fsync of the directory. */
static int write_snapshot(int dfd, const char *name, const void *data,
			  size_t len, char *why)
{
	char tmp[NAME_MAX + 1];
	int fd, err;

	fd = create_temp(dfd, name, tmp, sizeof(tmp));
	if (fd < 0)
		return io_fail(why, -fd);
	err = write_all(fd, data, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(dfd, tmp, dfd, name))
		err = -errno;
	if (err) {
		unlinkat(dfd, tmp, 0);
		return io_fail(why, -err);
	}
	/* The rename itself must survive a crash: fsync the directory. */
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return io_fail(why, errno);
	err = fsync(fd) ? -errno : 0;
	close(fd);
	return err ? io_fail(why, -err) : 0;
}

/* Split absolute-or-relative @path into its directory and last name. */
static int split_path(const char *path, char *dir, size_t cap,
		      const char **name, char *why)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	*name = slash ? slash + 1 : path;
	if (!**name || !strcmp(*name, ".") || !strcmp(*name, ".."))
		return why_fail(why, EISDIR, "names a directory");
	if (strlen(*name) > NAME_MAX)
		return io_fail(why, ENAMETOOLONG);
	n = slash ? (size_t)(slash - path) : 1;
	if (n >= cap)
		return io_fail(why, ENAMETOOLONG);
	if (!slash)
		memcpy(dir, ".", 1);
	else if (n == 0)
		memcpy(dir, "/", n = 1);
	else
		memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

int snapshot_save_file(struct kernel *k, const char *path,
		       const char *const *own, char why[SNAPSHOT_WHY_LEN])
{
	char dir[PATH_MAX];
	const char *name;
	struct stat st;
	void *data;
	size_t len;
	int dfd, err;

	err = check_own(own, path, -1, why);
	if (!err)
		err = split_path(path, dir, sizeof(dir), &name, why);
	if (err)
		return err;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return io_fail(why, errno);
	err = check_own(own, path, dfd, why);
	if (err)
		goto out;
	/* Replace a regular file or nothing: never a device, FIFO or link. */
	if (!fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (!S_ISREG(st.st_mode)) {
			err = not_regular(why, st.st_mode);
			goto out;
		}
	} else if (errno != ENOENT) {
		err = io_fail(why, errno);
		goto out;
	}
	world_read_lock(k);
	err = kernel_save(k, &data, &len);
	world_unlock(k);
	if (err) {
		err = io_fail(why, -err);
		goto out;
	}
	if (len > SNAPSHOT_FILE_MAX)
		err = why_fail(why, EFBIG, "%zu bytes, over the %llu-byte "
			       "limit load accepts", len,
			       (unsigned long long)SNAPSHOT_FILE_MAX);
	else
		err = write_snapshot(dfd, name, data, len, why);
	free(data);
out:
	close(dfd);
	return err;
}

/* ---- load ---- */

int read_full(int fd, char *p, size_t n, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t r = read(fd, p + *got, n - *got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		*got += r;
	}
	return 0;
}

/* A FIFO's open would block: hence the O_PATH look first. */
int file_open_regular(const char *path, const char *const *own,
		      unsigned long long max, off_t *size, char *why)
{
	struct stat pst, st;
	int pfd, fd, err;

	err = check_own(own, path, -1, why);
	if (err)
		return err;
	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return io_fail(why, errno);
	err = check_own(own, path, pfd, why);
	if (!err && fstat(pfd, &pst))
		err = io_fail(why, errno);
	if (!err && !S_ISREG(pst.st_mode))
		err = not_regular(why, pst.st_mode);
	close(pfd);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return io_fail(why, errno);
	if (fstat(fd, &st))
		err = io_fail(why, errno);
	else if (st.st_dev != pst.st_dev || st.st_ino != pst.st_ino)
		err = why_fail(why, EAGAIN, "replaced while being opened");
	else if ((unsigned long long)st.st_size > max)
		err = why_fail(why, EFBIG, "%lld bytes, over the %llu-byte limit",
			       (long long)st.st_size, max);
	if (err) {
		close(fd);
		return err;
	}
	*size = st.st_size;
	return fd;
}

int snapshot_load_file(struct kernel *k, const char *path,
		       const char *const *own, char why[SNAPSHOT_WHY_LEN])
{
	struct kernel *fresh;
	char *data;
	size_t got, more;
	off_t size;
	int fd, err;

	fd = file_open_regular(path, own, SNAPSHOT_FILE_MAX, &size, why);
	if (fd < 0)
		return fd;
	/* The head first: a foreign or sparse file is refused unread. */
	data = malloc(size > SNAPSHOT_HEAD_LEN ? (size_t)size : SNAPSHOT_HEAD_LEN);
	if (!data) {
		close(fd);
		return io_fail(why, ENOMEM);
	}
	err = read_full(fd, data, SNAPSHOT_HEAD_LEN, &got);
	if (err)
		err = io_fail(why, -err);
	else
		err = snapshot_check_head(data, got, why);
	if (!err && size > SNAPSHOT_HEAD_LEN) {
		err = read_full(fd, data + got, size - got, &more);
		got += more;
		if (err)
			err = io_fail(why, -err);
	}
	close(fd);
	fresh = err ? NULL : malloc(sizeof(*fresh));
	if (!err && !fresh)
		err = io_fail(why, ENOMEM);
	if (!err)
		err = kernel_load_prepare(k, data, got, fresh, why);
	free(data);
	if (!err) {
		world_write_lock(k);
		kernel_load_commit(k, fresh);
		world_unlock(k);
	}
	free(fresh);
	return err;
}
