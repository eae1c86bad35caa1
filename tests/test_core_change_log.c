// SPDX-License-Identifier: MIT
/*
 * The change logs (kernel_take_changes, core/kernel.c): a task touched
 * since the last take is in `changed` once, however often it was touched,
 * and a take starts new logs without clearing each task's mark.  A task
 * marked long ago must be logged again whatever number of takes passed,
 * across the mark's wrap (a byte: one clearing pass per 255 takes).
 */
#include "core_test_util.h"

/* A take; whether @pid is in `changed`, and how many entries it had. */
static bool take_has(struct kernel *k, int pid, size_t *n)
{
	struct change_log c, g, b;
	bool found = false;

	kernel_take_changes(k, &c, &g, &b);
	for (size_t i = 0; i < c.n; i++)
		found |= c.v[i].pid == pid;
	*n = c.n;
	free(c.v);
	free(g.v);
	free(b.v);
	return found;
}

static void test_change_log_marks(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct task *t;
	size_t n;
	int pid;

	(void)state;
	k->track_changes = true;
	assert_int_equal(do_fork(k, 1, 1, &pid), 0);
	t = find_task(k, pid);
	assert_non_null(t);
	take_has(k, pid, &n);			/* its birth */
	assert_false(take_has(k, pid, &n));
	assert_int_equal(n, 0);
	/* Touched twice between takes: logged once. */
	task_touch(k, t);
	task_touch(k, t);
	assert_true(take_has(k, pid, &n));
	assert_int_equal(n, 1);
	/* Idle takes between touches, past every phase of the wrap. */
	for (int idle = 0; idle < 300; idle++) {
		task_touch(k, t);
		assert_true(take_has(k, pid, &n));
		for (int i = 0; i < idle; i++)
			assert_false(take_has(k, pid, &n));
	}
	tk_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_log_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
