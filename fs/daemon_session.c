// SPDX-License-Identifier: MIT
/*
 * The daemon's FUSE sessions: the /proc tree's loop, and the control
 * session's, mounted on a directory of its own and run in a thread.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon.h"
#include "fuse_ops.h"

int run_loop(struct fuse_session *se, const struct fuse_cmdline_opts *cmd)
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

static void *control_main(void *arg)
{
	struct control_loop *c = arg;

	run_loop(c->se, c->cmd);
	return NULL;
}

/*
 * The control session (see struct procfs_session): its own connection,
 * mounted on a fresh directory that /proc/procsim points to.
 */
struct fuse_session *control_new(struct procfs *fs, const char *prog,
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
int control_start(struct control_loop *c)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&c->thread, NULL, control_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

void control_stop(struct procfs *fs, struct control_loop *c, bool started)
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
