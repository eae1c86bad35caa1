// SPDX-License-Identifier: MIT
/*
 * The list store: one sorted doubly linked list, as Linux 2.4's mm->mmap
 * (without its AVL).  find is a linear walk; so is the hole search, a
 * first fit over every VMA (2.4's arch_get_unmapped_area).
 */
#include <stdlib.h>
#include "vma_list.h"

void vma_list_init(struct vma_list *l)
{
	INIT_LIST_HEAD(&l->head);
	l->hint = NULL;
	l->nr = 0;
}

static void *list_create(void)
{
	struct vma_list *l = malloc(sizeof(*l));

	if (l)
		vma_list_init(l);
	return l;
}

void vma_list_destroy(void *root, void (*free_vma)(struct vm_area_struct *))
{
	struct vma_list *l = root;
	struct vm_area_struct *v, *n;

	list_for_each_entry_safe(v, n, &l->head, node)
		free_vma(v);
	free(l);
}

/*
 * From the last insert: fork appends in order and binfmt maps each
 * library's segments upwards just below the previous library, so both are
 * O(1) where a walk from either end would cross every VMA.
 */
void vma_list_insert(void *root, struct vm_area_struct *v)
{
	struct vma_list *l = root;
	struct list_head *pos = l->hint ? l->hint : l->head.prev;

	while (pos != &l->head &&
	       list_entry(pos, struct vm_area_struct, node)->vm_start > v->vm_start)
		pos = pos->prev;
	while (pos->next != &l->head &&
	       list_entry(pos->next, struct vm_area_struct, node)->vm_start < v->vm_start)
		pos = pos->next;
	list_add(&v->node, pos);
	l->hint = &v->node;
	l->nr++;
}

void vma_list_remove(void *root, struct vm_area_struct *v)
{
	struct vma_list *l = root;

	if (l->hint == &v->node)
		l->hint = NULL;
	list_del_init(&v->node);
	l->nr--;
}

struct vm_area_struct *vma_list_find(void *root, unsigned long addr)
{
	struct vma_list *l = root;
	struct vm_area_struct *v;

	list_for_each_entry(v, &l->head, node)
		if (v->vm_end > addr)
			return v;
	return NULL;
}

struct vm_area_struct *vma_list_first(void *root)
{
	struct vma_list *l = root;

	return list_empty(&l->head) ? NULL :
		list_first_entry(&l->head, struct vm_area_struct, node);
}

struct vm_area_struct *vma_list_last(void *root)
{
	struct vma_list *l = root;

	return list_empty(&l->head) ? NULL :
		list_entry(l->head.prev, struct vm_area_struct, node);
}

struct vm_area_struct *vma_list_next(void *root, const struct vm_area_struct *v)
{
	struct vma_list *l = root;

	return v->node.next == &l->head ? NULL :
		list_entry(v->node.next, struct vm_area_struct, node);
}

struct vm_area_struct *vma_list_prev(void *root, const struct vm_area_struct *v)
{
	struct vma_list *l = root;

	return v->node.prev == &l->head ? NULL :
		list_entry(v->node.prev, struct vm_area_struct, node);
}

static unsigned long list_unmapped_area(void *root,
					const struct vm_unmapped_area_info *info)
{
	return vma_walk_unmapped_area(root, &vma_list_ops, info, NULL, NULL);
}

static size_t list_mem_bytes(void *root)
{
	(void)root;
	return sizeof(struct vma_list);		/* the links live in the VMAs */
}

const struct vma_store_ops vma_list_ops = {
	.name		= "list",
	.desc		= "sorted list, linear first-fit hole search (2.4)",
	.vma_size	= VMA_SIZE(node),
	.create		= list_create,
	.destroy	= vma_list_destroy,
	.insert		= vma_list_insert,
	.remove		= vma_list_remove,
	.find		= vma_list_find,
	.first		= vma_list_first,
	.last		= vma_list_last,
	.next		= vma_list_next,
	.prev		= vma_list_prev,
	.unmapped_area	= list_unmapped_area,
	.mem_bytes	= list_mem_bytes,
};
