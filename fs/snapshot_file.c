// SPDX-License-Identifier: MIT
/* Save and restore to a file: atomic write, whole-file read. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "snapshot_file.h"

static int io_fail(char *why, int err)
{
	snprintf(why, SNAPSHOT_WHY_LEN, "%s", strerror(err));
	return -err;
}

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

/* fsync the directory holding @path, so the rename itself is durable. */
static int sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, err = 0;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return 0;
	memcpy(dir, path, slash - path);
	dir[slash == path ? 1 : slash - path] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

int snapshot_save_file(const struct kernel *k, const char *path,
		       char why[SNAPSHOT_WHY_LEN])
{
	char tmp[PATH_MAX];
	void *data;
	size_t len;
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return io_fail(why, ENAMETOOLONG);
	err = kernel_save(k, &data, &len);
	if (err)
		return io_fail(why, -err);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		free(data);
		return io_fail(why, -err);
	}
	err = write_all(fd, data, len);
	free(data);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return io_fail(why, -err);
	}
	err = sync_dir(path);
	return err ? io_fail(why, -err) : 0;
}

int snapshot_load_file(struct kernel *k, const char *path,
		       char why[SNAPSHOT_WHY_LEN])
{
	struct stat st;
	char *data;
	size_t got = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return io_fail(why, errno);
	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		return io_fail(why, err);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return io_fail(why, S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
	}
	data = malloc(st.st_size ? st.st_size : 1);
	if (!data) {
		close(fd);
		return io_fail(why, ENOMEM);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? errno : 0;
			break;
		}
		got += r;
	}
	close(fd);
	if (err) {
		free(data);
		return io_fail(why, err);
	}
	err = kernel_load(k, data, got, why);
	free(data);
	return err;
}
