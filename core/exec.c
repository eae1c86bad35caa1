// SPDX-License-Identifier: MIT
/* execve(): fs/exec.c's de_thread, exec_mmap and set_task_comm. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "task_alloc.h"
#include "watchers.h"

static const char exec_env[] =
	"PATH=/usr/local/bin:/usr/bin:/bin\0LANG=C.UTF-8\0HOME=/root";

/* "/", "dir/", "." or "..": a path that can only name a directory. */
static bool names_dir(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !*base || !strcmp(base, ".") || !strcmp(base, "..");
}

int do_execve(struct kernel *k, int pid, const char *comm, int argc,
	      char *const argv[])
{
	struct task *t = find_task(k, pid), *leader, *th, *n;
	struct mm_struct *mm, *old;
	char path[256], *args, *p;
	const char *base;
	struct world_mark mark;
	size_t len = 0;
	int i;

	lockdep_assert_world_held(k);
	if (!t || t->state == EXIT_ZOMBIE || t->signal->group_exiting)
		return kerr_no_pid(pid);
	if (task_is_kthread(t))
		return kerr(-EINVAL, "pid %d is a kernel thread", pid);
	if (argc < 1 || !argv[0] || !argv[0][0])
		return kerr(-EINVAL, "no program name");
	if (names_dir(argv[0]))		/* may_open: not executable */
		return kerr(-EACCES, "'%.64s' is a directory", argv[0]);
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	args = malloc(len);
	if (!args)
		return -ENOMEM;
	for (p = args, i = 0; i < argc; i++)
		p = stpcpy(p, argv[i]) + 1;
	if (strchr(argv[0], '/'))
		snprintf(path, sizeof(path), "%s", argv[0]);
	else
		snprintf(path, sizeof(path), "/usr/bin/%s", argv[0]);
	/* The one fallible step comes first: after it, nothing can fail. */
	mark = world_mark(k);
	mm = binfmt_load(k, path, args, len, exec_env, sizeof(exec_env));
	free(args);
	if (!mm) {
		world_rollback(k, mark);	/* the rng it drew */
		return -ENOMEM;
	}

	/* de_thread: the other threads die; the process keeps its pid. */
	leader = t->group_leader;
	list_for_each_entry_safe(th, n, &leader->signal->thread_head, thread_node) {
		if (th == leader)
			continue;
		forget_original_parent(k, th);	/* to the leader, alive */
		watch_exit(k, th, 0);
		release_task(k, th);
	}
	leader->signal->nr_threads = 1;
	old = leader->mm;
	leader->mm = mm;
	mmput(old);
	base = comm ? comm : strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	set_task_comm(leader, base);
	leader->flags = (leader->flags & ~PF_FORKNOEXEC) | PF_RANDOMIZE;
	task_touch(k, leader);
	watch_exec(k, leader);
	return 0;
}

int do_set_comm(struct kernel *k, int tid, const char *name)
{
	struct task *t = find_task(k, tid);

	if (!t || t->state == EXIT_ZOMBIE)
		return -ESRCH;
	if (!*name)
		return -EINVAL;
	set_task_comm(t, name);
	task_touch(k, t);
	return 0;
}
