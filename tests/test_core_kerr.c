// SPDX-License-Identifier: MIT
/*
 * Failure reasons from the core (core/kerr.h): a call that fails says why
 * to the sink its thread set, only for the errno it returned, never to
 * another thread, and costs nothing to a caller that does not listen.
 */
#include <pthread.h>
#include "core_test_util.h"

static int setup(void **state)
{
	*state = tk_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	tk_free(*state);
	return 0;
}

static void test_reason_at_failure(void **state)
{
	struct kernel *k = &((struct tk *)*state)->k;
	struct kerr e, *prev = kerr_begin(&e);
	int pid;

	assert_int_equal(do_fork(k, 99999, 1, &pid), -ESRCH);
	assert_string_equal(kerr_why(&e, -ESRCH), "no process with pid 99999");
	/* Only for the errno it is about. */
	assert_null(kerr_why(&e, -EPERM));
	assert_int_equal(do_exit(k, 1, 0), -EPERM);
	assert_string_equal(kerr_why(&e, -EPERM),
			    "pid 1 is init or a kernel thread, which cannot exit");
	/* A success leaves the last reason, which no caller reads then. */
	assert_int_equal(do_fork(k, 1, 1, &pid), 0);
	kerr_end(prev);
	/* Nobody listening: the same failure, and no reason anywhere. */
	assert_int_equal(do_fork(k, 99999, 1, &pid), -ESRCH);
	assert_string_equal(kerr_why(&e, -EPERM),
			    "pid 1 is init or a kernel thread, which cannot exit");
}

static void test_nested_sinks(void **state)
{
	struct kernel *k = &((struct tk *)*state)->k;
	struct kerr outer, inner, *prev = kerr_begin(&outer), *mid;

	assert_int_equal(do_exit(k, 99998, 0), -ESRCH);
	mid = kerr_begin(&inner);
	assert_ptr_equal(mid, &outer);
	assert_int_equal(do_exit(k, 99997, 0), -ESRCH);
	kerr_end(mid);
	assert_string_equal(kerr_why(&inner, -ESRCH), "no process with pid 99997");
	assert_string_equal(kerr_why(&outer, -ESRCH), "no process with pid 99998");
	kerr_end(prev);
}

/* Another thread's failure never lands in this thread's sink. */
static void *fail_elsewhere(void *arg)
{
	(void)arg;
	(void)kerr(-EPERM, "from another thread");
	return (void *)(long)kerr(-ESRCH, "also from another thread");
}

static void test_per_thread(void **state)
{
	struct kernel *k = &((struct tk *)*state)->k;
	struct kerr e, *prev = kerr_begin(&e);
	pthread_t th;
	void *ret;

	assert_int_equal(do_exit(k, 99995, 0), -ESRCH);
	assert_int_equal(pthread_create(&th, NULL, fail_elsewhere, k), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_int_equal((long)ret, -ESRCH);
	assert_string_equal(kerr_why(&e, -ESRCH), "no process with pid 99995");
	assert_null(kerr_why(&e, -EPERM));
	kerr_end(prev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reason_at_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_sinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_thread, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
