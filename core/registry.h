/* SPDX-License-Identifier: MIT */
/*
 * Registries: name -> ops table, one per family of backends (pid stores,
 * VMA stores, wait strategies, task watchers).  A registry is a
 * NULL-terminated array of pointers to ops tables whose first member is
 * `const char *name`, so one lookup and one listing serve every family.
 */
#ifndef PROCSIM_REGISTRY_H
#define PROCSIM_REGISTRY_H

#include <stddef.h>

/* The entry of @reg named @name, or NULL. */
const void *registry_find(const void *const *reg, const char *name);
/*
 * " name1 name2 …" of @reg's entries into @buf (always NUL-terminated);
 * the length it needed, as snprintf.  For "(have: …)" messages.
 */
size_t registry_names(const void *const *reg, char *buf, size_t len);

/* Typed wrappers: REGISTRY_FIND(pid_store_backends, "idr") is a pid_store_ops. */
#define REGISTRY_FIND(reg, name) \
	((__typeof__((reg)[0]))registry_find((const void *const *)(reg), (name)))
#define REGISTRY_NAMES(reg, buf, len) \
	registry_names((const void *const *)(reg), (buf), (len))

#endif
