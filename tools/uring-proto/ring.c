// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - the FUSE-over-io_uring transport (Linux 6.14+, fuse module
 * parameter enable_uring=Y, INIT flag FUSE_OVER_IO_URING accepted).
 *
 * The kernel keeps one queue per possible CPU and puts a request on the
 * queue of the CPU its caller runs on; the ring is used only once every
 * queue holds at least one registered entry.  So: one thread per possible
 * CPU, pinned to it, with its own io_uring (128-byte SQEs: the command
 * area holds struct fuse_uring_cmd_req) and @depth entries.  Each entry is
 * a header buffer (struct fuse_uring_req_header) and a payload buffer of at
 * least the connection's max payload (max of 8 KiB, max_write and
 * max_pages pages).  REGISTER hands an entry to the kernel; its completion
 * carries a request; COMMIT_AND_FETCH sends the reply written in place and
 * waits for the next request, one io_uring_enter() per request where
 * /dev/fuse needs a read() and a writev().
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include "proto.h"

#define PAYLOAD_SZ	PROTO_MAX_WRITE

struct ring_ent {
	struct fuse_uring_req_header *hdr;
	void *payload;
	struct iovec iov[2];
	uint64_t commit_id;
};

struct ring_queue {
	pthread_t tid;
	unsigned qid;
	int ret;
	struct io_uring ring;
	struct ring_ent *ent;
};

static struct {
	const struct serve_config *sc;
	unsigned nr_queues;
	struct ring_queue *q;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned started;	/* queues that registered, or failed */
	unsigned failed;
} R = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

/* Queue command @op (REGISTER or COMMIT_AND_FETCH) for entry @ent on @q's SQ. */
static int queue_cmd(struct ring_queue *q, struct ring_ent *ent, uint32_t op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
	struct fuse_uring_cmd_req *req;

	if (!sqe)
		return -EBUSY;	/* cannot happen: one SQE per entry */
	memset(sqe, 0, 128);
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0;		/* index of /dev/fuse in the registered files */
	sqe->cmd_op = op;
	io_uring_sqe_set_data(sqe, ent);
	req = (struct fuse_uring_cmd_req *)sqe->cmd;
	req->qid = (uint16_t)q->qid;
	if (op == FUSE_IO_URING_CMD_REGISTER) {
		sqe->addr = (uint64_t)(uintptr_t)ent->iov;
		sqe->len = 2;
	} else {
		req->commit_id = ent->commit_id;
	}
	return 0;
}

/* Answer the request that entry @ent's completion brought; queue the commit. */
static int handle(struct ring_queue *q, struct ring_ent *ent)
{
	struct fuse_in_header *in = (struct fuse_in_header *)ent->hdr->in_out;
	struct fuse_out_header *oh = (struct fuse_out_header *)ent->hdr->in_out;
	struct fuse_uring_ent_in_out *eio = &ent->hdr->ring_ent_in_out;
	struct fuse_in_header ih = *in;		/* in_out is overwritten below */
	char name[256];
	const void *payload = ent->payload;
	int len;

	ent->commit_id = eio->commit_id;
	if (ih.opcode == FUSE_LOOKUP) {
		/* The name is in the payload; the reply overwrites it. */
		size_t n = eio->payload_sz < sizeof(name) ? eio->payload_sz : sizeof(name) - 1;

		memcpy(name, ent->payload, n);
		name[n] = 0;
		payload = name;
	}
	len = tree_answer(&ih, ent->hdr->op_in, payload, ent->payload, PAYLOAD_SZ);
	if (len == PROTO_NOREPLY)
		len = -ENOSYS;	/* a ring request always wants its answer */
	memset(oh, 0, sizeof(*oh));
	oh->unique = ih.unique;
	oh->error = len < 0 ? len : 0;
	oh->len = sizeof(*oh) + (len > 0 ? (uint32_t)len : 0);
	eio->payload_sz = len > 0 ? (uint32_t)len : 0;
	return queue_cmd(q, ent, FUSE_IO_URING_CMD_COMMIT_AND_FETCH);
}

static int queue_setup(struct ring_queue *q)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQE128 };
	unsigned depth = R.sc->depth;
	int fd = R.sc->fd, err;

	/* Completions (task work) run only when this thread waits for them. */
	if (R.sc->defer_taskrun)
		p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	err = io_uring_queue_init_params(depth, &q->ring, &p);
	if (err) {
		fprintf(stderr, "uring-proto: io_uring_setup (SQE128): %s\n", strerror(-err));
		return err;
	}
	err = io_uring_register_files(&q->ring, &fd, 1);
	if (err) {
		fprintf(stderr, "uring-proto: io_uring_register_files: %s\n", strerror(-err));
		return err;
	}
	q->ent = calloc(depth, sizeof(*q->ent));
	if (!q->ent)
		return -ENOMEM;
	for (unsigned i = 0; i < depth; i++) {
		struct ring_ent *e = &q->ent[i];

		/* Page-aligned as libfuse's; the kernel only copies to and from them. */
		if (posix_memalign((void **)&e->hdr, 4096, 4096) ||
		    posix_memalign(&e->payload, 4096, PAYLOAD_SZ))
			return -ENOMEM;
		memset(e->hdr, 0, 4096);
		e->iov[0] = (struct iovec){ e->hdr, sizeof(*e->hdr) };
		e->iov[1] = (struct iovec){ e->payload, PAYLOAD_SZ };
		err = queue_cmd(q, e, FUSE_IO_URING_CMD_REGISTER);
		if (err)
			return err;
	}
	err = io_uring_submit(&q->ring);
	if (err < 0) {
		fprintf(stderr, "uring-proto: queue %u: REGISTER submit: %s\n", q->qid, strerror(-err));
		return err;
	}
	return 0;
}

/* Process completions until the connection goes away. */
static int queue_loop(struct ring_queue *q)
{
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int err = io_uring_submit_and_wait(&q->ring, 1);

		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "uring-proto: queue %u: io_uring_enter: %s\n", q->qid, strerror(-err));
			return err;
		}
		io_uring_for_each_cqe(&q->ring, head, cqe) {
			struct ring_ent *ent = io_uring_cqe_get_data(cqe);
			int res = cqe->res;

			seen++;
			if (res == 0) {
				err = handle(q, ent);
			} else if (res == -EAGAIN || res == -EINTR) {
				err = queue_cmd(q, ent, ent->commit_id ?
						FUSE_IO_URING_CMD_COMMIT_AND_FETCH :
						FUSE_IO_URING_CMD_REGISTER);
			} else if (res == -ENOTCONN || res == -ECONNABORTED || res == -ECANCELED) {
				err = 1;	/* unmounted: this entry is done */
			} else {
				fprintf(stderr, "uring-proto: queue %u: %s failed: %s "
					"(dmesg may say more)\n", q->qid,
					ent->commit_id ? "COMMIT_AND_FETCH" : "REGISTER",
					strerror(-res));
				err = res;
			}
			if (err < 0) {
				io_uring_cq_advance(&q->ring, seen);
				return err;
			}
			if (err > 0) {
				io_uring_cq_advance(&q->ring, seen);
				return 0;	/* the other entries end with it */
			}
		}
		io_uring_cq_advance(&q->ring, seen);
	}
}

static void *queue_main(void *arg)
{
	struct ring_queue *q = arg;
	int err;

	pin_to_cpu((int)q->qid);
	tree_thread_is_ring();
	err = queue_setup(q);
	pthread_mutex_lock(&R.lock);
	R.started++;
	R.failed += err != 0;
	pthread_cond_broadcast(&R.cond);
	pthread_mutex_unlock(&R.lock);
	q->ret = err ? err : queue_loop(q);
	return NULL;
}

int uring_start(const struct serve_config *sc)
{
	R.sc = sc;
	R.nr_queues = (unsigned)get_nprocs_conf();	/* the kernel's num_possible_cpus() */
	R.q = calloc(R.nr_queues, sizeof(*R.q));
	if (!R.q || !sc->depth)
		return -EINVAL;
	for (unsigned i = 0; i < R.nr_queues; i++) {
		R.q[i].qid = i;
		if (pthread_create(&R.q[i].tid, NULL, queue_main, &R.q[i])) {
			fprintf(stderr, "uring-proto: cannot start queue thread %u\n", i);
			R.nr_queues = i;
			return -EAGAIN;
		}
	}
	pthread_mutex_lock(&R.lock);
	while (R.started < R.nr_queues)
		pthread_cond_wait(&R.cond, &R.lock);
	pthread_mutex_unlock(&R.lock);
	return R.failed ? -EIO : 0;
}

int uring_wait(void)
{
	int ret = 0;

	for (unsigned i = 0; i < R.nr_queues; i++) {
		pthread_join(R.q[i].tid, NULL);
		if (!ret && R.q[i].ret < 0)
			ret = R.q[i].ret;
	}
	return ret;
}
