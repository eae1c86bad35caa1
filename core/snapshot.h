/* SPDX-License-Identifier: MIT */
/*
 * Save and restore: the whole world to a byte buffer and back (CRIU's
 * dump and restore, for a simulated kernel).  Pure encoding: the caller
 * does the file I/O.  See docs/reliability.md, "Save and restore".
 *
 * Format (little-endian): "PROCSIMS", u32 version, then sections, each
 * u32 tag + u32 length + body, ending with an END section, then the CRC32
 * of every byte before it.  A reader skips tags it does not know and the
 * tail of a section longer than it expects, so a later version can add
 * sections and fields.
 */
#ifndef PROCSIM_SNAPSHOT_H
#define PROCSIM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include "kernel.h"

#define SNAPSHOT_MAGIC		"PROCSIMS"
/*
 * 2: shared layouts (TAG_LAYOUT, TAG_MM_SHARED) and populate_layouts.  A
 * version 1 file still loads: private mms, and the running world's
 * populate_layouts (docs/reliability.md, "Save and restore").
 */
#define SNAPSHOT_VERSION	2
#define SNAPSHOT_VERSION_MIN	1	/* the oldest one load reads */
#define SNAPSHOT_WHY_LEN	96

/*
 * The world of @k into a malloc'd buffer (*@out, *@len): 0 or -ENOMEM.
 * Context: the world lock held, for reading at least; no I/O.
 */
int kernel_save(const struct kernel *k, void **out, size_t *len);
/*
 * Build the world in @data into a fresh kernel and, only if all of it
 * loads, swap it into @k (whose lock the caller holds for writing); the
 * options come from the file, the clock from @k.  -EINVAL with a one-line
 * reason in @why (truncated, bad checksum, version N not supported, …)
 * or -ENOMEM; on error @k is untouched.
 */
int kernel_load(struct kernel *k, const void *data, size_t len,
		char why[SNAPSHOT_WHY_LEN]);
/*
 * The first half of kernel_load(): check @data whole (frame, CRC, every
 * section and link) and build its world into @fresh, touching neither @k's
 * world nor its lock (only @k's options are read, for defaults).  On
 * success the caller swaps @fresh in with kernel_replace() under @k's write
 * lock.  Errors as kernel_load(); on error @fresh holds nothing.
 * Context: no lock needed on @k, but no other command may change @k's
 * options meanwhile.
 */
int kernel_load_prepare(const struct kernel *k, const void *data, size_t len,
			struct kernel *fresh, char why[SNAPSHOT_WHY_LEN]);
/*
 * The second half: @fresh (from kernel_load_prepare) replaces @k's world.
 * Cannot fail.  Context: caller holds @k's lock for writing.
 */
void kernel_load_commit(struct kernel *k, struct kernel *fresh);
/*
 * The fixed head of a snapshot (SNAPSHOT_HEAD_LEN bytes: magic, version),
 * so a file reader can refuse a foreign file before reading all of it.
 * 0, or -EINVAL with the reason in @why.
 */
#define SNAPSHOT_HEAD_LEN	12
int snapshot_check_head(const void *data, size_t len, char why[SNAPSHOT_WHY_LEN]);
uint32_t snapshot_crc32(const void *data, size_t len);
/* The same CRC-32 (zlib's) over data in pieces: start with @crc 0, pass
 * each piece the result of the last. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
