/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the renderers: number formatting without printf (ps aux
 * over 10,000 processes renders ~40,000 files) and the small task facts
 * several files print alike (ppid, summed times, state names).
 */
#ifndef PROCSIM_RENDER_UTIL_H
#define PROCSIM_RENDER_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "task.h"

/* A literal without strlen at run time. */
#define buf_putlit(b, s)	buf_put((b), (s), sizeof(s) - 1)

void buf_put_u64(struct buf *b, unsigned long long v);
void buf_put_s64(struct buf *b, long long v);
/* @v right-aligned in @width columns, as printf("%*llu"). */
void buf_put_u64_width(struct buf *b, unsigned long long v, int width);
/* Exactly 16 lower-case hex digits: status signal and capability masks. */
void buf_put_hex16(struct buf *b, uint64_t v);
/* At least @digits lower-case hex digits, zero-padded: maps fields. */
void buf_put_hex(struct buf *b, unsigned long long v, int digits);
/* status style "Key:\t<v>\n" and "Key:\t%8lu kB\n" (@key includes ':'). */
void buf_put_kv_u64(struct buf *b, const char *key, unsigned long long v);
void buf_put_kv_kb(struct buf *b, const char *key, unsigned long kb);
/* "%-16s%8lu kB\n" (meminfo's show_val_kb, smaps' SEQ_PUT_DEC); @kb false: no " kB". */
void buf_put_col16(struct buf *b, const char *label, unsigned long v, bool kb);

/* Process-level facts of a task, per kernel/fs/proc/array.c. */
int task_ppid(const struct task *t);
int task_tracer_pid(const struct task *t);
int task_nr_threads(const struct task *t);
const char *task_state_name(char state);
/* The group's times (whole) or the thread's own (!whole), in ticks. */
struct task_times {
	unsigned long utime, stime, minflt, majflt;
};
void task_times(const struct task *t, bool whole, struct task_times *tt);
/*
 * Page-table kB for VmPTE and meminfo PageTables: not modelled, so about one
 * PTE page per 2 MiB resident plus the upper levels.
 */
unsigned long render_pte_kb(unsigned long rss_pages);
struct render_ctx;
/* The simulated machine's CPU count, at least 1. */
int render_nr_cpus(const struct render_ctx *c);
/* The mm /proc shows for @t: NULL for kernel threads and zombies. */
const struct mm_struct *task_proc_mm(const struct task *t);

#endif
