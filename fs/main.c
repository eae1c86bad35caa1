// SPDX-License-Identifier: MIT
/*
 * procsim: the daemon.  Boots a simulated kernel, populates it, and serves
 * it as a /proc through FUSE's low-level API (see fs/fuse_ops.c).
 */
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fuse_ops.h"
#include "procfs.h"

struct options {
	int populate;
	int pid_max;
	char *pidstore;
	unsigned long seed;
	int max_map_count;
	double entry_timeout;
	double attr_timeout;
	int help;
	char *cache;
};

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt opt_spec[] = {
	OPT("populate=%d", populate),
	OPT("pid_max=%d", pid_max),
	OPT("pidstore=%s", pidstore),
	OPT("seed=%lu", seed),
	OPT("max_map_count=%d", max_map_count),
	OPT("entry_timeout=%lf", entry_timeout),
	OPT("attr_timeout=%lf", attr_timeout),
	OPT("cache=%s", cache),
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
	       "    -o seed=N              seed of populate's random world\n"
	       "    -o max_map_count=N     vm.max_map_count (default %d)\n"
	       "    -o cache=on|off        keep /proc/<pid> files in the page cache and\n"
	       "                           invalidate them on change (default on)\n"
	       "    -o entry_timeout=S     pid entries' cache seconds with cache=off (default 0)\n"
	       "    -o attr_timeout=S      task attributes' cache seconds with cache=off (default 0)\n"
	       "    -o allow_other         let other users read (turns on default_permissions)\n\n"
	       "FUSE options:\n", DEFAULT_MAX_MAP_COUNT);
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
		.seed = o->seed,
	};
	int err;

	if (o->pidstore && !pid_store_find_ops(o->pidstore)) {
		fprintf(stderr, "procsim: unknown pidstore '%s' (have:", o->pidstore);
		for (int i = 0; pid_store_backends[i]; i++)
			fprintf(stderr, " %s", pid_store_backends[i]->name);
		fprintf(stderr, ")\n");
		return -1;
	}
	if (o->pid_max && (o->pid_max <= RESERVED_PIDS || o->pid_max > PID_MAX_LIMIT)) {
		fprintf(stderr, "procsim: pid_max must be in %d..%d\n",
			RESERVED_PIDS + 1, PID_MAX_LIMIT);
		return -1;
	}
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
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd;
	struct options o = { .entry_timeout = 0, .attr_timeout = 0 };
	static struct procfs fs;
	struct fuse_session *se = NULL;
	struct fuse_loop_config *cfg;
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

	fuse_opt_add_arg(&args, "-ofsname=procsim,subtype=procsim");
	/* Other users only ever get in with the kernel checking modes. */
	if (has_arg(&args, "allow_other"))
		fuse_opt_add_arg(&args, "-odefault_permissions");
	se = fuse_session_new(&args, &procsim_ll_ops, sizeof(procsim_ll_ops), &fs);
	if (!se)
		goto out_kernel;
	fs.se = se;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, cmd.mountpoint) != 0) {
		fprintf(stderr, "procsim: cannot mount on %s (is /dev/fuse usable, and fusermount3 installed?)\n",
			cmd.mountpoint);
		goto out_signals;
	}
	fuse_daemonize(cmd.foreground);
	if (cmd.singlethread) {
		ret = fuse_session_loop(se);
	} else {
		cfg = fuse_loop_cfg_create();
		fuse_loop_cfg_set_clone_fd(cfg, cmd.clone_fd);
		/* libfuse's 'unset' is UINT_MAX, which it then warns about. */
		if (cmd.max_idle_threads <= 100000)
			fuse_loop_cfg_set_idle_threads(cfg, cmd.max_idle_threads);
		if (cmd.max_threads > 0 && cmd.max_threads <= 100000)
			fuse_loop_cfg_set_max_threads(cfg, cmd.max_threads);
		ret = fuse_session_loop_mt(se, cfg);
		fuse_loop_cfg_destroy(cfg);
	}
	/* libfuse returns the signal that ended the loop: a clean stop. */
	if (ret == SIGINT || ret == SIGTERM || ret == SIGHUP)
		ret = 0;
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
	free(o.cache);
	return ret ? 1 : 0;
}
