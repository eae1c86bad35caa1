/* SPDX-License-Identifier: MIT */
/*
 * Process-event traces: what tools/procsim-record writes from the host's
 * proc connector and what the ctl command replay reads (docs/record.md).
 *
 * Text, one record a line, fields separated by one space:
 *
 *	procsim-events 1			format name and version
 *	start UNIX_NS				wall clock at the start
 *	snapshot NAME|none			the start world, beside the trace
 *	# ...					comments, anywhere before "end"
 *	TS fork PPID PTGID CPID CTGID		CPID != CTGID: a thread of
 *						CTGID (PPID its group's parent)
 *	TS exec PID TGID COMM [ARG...]|?	COMM "?" and a lone "?": unknown
 *	TS uid PID TGID RUID EUID
 *	TS gid PID TGID RGID EGID
 *	TS comm PID TGID COMM
 *	TS exit PID TGID STATUS SIGNAL		STATUS a wait status
 *	TS lost					the socket overran (ENOBUFS)
 *	end EVENTS OVERRUNS CRC			CRC32 of every byte before "end"
 *
 * TS is nanoseconds since the start.  Strings are percent-escaped: every
 * byte outside '!'..'~', and '%' and '?', as %XX; so "?" alone means unknown
 * and a lone "%" is the empty string.
 * A file without its end line is truncated; with a wrong count or CRC,
 * corrupt: both are refused.
 */
#ifndef PROCSIM_EVENT_TRACE_H
#define PROCSIM_EVENT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EVENT_TRACE_FORMAT	"procsim-events"
#define EVENT_TRACE_VERSION	1
#define EVENT_TRACE_LINE_MAX	65536		/* bytes, without the '\n' */
#define EVENT_TRACE_FILE_MAX	(256u << 20)	/* what replay reads at most */
#define EVENT_TRACE_WHY_LEN	160

/*   KIND   name    fields after PID TGID */
#define EVENT_KINDS(X)		\
	X(FORK, fork)		\
	X(EXEC, exec)		\
	X(UID,  uid)		\
	X(GID,  gid)		\
	X(COMM, comm)		\
	X(EXIT, exit)		\
	X(LOST, lost)

enum event_kind {
#define EV_ENUM_(kind, name) EV_##kind,
	EVENT_KINDS(EV_ENUM_)
#undef EV_ENUM_
	EV_NR_KINDS
};

const char *event_kind_name(enum event_kind kind);

/*
 * One event.  fork: @pid, @tgid the parent, @a, @b the child's pid and
 * tgid.  uid, gid: @a real, @b effective.  exit: @a the wait status, @b
 * the exit signal.  exec, comm: @str the offset of the strings in the
 * trace's arena: comm, then the args, each NUL-terminated, @nargs of them;
 * @nargs -1: the cmdline is unknown.  An unknown comm is the empty string.
 */
struct trace_event {
	uint64_t ts;
	enum event_kind kind;
	int pid, tgid;
	long long a, b;
	uint32_t str;
	int nargs;
};

struct event_trace {
	struct trace_event *ev;
	size_t n;			/* events, lost records too */
	char *arena;			/* the strings */
	size_t arena_len;
	uint64_t start_ns;		/* "start" */
	char snapshot[256];		/* "snapshot": a name, or "" for none */
	unsigned long overruns;		/* "lost" records */
	int max_pid;			/* the largest pid or tgid named */
	uint64_t busiest_ts;		/* the first moment the most tasks live */
	size_t busiest_at;		/* events applied by then */
};

/*
 * Parse and check a whole trace, @len bytes (any bytes).  0, or -EINVAL
 * (bad syntax, a truncated file), -EBADMSG (count or CRC wrong) or
 * -ENOMEM, with a one-line reason in @why ("line 7: fork: CPID is not a
 * number").  On success free @t with event_trace_free().  No kernel, no
 * I/O: it can be fuzzed alone.
 */
int event_trace_parse(const char *data, size_t len, struct event_trace *t,
		      char why[EVENT_TRACE_WHY_LEN]);
void event_trace_free(struct event_trace *t);

/* The strings of @e: its comm (NUL-terminated), then its args. */
static inline const char *event_comm(const struct event_trace *t,
				     const struct trace_event *e)
{
	return t->arena + e->str;
}

/* ---- writing (tools/procsim-record) ---- */

/*
 * A writer: every byte goes through it, so the end line gets the CRC.
 * A "lost" record is written with event_writer_printf and counted in
 * ->overruns by the caller.
 */
struct event_writer {
	FILE *f;
	uint32_t crc;			/* running, pre-inverted */
	unsigned long events, overruns;
	int err;			/* the first write error (errno) */
};

void event_writer_init(struct event_writer *w, FILE *f, uint64_t start_ns,
		       const char *snapshot);
void event_writer_printf(struct event_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* @s (@n bytes) escaped as one field, or "?" if @s is NULL. */
void event_writer_string(struct event_writer *w, const char *s, size_t n);
/* Bytes as they are: lines another writer made (set ->events too). */
void event_writer_raw(struct event_writer *w, const char *s, size_t n);
/* An event line's end: counts it. */
void event_writer_end_event(struct event_writer *w);
/* The end line; then 0 or the first write error (-errno). */
int event_writer_finish(struct event_writer *w);

#endif
