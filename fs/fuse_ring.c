// SPDX-License-Identifier: MIT
/*
 * FUSE over io_uring, the ring side (see fuse_ring.h).  The kernel keeps
 * one queue per possible CPU and puts a request on the queue of the CPU
 * its caller runs on; it uses the ring only once every queue holds a
 * registered entry, and falls back to /dev/fuse if a REGISTER fails.  An
 * entry is a header buffer (struct fuse_uring_req_header) and a payload
 * buffer; its SQEs are 128 bytes (the command area holds struct
 * fuse_uring_cmd_req).
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <fcntl.h>
#include <unistd.h>
#include "fuse_ring.h"

struct ring_queue {
	struct fuse_ring *r;
	pthread_t tid;
	unsigned qid;
	int ret;
	bool ring_ok;		/* ring set up: io_uring_queue_exit() at the end */
	struct io_uring ring;
	struct fuse_ring_ent *ent;
};

struct fuse_ring {
	struct fuse_ring_config cfg;
	unsigned nr_queues;
	struct ring_queue *q;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned started;	/* queues that registered, or failed */
	unsigned failed;
};

/* Queue command @op (REGISTER or COMMIT_AND_FETCH) for @ent on @q's SQ. */
static int queue_cmd(struct ring_queue *q, struct fuse_ring_ent *ent, uint32_t op)
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

void fuse_ring_reply(struct fuse_ring_ent *ent, int error, size_t len)
{
	struct fuse_in_header in = fuse_ring_in(ent);
	struct fuse_out_header *oh = (struct fuse_out_header *)ent->hdr->in_out;

	if (error)
		len = 0;
	memset(oh, 0, sizeof(*oh));
	oh->unique = in.unique;
	oh->error = error;
	oh->len = (uint32_t)(sizeof(*oh) + len);
	/* The body's length, without the header (unlike a /dev/fuse write). */
	ent->hdr->ring_ent_in_out.payload_sz = (uint32_t)len;
}

static int queue_setup(struct ring_queue *q)
{
	const struct fuse_ring_config *cfg = &q->r->cfg;
	struct io_uring_params p = { .flags = IORING_SETUP_SQE128 };
	int fd = cfg->fd, err;

	/* Completions (task work) run only when this thread waits for them. */
	if (cfg->defer_taskrun)
		p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	err = io_uring_queue_init_params(cfg->depth, &q->ring, &p);
	if (err) {
		fprintf(stderr, "%s: io_uring_setup (SQE128): %s\n", cfg->prog, strerror(-err));
		return err;
	}
	q->ring_ok = true;
	err = io_uring_register_files(&q->ring, &fd, 1);
	if (err) {
		fprintf(stderr, "%s: io_uring_register_files: %s\n", cfg->prog, strerror(-err));
		return err;
	}
	q->ent = calloc(cfg->depth, sizeof(*q->ent));
	if (!q->ent)
		return -ENOMEM;
	for (unsigned i = 0; i < cfg->depth; i++) {
		struct fuse_ring_ent *e = &q->ent[i];

		/* Page-aligned as libfuse's; the kernel only copies to and from them. */
		if (posix_memalign((void **)&e->hdr, 4096, 4096) ||
		    posix_memalign(&e->payload, 4096, cfg->payload_sz))
			return -ENOMEM;
		memset(e->hdr, 0, 4096);
		e->iov[0] = (struct iovec){ e->hdr, sizeof(*e->hdr) };
		e->iov[1] = (struct iovec){ e->payload, cfg->payload_sz };
		err = queue_cmd(q, e, FUSE_IO_URING_CMD_REGISTER);
		if (err)
			return err;
	}
	err = io_uring_submit(&q->ring);
	if (err < 0) {
		fprintf(stderr, "%s: ring queue %u: REGISTER: %s\n", cfg->prog, q->qid,
			strerror(-err));
		return err;
	}
	return 0;
}

/* Process completions until the connection goes away. */
static int queue_loop(struct ring_queue *q)
{
	const struct fuse_ring_config *cfg = &q->r->cfg;

	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		int err = io_uring_submit_and_wait(&q->ring, 1);

		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: ring queue %u: io_uring_enter: %s\n",
				cfg->prog, q->qid, strerror(-err));
			return err;
		}
		io_uring_for_each_cqe(&q->ring, head, cqe) {
			struct fuse_ring_ent *ent = io_uring_cqe_get_data(cqe);
			int res = cqe->res;

			seen++;
			if (res == 0) {
				ent->commit_id = ent->hdr->ring_ent_in_out.commit_id;
				cfg->answer(ent, q->qid, cfg->arg);
				err = queue_cmd(q, ent, FUSE_IO_URING_CMD_COMMIT_AND_FETCH);
			} else if (res == -EAGAIN || res == -EINTR) {
				err = queue_cmd(q, ent, ent->commit_id ?
						FUSE_IO_URING_CMD_COMMIT_AND_FETCH :
						FUSE_IO_URING_CMD_REGISTER);
			} else if (res == -ENOTCONN || res == -ECONNABORTED ||
				   res == -ECANCELED || res == -ENODEV) {
				err = 1;	/* unmounted: the other entries end with it */
			} else {
				fprintf(stderr, "%s: ring queue %u: %s failed: %s "
					"(dmesg may say more)\n", cfg->prog, q->qid,
					ent->commit_id ? "COMMIT_AND_FETCH" : "REGISTER",
					strerror(-res));
				err = res;
			}
			if (err) {
				io_uring_cq_advance(&q->ring, seen);
				return err < 0 ? err : 0;
			}
		}
		io_uring_cq_advance(&q->ring, seen);
	}
}

static void pin_to(unsigned cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* Unpinned, the queue still works; its requests just travel. */
	sched_setaffinity(0, sizeof(set), &set);
}

static void *queue_main(void *arg)
{
	struct ring_queue *q = arg;
	struct fuse_ring *r = q->r;
	int err;

	pin_to(q->qid);
	if (r->cfg.thread_init)
		r->cfg.thread_init(q->qid, r->cfg.arg);
	err = queue_setup(q);
	pthread_mutex_lock(&r->lock);
	r->started++;
	r->failed += err != 0;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	q->ret = err ? err : queue_loop(q);
	return NULL;
}

int fuse_ring_start(const struct fuse_ring_config *cfg, struct fuse_ring **rp)
{
	struct fuse_ring *r = calloc(1, sizeof(*r));
	sigset_t all, old;
	unsigned i;

	*rp = NULL;
	if (!r || !cfg->depth || !cfg->answer) {
		free(r);
		return -EINVAL;
	}
	r->cfg = *cfg;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->nr_queues = (unsigned)get_nprocs_conf();	/* num_possible_cpus() */
	r->q = calloc(r->nr_queues, sizeof(*r->q));
	if (!r->q) {
		free(r);
		return -ENOMEM;
	}
	/* Signals belong to the caller's main thread, never to a queue. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < r->nr_queues; i++) {
		r->q[i] = (struct ring_queue){ .r = r, .qid = i };
		if (pthread_create(&r->q[i].tid, NULL, queue_main, &r->q[i])) {
			fprintf(stderr, "%s: cannot start ring queue thread %u\n", cfg->prog, i);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&r->lock);
	r->failed += r->nr_queues - i;
	r->nr_queues = i;
	while (r->started < r->nr_queues)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	*rp = r;
	return r->failed ? -EIO : 0;
}

int fuse_ring_wait(struct fuse_ring *r)
{
	int ret = 0;

	if (!r)
		return 0;
	for (unsigned i = 0; i < r->nr_queues; i++) {
		struct ring_queue *q = &r->q[i];

		pthread_join(q->tid, NULL);
		if (!ret && q->ret < 0)
			ret = q->ret;
		if (q->ent) {
			for (unsigned e = 0; e < r->cfg.depth; e++) {
				free(q->ent[e].hdr);
				free(q->ent[e].payload);
			}
			free(q->ent);
		}
		if (q->ring_ok)
			io_uring_queue_exit(&q->ring);
	}
	free(r->q);
	free(r);
	return ret;
}

int fuse_conn_of(const char *mnt, unsigned *id)
{
	char line[4096], where[4096];
	unsigned major, minor;
	int found = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*u %*u %u:%u %*s %4095s", &major, &minor, where) == 3 &&
			!strcmp(where, mnt);
	fclose(f);
	if (!found)
		return -ENOENT;
	*id = minor;
	return 0;
}

int fuse_conn_abort(unsigned id)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/sys/fs/fuse/connections/%u/abort", id);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;	/* ENOENT: the connection is gone already */
	if (write(fd, "1", 1) != 1) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}
