/* SPDX-License-Identifier: MIT */
/*
 * The renderer tests' fixture (test_render.c, test_render_clients.c): a
 * booted, populated kernel on a pinned clock, held for writing, with a
 * buffer and a render context.  One copy of boot and teardown.
 */
#ifndef RENDER_FIXTURE_H
#define RENDER_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "render.h"

struct fx {
	struct kernel k;
	unsigned long long now;
	struct buf b;
	struct render_ctx c;
	int proc, th1, th2, zombie;	/* test_render's own processes */
};

static inline unsigned long long fx_clock(void *arg)
{
	return *(const unsigned long long *)arg;
}

/* Boot with @seed at tick @now, populate @n, and take the world lock. */
static inline struct fx *fx_boot(uint64_t seed, unsigned long long now,
				 int n, long long btime)
{
	struct kernel_opts o = { .nr_cpus = 2, .seed = seed };
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->now = now;
	o.clock = fx_clock;
	o.clock_arg = &f->now;
	assert_int_equal(kernel_init(&f->k, &o), 0);
	world_write_lock(&f->k);
	assert_int_equal(populate(&f->k, n), 0);
	buf_init(&f->b);
	f->c = (struct render_ctx){ .k = &f->k, .now = f->now, .btime = btime };
	return f;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;

	buf_free(&f->b);
	world_unlock(&f->k);
	kernel_destroy(&f->k);
	free(f);
	return 0;
}

#endif
