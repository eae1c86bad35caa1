// SPDX-License-Identifier: MIT
/*
 * Address spaces with a first, simple VMA store: one sorted list per mm.
 * get_unmapped_area is x86-64's top-down first fit below mmap_base, a
 * linear walk like Linux 2.4's; the tree stores replace it later behind
 * the same functions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mm.h"

#define MMAP_MIN_ADDR	0x10000UL

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	mm->users = 1;
	INIT_LIST_HEAD(&mm->mmap);
	mm->mmap_base = STACK_TOP - (STACK_RLIMIT + (128UL << 20));
	return mm;
}

static struct vm_area_struct *vma_alloc(void)
{
	return calloc(1, sizeof(struct vm_area_struct));
}

static void vma_unlink_free(struct mm_struct *mm, struct vm_area_struct *v)
{
	list_del_init(&v->node);
	mm->map_count--;
	free(v);
}

void mmput(struct mm_struct *mm)
{
	struct vm_area_struct *v, *n;

	if (!mm || --mm->users > 0)
		return;
	list_for_each_entry_safe(v, n, &mm->mmap, node)
		free(v);
	free(mm->args);
	free(mm->env);
	free(mm);
}

static int copy_bytes(char **dst, size_t *dst_len, const char *src, size_t len)
{
	char *p = NULL;

	if (len) {
		p = malloc(len);
		if (!p)
			return -ENOMEM;
		memcpy(p, src, len);
	}
	free(*dst);
	*dst = p;
	*dst_len = len;
	return 0;
}

int mm_set_args(struct mm_struct *mm, const char *args, size_t len)
{
	return copy_bytes(&mm->args, &mm->args_len, args, len);
}

int mm_set_env(struct mm_struct *mm, const char *env, size_t len)
{
	return copy_bytes(&mm->env, &mm->env_len, env, len);
}

struct mm_struct *dup_mm(const struct mm_struct *old)
{
	struct mm_struct *mm = mm_alloc();
	struct vm_area_struct *v;

	if (!mm)
		return NULL;
	*mm = *old;
	mm->users = 1;
	mm->args = mm->env = NULL;
	INIT_LIST_HEAD(&mm->mmap);
	mm->map_count = 0;
	if (copy_bytes(&mm->args, &mm->args_len, old->args, old->args_len) ||
	    copy_bytes(&mm->env, &mm->env_len, old->env, old->env_len))
		goto fail;
	list_for_each_entry(v, &old->mmap, node) {
		struct vm_area_struct *c = vma_alloc();

		if (!c)
			goto fail;
		*c = *v;
		list_add_tail(&c->node, &mm->mmap);
		mm->map_count++;
	}
	return mm;
fail:
	mmput(mm);
	return NULL;
}

struct vm_area_struct *vma_first(const struct mm_struct *mm)
{
	if (!mm || list_empty(&mm->mmap))
		return NULL;
	return list_first_entry(&mm->mmap, struct vm_area_struct, node);
}

struct vm_area_struct *vma_next(const struct mm_struct *mm,
				const struct vm_area_struct *vma)
{
	if (vma->node.next == &mm->mmap)
		return NULL;
	return list_entry(vma->node.next, struct vm_area_struct, node);
}

static struct vm_area_struct *vma_prev(const struct mm_struct *mm,
				       const struct vm_area_struct *vma)
{
	if (vma->node.prev == &mm->mmap)
		return NULL;
	return list_entry(vma->node.prev, struct vm_area_struct, node);
}

struct vm_area_struct *find_vma(const struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v;

	for (v = vma_first(mm); v; v = vma_next(mm, v))
		if (v->vm_end > addr)
			return v;
	return NULL;
}

void mm_counts(const struct mm_struct *mm, struct mm_counts *c)
{
	struct vm_area_struct *v;

	memset(c, 0, sizeof(*c));
	if (!mm)
		return;
	for (v = vma_first(mm); v; v = vma_next(mm, v)) {
		unsigned long pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
		bool anon = v->vm_flags & VM_ANON;

		c->total_vm += pages;
		c->rss += v->rss_pages;
		if (v->vm_flags & VM_SHARED)
			c->rss_shmem += anon ? v->rss_pages : 0;
		if (anon && !(v->vm_flags & VM_SHARED))
			c->rss_anon += v->rss_pages;
		else if (!anon)
			c->rss_file += v->rss_pages;
		if (v->vm_flags & VM_GROWSDOWN)
			c->stack += pages;
		else if ((v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			c->data += pages;
		else if ((v->vm_flags & (VM_EXEC | VM_WRITE)) == VM_EXEC)
			c->exec += pages;
	}
	c->shared = c->rss_file + c->rss_shmem;
	if (mm->end_code > mm->start_code)
		c->text = (PAGE_ALIGN(mm->end_code) - (mm->start_code & ~(PAGE_SIZE - 1)))
			  >> PAGE_SHIFT;
	c->lib = c->exec > c->text ? c->exec - c->text : 0;
}

static unsigned long prot_to_flags(int prot, int flags)
{
	unsigned long vf = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (prot & PROT_READ)
		vf |= VM_READ;
	if (prot & PROT_WRITE)
		vf |= VM_WRITE;
	if (prot & PROT_EXEC)
		vf |= VM_EXEC;
	if (flags & MAP_SHARED)
		vf |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_GROWSDOWN)
		vf |= VM_GROWSDOWN;
	return vf;
}

/* Top-down first fit below mmap_base: highest hole of @len, or 0. */
static unsigned long unmapped_area_topdown(const struct mm_struct *mm,
					   unsigned long len)
{
	unsigned long high = mm->mmap_base;
	struct vm_area_struct *v;

	list_for_each_entry_reverse(v, &mm->mmap, node) {
		if (v->vm_start >= high)
			continue;
		if (v->vm_end < high && high - v->vm_end >= len)
			return high - len;
		high = v->vm_start;
	}
	return high >= MMAP_MIN_ADDR + len ? high - len : 0;
}

static bool range_free(const struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	struct vm_area_struct *v = find_vma(mm, start);

	return !v || v->vm_start >= end;
}

/* VMAs after an unmap of [start,end): how many more (a split) or fewer. */
static int unmap_delta(const struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	struct vm_area_struct *v;
	int delta = 0;

	for (v = find_vma(mm, start); v && v->vm_start < end; v = vma_next(mm, v)) {
		bool head = v->vm_start < start, tail = v->vm_end > end;

		if (head && tail)
			delta++;
		else if (!head && !tail)
			delta--;
	}
	return delta;
}

/*
 * VMAs set aside before a change starts, so that its splits cannot fail
 * half-way: an unmap of one range splits at most twice.
 */
struct vma_spares {
	struct vm_area_struct *v[2];
	int n;
};

static int spares_get(struct vma_spares *s)
{
	for (s->n = 0; s->n < 2; s->n++) {
		s->v[s->n] = vma_alloc();
		if (!s->v[s->n]) {
			while (s->n--)
				free(s->v[s->n]);
			return -ENOMEM;
		}
	}
	return 0;
}

static void spares_put(struct vma_spares *s)
{
	while (s->n--)
		free(s->v[s->n]);
}

/* Cut @v at @addr; @v keeps the low part and the new VMA follows it. */
static void split_vma(struct mm_struct *mm, struct vm_area_struct *v,
		      unsigned long addr, struct vma_spares *s)
{
	struct vm_area_struct *n = s->v[--s->n];
	unsigned long low = (addr - v->vm_start) >> PAGE_SHIFT;
	unsigned long pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;

	*n = *v;
	n->vm_start = addr;
	v->vm_end = addr;
	if (!(v->vm_flags & VM_ANON))
		n->vm_pgoff += low;
	/* Residency splits in proportion: the model keeps no page table. */
	n->rss_pages = v->rss_pages * (pages - low) / pages;
	v->rss_pages -= n->rss_pages;
	list_add(&n->node, &v->node);
	mm->map_count++;
}

static void unmap_range(struct mm_struct *mm, unsigned long start,
			unsigned long end, struct vma_spares *s)
{
	struct vm_area_struct *v = find_vma(mm, start), *next;

	if (v && v->vm_start < start) {
		split_vma(mm, v, start, s);
		v = vma_next(mm, v);
	}
	while (v && v->vm_start < end) {
		if (v->vm_end > end)
			split_vma(mm, v, end, s);
		next = vma_next(mm, v);
		vma_unlink_free(mm, v);
		v = next;
	}
}

static bool can_merge(const struct vm_area_struct *a, unsigned long vm_flags,
		      const char *name)
{
	return a && (a->vm_flags & VM_ANON) && a->vm_flags == vm_flags &&
	       a->name == name;
}

int mm_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	    int prot, int flags, const char *name, unsigned long pgoff,
	    unsigned int dev, unsigned long ino, unsigned long rss_pages,
	    int max_map_count, unsigned long *out)
{
	unsigned long vm_flags = prot_to_flags(prot, flags);
	struct vm_area_struct *v, *prev, *next;
	int delta = 1;

	if (!len || (addr & (PAGE_SIZE - 1)) || (prot & ~7) ||
	    !(flags & (MAP_SHARED | MAP_PRIVATE)))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len || len > TASK_SIZE - MMAP_MIN_ADDR)
		return -ENOMEM;
	if (!name || name[0] == '[')	/* [heap], [stack]: anonymous memory */
		vm_flags |= VM_ANON;
	name = vma_name_intern(name);
	if (flags & MAP_FIXED_NOREPLACE) {
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if (!range_free(mm, addr, addr + len))
			return -EEXIST;
		flags &= ~MAP_FIXED;	/* nothing to replace */
	} else if (flags & MAP_FIXED) {
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;		/* mmap_min_addr, as Linux */
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		delta += unmap_delta(mm, addr, addr + len);
	} else if (!addr || addr < MMAP_MIN_ADDR || addr > TASK_SIZE - len ||
		   !range_free(mm, addr, addr + len)) {
		addr = unmapped_area_topdown(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	if (mm->map_count + delta > max_map_count)
		return -ENOMEM;
	v = vma_alloc();
	if (!v)
		return -ENOMEM;
	if (flags & MAP_FIXED) {
		struct vma_spares s;

		if (spares_get(&s)) {
			free(v);
			return -ENOMEM;
		}
		unmap_range(mm, addr, addr + len, &s);
		spares_put(&s);
	}
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->vm_flags = vm_flags;
	v->vm_pgoff = pgoff;
	v->dev = dev;
	v->ino = ino;
	v->name = name;
	v->rss_pages = rss_pages;
	next = find_vma(mm, addr);
	prev = next ? vma_prev(mm, next) : (list_empty(&mm->mmap) ? NULL :
		list_entry(mm->mmap.prev, struct vm_area_struct, node));
	/* vma_merge: grow a compatible anonymous neighbour instead. */
	if (can_merge(prev, vm_flags, name) && prev->vm_end == addr) {
		prev->vm_end = v->vm_end;
		prev->rss_pages += rss_pages;
		free(v);
		if (can_merge(next, vm_flags, name) && next->vm_start == prev->vm_end) {
			prev->vm_end = next->vm_end;
			prev->rss_pages += next->rss_pages;
			vma_unlink_free(mm, next);
		}
	} else if (can_merge(next, vm_flags, name) && next->vm_start == v->vm_end) {
		next->vm_start = addr;
		next->rss_pages += rss_pages;
		free(v);
	} else {
		if (next)
			list_add_tail(&v->node, &next->node);
		else
			list_add_tail(&v->node, &mm->mmap);
		mm->map_count++;
	}
	*out = addr;
	return 0;
}

int mm_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	      int max_map_count)
{
	if ((addr & (PAGE_SIZE - 1)) || !len || addr > TASK_SIZE ||
	    len > TASK_SIZE - addr)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	struct vma_spares s;

	if (mm->map_count + unmap_delta(mm, addr, addr + len) > max_map_count)
		return -ENOMEM;
	if (spares_get(&s))
		return -ENOMEM;
	unmap_range(mm, addr, addr + len, &s);
	spares_put(&s);
	return 0;
}
