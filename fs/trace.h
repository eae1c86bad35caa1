/* SPDX-License-Identifier: MIT */
/*
 * Tool traces: the /proc tree's requests, in order, as docs/replay.md
 * describes them ("procsim-trace 1"), recorded between ctl "trace start"
 * and "trace stop" and read back from /proc/procsim/trace, so the daemon
 * writes no file.  tools/replay.c reads the same format back.
 *
 * One line per request: "OP INO OFF SIZE [NAME]", INO in hex, NAME (a
 * LOOKUP's) with every byte outside '!'..'~' and '%' as %XX.
 */
#ifndef PROCSIM_TRACE_H
#define PROCSIM_TRACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "stats.h"

#define TRACE_VERSION	1
#define TRACE_MAX_BYTES	(256u << 20)	/* a trace stops growing here */
#define TRACE_NAME_MAX	255		/* NAME_MAX: no longer name reaches LOOKUP */

struct trace {
	pthread_mutex_t lock;
	atomic_bool on;
	bool overflow;			/* TRACE_MAX_BYTES reached: lines lost */
	bool cache;			/* the daemon's cache=on, for the header */
	struct buf b;			/* the lines so far */
};

void trace_init(struct trace *t, bool cache);
void trace_destroy(struct trace *t);
/* ctl: start afresh (a new header) or stop; 0 or -ENOMEM. */
int trace_start(struct trace *t);
void trace_stop(struct trace *t);

static inline bool trace_on(struct trace *t)
{
	return atomic_load_explicit(&t->on, memory_order_relaxed);
}

/* Record one request (@name NULL but for LOOKUP). */
void trace_note(struct trace *t, enum fuse_op op, uint64_t ino,
		const char *name, uint64_t off, uint64_t size);
/* The trace so far, for /proc/procsim/trace. */
void trace_render(struct buf *b, struct trace *t);

/* One parsed line; @name points into the caller's @nbuf. */
struct trace_rec {
	enum fuse_op op;
	uint64_t ino, off, size;
	const char *name;
};
/*
 * Parse one line (no '\n'), strictly as trace_note() writes it: 1 and
 * *@r, 0 for a line to skip (comment, header, empty), -EINVAL for a
 * malformed one (a sign, junk, two spaces, a name over TRACE_NAME_MAX).  @nbuf gets the unescaped
 * name (@nsize bytes at most, NUL-terminated).
 */
int trace_parse_line(const char *line, struct trace_rec *r, char *nbuf,
		     size_t nsize);
/* 0 if @line is a header this parser reads ("procsim-trace 1 ..."), else -EINVAL. */
int trace_check_header(const char *line, bool *cache);

#endif
