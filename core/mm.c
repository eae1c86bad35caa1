// SPDX-License-Identifier: MIT
/*
 * Address spaces: the memory model over a pluggable VMA store
 * (vma_store.h).  mmap with hints, MAP_FIXED and MAP_FIXED_NOREPLACE,
 * munmap, mprotect, brk and stack growth, vma_merge of compatible
 * neighbours, vm.max_map_count, and fork's copy in two modes.
 *
 * All or nothing: every change first checks map_count, then reserves what
 * it may need (spare VMAs for splits, the store's nodes), and only then
 * touches the store, so it cannot fail half-way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kerr.h"
#include "mm.h"

#define MMAP_MIN_ADDR	0x10000UL
/* Store nodes a change may need: splits, the new VMA, merges' re-inserts. */
#define MM_PREALLOC	8

static const struct vma_store_ops *config_ops(const struct mm_config *c)
{
	return c->vma_ops ? c->vma_ops : vma_store_backends[0];
}

int mm_config_check(const struct mm_config *c)
{
	return c->forkdup == FORKDUP_BULK && !config_ops(c)->dup ? -EINVAL : 0;
}

static struct mm_struct *mm_alloc_store(const struct vma_store_ops *ops,
					struct intern_table *names)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	pthread_mutex_init(&mm->mmap_lock, NULL);
	mm->vma_ops = ops;
	mm->vma_root = ops->create();
	if (!mm->vma_root) {
		free(mm);
		return NULL;
	}
	mm->users = 1;
	mm->names = names;
	mm->mmap_base = STACK_TOP - (STACK_RLIMIT + (128UL << 20));
	return mm;
}

struct mm_struct *mm_alloc(const struct mm_config *cfg)
{
	struct mm_struct *mm = mm_alloc_store(config_ops(cfg), cfg->names);

	if (mm) {
		mm->forkdup = cfg->forkdup;
		mm->legacy_layout = cfg->legacy_layout;
		mm->kstat = cfg->kstat;
	}
	return mm;
}

/* A VMA as big as @ops's links need (vma_store_ops.vma_size). */
static struct vm_area_struct *vma_alloc(const struct vma_store_ops *ops)
{
	return calloc(1, ops->vma_size);
}

static void vma_free(struct vm_area_struct *v)
{
	free(v);
}

/*
 * Add (@sign 1) or take away (-1) a linked VMA's share of mm->stat.  Every
 * change to a linked VMA's range, flags or residency goes through the
 * helpers below, which take its old share away and add its new one.
 */
static void vma_stat(struct mm_struct *mm, const struct vm_area_struct *v,
		     long sign)
{
	struct mm_counts *c = &mm->stat;
	unsigned long pages = sign * (long)((v->vm_end - v->vm_start) >> PAGE_SHIFT);
	unsigned long rss = sign * (long)v->rss_pages;	/* modulo 2^64 */
	bool anon = v->vm_flags & VM_ANON, shared = v->vm_flags & VM_SHARED;

	c->total_vm += pages;
	c->rss += rss;
	if (!anon)
		c->rss_file += rss;
	else if (shared)
		c->rss_shmem += rss;
	else
		c->rss_anon += rss;
	if (v->vm_flags & VM_GROWSDOWN)
		c->stack += pages;
	else if ((v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		c->data += pages;
	else if ((v->vm_flags & (VM_EXEC | VM_WRITE)) == VM_EXEC)
		c->exec += pages;
}

/* The store's hooks, with map_count and mm->stat kept beside them. */
static void vma_link(struct mm_struct *mm, struct vm_area_struct *v)
{
	mm->vma_ops->insert(mm->vma_root, v);
	mm->map_count++;
	vma_stat(mm, v, 1);
}

static void vma_unlink_free(struct mm_struct *mm, struct vm_area_struct *v)
{
	vma_stat(mm, v, -1);
	mm->vma_ops->remove(mm->vma_root, v);
	mm->map_count--;
	free(v);
}

/* A VMA's range changes only out of the store: gap caches stay right. */
static void vma_set_range(struct mm_struct *mm, struct vm_area_struct *v,
			  unsigned long start, unsigned long end)
{
	vma_stat(mm, v, -1);
	mm->vma_ops->remove(mm->vma_root, v);
	v->vm_start = start;
	v->vm_end = end;
	mm->vma_ops->insert(mm->vma_root, v);
	vma_stat(mm, v, 1);
}

static void vma_add_rss(struct mm_struct *mm, struct vm_area_struct *v,
			long pages)
{
	vma_stat(mm, v, -1);
	v->rss_pages += pages;
	vma_stat(mm, v, 1);
}

static void vma_set_flags(struct mm_struct *mm, struct vm_area_struct *v,
			  unsigned long vm_flags)
{
	vma_stat(mm, v, -1);
	v->vm_flags = vm_flags;
	vma_stat(mm, v, 1);
}

static int store_prealloc(struct mm_struct *mm, int n)
{
	return mm->vma_ops->prealloc ? mm->vma_ops->prealloc(mm->vma_root, n) : 0;
}

int mm_restore_vma(struct mm_struct *mm, const struct vm_area_struct *tmpl)
{
	struct vm_area_struct *last, *v;

	if (mm_unshare(mm))
		return -ENOMEM;
	last = mm->vma_ops->last(mm->vma_root);
	/* Restored in address order: each must lie above the one before. */
	if (tmpl->vm_start >= tmpl->vm_end || tmpl->vm_end > TASK_SIZE ||
	    (tmpl->vm_start | tmpl->vm_end) & (PAGE_SIZE - 1) ||
	    (last && tmpl->vm_start < last->vm_end))
		return -EINVAL;
	v = vma_alloc(mm->vma_ops);
	if (!v)
		return -ENOMEM;
	if (store_prealloc(mm, 1)) {
		free(v);
		return -ENOMEM;
	}
	v->vm_start = tmpl->vm_start;
	v->vm_end = tmpl->vm_end;
	v->vm_flags = tmpl->vm_flags;
	v->vm_pgoff = tmpl->vm_pgoff;
	v->dev = tmpl->dev;
	v->ino = tmpl->ino;
	v->name = tmpl->name;
	v->rss_pages = tmpl->rss_pages;
	vma_link(mm, v);
	return 0;
}

size_t mm_store_bytes(const struct mm_struct *mm)
{
	return mm->vma_ops->mem_bytes(mm->vma_root);
}

/* The last reference went: a sharing mm drops its template's. */
static void mm_free(struct mm_struct *mm)
{
	if (mm->cow_src) {
		mm_template_put(mm->cow_src);
	} else {
		mm->vma_ops->destroy(mm->vma_root, vma_free);
		free(mm->args);
		free(mm->env);
	}
	pthread_mutex_destroy(&mm->mmap_lock);
	free(mm);
}

void mmput(struct mm_struct *mm)
{
	if (!mm || --mm->users > 0)
		return;
	mm_free(mm);
}

void mm_template_get(struct mm_struct *tmpl)
{
	__atomic_add_fetch(&tmpl->cow_refs, 1, __ATOMIC_RELAXED);
}

void mm_template_put(struct mm_struct *tmpl)
{
	if (__atomic_sub_fetch(&tmpl->cow_refs, 1, __ATOMIC_ACQ_REL) == 0)
		mm_free(tmpl);
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
	return mm_unshare(mm) ?: copy_bytes(&mm->args, &mm->args_len, args, len);
}

int mm_set_env(struct mm_struct *mm, const char *env, size_t len)
{
	return mm_unshare(mm) ?: copy_bytes(&mm->env, &mm->env_len, env, len);
}

/* @arg: the store's ops; only the VMA's own size is copied. */
static struct vm_area_struct *vma_copy(const struct vm_area_struct *v,
				       void *arg)
{
	const struct vma_store_ops *ops = arg;
	struct vm_area_struct *c = malloc(ops->vma_size);

	if (c)
		memcpy(c, v, ops->vma_size);
	return c;
}

/*
 * dup_mmap: @old's VMAs into @mm's empty store, VMA by VMA or the whole
 * tree (mtree_dup); mm->map_count and mm->stat count them.  -ENOMEM
 * leaves part of them in @mm's store, for the caller to destroy.
 */
static int copy_vmas(struct mm_struct *mm, const struct mm_struct *old)
{
	const struct vma_store_ops *ops = old->vma_ops;
	struct vm_area_struct *v;
	void *root;

	mm->map_count = 0;
	memset(&mm->stat, 0, sizeof(mm->stat));	/* vma_link counts again */
	if (mm->forkdup == FORKDUP_BULK && ops->dup) {
		root = ops->dup(old->vma_root, vma_copy, (void *)ops, vma_free);
		if (!root)
			return -ENOMEM;
		ops->destroy(mm->vma_root, vma_free);
		mm->vma_root = root;
		mm->map_count = old->map_count;
		mm->stat = old->stat;
		return 0;
	}
	for (v = vma_first(old); v; v = vma_next(old, v)) {
		struct vm_area_struct *c = vma_copy(v, (void *)ops);

		if (!c || store_prealloc(mm, 1)) {
			free(c);
			return -ENOMEM;
		}
		vma_link(mm, c);
	}
	return 0;
}

struct mm_struct *dup_mm(const struct mm_struct *old)
{
	struct mm_struct *mm = mm_alloc_store(old->vma_ops, old->names);
	void *root;

	if (!mm)
		return NULL;
	root = mm->vma_root;
	*mm = *old;
	pthread_mutex_init(&mm->mmap_lock, NULL);	/* old's is held */
	mm->vma_root = root;
	mm->users = 1;
	mm->cow_refs = 0;
	mm->cow_src = NULL;		/* a sharing parent's child gets a copy */
	mm->args = mm->env = NULL;
	mm->locked_vm = 0;		/* mlock is not inherited */
	if (copy_bytes(&mm->args, &mm->args_len, old->args, old->args_len) ||
	    copy_bytes(&mm->env, &mm->env_len, old->env, old->env_len) ||
	    copy_vmas(mm, old)) {
		mmput(mm);
		return NULL;
	}
	return mm;
}

struct mm_struct *mm_share(struct mm_struct *tmpl)
{
	struct mm_struct *mm = malloc(sizeof(*mm));

	if (!mm)
		return NULL;
	*mm = *tmpl;
	pthread_mutex_init(&mm->mmap_lock, NULL);
	mm->users = 1;
	mm->cow_refs = 0;
	mm->cow_src = tmpl;
	mm_template_get(tmpl);
	return mm;
}

int mm_unshare(struct mm_struct *mm)
{
	struct mm_struct *src = mm->cow_src;
	char *args = NULL, *env = NULL;
	size_t args_len, env_len;

#ifdef PROCSIM_MUTATE_no_unshare	/* test hook: see tools/test */
	return 0;
#endif
	if (!src)
		return 0;
	if (copy_bytes(&args, &args_len, src->args, src->args_len) ||
	    copy_bytes(&env, &env_len, src->env, src->env_len))
		goto fail;
	mm->vma_root = mm->vma_ops->create();
	if (!mm->vma_root)
		goto fail;
	if (copy_vmas(mm, src)) {
		mm->vma_ops->destroy(mm->vma_root, vma_free);
		goto fail;
	}
	mm->args = args;
	mm->env = env;
	mm->cow_src = NULL;
	mm_template_put(src);
	return 0;
fail:	/* still sharing, as it was */
	mm->vma_root = src->vma_root;
	mm->map_count = src->map_count;
	mm->stat = src->stat;
	free(args);
	free(env);
	return -ENOMEM;
}

struct vm_area_struct *vma_first(const struct mm_struct *mm)
{
	return mm ? KSTAT_TIMED(mm->kstat, KSTAT_VMA,
				mm->vma_ops->first(mm->vma_root)) : NULL;
}

struct vm_area_struct *vma_next(const struct mm_struct *mm,
				const struct vm_area_struct *vma)
{
	return KSTAT_TIMED(mm->kstat, KSTAT_VMA, mm->vma_ops->next(mm->vma_root, vma));
}

static struct vm_area_struct *vma_prev(const struct mm_struct *mm,
				       const struct vm_area_struct *vma)
{
	return mm->vma_ops->prev(mm->vma_root, vma);
}

struct vm_area_struct *find_vma(const struct mm_struct *mm, unsigned long addr)
{
	return mm ? KSTAT_TIMED(mm->kstat, KSTAT_VMA,
				mm->vma_ops->find(mm->vma_root, addr)) : NULL;
}

/* The VMA before @addr (the one ending at or below it), or NULL. */
static struct vm_area_struct *find_vma_prev(const struct mm_struct *mm,
					    unsigned long addr)
{
	struct vm_area_struct *v = find_vma(mm, addr);

	return v ? vma_prev(mm, v) : mm->vma_ops->last(mm->vma_root);
}

void mm_counts(const struct mm_struct *mm, struct mm_counts *c)
{
	if (!mm) {
		memset(c, 0, sizeof(*c));
		return;
	}
	*c = mm->stat;
	c->shared = c->rss_file + c->rss_shmem;
	if (mm->end_code > mm->start_code && mm->end_code <= TASK_SIZE)
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

/* vm_unmapped_area: the hole above the last VMA is ours, the rest the store's. */
static unsigned long unmapped_area(struct mm_struct *mm,
				   const struct vm_unmapped_area_info *info)
{
	struct vm_area_struct *last = mm->vma_ops->last(mm->vma_root);
	unsigned long tail = hole_fit(vma_gap_start(last), TASK_SIZE, info);

	if (info->topdown)
		return tail ? tail : mm->vma_ops->unmapped_area(mm->vma_root, info);
	{
		unsigned long addr = mm->vma_ops->unmapped_area(mm->vma_root, info);

		return addr ? addr : tail;
	}
}

/*
 * arch_get_unmapped_area{,_topdown}: top-down from mmap_base, falling back
 * to bottom-up from TASK_UNMAPPED_BASE as x86-64 does; the legacy layout
 * is bottom-up only.
 */
unsigned long mm_get_unmapped_area(struct mm_struct *mm, unsigned long len)
{
	struct vm_unmapped_area_info info = {
		.length = len, .low_limit = MMAP_MIN_ADDR,
		.high_limit = mm->mmap_base, .topdown = true,
	};
	unsigned long addr;

	if (mm_unshare(mm))	/* the cache store moves its cursor */
		return 0;
	if (!mm->legacy_layout && (addr = unmapped_area(mm, &info)))
		return addr;
	info.low_limit = TASK_UNMAPPED_BASE;
	info.high_limit = TASK_SIZE;
	info.topdown = false;
	return unmapped_area(mm, &info);
}

static bool range_free(const struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	struct vm_area_struct *v = find_vma(mm, start);

	return !v || v->vm_start >= end;
}

/* A hint is taken if it is free with the guard gaps kept (generic_get_unmapped_area). */
static bool hint_free(const struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	struct vm_area_struct *v = find_vma(mm, start);

	return !v || (end <= vm_start_gap(v) && v->vm_start >= end);
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
 * VMAs and store nodes set aside before a change starts, so that its
 * splits cannot fail half-way: a change splits at most twice.
 */
struct vma_spares {
	struct vm_area_struct *v[2];
	int n;
};

static int spares_get(struct mm_struct *mm, struct vma_spares *s, int nodes)
{
	for (s->n = 0; s->n < 2; s->n++) {
		s->v[s->n] = vma_alloc(mm->vma_ops);
		if (!s->v[s->n])
			goto fail;
	}
	if (!store_prealloc(mm, nodes))
		return 0;
fail:
	while (s->n--)
		free(s->v[s->n]);
	return -ENOMEM;
}

static void spares_put(struct vma_spares *s)
{
	while (s->n--)
		free(s->v[s->n]);
}

/* __split_vma: cut @v at @addr; @v keeps the low part, the new VMA follows. */
static struct vm_area_struct *split_vma(struct mm_struct *mm,
					struct vm_area_struct *v,
					unsigned long addr, struct vma_spares *s)
{
	struct vm_area_struct *n = s->v[--s->n];
	unsigned long low = (addr - v->vm_start) >> PAGE_SHIFT;
	unsigned long pages = (v->vm_end - v->vm_start) >> PAGE_SHIFT;
	unsigned long end = v->vm_end;

	memcpy(n, v, mm->vma_ops->vma_size);
	n->vm_start = addr;
	if (!(v->vm_flags & VM_ANON))
		n->vm_pgoff += low;
	/* Residency splits in proportion: the model keeps no page table. */
	n->rss_pages = v->rss_pages * (pages - low) / pages;
	vma_add_rss(mm, v, -(long)n->rss_pages);
	vma_set_range(mm, v, v->vm_start, addr);
	n->vm_end = end;
	vma_link(mm, n);
	return n;
}

static void unmap_range(struct mm_struct *mm, unsigned long start,
			unsigned long end, struct vma_spares *s)
{
	struct vm_area_struct *v = find_vma(mm, start), *next;

	if (v && v->vm_start < start)
		v = split_vma(mm, v, start, s);
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

/* is_mergeable_vma plus adjacency: same flags, same file, offsets in line. */
static bool vma_mergeable(const struct vm_area_struct *a,
			  const struct vm_area_struct *b)
{
	return a && b && a->vm_end == b->vm_start && a->vm_flags == b->vm_flags &&
	       a->name == b->name && a->dev == b->dev && a->ino == b->ino &&
	       ((a->vm_flags & VM_ANON) ||
		a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) == b->vm_pgoff);
}

/* @b joins @a, which precedes it. */
static void merge_into(struct mm_struct *mm, struct vm_area_struct *a,
		       struct vm_area_struct *b)
{
	unsigned long end = b->vm_end;

	vma_add_rss(mm, a, b->rss_pages);
	vma_unlink_free(mm, b);
	vma_set_range(mm, a, a->vm_start, end);
}

/* The reasons mmap, munmap, mprotect and brk share (kerr.h). */
static int bad_range(unsigned long addr, unsigned long len)
{
	return kerr(-EINVAL, "bad range 0x%lx+0x%lx", addr, len);
}

static int beyond_task_size(unsigned long addr, unsigned long len)
{
	return kerr(-ENOMEM, "0x%lx+0x%lx is beyond the address space",
		    addr, len);
}

static int below_min_addr(unsigned long addr)
{
	return kerr(-EPERM, "0x%lx is below mmap_min_addr", addr);
}

static int over_map_count(int max_map_count)
{
	return kerr(-ENOMEM, "over max_map_count %d", max_map_count);
}

int mm_mmap(struct mm_struct *mm, const struct mmap_req *req, int max_map_count,
	    unsigned long *out)
{
	unsigned long addr = req->addr, len = req->len, pgoff = req->pgoff;
	unsigned long rss_pages = req->rss_pages;
	int prot = req->prot, flags = req->flags;
	const char *name = req->name;
	unsigned long vm_flags = prot_to_flags(prot, flags);
	struct vm_area_struct *v, *prev, *next;
	struct vma_spares s;
	int delta = 1;

	if (mm_unshare(mm))
		return -ENOMEM;
	if (!len || (addr & (PAGE_SIZE - 1)))
		return bad_range(addr, len);
	if ((prot & ~7) || !(flags & (MAP_SHARED | MAP_PRIVATE)))
		return kerr(-EINVAL, "bad protection 0x%x or flags 0x%x",
			    prot, flags);
	len = PAGE_ALIGN(len);		/* 0 if it wrapped */
	if (!len || len > TASK_SIZE - MMAP_MIN_ADDR)
		return kerr(-ENOMEM, "0x%lx bytes do not fit the address "
			    "space", req->len);
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;	/* the file offset wraps, as do_mmap */
	if (!name || name[0] == '[')	/* [heap], [stack]: anonymous memory */
		vm_flags |= VM_ANON;
	if (name && !(name = intern(mm->names, name)))
		return -ENOMEM;		/* never a file mapping without its name */
	if (flags & MAP_FIXED_NOREPLACE) {
		if (addr < MMAP_MIN_ADDR)
			return below_min_addr(addr);
		if (addr > TASK_SIZE - len)
			return beyond_task_size(addr, len);
		if (!range_free(mm, addr, addr + len))
			return kerr(-EEXIST, "noreplace: 0x%lx+0x%lx overlaps "
				    "a mapping", addr, len);
		flags &= ~MAP_FIXED;	/* nothing to replace */
	} else if (flags & MAP_FIXED) {
		if (addr < MMAP_MIN_ADDR)
			return below_min_addr(addr);	/* as Linux */
		if (addr > TASK_SIZE - len)
			return beyond_task_size(addr, len);
		delta += unmap_delta(mm, addr, addr + len);
	} else if (!addr || addr < MMAP_MIN_ADDR || addr > TASK_SIZE - len ||
		   !hint_free(mm, addr, addr + len)) {
		/* Before the search: the cache store's cursor moves with it. */
		if (mm->map_count + 1 > max_map_count)
			return over_map_count(max_map_count);
		addr = mm_get_unmapped_area(mm, len);
		if (!addr)
			return kerr(-ENOMEM, "no room in the address space "
				    "for 0x%lx bytes", len);
	}
	if (mm->map_count + delta > max_map_count)
		return over_map_count(max_map_count);
	v = vma_alloc(mm->vma_ops);
	if (!v)
		return -ENOMEM;
	if (spares_get(mm, &s, MM_PREALLOC)) {
		free(v);
		return -ENOMEM;
	}
	if (flags & MAP_FIXED)
		unmap_range(mm, addr, addr + len, &s);
	spares_put(&s);
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->vm_flags = vm_flags;
	v->vm_pgoff = pgoff;
	v->dev = req->dev;
	v->ino = req->ino;
	v->name = name;
	v->rss_pages = rss_pages;
	next = find_vma(mm, addr);
	prev = find_vma_prev(mm, addr);
	/* vma_merge: grow a compatible anonymous neighbour instead. */
	if (can_merge(prev, vm_flags, name) && prev->vm_end == addr) {
		vma_add_rss(mm, prev, rss_pages);
		vma_set_range(mm, prev, prev->vm_start, v->vm_end);
		free(v);
		if (can_merge(next, vm_flags, name) && next->vm_start == prev->vm_end)
			merge_into(mm, prev, next);
	} else if (can_merge(next, vm_flags, name) && next->vm_start == v->vm_end) {
		vma_add_rss(mm, next, rss_pages);
		vma_set_range(mm, next, addr, next->vm_end);
		free(v);
	} else {
		vma_link(mm, v);
	}
	*out = addr;
	return 0;
}

int mm_munmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	      int max_map_count)
{
	struct vma_spares s;

	if (mm_unshare(mm))
		return -ENOMEM;
	if ((addr & (PAGE_SIZE - 1)) || !len || addr > TASK_SIZE ||
	    len > TASK_SIZE - addr)
		return bad_range(addr, len);
	len = PAGE_ALIGN(len);	/* no wrap: both ends are page-aligned */
	if (mm->map_count + unmap_delta(mm, addr, addr + len) > max_map_count)
		return over_map_count(max_map_count);
	if (spares_get(mm, &s, MM_PREALLOC))
		return -ENOMEM;
	unmap_range(mm, addr, addr + len, &s);
	spares_put(&s);
	if (mm->vma_ops->note_unmap)
		mm->vma_ops->note_unmap(mm->vma_root, addr, addr + len);
	return 0;
}

/* Merge @v with its neighbours where vma_merge would. */
static struct vm_area_struct *merge_around(struct mm_struct *mm,
					   struct vm_area_struct *v)
{
	struct vm_area_struct *prev = vma_prev(mm, v), *next = vma_next(mm, v);

	if (vma_mergeable(prev, v)) {
		merge_into(mm, prev, v);
		v = prev;
	}
	if (vma_mergeable(v, next))
		merge_into(mm, v, next);
	return v;
}

static int not_mapped(unsigned long addr, unsigned long len)
{
	return kerr(-ENOMEM, "0x%lx+0x%lx is not mapped throughout", addr, len);
}

/* mprotect_fixup over [addr, addr+len): split, set, merge again. */
int mm_mprotect(struct mm_struct *mm, unsigned long addr, unsigned long len,
		int prot, int max_map_count)
{
	const unsigned long mask = VM_READ | VM_WRITE | VM_EXEC;
	unsigned long end, want = prot_to_flags(prot, 0) & mask;
	struct vm_area_struct *v, *w, *n;
	struct vma_spares s;
	int delta = 0, nr = 0;

	if (mm_unshare(mm))
		return -ENOMEM;
	if (addr & (PAGE_SIZE - 1))
		return bad_range(addr, len);
	if (prot & ~7)
		return kerr(-EINVAL, "bad protection 0x%x", prot);
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);		/* 0 if it wrapped */
	end = addr + len;
	if (!len || end < addr || end > TASK_SIZE)
		return beyond_task_size(addr, len);
	v = find_vma(mm, addr);
	if (!v || v->vm_start > addr)	/* a hole at the start */
		return not_mapped(addr, len);
	for (w = v;; w = n) {
		nr++;
		if (w->vm_end >= end)
			break;
		n = vma_next(mm, w);
		if (!n || n->vm_start != w->vm_end)
			return not_mapped(addr, len);	/* a hole inside */
	}
	if (v->vm_start < addr && (v->vm_flags & mask) != want)
		delta++;
	if (w->vm_end > end && (w->vm_flags & mask) != want)
		delta++;
	if (delta && mm->map_count + delta > max_map_count)
		return over_map_count(max_map_count);
	if (spares_get(mm, &s, 2 * nr + MM_PREALLOC))
		return -ENOMEM;
	for (w = v; w && w->vm_start < end; w = n) {
		if ((w->vm_flags & mask) != want) {
			if (w->vm_start < addr)
				w = split_vma(mm, w, addr, &s);
			if (w->vm_end > end)
				split_vma(mm, w, end, &s);
			vma_set_flags(mm, w, (w->vm_flags & ~mask) | want);
		}
		w = merge_around(mm, w);
		n = vma_next(mm, w);
	}
	spares_put(&s);
	return 0;
}

/* brk(2): the heap VMA follows the break, page-aligned. */
int mm_brk(struct mm_struct *mm, unsigned long brk, int max_map_count)
{
	unsigned long newend, oldend, out;
	struct vm_area_struct *next;
	int err = 0;

	if (mm_unshare(mm))
		return -ENOMEM;
	if (!mm->start_brk || mm->brk > TASK_SIZE)
		return kerr(-EINVAL, "the process has no heap");
	if (brk < mm->start_brk)
		return kerr(-EINVAL, "0x%lx is below the heap's start 0x%lx",
			    brk, mm->start_brk);
	/*
	 * Before PAGE_ALIGN: from ULONG_MAX - PAGE_SIZE + 2 up it wraps to 0,
	 * which read as a shrink would unmap everything below the heap.
	 * Linux's check_brk_limits refuses a break past TASK_SIZE: -ENOMEM.
	 */
	if (brk > TASK_SIZE)
		return kerr(-ENOMEM, "0x%lx is beyond the address space", brk);
	newend = PAGE_ALIGN(brk);
	oldend = PAGE_ALIGN(mm->brk);
	if (newend < oldend) {
		err = mm_munmap(mm, newend, oldend - newend, max_map_count);
	} else if (newend > oldend) {
		next = find_vma(mm, oldend);
		if (next && newend > vm_start_gap(next))  /* check_brk_limits */
			return kerr(-ENOMEM, "no room for the heap up to "
				    "0x%lx", brk);
		err = mm_mmap(mm, &(struct mmap_req){
				.addr = oldend, .len = newend - oldend,
				.prot = PROT_READ | PROT_WRITE,
				.flags = MAP_PRIVATE | MAP_FIXED_NOREPLACE,
				.name = "[heap]" },
				max_map_count, &out);
	}
	if (!err)
		mm->brk = brk;
	return err;
}

/* expand_downwards: a fault below a stack grows it, guard gap permitting. */
int mm_expand_stack(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v, *prev;

	if (mm_unshare(mm))
		return -ENOMEM;
	v = find_vma(mm, addr);
	addr &= ~(PAGE_SIZE - 1);
	if (!v || !(v->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	if (addr >= v->vm_start)
		return 0;
	if (addr < MMAP_MIN_ADDR || v->vm_end - addr > STACK_RLIMIT)
		return -ENOMEM;
	prev = vma_prev(mm, v);
	if (prev && prev->vm_end > addr)
		return -ENOMEM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) &&
	    (prev->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) &&
	    addr - prev->vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (store_prealloc(mm, MM_PREALLOC))
		return -ENOMEM;
	vma_set_range(mm, v, addr, v->vm_end);
	return 0;
}
