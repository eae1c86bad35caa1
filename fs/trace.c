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

int trace_parse_line(const char *line, struct trace_rec *r, char *nbuf,
		     size_t nsize)
{
	char op[16], name[1024];
	int fields, n = 0;
	size_t j = 0;

	if (!*line || *line == '#' || !strncmp(line, "procsim-trace ", 14))
		return 0;
	name[0] = '\0';
	fields = sscanf(line, "%15s %" SCNx64 " %" SCNu64 " %" SCNu64 " %1023s%n",
			op, &r->ino, &r->off, &r->size, name, &n);
	if (fields < 4 || (int)(r->op = stats_op_from_name(op)) < 0)
		return -EINVAL;
	if (fields == 5 && line[n])
		return -EINVAL;		/* a name too long, or more words */
	r->name = NULL;
	if (fields < 5)
		return 1;
	for (const char *p = name; *p; p++) {
		int hi, lo;

		if (j + 1 >= nsize)
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
