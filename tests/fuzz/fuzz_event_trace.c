// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the process-event trace parser (fs/event_trace.h) on
 * any bytes, and what it accepts replayed on a small live kernel.
 *
 * A random input almost never carries a right end line (count and CRC),
 * so each input is parsed twice: as it is, and with the end line its
 * bytes would need appended, which lets the fuzzer reach every event's
 * syntax.  An accepted trace must come back the same through the writer,
 * and its replay must leave a world that holds its invariants and a real
 * kernel could show (realism_check.h).  The kernel persists across inputs
 * and is booted afresh every RESET_EVERY.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "event_replay.h"
#include "event_trace.h"
#include "fuzz_check.h"
#include "snapshot.h"
#include "../realism_check.h"

#define RESET_EVERY	200

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kernel k;
static bool booted;
static unsigned long inputs;

static unsigned long long fixed_clock(void *arg)
{
	(void)arg;
	return 12345;
}

/* The invariants of a parsed trace. */
static void check_trace(const struct event_trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_event *e = &t->ev[i];

		CHECK((unsigned int)e->kind < EV_NR_KINDS);
		CHECK(!i || e->ts >= t->ev[i - 1].ts);
		if (e->kind == EV_LOST)
			continue;
		CHECK(e->pid > 0 && e->pid <= t->max_pid);
		CHECK(e->tgid > 0 && e->tgid <= t->max_pid);
		if (e->kind == EV_EXEC || e->kind == EV_COMM) {
			const char *s = event_comm(t, e);

			CHECK(e->str < t->arena_len);
			CHECK(e->nargs >= -1);
			for (int a = 0; a < e->nargs; a++) {
				s += strlen(s) + 1;
				CHECK(s < t->arena + t->arena_len);
			}
		}
	}
	CHECK(t->busiest_at <= t->n);
}

/* Write @t back with the writer; it must parse to the same events. */
static void check_roundtrip(const struct event_trace *t)
{
	struct event_writer w;
	struct event_trace t2;
	char why[EVENT_TRACE_WHY_LEN], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK(f);
	event_writer_init(&w, f, t->start_ns, t->snapshot);
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_event *e = &t->ev[i];
		const char *s;

		event_writer_printf(&w, "%llu %s", (unsigned long long)e->ts,
				    event_kind_name(e->kind));
		if (e->kind == EV_LOST) {
			event_writer_printf(&w, "\n");
			w.overruns++;
			continue;
		}
		event_writer_printf(&w, " %d %d", e->pid, e->tgid);
		if (e->kind == EV_EXEC || e->kind == EV_COMM) {
			s = event_comm(t, e);
			event_writer_string(&w, *s ? s : NULL, strlen(s));
			for (int a = 0; a < e->nargs; a++) {
				s += strlen(s) + 1;
				event_writer_string(&w, s, strlen(s));
			}
			if (e->kind == EV_EXEC && e->nargs < 0)
				event_writer_string(&w, NULL, 0);
		} else {
			event_writer_printf(&w, " %lld %lld", e->a, e->b);
		}
		event_writer_end_event(&w);
	}
	CHECK(event_writer_finish(&w) == 0);
	fclose(f);
	CHECK(event_trace_parse(out, len, &t2, why) == 0);
	CHECK(t2.n == t->n && t2.overruns == t->overruns);
	for (size_t i = 0; i < t->n; i++) {
		const struct trace_event *a = &t->ev[i], *b = &t2.ev[i];

		CHECK(a->ts == b->ts && a->kind == b->kind && a->pid == b->pid &&
		      a->tgid == b->tgid && a->a == b->a && a->b == b->b &&
		      a->nargs == b->nargs);
		if (a->kind == EV_EXEC || a->kind == EV_COMM)
			CHECK(!strcmp(event_comm(t, a), event_comm(&t2, b)));
	}
	event_trace_free(&t2);
	free(out);
}

static void replay(const struct event_trace *t)
{
	static const struct kernel_opts o = { .pid_max = 1024, .seed = 1,
					      .clock = fixed_clock };
	struct event_replay r;
	char msg[256];
	const char *why;

	if (!booted || ++inputs % RESET_EVERY == 0) {
		if (booted)
			kernel_destroy(&k);
		if (kernel_init(&k, &o))
			abort();
		booted = true;
	}
	if (event_replay_init(&r, t))
		return;
	world_write_lock(&k);		/* as ctl's replay holds it */
	event_replay_begin(&k, &r);
	while (r.st.done < t->n)
		CHECK(event_replay_step(&k, &r) == 0);
	world_unlock(&k);
	event_replay_destroy(&r);
	CHECK(k.init_task && find_task(&k, 1) == k.init_task);
	CHECK(k.nr_processes <= k.nr_tasks);
	why = realism_violation(&k, false, msg, sizeof(msg));
	if (why)
		fprintf(stderr, "unrealistic after a replay: %s\n", why);
	CHECK(!why);
}

static void one(const char *data, size_t size)
{
	char why[EVENT_TRACE_WHY_LEN];
	struct event_trace t;
	int rc = event_trace_parse(data, size, &t, why);

	CHECK(rc == 0 || rc == -EINVAL || rc == -EBADMSG || rc == -ENOMEM ||
	      rc == -EFBIG);
	CHECK(strlen(why) < EVENT_TRACE_WHY_LEN);
	if (rc) {
		CHECK(!strncmp(why, "line ", 5) && !strchr(why, '\n'));
		return;
	}
	check_trace(&t);
	check_roundtrip(&t);
	replay(&t);
	event_trace_free(&t);
}

/* @data with the end line it needs: its events and "lost" lines counted. */
static char *with_end(const char *data, size_t size, size_t *len)
{
	unsigned long events = 0, lost = 0, line = 0;
	char *buf = malloc(size + 64);
	const char *p = data, *end = data + size;

	if (!buf)
		return NULL;
	memcpy(buf, data, size);
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (++line > 3 && n && *p != '#') {
			if (n >= 5 && !memcmp(p + n - 5, " lost", 5))
				lost++;
			else
				events++;
		}
		p += n + 1;
	}
	*len = size;
	if (size && data[size - 1] != '\n')
		buf[(*len)++] = '\n';
	*len += sprintf(buf + *len, "end %lu %lu %08x\n", events, lost,
			crc32_update(0, buf, *len));
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *fixed;

	one((const char *)data, size);
	fixed = with_end((const char *)data, size, &len);
	if (fixed)
		one(fixed, len);
	free(fixed);
	return 0;
}
