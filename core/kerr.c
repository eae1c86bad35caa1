// SPDX-License-Identifier: MIT
/* Failure reasons from the core: see kerr.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kerr.h"

/* The caller's sink on this thread, or NULL: nobody asks why. */
static _Thread_local struct kerr *kerr_sink;

struct kerr *kerr_begin(struct kerr *e)
{
	struct kerr *prev = kerr_sink;

	e->err = 0;
	e->why[0] = '\0';
	kerr_sink = e;
	return prev;
}

void kerr_end(struct kerr *prev)
{
	kerr_sink = prev;
}

int kerr(int err, const char *fmt, ...)
{
	struct kerr *e = kerr_sink;
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	e->err = err;
	return err;
}

void kerr_append(int err, const char *fmt, ...)
{
	struct kerr *e = kerr_sink;
	size_t n;
	va_list ap;

	if (!e || e->err != err)
		return;
	n = strlen(e->why);
	va_start(ap, fmt);
	vsnprintf(e->why + n, sizeof(e->why) - n, fmt, ap);
	va_end(ap);
}

const char *kerr_why(const struct kerr *e, int err)
{
	return e->err == err && err && e->why[0] ? e->why : NULL;
}

int kerr_no_pid(int pid)
{
	return kerr(-ESRCH, "no process with pid %d", pid);
}
