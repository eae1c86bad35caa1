// SPDX-License-Identifier: MIT
/*
 * The control-file executor against a real kernel: replies, the world they
 * leave behind, and that a failed command leaves the world as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctl.h"
#include "ctl_test_util.h"

#define REPLY_MAX	(1 << 16)

static char reply[REPLY_MAX];

static unsigned long long fixed_clock(void *arg)
{
	(void)arg;
	return 5000;		/* 50 s after boot */
}

static int setup(void **state)
{
	static const struct kernel_opts opts = {
		.clock = fixed_clock,
		.seed = 42,
	};
	struct kernel *k = malloc(sizeof(*k));

	if (!k || kernel_init(k, &opts))
		return -1;
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	kernel_destroy(*state);
	free(*state);
	return 0;
}

/* Run the line @fmt makes; the reply lands in reply[]. */
static int vrun(struct kernel *k, const char *fmt, va_list ap)
{
	return ctl_test_vrun(k, reply, sizeof(reply), fmt, ap);
}

static int __attribute__((format(printf, 2, 3)))
run(struct kernel *k, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vrun(k, fmt, ap);
	va_end(ap);
	return ret;
}

/* A command that must succeed; returns the first number of its reply. */
static int __attribute__((format(printf, 2, 3)))
run_ok(struct kernel *k, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vrun(k, fmt, ap);
	va_end(ap);
	if (ret)
		fail_msg("command failed: %s", reply);
	return strtol(reply, NULL, 0);
}

/* What a failed command must leave alone. */
struct snapshot {
	unsigned long nr_tasks, nr_processes, nr_running;
	unsigned long total_forks, total_exits, nr_used;
	uint64_t gen;
};

static struct snapshot snap(const struct kernel *k)
{
	return (struct snapshot){
		k->nr_tasks, k->nr_processes, k->nr_running, k->total_forks,
		k->total_exits, k->pids.nr_used, k->gen,
	};
}

static void assert_unchanged(const struct kernel *k, const struct snapshot *s)
{
	struct snapshot now = snap(k);

	assert_int_equal(now.nr_tasks, s->nr_tasks);
	assert_int_equal(now.nr_processes, s->nr_processes);
	assert_int_equal(now.nr_running, s->nr_running);
	assert_int_equal(now.total_forks, s->total_forks);
	assert_int_equal(now.total_exits, s->total_exits);
	assert_int_equal(now.nr_used, s->nr_used);
	assert_int_equal(now.gen, s->gen);
}

/* @line must fail with @err, reply exactly @want, world untouched. */
static void fails(struct kernel *k, const char *line, int err,
		  const char *want)
{
	struct snapshot s = snap(k);

	assert_int_equal(run(k, "%s", line), err);
	assert_string_equal(reply, want);
	assert_unchanged(k, &s);
}

static void test_fork(void **state)
{
	struct kernel *k = *state;
	struct snapshot s = snap(k);
	int pids[3], n, i;
	char *p = reply;

	assert_int_equal(run(k, "fork 1 3"), 0);
	/* "A B C\n": decimal pids, one space between. */
	for (n = 0; n < 3; n++) {
		char *end;

		pids[n] = strtol(p, &end, 10);
		assert_true(end > p);
		assert_int_equal(*end, n < 2 ? ' ' : '\n');
		p = end + 1;
	}
	assert_int_equal(*p, '\0');
	for (i = 0; i < 3; i++) {
		struct task *t = find_task(k, pids[i]);

		assert_non_null(t);
		assert_ptr_equal(t->real_parent, k->init_task);
		assert_int_equal(t->tgid, pids[i]);
		assert_non_null(t->mm);
	}
	assert_int_equal(k->nr_tasks, s.nr_tasks + 3);
	assert_int_equal(k->nr_processes, s.nr_processes + 3);
	assert_int_equal(k->total_forks, s.total_forks + 3);
	assert_true(k->gen > s.gen);

	/* A grandchild: the parent is the pid we named. */
	n = run_ok(k, "fork 1");
	i = run_ok(k, "fork %d", n);
	assert_ptr_equal(find_task(k, i)->real_parent, find_task(k, n));
}

static void test_fork_many(void **state)
{
	struct kernel *k = *state;
	unsigned long before = k->nr_tasks;
	struct buf out;
	size_t spaces = 0, i;

	buf_init(&out);
	assert_int_equal(ctl_run_line(k, "fork 1 5000", 11, &out), 0);
	for (i = 0; i < out.len; i++)
		spaces += out.data[i] == ' ';
	assert_int_equal(spaces, 4999);
	assert_int_equal(out.data[out.len - 1], '\n');
	assert_int_equal(k->nr_tasks, before + 5000);
	buf_free(&out);
}

static void test_clone(void **state)
{
	struct kernel *k = *state;
	int pid = run_ok(k, "fork 1");
	unsigned long procs = k->nr_processes;
	struct task *t;
	int tid;

	tid = run_ok(k, "clone %d", pid);
	assert_int_not_equal(tid, pid);
	t = find_task(k, tid);
	assert_non_null(t);
	assert_int_equal(t->tgid, pid);
	assert_ptr_equal(t->group_leader, find_task(k, pid));
	assert_int_equal(k->nr_processes, procs);
	fails(k, "clone 2", -EINVAL, "EINVAL: clone: pid 2 is a kernel thread\n");
}

static void test_exec(void **state)
{
	static const char args[] = "/usr/bin/sleep\0" "60\0" "--x='a\"b'";
	struct kernel *k = *state;
	int pid = run_ok(k, "fork 1");
	struct task *t;

	assert_int_equal(run(k, "exec %d /usr/bin/sleep 60 --x='a\"b'", pid), 0);
	assert_string_equal(reply, "ok\n");
	t = find_task(k, pid);
	assert_string_equal(t->comm, "sleep");
	assert_int_equal(t->mm->args_len, sizeof(args));
	assert_memory_equal(t->mm->args, args, sizeof(args));
	/* No slash: comm is the word itself. */
	assert_int_equal(run(k, "exec %d top", pid), 0);
	assert_string_equal(find_task(k, pid)->comm, "top");
	fails(k, "exec 2 ls", -EINVAL, "EINVAL: exec: pid 2 is a kernel thread\n");
	/* A directory is not executable (EACCES, as execve): comm stays. */
	fails(k, "exec 1 /", -EACCES, "EACCES: exec: '/' is a directory\n");
	fails(k, "exec 1 /usr/bin/", -EACCES,
	      "EACCES: exec: '/usr/bin/' is a directory\n");
	fails(k, "exec 1 ..", -EACCES, "EACCES: exec: '..' is a directory\n");
	fails(k, "exec 1 /bin/. x", -EACCES,
	      "EACCES: exec: '/bin/.' is a directory\n");
	assert_string_equal(find_task(k, 1)->comm, "systemd");
	/* Names that merely look alike are files. */
	assert_int_equal(run(k, "exec %d ...", pid), 0);
	assert_string_equal(find_task(k, pid)->comm, "...");
	assert_int_equal(run(k, "exec %d ./.x", pid), 0);
	assert_string_equal(find_task(k, pid)->comm, ".x");
}

/* exit 3 -> zombie -> wait reaps it with status 3 << 8. */
static void test_exit_wait(void **state)
{
	struct kernel *k = *state;
	int parent = run_ok(k, "fork 1"), child, other;
	char line[64], want[128];
	unsigned long tasks;

	child = run_ok(k, "fork %d", parent);
	other = run_ok(k, "fork %d", parent);

	/* Nothing exited yet: nohang says "0 0", plain wait is EAGAIN. */
	assert_int_equal(run(k, "wait %d -1 nohang", parent), 0);
	assert_string_equal(reply, "0 0\n");
	sprintf(want, "EAGAIN: wait: no child of pid %d has exited "
		"(add 'nohang')\n", parent);
	assert_int_equal(run(k, "wait %d -1", parent), -EAGAIN);
	assert_string_equal(reply, want);
	sprintf(want, "EAGAIN: wait: child %d of pid %d has not exited "
		"(add 'nohang')\n", child, parent);
	assert_int_equal(run(k, "wait %d %d", parent, child), -EAGAIN);
	assert_string_equal(reply, want);

	assert_int_equal(run(k, "exit %d 3", child), 0);
	assert_string_equal(reply, "ok\n");
	assert_int_equal(find_task(k, child)->state, EXIT_ZOMBIE);
	tasks = k->nr_tasks;
	assert_int_equal(run(k, "wait %d -1", parent), 0);
	sprintf(want, "%d 768\n", child);
	assert_string_equal(reply, want);
	assert_null(find_task(k, child));
	assert_int_equal(k->nr_tasks, tasks - 1);

	/* A specific pid, default code 0, with nohang. */
	assert_int_equal(run(k, "exit %d", other), 0);
	assert_int_equal(run(k, "wait %d %d nohang", parent, other), 0);
	sprintf(want, "%d 0\n", other);
	assert_string_equal(reply, want);

	/* Nothing left to wait for. */
	sprintf(line, "wait %d -1", parent);
	sprintf(want, "ECHILD: wait: pid %d has no children\n", parent);
	fails(k, line, -ECHILD, want);
	sprintf(line, "wait %d %d", parent, other);
	sprintf(want, "ECHILD: wait: pid %d has no child %d\n", parent, other);
	fails(k, line, -ECHILD, want);
}

static void test_esrch(void **state)
{
	static const char *const lines[][2] = {
		{ "fork 99999", "ESRCH: fork: no process with pid 99999\n" },
		{ "fork 99999 10", "ESRCH: fork: no process with pid 99999\n" },
		{ "clone 99999", "ESRCH: clone: no process with pid 99999\n" },
		{ "exec 99999 ls", "ESRCH: exec: no process with pid 99999\n" },
		{ "exit 99999 1", "ESRCH: exit: no process with pid 99999\n" },
		{ "wait 99999 -1", "ESRCH: wait: no process with pid 99999\n" },
		{ "mmap 99999 4K", "ESRCH: mmap: no process with pid 99999\n" },
		{ "munmap 99999 0x1000 4K", "ESRCH: munmap: no process with pid 99999\n" },
	};
	struct kernel *k = *state;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++)
		fails(k, lines[i][0], -ESRCH, lines[i][1]);
}

/* A zombie is no process to fork from or exit again. */
static void test_zombie(void **state)
{
	struct kernel *k = *state;
	int pid = run_ok(k, "fork 1");
	char line[64], want[128];

	assert_int_equal(run(k, "exit %d", pid), 0);
	sprintf(line, "fork %d", pid);
	sprintf(want, "ESRCH: fork: no process with pid %d\n", pid);
	fails(k, line, -ESRCH, want);
	sprintf(line, "exit %d", pid);
	sprintf(want, "ESRCH: exit: no process with pid %d\n", pid);
	fails(k, line, -ESRCH, want);
}

static void test_eperm(void **state)
{
	struct kernel *k = *state;

	fails(k, "exit 1", -EPERM,
	      "EPERM: exit: pid 1 is init or a kernel thread, which cannot exit\n");
	fails(k, "exit 2 9", -EPERM,
	      "EPERM: exit: pid 2 is init or a kernel thread, which cannot exit\n");
	/* Every kernel thread, not only kthreadd: userspace cannot end one. */
	fails(k, "exit 3", -EPERM,
	      "EPERM: exit: pid 3 is init or a kernel thread, which cannot exit\n");
	fails(k, "exit_thread 3", -EPERM,
	      "EPERM: exit_thread: pid 3 is init or a kernel thread, which cannot exit\n");
	assert_true(task_is_kthread(find_task(k, 3)));
	assert_int_not_equal(find_task(k, 3)->state, EXIT_ZOMBIE);
}

static void test_setid(void **state)
{
	struct kernel *k = *state;
	int pid = run_ok(k, "fork 1");
	char line[64];

	run_ok(k, "setuid %d 1000", pid);
	assert_string_equal(reply, "ok\n");
	run_ok(k, "setgid %d 50", pid);
	assert_int_equal(find_task(k, pid)->cred.fsuid, 1000);
	assert_int_equal(find_task(k, pid)->cred.egid, 50);
	fails(k, "setuid 99999 1", -ESRCH,
	      "ESRCH: setuid: no process with pid 99999\n");
	fails(k, "setgid 2 1", -EPERM, "EPERM: setgid: pid 2 is a kernel thread\n");
	snprintf(line, sizeof(line), "setuid %d 4294967295", pid);
	fails(k, line, -EINVAL, "EINVAL: setuid: UID must be 0..4294967294, "
	      "not '4294967295'\n");
	snprintf(line, sizeof(line), "setgid %d", pid);
	assert_int_equal(run(k, "%s", line), -EINVAL);
	assert_int_equal(find_task(k, pid)->cred.uid, 1000);
}

/* A small pid space, filled to the brim: EAGAIN, and all or nothing. */
static void test_eagain(void **state)
{
	struct kernel *k = *state;
	struct snapshot s;
	int left, forks = 0;

	fails(k, "pid_max 300", -EINVAL,
	      "EINVAL: pid_max: 300 is out of range 301..4194304\n");
	assert_int_equal(run(k, "pid_max 301"), 0);
	assert_string_equal(reply, "ok\n");
	assert_int_equal(k->pids.pid_max, 301);

	/* pids 1..300 are usable (no wrap yet): fork until they run out. */
	left = 300 - (int)k->pids.nr_used;
	assert_true(left > 10);
	while (!run(k, "fork 1"))
		forks++;
	assert_int_equal(forks, left);
	assert_string_equal(reply,
		"EAGAIN: fork: no free pid (pid_max 301, 300 in use)\n");
	fails(k, "fork 1", -EAGAIN,
	      "EAGAIN: fork: no free pid (pid_max 301, 300 in use)\n");
	fails(k, "clone 1", -EAGAIN,
	      "EAGAIN: clone: no free pid (pid_max 301, 300 in use)\n");

	/* Ten more pids (301..310); eleven children is all or nothing. */
	assert_int_equal(run(k, "pid_max 311"), 0);
	fails(k, "fork 1 11", -EAGAIN,
	      "EAGAIN: fork: no free pid (pid_max 311, 300 in use)\n");
	s = snap(k);
	assert_int_equal(run(k, "fork 1 10"), 0);
	assert_string_equal(reply, "301 302 303 304 305 306 307 308 309 310\n");
	assert_int_equal(k->nr_tasks, s.nr_tasks + 10);
}

/* Parse errors come back as one EINVAL line, and never reach the kernel. */
static void test_einval(void **state)
{
	static const char *const lines[][2] = {
		{ "", "EINVAL: empty command\n" },
		{ "bogus 1", "EINVAL: unknown command 'bogus' (try 'help')\n" },
		{ "fork", "EINVAL: fork: usage: fork PPID [COUNT]\n" },
		{ "fork 1 0", "EINVAL: fork: COUNT must be 1..1000000, not '0'\n" },
		{ "fork 1 1000001", "EINVAL: fork: COUNT must be 1..1000000, not '1000001'\n" },
		{ "fork -1", "EINVAL: fork: PPID must be 1..2147483647, not '-1'\n" },
		{ "exit 1 256", "EINVAL: exit: CODE must be 0..255, not '256'\n" },
		{ "wait 1 -1 now", "EINVAL: wait: unknown flag 'now'\n" },
		{ "mmap 1 4096 rwq", "EINVAL: mmap: PROT must be letters r, w, x or '-', or 'none', not 'rwq'\n" },
		{ "reset 1", "EINVAL: reset: usage: reset\n" },
		{ "fork 1\x01", "EINVAL: binary bytes in command\n" },
	};
	struct kernel *k = *state;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++)
		fails(k, lines[i][0], -EINVAL, lines[i][1]);
}

static void test_mmap_munmap(void **state)
{
	struct kernel *k = *state;
	int pid = run_ok(k, "fork 1");
	struct mm_struct *mm = find_task(k, pid)->mm;
	int count = mm->map_count;
	struct vm_area_struct *vma;
	unsigned long addr;
	char line[128], want[160];

	assert_int_equal(run(k, "mmap %d 8K r-x", pid), 0);
	assert_memory_equal(reply, "0x", 2);
	addr = strtoul(reply, NULL, 16);
	assert_int_equal(addr % PAGE_SIZE, 0);
	vma = find_vma(mm, addr);
	assert_non_null(vma);
	assert_int_equal(vma->vm_start, addr);
	assert_int_equal(vma->vm_end, addr + 8192);
	assert_true(vma->vm_flags & VM_READ);
	assert_true(vma->vm_flags & VM_EXEC);
	assert_false(vma->vm_flags & VM_WRITE);
	assert_int_equal(mm->map_count, count + 1);

	assert_int_equal(run(k, "munmap %d 0x%lx 8K", pid, addr), 0);
	assert_string_equal(reply, "ok\n");
	vma = find_vma(mm, addr);
	assert_true(!vma || vma->vm_start >= addr + 8192);
	assert_int_equal(mm->map_count, count);

	/* More than the address space holds. */
	sprintf(line, "mmap %d 0x800000000000", pid);
	sprintf(want, "ENOMEM: mmap: 0x800000000000 bytes do not fit the "
		"address space\n");
	fails(k, line, -ENOMEM, want);
	/* Unaligned start. */
	sprintf(line, "munmap %d 0x1001 4K", pid);
	sprintf(want, "EINVAL: munmap: bad range 0x1001+0x1000\n");
	fails(k, line, -EINVAL, want);
}

/* mmap at a place, mprotect, brk and max_map_count, as commands. */
static void test_mprotect_brk(void **state)
{
	struct kernel *k = *state;
	int pid = run_ok(k, "fork 1");
	struct mm_struct *mm = find_task(k, pid)->mm;
	int count = mm->map_count;
	unsigned long heap_end;
	char line[128], want[200];

	assert_int_equal(run(k, "mmap %d 16K rw fixed 0x100000000", pid), 0);
	assert_string_equal(reply, "0x100000000\n");
	assert_int_equal(mm->map_count, count + 1);
	sprintf(line, "mmap %d 4K rw noreplace 0x100001000", pid);
	sprintf(want, "EEXIST: mmap: noreplace: 0x100001000+0x1000 overlaps a mapping\n");
	fails(k, line, -EEXIST, want);
	/* A guard page in the middle: three VMAs, then one again. */
	assert_int_equal(run(k, "mprotect %d 0x100001000 4K none", pid), 0);
	assert_string_equal(reply, "ok\n");
	assert_int_equal(mm->map_count, count + 3);
	assert_int_equal(find_vma(mm, 0x100001000)->vm_end, 0x100002000);
	assert_int_equal(run(k, "mprotect %d 0x100001000 4K rw", pid), 0);
	assert_int_equal(mm->map_count, count + 1);
	assert_int_equal(find_vma(mm, 0x100000000)->vm_end, 0x100004000);
	sprintf(line, "mprotect %d 0x100003000 8K r", pid);
	sprintf(want, "ENOMEM: mprotect: 0x100003000+0x2000 is not mapped "
		"throughout\n");
	fails(k, line, -ENOMEM, want);

	heap_end = PAGE_ALIGN(mm->brk);
	assert_int_equal(run(k, "brk %d 0x%lx", pid, heap_end + 0x1800), 0);
	sprintf(want, "0x%lx\n", heap_end + 0x1800);
	assert_string_equal(reply, want);
	assert_int_equal(find_vma(mm, heap_end)->vm_end, heap_end + 0x2000);
	assert_int_equal(find_vma(mm, heap_end)->vm_start, mm->start_brk);
	assert_string_equal(find_vma(mm, heap_end)->name, "[heap]");
	assert_int_equal(run(k, "brk %d 0x%lx", pid, mm->start_brk), 0);
	/* The whole heap is gone: nothing maps start_brk any more. */
	assert_true(!find_vma(mm, mm->start_brk) ||
		    find_vma(mm, mm->start_brk)->vm_start > mm->start_brk);
	sprintf(line, "brk %d 0x1000", pid);
	sprintf(want, "EINVAL: brk: 0x1000 is below the heap's start 0x%lx\n",
		mm->start_brk);
	fails(k, line, -EINVAL, want);
	/* PAGE_ALIGN would wrap this to 0: once a "shrink" that unmapped all. */
	count = mm->map_count;
	sprintf(line, "brk %d 0xfffffffffffff001", pid);
	sprintf(want, "ENOMEM: brk: 0xfffffffffffff001 is beyond the address "
		"space\n");
	fails(k, line, -ENOMEM, want);
	assert_int_equal(mm->map_count, count);
	assert_non_null(find_vma(mm, mm->start_code));
	assert_true(find_vma(mm, mm->start_code)->vm_start <= mm->start_code);

	assert_int_equal(run(k, "max_map_count %d", mm->map_count), 0);
	assert_int_equal(k->max_map_count, mm->map_count);
	sprintf(line, "mmap %d 4K r", pid);
	sprintf(want, "ENOMEM: mmap: over max_map_count %d\n",
		k->max_map_count);
	fails(k, line, -ENOMEM, want);
	assert_int_equal(run(k, "max_map_count 65530"), 0);
}

static void test_populate_reset(void **state)
{
	struct kernel *k = *state;
	struct snapshot boot = snap(k);
	int pid;

	assert_int_equal(run(k, "populate 50"), 0);
	assert_string_equal(reply, "ok\n");
	assert_int_equal(k->nr_processes, boot.nr_processes + 50);
	pid = run_ok(k, "fork 1");

	assert_int_equal(run(k, "reset"), 0);
	assert_string_equal(reply, "ok\n");
	assert_int_equal(k->nr_tasks, boot.nr_tasks);
	assert_int_equal(k->nr_processes, boot.nr_processes);
	assert_null(find_task(k, pid));
	assert_true(k->gen > boot.gen);
	/* The lock still works after a reset swapped the world. */
	assert_int_equal(run(k, "fork 1"), 0);
}

/* kill -> signaled status; stop/cont -> T and S, reported with the flags. */
static void test_kill_stop_cont(void **state)
{
	struct kernel *k = *state;
	int parent = run_ok(k, "fork 1"), child = run_ok(k, "fork %d", parent);
	char want[128];

	assert_int_equal(run(k, "stop %d", child), 0);
	assert_string_equal(reply, "ok\n");
	assert_int_equal(find_task(k, child)->state, TASK_STOPPED);
	assert_int_equal(run(k, "wait %d %d nohang", parent, child), 0);
	assert_string_equal(reply, "0 0\n");	/* not without untraced */
	assert_int_equal(run(k, "wait %d %d untraced", parent, child), 0);
	sprintf(want, "%d %d\n", child, (SIGSTOP << 8) | 0x7f);
	assert_string_equal(reply, want);
	assert_int_equal(run(k, "cont %d", child), 0);
	assert_int_equal(find_task(k, child)->state, TASK_INTERRUPTIBLE);
	assert_int_equal(run(k, "wait %d -1 continued", parent), 0);
	sprintf(want, "%d %d\n", child, 0xffff);
	assert_string_equal(reply, want);
	assert_int_equal(run(k, "kill %d 0", child), 0);
	assert_int_equal(find_task(k, child)->state, TASK_INTERRUPTIBLE);
	assert_int_equal(run(k, "kill %d SIGKILL", child), 0);
	assert_int_equal(run(k, "wait %d %d", parent, child), 0);
	sprintf(want, "%d %d\n", child, SIGKILL);
	assert_string_equal(reply, want);
	sprintf(want, "kill %d TERM", child);
	assert_int_equal(run(k, "%s", want), -ESRCH);
	sprintf(want, "ESRCH: kill: no process with pid %d\n", child);
	assert_string_equal(reply, want);
}

/* kill -PGID, kill -1 and "as": Linux's groups, mixed results and EPERM. */
static void test_kill_groups_perm(void **state)
{
	struct kernel *k = *state;
	int a = run_ok(k, "fork 1"), b = run_ok(k, "fork %d", a);
	int other = run_ok(k, "fork 1"), pgrp;
	char want[160];

	/* setpgid(a, a) for both (no ctl for it): init's group 1 is kill -1. */
	pgrp = find_task(k, a)->signal->pgrp = find_task(k, b)->signal->pgrp = a;
	run_ok(k, "setuid %d 1000", b);
	run_ok(k, "setuid %d 2000", other);
	/* uid 1000 may stop b but not a (root): the group still succeeds. */
	assert_int_equal(run(k, "kill -%d STOP as 1000 1000", pgrp), 0);
	assert_int_equal(find_task(k, b)->state, TASK_STOPPED);
	assert_int_not_equal(find_task(k, a)->state, TASK_STOPPED);
	sprintf(want, "kill %d CONT as 1000 1000", a);
	sprintf(want + 80, "EPERM: kill: uid 1000 (euid 1000) may not signal pid %d\n", a);
	fails(k, want, -EPERM, want + 80);
	/* The saved uid counts too (kill_ok_by_cred), and the euid. */
	assert_int_equal(run(k, "kill %d 0 as 5 1000", b), 0);
	assert_int_equal(run(k, "kill %d 0 as 1000 5", b), 0);
	assert_int_equal(run(k, "kill %d 0 as 5 5", b), -EPERM);
	/* A group of nobody: ESRCH; a group only of others: EPERM. */
	fails(k, "kill -77777 TERM", -ESRCH,
	      "ESRCH: kill: no process in group 77777\n");
	sprintf(want, "kill -%d 0 as 3000 3000", pgrp);
	assert_int_equal(run(k, "%s", want), -EPERM);
	/* kill -1 as uid 2000: only "other" dies; EPERMs do not count. */
	assert_int_equal(run(k, "kill -1 KILL as 2000 2000"), 0);
	assert_int_equal(find_task(k, other)->state, EXIT_ZOMBIE);
	assert_int_equal(find_task(k, b)->state, TASK_STOPPED);
	assert_int_equal(find_task(k, 1)->state, TASK_INTERRUPTIBLE);
	fails(k, "kill 0 KILL", -EINVAL, "EINVAL: kill: PID must be a pid, -1 or -PGID, not '0'\n");
	fails(k, "kill 5 KILL as 1", -EINVAL, "EINVAL: kill: expected 'as UID EUID' at the end, not 'as'\n");
	fails(k, "kill 5 KILL by 1 1", -EINVAL, "EINVAL: kill: expected 'as UID EUID' at the end, not 'by'\n");
}

/* tgkill: the thread must be in the group; tkill is TGID 0. */
static void test_tgkill(void **state)
{
	struct kernel *k = *state;
	int p = run_ok(k, "fork 1"), q = run_ok(k, "fork 1");
	int tid = run_ok(k, "clone %d", p);
	char line[80], want[120];

	sprintf(line, "tgkill %d %d STOP", q, tid);
	sprintf(want, "ESRCH: tgkill: no thread %d in process %d\n", tid, q);
	fails(k, line, -ESRCH, want);
	assert_int_equal(run(k, "tgkill %d %d STOP", p, tid), 0);
	assert_int_equal(find_task(k, p)->state, TASK_STOPPED);
	assert_int_equal(run(k, "tgkill 0 %d CONT", tid), 0);
	assert_int_equal(find_task(k, p)->state, TASK_INTERRUPTIBLE);
	run_ok(k, "setuid %d 1000", q);
	assert_int_equal(run(k, "tgkill 0 %d 0 as 1000 1000", tid), -EPERM);
}

/* setpriority/getpriority: clamping, EPERM, EACCES, groups, users. */
static void test_priority(void **state)
{
	struct kernel *k = *state;
	int p = run_ok(k, "fork 1"), c = run_ok(k, "fork %d", p), pgrp;
	char line[80];

	pgrp = find_task(k, p)->signal->pgrp = find_task(k, c)->signal->pgrp = p;
	assert_int_equal(run(k, "setpriority process %d 99", p), 0);
	assert_int_equal(find_task(k, p)->nice, 19);
	assert_int_equal(run(k, "getpriority process %d", p), 0);
	assert_string_equal(reply, "1\n");
	run_ok(k, "setuid %d 1000", c);
	/* Raising is allowed to the owner, lowering needs CAP_SYS_NICE. */
	assert_int_equal(run(k, "setpriority process %d 5 as 1000 1000", c), 0);
	assert_int_equal(find_task(k, c)->nice, 5);
	sprintf(line, "setpriority process %d 0 as 1000 1000", c);
	fails(k, line, -EACCES, "EACCES: setpriority: lowering nice to 0 needs CAP_SYS_NICE\n");
	assert_int_equal(run(k, "setpriority process %d 7 as 1000 1000", p), -EPERM);
	assert_int_equal(find_task(k, p)->nice, 19);
	/* A group: c changes, but p's EPERM sticks (set_one_prio). */
	assert_int_equal(run(k, "setpriority pgrp %d 10 as 1000 1000", pgrp), -EPERM);
	assert_int_equal(find_task(k, c)->nice, 10);
	assert_int_equal(run(k, "setpriority user 1000 -3"), 0);
	assert_int_equal(find_task(k, c)->nice, -3);
	assert_int_equal(run(k, "getpriority user 1000"), 0);
	assert_string_equal(reply, "23\n");
	fails(k, "getpriority user 4242", -ESRCH, "ESRCH: getpriority: no user 4242\n");
	fails(k, "setpriority process 99999 0", -ESRCH,
	      "ESRCH: setpriority: no process 99999\n");
	fails(k, "setpriority thread 1 0", -EINVAL, "EINVAL: setpriority: expected process, pgrp or user, not 'thread'\n");
}

/* Affinity, policy and io priority: checks, inheritance at fork. */
static void test_sched_attrs(void **state)
{
	struct kernel *k = *state;
	int p = run_ok(k, "fork 1"), c;
	char line[96], want[160];

	run_ok(k, "setuid %d 1000", p);
	assert_int_equal(run(k, "sched_setaffinity %d 0x2", p), 0);
	assert_int_equal(run(k, "sched_getaffinity %d", p), 0);
	assert_string_equal(reply, "0x2\n");
	assert_int_equal(find_task(k, p)->cpu, 1);	/* moved off CPU 0 */
	sprintf(line, "sched_setaffinity %d 0x4", p);	/* nr_cpus is 2 */
	sprintf(want, "EINVAL: sched_setaffinity: mask 0x4 has none of the 2 CPUs\n");
	fails(k, line, -EINVAL, want);
	assert_int_equal(run(k, "sched_setaffinity %d 0x3 as 1001 1001", p), -EPERM);
	assert_int_equal(run(k, "sched_setaffinity %d 0x3 as 1001 1000", p), 0);
	/* RT needs CAP_SYS_NICE; the owner may go back to OTHER. */
	assert_int_equal(run(k, "sched_setscheduler %d 1 10 as 1000 1000", p), -EPERM);
	assert_int_equal(run(k, "sched_setscheduler %d 2 10", p), 0);
	assert_int_equal(run(k, "sched_getscheduler %d", p), 0);
	assert_string_equal(reply, "2 10\n");
	assert_int_equal(run(k, "sched_setscheduler %d 2 5 as 1000 1000", p), 0);
	assert_int_equal(run(k, "sched_setscheduler %d 0 5", p), -EINVAL);
	assert_int_equal(run(k, "sched_setscheduler %d 1 100", p), -EINVAL);
	assert_int_equal(run(k, "sched_setscheduler %d 4 0", p), -EINVAL);
	/* ioprio: IDLE for the owner, RT only for the privileged. */
	assert_int_equal(run(k, "ioprio_set process %d %d as 1000 1000", p, 3 << 13), 0);
	assert_int_equal(run(k, "ioprio_set process %d %d as 1000 1000", p, 1 << 13), -EPERM);
	assert_int_equal(run(k, "ioprio_set process %d %d", p, (2 << 13) | 8), -EINVAL);
	assert_int_equal(run(k, "ioprio_set process %d %d as 5 5", p, 2 << 13), -EPERM);
	assert_int_equal(run(k, "ioprio_get process %d", p), 0);
	sprintf(want, "%d\n", 3 << 13);
	assert_string_equal(reply, want);
	/* A child inherits all three (no SCHED_RESET_ON_FORK). */
	c = run_ok(k, "fork %d", p);
	assert_int_equal(find_task(k, c)->policy, 2);
	assert_int_equal(find_task(k, c)->rt_priority, 5);
	assert_int_equal(find_task(k, c)->ioprio, 3 << 13);
	assert_true(find_task(k, c)->cpus_excluded == 0);
	fails(k, "ioprio_get process 99999", -ESRCH,
	      "ESRCH: ioprio_get: no process 99999\n");
}

/* prlimit: defaults, inheritance, Linux's EINVAL and EPERM cases. */
static void test_prlimit(void **state)
{
	struct kernel *k = *state;
	int p = run_ok(k, "fork 1"), c;

	assert_int_equal(run(k, "prlimit %d nofile", p), 0);
	assert_string_equal(reply, "524288 524288\n");	/* uid 0: a service */
	run_ok(k, "setuid %d 1000", p);
	assert_int_equal(run(k, "prlimit %d NOFILE", p), 0);
	assert_string_equal(reply, "1024 524288\n");
	assert_int_equal(run(k, "prlimit %d RLIMIT_NOFILE 100 200 as 1000 1000", p), 0);
	assert_string_equal(reply, "1024 524288\n");	/* the limit before */
	assert_int_equal(run(k, "prlimit %d 7", p), 0);
	assert_string_equal(reply, "100 200\n");
	/* Raising the hard limit needs CAP_SYS_RESOURCE; soft > hard never. */
	assert_int_equal(run(k, "prlimit %d nofile 100 300 as 1000 1000", p), -EPERM);
	assert_int_equal(run(k, "prlimit %d nofile 300 200", p), -EINVAL);
	assert_int_equal(run(k, "prlimit %d nofile 100 2000000", p), -EPERM);
	assert_int_equal(run(k, "prlimit %d 16", p), -EINVAL);
	assert_int_equal(run(k, "prlimit %d nofile as 1001 1001", p), -EPERM);
	assert_int_equal(run(k, "prlimit %d core unlimited unlimited", p), 0);
	assert_string_equal(reply, "0 unlimited\n");
	/* A child inherits a copy. */
	c = run_ok(k, "fork %d", p);
	assert_int_equal(run(k, "prlimit %d nofile", c), 0);
	assert_string_equal(reply, "100 200\n");
	assert_int_equal(run(k, "prlimit %d nofile 50 50", c), 0);
	assert_int_equal(run(k, "prlimit %d nofile", p), 0);
	assert_string_equal(reply, "100 200\n");
	fails(k, "prlimit 99999 nofile", -ESRCH,
	      "ESRCH: prlimit: no process with pid 99999\n");
	fails(k, "prlimit 1 nofile 5", -EINVAL,
	      "EINVAL: prlimit: expected 'as UID EUID' at the end, not '5'\n");
}

static void test_ptrace_detach(void **state)
{
	struct kernel *k = *state;
	int parent = run_ok(k, "fork 1"), child = run_ok(k, "fork %d", parent);
	int tracer = run_ok(k, "fork 1");
	char line[64], want[160];

	assert_int_equal(run(k, "ptrace %d %d", child, tracer), 0);
	assert_string_equal(reply, "ok\n");
	assert_ptr_equal(find_task(k, child)->parent, find_task(k, tracer));
	sprintf(line, "ptrace %d %d", child, parent);
	sprintf(want, "EPERM: ptrace: pid %d is already traced\n", child);
	fails(k, line, -EPERM, want);
	sprintf(line, "ptrace 1 %d", tracer);
	sprintf(want, "EPERM: ptrace: pid 1 cannot be traced by %d (init, a "
		"kernel thread, a zombie, a non-leader thread or the tracer's "
		"own process)\n", tracer);
	fails(k, line, -EPERM, want);
	sprintf(line, "ptrace %d 99999", parent);
	fails(k, line, -ESRCH, "ESRCH: ptrace: no live tracer with pid 99999\n");
	/* the tracer waits for it as for a child */
	assert_int_equal(run(k, "wait %d -1 nohang", tracer), 0);
	assert_string_equal(reply, "0 0\n");
	assert_int_equal(run(k, "detach %d", child), 0);
	assert_ptr_equal(find_task(k, child)->parent, find_task(k, parent));
	sprintf(line, "detach %d", child);
	sprintf(want, "ESRCH: detach: pid %d is not traced\n", child);
	fails(k, line, -ESRCH, want);
	sprintf(line, "wait %d -1 nohang", tracer);
	sprintf(want, "ECHILD: wait: pid %d has no children\n", tracer);
	fails(k, line, -ECHILD, want);
}

static void test_subreaper_exit_thread(void **state)
{
	struct kernel *k = *state;
	int sr = run_ok(k, "fork 1"), mid = run_ok(k, "fork %d", sr);
	int orphan = run_ok(k, "fork %d", mid), tid = run_ok(k, "clone %d", mid);
	char want[64];

	assert_int_equal(run(k, "subreaper %d on", sr), 0);
	assert_string_equal(reply, "ok\n");
	assert_true(find_task(k, sr)->signal->is_child_subreaper);
	/* the leader exits alone: a zombie, not reapable while tid lives */
	assert_int_equal(run(k, "exit_thread %d 5", mid), 0);
	assert_int_equal(find_task(k, mid)->state, EXIT_ZOMBIE);
	assert_int_equal(run(k, "wait %d %d nohang", sr, mid), 0);
	assert_string_equal(reply, "0 0\n");
	assert_int_equal(run(k, "exit_thread %d 9", tid), 0);
	assert_null(find_task(k, tid));
	assert_ptr_equal(find_task(k, orphan)->real_parent, find_task(k, sr));
	assert_int_equal(run(k, "wait %d %d", sr, mid), 0);
	sprintf(want, "%d %d\n", mid, 5 << 8);
	assert_string_equal(reply, want);
	assert_int_equal(run(k, "subreaper %d off", sr), 0);
	assert_false(find_task(k, sr)->signal->is_child_subreaper);
	fails(k, "subreaper 99999 on", -ESRCH,
	      "ESRCH: subreaper: no process with pid 99999\n");
	fails(k, "exit_thread 1", -EPERM, "EPERM: exit_thread: pid 1 is "
	      "init or a kernel thread, which cannot exit\n");
}

static void test_help(void **state)
{
	struct kernel *k = *state;
	struct snapshot s = snap(k);

	assert_int_equal(run(k, "help"), 0);
	assert_string_equal(reply,
		"commands: fork PPID [COUNT]; clone PID; exec PID COMM [ARGS...]; "
		"exit PID [CODE]; wait PID WHO [nohang] [nowait] [untraced] "
		"[continued] [nothread]; exit_thread TID [CODE]; "
		"kill PID SIG [as UID EUID]; tgkill TGID TID SIG [as UID EUID]; "
		"setpriority process|pgrp|user WHO NICE [as UID EUID]; "
		"getpriority process|pgrp|user WHO; "
		"sched_setaffinity PID MASK [as UID EUID]; sched_getaffinity PID; "
		"sched_setscheduler PID POLICY PRIO [as UID EUID]; "
		"sched_getscheduler PID; "
		"ioprio_set process|pgrp|user WHO IOPRIO [as UID EUID]; "
		"ioprio_get process|pgrp|user WHO; "
		"prlimit PID RESOURCE [SOFT HARD] [as UID EUID]; stop PID; cont PID; ptrace PID TRACER; detach PID; "
		"subreaper PID on|off; mmap PID LEN [PROT] [FLAGS] [ADDR]; "
		"munmap PID ADDR LEN; mprotect PID ADDR LEN PROT; brk PID ADDR; "
		"max_map_count N; populate N; reset; pid_max N; setuid PID UID; "
		"setgid PID GID; pidstore NAME; save FILE; load FILE; import DIR; stats reset | account on|off; trace start|stop; "
		"replay FILE [speed=N|max] | status | stop; repeat N CMD [; CMD]...; help\n");
	assert_unchanged(k, &s);
}

/*
 * save FILE and load FILE: the world comes back after a change; a missing
 * file, a relative path or a damaged file fail in one line, world kept.
 */
static void test_save_load(void **state)
{
	struct kernel *k = *state;
	char dir[] = "/tmp/procsim-ctl-save.XXXXXX", path[64], want[160];
	struct snapshot before, s;
	FILE *f;
	int pid;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.snap", dir);
	run_ok(k, "fork 1");
	before = snap(k);
	assert_int_equal(run(k, "save %s", path), 0);
	assert_string_equal(reply, "ok\n");
	pid = run_ok(k, "fork 1");
	assert_int_equal(run(k, "load %s", path), 0);
	assert_null(find_task(k, pid));
	assert_int_equal(k->nr_tasks, before.nr_tasks);
	assert_int_equal(k->total_forks, before.total_forks);
	assert_true(k->gen > before.gen);	/* caches see a change */

	s = snap(k);
	fails(k, "load relative.snap", -EINVAL,
	      "EINVAL: load: FILE must be an absolute path: 'relative.snap'\n");
	snprintf(want, sizeof(want), "ENOENT: load: %s/none: No such file "
		 "or directory\n", dir);
	snprintf(path, sizeof(path), "load %s/none", dir);
	fails(k, path, -ENOENT, want);
	snprintf(path, sizeof(path), "%s/bad.snap", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("PROCSIMS\1\0\0\0garbage", f);
	fclose(f);
	assert_int_equal(run(k, "load %s", path), -EINVAL);
	snprintf(want, sizeof(want), "EINVAL: load: %s: truncated\n", path);
	assert_string_equal(reply, want);
	assert_unchanged(k, &s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/w.snap", dir);
	unlink(path);
	rmdir(dir);
}

/* File errors are named like any other: once "EUNKNOWN: load: ...". */
static void test_file_errno_names(void **state)
{
	struct kernel *k = *state;
	char line[400], want[500], name[301];
	struct snapshot s = snap(k);

	memset(name, 'a', 300);
	name[300] = '\0';
	snprintf(line, sizeof(line), "load /tmp/%s", name);
	assert_int_equal(run(k, "%s", line), -ENAMETOOLONG);
	snprintf(want, sizeof(want), "ENAMETOOLONG: load: /tmp/%s: ", name);
	assert_memory_equal(reply, want, strlen(want));
	assert_unchanged(k, &s);
}

/*
 * pidstore NAME moves the whole world into each backend in turn: the
 * world, the counters and the cursor stay as they were, so the next fork
 * gets the same pid whichever backend holds the pids.
 */
static void test_pidstore(void **state)
{
	struct kernel *k = *state;
	const struct pid_store_ops *ops;
	struct snapshot s;
	struct task *t;
	int last, n, pid, *pids, *leaders, nl;

	assert_int_equal(run(k, "populate 300"), 0);
	assert_int_equal(run(k, "clone 1"), 0);
	s = snap(k);
	last = k->pids.last_pid;
	pids = calloc(k->pids.nr_used, sizeof(*pids));
	leaders = calloc(k->pids.nr_used, sizeof(*leaders));
	assert_non_null(pids);
	assert_non_null(leaders);
	n = nl = 0;
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		pids[n++] = pid;
	for (pid = pid_store_next_leader(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next_leader(&k->pids, pid + 1, &t))
		leaders[nl++] = pid;
	assert_true(nl < n);	/* the clone made a thread */
	for (int i = 0; (ops = pid_store_backends[i]); i++) {
		assert_int_equal(run(k, "pidstore %s", ops->name), 0);
		assert_string_equal(reply, "ok\n");
		assert_ptr_equal(k->pids.ops, ops);
		assert_int_equal(k->pids.last_pid, last);
		assert_unchanged(k, &s);
		for (int j = 0; j < n; j++) {
			t = find_task(k, pids[j]);
			assert_non_null(t);
			assert_int_equal(t->pid, pids[j]);
			assert_int_equal(pid_store_next(&k->pids, pids[j] + 1,
							&t),
					 j + 1 < n ? pids[j + 1] : -1);
		}
		for (int j = 0; j < nl; j++)
			assert_int_equal(pid_store_next_leader(&k->pids,
							       leaders[j] + 1, &t),
					 j + 1 < nl ? leaders[j + 1] : -1);
	}
	fails(k, "pidstore nope", -EINVAL,
	      "EINVAL: pidstore: unknown pidstore 'nope' (have: idr bitmap xarray"
	      " xarray-sharded sparse judy)\n");
	assert_int_equal(run_ok(k, "fork 1"), last + 1);
	free(pids);
	free(leaders);
}

/* Replies append: the caller owns the buffer and its earlier bytes. */
static void test_reply_appends(void **state)
{
	struct kernel *k = *state;
	struct ctl_cmd cmd = { .op = CTL_NR_OPS };
	struct buf out;

	buf_init(&out);
	buf_puts(&out, "before\n");
	assert_int_equal(ctl_run_line(k, "exit 1", 6, &out), -EPERM);
	assert_int_equal(ctl_run_line(k, "reset", 5, &out), 0);
	assert_int_equal(ctl_execute(k, &cmd, &out), -EINVAL);
	buf_putc(&out, '\0');
	assert_string_equal(out.data, "before\n"
		"EPERM: exit: pid 1 is init or a kernel thread, which cannot exit\n"
		"ok\n"
		"EINVAL: no such command value\n");
	buf_free(&out);
}

struct locker {
	struct kernel *k;
	int ret;
};

static void *fork_thread(void *arg)
{
	struct locker *l = arg;
	struct buf out;

	buf_init(&out);
	l->ret = ctl_run_line(l->k, "fork 1", 6, &out);
	buf_free(&out);
	return NULL;
}

/* The executor takes k->lock for writing: a reader holds it off. */
static void test_takes_write_lock(void **state)
{
	struct kernel *k = *state;
	struct locker l = { k, -1 };
	unsigned long before = k->nr_tasks;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	pthread_t th;

	world_read_lock(k);
	assert_int_equal(pthread_create(&th, NULL, fork_thread, &l), 0);
	nanosleep(&pause, NULL);
	assert_int_equal(k->nr_tasks, before);	/* still waiting */
	world_unlock(k);
	pthread_join(th, NULL);
	assert_int_equal(l.ret, 0);
	assert_int_equal(k->nr_tasks, before + 1);
}

/* Run @line in session @s; the reply lands in reply[]. */
static int run_in(struct kernel *k, struct ctl_session *s, const char *line)
{
	struct buf out;
	int ret;

	buf_init(&out);
	ret = ctl_run_line_in(k, s, line, strlen(line), &out);
	assert_true(out.len > 0 && out.len < REPLY_MAX);
	memcpy(reply, out.data, out.len);
	reply[out.len] = '\0';
	assert_ptr_equal(strchr(reply, '\n'), reply + out.len - 1);
	buf_free(&out);
	return ret;
}

/* $! names the session's last fork or clone; repeat runs a whole cycle. */
static void test_repeat_last_pid(void **state)
{
	struct kernel *k = *state;
	struct ctl_session s = { 0 };
	unsigned long tasks = k->nr_tasks, forks = k->total_forks;
	int pid, tid;

	assert_int_equal(run_in(k, &s, "exit $!"), -EINVAL);
	assert_string_equal(reply, "EINVAL: $!: no fork or clone in this session yet\n");
	assert_int_equal(run_in(k, &s, "fork 1 3"), 0);
	pid = atoi(strrchr(reply, ' ') + 1);
	assert_int_equal(s.last_pid, pid);
	assert_int_equal(run_in(k, &s, "clone $!"), 0);
	tid = atoi(reply);
	assert_int_equal(s.last_pid, tid);
	assert_non_null(find_task(k, tid));
	assert_int_equal(find_task(k, tid)->tgid, pid);
	/* 300 fork/exit/wait cycles, one summary line, nothing left behind. */
	tasks = k->nr_tasks;
	assert_int_equal(run_in(k, &s, "repeat 300 fork 1; exit $!; wait 1 $!"), 0);
	assert_string_equal(reply, "ok 300\n");
	assert_int_equal(k->nr_tasks, tasks);
	assert_int_equal(k->total_forks, forks + 3 + 1 + 300);
	assert_true(s.last_pid > tid);
	assert_null(find_task(k, s.last_pid));		/* reaped */
	/* A failure stops the repeat where it is, and says where. */
	tasks = k->nr_tasks;
	assert_int_equal(run_in(k, &s, "repeat 5 fork 1; exit 99999"), -ESRCH);
	assert_string_equal(reply, "ESRCH: repeat: run 1 of 5: exit: no process "
			    "with pid 99999\n");
	assert_int_equal(k->nr_tasks, tasks + 1);	/* the fork ran */
	/* Outside a session $! starts unset, inside a repeat too. */
	assert_int_equal(run(k, "repeat 2 exit $!"), -EINVAL);
	assert_string_equal(reply, "EINVAL: repeat: run 1 of 2: $!: no fork or "
			    "clone in this session yet\n");
}

static int fake_ctl_calls;

static struct kstat *fake_cur(void *arg)
{
	(void)arg;
	return NULL;
}

static int fake_ctl(void *arg, enum kstat_ctl what)
{
	(void)arg;
	fake_ctl_calls++;
	return what == KSTAT_CTL_TRACE_START ? -ENOMEM : 0;
}

/* stats and trace reach the serving layer's hook, or say it is absent. */
static void test_stats_trace(void **state)
{
	static const struct kstat_hook hook = { fake_cur, fake_ctl, NULL };
	struct kernel *k = *state;

	assert_int_equal(run(k, "stats reset"), -EOPNOTSUPP);
	assert_string_equal(reply, "EOPNOTSUPP: stats: Operation not supported\n");
	k->kstat = &hook;
	assert_int_equal(run(k, "stats reset"), 0);
	assert_string_equal(reply, "ok\n");
	assert_int_equal(run(k, "trace stop"), 0);
	assert_int_equal(run(k, "trace start"), -ENOMEM);
	assert_int_equal(fake_ctl_calls, 3);
	k->kstat = NULL;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fork),
		T(test_fork_many),
		T(test_clone),
		T(test_exec),
		T(test_setid),
		T(test_exit_wait),
		T(test_esrch),
		T(test_zombie),
		T(test_eperm),
		T(test_eagain),
		T(test_einval),
		T(test_mmap_munmap),
		T(test_mprotect_brk),
		T(test_populate_reset),
		T(test_help),
		T(test_save_load),
		T(test_file_errno_names),
		T(test_kill_stop_cont),
		T(test_kill_groups_perm),
		T(test_tgkill),
		T(test_priority),
		T(test_sched_attrs),
		T(test_prlimit),
		T(test_ptrace_detach),
		T(test_subreaper_exit_thread),
		T(test_pidstore),
		T(test_reply_appends),
		T(test_takes_write_lock),
		T(test_repeat_last_pid),
		T(test_stats_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
