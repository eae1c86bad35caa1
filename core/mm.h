/* SPDX-License-Identifier: MIT */
/*
 * Address spaces: struct mm_struct and its VMAs.
 *
 * An mm keeps its VMAs in a pluggable VMA store (vma_store.h: a list, a
 * list with a free-area cache, a gap-augmented AVL tree or a maple tree);
 * callers only walk them through vma_first()/vma_next()/find_vma(), so the
 * store can change without touching renderers.
 */
#ifndef PROCSIM_MM_H
#define PROCSIM_MM_H

#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/mman.h>	/* PROT_* and MAP_*: Linux values */
#include "kstat.h"
#include "list.h"
#include "vma_store.h"
#include "intern.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* x86-64 user address space, 47-bit. */
#define TASK_SIZE		0x7ffffffff000UL
#define STACK_TOP		0x7ffffffde000UL
#define DEFAULT_MAX_MAP_COUNT	65530
#define STACK_RLIMIT		(8UL << 20)
#define THREAD_STACK_SIZE	(8UL << 20)	/* NPTL default: RLIMIT_STACK */

/* vm_flags (include/linux/mm.h values, so smaps VmFlags reads alike). */
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_DENYWRITE	0x00000800UL
#define VM_ACCOUNT	0x00100000UL
#define VM_ANON		0x80000000UL	/* procsim: no file behind it */
/* procsim: every resident page of this file mapping is dirty (a written
 * private mapping: .data, RELRO after relocation).  Only import sets it;
 * anonymous memory is dirty anyway.  A bit with no VmFlags mnemonic. */
#define VM_DIRTY	0x00080000UL

struct vm_area_struct {
	unsigned long vm_start, vm_end;	/* [start, end) */
	unsigned long vm_flags;
	unsigned long vm_pgoff;		/* file offset in pages */
	/* dev and ino share a word: a VMA is 104 bytes, one 112-byte malloc
	 * chunk, not 128 (at 100,000 processes, 56 MB of RSS). */
	unsigned int dev;		/* major << 8 | minor, as maps prints it */
	unsigned int ino;
	const char *name;		/* interned: "/usr/lib/…", "[heap]", or NULL */
	unsigned long rss_pages;	/* resident pages, for smaps and VmRSS */
	/*
	 * The VMA store's links (vma_store.h): the last member, so a VMA is
	 * allocated only as big as its store's member needs (VMA_SIZE).
	 */
	union {
		struct list_head node;	/* list, cache: sorted by vm_start */
		struct {		/* gaptree: AVL, augmented */
			struct vm_area_struct *left, *right, *parent;
			unsigned long gap, subtree_gap;
			int height;
		} rb;
		unsigned long mt_gap;	/* maple: the gap below this VMA */
	};
};

/*
 * The bytes of a VMA whose store links through union member @link: a
 * list-linked VMA is 72 bytes (an 80-byte malloc chunk, not 112).  Never
 * copy a VMA by assignment: copy its store's vma_size.
 */
#define VMA_SIZE(link)	(offsetof(struct vm_area_struct, link) + \
			 sizeof(((struct vm_area_struct *)0)->link))

struct mm_struct {
	/*
	 * mmap_lock: the VMAs and the counters below, for the converted
	 * paths that run under the world lock held for reading (a new
	 * thread's stack, fork's copy).  Under the world lock held for
	 * writing nobody else is in, and it need not be taken.
	 */
	pthread_mutex_t mmap_lock;
	int users;			/* tasks sharing it: tasklist_lock */
	/*
	 * Copy-on-write layouts (mm_share): on a template, the mms that share
	 * it plus its owner's reference (atomic; the template is freed at
	 * 0, never by mmput).  On a sharing mm, cow_src is the template whose
	 * VMA store (vma_root), args and env this mm reads as its own.
	 */
	int cow_refs;
	struct mm_struct *cow_src;	/* NULL: the store is this mm's */
	struct intern_table *names;	/* the kernel's interned strings */
	const struct vma_store_ops *vma_ops;	/* the VMA store */
	void *vma_root;			/* its private root */
	enum vma_forkdup forkdup;	/* how fork copies the store */
	bool legacy_layout;		/* bottom-up mmap from TASK_UNMAPPED_BASE */
	unsigned long mmap_base;	/* top-down layout starts below here */
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;
	char *args;			/* argv, NUL-separated */
	size_t args_len;
	char *env;			/* environ, NUL-separated */
	size_t env_len;
	unsigned long hiwater_vm, hiwater_rss;	/* VmPeak, VmHWM in pages */
	unsigned long locked_vm;	/* VmLck in pages: only import sets it
					 * (mlock is not modelled); fork and
					 * exec start at 0, as Linux */
	/*
	 * glibc's stack cache, as a hint (core/thread_stack.c): 0 unknown,
	 * else 1 + the cached stacks.  Never below the truth (a VMA gets
	 * VM_STACK_CACHED only through thread_stack_put), so 1 means "none"
	 * and spares a new thread's clone the walk over every VMA.
	 */
	unsigned int stack_cache_hint;
	int map_count;			/* beside the hint: no padding */
	/*
	 * The VMAs' totals, kept as they change (the kernel's rss_stat and
	 * total_vm), so a render reads them without walking the VMAs.  The
	 * derived counts (shared, text, lib) stay 0 here: mm_counts() adds them.
	 */
	struct mm_counts {
		unsigned long total_vm, rss, rss_anon, rss_file, rss_shmem;
		unsigned long shared, text, data, stack, lib, exec;
	} stat;			/* in pages: what statm and status Vm* print */
	const struct kstat_hook *kstat;	/* charges VMA store calls (core/kstat.h) */
};

/*
 * What every new mm of one kernel gets: the VMA store, fork's copy mode,
 * the mmap layout, and the kernel's table of interned names.  Each struct
 * kernel has its own (kernel->mm_cfg), so two kernels share nothing.
 */
struct mm_config {
	const struct vma_store_ops *vma_ops;	/* NULL: the first store, list */
	enum vma_forkdup forkdup;
	bool legacy_layout;
	struct intern_table *names;
	const struct kstat_hook *kstat;	/* accounting: kernel_init sets it */
};
/* -EINVAL if @c's store cannot do its forkdup (no dup hook for bulk). */
int mm_config_check(const struct mm_config *c);

#define TASK_UNMAPPED_BASE	PAGE_ALIGN(TASK_SIZE / 3)

/* A new, empty mm as @cfg says; NULL when out of memory. */
struct mm_struct *mm_alloc(const struct mm_config *cfg);
void mmput(struct mm_struct *mm);		/* drop a user; frees at zero */
struct mm_struct *dup_mm(const struct mm_struct *old);	/* fork's copy */

/*
 * Copy-on-write layouts.  A template is an mm that no task runs and
 * nobody changes again (populate builds a few per program); mm_share()
 * makes a new mm that reads the template's VMAs, args and env and copies
 * its own fields (the counters, brk, mmap_base...).  Every function below
 * that changes VMAs, args or env calls mm_unshare() first, which gives the
 * mm a private copy (as dup_mm copies) and drops its template reference:
 * a write through one mm never shows through another.  A failed change
 * still leaves the mm unshared (same contents, its own memory).
 * mm_template_get/put count the template's references (the owner's too);
 * dup_mm of a sharing mm makes a private copy, as fork always did.
 * Context: mm_unshare as the change it precedes (the world lock for
 * writing, or under it for reading mm->mmap_lock and tasklist_lock:
 * mm_change_begin), so no reader walks the store it replaces.  A template
 * is only read, by any number of readers; its counts are atomic.
 */
struct mm_struct *mm_share(struct mm_struct *tmpl);	/* NULL on ENOMEM */
int mm_unshare(struct mm_struct *mm);			/* 0 or -ENOMEM */
void mm_template_get(struct mm_struct *tmpl);
void mm_template_put(struct mm_struct *tmpl);
static inline bool mm_shared(const struct mm_struct *mm)
{
	return mm->cow_src != NULL;
}
int mm_set_args(struct mm_struct *mm, const char *args, size_t len);
int mm_set_env(struct mm_struct *mm, const char *env, size_t len);

struct vm_area_struct *vma_first(const struct mm_struct *mm);
struct vm_area_struct *vma_next(const struct mm_struct *mm,
				const struct vm_area_struct *vma);
/* The first VMA with vm_end > addr, as the kernel's find_vma. */
struct vm_area_struct *find_vma(const struct mm_struct *mm, unsigned long addr);
void mm_counts(const struct mm_struct *mm, struct mm_counts *c);

/* A mapping to make: mmap(2)'s arguments, and the file behind it. */
struct mmap_req {
	unsigned long addr, len;	/* addr 0: get_unmapped_area chooses */
	int prot, flags;		/* PROT_*, MAP_* */
	const char *name;		/* the file or "[heap]"; NULL: anonymous */
	unsigned long pgoff;		/* file offset in pages */
	unsigned int dev;		/* major << 8 | minor */
	unsigned long ino;
	unsigned long rss_pages;	/* how much of it is resident */
};

/*
 * Map @req into @mm.  @req->name is interned in mm->names (-ENOMEM if
 * that fails).  Returns 0 and the start in *@out, or -ENOMEM / -EINVAL /
 * -EEXIST / -EPERM / -EOVERFLOW; on error the mm is unchanged.
 * @max_map_count bounds mm->map_count.
 */
int mm_mmap(struct mm_struct *mm, const struct mmap_req *req, int max_map_count,
	    unsigned long *out);
int mm_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	      int max_map_count);
/*
 * mprotect(2): [addr, addr+len) must be mapped throughout (else -ENOMEM);
 * splits at the ends and merges again with compatible neighbours.
 */
int mm_mprotect(struct mm_struct *mm, unsigned long addr, unsigned long len,
		int prot, int max_map_count);
/* brk(2): move the program break; the heap VMA grows or shrinks. */
int mm_brk(struct mm_struct *mm, unsigned long brk, int max_map_count);
/*
 * A fault at @addr below a VM_GROWSDOWN VMA grows it (expand_downwards),
 * unless that would come within the stack guard gap of the VMA below.
 */
int mm_expand_stack(struct mm_struct *mm, unsigned long addr);
/* get_unmapped_area for @len with this mm's layout: the address or 0. */
unsigned long mm_get_unmapped_area(struct mm_struct *mm, unsigned long len);
size_t mm_store_bytes(const struct mm_struct *mm);
/* Restore: append a copy of @tmpl above the mm's last VMA; -EINVAL if not. */
int mm_restore_vma(struct mm_struct *mm, const struct vm_area_struct *tmpl);

#endif
