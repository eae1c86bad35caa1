// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/mounts and mountinfo: the mount table of the task's mount
 * namespace.  The host's is a Debian server's; a container's is Docker's
 * (overlay root, its own proc, dev, sys).  mounts prints the mount flags
 * and the superblock options in one list; mountinfo splits them around
 * the optional fields (show_vfsmnt and show_mountinfo in fs/proc_namespace.c).
 */
#include <string.h>
#include "render_clients.h"
#include "render_util.h"
#include "task_files.h"

struct mount_ent {
	int id, parent;
	const char *dev;		/* major:minor */
	const char *source, *target, *fstype;
	const char *mnt_opts;		/* per mount: rw,nosuid,... */
	const char *sb_opts;		/* per superblock, after rw/ro; may be "" */
	const char *shared;		/* optional fields, e.g. "shared:1" or "" */
};

static const struct mount_ent host_mounts[] = {
	{ 22, 28, "0:21", "sysfs", "/sys", "sysfs", "rw,nosuid,nodev,noexec,relatime", "", "shared:7" },
	{ 23, 28, "0:22", "proc", "/proc", "proc", "rw,nosuid,nodev,noexec,relatime", "", "shared:13" },
	{ 24, 28, "0:5", "udev", "/dev", "devtmpfs", "rw,nosuid,relatime",
	  "size=12288000k,nr_inodes=3072000,mode=755,inode64", "shared:2" },
	{ 25, 24, "0:23", "devpts", "/dev/pts", "devpts", "rw,nosuid,noexec,relatime",
	  "gid=5,mode=620,ptmxmode=000", "shared:3" },
	{ 26, 28, "0:24", "tmpfs", "/run", "tmpfs", "rw,nosuid,nodev,noexec,relatime",
	  "size=2457600k,mode=755,inode64", "shared:5" },
	{ 28, 1, "254:1", "/dev/vda1", "/", "ext4", "rw,relatime", "errors=remount-ro", "shared:1" },
	{ 30, 24, "0:25", "tmpfs", "/dev/shm", "tmpfs", "rw,nosuid,nodev", "inode64", "shared:4" },
	{ 31, 22, "0:26", "cgroup2", "/sys/fs/cgroup", "cgroup2", "rw,nosuid,nodev,noexec,relatime",
	  "nsdelegate,memory_recursiveprot", "shared:9" },
};

static const struct mount_ent container_mounts[] = {
	{ 500, 480, "0:60", "overlay", "/", "overlay", "rw,relatime",
	  "lowerdir=/var/lib/docker/overlay2/l/QF2HIVZ4ENZAXLKOV3WYQ4S7XR,"
	  "upperdir=/var/lib/docker/overlay2/diff,workdir=/var/lib/docker/overlay2/work,nouserxattr", "" },
	{ 501, 500, "0:63", "proc", "/proc", "proc", "rw,nosuid,nodev,noexec,relatime", "", "" },
	{ 502, 500, "0:64", "tmpfs", "/dev", "tmpfs", "rw,nosuid", "size=65536k,mode=755,inode64", "" },
	{ 503, 502, "0:65", "devpts", "/dev/pts", "devpts", "rw,nosuid,noexec,relatime",
	  "gid=5,mode=620,ptmxmode=666", "" },
	{ 504, 500, "0:66", "sysfs", "/sys", "sysfs", "ro,nosuid,nodev,noexec,relatime", "", "" },
	{ 505, 504, "0:26", "cgroup", "/sys/fs/cgroup", "cgroup2", "ro,nosuid,nodev,noexec,relatime", "", "" },
	{ 506, 502, "0:62", "mqueue", "/dev/mqueue", "mqueue", "rw,nosuid,nodev,noexec,relatime", "", "" },
	{ 507, 502, "0:67", "shm", "/dev/shm", "tmpfs", "rw,nosuid,nodev,noexec,relatime",
	  "size=65536k,inode64", "" },
	{ 508, 500, "254:1", "/dev/vda1", "/etc/resolv.conf", "ext4", "rw,relatime", "errors=remount-ro", "" },
	{ 509, 500, "254:1", "/dev/vda1", "/etc/hostname", "ext4", "rw,relatime", "errors=remount-ro", "" },
	{ 510, 500, "254:1", "/dev/vda1", "/etc/hosts", "ext4", "rw,relatime", "errors=remount-ro", "" },
};

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

static const struct mount_ent *task_mounts(const struct task *t, size_t *n)
{
	if (task_container(t)) {
		*n = NR(container_mounts);
		return container_mounts;
	}
	*n = NR(host_mounts);
	return host_mounts;
}

/* "rw" or "ro": the superblock's own flag, which mountinfo repeats. */
static void put_sb_opts(struct buf *b, const struct mount_ent *m)
{
	buf_put(b, m->mnt_opts, 2);
	if (m->sb_opts[0]) {
		buf_putc(b, ',');
		buf_puts(b, m->sb_opts);
	}
}

void render_tid_mounts(struct buf *b, const struct render_ctx *c,
		       const struct task *t, bool whole)
{
	size_t n;
	const struct mount_ent *m = task_mounts(t, &n);

	(void)c;
	(void)whole;
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "%s %s %s %s", m[i].source, m[i].target,
			   m[i].fstype, m[i].mnt_opts);
		if (m[i].sb_opts[0])
			buf_printf(b, ",%s", m[i].sb_opts);
		buf_putlit(b, " 0 0\n");
	}
}

void render_tid_mountinfo(struct buf *b, const struct render_ctx *c,
			  const struct task *t, bool whole)
{
	size_t n;
	const struct mount_ent *m = task_mounts(t, &n);

	(void)c;
	(void)whole;
	for (size_t i = 0; i < n; i++) {
		const char *root = m[i].target[1] && !strcmp(m[i].fstype, "ext4") ?
				   "/var/lib/docker/containers/config" : "/";

		buf_printf(b, "%d %d %s %s %s %s", m[i].id, m[i].parent, m[i].dev,
			   root, m[i].target, m[i].mnt_opts);
		if (m[i].shared[0])
			buf_printf(b, " %s", m[i].shared);
		buf_printf(b, " - %s %s ", m[i].fstype, m[i].source);
		put_sb_opts(b, &m[i]);
		buf_putc(b, '\n');
	}
}
