// SPDX-License-Identifier: MIT
/*
 * ctl replay: read and check a trace with no lock, then apply it one event
 * per hold of k->lock, flat out in the command or paced in a background
 * thread (fs/ctl_replay.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ctl_args.h"
#include "ctl_exec.h"
#include "ctl_replay.h"
#include "event_replay.h"
#include "snapshot_file.h"

_Static_assert(CTL_WHY_LEN >= EVENT_TRACE_WHY_LEN &&
	       CTL_WHY_LEN >= SNAPSHOT_WHY_LEN, "a reason fits");

/*
 * The background replay.  @r and @trace belong to whoever holds
 * ctl_serial; @lock guards @stop, @running and @wake's sleep.
 */
static struct replay_job {
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* CLOCK_MONOTONIC */
	pthread_t thread;
	bool joinable, running, stop;
	struct kernel *k;
	struct event_trace trace;
	struct event_replay r;
	int speed;
	struct buf last;		/* how the last one ended */
} job = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void (*_Atomic publish_fn)(void *);
static void *_Atomic publish_arg;

void ctl_replay_set_publish(void (*fn)(void *arg), void *arg)
{
	publish_arg = arg;
	publish_fn = fn;
}

static int replay_fail(const struct ctl_cmd *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int replay_fail(const struct ctl_cmd *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->replay.why, CTL_WHY_LEN, fmt, ap);
	va_end(ap);
	return err;
}

/* The whole file, parsed and checked.  No lock held. */
static int load_trace(const struct ctl_cmd *c, const char *const *own,
		      struct event_trace *t)
{
	char *data;
	size_t got;
	off_t size;
	int fd, err;

	fd = file_open_regular(c->replay.path, own, EVENT_TRACE_FILE_MAX,
			       &size, c->replay.why);
	if (fd < 0)
		return fd;
	data = malloc(size ? (size_t)size : 1);
	if (!data) {
		close(fd);
		return replay_fail(c, -ENOMEM, "out of memory");
	}
	err = read_full(fd, data, size, &got);
	close(fd);
	if (err)
		err = replay_fail(c, err, "%s", strerror(-err));
	else
		err = event_trace_parse(data, got, t, c->replay.why);
	free(data);
	return err;
}

/* The next event of @r under k->lock, for that event only. */
static int step_locked(struct kernel *k, struct event_replay *r)
{
	int err;

	world_write_lock(k);
	err = event_replay_step(k, r);
	world_unlock(k);
	return err;
}

static void begin_locked(struct kernel *k, struct event_replay *r)
{
	world_write_lock(k);
	event_replay_begin(k, r);
	world_unlock(k);
}

static int run_flat_out(struct kernel *k, const struct ctl_cmd *c,
			struct event_trace *t, struct buf *out)
{
	struct event_replay r;
	int err = event_replay_init(&r, t);

	if (err)
		return replay_fail(c, err, "out of memory");
	begin_locked(k, &r);
	while (!err && r.st.done < t->n)
		err = step_locked(k, &r);
	if (err) {
		replay_fail(c, err, "the world was replaced (load, reset) after "
			 "%zu events", r.st.done);
	} else {
		buf_puts(out, "ok: ");
		event_replay_summary(&r, out);
		buf_putc(out, '\n');
	}
	event_replay_destroy(&r);
	return err;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* Sleep until the next event is due or a stop; true to go on. */
static bool wait_due(uint64_t t0)
{
	const struct event_trace *t = &job.trace;
	bool go;

	pthread_mutex_lock(&job.lock);
	for (;;) {
		/* job.r.st.done moves only in this thread: read it freely. */
		uint64_t due = t0 + (t->ev[job.r.st.done].ts - t->ev[0].ts) /
				    (uint64_t)job.speed, now = mono_ns();
		struct timespec ts = { (time_t)(due / 1000000000u),
				       (long)(due % 1000000000u) };

		if (job.stop || now >= due)
			break;
		pthread_cond_timedwait(&job.wake, &job.lock, &ts);
	}
	go = !job.stop;
	pthread_mutex_unlock(&job.lock);
	return go;
}

static void *job_main(void *arg)
{
	uint64_t t0 = mono_ns();
	const char *how = "done";
	bool stop;
	int err = 0;

	(void)arg;
	while (job.r.st.done < job.trace.n) {
		if (!wait_due(t0)) {
			how = "stopped";
			break;
		}
		ctl_serial_lock();
		pthread_mutex_lock(&job.lock);
		stop = job.stop;
		pthread_mutex_unlock(&job.lock);
		if (!stop)
			err = step_locked(job.k, &job.r);
		ctl_serial_unlock();
#ifndef PROCSIM_MUTATE_no_replay_publish	/* test hook: see tools/test */
		if (!stop && !err && publish_fn)
			publish_fn(publish_arg);	/* no lock held */
#endif
		if (stop || err) {
			how = stop ? "stopped" : "ended: the world was replaced";
			break;
		}
	}
	ctl_serial_lock();
	buf_reset(&job.last);
	buf_printf(&job.last, "%s: ", how);
	event_replay_summary(&job.r, &job.last);
	event_replay_destroy(&job.r);
	event_trace_free(&job.trace);
	pthread_mutex_lock(&job.lock);
	job.running = false;
	pthread_mutex_unlock(&job.lock);
	ctl_serial_unlock();
	return NULL;
}

/* A finished thread is joined before the next starts. Context: ctl_serial. */
static void reap_job(void)
{
	if (job.joinable && !job.running) {
		pthread_join(job.thread, NULL);
		pthread_cond_destroy(&job.wake);
		job.joinable = false;
	}
}

static int start_job(struct kernel *k, const struct ctl_cmd *c,
		     struct event_trace *t, struct buf *out)
{
	pthread_condattr_t ca;
	int err;

	err = event_replay_init(&job.r, t);
	if (err)
		return replay_fail(c, err, "out of memory");
	job.trace = *t;
	memset(t, 0, sizeof(*t));
	job.r.t = &job.trace;
	job.k = k;
	job.speed = c->replay.speed;
	job.stop = false;
	job.running = true;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&job.wake, &ca);
	pthread_condattr_destroy(&ca);
	begin_locked(k, &job.r);
	err = -pthread_create(&job.thread, NULL, job_main, NULL);
	if (err) {
		job.running = false;
		*t = job.trace;		/* the caller frees it */
		memset(&job.trace, 0, sizeof(job.trace));
		event_replay_destroy(&job.r);
		pthread_cond_destroy(&job.wake);
		return replay_fail(c, err, "no thread: %s", strerror(-err));
	}
	job.joinable = true;
	buf_printf(out, "started: %zu events over %.1f s of trace at speed %d "
		   "(replay status, replay stop)\n", job.trace.n,
		   job.trace.n ? (job.trace.ev[job.trace.n - 1].ts -
				  job.trace.ev[0].ts) / 1e9 : 0.0, job.speed);
	return 0;
}

static int status(const struct ctl_cmd *c, struct buf *out)
{
	if (c->replay.action == REPLAY_STOP && job.running) {
		pthread_mutex_lock(&job.lock);
		job.stop = true;
		pthread_cond_signal(&job.wake);
		pthread_mutex_unlock(&job.lock);
		/* It applies nothing more: this thread holds ctl_serial. */
		buf_puts(out, "stopped: ");
		event_replay_summary(&job.r, out);
	} else if (job.running) {
		buf_printf(out, "%s: ", job.stop ? "stopping" : "running");
		event_replay_summary(&job.r, out);
		buf_printf(out, ", speed %d", job.speed);
	} else if (job.last.len) {
		buf_put(out, job.last.data, job.last.len);
	} else {
		buf_puts(out, "idle: no replay has run");
	}
	buf_putc(out, '\n');
	return out->oom ? -ENOMEM : 0;
}

/* replay FILE [speed=N|max], replay status, replay stop. */
int ctl_parse_replay(const struct ctl_args *a, struct ctl_cmd *c)
{
	const char *w = a->argv[0];
	long long n = 0;
	int err;

	if (a->argc == 1 && (!strcmp(w, "status") || !strcmp(w, "stop"))) {
		c->replay.action = w[2] == 'a' ? REPLAY_STATUS : REPLAY_STOP;
		return 0;
	}
	if (a->argc == 2 && strcmp(a->argv[1], "speed=max") &&
	    (strncmp(a->argv[1], "speed=", 6) ||
	     ctl_parse_decimal(a->argv[1] + 6, &n) || n < 1 ||
	     n > CTL_REPLAY_SPEED_MAX))
		return ctl_fail(a->err, "replay: want speed=max or speed=N "
				"(1..%d): " QFMT, CTL_REPLAY_SPEED_MAX,
				QARG(a->argv[1]));
	err = ctl_parse_file(a, c);
	if (err)
		return err;
	c->replay.path = c->file.path;
	c->replay.why = c->file.why;
	c->replay.action = REPLAY_RUN;
	c->replay.speed = a->argc == 2 && strcmp(a->argv[1], "speed=max") ?
			  (int)n : 0;
	return 0;
}

static int exec_replay(struct kernel *k, const struct ctl_cmd *c,
		       struct buf *out)
{
	const char *const *own = ctl_get_own_mounts();
	struct event_trace t;
	int err;

	if (c->replay.action != REPLAY_RUN)
		return status(c, out);
	/* One at a time: two would interleave their pid maps. */
	reap_job();
	if (job.running)
		return replay_fail(c, -EBUSY, "a replay is running (replay "
				"status, replay stop)");
	err = load_trace(c, own, &t);
	if (err)
		return err;
	if (t.n && !buf_reserve(out, 512))
		err = replay_fail(c, -ENOMEM, "out of memory");
	else if (c->replay.speed)
		err = start_job(k, c, &t, out);
	else
		err = run_flat_out(k, c, &t, out);
	event_trace_free(&t);
	return err;
}

void ctl_replay_shutdown(void)
{
	pthread_mutex_lock(&job.lock);
	job.stop = true;
	if (job.joinable)
		pthread_cond_signal(&job.wake);
	pthread_mutex_unlock(&job.lock);
	if (job.joinable) {
		pthread_join(job.thread, NULL);
		pthread_cond_destroy(&job.wake);
		job.joinable = false;
	}
	buf_free(&job.last);
}

/* The reason, if load_trace or a step wrote one, goes out with the errno. */
int ctl_exec_replay(struct kernel *k, const struct ctl_cmd *c,
		    struct buf *out)
{
	int err = exec_replay(k, c, out);

	return err && *c->replay.why ? kerr(err, "%s", c->replay.why) : err;
}
