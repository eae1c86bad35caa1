/* SPDX-License-Identifier: MIT */
/*
 * VMA stores: the structure that holds an mm's VMAs, sorted by address,
 * and answers get_unmapped_area's hole search.
 *
 * Every store fills one struct vma_store_ops and lives in one file,
 * core/vma_<name>.c; core/vma_store.c holds the registry and what all
 * stores share: the gap rule (the hole before a VMA, with the stack guard
 * gap below a VM_GROWSDOWN VMA, as mm/mmap.c:vm_start_gap) and the
 * clipping of a hole to the search window.
 *
 * Stores never allocate VMAs and never change a VMA's range: mm.c removes
 * a VMA before changing its range and inserts it again after, so a store
 * that caches gaps stays right.  insert() cannot fail: a store that needs
 * memory for nodes reserves it in prealloc() before the change starts
 * (the kernel's mas_preallocate), so a change is all or nothing.
 */
#ifndef PROCSIM_VMA_STORE_H
#define PROCSIM_VMA_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct vm_area_struct;

/* What vm_unmapped_area() looks for: a hole of @length in [low, high). */
struct vm_unmapped_area_info {
	unsigned long length;
	unsigned long low_limit, high_limit;
	bool topdown;			/* highest fit, else lowest */
};

/* Copies one VMA for fork; NULL on ENOMEM. */
typedef struct vm_area_struct *(*vma_copy_fn)(const struct vm_area_struct *v,
					      void *arg);

struct vma_store_ops {
	const char *name;
	const char *desc;		/* one line, for config and --help */
	size_t vma_size;		/* VMA_SIZE(its union member) */
	void *(*create)(void);		/* NULL on ENOMEM */
	/* Free the store's own nodes; @free_vma is called on every VMA. */
	void (*destroy)(void *root, void (*free_vma)(struct vm_area_struct *));
	/* Reserve memory for @n inserts and removes; 0 or -ENOMEM. Optional. */
	int (*prealloc)(void *root, int n);
	void (*insert)(void *root, struct vm_area_struct *v);
	void (*remove)(void *root, struct vm_area_struct *v);
	/* The first VMA with vm_end > addr (find_vma), or NULL. */
	struct vm_area_struct *(*find)(void *root, unsigned long addr);
	struct vm_area_struct *(*first)(void *root);
	struct vm_area_struct *(*last)(void *root);
	struct vm_area_struct *(*next)(void *root, const struct vm_area_struct *v);
	struct vm_area_struct *(*prev)(void *root, const struct vm_area_struct *v);
	/*
	 * The hole search over the holes before each VMA (the hole above the
	 * last VMA is the caller's).  Returns the address or 0.  Not const:
	 * the cache store moves its cursor.
	 */
	unsigned long (*unmapped_area)(void *root,
				       const struct vm_unmapped_area_info *info);
	/* Optional: [start, end) became free (munmap), for cached cursors. */
	void (*note_unmap)(void *root, unsigned long start, unsigned long end);
	/*
	 * Optional: fork's bulk copy of the whole structure (mtree_dup), each
	 * VMA replaced by @copy's.  NULL hook: the store cannot, and
	 * forkdup=bulk is refused for it.  Returns the new root or NULL.
	 */
	void *(*dup)(void *root, vma_copy_fn copy, void *arg,
		     void (*free_vma)(struct vm_area_struct *));
	size_t (*mem_bytes)(void *root);	/* the store's own nodes */
};

/* The registry: NULL-terminated, in the order --help lists them. */
extern const struct vma_store_ops *const vma_store_backends[];
const struct vma_store_ops *vma_store_find_ops(const char *name);

/* How fork copies an mm's store. */
enum vma_forkdup { FORKDUP_INSERT, FORKDUP_BULK };
const char *vma_forkdup_name(enum vma_forkdup d);

/* mm/mmap.c's stack_guard_gap: 256 pages below a stack. */
#define STACK_GUARD_GAP		(256UL << 12)

unsigned long vm_start_gap(const struct vm_area_struct *v);
/* The hole below @v: from @prev's end (0 if none) to vm_start_gap(@v). */
unsigned long vma_gap_start(const struct vm_area_struct *prev);
unsigned long vma_gap(const struct vm_area_struct *prev,
		      const struct vm_area_struct *v);
/*
 * Fit @info in the hole [start, end): the address (highest for top-down,
 * lowest for bottom-up) or 0 if it does not fit.
 */
unsigned long hole_fit(unsigned long start, unsigned long end,
		       const struct vm_unmapped_area_info *info);
/*
 * The linear walk over a store's own next/prev (Linux 2.4's first fit),
 * from @from (top-down: the VMAs at or below it; NULL: from the end, or
 * from the first VMA bottom-up).  Used by list and cache.  If @largest is
 * not NULL it gets the largest hole skipped (cached_hole_size).
 */
unsigned long vma_walk_unmapped_area(void *root, const struct vma_store_ops *ops,
				     const struct vm_unmapped_area_info *info,
				     struct vm_area_struct *from,
				     unsigned long *largest);

#endif
