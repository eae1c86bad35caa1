/* SPDX-License-Identifier: MIT */
/* An assert() that NDEBUG (RelWithDebInfo) cannot turn off: fuzzers need it. */
#ifndef PROCSIM_FUZZ_CHECK_H
#define PROCSIM_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

#endif
