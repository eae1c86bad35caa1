/* SPDX-License-Identifier: MIT */
/*
 * Interned strings of one kernel: the file names of its VMAs and the wchan
 * symbols a snapshot brings in.  Ten thousand processes map the same few
 * dozen libraries; one copy of each string keeps a VMA at a pointer's cost
 * and lets renderers compare names by pointer.
 *
 * Each struct kernel owns one table (kernel->strings), so two kernels in
 * one process share nothing; an interned string lives as long as its table.
 */
#ifndef PROCSIM_INTERN_H
#define PROCSIM_INTERN_H

struct intern_table;

/* An empty table, or NULL when out of memory. */
struct intern_table *intern_create(void);
/* Free the table and every string in it. */
void intern_destroy(struct intern_table *t);
/*
 * The table's copy of @s (NULL for NULL): equal strings give one pointer.
 * NULL for a non-NULL @s means out of memory; the table is unchanged.
 * Context: the caller serialises changes to @t (the world lock for writing).
 */
const char *intern(struct intern_table *t, const char *s);

#endif
