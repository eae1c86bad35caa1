/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer: what every renderer writes into.  It never
 * truncates (LXCFS's 4096-byte renders are the warning): it grows, and a
 * failed allocation is remembered in ->oom so the caller answers ENOMEM
 * instead of serving half a file.
 */
#ifndef PROCSIM_BUF_H
#define PROCSIM_BUF_H

#include <stddef.h>
#include <stdbool.h>

struct buf {
	char *data;
	size_t len, cap;
	bool oom;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);			/* len = 0, keeps the memory */
void buf_put(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Room for @n more bytes at data+len; false on ENOMEM. */
bool buf_reserve(struct buf *b, size_t n);

#endif
