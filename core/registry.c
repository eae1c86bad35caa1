// SPDX-License-Identifier: MIT
/* Registries (registry.h): every ops table starts with its name. */
#include <stdio.h>
#include <string.h>
#include "registry.h"

static const char *entry_name(const void *entry)
{
	return *(const char *const *)entry;	/* the first member */
}

const void *registry_find(const void *const *reg, const char *name)
{
	for (; name && *reg; reg++)
		if (!strcmp(entry_name(*reg), name))
			return *reg;
	return NULL;
}

size_t registry_names(const void *const *reg, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (; *reg; reg++) {
		int w = snprintf(buf + (n < len ? n : len),
				 n < len ? len - n : 0, " %s", entry_name(*reg));
		n += w > 0 ? (size_t)w : 0;
	}
	return n;
}
