// SPDX-License-Identifier: MIT
/*
 * The converted paths run at once (THE LOCKING RULE, core/kernel.h): four
 * writer threads do random forks, clones (with and without a stack),
 * thread exits, process exits and waits under the world lock held for
 * reading, while a reader walks next_tgid and find_task under RCU.  Each
 * writer acts only on its own subtree and keeps a model of it; pid_max is
 * small so the pid cursor wraps many times.  At the end, with the world
 * held for writing, every invariant of core_test_util.h holds and the
 * world is exactly the union of the models.  On every backend, both
 * pidlock modes, and with a pidmap_lock per shard where a backend has
 * shards.  Run under TSan in build-tsan (label tsan).
 */
#include <stdatomic.h>
#include <unistd.h>
#include "core_test_util.h"
#include "rcu.h"

#define WRITERS		4
#define OPS		4000
#define PID_MAX		1024
#define MAX_PROCS	24
#define MAX_THREADS	4

struct mproc {
	int pid;
	int parent;		/* a model pid, or 0: init */
	bool zombie;
	int threads[MAX_THREADS], nthreads;
};

struct model {
	struct mproc p[MAX_PROCS];
	int n;
};

struct shared {
	struct kernel *k;
	atomic_uchar live[PID_MAX];	/* pids some model holds */
	atomic_bool stop;
	atomic_int failed;
	atomic_long births, waits;	/* so the run is known to do work */
	char why[256];
	struct model m[WRITERS];
	int home[WRITERS];
};

struct warg {
	struct shared *sh;
	int i;
};

static void failf(struct shared *sh, const char *fmt, int a, int b)
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

static void born(struct shared *sh, int pid)
{
	sh->births++;
	if (pid <= 0 || pid >= PID_MAX || atomic_exchange(&sh->live[pid], 1))
		failf(sh, "pid %d handed out while live (or bad) %d", pid, 0);
}

static void gone(struct shared *sh, int pid)
{
	atomic_store(&sh->live[pid], 0);
}

static void drop(struct model *m, struct mproc *p)
{
	*p = m->p[--m->n];
}

/* A random live process of the model, or NULL. */
static struct mproc *pick_live(struct model *m, uint64_t *x)
{
	int start = rnd(x) % m->n;

	for (int j = 0; j < m->n; j++) {
		struct mproc *p = &m->p[(start + j) % m->n];

		if (!p->zombie)
			return p;
	}
	return NULL;
}

/* Every kernel call: the world lock for reading around it. */
#define RD(sh, call) ({ int r_;						\
	world_read_lock((sh)->k);				\
	r_ = (call);							\
	world_unlock((sh)->k);				\
	r_; })

static void op(struct shared *sh, int me, uint64_t *x)
{
	struct kernel *k = sh->k;
	struct model *m = &sh->m[me];
	struct mproc *p = pick_live(m, x), *c;
	int r, pid, st, reaped;

	switch (rnd(x) % 6) {
	case 0:		/* fork */
		if (m->n == MAX_PROCS)
			return;
		r = RD(sh, do_fork(k, p->pid, 1, &pid));
		if (r)
			return failf(sh, "fork of %d: %d", p->pid, r);
		born(sh, pid);
		m->p[m->n++] = (struct mproc){ .pid = pid, .parent = p->pid };
		return;
	case 1:		/* clone, with or without NPTL's stack */
	case 2:
		if (p->nthreads == MAX_THREADS)
			return;
		r = rnd(x) & 1 ? RD(sh, do_clone(k, p->pid, &pid)) :
				 RD(sh, do_clone_thread(k, p->pid, &pid));
		if (r)
			return failf(sh, "clone of %d: %d", p->pid, r);
		born(sh, pid);
		p->threads[p->nthreads++] = pid;
		return;
	case 3:		/* a thread's exit (pthread_exit; joined at once) */
		if (!p->nthreads)
			return;
		pid = p->threads[--p->nthreads];
		gone(sh, pid);
		r = RD(sh, do_exit_thread(k, pid, 0));
		if (r)
			return failf(sh, "exit of thread %d: %d", pid, r);
		return;
	case 4:		/* exit_group of a process other than home */
		if (p->pid == sh->home[me])
			return;
		for (int t = 0; t < p->nthreads; t++)
			gone(sh, p->threads[t]);
		/* zombie children reparented to init are reaped at once */
		for (int i = 0; i < m->n; i++)
			if (m->p[i].parent == p->pid && m->p[i].zombie)
				gone(sh, m->p[i].pid);
		r = RD(sh, do_exit(k, p->pid, 0));
		if (r)
			return failf(sh, "exit of %d: %d", p->pid, r);
		p->zombie = true;
		p->nthreads = 0;
		for (int i = 0; i < m->n; i++) {
			c = &m->p[i];
			if (c->parent != p->pid)
				continue;
			c->parent = 0;
			if (c->zombie)
				drop(m, c), i--;
		}
		return;
	default:	/* wait for a zombie child */
		for (int i = 0; i < m->n; i++) {
			c = &m->p[i];
			if (!c->zombie || !c->parent)
				continue;
			pid = c->pid;
			gone(sh, pid);
			r = RD(sh, do_wait(k, c->parent, pid, 0, &reaped, &st));
			if (r || reaped != pid || st != 0)
				return failf(sh, "wait for %d: %d", pid, r);
			drop(m, c);
			sh->waits++;
			return;
		}
	}
}

static void *writer(void *arg)
{
	struct warg *a = arg;
	uint64_t x = 0x9e3779b97f4a7c15ULL * (a->i + 1);

	for (int n = 0; n < OPS && !a->sh->failed; n++)
		op(a->sh, a->i, &x);
	return NULL;
}

/* Walks and lookups under RCU: what they return is whole. */
static void *reader(void *arg)
{
	struct shared *sh = arg;
	struct kernel *k = sh->k;
	uint64_t x = 12345;

	while (!sh->stop && !sh->failed) {
		struct task *t;
		int pid, want;

		world_read_lock(k);
		core_rcu_read_lock();
		for (pid = next_tgid(k, 0, &t); pid >= 0;
		     pid = next_tgid(k, pid + 1, &t))
			if (t->pid != pid || t->tgid != pid)
				failf(sh, "next_tgid %d gave task %d", pid, t->pid);
		want = 1 + rnd(&x) % (PID_MAX - 1);
		t = find_task(k, want);
		if (t && t->pid != want)
			failf(sh, "find_task(%d) gave %d", want, t->pid);
		core_rcu_read_unlock();
		world_unlock(k);
	}
	return NULL;
}

/* The world with the write lock held is the union of the models. */
static void check_models(struct shared *sh, unsigned long base)
{
	struct kernel *k = sh->k;
	unsigned long n = 0;

	for (int w = 0; w < WRITERS; w++)
		for (int i = 0; i < sh->m[w].n; i++) {
			struct mproc *p = &sh->m[w].p[i];
			struct task *t = find_task(k, p->pid);

			assert_non_null(t);
			assert_int_equal(t->tgid, p->pid);
			assert_int_equal(t->state == EXIT_ZOMBIE, p->zombie);
			assert_int_equal(t->real_parent->pid,
					 p->parent ? p->parent : 1);
			assert_int_equal(t->signal->nr_threads,
					 p->zombie ? 0 : 1 + p->nthreads);
			for (int j = 0; j < p->nthreads; j++) {
				struct task *th = find_task(k, p->threads[j]);

				assert_non_null(th);
				assert_int_equal(th->tgid, p->pid);
			}
			n += 1 + p->nthreads;
		}
	assert_int_equal(k->nr_tasks, base + n);
}

static void run(const char *backend, const char *pidlock, bool shards)
{
	struct kernel_opts o = {
		.pidstore = backend, .pidlock = pidlock, .concurrent = true,
		.pid_max = PID_MAX, .pidlock_shards = shards,
	};
	struct tk *tk = tk_new(&o);
	struct shared *sh = calloc(1, sizeof(*sh));
	pthread_t w[WRITERS], rd;
	struct warg args[WRITERS];
	unsigned long base;

	assert_non_null(sh);
	sh->k = &tk->k;
	base = tk->k.nr_tasks;
	for (int i = 0; i < WRITERS; i++) {
		sh->home[i] = fork1(&tk->k, 1);
		born(sh, sh->home[i]);
		sh->m[i].p[0] = (struct mproc){ .pid = sh->home[i] };
		sh->m[i].n = 1;
	}
	world_unlock(&tk->k);
	pthread_create(&rd, NULL, reader, sh);
	for (int i = 0; i < WRITERS; i++) {
		args[i] = (struct warg){ sh, i };
		pthread_create(&w[i], NULL, writer, &args[i]);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	sh->stop = true;
	pthread_join(rd, NULL);
	world_write_lock(&tk->k);
	if (sh->failed)
		fail_msg("%s pidlock=%s%s: %s", backend, pidlock,
			 shards ? " (per shard)" : "", sh->why);
	check_world(&tk->k);
	check_models(sh, base);
	/* Enough work that the pid cursor wrapped several times. */
	assert_true(sh->births > 3 * PID_MAX);
	assert_true(sh->waits > 100);
	free(sh);
	tk_free(tk);
}

static void test_concurrent(void **state)
{
	(void)state;
	for (int i = 0; pid_store_backends[i]; i++) {
		const struct pid_store_ops *ops = pid_store_backends[i];

		run(ops->name, "twice", false);
		run(ops->name, "once", false);
		if (ops->nr_shards) {	/* a pidmap_lock per shard */
			run(ops->name, "twice", true);
			run(ops->name, "once", true);
		}
	}
}

/*
 * pidlock=twice takes pidmap_lock three times per clone and exit (alloc,
 * install, free), once twice (alloc and publish, free); a thread being
 * built is never found.
 */
static void test_pidlock_holds(void **state)
{
	static const char *const modes[] = { "twice", "once" };

	(void)state;
	for (int m = 0; m < 2; m++) {
		struct kernel_opts o = { .pidlock = modes[m], .concurrent = true };
		struct tk *tk = tk_new(&o);
		struct kernel *k = &tk->k;
		int pid = fork1(k, 1), tid;
		struct pid_lock_stats st;
		unsigned long before;

		pid_store_lock_stats(&k->pids, &st);
		before = st.acquired;

		for (int i = 0; i < 10; i++) {
			assert_int_equal(do_clone(k, pid, &tid), 0);
			assert_non_null(find_task(k, tid));
			assert_int_equal(do_exit_thread(k, tid, 0), 0);
			assert_null(find_task(k, tid));
		}
		pid_store_lock_stats(&k->pids, &st);
		assert_int_equal(st.acquired - before, 10 * (3 - m));
		assert_int_equal(k->pids.lock_mode, m ? PIDLOCK_ONCE : PIDLOCK_TWICE);
		assert_int_equal(kernel_reset(k), 0);	/* the mode survives */
		assert_int_equal(k->pids.lock_mode, m ? PIDLOCK_ONCE : PIDLOCK_TWICE);
		check_world(k);
		tk_free(tk);
	}
	{
		struct kernel_opts o = { .pidlock = "thrice" };
		struct kernel k;

		assert_int_equal(kernel_init(&k, &o), -EINVAL);
	}
}

struct attach_arg {
	struct kernel *k;
	int ppid, pid, err;
	bool thread;
};

static void *attach_writer(void *p)
{
	struct attach_arg *a = p;

	world_read_lock(a->k);
	a->err = a->thread ? do_clone(a->k, a->ppid, &a->pid) :
			     do_fork(a->k, a->ppid, 1, &a->pid);
	world_unlock(a->k);
	return NULL;
}

/* The pid store's newest entry once it holds a task, or 0 after ~10 s. */
static int wait_published(struct kernel *k, int last0)
{
	for (int i = 0; i < 100000; i++) {
		struct task *t = NULL;
		int last;

		pthread_mutex_lock(&k->pids.pidmap_lock);
		last = k->pids.last_pid;
		pthread_mutex_unlock(&k->pids.pidmap_lock);
		if (last != last0) {
			core_rcu_read_lock();
			t = pid_store_lookup(&k->pids, last);
			core_rcu_read_unlock();
		}
		if (t)
			return last;
		usleep(100);
	}
	return 0;
}

/*
 * copy_process publishes the pid (both pidlock modes) before it takes
 * tasklist_lock to link the task in: in between, the task is in the pid
 * store, half built, and find_task, find_process and next_tgid must not
 * return it (task->unattached).  Deterministic: this thread holds
 * tasklist_lock while a writer forks (or clones), so the writer stops
 * right there.  Caught by the no_attach_check mutation (tools/test).
 */
static void test_attach_hidden(void **state)
{
	static const char *const modes[] = { "twice", "once" };

	(void)state;
	for (int m = 0; m < 4; m++) {
		struct kernel_opts o = { .pidlock = modes[m & 1], .concurrent = true };
		struct tk *tk = tk_new(&o);
		struct kernel *k = &tk->k;
		struct attach_arg a = { k, fork1(k, 1), 0, -1, m >= 2 };
		int last0 = k->pids.last_pid, pid, next;
		struct task *t;
		pthread_t w;

		world_unlock(k);
		pthread_rwlock_wrlock(&k->tasklist_lock);
		pthread_create(&w, NULL, attach_writer, &a);
		pid = wait_published(k, last0);
		assert_true(pid > 0);
		core_rcu_read_lock();
		assert_null(find_task(k, pid));
		assert_null(find_process(k, pid));
		for (next = next_tgid(k, 0, &t); next >= 0;
		     next = next_tgid(k, next + 1, &t))
			assert_int_not_equal(next, pid);
		core_rcu_read_unlock();
		pthread_rwlock_unlock(&k->tasklist_lock);
		pthread_join(w, NULL);
		assert_int_equal(a.err, 0);
		assert_int_equal(a.pid, pid);
		world_write_lock(k);
		assert_non_null(find_task(k, pid));
		check_world(k);
		tk_free(tk);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_attach_hidden),
		cmocka_unit_test(test_pidlock_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
