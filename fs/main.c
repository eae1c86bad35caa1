// SPDX-License-Identifier: MIT
/*
 * procsim: the daemon.  Boots a simulated kernel, populates it, and serves
 * it as a /proc through FUSE's low-level API (see fs/fuse_ops.c).
 */
#define FUSE_USE_VERSION 312
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"
#include "ctl_replay.h"
#include "fuse_events.h"
#include "fuse_ops.h"
#include "options.h"
#include "procfs.h"
#include "snapshot_file.h"
#include "watchers.h"

/*
 * How long a stopping daemon waits for open ctl files to close: 3 s while
 * they are idle, 60 s while a command runs on one (a big save).
 */
#define CTL_DRAIN_IDLE_SECONDS	3
#define CTL_DRAIN_BUSY_SECONDS	60

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt opt_spec[] = {
	/* Numbers as strings too: options_check parses and checks them. */
	OPT("populate=%s", populate),
	OPT("pid_max=%s", pid_max),
	OPT("pidstore=%s", pidstore),
	OPT("seed=%s", seed),
	OPT("max_map_count=%s", max_map_count),
	OPT("vmastore=%s", vmastore),
	OPT("forkdup=%s", forkdup),
	OPT("mmap_layout=%s", mmap_layout),
	OPT("entry_timeout=%s", entry_timeout),
	OPT("attr_timeout=%s", attr_timeout),
	OPT("cache=%s", cache),
	OPT("ns_links=%s", ns_links),
	OPT("wait=%s", wait),
	OPT("watchers=%s", watchers),
	OPT("pidlock=%s", pidlock),
	OPT("load=%s", load),
	OPT("account=%s", account),
	OPT("-h", help),
	OPT("--help", help),
	FUSE_OPT_END
};

static void usage(const char *prog)
{
	printf("usage: %s [-f] [-d] [-s] [-o opt,[opt...]] MOUNTPOINT\n\n"
	       "procsim options:\n"
	       "    -o populate=N          add N realistic processes at start (default 0)\n"
	       "    -o pid_max=N           pid_max, %d..%d (default %d)\n"
	       "    -o pidstore=NAME       pid store backend:", prog,
	       RESERVED_PIDS + 1, PID_MAX_LIMIT, PID_MAX_DEFAULT);
	for (int i = 0; pid_store_backends[i]; i++)
		printf(" %s", pid_store_backends[i]->name);
	printf(" (default idr)\n"
	       "    -o wait=scan|lookup    do_wait strategy: scan every child and tracee\n"
	       "                           (pre-5.13) or look the pid up (default lookup)\n"
	       "    -o seed=N              seed of populate's random world (0..2^63-1)\n"
	       "    -o max_map_count=N     vm.max_map_count (default %d)\n",
	       DEFAULT_MAX_MAP_COUNT);
	printf("    -o vmastore=NAME       VMA store:");
	for (int i = 0; vma_store_backends[i]; i++)
		printf(" %s", vma_store_backends[i]->name);
	printf(" (default list)\n"
	       "    -o forkdup=insert|bulk fork copies VMA by VMA, or the whole tree\n"
	       "                           (bulk: stores with a dup hook; default insert)\n"
	       "    -o mmap_layout=topdown|legacy  mmap placement (default topdown)\n"
	       "    -o cache=on|off        keep /proc/<pid> files in the page cache and\n"
	       "                           invalidate them on change (default on)\n"
	       "    -o ns_links=on|off     serve /proc/<pid>/ns (default off: stat() of\n"
	       "                           each link is a READLINK round trip, and\n"
	       "                           pstree and ps stat all eight per process)\n"
	       "    -o watchers=NAME       task watcher mechanism: table, chain, direct\n"
	       "                           or none (default table)\n"
	       "    -o pidlock=twice|once  pidmap_lock holds per clone (default twice)\n"
	       "    -o load=FILE           start from a world saved with 'save FILE'\n"
	       "                           (its options replace the ones above)\n"
	       "    -o account=on|off      time the core and the renderers per request,\n"
	       "                           for /proc/procsim/stats (default on)\n"
	       "    -o entry_timeout=S     pid entries' cache seconds with cache=off, 0..86400 (default 0)\n"
	       "    -o attr_timeout=S      task attributes' cache seconds with cache=off, 0..86400 (default 0)\n"
	       "    -o allow_other         let other users read (turns on default_permissions)\n\n"
	       "FUSE options:\n");
	fuse_cmdline_help();
	fuse_lowlevel_help();
}

/* The host's boot time, as /proc/stat's btime: ps adds start times to it. */
static long long host_btime(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (long long)rt.tv_sec - bt.tv_sec - (rt.tv_nsec < bt.tv_nsec);
}

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

/* Refuse a mount point that is stale or already serving procsim. */
static int check_mountpoint(const char *mnt)
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

static bool has_arg(const struct fuse_args *args, const char *word)
{
	for (int i = 0; i < args->argc; i++)
		if (strstr(args->argv[i], word))
			return true;
	return false;
}

static int boot_kernel(struct procfs *fs, const struct options *o,
		       const struct daemon_config *cfg)
{
	struct kernel_opts ko = cfg->ko;
	int err;

	stats_init(&fs->stats, cfg->account);
	ko.kstat = &fs->stats.hook;
	err = kernel_init(&fs->k, &ko);
	if (err) {
		fprintf(stderr, "procsim: cannot boot the simulated kernel: %s\n", strerror(-err));
		return -1;
	}
	err = populate(&fs->k, cfg->populate);
	if (err) {
		fprintf(stderr, "procsim: populate=%d: %s\n", cfg->populate,
			err == -EAGAIN ? "more processes than free pids below pid_max" :
			strerror(-err));
		return -1;
	}
	if (o->load) {
		char why[SNAPSHOT_WHY_LEN];

		err = snapshot_load_file(&fs->k, o->load, NULL, why);
		if (err) {
			fprintf(stderr, "procsim: load: %s: %s\n", o->load, why);
			return -1;
		}
	}
	return 0;
}

/* Run a session's loop, multithreaded unless -s. */
static int run_loop(struct fuse_session *se, const struct fuse_cmdline_opts *cmd)
{
	struct fuse_loop_config *cfg;
	int ret;

	if (cmd->singlethread)
		return fuse_session_loop(se);
	cfg = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(cfg, cmd->clone_fd);
	/* libfuse's 'unset' is UINT_MAX, which it then warns about. */
	if (cmd->max_idle_threads <= 100000)
		fuse_loop_cfg_set_idle_threads(cfg, cmd->max_idle_threads);
	if (cmd->max_threads > 0 && cmd->max_threads <= 100000)
		fuse_loop_cfg_set_max_threads(cfg, cmd->max_threads);
	ret = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	return ret;
}

struct control_loop {
	struct fuse_session *se;
	const struct fuse_cmdline_opts *cmd;
	pthread_t thread;
};

static void *control_main(void *arg)
{
	struct control_loop *c = arg;

	run_loop(c->se, c->cmd);
	return NULL;
}

/* Lazily unmount @path: umount2 as root, else fusermount3 as its owner. */
static void detach_mount(const char *path)
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
static void sweep_stale_control_mounts(const char *dir)
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

/*
 * The control session (see struct procfs_session): its own connection,
 * mounted on a fresh directory that /proc/procsim points to.
 */
static struct fuse_session *control_new(struct procfs *fs, const char *prog,
					bool allow_other, bool debug)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	const char *tmp = getenv("TMPDIR");
	struct fuse_session *se;
	char path[4096];

	tmp = tmp && *tmp ? tmp : "/tmp";
	sweep_stale_control_mounts(tmp);
	snprintf(path, sizeof(path), "%s/procsim-ctl.%d.XXXXXX", tmp, (int)getpid());
	if (!mkdtemp(path)) {
		fprintf(stderr, "procsim: cannot make the control mount point %s: %s\n",
			path, strerror(errno));
		return NULL;
	}
	chmod(path, 0755);
	fs->control_path = strdup(path);
	fuse_opt_add_arg(&args, prog);
	fuse_opt_add_arg(&args, "-ofsname=procsim,subtype=procsim.ctl");
	if (allow_other)
		fuse_opt_add_arg(&args, "-oallow_other,default_permissions");
	if (debug)
		fuse_opt_add_arg(&args, "-d");
	se = fuse_session_new(&args, &procsim_ll_ops, sizeof(procsim_ll_ops),
			      &fs->control);
	fuse_opt_free_args(&args);
	if (se && fuse_session_mount(se, fs->control_path)) {
		fuse_session_destroy(se);
		se = NULL;
	}
	if (!se) {
		fprintf(stderr, "procsim: cannot mount the control directory on %s\n",
			fs->control_path);
		rmdir(fs->control_path);
	}
	return se;
}

/* Start the control loop with the termination signals blocked in it:
 * they must reach the main thread, whose loop then ends both. */
static int control_start(struct control_loop *c)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&c->thread, NULL, control_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

static void control_stop(struct procfs *fs, struct control_loop *c, bool started)
{
	if (!c->se)
		return;
	/*
	 * Unmount first, with the fd still open: the kernel then fails the
	 * loop's read()s and it ends.  libfuse's own unmount closes the fd
	 * first, under the feet of the threads still reading it.
	 */
	fuse_session_exit(c->se);
	detach_mount(fs->control_path);
	if (started)
		pthread_join(c->thread, NULL);
	fuse_session_unmount(c->se);
	fuse_session_destroy(c->se);
	rmdir(fs->control_path);
}

/*
 * Background mode, as fuse_daemonize() but forking before the mounts: the
 * control directory's name carries the daemon's own pid (see
 * sweep_stale_control_mounts).  The parent waits for daemon_ready() and
 * exits 0, or with the child's status if its setup failed, so errors still
 * reach the terminal.  Returns the fd daemon_ready() writes to.
 */
static int daemon_fork(void)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe(p) || (pid = fork()) < 0) {
		perror("procsim: fork");
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			exit(0);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			exit(WEXITSTATUS(status));
		exit(1);
	}
	close(p[0]);
	setsid();
	return p[1];
}

static void daemon_ready(int *fd)
{
	int null = open("/dev/null", O_RDWR);

	if (chdir("/")) {
		/* / is always there; nothing depends on the cwd */
	}
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (write(*fd, "", 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	close(*fd);
	*fd = -1;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd;
	struct options o = { 0 };
	struct daemon_config cfg;
	char why[OPTIONS_WHY_LEN];
	static struct procfs fs;
	static const char *own_mounts[3];
	struct fuse_session *se = NULL;
	struct control_loop control = { 0 };
	bool allow_other, started = false;
	int ret = 1, ready_fd = -1;

	if (fuse_opt_parse(&args, &o, opt_spec, NULL) == -1)
		return 2;
	if (o.help) {
		usage(argv[0]);
		return 0;
	}
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		return 2;
	if (cmd.show_version) {
		printf("procsim 0.1, FUSE library %s\n", fuse_pkgversion());
		return 0;
	}
	if (!cmd.mountpoint) {
		fprintf(stderr, "usage: %s [options] MOUNTPOINT (see --help)\n", argv[0]);
		return 2;
	}
	if (options_check(&o, &cfg, why)) {
		fprintf(stderr, "procsim: %s\n", why);
		goto out_free;
	}
	if (check_mountpoint(cmd.mountpoint))
		goto out_free;
	if (!cmd.foreground)
		ready_fd = daemon_fork();
	if (boot_kernel(&fs, &o, &cfg))
		goto out_free;
	fs.owner_uid = getuid();
	fs.owner_gid = getgid();
	fs.btime = host_btime();
	fs.entry_timeout = cfg.entry_timeout;
	fs.attr_timeout = cfg.attr_timeout;
	fs.mountpoint = cmd.mountpoint;
	fs.cache = cfg.cache;
	fs.ns_links = cfg.ns_links;
	trace_init(&fs.trace, fs.cache);
	fs.stats.ctl = procfs_serve_ctl;
	fs.stats.ctl_arg = &fs;
	fs.k.track_changes = fs.cache;

	fs.split = fs.cache;
	fs.tree = (struct procfs_session){ .fs = &fs, .control = false };
	fs.control = (struct procfs_session){ .fs = &fs, .control = true };
	allow_other = has_arg(&args, "allow_other");
	fuse_opt_add_arg(&args, "-ofsname=procsim,subtype=procsim");
	/* Other users only ever get in with the kernel checking modes. */
	if (allow_other)
		fuse_opt_add_arg(&args, "-odefault_permissions");
	se = fuse_session_new(&args, &procsim_ll_ops, sizeof(procsim_ll_ops), &fs.tree);
	if (!se)
		goto out_kernel;
	fs.se = fs.tree.se = se;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, cmd.mountpoint) != 0) {
		fprintf(stderr, "procsim: cannot mount on %s (is /dev/fuse usable, and fusermount3 installed?)\n",
			cmd.mountpoint);
		goto out_signals;
	}
	if (fs.split) {
		control.cmd = &cmd;
		control.se = fs.control.se = control_new(&fs, argv[0], allow_other, cmd.debug);
		if (!control.se)
			goto out_unmount;
	}
	/* save and load refuse both our mounts: a request to ourselves. */
	own_mounts[0] = cmd.mountpoint;
	own_mounts[1] = fs.control_path;
	ctl_set_own_mounts(own_mounts);
	if (ready_fd >= 0)
		daemon_ready(&ready_fd);
	started = control.se && !control_start(&control);
	if (control.se && !started) {
		fprintf(stderr, "procsim: cannot start the control loop\n");
		goto out_control;
	}
	ret = run_loop(se, &cmd);
	/* libfuse returns the signal that ended the loop: a clean stop. */
	if (ret == SIGINT || ret == SIGTERM || ret == SIGHUP)
		ret = 0;
	/*
	 * The tree's loop has ended; the control loop still serves, so a
	 * command in progress (a save at SIGTERM) finishes and is answered.
	 */
	if (started && !procfs_ctl_drain(CTL_DRAIN_IDLE_SECONDS,
					 CTL_DRAIN_BUSY_SECONDS))
		fprintf(stderr, "procsim: a ctl file stayed open after the stop; "
			"closing the control mount under it\n");
out_control:
	fuse_events_shutdown();
	control_stop(&fs, &control, started);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_kernel:
	ctl_replay_shutdown();	/* its thread drives fs.k */
	kernel_destroy(&fs.k);
out_free:
	free(cmd.mountpoint);
	fuse_opt_free_args(&args);
	options_free(&o);
	free(fs.control_path);
	return ret ? 1 : 0;
}
