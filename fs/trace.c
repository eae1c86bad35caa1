// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace.h"

void trace_init(struct trace *t, bool cache)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	buf_init(&t->b);
	t->cache = cache;
}

void trace_destroy(struct trace *t)
{
	buf_free(&t->b);
	pthread_mutex_destroy(&t->lock);
}

int trace_start(struct trace *t)
{
	int err = 0;

	pthread_mutex_lock(&t->lock);
	buf_reset(&t->b);
	t->b.oom = false;
	t->overflow = false;
	buf_printf(&t->b, "procsim-trace %d cache=%s\n", TRACE_VERSION,
		   t->cache ? "on" : "off");
	if (t->b.oom)
		err = -ENOMEM;
	else
		atomic_store(&t->on, true);
	pthread_mutex_unlock(&t->lock);
	return err;
}

void trace_stop(struct trace *t)
{
	atomic_store(&t->on, false);
}

void trace_note(struct trace *t, enum fuse_op op, uint64_t ino,
		const char *name, uint64_t off, uint64_t size)
{
	pthread_mutex_lock(&t->lock);
	if (!atomic_load(&t->on) || t->overflow)
		goto out;
	if (t->b.len > TRACE_MAX_BYTES) {
		t->overflow = true;
		goto out;
	}
	buf_printf(&t->b, "%s %" PRIx64 " %" PRIu64 " %" PRIu64, stats_op_name(op),
		   ino, off, size);
	if (name) {
		buf_putc(&t->b, ' ');
		for (const unsigned char *p = (const unsigned char *)name; *p; p++)
			if (*p > ' ' && *p <= '~' && *p != '%')
				buf_putc(&t->b, (char)*p);
			else
				buf_printf(&t->b, "%%%02X", *p);
	}
	buf_putc(&t->b, '\n');
	if (t->b.oom)
		t->overflow = true;
out:
	pthread_mutex_unlock(&t->lock);
}

void trace_render(struct buf *b, struct trace *t)
{
	pthread_mutex_lock(&t->lock);
	buf_put(b, t->b.data, t->b.len);
	if (t->overflow)
		buf_puts(b, "# overflow: requests after this point were not recorded\n");
	pthread_mutex_unlock(&t->lock);
}

int trace_check_header(const char *line, bool *cache)
{
	int version;
	char c[4] = "on";

	if (sscanf(line, "procsim-trace %d cache=%3s", &version, c) < 1 ||
	    version != TRACE_VERSION)
		return -EINVAL;
	*cache = strcmp(c, "off") != 0;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A run of digits in @base at *@p, then one space or the end: 0 or -EINVAL. */
static int parse_u64(const char **p, int base, uint64_t *v)
{
	const char *q = *p;
	int d;

	*v = 0;
	for (; (d = hexval(*q)) >= 0 && d < base; q++) {
		if (*v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -EINVAL;
		*v = *v * (uint64_t)base + (uint64_t)d;
	}
	if (q == *p || (*q && *q != ' '))
		return -EINVAL;
	*p = *q ? q + 1 : q;
	return 0;
}

int trace_parse_line(const char *line, struct trace_rec *r, char *nbuf,
		     size_t nsize)
{
	const char *p = line, *sp;
	char op[16];
	size_t j = 0;

	if (!*line || *line == '#' || !strncmp(line, "procsim-trace ", 14))
		return 0;
	/* Exactly what trace_note writes: single spaces, no sign, no junk. */
	sp = strchr(p, ' ');
	if (!sp || (size_t)(sp - p) >= sizeof(op))
		return -EINVAL;
	memcpy(op, p, sp - p);
	op[sp - p] = '\0';
	if ((int)(r->op = stats_op_from_name(op)) < 0)
		return -EINVAL;
	p = sp + 1;
	if (parse_u64(&p, 16, &r->ino) || !*p || parse_u64(&p, 10, &r->off) ||
	    !*p || parse_u64(&p, 10, &r->size))
		return -EINVAL;
	r->name = NULL;
	if (!*p) {
		return p[-1] == ' ' ? -EINVAL : 1;	/* no trailing space */
	}
	for (; *p; p++) {
		int hi, lo;

		if (j + 1 >= nsize || j >= TRACE_NAME_MAX)
			return -EINVAL;
		if (*p <= ' ' || *p > '~')
			return -EINVAL;
		if (*p != '%') {
			nbuf[j++] = *p;
			continue;
		}
		hi = hexval(p[1]);
		lo = hi < 0 ? -1 : hexval(p[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			return -EINVAL;
		nbuf[j++] = (char)(hi << 4 | lo);
		p += 2;
	}
	nbuf[j] = '\0';
	r->name = nbuf;
	return 1;
}
