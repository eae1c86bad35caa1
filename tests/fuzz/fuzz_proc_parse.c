// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the /proc file parsers import uses (fs/proc_parse.h).
 * The first byte picks the parser (stat, status, maps/smaps, uptime), the
 * rest is the file (seeds: tests/proc-corpus).  Whatever the bytes, a parser returns 0 with a record
 * the core can take (checked here), or an error with a one-line reason;
 * it never reads past the input (ASan) and never leaks (LSan).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"
#include "proc_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_why(int rc, const char *why)
{
	CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM);
	if (rc)
		CHECK(why[0] && !strchr(why, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[PROC_PARSE_WHY_LEN] = "";
	struct import_task r;
	struct import_vma *v;
	unsigned long long t;
	size_t n, len;
	char *buf;
	int rc;

	if (size < 1)
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);	/* exactly the input: ASan sees overreads */
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	memset(&r, 0, sizeof(r));
	switch (data[0] % 4) {
	case 0:
		rc = proc_parse_stat(buf, len, &r, why);
		check_why(rc, why);
		if (!rc) {
			CHECK(r.pid > 0);
			CHECK(r.nice >= -20 && r.nice <= 19);
			CHECK(r.policy >= 0 && r.policy <= 6);
			CHECK(memchr(r.comm, '\0', sizeof(r.comm)));
			CHECK(memchr(r.name, '\0', sizeof(r.name)) && r.name[0]);
			CHECK(!strncmp(r.comm, r.name, TASK_COMM_LEN - 1));
		}
		break;
	case 1:
		rc = proc_parse_status(buf, len, &r, why);
		check_why(rc, why);
		if (!rc)
			CHECK(r.tgid >= 0 && r.ppid >= 0);
		break;
	case 2:
		rc = proc_parse_maps(buf, len, 64, &v, &n, why);
		check_why(rc, why);
		if (!rc) {
			for (size_t i = 0; i < n; i++) {
				CHECK(v[i].start < v[i].end);
				CHECK(!((v[i].start | v[i].end) & (PAGE_SIZE - 1)));
				CHECK(!i || v[i].start >= v[i - 1].end);
				CHECK(v[i].rss_pages <= (v[i].end - v[i].start) / PAGE_SIZE);
				CHECK(v[i].dev <= 0xfffff && v[i].ino <= 0xffffffffUL);
			}
			CHECK(n <= 64);
			proc_free_vmas(v, n);
		}
		break;
	default:
		rc = proc_parse_uptime(buf, len, &t, why);
		check_why(rc, why);
		break;
	}
	free(buf);
	return 0;
}
