/* SPDX-License-Identifier: MIT */
/*
 * The gap-augmented AVL tree of VMAs, shared by the gaptree store and the
 * cache store (which uses it as 2.6's mm_rb: an O(log n) find_vma, and
 * walks it in order for its own hole search).
 */
#ifndef PROCSIM_VMA_GAPTREE_H
#define PROCSIM_VMA_GAPTREE_H

#include "mm.h"

struct gaptree {
	struct vm_area_struct *root;
	unsigned long nr;
};

void gt_init(struct gaptree *t);
void gt_destroy(void *root, void (*free_vma)(struct vm_area_struct *));
void gt_insert(void *root, struct vm_area_struct *v);
void gt_remove(void *root, struct vm_area_struct *v);
struct vm_area_struct *gt_find(void *root, unsigned long addr);
struct vm_area_struct *gt_first(void *root);
struct vm_area_struct *gt_last(void *root);
struct vm_area_struct *gt_next(void *root, const struct vm_area_struct *v);
struct vm_area_struct *gt_prev(void *root, const struct vm_area_struct *v);

#endif
