// SPDX-License-Identifier: MIT
/*
 * /proc/procsim/events: the process-events connector's ring as a stream.
 *
 * A reader starts at the next event after its open.  A read renders what
 * is there; with nothing there it is parked (the request kept, not a
 * thread) until fuse_events_wake() answers it after a ctl command, or an
 * interrupt (the reader got a signal) answers it with EINTR, so a killed
 * cat never hangs.  A reader the ring overtook gets an "overflow lost=N"
 * line, never a silent gap.
 *
 * Lock order: events_lock, then k->lock for reading.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "fuse_events.h"
#include "inode.h"
#include "list.h"
#include "render_events.h"
#include "watchers.h"

struct events_reader {
	struct list_head node;		/* in readers */
	struct procfs *fs;
	uint64_t pos;			/* the next seq to render */
	struct buf out;			/* rendered, not yet read */
	fuse_req_t reading;		/* a read inside fuse_events_read */
	fuse_req_t interrupted;		/* ... interrupted before it parked */
	fuse_req_t parked;		/* a read waiting for events */
	size_t parked_size;
	struct fuse_pollhandle *ph;	/* a poll waiting for events */
};

static pthread_mutex_t events_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head readers = { &readers, &readers };

/* Render events into r->out until @size bytes are there. events_lock held. */
static void fill(struct events_reader *r, size_t size)
{
	struct kernel *k = &r->fs->k;
	struct task_event e;
	uint64_t lost;

	pthread_rwlock_rdlock(&k->lock);
	while (r->out.len < size && event_ring_read(cnproc_ring(k), &r->pos, &e, &lost)) {
		if (lost)
			render_events_lost(&r->out, lost);
		render_task_event(&r->out, &e);
	}
	pthread_rwlock_unlock(&k->lock);
}

static bool has_data(struct events_reader *r)
{
	bool yes;

	if (r->out.len)
		return true;
	pthread_rwlock_rdlock(&r->fs->k.lock);
	yes = r->pos <= cnproc_ring(&r->fs->k)->head;
	pthread_rwlock_unlock(&r->fs->k.lock);
	return yes;
}

/* Answer @req with up to @size rendered bytes, if any.  events_lock held. */
static bool reply_some(struct events_reader *r, fuse_req_t req, size_t size)
{
	size_t n;

	fill(r, size);
	if (r->out.oom) {
		buf_reset(&r->out);
		r->out.oom = false;
		fuse_reply_err(req, ENOMEM);
		return true;
	}
	if (!r->out.len)
		return false;
	n = r->out.len < size ? r->out.len : size;
	fuse_reply_buf(req, r->out.data, n);
	memmove(r->out.data, r->out.data + n, r->out.len - n);
	r->out.len -= n;
	return true;
}

void fuse_events_open(fuse_req_t req, struct fuse_file_info *fi)
{
	struct events_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r->fs = procfs_of(req);
	buf_init(&r->out);
	pthread_mutex_lock(&events_lock);
	pthread_rwlock_rdlock(&r->fs->k.lock);
	r->pos = cnproc_ring(&r->fs->k)->head + 1;	/* from now on */
	pthread_rwlock_unlock(&r->fs->k.lock);
	list_add_tail(&r->node, &readers);
	pthread_mutex_unlock(&events_lock);
	fi->fh = (uintptr_t)r;
	fi->direct_io = 1;
	fi->nonseekable = 1;
	fi->noflush = 1;
	fuse_reply_open(req, fi);
}

/* The reader got a signal: a parked read ends with EINTR. */
static void on_interrupt(fuse_req_t req, void *data)
{
	struct events_reader *r = data;

	pthread_mutex_lock(&events_lock);
	if (r->parked == req) {
		r->parked = NULL;
		fuse_reply_err(req, EINTR);
	} else if (r->reading == req) {
		r->interrupted = req;	/* fuse_events_read answers it */
	}
	pthread_mutex_unlock(&events_lock);
}

void fuse_events_read(fuse_req_t req, size_t size, struct fuse_file_info *fi)
{
	struct events_reader *r = (struct events_reader *)(uintptr_t)fi->fh;

	pthread_mutex_lock(&events_lock);
	r->reading = req;
	pthread_mutex_unlock(&events_lock);
	/* Not under events_lock: it calls on_interrupt at once if too late. */
	fuse_req_interrupt_func(req, on_interrupt, r);
	pthread_mutex_lock(&events_lock);
	r->reading = NULL;
	if (r->interrupted == req) {
		r->interrupted = NULL;
		fuse_reply_err(req, EINTR);
	} else if (reply_some(r, req, size)) {
		/* answered */
	} else if (fi->flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
	} else if (r->parked) {
		fuse_reply_err(req, EBUSY);	/* one waiting read per open file */
	} else {
		r->parked = req;
		r->parked_size = size;
	}
	pthread_mutex_unlock(&events_lock);
}

void fuse_events_release(fuse_req_t req, struct fuse_file_info *fi)
{
	struct events_reader *r = (struct events_reader *)(uintptr_t)fi->fh;

	pthread_mutex_lock(&events_lock);
	list_del_init(&r->node);
	if (r->parked)
		fuse_reply_buf(r->parked, NULL, 0);
	if (r->ph)
		fuse_pollhandle_destroy(r->ph);
	pthread_mutex_unlock(&events_lock);
	buf_free(&r->out);
	free(r);
	fuse_reply_err(req, 0);
}

void fuse_events_poll(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	struct events_reader *r = (struct events_reader *)(uintptr_t)fi->fh;
	unsigned revents;

	/* Regular files are always ready, as procfs's. */
	if (ino_node(ino).kind != NODE_EVENTS) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLIN | POLLRDNORM);
		return;
	}
	pthread_mutex_lock(&events_lock);
	revents = has_data(r) ? POLLIN | POLLRDNORM : 0;
	if (ph) {
		if (r->ph)
			fuse_pollhandle_destroy(r->ph);
		r->ph = ph;
		if (revents) {		/* ready now: nothing to wake later */
			fuse_lowlevel_notify_poll(ph);
			fuse_pollhandle_destroy(ph);
			r->ph = NULL;
		}
	}
	pthread_mutex_unlock(&events_lock);
	fuse_reply_poll(req, revents);
}

void fuse_events_wake(struct procfs *fs)
{
	struct events_reader *r;

	pthread_mutex_lock(&events_lock);
	list_for_each_entry(r, &readers, node) {
		if (r->fs != fs)
			continue;
		if (r->parked && reply_some(r, r->parked, r->parked_size))
			r->parked = NULL;
		if (r->ph && has_data(r)) {
			fuse_lowlevel_notify_poll(r->ph);
			fuse_pollhandle_destroy(r->ph);
			r->ph = NULL;
		}
	}
	pthread_mutex_unlock(&events_lock);
}

void fuse_events_shutdown(void)
{
	struct events_reader *r;

	pthread_mutex_lock(&events_lock);
	list_for_each_entry(r, &readers, node) {
		if (r->parked)
			fuse_reply_buf(r->parked, NULL, 0);
		r->parked = NULL;
	}
	pthread_mutex_unlock(&events_lock);
}
