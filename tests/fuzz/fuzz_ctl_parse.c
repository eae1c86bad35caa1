// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: ctl_parse() alone, on any bytes.  A valid parse must
 * free cleanly; a failed one must leave a message and nothing to free.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "ctl.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_cmd cmd;
	struct buf err;
	int rc;

	buf_init(&err);
	memset(&cmd, 0, sizeof(cmd));
	rc = ctl_parse((const char *)data, size, &cmd, &err);
	CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	/* The error rule: every failure says why, on one line. */
	CHECK(rc == 0 || (err.len > 0 && !memchr(err.data, '\n', err.len)));
	CHECK(rc != 0 || (cmd.op >= 0 && cmd.op < CTL_NR_OPS));
	if (!rc)
		ctl_cmd_free(&cmd);
	buf_free(&err);
	/* ctl_check_partial must never reject a prefix of a valid line. */
	buf_init(&err);
	CHECK(ctl_check_partial((const char *)data, size, &err) == 0 || rc);
	buf_free(&err);
	return 0;
}
