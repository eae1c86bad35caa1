// SPDX-License-Identifier: MIT
/*
 * pts_changes() (fs/proc_links.c): what the kernel may hold of
 * /proc/procsim/pts and must be told.  Nothing before pts/ was first
 * served (a populate costs no walk of every process), and once served, a
 * terminal that leaves the set in the very next change is named gone.
 * One test: the pts set is the daemon's, one per process.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "inode.h"
#include "kernel.h"
#include "proc_links.h"
#include "world_lock.h"

static unsigned long long now = 500000;

static unsigned long long clk(void *arg)
{
	(void)arg;
	return now;
}

/* The pts number of a process's terminal, or -1. */
static int pts_nr(const struct task *t)
{
	unsigned tty = (unsigned)t->signal->tty_nr;

	if (((tty >> 8) & 0xfff) != 136)
		return -1;
	return (int)((tty & 0xff) | ((tty >> 12) & 0xfff00));
}

static void test_pts_changes_served(void **state)
{
	struct kernel_opts o = { .nr_cpus = 2, .seed = 7, .clock = clk };
	struct node dir = { 0, 0, NODE_PTS_DIR, 0 }, out;
	struct kernel k;
	struct task *t;
	int *gone = NULL, nr = -1, n;
	char name[16];

	(void)state;
	assert_int_equal(kernel_init(&k, &o), 0);
	world_write_lock(&k);
	assert_int_equal(populate(&k, 300), 0);

	/* Nothing served yet: nothing to tell, whatever the set did. */
	assert_int_equal(pts_changes(&k, &gone), 0);
	assert_null(gone);

	for (int pid = next_tgid(&k, 0, &t); pid >= 0; pid = next_tgid(&k, pid + 1, &t))
		if (pts_nr(t) > nr)
			nr = pts_nr(t);
	assert_true(nr >= 0);
	snprintf(name, sizeof(name), "%d", nr);
	assert_int_equal(proc_dir_lookup(&k, NULL, dir, name, &out), 0);

	/* Every task of that terminal drops it (TIOCNOTTY) in one change. */
	for (int pid = next_tgid(&k, 0, &t); pid >= 0; pid = next_tgid(&k, pid + 1, &t))
		if (pts_nr(t) == nr)
			t->signal->tty_nr = 0;
	k.tty_gen++;
	n = pts_changes(&k, &gone);
	assert_int_equal(n, 2);
	assert_non_null(gone);
	assert_int_equal(gone[0], nr);
	free(gone);
	assert_int_equal(proc_dir_lookup(&k, NULL, dir, name, &out), -ENOENT);
	assert_int_equal(pts_changes(&k, &gone), 0);

	world_unlock(&k);
	kernel_destroy(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pts_changes_served),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
