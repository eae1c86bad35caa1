// SPDX-License-Identifier: MIT
/*
 * The world lock's debug assertion (core/world_lock.h): in a build with
 * PROCSIM_LOCKDEP (Debug and sanitizer builds, or -DPROCSIM_LOCKDEP=ON) a
 * do_* entered without k->lock aborts, naming itself; held for reading or
 * for writing, it runs.  Without PROCSIM_LOCKDEP the tests are skipped:
 * release builds have no assertion to prove.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core_test_util.h"

static int setup(void **state)
{
	struct tk *tk = tk_new(NULL);

	world_unlock(&tk->k);		/* tk_new hands it over held */
	*state = tk;
	return 0;
}

static int teardown(void **state)
{
	struct tk *tk = *state;

	world_write_lock(&tk->k);	/* tk_free drops it */
	tk_free(tk);
	return 0;
}

#ifdef PROCSIM_LOCKDEP
/* Run @fn(@k) in a child; its wait status. */
static int in_child(void (*fn)(struct kernel *k), struct kernel *k)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		/* No core dump, and no noise but the assertion's own line. */
		signal(SIGABRT, SIG_DFL);
		fn(k);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void fork_unlocked(struct kernel *k)
{
	int pid;

	(void)do_fork(k, 1, 1, &pid);
}

static void wait_unlocked(struct kernel *k)
{
	int reaped, status;

	(void)do_wait(k, 1, -1, WNOHANG, &reaped, &status);
}

static void getprio_read_locked(struct kernel *k)
{
	int pid;

	world_read_lock(k);
	(void)do_getpriority(k, 0, 1, &pid);
	world_unlock(k);
}

static void fork_write_locked(struct kernel *k)
{
	int pid;

	world_write_lock(k);
	if (do_fork(k, 1, 1, &pid))
		_exit(3);
	world_unlock(k);
}

#endif

#ifdef PROCSIM_LOCKDEP
/* @fn(@k) in a child must die of the assertion (@aborts) or exit 0. */
static void expect(void (*fn)(struct kernel *k), struct kernel *k, bool aborts)
{
	int st = in_child(fn, k);

	if (aborts) {
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGABRT);
	} else {
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
}

static void test_unlocked_aborts(void **state)
{
	struct kernel *k = &((struct tk *)*state)->k;

	expect(fork_unlocked, k, true);
	expect(wait_unlocked, k, true);
}

static void test_locked_runs(void **state)
{
	struct kernel *k = &((struct tk *)*state)->k;

	expect(getprio_read_locked, k, false);
	expect(fork_write_locked, k, false);
	/* The count follows this thread's holds, per world. */
	assert_false(world_lock_held(k));
	world_read_lock(k);
	assert_true(world_lock_held(k));
	world_unlock(k);
	assert_false(world_lock_held(k));
}
#else
/* Release builds have no assertion to prove. */
static void skip_test(void **state)
{
	(void)state;
	skip();
}
#define test_unlocked_aborts skip_test
#define test_locked_runs skip_test
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unlocked_aborts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_runs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
