// SPDX-License-Identifier: MIT
/* mmap, munmap, mprotect and brk on a process's address space (mm/mmap.c). */
#include <errno.h>
#include "task_alloc.h"

/* The mm of a live user process, or an errno. */
static int task_mm(struct kernel *k, int pid, struct task **out)
{
	struct task *t = find_task(k, pid);

	if (!t || t->state == EXIT_ZOMBIE || t->signal->group_exiting)
		return kerr_no_pid(pid);
	if (!t->mm)
		return kerr(-EINVAL, "pid %d is a kernel thread, which has no "
			    "user memory", pid);
	*out = t->group_leader;
	return 0;
}

int do_mmap(struct kernel *k, int pid, unsigned long addr, unsigned long len,
	    int prot, int flags, unsigned long *out)
{
	struct task *t = NULL;
	int err;

	lockdep_assert_world_held(k);
	if ((err = task_mm(k, pid, &t)))
		return err;
	/* A new anonymous mapping has no page touched yet: nothing resident. */
	err = mm_mmap(t->mm, &(struct mmap_req){
			.addr = addr, .len = len, .prot = prot,
			.flags = flags },
			k->max_map_count, out);
	if (!err)
		task_touch(k, t);
	return err;
}

int do_munmap(struct kernel *k, int pid, unsigned long addr, unsigned long len)
{
	struct task *t = NULL;
	int err;

	lockdep_assert_world_held(k);
	if ((err = task_mm(k, pid, &t)))
		return err;
	err = mm_munmap(t->mm, addr, len, k->max_map_count);
	if (!err)
		task_touch(k, t);
	return err;
}

int do_mprotect(struct kernel *k, int pid, unsigned long addr,
		unsigned long len, int prot)
{
	struct task *t = NULL;
	int err;

	lockdep_assert_world_held(k);
	if ((err = task_mm(k, pid, &t)))
		return err;
	err = mm_mprotect(t->mm, addr, len, prot, k->max_map_count);
	if (!err)
		task_touch(k, t);
	return err;
}

int do_brk(struct kernel *k, int pid, unsigned long brk, unsigned long *out)
{
	struct task *t = NULL;
	int err;

	lockdep_assert_world_held(k);
	if ((err = task_mm(k, pid, &t)))
		return err;
	err = mm_brk(t->mm, brk, k->max_map_count);
	if (!err)
		task_touch(k, t);
	*out = t->mm->brk;
	return err;
}

int kernel_set_max_map_count(struct kernel *k, long n)
{
	char why[KOPT_WHY_LEN];

	if (kopt_check_max_map_count(n, why))
		return kerr(-EINVAL, "%s", why);
	k->max_map_count = n;
	return 0;
}
