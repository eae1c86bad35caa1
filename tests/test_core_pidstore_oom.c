// SPDX-License-Identifier: MIT
/*
 * Every pid store under allocation failure: malloc, calloc and realloc are
 * replaced here (libJudy's and uthash's calls included) by versions that
 * fail on the Nth call and count live blocks.  An insert, an alloc or a
 * switch that fails must return -ENOMEM, leave the store answering exactly
 * as before and hold no more blocks than before.  Skipped under ASan,
 * which owns malloc itself.
 */
#include "core_test_util.h"

/* The sanitizers own malloc: no hook of ours under them. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_MALLOC_HOOK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NO_MALLOC_HOOK 1
#endif
#endif

#ifndef NO_MALLOC_HOOK
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static long fail_in = -1;	/* calls until one fails; -1: never */
static long live;		/* blocks handed out and not freed */

static bool should_fail(void)
{
	if (fail_in < 0)
		return false;
	return fail_in-- == 0;
}

void *malloc(size_t n)
{
	void *p = should_fail() ? NULL : __libc_malloc(n);

	live += p != NULL;
	return p;
}

void *calloc(size_t n, size_t m)
{
	void *p = should_fail() ? NULL : __libc_calloc(n, m);

	live += p != NULL;
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p = should_fail() ? NULL : __libc_realloc(old, n);

	live += p && !old;
	return p;
}

void free(void *p)
{
	live -= p != NULL;
	__libc_free(p);
}

/* Everything a reader can see, as one checksum-free comparison. */
static void expect_same(const struct pid_store *s, const struct task *tasks,
			const int *pids, int n, unsigned long used)
{
	struct task *t;
	int pid, i = 0;

	assert_int_equal(s->nr_used, used);
	for (pid = pid_store_next(s, 0, &t); pid >= 0;
	     pid = pid_store_next(s, pid + 1, &t), i++) {
		assert_true(i < n);
		assert_int_equal(pid, pids[i]);
		assert_ptr_equal(t, &tasks[i]);
		assert_ptr_equal(pid_store_lookup(s, pid), &tasks[i]);
	}
	assert_int_equal(i, n);
}

/*
 * Fail the Nth allocation of one operation, for N = 0, 1, … until the
 * operation succeeds: each failure must be clean.
 */
static void test_oom_every_step(void **state)
{
	static const int pids[] = { 1, 2, 64, 4095, 4096, 32768, 262144,
				    PID_MAX_LIMIT - 1 };
	const int n = sizeof(pids) / sizeof(pids[0]);
	struct task tasks[sizeof(pids) / sizeof(pids[0])] = { 0 };
	const struct pid_store_ops *ops, *to;

	(void)state;
	for (int i = 0; (ops = pid_store_backends[i]); i++) {
		for (int j = 0; (to = pid_store_backends[j]); j++) {
			struct pid_store s;
			int pid, err, failures = 0;
			long before;

			assert_int_equal(pid_store_init(&s, ops, PID_MAX_LIMIT), 0);
			/* Grow the shared reservation list once, outside the count. */
			assert_int_equal(pid_store_alloc_at(&s, 3), 0);
			pid_store_free(&s, 3);
			for (int k = 0; k < n; k++) {
				/* alloc_at at a fresh spot: nodes, pages, chunks. */
				for (long f = 0;; f++) {
					before = live;
					fail_in = f;
					err = pid_store_alloc_at(&s, pids[k]);
					fail_in = -1;
					if (!err)
						break;
					assert_int_equal(err, -ENOMEM);
					if (live != before)
						fail_msg("%s: alloc_at(%d) failing at"
							 " malloc %ld leaks %ld blocks",
							 ops->name, pids[k], f,
							 live - before);
					expect_same(&s, tasks, pids, k, k);
					failures++;
				}
				tasks[k].pid = tasks[k].tgid = pids[k];
				pid_store_install(&s, pids[k], &tasks[k]);
			}
			/* The cyclic allocator: its reservation list may grow too. */
			s.last_pid = 100000;
			for (long f = 0;; f++) {
				before = live;
				fail_in = f;
				err = pid_store_alloc(&s, &pid);
				fail_in = -1;
				if (!err)
					break;
				assert_int_equal(err, -ENOMEM);
				assert_int_equal(live, before);
				assert_int_equal(s.last_pid, 100000);
				expect_same(&s, tasks, pids, n, n);
			}
			assert_int_equal(pid, 100001);
			pid_store_free(&s, pid);
			/* A switch is all-or-nothing as well. */
			for (long f = 0;; f++) {
				before = live;
				fail_in = f;
				err = pid_store_switch(&s, to);
				fail_in = -1;
				if (!err)
					break;
				assert_int_equal(err, -ENOMEM);
				assert_int_equal(live, before);
				assert_ptr_equal(s.ops, ops);
				expect_same(&s, tasks, pids, n, n);
			}
			assert_ptr_equal(s.ops, to);
			expect_same(&s, tasks, pids, n, n);
			assert_true(failures > 0);	/* the hook did bite */
			pid_store_destroy(&s);
		}
	}
}
#else
static void test_oom_every_step(void **state)
{
	(void)state;
	skip();
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_every_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
