/* SPDX-License-Identifier: MIT */
/*
 * fuse_uring_uapi.h - the FUSE-over-io_uring part of the FUSE protocol.
 *
 * Debian 12's linux-libc-dev (6.1, FUSE 7.38) predates it, so the
 * definitions are restated here from the kernel's include/uapi/linux/fuse.h,
 * protocol 7.42 (Linux 6.14): "add FUSE_OVER_IO_URING and all other io-uring
 * related flags and data structures".  The semantics that the header does
 * not state come from fs/fuse/dev_uring.c; docs/transport.md sums them up.
 * Everything else (fuse_in_header, fuse_init_in, ...) comes from the
 * system's <linux/fuse.h>, whose layouts have not changed since.
 */
#ifndef PROCSIM_FUSE_URING_UAPI_H
#define PROCSIM_FUSE_URING_UAPI_H

#include <stdint.h>
#include <linux/fuse.h>

#ifndef FUSE_OVER_IO_URING
/* INIT flag (in flags2, so with FUSE_INIT_EXT): the server speaks io_uring. */
#define FUSE_OVER_IO_URING	(1ULL << 41)

/* Sizes of the two fixed areas at the start of a ring entry's header. */
#define FUSE_URING_IN_OUT_HEADER_SZ	128
#define FUSE_URING_OP_IN_OUT_SZ		128

/* Kernel <-> server bookkeeping of one ring entry (in its header). */
struct fuse_uring_ent_in_out {
	uint64_t flags;
	/* The id to name in the COMMIT_AND_FETCH that answers this request. */
	uint64_t commit_id;
	/* Bytes used in the payload buffer: the request's, then the reply's. */
	uint32_t payload_sz;
	uint32_t padding;
	uint64_t reserved;
};

/*
 * The header buffer (iov[0]) of a ring entry.  in_out holds the
 * fuse_in_header of a request and the fuse_out_header of its reply; op_in
 * the opcode's fixed argument (fuse_read_in, ...), if it has one.  All
 * other arguments (the name of a LOOKUP, the reply's body) travel in the
 * payload buffer (iov[1]).
 */
struct fuse_uring_req_header {
	char in_out[FUSE_URING_IN_OUT_HEADER_SZ];
	char op_in[FUSE_URING_OP_IN_OUT_SZ];
	struct fuse_uring_ent_in_out ring_ent_in_out;
};

/* IORING_OP_URING_CMD command codes (sqe->cmd_op) on a /dev/fuse fd. */
enum fuse_uring_cmd {
	FUSE_IO_URING_CMD_INVALID = 0,
	/* Hand an entry's buffers (sqe->addr: iovec[2], sqe->len: 2) to the
	 * queue and wait for a request. */
	FUSE_IO_URING_CMD_REGISTER = 1,
	/* Commit the reply in the entry named by commit_id, wait for the
	 * next request. */
	FUSE_IO_URING_CMD_COMMIT_AND_FETCH = 2,
};

/* The command area of a 128-byte SQE (sqe->cmd). */
struct fuse_uring_cmd_req {
	uint64_t flags;
	uint64_t commit_id;
	uint16_t qid;		/* the queue: one per possible CPU */
	uint8_t padding[6];
};
#endif /* FUSE_OVER_IO_URING */

_Static_assert(sizeof(struct fuse_uring_req_header) == 288, "fuse.h 7.42 layout");
_Static_assert(sizeof(struct fuse_uring_cmd_req) == 24, "fuse.h 7.42 layout");

#endif
