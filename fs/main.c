// SPDX-License-Identifier: MIT
/*
 * procsim: the daemon.  Boots a simulated kernel, populates it, and serves
 * it as a /proc through FUSE's low-level API (see fs/fuse_ops.c).
 */
#define FUSE_USE_VERSION 312
#include <dirent.h>
#include <errno.h>
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
#include "fuse_events.h"
#include "fuse_ops.h"
#include "procfs.h"
#include "snapshot_file.h"
#include "watchers.h"

struct options {
	int populate;
	int pid_max;
	char *pidstore;
	unsigned long seed;
	int max_map_count;
	char *vmastore;
	char *forkdup;
	char *mmap_layout;
	double entry_timeout;
	double attr_timeout;
	int help;
	char *cache;
	char *wait;
	char *watchers;
	char *load;
	char *pidlock;
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt opt_spec[] = {
	OPT("populate=%d", populate),
	OPT("pid_max=%d", pid_max),
	OPT("pidstore=%s", pidstore),
	OPT("seed=%lu", seed),
	OPT("max_map_count=%d", max_map_count),
	OPT("vmastore=%s", vmastore),
	OPT("forkdup=%s", forkdup),
	OPT("mmap_layout=%s", mmap_layout),
	OPT("entry_timeout=%lf", entry_timeout),
	OPT("attr_timeout=%lf", attr_timeout),
	OPT("cache=%s", cache),
	OPT("wait=%s", wait),
	OPT("watchers=%s", watchers),
	OPT("pidlock=%s", pidlock),
	OPT("load=%s", load),
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
	       "    -o seed=N              seed of populate's random world\n"
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
	       "    -o watchers=NAME       task watcher mechanism: table, chain, direct\n"
	       "                           or none (default table)\n"
	       "    -o pidlock=twice|once  pidmap_lock holds per clone (default twice)\n"
	       "    -o load=FILE           start from a world saved with 'save FILE'\n"
	       "                           (its options replace the ones above)\n"
	       "    -o entry_timeout=S     pid entries' cache seconds with cache=off (default 0)\n"
	       "    -o attr_timeout=S      task attributes' cache seconds with cache=off (default 0)\n"
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

/* Refuse a mount point that is stale or already serving procsim. */
static int check_mountpoint(const char *mnt)
{
	char ctl[4096];
	struct stat st;

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
	if (stat(ctl, &st) == 0) {
		fprintf(stderr, "procsim: %s is already a procsim mount.\n"
			"Stop that daemon first: fusermount3 -u %s\n", mnt, mnt);
		return -1;
	}
	return 0;
}

static bool has_arg(const struct fuse_args *args, const char *word)
{
	for (int i = 0; i < args->argc; i++)
		if (strstr(args->argv[i], word))
			return true;
	return false;
}

static int boot_kernel(struct procfs *fs, const struct options *o)
{
	struct kernel_opts ko = {
		.pid_max = o->pid_max,
		.pidstore = o->pidstore,
		.max_map_count = o->max_map_count,
		.vmastore = o->vmastore,
		.seed = o->seed,
		.wait = o->wait,
		.watchers = o->watchers,
	};
	const struct vma_store_ops *vops;
	int err;

	vops = vma_store_find_ops(o->vmastore ? o->vmastore : "list");
	if (!vops) {
		fprintf(stderr, "procsim: unknown vmastore '%s' (have:", o->vmastore);
		for (int i = 0; vma_store_backends[i]; i++)
			fprintf(stderr, " %s", vma_store_backends[i]->name);
		fprintf(stderr, ")\n");
		return -1;
	}
	if (o->forkdup && strcmp(o->forkdup, "insert") && strcmp(o->forkdup, "bulk")) {
		fprintf(stderr, "procsim: forkdup must be insert or bulk, not '%s'\n", o->forkdup);
		return -1;
	}
	ko.forkdup = o->forkdup && !strcmp(o->forkdup, "bulk") ? FORKDUP_BULK : FORKDUP_INSERT;
	if (ko.forkdup == FORKDUP_BULK && !vops->dup) {
		fprintf(stderr, "procsim: vmastore %s cannot duplicate its structure whole;"
			" forkdup=bulk needs one of:", vops->name);
		for (int i = 0; vma_store_backends[i]; i++)
			if (vma_store_backends[i]->dup)
				fprintf(stderr, " %s", vma_store_backends[i]->name);
		fprintf(stderr, "\n");
		return -1;
	}
	if (o->mmap_layout && strcmp(o->mmap_layout, "topdown") && strcmp(o->mmap_layout, "legacy")) {
		fprintf(stderr, "procsim: mmap_layout must be topdown or legacy, not '%s'\n",
			o->mmap_layout);
		return -1;
	}
	ko.mmap_legacy = o->mmap_layout && !strcmp(o->mmap_layout, "legacy");

	if (o->pidstore && !pid_store_find_ops(o->pidstore)) {
		fprintf(stderr, "procsim: unknown pidstore '%s' (have:", o->pidstore);
		for (int i = 0; pid_store_backends[i]; i++)
			fprintf(stderr, " %s", pid_store_backends[i]->name);
		fprintf(stderr, ")\n");
		return -1;
	}
	if (o->wait && !wait_find_strategy(o->wait)) {
		fprintf(stderr, "procsim: unknown wait strategy '%s' (have: scan lookup)\n",
			o->wait);
		return -1;
	}
	if (o->watchers && !watch_find_ops(o->watchers)) {
		fprintf(stderr, "procsim: unknown watchers '%s' (have:", o->watchers);
		for (int i = 0; watch_mechanisms[i]; i++)
			fprintf(stderr, " %s", watch_mechanisms[i]->name);
		fprintf(stderr, ")\n");
		return -1;
	}
	if (o->pid_max && (o->pid_max <= RESERVED_PIDS || o->pid_max > PID_MAX_LIMIT)) {
		fprintf(stderr, "procsim: pid_max must be in %d..%d\n",
			RESERVED_PIDS + 1, PID_MAX_LIMIT);
		return -1;
	}
	if (o->pidlock && strcmp(o->pidlock, "twice") && strcmp(o->pidlock, "once")) {
		fprintf(stderr, "procsim: pidlock must be twice or once, not '%s'\n",
			o->pidlock);
		return -1;
	}
	ko.pidlock = o->pidlock;
	if (o->populate < 0 || o->max_map_count < 0) {
		fprintf(stderr, "procsim: populate and max_map_count must not be negative\n");
		return -1;
	}
	err = kernel_init(&fs->k, &ko);
	if (err) {
		fprintf(stderr, "procsim: cannot boot the simulated kernel: %s\n", strerror(-err));
		return -1;
	}
	err = populate(&fs->k, o->populate);
	if (err) {
		fprintf(stderr, "procsim: populate=%d: %s\n", o->populate,
			err == -EAGAIN ? "more processes than free pids below pid_max" :
			strerror(-err));
		return -1;
	}
	if (o->load) {
		char why[SNAPSHOT_WHY_LEN];

		err = snapshot_load_file(&fs->k, o->load, why);
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
 * this user's stale ones before making a new one.
 */
static void sweep_stale_control_mounts(const char *dir)
{
	struct dirent *de;
	char path[4096];
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "procsim-ctl.", 12))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* Only a dead FUSE mount answers ENOTCONN; fusermount3 refuses
		 * another user's. */
		if (stat(path, &st) == 0 || errno != ENOTCONN)
			continue;
		detach_mount(path);
		if (rmdir(path) == 0)
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
	snprintf(path, sizeof(path), "%s/procsim-ctl.XXXXXX", tmp);
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

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd;
	struct options o = { .entry_timeout = 0, .attr_timeout = 0 };
	static struct procfs fs;
	struct fuse_session *se = NULL;
	struct control_loop control = { 0 };
	bool allow_other, started = false;
	int ret = 1;

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
	if (check_mountpoint(cmd.mountpoint) || boot_kernel(&fs, &o))
		goto out_free;
	fs.owner_uid = getuid();
	fs.owner_gid = getgid();
	fs.btime = host_btime();
	fs.entry_timeout = o.entry_timeout;
	fs.attr_timeout = o.attr_timeout;
	fs.mountpoint = cmd.mountpoint;
	if (o.cache && strcmp(o.cache, "on") && strcmp(o.cache, "off")) {
		fprintf(stderr, "procsim: cache must be on or off, not '%s'\n", o.cache);
		goto out_kernel;
	}
	fs.cache = !o.cache || !strcmp(o.cache, "on");
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
	fuse_daemonize(cmd.foreground);
	started = control.se && !control_start(&control);
	if (control.se && !started) {
		fprintf(stderr, "procsim: cannot start the control loop\n");
		goto out_control;
	}
	ret = run_loop(se, &cmd);
	/* libfuse returns the signal that ended the loop: a clean stop. */
	if (ret == SIGINT || ret == SIGTERM || ret == SIGHUP)
		ret = 0;
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
	kernel_destroy(&fs.k);
out_free:
	free(cmd.mountpoint);
	fuse_opt_free_args(&args);
	free(o.pidstore);
	free(o.wait);
	free(o.vmastore);
	free(o.forkdup);
	free(o.mmap_layout);
	free(o.cache);
	free(o.watchers);
	free(o.load);
	free(fs.control_path);
	return ret ? 1 : 0;
}
