// SPDX-License-Identifier: MIT
/*
 * Interned VMA names.  Ten thousand processes map the same few dozen
 * libraries; one copy of each path keeps a VMA at a pointer's cost and
 * lets renderers compare names by pointer.  Called under the write lock.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "mm.h"

struct vma_name {
	UT_hash_handle hh;
	char str[];
};

static struct vma_name *names;

/*
 * Most names come from the same few static strings (the ELF loader's
 * library table, "[heap]", "[stack]"): remember which pointer interned to
 * what, so those skip the hash.  A pointer may also be a caller's buffer
 * reused for another name, so a hit is confirmed by comparing the text.
 */
#define PTR_CACHE	256
static const char *ptr_key[PTR_CACHE], *ptr_val[PTR_CACHE];

static const char *remember(unsigned slot, const char *key, const char *val)
{
	ptr_key[slot] = key;
	ptr_val[slot] = val;
	return val;
}

const char *vma_name_intern(const char *name)
{
	unsigned slot = ((uintptr_t)name >> 3) % PTR_CACHE;
	struct vma_name *n;
	size_t len;

	if (!name)
		return NULL;
	if (ptr_key[slot] == name && !strcmp(ptr_val[slot], name))
		return ptr_val[slot];
	len = strlen(name);
	HASH_FIND(hh, names, name, len, n);
	if (n)
		return remember(slot, name, n->str);
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	memcpy(n->str, name, len + 1);
	HASH_ADD_KEYPTR(hh, names, n->str, len, n);
	return remember(slot, name, n->str);
}
