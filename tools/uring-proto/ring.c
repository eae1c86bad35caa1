// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - the FUSE-over-io_uring transport of the prototype: the ring
 * itself is the daemon's (fs/fuse_ring.c); this file answers each request
 * from the synthetic tree.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fuse_ring.h"
#include "proto.h"

static struct fuse_ring *ring;

static void ring_thread_init(unsigned qid, void *arg)
{
	(void)qid, (void)arg;
	tree_thread_is_ring();
}

/* Answer the request that entry @ent brought, in place. */
static void ring_answer(struct fuse_ring_ent *ent, unsigned qid, void *arg)
{
	struct fuse_in_header ih = fuse_ring_in(ent);	/* in_out is overwritten */
	char name[256];
	const void *payload = ent->payload;
	int len;

	(void)qid, (void)arg;
	if (ih.opcode == FUSE_LOOKUP) {
		/* The name is in the payload; the reply overwrites it. */
		size_t n = fuse_ring_payload_len(ent);

		n = n < sizeof(name) ? n : sizeof(name) - 1;
		memcpy(name, ent->payload, n);
		name[n] = 0;
		payload = name;
	}
	len = tree_answer(&ih, ent->hdr->op_in, payload, ent->payload, PROTO_MAX_WRITE);
	if (len == PROTO_NOREPLY)
		len = -ENOSYS;	/* a ring request always wants its answer */
	fuse_ring_reply(ent, len < 0 ? len : 0, len > 0 ? (size_t)len : 0);
}

int uring_start(const struct serve_config *sc)
{
	struct fuse_ring_config cfg = {
		.fd = sc->fd, .depth = sc->depth, .payload_sz = PROTO_MAX_WRITE,
		.defer_taskrun = sc->defer_taskrun, .prog = "uring-proto",
		.answer = ring_answer, .thread_init = ring_thread_init,
	};

	return fuse_ring_start(&cfg, &ring);
}

int uring_wait(void)
{
	return fuse_ring_wait(ring);
}
