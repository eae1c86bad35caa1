// SPDX-License-Identifier: MIT
/* Thread stacks and glibc's stack cache: see thread_stack.h. */
#include <errno.h>
#include <sys/mman.h>
#include "thread_stack.h"

/* The stack above guard VMA @g, if @g is a thread stack's guard. */
static struct vm_area_struct *stack_above(const struct mm_struct *mm,
					  const struct vm_area_struct *g)
{
	struct vm_area_struct *s;

	if (!(g->vm_flags & VM_ANON) || g->vm_end - g->vm_start != PAGE_SIZE ||
	    (g->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return NULL;
	s = vma_next(mm, g);
	if (!s || s->vm_start != g->vm_end || !(s->vm_flags & VM_ANON) ||
	    (s->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) != (VM_READ | VM_WRITE) ||
	    s->vm_end - s->vm_start != THREAD_STACK_SIZE - PAGE_SIZE)
		return NULL;
	return s;
}

/*
 * The first stack (lowest address) that is cached (@cached) or in use.  With
 * @nr_cached the walk counts the cached ones and so visits every VMA;
 * without, it stops at the first match, which the top-down layout puts
 * near the start: the newest stacks are the lowest.
 */
static struct vm_area_struct *find_stack(struct mm_struct *mm, bool cached,
					 unsigned int *nr_cached)
{
	struct vm_area_struct *v, *s, *found = NULL;
	unsigned int nr = 0;

	for (v = vma_first(mm); v; v = vma_next(mm, v)) {
		s = stack_above(mm, v);
		if (!s)
			continue;
		nr += !!(s->vm_flags & VM_STACK_CACHED);
		if (!found && !!(s->vm_flags & VM_STACK_CACHED) == cached) {
			found = s;
			if (!nr_cached)
				break;
		}
	}
	if (nr_cached) {
		*nr_cached = nr;
		mm->stack_cache_hint = nr + 1;
	}
	return found;
}

/* How many stacks are cached: the hint, or one walk to learn it. */
static unsigned int nr_cached_stacks(struct mm_struct *mm)
{
	unsigned int nr;

	if (!mm->stack_cache_hint)
		find_stack(mm, true, &nr);
	return mm->stack_cache_hint - 1;
}

int thread_stack_get(struct kernel *k, struct mm_struct *mm)
{
	struct vm_area_struct *s;
	unsigned long addr;
	int err = mm_unshare(mm);	/* it flips a flag or maps a stack */

	if (err)
		return err;
	/* A hint above the truth (a cached stack unmapped by hand) costs a walk. */
	if (nr_cached_stacks(mm)) {
		s = find_stack(mm, true, NULL);
		if (s) {
			s->vm_flags &= ~VM_STACK_CACHED;
			mm->stack_cache_hint--;
			return 0;
		}
		mm->stack_cache_hint = 1;
	}
	/* Both VMAs checked up front: the mprotect cannot fail for map_count. */
	if (mm->map_count + 2 > k->max_map_count)
		return -ENOMEM;
	err = mm_mmap(mm, &(struct mmap_req){
			.len = THREAD_STACK_SIZE,
			.prot = PROT_READ | PROT_WRITE,
			.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK },
			k->max_map_count, &addr);
	if (err)
		return err;
	err = mm_mprotect(mm, addr, PAGE_SIZE, PROT_NONE, k->max_map_count);
	if (err)
		mm_munmap(mm, addr, THREAD_STACK_SIZE, k->max_map_count);
	return err;
}

void thread_stack_put(struct kernel *k, struct mm_struct *mm)
{
	struct vm_area_struct *s;
	unsigned int nr = nr_cached_stacks(mm);

	s = find_stack(mm, false, NULL);
	if (!s)
		return;		/* a thread populate made without a stack */
	if (mm_shared(mm)) {	/* a flag is a write too: find it in our copy */
		if (mm_unshare(mm))
			return;
		s = find_stack(mm, false, NULL);
	}
	s->vm_flags |= VM_STACK_CACHED;
	mm->stack_cache_hint++;
	if (++nr <= STACK_CACHE_MAX)
		return;
	/* A hint above the truth (a cached stack unmapped by hand) trims early. */
	s = find_stack(mm, true, NULL);
	if (!s)
		return;
	/* Whole VMAs: nothing to split, so nothing to allocate or fail. */
	(void)mm_munmap(mm, s->vm_start - PAGE_SIZE, THREAD_STACK_SIZE,
			k->max_map_count);
	mm->stack_cache_hint--;
}
