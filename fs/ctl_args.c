// SPDX-License-Identifier: MIT
/*
 * The ctl arguments every command family reads: messages, and strict
 * numbers (no sign or space that strtoll would take).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ctl_args.h"

/* Append one message; a message is one line, so no '\n' in @fmt. */
int ctl_fail(struct buf *err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_puts(err, msg);
	return -EINVAL;
}

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The digits s[0..n) in @base: -EINVAL on junk or none, -ERANGE on overflow. */
static int parse_digits(const char *s, size_t n, int base,
			unsigned long long *v)
{
	unsigned long long x = 0;
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int d = digit_value(s[i]);

		if (d < 0 || d >= base)
			return -EINVAL;
		if (x > (ULLONG_MAX - d) / base)
			return -ERANGE;
		x = x * base + d;
	}
	*v = x;
	return 0;
}

int ctl_parse_decimal(const char *s, long long *v)
{
	bool neg = *s == '-';
	unsigned long long mag;
	int err = parse_digits(s + neg, strlen(s + neg), 10, &mag);

	if (err)
		return err;
	if (mag > LLONG_MAX)
		return -ERANGE;
	*v = neg ? -(long long)mag : (long long)mag;
	return 0;
}

/* A decimal integer in [min, max]. */
int ctl_arg_int(const struct ctl_args *a, int i, const char *what,
		   long long min, long long max, long long *v)
{
	const char *s = a->argv[i];
	int err = ctl_parse_decimal(s, v);

	if (err == -EINVAL)
		return ctl_fail(a->err, "%s: %s is not a number: " QFMT,
				a->cmd, what, QARG(s));
	if (!err && *v >= min && *v <= max)
		return 0;
	return ctl_fail(a->err, "%s: %s must be %lld..%lld, not " QFMT,
			a->cmd, what, min, max, QARG(s));
}

int ctl_arg_pid(const struct ctl_args *a, int i, const char *what,
		   int *pid)
{
	long long v = 0;
	int err = ctl_arg_int(a, i, what, 1, INT_MAX, &v);

	*pid = v;
	return err;
}

/*
 * A size or address: decimal or 0x hex, and for sizes an optional K, M or
 * G suffix (binary units).  Anything that does not fit unsigned long is
 * out of range.
 */
int ctl_arg_ulong(const struct ctl_args *a, int i, const char *what,
		     bool suffix, unsigned long *v)
{
	const char *s = a->argv[i];
	size_t n = strlen(s);
	unsigned long long x, mul = 1;
	int base = 10, err;

	if (suffix && n) {
		switch (s[n - 1]) {
		case 'k': case 'K': mul = 1ULL << 10; n--; break;
		case 'm': case 'M': mul = 1ULL << 20; n--; break;
		case 'g': case 'G': mul = 1ULL << 30; n--; break;
		}
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	err = parse_digits(s, n, base, &x);
	if (err == -EINVAL)
		return ctl_fail(a->err, "%s: %s is not a number: " QFMT,
				a->cmd, what, QARG(a->argv[i]));
	if (err || __builtin_mul_overflow(x, mul, &x) || x > ULONG_MAX)
		return ctl_fail(a->err, "%s: %s is too large: " QFMT,
				a->cmd, what, QARG(a->argv[i]));
	*v = x;
	return 0;
}
