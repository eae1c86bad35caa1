// SPDX-License-Identifier: MIT
/*
 * Interned strings (intern.h): a uthash table of the strings, plus a small
 * cache from a caller's pointer to the interned copy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "intern.h"

struct interned {
	UT_hash_handle hh;
	char str[];
};

/*
 * Most strings come from the same few static ones (the ELF loader's
 * library table, "[heap]", "[stack]"): remember which pointer interned to
 * what, so those skip the hash.  A pointer may also be a caller's buffer
 * reused for another string, so a hit is confirmed by comparing the text.
 */
#define PTR_CACHE	256

struct intern_table {
	struct interned *strings;
	const char *ptr_key[PTR_CACHE], *ptr_val[PTR_CACHE];
};

struct intern_table *intern_create(void)
{
	return calloc(1, sizeof(struct intern_table));
}

void intern_destroy(struct intern_table *t)
{
	struct interned *n, *tmp;

	if (!t)
		return;
	HASH_ITER(hh, t->strings, n, tmp) {
		HASH_DEL(t->strings, n);
		free(n);
	}
	free(t);
}

static const char *remember(struct intern_table *t, unsigned slot,
			    const char *key, const char *val)
{
	t->ptr_key[slot] = key;
	t->ptr_val[slot] = val;
	return val;
}

const char *intern(struct intern_table *t, const char *s)
{
	unsigned slot = ((uintptr_t)s >> 3) % PTR_CACHE;
	struct interned *n;
	size_t len;

	if (!s)
		return NULL;
	if (t->ptr_key[slot] == s && !strcmp(t->ptr_val[slot], s))
		return t->ptr_val[slot];
	len = strlen(s);
	HASH_FIND(hh, t->strings, s, len, n);
	if (n)
		return remember(t, slot, s, n->str);
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	memcpy(n->str, s, len + 1);
	HASH_ADD_KEYPTR(hh, t->strings, n->str, len, n);
	return remember(t, slot, s, n->str);
}
