// SPDX-License-Identifier: MIT
/*
 * Limits and hostile numbers through the control language: pid_max
 * exhaustion (EAGAIN, nothing leaked: the pids come back), max_map_count
 * (ENOMEM), populate beyond pid_max, and numbers that are negative or
 * overflow their type.  Every failure must leave the world as it was
 * (world_dump) and say why in one line.  Leaks are LSan's to find: this
 * test runs under the asan label too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core_test_util.h"
#include "ctl.h"
#include "ctl_test_util.h"

static char reply[1 << 16];

/* A kernel ctl_run_line can lock: tk_new's write lock is dropped. */
static struct tk *boot(int pid_max, int max_map_count)
{
	struct kernel_opts o = { .pid_max = pid_max,
				 .max_map_count = max_map_count };
	struct tk *tk = tk_new(&o);

	world_unlock(&tk->k);
	return tk;
}

static void shut(struct tk *tk)
{
	world_write_lock(&tk->k);
	check_world(&tk->k);
	tk_free(tk);
}

static int __attribute__((format(printf, 2, 3)))
run(struct kernel *k, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = ctl_test_vrun(k, reply, sizeof(reply), fmt, ap);
	va_end(ap);
	return ret;
}

/* @line fails with @err, its reply starts with @want, the world is as it was. */
static void fails(struct kernel *k, const char *line, int err,
		  const char *want)
{
	char *before = world_dump(k);

	assert_int_equal(run(k, "%s", line), err);
	if (strncmp(reply, want, strlen(want)))
		fail_msg("'%s': reply '%s' does not start with '%s'", line,
			 reply, want);
	assert_world_same(k, before);
	free(before);
}

/* Exhaust the pids, fail, give them all back, and exhaust them again. */
static void test_pid_max_exhaustion(void **state)
{
	struct tk *tk = boot(400, 0);
	struct kernel *k = &tk->k;
	unsigned long used0 = k->pids.nr_used, tasks0 = k->nr_tasks;
	int pids[400], n = 0, n0 = 0, round, i;

	(void)state;
	for (round = 0; round < 2; round++) {
		n = 0;
		while (run(k, "fork 1") == 0)
			pids[n++] = atoi(reply);
		/*
		 * First every free pid below pid_max; after the wrap only
		 * RESERVED_PIDS..pid_max-1, as alloc_pid hands out.
		 */
		n0 = round ? 400 - RESERVED_PIDS : 399 - (int)used0;
		if (n != n0)
			fail_msg("round %d: %d forks, then: %s", round, n, reply);
		assert_memory_equal(reply, "EAGAIN: fork: no free pid (pid_max 400, ", 40);
		fails(k, "fork 1 1", -EAGAIN, "EAGAIN: fork: no free pid");
		fails(k, "clone 1", -EAGAIN, "EAGAIN: clone: no free pid");
		fails(k, "populate 1", -EAGAIN, "EAGAIN: populate: ");
		/* Give every pid back: exit, then reap as the parent. */
		for (i = 0; i < n; i++) {
			assert_int_equal(run(k, "exit %d 3", pids[i]), 0);
			assert_int_equal(run(k, "wait 1 %d", pids[i]), 0);
		}
		assert_int_equal(k->pids.nr_used, used0);
		assert_int_equal(k->nr_tasks, tasks0);
	}
	shut(tk);
}

/* The last free pid goes to a thread; then fork and clone both fail. */
static void test_pid_max_threads(void **state)
{
	struct tk *tk = boot(301, 0);
	struct kernel *k = &tk->k;
	int left = 300 - (int)k->pids.nr_used;

	(void)state;
	assert_int_equal(run(k, "fork 1 %d", left - 1), 0);
	assert_int_equal(run(k, "clone 1"), 0);
	fails(k, "clone 1", -EAGAIN, "EAGAIN: clone: no free pid");
	fails(k, "fork 1", -EAGAIN, "EAGAIN: fork: no free pid");
	/* exec frees the other threads: one pid back, one fork fits. */
	assert_int_equal(run(k, "exec 1 x"), 0);
	assert_int_equal(run(k, "fork 1"), 0);
	shut(tk);
}

static void test_max_map_count(void **state)
{
	struct tk *tk;
	struct kernel *k;
	int pid, count, limit, i;
	char line[64];

	(void)state;
	/* Boot with the default, find how many VMAs a fresh child has. */
	tk = boot(0, 0);
	pid = atoi((run(&tk->k, "fork 1"), reply));
	count = find_task(&tk->k, pid)->mm->map_count;
	shut(tk);

	limit = count + 5;
	tk = boot(0, limit);
	k = &tk->k;
	pid = atoi((run(k, "fork 1"), reply));
	for (i = 0; i < 5; i++)
		assert_int_equal(run(k, "mmap %d 4K %s", pid, i % 2 ? "r--" : "rw-"), 0);
	assert_int_equal(find_task(k, pid)->mm->map_count, limit);
	snprintf(line, sizeof(line), "mmap %d 4K r-x", pid);
	fails(k, line, -ENOMEM, "ENOMEM: mmap: ");
	/* A fork copies the mm: the child is at the limit, not over it. */
	assert_int_equal(run(k, "fork %d", pid), 0);
	assert_int_equal(find_task(k, atoi(reply))->mm->map_count, limit);
	snprintf(line, sizeof(line), "mmap %s 4K", strtok(reply, "\n"));
	fails(k, line, -ENOMEM, "ENOMEM: mmap: ");
	shut(tk);
}

/* populate is all or nothing: beyond pid_max it adds nobody. */
static void test_populate_beyond_pid_max(void **state)
{
	struct tk *tk = boot(400, 0);
	struct kernel *k = &tk->k;
	int free_pids = 399 - (int)k->pids.nr_used;

	(void)state;
	fails(k, "populate 400", -EAGAIN, "EAGAIN: populate: ");
	fails(k, "populate 4194304", -EAGAIN, "EAGAIN: populate: ");
	assert_true(free_pids > 20);
	assert_int_equal(run(k, "populate 20"), 0);
	shut(tk);
}

/* Signs, overflow and type limits: EINVAL from the parser, nothing run. */
static void test_hostile_numbers(void **state)
{
	static const char *const lines[] = {
		"fork -1", "fork +1", "fork 1 -1", "fork 1 +5", "fork 0",
		"fork 2147483648", "fork 99999999999999999999",
		"fork 1 4294967297", "exit 5 -1", "exit 5 256",
		"exit 5 18446744073709551617", "wait 1 -2147483649", "wait 1 -0x1",
		"mmap 5 -4096", "mmap 5 0", "mmap 5 18446744073709551616",
		"mmap 5 0x10000000000000000", "mmap 5 99999999999G",
		"mmap 5 17179869184G", "munmap 5 -1 4096",
		"munmap 5 0x1000 -4K", "munmap 5 0xfffffffffffffffff 4K",
		"populate -5", "populate 0", "populate 4194305",
		"pid_max -1", "pid_max 4194305", "pid_max 2147483648",
		"pid_max 0x", "fork 0x", "fork 1e3", "fork 1.5", "fork ٣",
		"clone 1 2", "exec", "exec 1", "wait", "munmap 1 0x1000",
	};
	struct tk *tk = boot(0, 0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++)
		fails(&tk->k, lines[i], -EINVAL, "EINVAL: ");
	shut(tk);
}

/* Pids that do not exist, at the edges of the pid space. */
static void test_missing_pids(void **state)
{
	static const char *const lines[] = {
		"fork 32767", "fork 32768", "fork 4194303", "fork 4194304",
		"fork 2147483647", "clone 3000", "exec 3000 x", "exit 3000",
		"mmap 3000 4K", "munmap 3000 0x1000 4K", "wait 3000 -1",
	};
	struct tk *tk = boot(0, 0);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++)
		fails(&tk->k, lines[i], -ESRCH, "ESRCH: ");
	shut(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pid_max_exhaustion),
		cmocka_unit_test(test_pid_max_threads),
		cmocka_unit_test(test_max_map_count),
		cmocka_unit_test(test_populate_beyond_pid_max),
		cmocka_unit_test(test_hostile_numbers),
		cmocka_unit_test(test_missing_pids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
