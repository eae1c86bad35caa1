// SPDX-License-Identifier: MIT
/*
 * transport=uring for the /proc tree (see fuse_transport.h).
 *
 * libfuse 3.14 neither asks for FUSE_OVER_IO_URING nor speaks the ring,
 * but it lets a session do its I/O through callbacks
 * (fuse_session_custom_io).  Through those this file
 *  - notes what the kernel's INIT offers, and adds FUSE_OVER_IO_URING to
 *    libfuse's INIT reply when it was offered;
 *  - once that reply is written, starts the ring (fs/fuse_ring.c);
 *  - hands each request a ring entry brings to libfuse's own dispatcher
 *    (fuse_session_process_buf), rebuilt as /dev/fuse would have carried
 *    it, so the very same handlers answer; the reply, which libfuse
 *    writes through the callback on the same thread, is captured into the
 *    entry instead of /dev/fuse;
 *  - passes everything else (FORGET, INTERRUPT, notifications) to and
 *    from /dev/fuse unchanged.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "fuse_transport.h"

#define ENABLE_PARAM	"/sys/module/fuse/parameters/enable_uring"

/* Read the parameter: 'Y', 'N', or 0 when the kernel has none. */
static char enable_param(void)
{
	char c = 0;
	FILE *f = fopen(ENABLE_PARAM, "re");

	if (!f)
		return 0;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c;
}

void fuse_transport_choose(struct fuse_session *se, struct fuse_cmdline_opts *cmd,
			   bool cache)
{
	const char *why = fuse_uring_unavailable(cache);

	if (!why && fuse_uring_attach(se, cmd->mountpoint))
		why = "cannot take over the session's I/O";
	if (why) {
		fprintf(stderr, "procsim: transport=uring unavailable, serving over "
			"/dev/fuse: %s\n", why);
		return;
	}
	cmd->clone_fd = 0;	/* one /dev/fuse fd: the one the INIT hook watches */
}

#ifdef PROCSIM_HAVE_URING
#include "fuse_ring.h"

/* Ring entries per CPU queue: requests a CPU's callers may have in flight. */
#define RING_DEPTH	4

static struct {
	struct fuse_session *se;
	unsigned conn;			/* its /sys/fs/fuse/connections id */
	int fd;
	bool offered;			/* INIT offered FUSE_OVER_IO_URING */
	uint64_t init_unique;		/* the INIT request, to spot its reply */
	size_t payload_sz;		/* each entry's payload buffer */
	struct fuse_ring *ring;
	atomic_ulong served;		/* requests the ring carried */
} U;

/* The entry the calling ring thread is answering, while libfuse runs. */
static __thread struct fuse_ring_ent *cur_ent;
static __thread bool cur_replied;

/*
 * The size of each opcode's fixed argument: the kernel puts it in the
 * entry's op_in and the rest in the payload.  Opcodes not listed get
 * ENOSYS, as libfuse answers them for us (fs/fuse_ops.c has no handler).
 */
static long op_in_size(uint32_t opcode)
{
	switch (opcode) {
	case FUSE_LOOKUP:
	case FUSE_READLINK:
	case FUSE_STATFS:
		return 0;
	case FUSE_GETATTR:
		return sizeof(struct fuse_getattr_in);
	case FUSE_OPEN:
	case FUSE_OPENDIR:
		return sizeof(struct fuse_open_in);
	case FUSE_READ:
	case FUSE_READDIR:
	case FUSE_READDIRPLUS:
		return sizeof(struct fuse_read_in);
	case FUSE_WRITE:
		return sizeof(struct fuse_write_in);
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
		return sizeof(struct fuse_release_in);
	case FUSE_FLUSH:
		return sizeof(struct fuse_flush_in);
	case FUSE_POLL:
		return sizeof(struct fuse_poll_in);
	case FUSE_ACCESS:
		return sizeof(struct fuse_access_in);
	case FUSE_GETXATTR:
	case FUSE_LISTXATTR:
		return sizeof(struct fuse_getxattr_in);
	case FUSE_SETATTR:
		return sizeof(struct fuse_setattr_in);
	default:
		return -1;
	}
}

/* A ring thread's request buffer, as /dev/fuse would have filled it. */
static __thread char *req_buf;

static void ring_answer(struct fuse_ring_ent *ent, unsigned qid, void *arg)
{
	struct fuse_in_header ih = fuse_ring_in(ent);
	long fixed = op_in_size(ih.opcode);
	size_t plen = fuse_ring_payload_len(ent), len;
	struct fuse_buf fbuf = { 0 };

	(void)qid, (void)arg;
	if (fixed < 0) {
		fuse_ring_reply(ent, -ENOSYS, 0);
		return;
	}
	len = sizeof(ih) + (size_t)fixed + plen;
	if (!req_buf)
		req_buf = malloc(sizeof(ih) + FUSE_URING_OP_IN_OUT_SZ + U.payload_sz);
	if (!req_buf || plen > U.payload_sz) {
		fuse_ring_reply(ent, req_buf ? -EIO : -ENOMEM, 0);
		return;
	}
	ih.len = (uint32_t)len;
	memcpy(req_buf, &ih, sizeof(ih));
	memcpy(req_buf + sizeof(ih), ent->hdr->op_in, (size_t)fixed);
	memcpy(req_buf + sizeof(ih) + fixed, ent->payload, plen);
	fbuf.mem = req_buf;
	fbuf.size = len;
	cur_ent = ent;
	cur_replied = false;
	fuse_session_process_buf(U.se, &fbuf);
	cur_ent = NULL;
	/* A handler that kept its request for later cannot answer a ring entry. */
	if (!cur_replied)
		fuse_ring_reply(ent, -EIO, 0);
	atomic_fetch_add_explicit(&U.served, 1, memory_order_relaxed);
}

/* Copy a reply libfuse wrote for the current ring entry into it. */
static ssize_t capture(const struct iovec *iov, int count)
{
	const struct fuse_out_header *oh = iov[0].iov_base;
	size_t len = 0;

	for (int i = 1; i < count; i++) {
		if (len + iov[i].iov_len > U.payload_sz) {
			fuse_ring_reply(cur_ent, -EIO, 0);
			cur_replied = true;
			errno = EINVAL;
			return -1;
		}
		memcpy((char *)cur_ent->payload + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	fuse_ring_reply(cur_ent, oh->error, len);
	cur_replied = true;
	return (ssize_t)(sizeof(*oh) + len);
}

static void ring_init_failed(const char *why)
{
	fprintf(stderr, "procsim: transport=uring: %s; aborting the connection\n", why);
	fuse_conn_abort(U.conn);
}

/* The INIT reply went out with FUSE_OVER_IO_URING: register the queues. */
static void ring_start(void)
{
	struct fuse_ring_config cfg = {
		.fd = U.fd, .depth = RING_DEPTH, .payload_sz = U.payload_sz,
		.prog = "procsim", .answer = ring_answer,
	};
	int err;

	/* Before the ring serves: whoever sees the mount can read this line. */
	fprintf(stderr, "procsim: transport=uring: /proc served over io_uring\n");
	err = fuse_ring_start(&cfg, &U.ring);
	if (err)
		ring_init_failed("the ring queues could not register");
}

static ssize_t uring_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct fuse_out_header *oh = iov[0].iov_base;
	bool init_reply = U.init_unique && oh->unique == U.init_unique && !oh->error;
	ssize_t n;

	(void)userdata;
	if (cur_ent && oh->unique && oh->unique == fuse_ring_in(cur_ent).unique)
		return capture(iov, count);
	if (init_reply && U.offered && count >= 2 &&
	    iov[1].iov_len >= sizeof(struct fuse_init_out)) {
		struct fuse_init_out *o = iov[1].iov_base;
		size_t pages = (size_t)o->max_pages * (size_t)getpagesize();

		o->flags |= FUSE_INIT_EXT;
		o->flags2 |= (uint32_t)(FUSE_OVER_IO_URING >> 32);
		/* The kernel's rule for the smallest payload buffer. */
		U.payload_sz = 8192;
		if (o->max_write > U.payload_sz)
			U.payload_sz = o->max_write;
		if (pages > U.payload_sz)
			U.payload_sz = pages;
	}
	n = writev(fd, iov, count);
	if (init_reply) {
		U.init_unique = 0;
		if (U.offered && n >= 0)
			ring_start();
	}
	return n;
}

static ssize_t uring_read(int fd, void *buf, size_t len, void *userdata)
{
	ssize_t n = read(fd, buf, len);
	const struct fuse_in_header *ih = buf;

	(void)userdata;
	if (n >= (ssize_t)(sizeof(*ih) + sizeof(struct fuse_init_in)) &&
	    ih->opcode == FUSE_INIT) {
		const struct fuse_init_in *ii = (const void *)(ih + 1);
		uint64_t flags = ii->flags;

		if (ii->major == 7 && ii->minor >= 36 && (ii->flags & FUSE_INIT_EXT))
			flags |= (uint64_t)ii->flags2 << 32;
		U.offered = !!(flags & FUSE_OVER_IO_URING);
		U.init_unique = ih->unique;
		if (!U.offered)
			fprintf(stderr, "procsim: transport=uring: the kernel (FUSE 7.%u) did "
				"not offer FUSE_OVER_IO_URING; serving over /dev/fuse\n",
				ii->minor);
	}
	return n;
}

const char *fuse_uring_unavailable(bool cache)
{
	char c = enable_param();

	if (!cache)
		return "it needs cache=on";
	if (!c)
		return "this kernel has no FUSE over io_uring (Linux 6.14+, CONFIG_FUSE_IO_URING)";
	if (c != 'Y')
		return "the fuse module's enable_uring is N; enable it with: "
		       FUSE_URING_ENABLE_CMD;
	return NULL;
}

int fuse_uring_attach(struct fuse_session *se, const char *mnt)
{
	static const struct fuse_custom_io io = {
		.writev = uring_writev, .read = uring_read,
	};

	int err;

	U.se = se;
	U.fd = fuse_session_fd(se);
	/* Found now: after the unmount, mountinfo no longer names it. */
	err = fuse_conn_of(mnt, &U.conn);
	if (err)
		return err;
	if (fuse_session_custom_io(se, &io, U.fd))
		return -EINVAL;
	return 0;
}

void fuse_uring_detach(void)
{
	int err;

	if (!U.ring)
		return;
	/*
	 * The rings hold /dev/fuse open, so closing our fd would not end the
	 * connection, nor the queue threads waiting on it; nor does a lazy
	 * unmount while files are open: end it here (a no-op when the
	 * unmount ended it).  Not before the unmount: libfuse skips the
	 * unmount of an aborted connection.
	 */
	fuse_conn_abort(U.conn);
	err = fuse_ring_wait(U.ring);
	U.ring = NULL;
	fprintf(stderr, "procsim: transport=uring: the ring served %lu requests%s%s\n",
		atomic_load(&U.served), err ? "; it ended with " : "",
		err ? strerror(-err) : "");
}

#else /* !PROCSIM_HAVE_URING */

const char *fuse_uring_unavailable(bool cache)
{
	(void)cache;
	(void)enable_param;
	return "this procsim was built without liburing (tools/deps installs liburing-dev)";
}

int fuse_uring_attach(struct fuse_session *se, const char *mnt)
{
	(void)se, (void)mnt;
	return -ENOSYS;
}

void fuse_uring_detach(void)
{
}

#endif
