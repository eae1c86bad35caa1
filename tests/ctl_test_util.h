/* SPDX-License-Identifier: MIT */
/*
 * Running ctl lines from a unit test: the executor's reply checked and
 * copied out.  Include after cmocka.h (or core_test_util.h) and ctl.h.
 */
#ifndef PROCSIM_CTL_TEST_UTIL_H
#define PROCSIM_CTL_TEST_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Run the line @fmt and @ap make through ctl_run_line(); its reply into
 * @reply (@cap bytes).  Every reply is exactly one line, and fits.
 * Returns what ctl_run_line() returned.
 * Context: as ctl_run_line(): the world lock not held.
 */
static inline int ctl_test_vrun(struct kernel *k, char *reply, size_t cap,
				const char *fmt, va_list ap)
{
	char line[CTL_LINE_MAX + 1];
	struct buf out;
	size_t len;
	int ret;

	vsnprintf(line, sizeof(line), fmt, ap);
	buf_init(&out);
	ret = ctl_run_line(k, line, strlen(line), &out);
	assert_false(out.oom);
	len = out.len;
	assert_true(len > 0 && len < cap);
	memcpy(reply, out.data, len);
	reply[len] = '\0';
	buf_free(&out);
	assert_int_equal(reply[len - 1], '\n');
	assert_ptr_equal(strchr(reply, '\n'), reply + len - 1);
	return ret;
}

#endif
