// SPDX-License-Identifier: MIT
/*
 * The pid_store_* API: alloc_pid's cyclic policy (kernel/pid.c), reserved
 * slots, next/next_leader, alloc_at, mem_bytes, switch, and a long random
 * differential run against a plain bool-array model.  Every test runs on
 * every registered backend ("idr" first, through pid_store_find_ops).
 */
#include "core_test_util.h"

/* Fake tasks: the store only needs ->pid and ->tgid. */
struct fakes {
	struct task *t;		/* [pid_max] */
	struct task *alt;	/* [pid_max], for replace() */
	int n;
};

static void fakes_init(struct fakes *f, int n)
{
	f->t = calloc((size_t)n, sizeof(*f->t));
	f->alt = calloc((size_t)n, sizeof(*f->alt));
	assert_non_null(f->t);
	assert_non_null(f->alt);
	f->n = n;
}

static void fakes_free(struct fakes *f)
{
	free(f->t);
	free(f->alt);
}

static struct task *fake(struct fakes *f, int pid, int tgid)
{
	f->t[pid].pid = pid;
	f->t[pid].tgid = tgid;
	f->alt[pid].pid = pid;
	f->alt[pid].tgid = tgid;
	return &f->t[pid];
}

static const struct pid_store_ops *backend(int i)
{
	return pid_store_backends[i];
}

#define for_each_backend(i, ops) \
	for (i = 0; (ops = backend(i)) != NULL; i++)

static void store_init(struct pid_store *s, const struct pid_store_ops *ops,
		       int pid_max)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(pid_store_init(s, ops, pid_max), 0);
	assert_int_equal(s->pid_max, pid_max);
	assert_int_equal(s->nr_used, 0);
}

/* Allocate and publish one pid as a leader; returns it. */
static int alloc_install(struct pid_store *s, struct fakes *f)
{
	int pid = -1;

	assert_int_equal(pid_store_alloc(s, &pid), 0);
	assert_true(pid > 0 && pid < s->pid_max);
	pid_store_install(s, pid, fake(f, pid, pid));
	return pid;
}

static void test_registry(void **state)
{
	const struct pid_store_ops *ops, *idr = pid_store_find_ops("idr");
	bool seen_idr = false;
	int i;

	(void)state;
	assert_non_null(idr);
	assert_string_equal(idr->name, "idr");
	assert_null(pid_store_find_ops("no-such-backend"));
	assert_null(pid_store_find_ops(""));
	for_each_backend(i, ops) {
		assert_non_null(ops->name);
		assert_non_null(ops->desc);
		assert_ptr_equal(pid_store_find_ops(ops->name), ops);
		assert_non_null(ops->create);
		assert_non_null(ops->destroy);
		assert_non_null(ops->find_free);
		assert_non_null(ops->insert);
		assert_non_null(ops->replace);
		assert_non_null(ops->remove);
		assert_non_null(ops->lookup);
		assert_non_null(ops->next);
		assert_non_null(ops->mem_bytes);
		seen_idr |= ops == idr;
	}
	assert_true(seen_idr);
}

/* At boot the pids come out 1, 2, 3, … and last_pid follows. */
static void test_boot_order(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	int pid;

	store_init(&s, ops, PID_MAX_DEFAULT);
	for (int want = 1; want <= 50; want++) {
		assert_int_equal(pid_store_alloc(&s, &pid), 0);
		assert_int_equal(pid, want);
		assert_int_equal(s.last_pid, want);
		assert_int_equal(s.nr_used, want);
	}
	pid_store_destroy(&s);
}

/* Cyclic: a freed pid is not handed out again before the wrap. */
static void test_cyclic_no_early_reuse(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	int pid;

	fakes_init(&f, PID_MAX_DEFAULT);
	store_init(&s, ops, PID_MAX_DEFAULT);
	for (int n = 0; n < 10; n++)
		alloc_install(&s, &f);
	pid_store_free(&s, 2);
	pid_store_free(&s, 10);
	assert_int_equal(s.nr_used, 8);
	assert_null(pid_store_lookup(&s, 2));
	assert_null(pid_store_lookup(&s, 10));
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 11);
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 12);
	pid_store_destroy(&s);
	fakes_free(&f);
}

/*
 * Fill up to pid_max - 1, then wrap: the next pid is the smallest free one
 * >= RESERVED_PIDS; a freed pid below RESERVED_PIDS is never reused.
 */
static void test_wrap_to_reserved(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	int pid;
	const int pid_max = 400;

	fakes_init(&f, pid_max);
	store_init(&s, ops, pid_max);
	for (int want = 1; want < pid_max; want++)
		assert_int_equal(alloc_install(&s, &f), want);
	assert_int_equal(s.last_pid, pid_max - 1);
	pid_store_free(&s, 5);
	pid_store_free(&s, 299);
	pid_store_free(&s, 350);
	pid_store_free(&s, 320);
	pid_store_free(&s, 300);
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 300);
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 320);
	assert_int_equal(s.last_pid, 320);
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 350);
	/* Only 5 and 299 are free now: both below RESERVED_PIDS. */
	assert_int_equal(s.nr_used, pid_max - 3);
	pid = -7;
	assert_int_equal(pid_store_alloc(&s, &pid), -EAGAIN);
	assert_int_equal(s.nr_used, pid_max - 3);
	assert_null(pid_store_lookup(&s, 5));
	assert_null(pid_store_lookup(&s, 299));
	/* Free one above: it is found on the next wrap. */
	pid_store_free(&s, 390);
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 390);
	pid_store_destroy(&s);
	fakes_free(&f);
}

/*
 * Wrap right after the cursor passed RESERVED_PIDS: with last_pid at 300
 * and nothing above free, the search restarts at RESERVED_PIDS, not at 1
 * (kernel/pid.c: pid_min = RESERVED_PIDS once the cursor is past it).
 */
static void test_wrap_floor_after_cursor_passes_reserved(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	int pid;
	const int pid_max = 310;

	fakes_init(&f, pid_max);
	store_init(&s, ops, pid_max);
	for (int want = 1; want < pid_max; want++)
		assert_int_equal(alloc_install(&s, &f), want);
	pid_store_free(&s, 300);
	pid_store_free(&s, 7);
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 300);
	pid_store_install(&s, pid, fake(&f, pid, pid));
	assert_int_equal(s.last_pid, 300);
	assert_int_equal(pid_store_alloc(&s, &pid), -EAGAIN);
	assert_null(pid_store_lookup(&s, 7));
	assert_int_equal(s.nr_used, pid_max - 2);
	pid_store_destroy(&s);
	fakes_free(&f);
}

/* Exhaustion: -EAGAIN, nothing reserved, nothing visible changes. */
static void test_exhaustion(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	struct task *t;
	int pid;
	const int pid_max = 301;

	fakes_init(&f, pid_max);
	store_init(&s, ops, pid_max);
	for (int want = 1; want < pid_max; want++)
		assert_int_equal(alloc_install(&s, &f), want);
	for (int n = 0; n < 3; n++) {
		assert_int_equal(pid_store_alloc(&s, &pid), -EAGAIN);
		assert_int_equal(s.nr_used, pid_max - 1);
	}
	assert_int_equal(pid_store_next(&s, 0, &t), 1);
	assert_int_equal(pid_store_next(&s, pid_max - 1, &t),
			 pid_max - 1);
	assert_int_equal(pid_store_next(&s, pid_max, &t), -1);
	/* 300 is the only pid that can come back. */
	pid_store_free(&s, 300);
	pid_store_free(&s, 1);
	assert_int_equal(pid_store_alloc(&s, &pid), 0);
	assert_int_equal(pid, 300);
	assert_int_equal(pid_store_alloc(&s, &pid), -EAGAIN);
	assert_int_equal(s.nr_used, pid_max - 2);
	pid_store_destroy(&s);
	fakes_free(&f);
}

/* Reserved slots: counted, never handed out twice, invisible to readers. */
static void test_reserved_invisible(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	struct task *t;
	int a, b, c;

	fakes_init(&f, PID_MAX_DEFAULT);
	store_init(&s, ops, PID_MAX_DEFAULT);
	a = alloc_install(&s, &f);
	assert_int_equal(pid_store_alloc(&s, &b), 0);	/* reserved */
	c = alloc_install(&s, &f);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(c, 3);
	assert_int_equal(s.nr_used, 3);
	assert_null(pid_store_lookup(&s, b));
	t = NULL;
	assert_int_equal(pid_store_next(&s, b, &t), c);
	assert_ptr_equal(t, &f.t[c]);
	assert_int_equal(pid_store_next_leader(&s, b, &t), c);
	assert_int_equal(pid_store_next(&s, 0, &t), a);
	assert_int_equal(pid_store_next(&s, a + 1, &t), c);
	/* Publishing makes it visible. */
	pid_store_install(&s, b, fake(&f, b, b));
	assert_ptr_equal(pid_store_lookup(&s, b), &f.t[b]);
	assert_int_equal(pid_store_next(&s, a + 1, &t), b);
	assert_ptr_equal(t, &f.t[b]);
	/* A reservation can be dropped again. */
	assert_int_equal(pid_store_alloc(&s, &b), 0);
	assert_int_equal(b, 4);
	pid_store_free(&s, b);
	assert_int_equal(s.nr_used, 3);
	assert_int_equal(pid_store_next(&s, 4, &t), -1);
	pid_store_destroy(&s);
	fakes_free(&f);
}

/* next/next_leader: ascending, >= from, threads skipped by next_leader. */
static void test_next_and_next_leader(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	struct task *t;
	int pid;
	/* pid -> tgid: threads of 3 and 8 interleaved with leaders. */
	static const int tg[][2] = {
		{ 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 3 }, { 5, 3 }, { 6, 6 },
		{ 8, 8 }, { 9, 8 }, { 10, 3 }, { 11, 11 }, { 40, 8 },
		{ 41, 41 },
	};
	static const int leaders[] = { 1, 2, 3, 6, 8, 11, 41 };

	fakes_init(&f, PID_MAX_DEFAULT);
	store_init(&s, ops, PID_MAX_DEFAULT);
	for (size_t j = 0; j < sizeof(tg) / sizeof(tg[0]); j++) {
		assert_int_equal(pid_store_alloc_at(&s, tg[j][0]), 0);
		pid_store_install(&s, tg[j][0],
				  fake(&f, tg[j][0], tg[j][1]));
	}
	size_t j = 0;

	for (pid = pid_store_next(&s, 0, &t); pid >= 0;
	     pid = pid_store_next(&s, pid + 1, &t), j++) {
		assert_true(j < sizeof(tg) / sizeof(tg[0]));
		assert_int_equal(pid, tg[j][0]);
		assert_ptr_equal(t, &f.t[pid]);
	}
	assert_int_equal(j, sizeof(tg) / sizeof(tg[0]));
	j = 0;
	for (pid = pid_store_next_leader(&s, 0, &t); pid >= 0;
	     pid = pid_store_next_leader(&s, pid + 1, &t), j++) {
		assert_true(j < sizeof(leaders) / sizeof(leaders[0]));
		assert_int_equal(pid, leaders[j]);
		assert_ptr_equal(t, &f.t[pid]);
	}
	assert_int_equal(j, sizeof(leaders) / sizeof(leaders[0]));
	assert_int_equal(pid_store_next(&s, 7, &t), 8);
	assert_int_equal(pid_store_next(&s, 12, &t), 40);
	assert_int_equal(pid_store_next_leader(&s, 12, &t), 41);
	assert_int_equal(pid_store_next_leader(&s, 9, &t), 11);
	assert_int_equal(pid_store_next(&s, 42, &t), -1);
	assert_int_equal(pid_store_next_leader(&s, 42, &t), -1);
	/* Removing the last leader ends the leader walk at 11. */
	pid_store_free(&s, 41);
	assert_int_equal(pid_store_next_leader(&s, 12, &t), -1);
	assert_int_equal(pid_store_next(&s, 12, &t), 40);
	pid_store_destroy(&s);
	fakes_free(&f);
}

static void test_alloc_at(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	int pid;
	const int pid_max = 1000;

	fakes_init(&f, pid_max);
	store_init(&s, ops, pid_max);
	assert_int_equal(pid_store_alloc_at(&s, 5), 0);
	assert_int_equal(s.nr_used, 1);
	assert_null(pid_store_lookup(&s, 5));	/* reserved only */
	assert_int_equal(pid_store_alloc_at(&s, 5), -EEXIST);
	assert_int_equal(pid_store_alloc_at(&s, 0), -EINVAL);
	assert_int_equal(pid_store_alloc_at(&s, -1), -EINVAL);
	assert_int_equal(pid_store_alloc_at(&s, PID_MAX_LIMIT), -EINVAL);
	assert_int_equal(pid_store_alloc_at(&s, PID_MAX_LIMIT + 1), -EINVAL);
	assert_int_equal(s.nr_used, 1);
	assert_int_equal(pid_store_alloc_at(&s, pid_max - 1), 0);
	pid_store_install(&s, 5, fake(&f, 5, 5));
	assert_ptr_equal(pid_store_lookup(&s, 5), &f.t[5]);
	/* The cyclic allocator steps over pids taken by alloc_at. */
	for (int n = 0; n < 10; n++) {
		assert_int_equal(pid_store_alloc(&s, &pid), 0);
		assert_int_not_equal(pid, 5);
		assert_true(pid < pid_max - 1);
	}
	assert_int_equal(s.nr_used, 12);
	/* Above pid_max: a restored pid from before pid_max was lowered. */
	assert_int_equal(pid_store_alloc_at(&s, pid_max + 1), 0);
	assert_int_equal(pid_store_alloc_at(&s, PID_MAX_LIMIT - 1), 0);
	pid_store_free(&s, pid_max + 1);
	pid_store_free(&s, PID_MAX_LIMIT - 1);
	assert_int_equal(s.nr_used, 12);
	/* An allocated pid also makes alloc_at fail. */
	assert_int_equal(pid_store_alloc_at(&s, pid), -EEXIST);
	pid_store_free(&s, 5);
	assert_int_equal(pid_store_alloc_at(&s, 5), 0);
	pid_store_destroy(&s);
	fakes_free(&f);
}

static void test_replace(void **state)
{
	const struct pid_store_ops *ops = *state;
	struct pid_store s;
	struct fakes f;
	struct task *t;
	int pid;

	fakes_init(&f, 1000);
	store_init(&s, ops, 1000);
	pid = alloc_install(&s, &f);
	s.ops->replace(s.priv, pid, &f.alt[pid]);
	assert_ptr_equal(pid_store_lookup(&s, pid), &f.alt[pid]);
	assert_int_equal(pid_store_next(&s, 0, &t), pid);
	assert_ptr_equal(t, &f.alt[pid]);
	assert_int_equal(s.nr_used, 1);
	pid_store_destroy(&s);
	fakes_free(&f);
}

/*
 * The idr's own memory grows with the pids held and shrinks after (a
 * bitmap backend may legitimately keep its pages, so only "idr" here).
 */
static void test_mem_bytes(void **state)
{
	const struct pid_store_ops *ops = pid_store_find_ops("idr");
	struct pid_store s;
	struct fakes f;
	size_t m0, m1, m2;
	const int n = 20000;

	(void)state;
	assert_non_null(ops);
	fakes_init(&f, PID_MAX_DEFAULT);
	{
		store_init(&s, ops, PID_MAX_DEFAULT);
		m0 = s.ops->mem_bytes(s.priv);
		for (int j = 0; j < n; j++)
			alloc_install(&s, &f);
		m1 = s.ops->mem_bytes(s.priv);
		assert_true(m1 > m0);
		for (int pid = 1; pid <= n; pid++)
			pid_store_free(&s, pid);
		assert_int_equal(s.nr_used, 0);
		m2 = s.ops->mem_bytes(s.priv);
		if (!(m2 < m1))
			fail_msg("%s: mem_bytes %zu after freeing all, %zu full",
				 ops->name, m2, m1);
		pid_store_destroy(&s);
	}
	fakes_free(&f);
}

/*
 * pid_max 4194304: pids at the top of the range, across every structure's
 * boundaries (bitmap pages of 32768, sparse chunks of 4096, radix levels of
 * 64), wrapping from PID_MAX_LIMIT - 1 to RESERVED_PIDS.
 */
static void test_large_pids(void **state)
{
	static const int edges[] = {
		4095, 4096, 32767, 32768, 32769, 262143, 262144, 1048576,
		PID_MAX_LIMIT - 4097, PID_MAX_LIMIT - 4096, PID_MAX_LIMIT - 1,
	};
	const int ne = sizeof(edges) / sizeof(edges[0]), nalloc = 300;
	const struct pid_store_ops *ops = *state;
	struct task *tasks = calloc(ne + nalloc, sizeof(*tasks)), *t;
	int pid, got[300];

	assert_non_null(tasks);
	struct pid_store s;
	size_t m0;

	store_init(&s, ops, PID_MAX_LIMIT);
	m0 = s.ops->mem_bytes(s.priv);
	for (int e = 0; e < ne; e++) {
		assert_int_equal(pid_store_alloc_at(&s, edges[e]), 0);
		tasks[e].pid = edges[e];
		/* Every other one a thread of the one before. */
		tasks[e].tgid = e % 2 ? edges[e - 1] : edges[e];
		pid_store_install(&s, edges[e], &tasks[e]);
	}
	assert_int_equal(pid_store_alloc_at(&s, PID_MAX_LIMIT), -EINVAL);
	for (int e = 0; e < ne; e++) {
		assert_ptr_equal(pid_store_lookup(&s, edges[e]), &tasks[e]);
		if (e + 1 < ne && edges[e + 1] != edges[e] + 1)
			assert_null(pid_store_lookup(&s, edges[e] + 1));
		assert_int_equal(pid_store_next(&s, e ? edges[e - 1] + 1 : 0, &t),
				 edges[e]);
		assert_ptr_equal(t, &tasks[e]);
		assert_int_equal(pid_store_next_leader(&s, e ? edges[e - 1] + 1 : 0, &t),
				 e % 2 ? (e + 1 < ne ? edges[e + 1] : -1) : edges[e]);
	}
	assert_int_equal(pid_store_next(&s, PID_MAX_LIMIT, &t), -1);
	/* The cursor near the top: allocation runs to the end and wraps. */
	s.last_pid = PID_MAX_LIMIT - 200;
	for (int n = 0; n < nalloc; n++) {
		assert_int_equal(pid_store_alloc(&s, &got[n]), 0);
		tasks[ne + n].pid = tasks[ne + n].tgid = got[n];
		pid_store_install(&s, got[n], &tasks[ne + n]);
	}
	assert_int_equal(got[0], PID_MAX_LIMIT - 199);
	assert_int_equal(got[195], PID_MAX_LIMIT - 4);
	assert_int_equal(got[197], PID_MAX_LIMIT - 2);	/* -1 is taken */
	assert_int_equal(got[198], RESERVED_PIDS);
	assert_int_equal(got[nalloc - 1], RESERVED_PIDS + nalloc - 199);
	assert_int_equal(s.nr_used, (unsigned long)(ne + nalloc));
	pid = pid_store_next(&s, PID_MAX_LIMIT - 200, &t);
	assert_int_equal(pid, PID_MAX_LIMIT - 199);
	assert_int_equal(pid_store_next(&s, RESERVED_PIDS - 1, &t),
			 RESERVED_PIDS);
	for (int n = 0; n < nalloc; n++)
		pid_store_free(&s, got[n]);
	for (int e = 0; e < ne; e++)
		pid_store_free(&s, edges[e]);
	assert_int_equal(s.nr_used, 0);
	assert_int_equal(pid_store_next(&s, 0, &t), -1);
	assert_int_equal(pid_store_next_leader(&s, 0, &t), -1);
	assert_true(s.ops->mem_bytes(s.priv) >= m0);
	pid_store_destroy(&s);
	free(tasks);
}

/* ---- the differential run ---- */

struct model {
	bool *used;		/* reserved or present */
	bool *present;
	int last, pid_max;
	unsigned long nr_used;
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rnd_state = x;
}

static int rnd_below(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

/* kernel/pid.c + idr_alloc_cyclic, written the plain way. */
static int model_alloc(struct model *m)
{
	int lo = m->last >= RESERVED_PIDS ? RESERVED_PIDS : 1;
	int p;

	for (p = m->last + 1 > lo ? m->last + 1 : lo; p < m->pid_max; p++)
		if (!m->used[p])
			goto found;
	for (p = lo; p < m->pid_max; p++)
		if (!m->used[p])
			goto found;
	return -EAGAIN;
found:
	m->used[p] = true;
	m->nr_used++;
	m->last = p;
	return p;
}

static int model_next(const struct model *m, int from, bool leaders,
		      const struct fakes *f)
{
	for (int p = from < 0 ? 0 : from; p < m->pid_max; p++)
		if (m->present[p] && (!leaders || f->t[p].tgid == p))
			return p;
	return -1;
}

/* A random used pid (reserved or present) of the model, or -1. */
static int model_pick(const struct model *m, bool want_present)
{
	if (!m->nr_used)
		return -1;
	for (int tries = 0; tries < 64; tries++) {
		int p = 1 + rnd_below(m->pid_max - 1);

		if (m->used[p] && (!want_present || m->present[p]))
			return p;
	}
	for (int p = 1; p < m->pid_max; p++)
		if (m->used[p] && (!want_present || m->present[p]))
			return p;
	return -1;
}

static void differential(const struct pid_store_ops *ops, int pid_max,
			 uint64_t seed, int steps)
{
	struct pid_store s;
	struct model m = { 0 };
	struct fakes f;
	struct task *t;
	int nb = 0;

	while (pid_store_backends[nb])
		nb++;
	rnd_state = seed;
	fakes_init(&f, pid_max);
	m.used = calloc((size_t)pid_max, sizeof(bool));
	m.present = calloc((size_t)pid_max, sizeof(bool));
	assert_non_null(m.used);
	assert_non_null(m.present);
	m.pid_max = pid_max;
	store_init(&s, ops, pid_max);

	for (int step = 0; step < steps; step++) {
		int op = rnd_below(100), want, got, p, from;
		/* Phases: fill hard for a while, then churn. */
		bool filling = (step / 2000) % 2 == 0;

		if (op < (filling ? 60 : 35)) {
			want = model_alloc(&m);
			got = -12345;
			int rc = pid_store_alloc(&s, &got);

			if (want < 0) {
				if (rc != -EAGAIN)
					fail_msg("%s pid_max %d seed %llu step %d:"
						 " alloc rc %d, want -EAGAIN",
						 ops->name, pid_max,
						 (unsigned long long)seed,
						 step, rc);
			} else if (rc != 0 || got != want) {
				fail_msg("%s pid_max %d seed %llu step %d: alloc"
					 " rc %d pid %d, want pid %d (last %d)",
					 ops->name, pid_max,
					 (unsigned long long)seed, step, rc,
					 got, want, m.last);
			}
			if (want > 0 && rnd_below(4)) {
				/* Mostly publish at once; a quarter stay reserved. */
				int tgid = want;

				if (rnd_below(3) == 0) {
					int l = model_next(&m, rnd_below(pid_max),
							   true, &f);

					if (l > 0)
						tgid = l;
				}
				pid_store_install(&s, want, fake(&f, want, tgid));
				m.present[want] = true;
			}
		} else if (op < 40) {
			/* Publish a reserved pid. */
			p = model_pick(&m, false);
			if (p > 0 && !m.present[p]) {
				pid_store_install(&s, p, fake(&f, p, p));
				m.present[p] = true;
			}
		} else if (op < (filling ? 55 : 75)) {
			p = model_pick(&m, false);
			if (p > 0) {
				pid_store_free(&s, p);
				m.used[p] = m.present[p] = false;
				m.nr_used--;
			}
		} else if (op < 80) {
			p = model_pick(&m, true);
			if (p > 0) {
				s.ops->replace(s.priv, p, &f.alt[p]);
				assert_ptr_equal(pid_store_lookup(&s, p),
						 &f.alt[p]);
				s.ops->replace(s.priv, p, &f.t[p]);
			}
		} else if (op < 90) {
			p = rnd_below(pid_max);
			t = pid_store_lookup(&s, p);
			if (m.present[p])
				assert_ptr_equal(t, &f.t[p]);
			else if (t)
				fail_msg("%s step %d: lookup(%d) found a task"
					 " (used %d)", ops->name, step, p,
					 m.used[p]);
		} else if (op < 98) {
			bool leaders = op >= 94;

			from = rnd_below(pid_max + 2);
			t = NULL;
			want = model_next(&m, from, leaders, &f);
			got = leaders ? pid_store_next_leader(&s, from, &t) :
					pid_store_next(&s, from, &t);
			if (got != want)
				fail_msg("%s pid_max %d seed %llu step %d: %s(%d)"
					 " = %d, want %d", ops->name, pid_max,
					 (unsigned long long)seed, step,
					 leaders ? "next_leader" : "next",
					 from, got, want);
			if (want >= 0)
				assert_ptr_equal(t, &f.t[want]);
		} else if (nb > 1) {
			/* Move to another backend mid-run; cursor kept. */
			const struct pid_store_ops *to = pid_store_backends
							[rnd_below(nb)];
			int last = s.last_pid;

			assert_int_equal(pid_store_switch(&s, to), 0);
			assert_ptr_equal(s.ops, to);
			assert_int_equal(s.last_pid, last);
		}
		if (s.nr_used != m.nr_used)
			fail_msg("%s pid_max %d seed %llu step %d: nr_used %lu,"
				 " want %lu", ops->name, pid_max,
				 (unsigned long long)seed, step, s.nr_used,
				 m.nr_used);
	}
	/* Final full comparison. */
	for (int p = 0; p < pid_max; p++) {
		t = pid_store_lookup(&s, p);
		assert_ptr_equal(t, m.present[p] ? &f.t[p] : NULL);
	}
	pid_store_destroy(&s);
	free(m.used);
	free(m.present);
	fakes_free(&f);
}

static void test_differential(void **state)
{
	static const int maxes[] = { 301, 302, 310, 333, 400, 1024, 4096 };
	const struct pid_store_ops *ops;
	int i;

	(void)state;
	for_each_backend(i, ops)
		for (size_t j = 0; j < sizeof(maxes) / sizeof(maxes[0]); j++)
			for (uint64_t seed = 1; seed <= 4; seed++)
				differential(ops, maxes[j],
					     seed * 0x9e3779b97f4a7c15ULL + j,
					     20000);
}

/* switch keeps every entry, the reservations and the cursor. */
static void test_switch(void **state)
{
	const struct pid_store_ops *from, *to;
	struct pid_store s;
	struct fakes f;
	struct task *t;
	int i, j, pid, reserved;

	(void)state;
	fakes_init(&f, 2000);
	for_each_backend(i, from) {
		for_each_backend(j, to) {
			store_init(&s, from, 2000);
			for (int n = 1; n <= 500; n++) {
				assert_int_equal(pid_store_alloc(&s, &pid), 0);
				assert_int_equal(pid, n);
				pid_store_install(&s, n, fake(&f, n,
							      n == 20 ? 19 : n));
			}
			for (int p = 3; p <= 500; p += 7)
				pid_store_free(&s, p);
			assert_int_equal(pid_store_alloc(&s, &reserved), 0);
			unsigned long used = s.nr_used;
			int last = s.last_pid;

			assert_int_equal(pid_store_switch(&s, to), 0);
			assert_ptr_equal(s.ops, to);
			assert_int_equal(s.last_pid, last);
			assert_int_equal(s.nr_used, used);
			assert_null(pid_store_lookup(&s, reserved));
			for (int p = 1; p < 2000; p++) {
				bool here = p <= 500 && (p < 3 || (p - 3) % 7);

				assert_ptr_equal(pid_store_lookup(&s, p),
						 here ? &f.t[p] : NULL);
			}
			assert_int_equal(pid_store_next_leader(&s, 20, &t), 21);
			assert_int_equal(pid_store_next(&s, 20, &t), 20);
			/* The reservation survived: alloc goes past it. */
			assert_int_equal(pid_store_alloc(&s, &pid), 0);
			assert_int_equal(pid, reserved + 1);
			pid_store_destroy(&s);
		}
	}
	fakes_free(&f);
}

/*
 * park/swap: each backend parked beside a live store answers with its own
 * ops and the same pids, swaps back, and refuses once a pid came.
 */
static void test_park_swap(void **state)
{
	const struct pid_store_ops *from, *to;
	struct pid_store_parked p;
	struct pid_store s;
	struct fakes f;
	struct task *t;
	int i, j, pid;

	(void)state;
	fakes_init(&f, 2000);
	for_each_backend(i, from) {
		for_each_backend(j, to) {
			store_init(&s, from, 2000);
			for (int n = 1; n <= 300; n++) {
				assert_int_equal(pid_store_alloc(&s, &pid), 0);
				pid_store_install(&s, n, fake(&f, n, n == 20 ? 19 : n));
			}
			for (int q = 3; q <= 300; q += 7)
				pid_store_free(&s, q);
			assert_int_equal(pid_store_park(&s, to, &p), 0);
			assert_ptr_equal(s.ops, from);
			for (int round = 0; round < 2; round++) {
				assert_int_equal(pid_store_swap(&s, &p), 0);
				assert_ptr_equal(s.ops, to);
				assert_ptr_equal(p.ops, from);
				for (int q = 1; q < 400; q++) {
					bool here = q <= 300 && (q < 3 || (q - 3) % 7);

					assert_ptr_equal(pid_store_lookup(&s, q),
							 here ? &f.t[q] : NULL);
				}
				assert_int_equal(pid_store_next_leader(&s, 20, &t), 21);
				assert_int_equal(pid_store_swap(&s, &p), 0);
				assert_ptr_equal(s.ops, from);
				assert_ptr_equal(p.ops, to);
			}
			assert_int_equal(pid_store_alloc(&s, &pid), 0);
			assert_int_equal(pid_store_swap(&s, &p), -ESTALE);
			assert_ptr_equal(s.ops, from);
			pid_store_parked_free(&p);
			pid_store_parked_free(&p);	/* idempotent */
			pid_store_destroy(&s);
		}
	}
	fakes_free(&f);
}

/* The backend the next group runs with: each test's state is it. */
static const struct pid_store_ops *group_backend;

static int backend_setup(void **state)
{
	*state = (void *)group_backend;
	return 0;
}

int main(void)
{
	/* One body, run once per backend (the group's state). */
	const struct CMUnitTest per_backend[] = {
		cmocka_unit_test(test_boot_order),
		cmocka_unit_test(test_cyclic_no_early_reuse),
		cmocka_unit_test(test_wrap_to_reserved),
		cmocka_unit_test(test_wrap_floor_after_cursor_passes_reserved),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_reserved_invisible),
		cmocka_unit_test(test_next_and_next_leader),
		cmocka_unit_test(test_alloc_at),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_large_pids),
	};
	/* Across backends: the registry, switches, the differential run. */
	const struct CMUnitTest across[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_mem_bytes),
		cmocka_unit_test(test_switch),
		cmocka_unit_test(test_park_swap),
		cmocka_unit_test(test_differential),
	};
	int failed = 0;

	for (int i = 0; (group_backend = backend(i)) != NULL; i++)
		failed += cmocka_run_group_tests_name(group_backend->name,
						      per_backend, backend_setup,
						      NULL);
	return failed + cmocka_run_group_tests_name("across backends", across,
						    NULL, NULL);
}
