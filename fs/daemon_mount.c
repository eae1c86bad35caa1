// SPDX-License-Identifier: MIT
/*
 * The daemon's mount points: refuse a stale or busy one, and take down the
 * control mounts that dead daemons left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "daemon.h"

/*
 * The filesystem type mounted on @path ("fuse.procsim.ctl", …) from
 * /proc/self/mountinfo, or "" when nothing is mounted there.  Reads no
 * file of the mount itself: a stopped daemon's mount would block a stat.
 */
static void mount_type(const char *path, char *type, size_t cap)
{
	char *line = NULL, mnt[4096], fstype[256];
	size_t n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	type[0] = '\0';
	if (!f)
		return;
	while (getline(&line, &n, f) > 0) {
		char *dash = strstr(line, " - ");
		size_t i, j;

		/* id parent major:minor root MOUNTPOINT opts... - FSTYPE ... */
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%255s", fstype) != 1)
			continue;
		for (i = j = 0; mnt[i]; j++) {	/* undo the \ooo escapes */
			if (mnt[i] == '\\' && mnt[i + 1] && mnt[i + 2] && mnt[i + 3]) {
				mnt[j] = (char)((mnt[i + 1] - '0') * 64 +
						(mnt[i + 2] - '0') * 8 + (mnt[i + 3] - '0'));
				i += 4;
			} else {
				mnt[j] = mnt[i++];
			}
		}
		mnt[j] = '\0';
		if (!strcmp(mnt, path))
			snprintf(type, cap, "%s", fstype);	/* the last one wins */
	}
	free(line);
	fclose(f);
}

/* fusermount3's "nonempty" rule, as a warning: the files go out of sight. */
static void warn_nonempty(const char *mnt)
{
	DIR *d = opendir(mnt);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			fprintf(stderr, "procsim: warning: %s is not empty; its files "
				"are hidden until the unmount\n", mnt);
			break;
		}
	closedir(d);
}

int check_mountpoint(const char *mnt)
{
	char ctl[4096], type[256];
	struct stat st;

	/* Before any stat: another daemon's control mount may be stopped. */
	mount_type(mnt, type, sizeof(type));
	if (!strcmp(type, "fuse.procsim.ctl")) {
		fprintf(stderr, "procsim: %s is another procsim daemon's control "
			"directory; mount somewhere else\n", mnt);
		return -1;
	}
	if (stat(mnt, &st) < 0) {
		if (errno == ENOTCONN)
			fprintf(stderr, "procsim: %s is a stale FUSE mount (its daemon is gone).\n"
				"Clear it with: fusermount3 -u %s\n", mnt, mnt);
		else
			fprintf(stderr, "procsim: %s: %s\n", mnt, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "procsim: %s is not a directory\n", mnt);
		return -1;
	}
	snprintf(ctl, sizeof(ctl), "%s/procsim/ctl", mnt);
	if (!strcmp(type, "fuse.procsim") || stat(ctl, &st) == 0) {
		fprintf(stderr, "procsim: %s is already a procsim mount.\n"
			"Stop that daemon first: fusermount3 -u %s\n", mnt, mnt);
		return -1;
	}
	warn_nonempty(mnt);
	return 0;
}

void detach_mount(const char *path)
{
	pid_t pid;

	if (umount2(path, MNT_DETACH) == 0)
		return;
	pid = fork();
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", "-z", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * A daemon that died leaves its control mount behind, stale: take down
 * the dead ones before making a new one.  The directory's name holds its
 * daemon's pid ("procsim-ctl.PID.XXXXXX"), and only one whose daemon is
 * gone is touched, without a stat of it: a stat of a stopped or frozen
 * daemon's mount sleeps, unkillable, until it runs again.  A live pid
 * (ours or another user's, running, stopped or still mounting) keeps its
 * directory; so does one of the older unnumbered name, whose daemon cannot
 * be known.  (A daemon in another pid namespace sharing this directory
 * would look dead: run those with their own TMPDIR.)
 */
void sweep_stale_control_mounts(const char *dir)
{
	struct dirent *de;
	char path[4096], type[256];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(de->d_name, "procsim-ctl.", 12))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		pid = strtol(de->d_name + 12, &end, 10);
		if (end == de->d_name + 12 || *end != '.' || pid <= 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;	/* unnumbered, or its daemon lives */
		mount_type(path, type, sizeof(type));
		if (*type)
			detach_mount(path);
		if (rmdir(path) == 0 && *type)
			fprintf(stderr, "procsim: removed a dead daemon's control mount %s\n", path);
	}
	closedir(d);
}
