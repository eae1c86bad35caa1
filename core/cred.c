// SPDX-License-Identifier: MIT
/*
 * setuid()/setgid() as a privileged caller makes them (kernel/sys.c
 * __sys_setuid): real, effective, saved and fs ids all change, for every
 * thread of the process (glibc's setxid broadcast), then commit_creds's
 * proc_id_connector, here the id-change watchers.
 */
#include <errno.h>
#include "task_alloc.h"
#include "watchers.h"

#define ID_MAX	4294967294ULL		/* (uid_t)-1 means "unchanged" */

static int set_ids(struct kernel *k, int pid, unsigned long long id, bool gid)
{
	struct task *t = find_task(k, pid), *leader, *th;
	unsigned int old;

	if (!t || t->state == EXIT_ZOMBIE || t->signal->group_exiting)
		return kerr_no_pid(pid);
	if (id > ID_MAX)
		return kerr(-EINVAL, "id %llu is above %llu", id, ID_MAX);
	if (task_is_kthread(t))		/* kernel threads keep root's creds */
		return kerr(-EPERM, "pid %d is a kernel thread", pid);
	leader = t->group_leader;
	old = gid ? leader->cred.gid : leader->cred.uid;
	list_for_each_entry(th, &leader->signal->thread_head, thread_node) {
		struct cred *c = &th->cred;

		if (gid)
			c->gid = c->egid = c->sgid = c->fsgid = (unsigned int)id;
		else
			c->uid = c->euid = c->suid = c->fsuid = (unsigned int)id;
		task_touch(k, th);
	}
	task_touch(k, leader);
	watch_id(k, leader, gid, old, (unsigned int)id);
	return 0;
}

int do_setuid(struct kernel *k, int pid, unsigned long long id)
{
	lockdep_assert_world_held(k);
	return set_ids(k, pid, id, false);
}

int do_setgid(struct kernel *k, int pid, unsigned long long id)
{
	lockdep_assert_world_held(k);
	return set_ids(k, pid, id, true);
}
