// SPDX-License-Identifier: MIT
/*
 * procsim: the daemon.  Boots a simulated kernel, populates it, and serves
 * it as a /proc through FUSE's low-level API (see fs/fuse_ops.c).
 */
#define FUSE_USE_VERSION 312
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"
#include "daemon.h"
#include "fuse_events.h"
#include "fuse_ops.h"
#include "fuse_transport.h"
#include "options.h"
#include "proc_import.h"
#include "procfs.h"
#include "ctl_replay.h"
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
	OPT("populate_layouts=%s", populate_layouts),
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
	OPT("ctl_lock=%s", ctl_lock),
	OPT("load=%s", load),
	OPT("import=%s", import),
	OPT("account=%s", account),
	OPT("transport=%s", transport),
	OPT("warm=%s", warm),
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
	       "    -o populate_layouts=N  populate draws each program's layout from N\n"
	       "                           shared copy-on-write, 1..65536; 0: every\n"
	       "                           process maps its own (default 64)\n"
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
	       "    -o ctl_lock=fine|world ctl's fork, clone, exit and wait under the world\n"
	       "                           lock for reading and the core's fine locks, or\n"
	       "                           every command under it for writing (the old\n"
	       "                           mode; default fine)\n"
	       "    -o load=FILE           start from a world saved with 'save FILE'\n"
	       "                           (its options replace the ones above)\n"
	       "    -o import=DIR          start from the /proc tree DIR: the host's\n"
	       "                           /proc or a procsim-snap copy (docs/import.md)\n"
	       "    -o account=on|off      time the core and the renderers per request,\n"
	       "                           for /proc/procsim/stats (default on)\n"
	       "    -o transport=dev|uring the /proc tree's requests through /dev/fuse, or\n"
	       "                           FUSE over io_uring on the caller's CPU where the\n"
	       "                           kernel allows it, else /dev/fuse (default dev)\n"
	       "    -o warm=on|off         after populate, load and import, read every\n"
	       "                           process's stat, status, cmdline and statm\n"
	       "                           through the mount in the background, so the\n"
	       "                           next cold ps finds them cached (cache=on;\n"
	       "                           default on)\n"
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
	struct kerr e, *prev;
	const char *why;
	int err;

	stats_init(&fs->stats, cfg->account);
	ko.kstat = &fs->stats.hook;
	err = kernel_init(&fs->k, &ko);
	if (err) {
		fprintf(stderr, "procsim: cannot boot the simulated kernel: %s\n", strerror(-err));
		return -1;
	}
	prev = kerr_begin(&e);		/* the core says why populate fails */
	err = populate(&fs->k, cfg->populate);
	kerr_end(prev);
	if (err) {
		why = kerr_why(&e, err);
		fprintf(stderr, "procsim: populate=%d: %s\n", cfg->populate,
			why ? why : strerror(-err));
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
	if (o->import && proc_import_at_start(&fs->k, o->import))
		return -1;
	return 0;
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
	if (seen_init(&fs.seen))
		fprintf(stderr, "procsim: no memory for the seen maps: "
			"every ctl change invalidates every changed task\n");
	if (render_cache_init(&fs.rcache))
		fprintf(stderr, "procsim: no memory for the render cache; rendering twice\n");

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
	if (cfg.uring)
		fuse_transport_choose(se, &cmd, fs.cache);
	if (fs.cache) {
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
	if (cfg.warm && fs.cache && warm_start(&fs.warm, cmd.mountpoint))
		fprintf(stderr, "procsim: cannot start the warming thread; serving unwarmed\n");
	if (cfg.populate || o.load || o.import)
		warm_kick(&fs.warm);
	ret = run_loop(se, &cmd);
	warm_cancel(&fs.warm);	/* it stops at its next file */
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
	warm_join(&fs.warm);	/* a read in flight got ENOTCONN at the unmount */
	fuse_uring_detach();
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_kernel:
	ctl_replay_shutdown();	/* its thread drives fs.k */
	render_cache_destroy(&fs.rcache);
	seen_destroy(&fs.seen);
	kernel_destroy(&fs.k);
out_free:
	free(cmd.mountpoint);
	fuse_opt_free_args(&args);
	options_free(&o);
	free(fs.control_path);
	return ret ? 1 : 0;
}
