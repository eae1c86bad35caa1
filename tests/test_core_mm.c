// SPDX-License-Identifier: MIT
/*
 * Address spaces: mm_mmap placement (top-down below mmap_base, as
 * mm/mmap.c:unmapped_area_topdown), MAP_FIXED replacing and splitting,
 * munmap splitting, the map_count limit, find_vma, mm_counts, dup_mm, and
 * a random run against a page-array model.  Then do_mmap/do_munmap.
 */
#include "core_test_util.h"

#define P(n)		((unsigned long)(n) * PAGE_SIZE)
#define BASE		0x7f0000000000UL	/* mmap_base of these tests */
#define W		0x100000000UL		/* a quiet place for MAP_FIXED */
#define MAXMAP		1000
#define PRIV		MAP_PRIVATE
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)

static struct mm_struct *mm_new(void)
{
	struct mm_struct *mm = tk_mm_alloc();

	assert_non_null(mm);
	mm->mmap_base = BASE;
	return mm;
}

static char *mm_str(const struct mm_struct *mm)
{
	struct sbuf b = { 0 };

	dump_mm(&b, mm);
	sb_printf(&b, "end\n");
	return b.p;
}

#define assert_mm_same(mm, before) do {					\
	char *now_ = mm_str(mm);					\
	if (strcmp(now_, (before)))					\
		fail_msg("mm changed by a failed call:\n%s---\n%s",	\
			 (before), now_);				\
	free(now_);							\
} while (0)

/* Map with a name (file-like: distinct names never merge). */
static unsigned long map_named(struct mm_struct *mm, unsigned long addr,
			       unsigned long len, int prot, int flags,
			       const char *name, unsigned long pgoff)
{
	unsigned long out = 0;
	struct mmap_req req = { .addr = addr, .len = len, .prot = prot,
				.flags = flags, .name = name, .pgoff = pgoff,
				.dev = 0x801, .ino = 1000 + pgoff };
	int rc = mm_mmap(mm, &req, MAXMAP, &out);

	if (rc)
		fail_msg("mm_mmap(%lx, %lx, %s) = %d", addr, len,
			 name ? name : "anon", rc);
	return out;
}

struct want_vma {
	unsigned long start, end;
	const char *name;
	unsigned long pgoff;
};

static void expect_vmas_(const struct mm_struct *mm, const struct want_vma *w,
			 int n, int line)
{
	const struct vm_area_struct *v = vma_first(mm);
	int i;

	for (i = 0; i < n; i++, v = vma_next(mm, v)) {
		if (!v)
			fail_msg("line %d: %d VMAs, want %d", line, i, n);
		if (v->vm_start != w[i].start || v->vm_end != w[i].end ||
		    (w[i].name && (!v->name || strcmp(v->name, w[i].name))) ||
		    (!w[i].name && v->name) || v->vm_pgoff != w[i].pgoff)
			fail_msg("line %d: vma %d is %lx-%lx %s pg %lx, want"
				 " %lx-%lx %s pg %lx", line, i, v->vm_start,
				 v->vm_end, v->name ? v->name : "-",
				 v->vm_pgoff, w[i].start, w[i].end,
				 w[i].name ? w[i].name : "-", w[i].pgoff);
	}
	if (v)
		fail_msg("line %d: more than %d VMAs (next %lx-%lx)", line, n,
			 v->vm_start, v->vm_end);
	if (mm->map_count != n)
		fail_msg("line %d: map_count %d, want %d", line, mm->map_count,
			 n);
}

#define expect_vmas(mm, ...) do {					\
	const struct want_vma w_[] = { __VA_ARGS__ };			\
	expect_vmas_((mm), w_, (int)(sizeof(w_) / sizeof(w_[0])), __LINE__); \
} while (0)

static void test_alloc_empty(void **state)
{
	struct mm_struct *mm = tk_mm_alloc();
	struct mm_counts c;

	(void)state;
	assert_non_null(mm);
	assert_int_equal(mm->users, 1);
	assert_int_equal(mm->map_count, 0);
	assert_null(vma_first(mm));
	assert_null(find_vma(mm, 0));
	memset(&c, 0xff, sizeof(c));
	mm_counts(mm, &c);
	assert_int_equal(c.total_vm, 0);
	assert_int_equal(c.rss, 0);
	assert_int_equal(c.stack, 0);
	mmput(mm);
}

/* Each new mapping goes right below the lowest one, under mmap_base. */
static void test_topdown(void **state)
{
	struct mm_struct *mm = mm_new();
	const struct vm_area_struct *v;
	unsigned long a, b, c, out = 0;

	(void)state;
	a = map_named(mm, 0, P(3), PROT_READ, PRIV, "/a", 0);
	assert_int_equal(a, BASE - P(3));
	b = map_named(mm, 0, P(2), PROT_READ | PROT_WRITE, PRIV, "/b", 7);
	assert_int_equal(b, BASE - P(5));
	/* len is rounded up to a page */
	c = map_named(mm, 0, 1, PROT_READ | PROT_EXEC, PRIV, "/c", 0);
	assert_int_equal(c, BASE - P(6));
	expect_vmas(mm, { c, c + P(1), "/c", 0 }, { b, b + P(2), "/b", 7 },
		    { a, a + P(3), "/a", 0 });

	v = find_vma(mm, b);
	assert_non_null(v);
	assert_int_equal(v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED),
			 VM_READ | VM_WRITE);
	assert_int_equal(v->dev, 0x801);
	assert_int_equal(v->ino, 1007);
	assert_ptr_equal(v->name, intern(tk_mm_cfg.names, "/b"));
	v = find_vma(mm, c);
	assert_int_equal(v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED),
			 VM_READ | VM_EXEC);
	/* anonymous, shared */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.len = P(1), .prot = PROT_READ | PROT_WRITE,
			.flags = MAP_SHARED | MAP_ANONYMOUS, .rss_pages = 1 },
			MAXMAP, &out), 0);
	assert_int_equal(out, BASE - P(7));
	v = find_vma(mm, out);
	assert_null(v->name);
	assert_int_equal(v->rss_pages, 1);
	assert_true(v->vm_flags & VM_SHARED);
	assert_int_equal(mm->map_count, 4);
	mmput(mm);
}

/* The highest hole that fits wins; a hole too small is skipped. */
static void test_topdown_holes(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long out;

	(void)state;
	map_named(mm, 0, P(1), PROT_READ, PRIV, "/x", 0);	/* B-1 */
	map_named(mm, 0, P(4), PROT_READ, PRIV, "/y", 0);	/* B-5 */
	map_named(mm, 0, P(1), PROT_READ, PRIV, "/z", 0);	/* B-6 */
	assert_int_equal(mm_munmap(mm, BASE - P(5), P(4), MAXMAP), 0);
	expect_vmas(mm, { BASE - P(6), BASE - P(5), "/z", 0 },
		    { BASE - P(1), BASE, "/x", 0 });
	out = map_named(mm, 0, P(2), PROT_READ, PRIV, "/h", 0);
	assert_int_equal(out, BASE - P(3));
	out = map_named(mm, 0, P(8), PROT_READ, PRIV, "/big", 0);
	assert_int_equal(out, BASE - P(14));
	out = map_named(mm, 0, P(2), PROT_READ, PRIV, "/fits", 0);
	assert_int_equal(out, BASE - P(5));
	assert_int_equal(mm->map_count, 5);
	mmput(mm);
}

/* A free hint is taken as is; an occupied one is not (no overlap). */
static void test_hint(void **state)
{
	struct mm_struct *mm = mm_new();
	const struct vm_area_struct *v;
	unsigned long out;

	(void)state;
	out = map_named(mm, W, P(4), PROT_READ, PRIV, "/hinted", 0);
	assert_int_equal(out, W);
	/* occupied: falls back to the top-down search */
	out = map_named(mm, W + P(1), P(2), PROT_READ, PRIV, "/moved", 0);
	assert_int_equal(out, BASE - P(2));
	expect_vmas(mm, { W, W + P(4), "/hinted", 0 },
		    { out, out + P(2), "/moved", 0 });
	v = find_vma(mm, W);
	assert_int_equal(v->vm_end, W + P(4));
	mmput(mm);
}

/* MAP_FIXED in the middle splits the old VMA in three; pgoff follows. */
static void test_fixed_split_middle(void **state)
{
	struct mm_struct *mm = mm_new();
	const struct vm_area_struct *v;
	unsigned long out;

	(void)state;
	map_named(mm, W, P(10), PROT_READ | PROT_EXEC, PRIV | MAP_FIXED,
		  "/libA", 16);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(3), .len = P(2),
			.prot = PROT_READ | PROT_WRITE,
			.flags = ANON | MAP_FIXED, .rss_pages = 2 },
			MAXMAP, &out), 0);
	assert_int_equal(out, W + P(3));
	expect_vmas(mm, { W, W + P(3), "/libA", 16 },
		    { W + P(3), W + P(5), NULL, 0 },
		    { W + P(5), W + P(10), "/libA", 21 });
	v = find_vma(mm, W + P(6));
	assert_int_equal(v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC),
			 VM_READ | VM_EXEC);
	assert_int_equal(v->ino, 1016);
	v = find_vma(mm, W + P(3));
	assert_int_equal(v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC),
			 VM_READ | VM_WRITE);
	mmput(mm);
}

/* MAP_FIXED across several VMAs: trims both ends, drops the middle. */
static void test_fixed_span(void **state)
{
	struct mm_struct *mm = mm_new();

	(void)state;
	map_named(mm, W, P(4), PROT_READ, PRIV | MAP_FIXED, "/A", 0);
	map_named(mm, W + P(4), P(4), PROT_READ, PRIV | MAP_FIXED, "/B", 0);
	map_named(mm, W + P(8), P(4), PROT_READ, PRIV | MAP_FIXED, "/C", 100);
	map_named(mm, W + P(2), P(8), PROT_READ, PRIV | MAP_FIXED, "/N", 5);
	expect_vmas(mm, { W, W + P(2), "/A", 0 },
		    { W + P(2), W + P(10), "/N", 5 },
		    { W + P(10), W + P(12), "/C", 102 });
	/* Exactly over one VMA: replaced, count unchanged. */
	map_named(mm, W + P(2), P(8), PROT_READ, PRIV | MAP_FIXED, "/M", 0);
	expect_vmas(mm, { W, W + P(2), "/A", 0 },
		    { W + P(2), W + P(10), "/M", 0 },
		    { W + P(10), W + P(12), "/C", 102 });
	/* Over everything and the holes around it. */
	map_named(mm, W - P(1), P(14), PROT_READ, PRIV | MAP_FIXED, "/all", 0);
	expect_vmas(mm, { W - P(1), W + P(13), "/all", 0 });
	mmput(mm);
}

static void test_mmap_bad_args(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long out = 0x1234;
	char *before;

	(void)state;
	map_named(mm, W, P(4), PROT_READ, PRIV | MAP_FIXED, "/A", 0);
	before = mm_str(mm);
	/* unaligned fixed address */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + 10, .len = P(1), .prot = PROT_READ,
			.flags = ANON | MAP_FIXED },
			MAXMAP, &out), -EINVAL);
	assert_mm_same(mm, before);
	/* zero length */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.prot = PROT_READ, .flags = ANON },
			MAXMAP, &out), -EINVAL);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W, .prot = PROT_READ,
			.flags = ANON | MAP_FIXED },
			MAXMAP, &out), -EINVAL);
	assert_mm_same(mm, before);
	/* beyond TASK_SIZE */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = TASK_SIZE - P(1), .len = P(2),
			.prot = PROT_READ, .flags = ANON | MAP_FIXED },
			MAXMAP, &out), -ENOMEM);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.len = TASK_SIZE + P(1), .prot = PROT_READ,
			.flags = ANON },
			MAXMAP, &out), -ENOMEM);
	assert_mm_same(mm, before);
	free(before);
	mmput(mm);
}

/*
 * Lengths and addresses near ULONG_MAX: PAGE_ALIGN and addr + len wrap.
 * Each is refused with Linux's errno and leaves the mm as it was; a brk
 * of 0xfffffffffffff001 once aligned to 0 and unmapped text, data and heap.
 */
static void test_align_overflow(void **state)
{
	static const unsigned long huge[] = {
		~0UL, ~0UL - P(1) + 2, ~0UL - P(1) + 1, 0xfffffffffffff001UL,
		TASK_SIZE + 1, 1UL << 63,
	};
	struct mm_struct *mm = mm_new();
	unsigned long out = 0;
	char *before;

	(void)state;
	map_named(mm, W, P(4), PROT_READ | PROT_EXEC, PRIV | MAP_FIXED, "/bin/x", 0);
	map_named(mm, W + P(4), P(2), PROT_READ | PROT_WRITE, PRIV | MAP_FIXED,
		  "/bin/x", 4);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(8), .len = P(2),
			.prot = PROT_READ | PROT_WRITE,
			.flags = ANON | MAP_FIXED, .name = "[heap]" },
			MAXMAP, &out), 0);
	mm->start_code = W;
	mm->end_code = W + P(4);
	mm->start_brk = W + P(8);
	mm->brk = W + P(10);
	before = mm_str(mm);
	for (unsigned i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		assert_int_equal(mm_brk(mm, huge[i], MAXMAP), -ENOMEM);
		assert_mm_same(mm, before);
		assert_int_equal(mm->brk, W + P(10));
		assert_int_equal(mm_mmap(mm, &(struct mmap_req){
				.len = huge[i], .prot = PROT_READ,
				.flags = ANON },
				MAXMAP, &out), -ENOMEM);
		assert_int_equal(mm_mmap(mm, &(struct mmap_req){
				.addr = W, .len = huge[i], .prot = PROT_READ,
				.flags = ANON | MAP_FIXED },
				MAXMAP, &out), -ENOMEM);
		assert_int_equal(mm_munmap(mm, W, huge[i], MAXMAP), -EINVAL);
		assert_int_equal(mm_mprotect(mm, W, huge[i], PROT_NONE, MAXMAP),
				 -ENOMEM);
		assert_mm_same(mm, before);
	}
	/* An address near the top with a small length: the end wraps. */
	assert_int_equal(mm_munmap(mm, ~0UL - P(1) + 1, P(2), MAXMAP), -EINVAL);
	assert_int_equal(mm_munmap(mm, TASK_SIZE - P(1), P(2), MAXMAP), -EINVAL);
	assert_int_equal(mm_mprotect(mm, ~0UL - P(1) + 1, P(2), PROT_NONE, MAXMAP),
			 -ENOMEM);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = ~0UL - P(1) + 1, .len = P(2), .prot = PROT_READ,
			.flags = ANON | MAP_FIXED },
			MAXMAP, &out),
			 -ENOMEM);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = ~0UL - P(1) + 1, .len = P(2), .prot = PROT_READ,
			.flags = ANON | MAP_FIXED_NOREPLACE },
			MAXMAP, &out), -ENOMEM);
	/* The file offset wraps: do_mmap's -EOVERFLOW. */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(20), .len = P(2), .prot = PROT_READ,
			.flags = PRIV | MAP_FIXED, .name = "/bin/x",
			.pgoff = ~0UL },
			MAXMAP, &out), -EOVERFLOW);
	assert_mm_same(mm, before);
	/* A saved mm with a wild break cannot wrap either. */
	mm->brk = ~0UL;
	assert_int_equal(mm_brk(mm, W + P(9), MAXMAP), -EINVAL);
	mm->brk = W + P(10);
	assert_mm_same(mm, before);
	/* And the limits still move the break. */
	assert_int_equal(mm_brk(mm, W + P(12) - 1, MAXMAP), 0);
	assert_int_equal(find_vma(mm, W + P(8))->vm_end, W + P(12));
	free(before);
	mmput(mm);
}

/* MAP_FIXED_NOREPLACE: -EEXIST over a mapping (Linux 4.17+), else fixed. */
static void test_fixed_noreplace(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long out = 0;
	char *before;

	(void)state;
	map_named(mm, W, P(4), PROT_READ, PRIV | MAP_FIXED, "/A", 0);
	before = mm_str(mm);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(3), .len = P(2), .prot = PROT_READ,
			.flags = ANON | MAP_FIXED_NOREPLACE },
			MAXMAP, &out), -EEXIST);
	assert_mm_same(mm, before);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(4), .len = P(2), .prot = PROT_READ,
			.flags = ANON | MAP_FIXED_NOREPLACE },
			MAXMAP, &out), 0);
	assert_int_equal(out, W + P(4));
	assert_int_equal(mm->map_count, 2);
	free(before);
	mmput(mm);
}

static void test_munmap(void **state)
{
	struct mm_struct *mm = mm_new();
	char *before;

	(void)state;
	map_named(mm, W, P(10), PROT_READ, PRIV | MAP_FIXED, "/A", 0);
	/* middle: two pieces, the right one's pgoff advanced */
	assert_int_equal(mm_munmap(mm, W + P(3), P(2), MAXMAP), 0);
	expect_vmas(mm, { W, W + P(3), "/A", 0 },
		    { W + P(5), W + P(10), "/A", 5 });
	/* head and tail trims; an unaligned length rounds up */
	assert_int_equal(mm_munmap(mm, W, P(1), MAXMAP), 0);
	assert_int_equal(mm_munmap(mm, W + P(9), 1, MAXMAP), 0);
	expect_vmas(mm, { W + P(1), W + P(3), "/A", 1 },
		    { W + P(5), W + P(9), "/A", 5 });
	/* a hole: nothing to do, success */
	assert_int_equal(mm_munmap(mm, W + P(20), P(5), MAXMAP), 0);
	assert_int_equal(mm->map_count, 2);
	/* bad arguments change nothing */
	before = mm_str(mm);
	assert_int_equal(mm_munmap(mm, W + P(1) + 8, P(1), MAXMAP), -EINVAL);
	assert_int_equal(mm_munmap(mm, W + P(1), 0, MAXMAP), -EINVAL);
	assert_mm_same(mm, before);
	free(before);
	/* across both pieces and the hole between */
	assert_int_equal(mm_munmap(mm, W + P(2), P(5), MAXMAP), 0);
	expect_vmas(mm, { W + P(1), W + P(2), "/A", 1 },
		    { W + P(7), W + P(9), "/A", 7 });
	assert_int_equal(mm_munmap(mm, 0, TASK_SIZE, MAXMAP), 0);
	assert_int_equal(mm->map_count, 0);
	assert_null(vma_first(mm));
	mmput(mm);
}

/*
 * map_count never exceeds max_map_count ("bounds", kernel.h/mm.h; note
 * that Linux's do_mmap tests '>' and so lets one more through).
 */
static void test_map_count_limit(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long out = 0;
	char name[32], *before;
	const int max = 5;

	(void)state;
	for (int i = 0; i < max; i++) {
		snprintf(name, sizeof(name), "/lim%d", i);
		assert_int_equal(mm_mmap(mm, &(struct mmap_req){
				.addr = W + P(4 * i), .len = P(3),
				.prot = PROT_READ, .flags = PRIV | MAP_FIXED,
				.name = name, .ino = 1 },
				max, &out), 0);
	}
	assert_int_equal(mm->map_count, max);
	before = mm_str(mm);
	/* one more: no */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.len = P(1), .prot = PROT_READ, .flags = PRIV,
			.name = "/more", .ino = 2 },
			max, &out), -ENOMEM);
	assert_mm_same(mm, before);
	/* a split in the middle would make max + 1 */
	assert_int_equal(mm_munmap(mm, W + P(1), P(1), max), -ENOMEM);
	assert_mm_same(mm, before);
	/* MAP_FIXED inside one VMA would make max + 2 */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(1), .len = P(1), .prot = PROT_READ,
			.flags = PRIV | MAP_FIXED, .name = "/mid", .ino = 3 },
			max, &out), -ENOMEM);
	assert_mm_same(mm, before);
	/* replacing a whole VMA keeps the count: allowed */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W, .len = P(3), .prot = PROT_READ,
			.flags = PRIV | MAP_FIXED, .name = "/swap", .ino = 4 },
			max, &out), 0);
	assert_int_equal(mm->map_count, max);
	/* trimming a head keeps the count: allowed */
	assert_int_equal(mm_munmap(mm, W + P(4), P(1), max), 0);
	assert_int_equal(mm->map_count, max);
	/* spanning two VMAs with both ends cut keeps the count: allowed */
	assert_int_equal(mm_munmap(mm, W + P(9), P(4), max), 0);
	assert_int_equal(mm->map_count, max);
	/* removing one frees a slot for a split */
	assert_int_equal(mm_munmap(mm, W + P(16), P(3), max), 0);
	assert_int_equal(mm->map_count, max - 1);
	assert_int_equal(mm_munmap(mm, W + P(1), P(1), max), 0);
	assert_int_equal(mm->map_count, max);
	free(before);
	mmput(mm);
}

static void test_find_vma(void **state)
{
	struct mm_struct *mm = mm_new();
	const struct vm_area_struct *v;

	(void)state;
	map_named(mm, W + P(2), P(2), PROT_READ, PRIV | MAP_FIXED, "/A", 0);
	map_named(mm, W + P(8), P(1), PROT_READ, PRIV | MAP_FIXED, "/B", 0);
	v = find_vma(mm, 0);
	assert_int_equal(v->vm_start, W + P(2));
	v = find_vma(mm, W + P(2));
	assert_int_equal(v->vm_start, W + P(2));
	v = find_vma(mm, W + P(4) - 1);
	assert_int_equal(v->vm_start, W + P(2));
	v = find_vma(mm, W + P(4));		/* vm_end is exclusive */
	assert_int_equal(v->vm_start, W + P(8));
	v = find_vma(mm, W + P(6));		/* in a gap: the next one */
	assert_int_equal(v->vm_start, W + P(8));
	assert_null(find_vma(mm, W + P(9)));
	assert_null(find_vma(mm, TASK_SIZE));
	v = vma_first(mm);
	assert_int_equal(v->vm_start, W + P(2));
	v = vma_next(mm, v);
	assert_int_equal(v->vm_start, W + P(8));
	assert_null(vma_next(mm, v));
	mmput(mm);
}

/* The Vm* arithmetic of fs/proc/task_mmu.c, from vm_flags. */
static void test_mm_counts(void **state)
{
	struct mm_struct *mm = mm_new();
	struct mm_counts c;
	unsigned long out;

	(void)state;
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W, .len = P(4), .prot = PROT_READ | PROT_WRITE,
			.flags = ANON | MAP_FIXED, .rss_pages = 2 },
			MAXMAP, &out), 0);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(10), .len = P(8),
			.prot = PROT_READ | PROT_EXEC,
			.flags = PRIV | MAP_FIXED, .name = "/usr/lib/libc.so.6",
			.dev = 0x801, .ino = 77, .rss_pages = 5 },
			MAXMAP, &out), 0);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(18), .len = P(2),
			.prot = PROT_READ | PROT_WRITE,
			.flags = PRIV | MAP_FIXED, .name = "/usr/lib/libd.so",
			.pgoff = 8, .dev = 0x801, .ino = 78 },
			MAXMAP, &out), 0);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(100), .len = P(32),
			.prot = PROT_READ | PROT_WRITE,
			.flags = ANON | MAP_FIXED | MAP_GROWSDOWN,
			.rss_pages = 3 },
			MAXMAP, &out), 0);
	assert_true(find_vma(mm, W + P(100))->vm_flags & VM_GROWSDOWN);
	mm_counts(mm, &c);
	assert_int_equal(c.total_vm, 46);
	assert_int_equal(c.rss, 10);
	assert_int_equal(c.rss_anon, 5);
	assert_int_equal(c.rss_file, 5);
	assert_int_equal(c.rss_shmem, 0);
	assert_int_equal(c.rss, c.rss_anon + c.rss_file + c.rss_shmem);
	assert_int_equal(c.stack, 32);
	assert_int_equal(c.exec, 8);	/* VM_EXEC & ~VM_WRITE & ~VM_STACK */
	assert_int_equal(c.data, 6);	/* VM_WRITE & ~VM_SHARED & ~VM_STACK */
	/* unmapping takes the pages off */
	assert_int_equal(mm_munmap(mm, W + P(10), P(8), MAXMAP), 0);
	mm_counts(mm, &c);
	assert_int_equal(c.total_vm, 38);
	assert_int_equal(c.rss_file, 0);
	assert_int_equal(c.exec, 0);
	mmput(mm);
}

static void test_dup_mm(void **state)
{
	struct mm_struct *mm = mm_new(), *cp;
	static const char args[] = "/bin/prog\0-x\0", env[] = "A=1\0B=2\0";
	const struct vm_area_struct *v, *w;
	char *before, *copy;

	(void)state;
	map_named(mm, W, P(4), PROT_READ | PROT_EXEC, PRIV | MAP_FIXED,
		  "/bin/prog", 0);
	map_named(mm, W + P(4), P(2), PROT_READ | PROT_WRITE, PRIV | MAP_FIXED,
		  "/bin/prog", 4);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.len = P(16), .prot = PROT_READ | PROT_WRITE,
			.flags = ANON, .rss_pages = 7 },
			MAXMAP, &mm->start_stack), 0);
	mm->start_stack += P(8);
	mm->start_code = W;
	mm->end_code = W + P(4);
	mm->start_data = W + P(4);
	mm->end_data = W + P(6);
	mm->start_brk = mm->brk = W + P(6);
	mm->arg_start = 0x7ffc0000UL;
	mm->arg_end = mm->arg_start + sizeof(args) - 1;
	mm->hiwater_vm = 99;
	mm->hiwater_rss = 42;
	assert_int_equal(mm_set_args(mm, args, sizeof(args) - 1), 0);
	assert_int_equal(mm_set_env(mm, env, sizeof(env) - 1), 0);

	cp = dup_mm(mm);
	assert_non_null(cp);
	assert_ptr_not_equal(cp, mm);
	assert_int_equal(cp->users, 1);
	before = mm_str(mm);
	copy = mm_str(cp);
	assert_string_equal(copy, before);	/* every field and VMA */
	free(copy);
	assert_ptr_not_equal(cp->args, mm->args);
	assert_ptr_not_equal(cp->env, mm->env);
	for (v = vma_first(mm), w = vma_first(cp); v;
	     v = vma_next(mm, v), w = vma_next(cp, w)) {
		assert_non_null(w);
		assert_ptr_not_equal(v, w);
	}
	/* the copy is independent */
	assert_int_equal(mm_munmap(cp, W + P(1), P(1), MAXMAP), 0);
	map_named(cp, W + P(40), P(1), PROT_READ, PRIV | MAP_FIXED, "/new", 0);
	assert_int_equal(mm_set_args(cp, "x", 2), 0);
	assert_mm_same(mm, before);
	mmput(cp);
	assert_mm_same(mm, before);
	free(before);
	mmput(mm);
}

static void test_args_env(void **state)
{
	struct mm_struct *mm = mm_new();
	char buf[] = "abc\0def";

	(void)state;
	assert_int_equal(mm_set_args(mm, buf, sizeof(buf)), 0);
	buf[0] = 'X';		/* copied, not borrowed */
	assert_int_equal(mm->args_len, sizeof(buf));
	assert_memory_equal(mm->args, "abc\0def", sizeof(buf));
	assert_int_equal(mm_set_args(mm, "q", 2), 0);
	assert_int_equal(mm->args_len, 2);
	assert_memory_equal(mm->args, "q", 2);
	assert_int_equal(mm_set_env(mm, "HOME=/\0", 8), 0);
	assert_int_equal(mm->env_len, 8);
	assert_memory_equal(mm->env, "HOME=/\0", 8);
	mmput(mm);
}

static void test_intern(void **state)
{
	char a[] = "/usr/lib/x.so", b[] = "/usr/lib/x.so";
	struct intern_table *t = intern_create();
	const char *p, *q;

	(void)state;
	assert_non_null(t);
	p = intern(t, a);
	q = intern(t, b);
	assert_non_null(p);
	assert_ptr_equal(p, q);
	assert_ptr_not_equal(p, a);
	assert_string_equal(p, "/usr/lib/x.so");
	a[0] = 'Z';
	assert_string_equal(p, "/usr/lib/x.so");
	assert_ptr_not_equal(intern(t, "/usr/lib/y.so"), p);
	assert_null(intern(t, NULL));
	intern_destroy(t);
}

/* mmput of a shared mm frees only at the last user. */
static void test_mmput_users(void **state)
{
	struct mm_struct *mm = mm_new();

	(void)state;
	map_named(mm, W, P(1), PROT_READ, PRIV | MAP_FIXED, "/A", 0);
	mm->users++;
	mmput(mm);
	assert_int_equal(mm->users, 1);
	assert_non_null(vma_first(mm));
	mmput(mm);		/* the sanitizer build sees a leak otherwise */
}

/* ---- random run against a page-array model ---- */

#define NPG	256			/* model window: [BASE - NPG pages, BASE) */
#define WIN	(BASE - P(NPG))

struct pmodel {
	int lab[NPG];			/* 0 free, else the mapping's label */
	unsigned long pg[NPG];
	int count;
};

static uint64_t rs;

static int rb(int n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (int)(rs % (uint64_t)n);
}

static int pm_runs(const struct pmodel *m)
{
	int n = 0;

	for (int i = 0; i < NPG; i++)
		if (m->lab[i] && (i == 0 || m->lab[i - 1] != m->lab[i]))
			n++;
	return n;
}

static void pm_compare(const struct mm_struct *mm, const struct pmodel *m,
		       uint64_t seed, int step)
{
	const struct vm_area_struct *v;
	int lab[NPG] = { 0 }, n = 0;
	unsigned long pg[NPG];

	if (!vmas_sane(mm))
		fail_msg("seed %llu step %d: VMAs unsorted/overlapping/count",
			 (unsigned long long)seed, step);
	for (v = vma_first(mm); v; v = vma_next(mm, v)) {
		int l;

		if (v->vm_start < WIN || v->vm_end > BASE || !v->name ||
		    sscanf(v->name, "/r%d", &l) != 1)
			fail_msg("seed %llu step %d: stray vma %lx-%lx",
				 (unsigned long long)seed, step, v->vm_start,
				 v->vm_end);
		for (unsigned long a = v->vm_start; a < v->vm_end; a += PAGE_SIZE) {
			int i = (int)((a - WIN) / PAGE_SIZE);

			lab[i] = l;
			pg[i] = v->vm_pgoff + (a - v->vm_start) / PAGE_SIZE;
		}
		n++;
	}
	for (int i = 0; i < NPG; i++)
		if (lab[i] != m->lab[i] || (lab[i] && pg[i] != m->pg[i]))
			fail_msg("seed %llu step %d: page %d is /r%d pg %lu,"
				 " want /r%d pg %lu", (unsigned long long)seed,
				 step, i, lab[i], lab[i] ? pg[i] : 0,
				 m->lab[i], m->lab[i] ? m->pg[i] : 0);
	if (n != m->count || mm->map_count != m->count)
		fail_msg("seed %llu step %d: %d VMAs (map_count %d), want %d",
			 (unsigned long long)seed, step, n, mm->map_count,
			 m->count);
}

static void random_run(uint64_t seed, int max, int steps)
{
	struct mm_struct *mm = mm_new();
	struct pmodel m = { 0 }, next;
	int label = 0;

	rs = seed;
	for (int step = 0; step < steps; step++) {
		int op = rb(10), s = 128 + rb(NPG - 128), l = 1 + rb(16), rc;
		unsigned long pgoff = (unsigned long)rb(1000), out = 0;
		char name[24];
		bool busy = false;

		if (s + l > NPG)
			l = NPG - s;
		next = m;
		if (op < 4) {			/* MAP_FIXED or NOREPLACE */
			bool noreplace = op == 3;

			for (int i = s; i < s + l; i++)
				busy |= m.lab[i] != 0;
			snprintf(name, sizeof(name), "/r%d", ++label);
			for (int i = s; i < s + l; i++) {
				next.lab[i] = label;
				next.pg[i] = pgoff + (unsigned long)(i - s);
			}
			next.count = pm_runs(&next);
			rc = mm_mmap(mm, &(struct mmap_req){ .addr = WIN + P(s), .len = P(l), .prot = PROT_READ, .flags = PRIV | (noreplace ? MAP_FIXED_NOREPLACE :
						     MAP_FIXED), .name = name, .pgoff = pgoff, .dev = 1, .ino = (unsigned long)label },
					max, &out);
			if (noreplace && busy) {
				assert_int_equal(rc, -EEXIST);
			} else if (next.count > max) {
				assert_int_equal(rc, -ENOMEM);
			} else {
				if (rc)
					fail_msg("seed %llu step %d: fixed map"
						 " %d+%d = %d",
						 (unsigned long long)seed,
						 step, s, l, rc);
				assert_int_equal(out, WIN + P(s));
				m = next;
			}
		} else if (op < 7) {		/* top-down */
			int e;

			for (e = NPG; e > 0; e--) {
				int i;

				for (i = e - l < 0 ? 0 : e - l; i < e; i++)
					if (m.lab[i])
						break;
				if (i == e)
					break;
			}
			if (e == 0 || e - l < 0)
				continue;	/* would land below the window */
			snprintf(name, sizeof(name), "/r%d", ++label);
			for (int i = e - l; i < e; i++) {
				next.lab[i] = label;
				next.pg[i] = pgoff + (unsigned long)(i - e + l);
			}
			next.count = m.count + 1;
			rc = mm_mmap(mm, &(struct mmap_req){
					.len = P(l), .prot = PROT_READ,
					.flags = PRIV, .name = name,
					.pgoff = pgoff, .dev = 1,
					.ino = (unsigned long)label },
					max, &out);
			if (next.count > max) {
				assert_int_equal(rc, -ENOMEM);
			} else {
				if (rc || out != WIN + P(e - l))
					fail_msg("seed %llu step %d: top-down"
						 " %d pages: rc %d at %lx, want"
						 " %lx", (unsigned long long)seed,
						 step, l, rc, out,
						 WIN + P(e - l));
				m = next;
			}
		} else {			/* munmap */
			for (int i = s; i < s + l; i++)
				next.lab[i] = 0;
			next.count = pm_runs(&next);
			rc = mm_munmap(mm, WIN + P(s), P(l), max);
			if (next.count > max) {
				assert_int_equal(rc, -ENOMEM);
			} else {
				if (rc)
					fail_msg("seed %llu step %d: munmap"
						 " %d+%d = %d",
						 (unsigned long long)seed,
						 step, s, l, rc);
				m = next;
			}
		}
		pm_compare(mm, &m, seed, step);
	}
	mmput(mm);
}

static void test_random_vs_model(void **state)
{
	static const int maxes[] = { 3, 6, 12, 1000 };

	(void)state;
	for (uint64_t seed = 1; seed <= 8; seed++)
		random_run(seed * 0x2545f4914f6cdd1dULL,
			   maxes[seed % 4], 3000);
}

/* ---- through the kernel: do_mmap / do_munmap ---- */

static void test_do_mmap_errors(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	unsigned long out;
	struct task *kt;
	char *before;
	int pid, kpid = -1;

	(void)state;
	pid = fork1(k, 1);
	for (kpid = next_tgid(k, 3, &kt); kpid >= 0;
	     kpid = next_tgid(k, kpid + 1, &kt))
		if (task_is_kthread(kt))
			break;
	before = world_dump(k);
	assert_int_equal(do_mmap(k, 99999, 0, P(1), PROT_READ, ANON, &out),
			 -ESRCH);
	assert_int_equal(do_munmap(k, 99999, W, P(1)), -ESRCH);
	assert_int_equal(do_mmap(k, pid, W + 1, P(1), PROT_READ,
				 ANON | MAP_FIXED, &out), -EINVAL);
	assert_int_equal(do_mmap(k, pid, 0, 0, PROT_READ, ANON, &out), -EINVAL);
	assert_int_equal(do_munmap(k, pid, W + 1, P(1)), -EINVAL);
	/* a kernel thread has no mm to map into */
	if (kpid > 0)
		assert_true(do_mmap(k, kpid, 0, P(1), PROT_READ, ANON, &out) < 0);
	assert_world_same(k, before);
	free(before);
	/* a zombie neither */
	assert_int_equal(do_exit(k, pid, 0), 0);
	if (find_task(k, pid)) {
		before = world_dump(k);
		assert_true(do_mmap(k, pid, 0, P(1), PROT_READ, ANON, &out) < 0);
		assert_true(do_munmap(k, pid, W, P(1)) < 0);
		assert_world_same(k, before);
		free(before);
	}
	check_world(k);
	tk_free(tk);
}

/* A thread maps into the one mm its group shares. */
static void test_do_mmap_thread(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct mm_struct *mm;
	unsigned long out = 0;
	int pid, tid, n;

	(void)state;
	pid = fork1(k, 1);
	tid = clone1(k, pid);
	mm = find_task(k, pid)->mm;
	n = mm->map_count;
	assert_int_equal(do_mmap(k, tid, W, P(3), PROT_READ | PROT_WRITE,
				 ANON | MAP_FIXED, &out), 0);
	assert_int_equal(out, W);
	assert_ptr_equal(find_task(k, tid)->mm, mm);
	assert_int_equal(mm->map_count, n + 1);
	assert_int_equal(find_vma(mm, W)->vm_start, W);
	assert_int_equal(do_munmap(k, pid, W + P(1), P(1)), 0);
	assert_int_equal(mm->map_count, n + 2);
	assert_int_equal(do_munmap(k, tid, W, P(3)), 0);
	assert_int_equal(mm->map_count, n);
	assert_int_equal(do_mmap(k, pid, 0, P(2), PROT_READ, ANON, &out), 0);
	assert_true(out + P(2) <= mm->mmap_base);
	assert_int_equal(find_vma(mm, out)->vm_start, out);
	check_world(k);
	tk_free(tk);
}

/* kernel_opts.max_map_count reaches do_mmap; failing leaves the world. */
static void test_do_mmap_max_map_count(void **state)
{
	struct kernel_opts o = { 0 };
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	struct mm_struct *mm;
	unsigned long out;
	char *before = NULL;
	int pid, rc = 0, i, max;

	(void)state;
	assert_int_equal(k->max_map_count, DEFAULT_MAX_MAP_COUNT);
	max = o.max_map_count = k->init_task->mm->map_count + 20;
	tk_free(tk);
	tk = tk_new(&o);
	k = &tk->k;
	assert_int_equal(k->max_map_count, max);
	pid = fork1(k, 1);
	mm = find_task(k, pid)->mm;
	assert_int_equal(mm->map_count, max - 20);
	for (i = 0; i < 200; i++) {
		free(before);
		before = world_dump(k);
		/* alternate prot so that neighbours never merge */
		rc = do_mmap(k, pid, W + P(2 * i), P(1),
			     i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			     ANON | MAP_FIXED, &out);
		if (rc)
			break;
	}
	assert_int_equal(rc, -ENOMEM);
	assert_int_equal(i, 20);
	assert_int_equal(mm->map_count, max);
	assert_world_same(k, before);
	free(before);
	check_world(k);
	tk_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_empty),
		cmocka_unit_test(test_topdown),
		cmocka_unit_test(test_topdown_holes),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_fixed_split_middle),
		cmocka_unit_test(test_fixed_span),
		cmocka_unit_test(test_mmap_bad_args),
		cmocka_unit_test(test_align_overflow),
		cmocka_unit_test(test_fixed_noreplace),
		cmocka_unit_test(test_munmap),
		cmocka_unit_test(test_map_count_limit),
		cmocka_unit_test(test_find_vma),
		cmocka_unit_test(test_mm_counts),
		cmocka_unit_test(test_dup_mm),
		cmocka_unit_test(test_args_env),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_mmput_users),
		cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_do_mmap_errors),
		cmocka_unit_test(test_do_mmap_thread),
		cmocka_unit_test(test_do_mmap_max_map_count),
	};

	int failed = 0;

	/* Every store, with bulk fork copies where the store has them. */
	for (int i = 0; vma_store_backends[i]; i++) {
		const struct vma_store_ops *ops = vma_store_backends[i];

		tk_vmastore = ops->name;
		tk_forkdup = ops->dup ? FORKDUP_BULK : FORKDUP_INSERT;
		assert_int_equal(tk_mm_config(ops, tk_forkdup, false), 0);
		failed += _cmocka_run_group_tests(ops->name, tests,
						  sizeof(tests) / sizeof(tests[0]),
						  NULL, NULL);
	}
	return failed;
}
