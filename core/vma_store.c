// SPDX-License-Identifier: MIT
/*
 * The VMA store registry and what every store shares: the gap rule and
 * the linear hole walk (mm/mmap.c:unmapped_area before 3.8).
 */
#include <string.h>
#include "registry.h"
#include "mm.h"
#include "vma_store.h"

extern const struct vma_store_ops vma_list_ops, vma_cache_ops,
	vma_gaptree_ops, vma_maple_ops;

/* One line per store: adding a store is its file plus a line here. */
const struct vma_store_ops *const vma_store_backends[] = {
	&vma_list_ops,
	&vma_cache_ops,
	&vma_gaptree_ops,
	&vma_maple_ops,
	NULL,
};

const struct vma_store_ops *vma_store_find_ops(const char *name)
{
	return REGISTRY_FIND(vma_store_backends, name);
}

const char *vma_forkdup_name(enum vma_forkdup d)
{
	return d == FORKDUP_BULK ? "bulk" : "insert";
}

unsigned long vm_start_gap(const struct vm_area_struct *v)
{
	unsigned long s = v->vm_start;

	if (!(v->vm_flags & VM_GROWSDOWN))
		return s;
	return s > STACK_GUARD_GAP ? s - STACK_GUARD_GAP : 0;
}

unsigned long vma_gap_start(const struct vm_area_struct *prev)
{
	return prev ? prev->vm_end : 0;
}

unsigned long vma_gap(const struct vm_area_struct *prev,
		      const struct vm_area_struct *v)
{
	unsigned long s = vma_gap_start(prev), e = vm_start_gap(v);

	return e > s ? e - s : 0;
}

unsigned long hole_fit(unsigned long start, unsigned long end,
		       const struct vm_unmapped_area_info *info)
{
	unsigned long lo = start > info->low_limit ? start : info->low_limit;
	unsigned long hi = end < info->high_limit ? end : info->high_limit;

	if (hi <= lo || hi - lo < info->length)
		return 0;
	return info->topdown ? hi - info->length : lo;
}

unsigned long vma_walk_unmapped_area(void *root, const struct vma_store_ops *ops,
				     const struct vm_unmapped_area_info *info,
				     struct vm_area_struct *from,
				     unsigned long *largest)
{
	struct vm_area_struct *v, *prev;
	unsigned long addr, s, e;

	if (info->topdown) {
		for (v = from ? from : ops->last(root); v; v = prev) {
			prev = ops->prev(root, v);
			s = vma_gap_start(prev);
			e = vm_start_gap(v);
			addr = hole_fit(s, e, info);
			if (addr)
				return addr;
			if (largest && e > s && s < info->high_limit) {
				unsigned long hi = e < info->high_limit ? e : info->high_limit;

				if (hi - s > *largest)
					*largest = hi - s;
			}
			/* Holes further down end below @prev's end, @s. */
			if (s <= info->low_limit)
				break;
		}
		return 0;
	}
	v = from ? from : ops->first(root);
	prev = v ? ops->prev(root, v) : NULL;
	for (; v; prev = v, v = ops->next(root, v)) {
		s = vma_gap_start(prev);
		e = vm_start_gap(v);
		if (s >= info->high_limit)
			break;
		addr = hole_fit(s, e, info);
		if (addr)
			return addr;
		if (largest && e > s && e > info->low_limit) {
			unsigned long lo = s > info->low_limit ? s : info->low_limit;

			if (e - lo > *largest)
				*largest = e - lo;
		}
	}
	return 0;
}
