// SPDX-License-Identifier: MIT
/*
 * A model of the x86-64 ELF loader (fs/binfmt_elf.c): the address space a
 * freshly exec'ed dynamic binary has, laid out as Linux lays it out — the
 * PIE at 0x55…, [heap] after it, shared libraries and [vdso]/[vvar]
 * top-down from mmap_base, [stack] at the top.  Sizes are real Debian 12
 * ones where we know them and derived from the path's hash otherwise, so
 * the same binary always looks the same.
 */
#include <stdlib.h>
#include <string.h>
#include "task_alloc.h"

#define DEV_ROOT	0xfe00		/* fe:00, the root disk in the samples */

struct elf_image {
	const char *path;
	unsigned long ino;
	unsigned short hdr, text, rodata, relro, data;	/* pages */
};

static const struct elf_image libs[] = {
	{ "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 332383, 1, 38, 10, 2, 2 },
	{ "/usr/lib/x86_64-linux-gnu/libc.so.6", 332835, 38, 342, 83, 4, 2 },
	{ "/usr/lib/x86_64-linux-gnu/libm.so.6", 332939, 14, 121, 89, 1, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", 333607, 3, 19, 7, 1, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libselinux.so.1", 333230, 6, 22, 8, 1, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0.11.2", 333128, 2, 99, 50, 1, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libcap.so.2.66", 332872, 1, 4, 2, 1, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 332890, 117, 402, 132, 45, 2 },
	{ "/usr/lib/x86_64-linux-gnu/libssl.so.3", 333335, 23, 79, 30, 10, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libgcc_s.so.1", 332927, 3, 19, 4, 1, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", 333404, 157, 259, 110, 11, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libtinfo.so.6.4", 333479, 14, 16, 14, 4, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libdbus-1.so.3.32.4", 332905, 14, 48, 20, 2, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10", 332935, 4, 28, 8, 2, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0", 333465, 22, 139, 48, 6, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2", 332934, 2, 6, 2, 1, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libmount.so.1.1.0", 333075, 6, 52, 19, 2, 1 },
	{ "/usr/lib/x86_64-linux-gnu/libblkid.so.1.1.0", 332862, 5, 35, 13, 4, 1 },
};
#define NR_LIBS (sizeof(libs) / sizeof(libs[0]))

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static int map(struct kernel *k, struct mm_struct *mm, unsigned long addr,
	       unsigned long pages, int prot, int flags, const char *name,
	       unsigned long pgoff, unsigned long ino, unsigned long rss)
{
	unsigned long out;

	return mm_mmap(mm, &(struct mmap_req){
			.addr = addr, .len = pages << PAGE_SHIFT, .prot = prot,
			.flags = flags | MAP_FIXED, .name = name,
			.pgoff = pgoff,
			.dev = name && name[0] == '/' ? DEV_ROOT : 0,
			.ino = ino, .rss_pages = rss > pages ? pages : rss },
			k->max_map_count, &out);
}

/* The five PT_LOAD-derived VMAs of an ELF image at @base; returns its end. */
static unsigned long map_image(struct kernel *k, struct mm_struct *mm,
			       const struct elf_image *e, unsigned long base,
			       bool exe, int *err)
{
	const struct { unsigned short pages; int prot; } seg[] = {
		{ e->hdr, PROT_READ }, { e->text, PROT_READ | PROT_EXEC },
		{ e->rodata, PROT_READ }, { e->relro, PROT_READ },
		{ e->data, PROT_READ | PROT_WRITE },
	};
	unsigned long addr = base, off = 0;

	for (unsigned i = 0; i < 5 && !*err; i++) {
		unsigned long rss = i == 1 ? seg[i].pages / 3 + 1 : seg[i].pages;

		*err = map(k, mm, addr, seg[i].pages, seg[i].prot, MAP_PRIVATE,
			   e->path, off, e->ino, rss);
		if (exe && i == 1) {
			mm->start_code = addr;
			mm->end_code = addr + (seg[i].pages << PAGE_SHIFT) - 0x31f;
		}
		if (exe && i == 4) {
			mm->start_data = addr - (seg[3].pages << PAGE_SHIFT) + 0x2f0;
			mm->end_data = addr + (seg[i].pages << PAGE_SHIFT) - 0x3c0;
		}
		addr += (unsigned long)seg[i].pages << PAGE_SHIFT;
		off += seg[i].pages;
	}
	return addr;
}

static unsigned long rand_pages(uint64_t *rng, unsigned long max)
{
	return rng_next(rng) % max;
}

struct mm_struct *binfmt_load(struct kernel *k, const char *path,
			      const char *args, size_t args_len,
			      const char *env, size_t env_len)
{
	return binfmt_load_rng(k, &k->rng, path, args, args_len, env, env_len);
}

struct mm_struct *binfmt_load_rng(struct kernel *k, uint64_t *rng,
				  const char *path, const char *args,
				  size_t args_len, const char *env,
				  size_t env_len)
{
	struct mm_struct *mm = mm_alloc(&k->mm_cfg);
	uint64_t h = hash_str(path);
	struct elf_image exe = {
		.path = path, .ino = 240000 + h % 100000,
		.hdr = 1 + h % 4, .text = 4 + (h >> 8) % 300,
		.rodata = 2 + (h >> 20) % 60, .relro = 1, .data = 1 + (h >> 30) % 4,
	};
	unsigned long top, stack_end, heap_pages, base, end = 0;
	int err = 0, nlibs;

	if (!mm)
		return NULL;
	/* Stack: 132 KiB at a randomised top, argv and envp at its very top. */
	stack_end = STACK_TOP - (rand_pages(rng, 1UL << 22) << PAGE_SHIFT);
	err = map(k, mm, stack_end - (33UL << PAGE_SHIFT), 33, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_GROWSDOWN, "[stack]", 0, 0, 8 + rand_pages(rng, 20));
	mm->env_end = stack_end - 0x1000 - (rng_next(rng) & 0xff0);
	mm->env_start = mm->env_end - env_len;
	mm->arg_end = mm->env_start;
	mm->arg_start = mm->arg_end - args_len;
	mm->start_stack = (mm->arg_start - 0x200) & ~0xfUL;

	/* mmap_base: below the stack rlimit and a random gap (mmap_base()). */
	mm->mmap_base = (stack_end - STACK_RLIMIT - (128UL << 20) -
			 (rand_pages(rng, 1UL << 28) << PAGE_SHIFT)) & ~(PAGE_SIZE - 1);
	top = mm->mmap_base;

	/* ld.so first, then [vvar]/[vdso], then libc and the rest, top-down. */
	nlibs = 2 + h % 5;
	for (int i = 0; i < nlibs && !err; i++) {
		const struct elf_image *e = &libs[i < 2 ? (unsigned long)i : 2 + (h >> (8 * i)) % (NR_LIBS - 2)];
		unsigned long size = (unsigned long)(e->hdr + e->text + e->rodata +
						     e->relro + e->data) << PAGE_SHIFT;

		top -= size;
		end = map_image(k, mm, e, top, false, &err);
		(void)end;
		if (i == 0 && !err) {
			top -= 2UL << PAGE_SHIFT;
			err = map(k, mm, top, 2, PROT_READ | PROT_EXEC, MAP_PRIVATE,
				  "[vdso]", 0, 0, 2);
			top -= 6UL << PAGE_SHIFT;
			if (!err)
				err = map(k, mm, top, 4, PROT_READ, MAP_PRIVATE,
					  "[vvar]", 0, 0, 0);
			if (!err)
				err = map(k, mm, top + (4UL << PAGE_SHIFT), 2, PROT_READ,
					  MAP_PRIVATE, "[vvar_vclock]", 0, 0, 0);
		} else if (i > 0 && !err && (h >> i) & 1) {
			/* The anonymous tail many libraries carry (libc's is 13 pages). */
			top -= 13UL << PAGE_SHIFT;
			err = map(k, mm, top, 13, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				  NULL, 0, 0, 3);
		}
	}

	/* The executable: a PIE at ELF_ET_DYN_BASE plus randomisation. */
	base = 0x555555554000UL + (rand_pages(rng, 1UL << 24) << PAGE_SHIFT);
	if (!err)
		end = map_image(k, mm, &exe, base, true, &err);
	if (!err && (h & 4))
		err = map(k, mm, end, 1 + h % 16, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			  NULL, 0, 0, 1 + h % 16);	/* .bss beyond the file */
	mm->start_brk = end + 0x200000 + (rand_pages(rng, 1UL << 13) << PAGE_SHIFT);
	heap_pages = 33 + rand_pages(rng, 600);
	mm->brk = mm->start_brk + (heap_pages << PAGE_SHIFT);
	if (!err)
		err = map(k, mm, mm->start_brk, heap_pages, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE, "[heap]", 0, 0, heap_pages * 3 / 4);
	if (!err)
		err = mm_set_args(mm, args, args_len);
	if (!err)
		err = mm_set_env(mm, env, env_len);
	if (err) {
		mmput(mm);
		return NULL;
	}
	{
		struct mm_counts c;

		mm_counts(mm, &c);
		mm->hiwater_vm = c.total_vm;
		mm->hiwater_rss = c.rss;
	}
	return mm;
}
