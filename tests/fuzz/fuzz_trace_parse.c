// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: trace_parse_line() (fs/trace.h) on any line.  A line
 * it accepts must come out of trace_note() the same way: write the record
 * back, parse it again, and get the same record.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"
#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), name[1024], name2[1024];
	struct trace_rec r, r2;
	struct trace t;
	struct buf b;
	char *second;
	int rc;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	line[strcspn(line, "\n")] = '\0';
	rc = trace_parse_line(line, &r, name, sizeof(name));
	CHECK(rc == 1 || rc == 0 || rc == -EINVAL);
	if (rc == 1) {
		CHECK(r.op >= 0 && r.op < OP_MAX);
		CHECK(!r.name || strlen(r.name) < sizeof(name));
		trace_init(&t, true);
		CHECK(trace_start(&t) == 0);
		trace_note(&t, r.op, r.ino, r.name, r.off, r.size);
		buf_init(&b);
		trace_render(&b, &t);
		buf_putc(&b, '\0');
		second = strchr(b.data, '\n') + 1;
		second[strcspn(second, "\n")] = '\0';
		/* An empty name is written as none: compare what a replay uses. */
		CHECK(trace_parse_line(second, &r2, name2, sizeof(name2)) == 1);
		CHECK(r2.op == r.op && r2.ino == r.ino && r2.off == r.off &&
		      r2.size == r.size);
		CHECK(!r.name == !r2.name || (r.name && !*r.name));
		CHECK(!r.name || !r2.name || !strcmp(r.name, r2.name));
		buf_free(&b);
		trace_destroy(&t);
	}
	free(line);
	return 0;
}
