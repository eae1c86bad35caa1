// SPDX-License-Identifier: MIT
/*
 * Process-event traces (fs/event_trace.h, docs/record.md): the strict
 * parser replay runs with no lock held, and the writer the recorder uses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_trace.h"
#include "pidstore.h"		/* PID_MAX_LIMIT */
#include "snapshot.h"		/* crc32_update */

static const char *const kind_names[EV_NR_KINDS] = {
#define EV_NAME_(kind, name) [EV_##kind] = #name,
	EVENT_KINDS(EV_NAME_)
#undef EV_NAME_
};

const char *event_kind_name(enum event_kind kind)
{
	return (unsigned int)kind < EV_NR_KINDS ? kind_names[kind] : "?";
}

/* ---- the parser ---- */

struct parser {
	struct event_trace *t;
	size_t cap, arena_cap;
	unsigned long lineno;
	char *why;
	const char *rec;			/* the record's name, for messages */
	char *w[EVENT_TRACE_LINE_MAX / 2 + 2];	/* the line's words */
	int nw;
	char line[EVENT_TRACE_LINE_MAX + 1];
};

static int fail(struct parser *p, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->why, EVENT_TRACE_WHY_LEN, "line %lu: ", p->lineno);

	va_start(ap, fmt);
	vsnprintf(p->why + n, EVENT_TRACE_WHY_LEN - n, fmt, ap);
	va_end(ap);
	return -err;
}

/* A strict decimal: digits only, no sign, no leading junk, <= @max. */
static int number(struct parser *p, int i, const char *what,
		  unsigned long long max, unsigned long long *v)
{
	const char *s = i < p->nw ? p->w[i] : NULL;
	unsigned long long n = 0;

	if (!s)
		return fail(p, EINVAL, "%s: %s missing", p->rec, what);
	if (!*s || (s[0] == '0' && s[1]))
		return fail(p, EINVAL, "%s: %s is not a number", p->rec, what);
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return fail(p, EINVAL, "%s: %s is not a number",
				    p->rec, what);
		if (n > (max - (*s - '0')) / 10)
			return fail(p, EINVAL, "%s: %s over %llu", p->rec,
				    what, max);
		n = n * 10 + (*s - '0');
	}
	*v = n;
	return 0;
}

static int pid_field(struct parser *p, int i, const char *what, int *pid)
{
	unsigned long long v = 0;
	int err = number(p, i, what, PID_MAX_LIMIT - 1, &v);

	if (!err && v == 0)
		return fail(p, EINVAL, "%s: %s is 0", p->rec, what);
	if (!err) {
		*pid = (int)v;
		if (*pid > p->t->max_pid)
			p->t->max_pid = *pid;
	}
	return err;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Append field @s unescaped, NUL-terminated, to the arena. */
static int put_string(struct parser *p, const char *s)
{
	struct event_trace *t = p->t;
	size_t need = t->arena_len + strlen(s) + 1;

	if (need > p->arena_cap) {
		size_t cap = p->arena_cap ? p->arena_cap * 2 : 4096;
		char *a;

		while (cap < need)
			cap *= 2;
		a = realloc(t->arena, cap);
		if (!a)
			return fail(p, ENOMEM, "out of memory");
		t->arena = a;
		p->arena_cap = cap;
	}
	if (!strcmp(s, "%"))
		s = "";		/* the empty string */
	for (; *s; s++) {
		int c = (unsigned char)*s;

		if (c == '?')
			return fail(p, EINVAL, "%s: a bare '?' inside a string",
				    p->rec);
		if (c == '%') {
			int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);

			if (lo < 0)
				return fail(p, EINVAL, "%s: bad %%-escape", p->rec);
			c = hi << 4 | lo;
			if (!c)
				return fail(p, EINVAL, "%s: %%00 in a string", p->rec);
			s += 2;
		}
		t->arena[t->arena_len++] = (char)c;
	}
	t->arena[t->arena_len++] = '\0';
	return 0;
}

static int parse_strings(struct parser *p, struct trace_event *e, bool args)
{
	int err;

	if (p->nw < 5)
		return fail(p, EINVAL, "%s: COMM missing", p->rec);
	if (!args && p->nw != 5)
		return fail(p, EINVAL, "%s: junk after COMM", p->rec);
	e->str = (uint32_t)p->t->arena_len;
	if (p->t->arena_len > UINT32_MAX - EVENT_TRACE_LINE_MAX)
		return fail(p, EFBIG, "too many strings");
	err = put_string(p, strcmp(p->w[4], "?") ? p->w[4] : "");
	if (err || !args)
		return err;
	if (p->nw == 6 && !strcmp(p->w[5], "?")) {
		e->nargs = -1;
		return 0;
	}
	e->nargs = p->nw - 5;
	for (int i = 5; !err && i < p->nw; i++)
		err = put_string(p, p->w[i]);
	return err;
}

static int want_words(struct parser *p, int n)
{
	if (p->nw != n)
		return fail(p, EINVAL, "%s: %d fields, want %d", p->rec,
			    p->nw - 2, n - 2);
	return 0;
}

static int parse_event(struct parser *p, struct trace_event *e, uint64_t last_ts)
{
	unsigned long long v, a = 0, b = 0;
	int err, kind;

	for (kind = 0; kind < EV_NR_KINDS; kind++)
		if (!strcmp(p->w[1], kind_names[kind]))
			break;
	if (kind == EV_NR_KINDS)
		return fail(p, EINVAL, "unknown event '%.32s'", p->w[1]);
	e->kind = kind;
	p->rec = kind_names[kind];
	err = number(p, 0, "TS", UINT64_MAX, &v);
	if (err)
		return err;
	if (v < last_ts)
		return fail(p, EINVAL, "%s: TS %llu before the last (%llu)",
			    p->rec, v, (unsigned long long)last_ts);
	e->ts = v;
	if (kind == EV_LOST)
		return want_words(p, 2);
	err = pid_field(p, 2, "PID", &e->pid);
	if (!err)
		err = pid_field(p, 3, "TGID", &e->tgid);
	if (err)
		return err;
	switch (kind) {
	case EV_FORK: {
		int cpid, ctgid;

		err = want_words(p, 6);
		if (!err)
			err = pid_field(p, 4, "CPID", &cpid);
		if (!err)
			err = pid_field(p, 5, "CTGID", &ctgid);
		if (err)
			return err;
		/* A thread's "parent" is its group's (task->real_parent). */
		if (cpid == e->pid || ctgid == e->tgid)
			return fail(p, EINVAL, "fork: child %d is in its parent's "
				    "group", cpid);
		e->a = cpid;
		e->b = ctgid;
		return 0;
	}
	case EV_EXEC:
	case EV_COMM:
		return parse_strings(p, e, kind == EV_EXEC);
	case EV_UID:
	case EV_GID:
		err = want_words(p, 6);
		if (!err)
			err = number(p, 4, "REAL", UINT32_MAX, &a);
		if (!err)
			err = number(p, 5, "EFFECTIVE", UINT32_MAX, &b);
		break;
	case EV_EXIT:
		err = want_words(p, 6);
		if (!err)
			err = number(p, 4, "STATUS", 0xffff, &a);
		if (!err)
			err = number(p, 5, "SIGNAL", 64, &b);
		break;
	default:
		break;
	}
	e->a = a;
	e->b = b;
	return err;
}

/* Split p->line into words at single spaces; 0 or -EINVAL. */
static int split(struct parser *p)
{
	char *s = p->line;

	p->nw = 0;
	for (;;) {
		p->w[p->nw++] = s;
		s = strchr(s, ' ');
		if (!s)
			break;
		*s++ = '\0';
	}
	for (int i = 0; i < p->nw; i++)
		if (!*p->w[i])
			return fail(p, EINVAL, "empty field %d (two spaces, or "
				    "one at an end)", i + 1);
	return 0;
}

static int header(struct parser *p, const char *name, int words)
{
	if (strcmp(p->w[0], name))
		return fail(p, EINVAL, "'%s' expected", name);
	if (p->nw != words)
		return fail(p, EINVAL, "%s: %d fields, want %d", name,
			    p->nw - 1, words - 1);
	return 0;
}

static int parse_header(struct parser *p)
{
	struct event_trace *t = p->t;
	unsigned long long v;
	int err = 0;

	switch (p->lineno) {
	case 1:
		if (strcmp(p->w[0], EVENT_TRACE_FORMAT) || p->nw != 2)
			return fail(p, EINVAL, "not a procsim-events trace");
		if (strcmp(p->w[1], "1"))
			return fail(p, EINVAL, "format version %.16s; this "
				    "procsim reads %d", p->w[1],
				    EVENT_TRACE_VERSION);
		return 0;
	case 2:
		err = header(p, "start", 2);
		if (!err) {
			p->rec = "start";
			err = number(p, 1, "UNIX_NS", UINT64_MAX, &v);
			t->start_ns = v;
		}
		return err;
	default:
		err = header(p, "snapshot", 2);
		if (err)
			return err;
		if (!strcmp(p->w[1], "none"))
			return 0;
		if (strlen(p->w[1]) >= sizeof(t->snapshot) ||
		    strchr(p->w[1], '/') || p->w[1][0] == '.')
			return fail(p, EINVAL, "snapshot: not a file name beside "
				    "the trace");
		strcpy(t->snapshot, p->w[1]);
		return 0;
	}
}

/* "end EVENTS OVERRUNS CRC", the last line. */
static int parse_end(struct parser *p, const char *data, size_t at,
		     unsigned long events)
{
	struct event_trace *t = p->t;
	unsigned long long n, lost;
	uint32_t crc = crc32_update(0, data, at);
	char want[9], *end;
	int err;

	err = header(p, "end", 4);
	p->rec = "end";
	if (!err)
		err = number(p, 1, "EVENTS", UINT64_MAX, &n);
	if (!err)
		err = number(p, 2, "OVERRUNS", UINT64_MAX, &lost);
	if (err)
		return err;
	snprintf(want, sizeof(want), "%08x", crc);
#ifdef PROCSIM_MUTATE_no_trace_crc
	crc = strtoul(p->w[3], &end, 16);
#endif
	if (strlen(p->w[3]) != 8 || strtoul(p->w[3], &end, 16) != crc || *end)
		return fail(p, EBADMSG, "end: CRC %.8s, the data's is %s: corrupt",
			    p->w[3], want);
	if (n != events || lost != t->overruns)
		return fail(p, EBADMSG, "end: %llu events and %llu overruns, "
			    "the file has %lu and %lu: corrupt", n, lost,
			    events, t->overruns);
	return 0;
}

/* Where the most tasks the trace made live at once: its busiest moment. */
static void find_busiest(struct event_trace *t)
{
	long live = 0, best = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct trace_event *e = &t->ev[i];

		if (e->kind == EV_FORK)
			live++;
		else if (e->kind == EV_EXIT)
			live--;
		if (live > best) {
			best = live;
			t->busiest_ts = e->ts;
			t->busiest_at = i + 1;
		}
	}
}

static int parse_all(struct parser *p, const char *data, size_t len)
{
	struct event_trace *t = p->t;
	unsigned long events = 0;
	uint64_t last_ts = 0;
	size_t at = 0;
	int err;

	for (;;) {
		const char *nl;
		size_t n;

		if (at == len)
			return fail(p, EINVAL, "no end line: truncated");
		p->lineno++;
		nl = memchr(data + at, '\n', len - at);
		n = nl ? (size_t)(nl - data - at) : len - at;
		if (n > EVENT_TRACE_LINE_MAX)
			return fail(p, EINVAL, "over %d bytes",
				    EVENT_TRACE_LINE_MAX);
		for (size_t i = 0; i < n; i++)
			if (data[at + i] < ' ' || data[at + i] > '~')
				return fail(p, EINVAL, "byte 0x%02x in a line",
					    (unsigned char)data[at + i]);
		if (!nl)
			return fail(p, EINVAL, "no newline at the end: truncated");
		memcpy(p->line, data + at, n);
		p->line[n] = '\0';
		if (p->lineno > 3 && p->line[0] == '#') {
			at += n + 1;
			continue;
		}
		err = split(p);
		if (err)
			return err;
		if (p->lineno <= 3) {
			err = parse_header(p);
		} else if (!strcmp(p->w[0], "end")) {
			err = parse_end(p, data, at, events);
			if (!err && at + n + 1 != len)
				err = fail(p, EINVAL, "data after the end line");
			return err;
		} else {
			struct trace_event *e;

			if (p->nw < 2)
				return fail(p, EINVAL, "one field: not an event");
			if (t->n == p->cap) {
				size_t cap = p->cap ? p->cap * 2 : 1024;

				e = realloc(t->ev, cap * sizeof(*e));
				if (!e)
					return fail(p, ENOMEM, "out of memory");
				t->ev = e;
				p->cap = cap;
			}
			e = &t->ev[t->n];
			memset(e, 0, sizeof(*e));
			err = parse_event(p, e, last_ts);
			if (!err) {
				t->n++;
				last_ts = e->ts;
				if (e->kind == EV_LOST)
					t->overruns++;
				else
					events++;
			}
		}
		if (err)
			return err;
		at += n + 1;
	}
}

int event_trace_parse(const char *data, size_t len, struct event_trace *t,
		      char why[EVENT_TRACE_WHY_LEN])
{
	struct parser *p = calloc(1, sizeof(*p));
	int err;

	memset(t, 0, sizeof(*t));
	why[0] = '\0';
	if (!p) {
		snprintf(why, EVENT_TRACE_WHY_LEN, "out of memory");
		return -ENOMEM;
	}
	p->t = t;
	p->why = why;
	err = parse_all(p, data, len);
	free(p);
	if (err) {
		event_trace_free(t);
		return err;
	}
	find_busiest(t);
	return 0;
}

void event_trace_free(struct event_trace *t)
{
	free(t->ev);
	free(t->arena);
	memset(t, 0, sizeof(*t));
}

/* ---- the writer ---- */

static void writer_put(struct event_writer *w, const char *s, size_t n)
{
	w->crc = crc32_update(w->crc, s, n);
	if (!w->err && fwrite(s, 1, n, w->f) != n)
		w->err = errno ? errno : EIO;
}

void event_writer_printf(struct event_writer *w, const char *fmt, ...)
{
	char small[512], *s = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		s = malloc(n + 1);
		if (!s) {
			w->err = ENOMEM;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(s, n + 1, fmt, ap);
		va_end(ap);
	}
	writer_put(w, s, n);
	if (s != small)
		free(s);
}

void event_writer_raw(struct event_writer *w, const char *s, size_t n)
{
	writer_put(w, s, n);
}

void event_writer_init(struct event_writer *w, FILE *f, uint64_t start_ns,
		       const char *snapshot)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	event_writer_printf(w, "%s %d\nstart %llu\nsnapshot %s\n",
			    EVENT_TRACE_FORMAT, EVENT_TRACE_VERSION,
			    (unsigned long long)start_ns,
			    snapshot && *snapshot ? snapshot : "none");
}

void event_writer_string(struct event_writer *w, const char *s, size_t n)
{
	char out[3 * 64 + 4];
	size_t o = 0;

	if (!s) {
		writer_put(w, " ?", 2);
		return;
	}
	out[o++] = ' ';
	if (!n)
		out[o++] = '%';		/* the empty string */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (o > sizeof(out) - 4) {
			writer_put(w, out, o);
			o = 0;
		}
		if (c <= ' ' || c > '~' || c == '%' || c == '?')
			o += snprintf(out + o, 4, "%%%02X", c);
		else
			out[o++] = c;
	}
	writer_put(w, out, o);
}

void event_writer_end_event(struct event_writer *w)
{
	writer_put(w, "\n", 1);
	w->events++;
}

int event_writer_finish(struct event_writer *w)
{
	char end[96];
	int n = snprintf(end, sizeof(end), "end %lu %lu %08x\n", w->events,
			 w->overruns, w->crc);

	/* The end line's own bytes are outside the CRC: write it plain. */
	if (!w->err && fwrite(end, 1, n, w->f) != (size_t)n)
		w->err = errno ? errno : EIO;
	if (!w->err && fflush(w->f))
		w->err = errno ? errno : EIO;
	return -w->err;
}
