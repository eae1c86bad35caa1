// SPDX-License-Identifier: MIT
/*
 * Interned VMA names.  Ten thousand processes map the same few dozen
 * libraries; one copy of each path keeps a VMA at a pointer's cost and
 * lets renderers compare names by pointer.  Called under the write lock.
 */
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "mm.h"

struct vma_name {
	UT_hash_handle hh;
	char str[];
};

static struct vma_name *names;

const char *vma_name_intern(const char *name)
{
	struct vma_name *n;
	size_t len;

	if (!name)
		return NULL;
	len = strlen(name);
	HASH_FIND(hh, names, name, len, n);
	if (n)
		return n->str;
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	memcpy(n->str, name, len + 1);
	HASH_ADD_KEYPTR(hh, names, n->str, len, n);
	return n->str;
}
