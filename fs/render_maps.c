// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/maps and smaps (fs/proc/task_mmu.c).  pmap sscanf()s each
 * header with "%lx-%lx %31s %llx %x:%x %llu" and takes the name after
 * that; smaps key lines must come in kernel order because pmap -x prints
 * its row when it reaches "Swap:".
 */
#include <string.h>
#include "render.h"
#include "render_util.h"

/* seq_setwidth(25 + sizeof(void *) * 6 - 1): names start at column 74. */
#define MAPS_NAME_PAD	72

static bool vma_has(const struct vm_area_struct *v, unsigned long f)
{
	return (v->vm_flags & f) != 0;
}

/* The kernel names the initial heap and stack even without a name. */
static const char *vma_display_name(const struct mm_struct *mm,
				    const struct vm_area_struct *v)
{
	if (v->name)
		return v->name;
	if (v->ino)
		return NULL;
	if (v->vm_start <= mm->brk && v->vm_end >= mm->start_brk &&
	    mm->start_brk)
		return "[heap]";
	if (v->vm_start <= mm->start_stack && v->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

/* show_map_vma(): the header line, which maps and smaps share. */
static void put_vma_header(struct buf *b, const struct mm_struct *mm,
			   const struct vm_area_struct *v)
{
	const char *name = vma_display_name(mm, v);
	size_t start = b->len;
	char perms[5];

	buf_put_hex(b, v->vm_start, 8);
	buf_putc(b, '-');
	buf_put_hex(b, v->vm_end, 8);
	perms[0] = vma_has(v, VM_READ) ? 'r' : '-';
	perms[1] = vma_has(v, VM_WRITE) ? 'w' : '-';
	perms[2] = vma_has(v, VM_EXEC) ? 'x' : '-';
	perms[3] = vma_has(v, VM_MAYSHARE | VM_SHARED) ? 's' : 'p';
	perms[4] = ' ';
	buf_putc(b, ' ');
	buf_put(b, perms, sizeof(perms));
	buf_put_hex(b, (unsigned long long)v->vm_pgoff << PAGE_SHIFT, 8);
	buf_putc(b, ' ');
	buf_put_hex(b, (v->dev >> 8) & 0xfff, 2);
	buf_putc(b, ':');
	buf_put_hex(b, v->dev & 0xff, 2);
	buf_putc(b, ' ');
	buf_put_u64(b, v->ino);
	buf_putc(b, ' ');
	if (name) {
		/* seq_pad(): spaces up to the width, then one more. */
		while (!b->oom && b->len - start < MAPS_NAME_PAD)
			buf_putc(b, ' ');
		buf_putc(b, ' ');
		buf_puts(b, name);
	}
	buf_putc(b, '\n');
}

/* Memory not backed by a file: counted Anonymous and dirty. */
static bool vma_is_anon(const struct mm_struct *mm,
			const struct vm_area_struct *v)
{
	const char *name;

	if (vma_has(v, VM_ANON))
		return true;
	if (v->ino)
		return false;
	name = vma_display_name(mm, v);
	return !name || !strcmp(name, "[heap]") || !strcmp(name, "[stack]") ||
	       !strncmp(name, "[anon:", 6);
}

/* "%-16s%8lu kB\n", as SEQ_PUT_DEC. */
static void smaps_kb(struct buf *b, const char *label, unsigned long kb)
{
	buf_put_col16(b, label, kb, true);
}

/* show_smap_vma_flags(): two letters per set bit, in bit order. */
static void smaps_vmflags(struct buf *b, unsigned long flags)
{
	static const char *const mnem[32] = {
		[0] = "rd", [1] = "wr", [2] = "ex", [3] = "sh",
		[4] = "mr", [5] = "mw", [6] = "me", [7] = "ms",
		[8] = "gd", [9] = "pf", [13] = "lo", [14] = "io",
		[15] = "sr", [16] = "rr", [17] = "dc", [18] = "de",
		[20] = "ac", [21] = "nr", [22] = "ht", [23] = "sf",
		[24] = "ar", [25] = "wf", [26] = "dd", [28] = "mm",
		[29] = "hg", [30] = "nh",
		/* bit 31 is procsim's VM_ANON, not the kernel's "mg" */
	};
	int i;

	buf_putlit(b, "VmFlags: ");
	for (i = 0; i < 32; i++) {
		if (!(flags & (1UL << i)) || !mnem[i])
			continue;
		buf_put(b, mnem[i], 2);
		buf_putc(b, ' ');
	}
	buf_putc(b, '\n');
}

static void put_smap(struct buf *b, const struct mm_struct *mm,
		     const struct vm_area_struct *v)
{
	unsigned long rss = v->rss_pages << (PAGE_SHIFT - 10);
	bool anon = vma_is_anon(mm, v);
	bool dirty = anon || vma_has(v, VM_DIRTY);

	put_vma_header(b, mm, v);
	smaps_kb(b, "Size:", (v->vm_end - v->vm_start) >> 10);
	smaps_kb(b, "KernelPageSize:", PAGE_SIZE >> 10);
	smaps_kb(b, "MMUPageSize:", PAGE_SIZE >> 10);
	/* Every page is mapped once: Pss = Rss and nothing is Shared_*. */
	smaps_kb(b, "Rss:", rss);
	smaps_kb(b, "Pss:", rss);
	smaps_kb(b, "Pss_Dirty:", dirty ? rss : 0);
	smaps_kb(b, "Shared_Clean:", 0);
	smaps_kb(b, "Shared_Dirty:", 0);
	smaps_kb(b, "Private_Clean:", dirty ? 0 : rss);
	smaps_kb(b, "Private_Dirty:", dirty ? rss : 0);
	smaps_kb(b, "Referenced:", rss);
	smaps_kb(b, "Anonymous:", anon ? rss : 0);
	smaps_kb(b, "KSM:", 0);
	smaps_kb(b, "LazyFree:", 0);
	smaps_kb(b, "AnonHugePages:", 0);
	smaps_kb(b, "ShmemPmdMapped:", 0);
	smaps_kb(b, "FilePmdMapped:", 0);
	smaps_kb(b, "Shared_Hugetlb:", 0);
	smaps_kb(b, "Private_Hugetlb:", 0);
	smaps_kb(b, "Swap:", 0);
	smaps_kb(b, "SwapPss:", 0);
	smaps_kb(b, "Locked:", 0);
	buf_putlit(b, "THPeligible:           0\n");
	smaps_vmflags(b, v->vm_flags);
}

/* Every VMA of @t's process, one @put each (maps and smaps). */
static void for_each_vma(struct buf *b, const struct task *t,
			 void (*put)(struct buf *, const struct mm_struct *,
				     const struct vm_area_struct *))
{
	const struct mm_struct *mm = task_proc_mm(t);
	const struct vm_area_struct *v;

	if (!mm)
		return;
	for (v = vma_first(mm); v && !b->oom; v = vma_next(mm, v))
		put(b, mm, v);
}

void render_tid_maps(struct buf *b, const struct render_ctx *c,
		     const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	for_each_vma(b, t, put_vma_header);
}

void render_tid_smaps(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole)
{
	(void)c;
	(void)whole;
	for_each_vma(b, t, put_smap);
}
