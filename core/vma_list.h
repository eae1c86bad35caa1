/* SPDX-License-Identifier: MIT */
/* The sorted VMA list, shared by the list and cache stores. */
#ifndef PROCSIM_VMA_LIST_H
#define PROCSIM_VMA_LIST_H

#include "mm.h"

struct vma_list {
	struct list_head head;
	struct list_head *hint;		/* the last VMA inserted, or NULL */
	unsigned long nr;
};

extern const struct vma_store_ops vma_list_ops;

void vma_list_init(struct vma_list *l);
void vma_list_destroy(void *root, void (*free_vma)(struct vm_area_struct *));
void vma_list_insert(void *root, struct vm_area_struct *v);
void vma_list_remove(void *root, struct vm_area_struct *v);
struct vm_area_struct *vma_list_find(void *root, unsigned long addr);
struct vm_area_struct *vma_list_first(void *root);
struct vm_area_struct *vma_list_last(void *root);
struct vm_area_struct *vma_list_next(void *root, const struct vm_area_struct *v);
struct vm_area_struct *vma_list_prev(void *root, const struct vm_area_struct *v);

#endif
