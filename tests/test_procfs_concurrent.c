// SPDX-License-Identifier: MIT
/*
 * The daemon's locking without FUSE (THE LOCKING RULE, core/kernel.h;
 * fs/ctl_lock.h): writer threads run ctl lines (fork, clone, exit_thread,
 * exit, wait, and a repeat of them) through ctl_run_line_in, which holds
 * the world lock for reading on a concurrent kernel, and take the change
 * logs after each, as the daemon's publish does; reader threads meanwhile
 * list /proc, every /proc/<pid>, its task/ and each thread's directory,
 * and render every regular file there and in /proc itself, through the
 * request handlers (fs/procfs_req.h).  A task that went meanwhile may
 * answer ENOENT or ESRCH; nothing else may fail.  At the end, with the
 * world held for writing, every invariant of core_test_util.h holds and
 * each writer's processes are exactly as its model says.  Run under TSan
 * in build-tsan (label tsan): no race may be reported.
 */
#include <stdatomic.h>
#include "core_test_util.h"
#include "ctl.h"
#include "procfs_req.h"

#define WRITERS		2
#define READERS		2
#define OPS		600
#define MAX_KIDS	6
#define MAX_THREADS	3

struct kid {
	int pid, threads[MAX_THREADS], nthreads;
};

struct shared {
	struct procfs *fs;
	atomic_bool stop;
	atomic_int failed;
	atomic_long renders, lines;
	char why[256];
	int home[WRITERS];
	struct kid kids[WRITERS][MAX_KIDS];
	int nkids[WRITERS];
};

struct warg {
	struct shared *sh;
	int i;
};

static void failf(struct shared *sh, const char *fmt, const char *a, int b)
{
	if (atomic_exchange(&sh->failed, 1) == 0)
		snprintf(sh->why, sizeof(sh->why), fmt, a, b);
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* The daemon's publish_changes, without the invalidations. */
static void take_changes(struct kernel *k)
{
	struct change_log c, g, b;

	world_read_lock(k);
	kernel_take_changes(k, &c, &g, &b);
	world_unlock(k);
	free(c.v);
	free(g.v);
	free(b.v);
}

/* Run @line; its reply's first number (0 for "ok"), or -1 on failure. */
static int run(struct shared *sh, struct ctl_session *s, const char *line)
{
	struct buf out;
	int err, n = 0;

	buf_init(&out);
	err = ctl_run_line_in(&sh->fs->k, s, line, strlen(line), &out);
	buf_putc(&out, '\0');
	if (err)
		failf(sh, "%s", out.data ? out.data : line, 0);
	else
		n = atoi(out.data);
	buf_free(&out);
	take_changes(&sh->fs->k);
	sh->lines++;
	return err ? -1 : n;
}

static void writer_op(struct shared *sh, int me, struct ctl_session *s,
		      uint64_t *x)
{
	struct kid *kids = sh->kids[me], *c;
	int *n = &sh->nkids[me], h = sh->home[me];
	char line[128];

	c = *n ? &kids[rnd(x) % *n] : NULL;
	switch (rnd(x) % 6) {
	case 0:
		if (*n == MAX_KIDS)
			return;
		snprintf(line, sizeof(line), "fork %d", h);
		kids[*n] = (struct kid){ .pid = run(sh, s, line) };
		if (kids[*n].pid > 0)
			++*n;
		return;
	case 1:
		if (!c || c->nthreads == MAX_THREADS)
			return;
		snprintf(line, sizeof(line), "clone %d", c->pid);
		c->threads[c->nthreads] = run(sh, s, line);
		if (c->threads[c->nthreads] > 0)
			c->nthreads++;
		return;
	case 2:
		if (!c || !c->nthreads)
			return;
		snprintf(line, sizeof(line), "exit_thread %d", c->threads[--c->nthreads]);
		run(sh, s, line);
		return;
	case 3:
		if (!c)
			return;
		snprintf(line, sizeof(line), "exit %d 3", c->pid);
		run(sh, s, line);
		snprintf(line, sizeof(line), "wait %d %d", h, c->pid);
		if (run(sh, s, line) != c->pid)
			failf(sh, "%s: not reaped", line, 0);
		*c = kids[--*n];
		return;
	case 4:		/* a converted repeat: under the read lock too */
		snprintf(line, sizeof(line),
			 "repeat 3 fork %d; exit $!; wait %d $!", h, h);
		run(sh, s, line);
		return;
	default:	/* a command that keeps the write lock */
		snprintf(line, sizeof(line), "kill %d CONT", h);
		run(sh, s, line);
	}
}

static void *writer(void *arg)
{
	struct warg *a = arg;
	struct ctl_session s = { 0 };
	uint64_t x = 0x9e3779b97f4a7c15ULL * (a->i + 1);

	for (int i = 0; i < OPS && !a->sh->failed; i++)
		writer_op(a->sh, a->i, &s, &x);
	return NULL;
}

struct entry {
	char name[32];
	uint64_t ino;
	mode_t mode;
};

struct listing {
	struct entry v[512];
	int n;
};

static bool collect(void *arg, const char *name, uint64_t ino, mode_t mode,
		    off_t next, const struct preq_entry *e)
{
	struct listing *l = arg;

	(void)next;
	(void)e;
	if (l->n == (int)(sizeof(l->v) / sizeof(*l->v)))
		return false;
	snprintf(l->v[l->n].name, sizeof(l->v[l->n].name), "%s", name);
	l->v[l->n].ino = ino;
	l->v[l->n].mode = mode;
	l->n++;
	return true;
}

static bool gone(int err)
{
	return err == -ENOENT || err == -ESRCH;
}

static bool is_number(const char *s)
{
	return *s >= '0' && *s <= '9';
}

/* List @ino (plus: attributes too); render each regular file; recurse into
 * numbered directories and task/ down to @depth. */
static void walk(struct shared *sh, uint64_t ino, int depth, struct buf *b)
{
	struct preq r = { .fs = sh->fs };
	struct listing *l = calloc(1, sizeof(*l));
	int err;

	assert_non_null(l);
	err = preq_readdir(&r, ino, 0, depth & 1, collect, l);
	if (err && !gone(err))
		failf(sh, "readdir: %s%d", "", err);
	for (int i = 0; i < l->n && !sh->failed; i++) {
		struct entry *e = &l->v[i];

		if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
			continue;
		if (S_ISREG(e->mode)) {
			err = preq_render(&r, e->ino, b);
			if (err && !gone(err))
				failf(sh, "render of %s: %d", e->name, err);
			sh->renders++;
		} else if (S_ISDIR(e->mode) && depth > 0 &&
			   (is_number(e->name) || !strcmp(e->name, "task"))) {
			walk(sh, e->ino, depth - 1, b);
		}
	}
	free(l);
}

static void *reader(void *arg)
{
	struct shared *sh = arg;
	struct buf b;

	buf_init(&b);
	while (!sh->stop && !sh->failed)
		walk(sh, PREQ_ROOT_ID, 3, &b);	/* /proc, <pid>, task, <tid> */
	buf_free(&b);
	return NULL;
}

static void check_models(struct shared *sh)
{
	struct kernel *k = &sh->fs->k;

	for (int w = 0; w < WRITERS; w++) {
		struct task *h = find_task(k, sh->home[w]), *c;
		int n = 0;

		assert_non_null(h);
		list_for_each_entry(c, &h->children, sibling)
			n++;
		assert_int_equal(n, sh->nkids[w]);
		for (int i = 0; i < sh->nkids[w]; i++) {
			struct kid *m = &sh->kids[w][i];
			struct task *t = find_task(k, m->pid);

			assert_non_null(t);
			assert_ptr_equal(t->real_parent, h);
			assert_int_equal(t->signal->nr_threads, 1 + m->nthreads);
		}
	}
}

static void test_readers_beside_ctl_writers(void **state)
{
	struct kernel_opts o = { .concurrent = true, .seed = 3 };
	struct procfs *fs = calloc(1, sizeof(*fs));
	struct shared *sh = calloc(1, sizeof(*sh));
	pthread_t w[WRITERS], rd[READERS];
	struct warg args[WRITERS];

	(void)state;
	assert_non_null(fs);
	assert_non_null(sh);
	stats_init(&fs->stats, true);
	trace_init(&fs->trace, true);
	o.kstat = &fs->stats.hook;
	assert_int_equal(kernel_init(&fs->k, &o), 0);
	assert_int_equal(populate(&fs->k, 8), 0);
	fs->k.track_changes = fs->cache = true;
	fs->control_path = "/run/procsim-control";	/* /proc/procsim's target */
	assert_int_equal(render_cache_init(&fs->rcache), 0);
	sh->fs = fs;
	for (int i = 0; i < WRITERS; i++) {
		struct ctl_session s = { 0 };

		sh->home[i] = run(sh, &s, "fork 1");
		assert_true(sh->home[i] > 0);
	}
	for (int i = 0; i < READERS; i++)
		pthread_create(&rd[i], NULL, reader, sh);
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (struct warg){ sh, i };
		pthread_create(&w[i], NULL, writer, &args[i]);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	sh->stop = true;
	for (int i = 0; i < READERS; i++)
		pthread_join(rd[i], NULL);
	if (sh->failed)
		fail_msg("%s", sh->why);
	print_message("%ld renders beside %ld ctl lines\n", (long)sh->renders,
		      (long)sh->lines);
	assert_true(sh->renders > 100);
	assert_true(sh->lines > OPS);
	world_write_lock(&fs->k);
	check_world(&fs->k);
	check_models(sh);
	world_unlock(&fs->k);
	kernel_destroy(&fs->k);
	render_cache_destroy(&fs->rcache);
	trace_destroy(&fs->trace);
	stats_destroy(&fs->stats);
	free(sh);
	free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_beside_ctl_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
