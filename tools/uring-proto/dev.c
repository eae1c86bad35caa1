// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - the classic transport: read() a request from /dev/fuse, writev()
 * its reply, in one or more threads sharing the fd (libfuse's default
 * multi-threaded loop, without clone_fd).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <unistd.h>
#include "proto.h"

#define DEV_BUFSIZE	(PROTO_MAX_WRITE + 4096)	/* libfuse's bufsize rule */

static unsigned long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000ull + t.tv_nsec / 1000;
}

/*
 * read() a request; with @spin_us (the fd O_NONBLOCK), try again for that
 * long before sleeping in poll(): "spin briefly before sleeping".
 */
static ssize_t dev_read(int fd, void *buf, size_t cap, unsigned spin_us)
{
	unsigned long long until = spin_us ? now_us() + spin_us : 0;

	for (;;) {
		ssize_t n = read(fd, buf, cap);
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (n >= 0 || errno != EAGAIN || !spin_us)
			return n;
		if (now_us() < until)
			continue;
		poll(&p, 1, -1);
		until = now_us() + spin_us;
	}
}

/* Serve /dev/fuse @fd until unmounted; 0, or -errno of a failed read. */
static int dev_loop(int fd, unsigned spin_us)
{
	char *in = malloc(DEV_BUFSIZE), *out = malloc(PROTO_MAX_WRITE);
	int ret = 0;

	if (!in || !out) {
		ret = -ENOMEM;
		goto done;
	}
	for (;;) {
		ssize_t n = dev_read(fd, in, DEV_BUFSIZE, spin_us);
		const struct fuse_in_header *ih = (const void *)in;
		struct fuse_out_header oh;
		struct iovec iov[2];
		int len;

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ENOENT)
				continue;	/* ENOENT: the request was interrupted */
			if (errno != ENODEV) {	/* ENODEV: unmounted */
				ret = -errno;
				fprintf(stderr, "uring-proto: read /dev/fuse: %s\n", strerror(errno));
			}
			break;
		}
		if ((size_t)n < sizeof(*ih) || ih->len != (uint32_t)n) {
			fprintf(stderr, "uring-proto: short request (%zd bytes)\n", n);
			ret = -EIO;
			break;
		}
		len = tree_answer(ih, ih + 1, ih + 1, out, PROTO_MAX_WRITE);
		if (len == PROTO_NOREPLY)
			continue;
		oh.unique = ih->unique;
		oh.error = len < 0 ? len : 0;
		oh.len = sizeof(oh) + (len > 0 ? (uint32_t)len : 0);
		iov[0] = (struct iovec){ &oh, sizeof(oh) };
		iov[1] = (struct iovec){ out, len > 0 ? (size_t)len : 0 };
		if (writev(fd, iov, len > 0 ? 2 : 1) < 0 && errno != ENOENT) {
			if (errno == ENODEV)
				break;
			fprintf(stderr, "uring-proto: write /dev/fuse: %s\n", strerror(errno));
		}
	}
done:
	free(in);
	free(out);
	return ret;
}

struct worker {
	pthread_t tid;
	unsigned index;
	const struct serve_config *sc;
	int ret;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->sc->cpu >= 0)
		pin_to_cpu(w->sc->cpu);
	else if (w->sc->cpu == CPU_EACH)
		pin_to_cpu((int)(w->index % (unsigned)get_nprocs_conf()));
	w->ret = dev_loop(w->sc->fd, w->sc->spin_us);
	return NULL;
}

int dev_serve(const struct serve_config *sc)
{
	unsigned n = sc->threads ? sc->threads : 1;
	struct worker *w = calloc(n, sizeof(*w));
	int ret = 0;

	if (!w)
		return -ENOMEM;
	if (sc->spin_us)
		fcntl(sc->fd, F_SETFL, fcntl(sc->fd, F_GETFL) | O_NONBLOCK);
	for (unsigned i = 1; i < n; i++) {
		w[i].sc = sc;
		w[i].index = i;
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i])) {
			fprintf(stderr, "uring-proto: cannot start worker %u\n", i);
			n = i;
			break;
		}
	}
	w[0].sc = sc;
	worker_main(&w[0]);		/* the calling thread is worker 0 */
	ret = w[0].ret;
	for (unsigned i = 1; i < n; i++) {
		pthread_join(w[i].tid, NULL);
		if (!ret)
			ret = w[i].ret;
	}
	free(w);
	return ret;
}
