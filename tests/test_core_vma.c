// SPDX-License-Identifier: MIT
/*
 * The memory model against what Linux does, on every VMA store:
 * mprotect splitting and re-merging (mprotect_fixup + vma_merge), MAP_FIXED
 * over existing mappings, the stack guard gap (vm_start_gap,
 * expand_downwards), brk, the map_count limit, NPTL thread stacks and
 * the legacy bottom-up layout.
 */
#include "core_test_util.h"

#define P(n)	((unsigned long)(n) * PAGE_SIZE)
#define BASE	0x7f0000000000UL
#define W	0x100000000UL
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)
#define RW	(PROT_READ | PROT_WRITE)
#define MAXMAP	1000

static struct mm_struct *mm_new(void)
{
	struct mm_struct *mm = tk_mm_alloc();

	assert_non_null(mm);
	mm->mmap_base = BASE;
	return mm;
}

static unsigned long map(struct mm_struct *mm, unsigned long addr,
			 unsigned long len, int prot, int flags)
{
	unsigned long out = 0;

	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = addr, .len = len, .prot = prot,
			.flags = flags },
			MAXMAP, &out), 0);
	return out;
}

/* The VMAs as "start-end prot;" for compact comparisons. */
static char *layout(const struct mm_struct *mm)
{
	struct sbuf b = { 0 };
	const struct vm_area_struct *v;

	for (v = vma_first(mm); v; v = vma_next(mm, v))
		sb_printf(&b, "%lx-%lx %c%c%c;", v->vm_start, v->vm_end,
			  v->vm_flags & VM_READ ? 'r' : '-',
			  v->vm_flags & VM_WRITE ? 'w' : '-',
			  v->vm_flags & VM_EXEC ? 'x' : '-');
	if (!b.p)
		sb_printf(&b, "%s", "");
	return b.p;
}

#define assert_layout(mm, want) do {					\
	char *got_ = layout(mm);					\
	assert_string_equal(got_, want);				\
	free(got_);							\
} while (0)

/* mprotect of the middle page: three VMAs; undone: one again. */
static void test_mprotect_split_merge(void **state)
{
	struct mm_struct *mm = mm_new();

	(void)state;
	map(mm, W, P(3), RW, ANON | MAP_FIXED);
	assert_int_equal(mm_mprotect(mm, W + P(1), P(1), PROT_READ, MAXMAP), 0);
	assert_layout(mm, "100000000-100001000 rw-;100001000-100002000 r--;"
			  "100002000-100003000 rw-;");
	assert_int_equal(mm->map_count, 3);
	assert_int_equal(mm_mprotect(mm, W + P(1), P(1), RW, MAXMAP), 0);
	assert_layout(mm, "100000000-100003000 rw-;");
	assert_int_equal(mm->map_count, 1);
	/* Head and tail: two VMAs each; the whole: one. */
	assert_int_equal(mm_mprotect(mm, W, P(1), PROT_NONE, MAXMAP), 0);
	assert_layout(mm, "100000000-100001000 ---;100001000-100003000 rw-;");
	assert_int_equal(mm_mprotect(mm, W + P(2), P(1), PROT_NONE, MAXMAP), 0);
	assert_int_equal(mm->map_count, 3);
	assert_int_equal(mm_mprotect(mm, W, P(3), PROT_READ, MAXMAP), 0);
	assert_layout(mm, "100000000-100003000 r--;");
	/* Same protection: nothing to split. */
	assert_int_equal(mm_mprotect(mm, W + P(1), P(1), PROT_READ, MAXMAP), 0);
	assert_int_equal(mm->map_count, 1);
	mmput(mm);
}

/* Bad mprotect calls: EINVAL, or ENOMEM over a hole; nothing changes. */
static void test_mprotect_errors(void **state)
{
	struct mm_struct *mm = mm_new();

	(void)state;
	map(mm, W, P(2), RW, ANON | MAP_FIXED);
	map(mm, W + P(3), P(2), RW, ANON | MAP_FIXED);
	assert_int_equal(mm_mprotect(mm, W + 1, P(1), PROT_READ, MAXMAP), -EINVAL);
	assert_int_equal(mm_mprotect(mm, W, P(1), 8, MAXMAP), -EINVAL);
	assert_int_equal(mm_mprotect(mm, W, 0, PROT_READ, MAXMAP), 0);
	assert_int_equal(mm_mprotect(mm, W, P(5), PROT_READ, MAXMAP), -ENOMEM);
	assert_int_equal(mm_mprotect(mm, W - P(1), P(2), PROT_READ, MAXMAP), -ENOMEM);
	assert_layout(mm, "100000000-100002000 rw-;100003000-100005000 rw-;");
	/* A split past max_map_count: ENOMEM, as split_vma. */
	assert_int_equal(mm_mprotect(mm, W + P(3), P(1), PROT_READ, 2), -ENOMEM);
	assert_layout(mm, "100000000-100002000 rw-;100003000-100005000 rw-;");
	assert_int_equal(mm_mprotect(mm, W + P(3), P(1), PROT_READ, 3), 0);
	assert_int_equal(mm->map_count, 3);
	mmput(mm);
}

/* MAP_FIXED over the middle of a compatible mapping leaves one VMA. */
static void test_fixed_over_merges(void **state)
{
	struct mm_struct *mm = mm_new();

	(void)state;
	map(mm, W, P(4), RW, ANON | MAP_FIXED);
	assert_int_equal(map(mm, W + P(1), P(2), RW, ANON | MAP_FIXED), W + P(1));
	assert_layout(mm, "100000000-100004000 rw-;");
	/* Different protection: three. */
	map(mm, W + P(1), P(2), PROT_READ, ANON | MAP_FIXED);
	assert_layout(mm, "100000000-100001000 rw-;100001000-100003000 r--;"
			  "100003000-100004000 rw-;");
	/* Over all three and beyond: one. */
	map(mm, W, P(6), PROT_READ, ANON | MAP_FIXED);
	assert_layout(mm, "100000000-100006000 r--;");
	mmput(mm);
}

/*
 * The stack guard gap: a hole search keeps 256 pages below a growsdown
 * VMA free; a hint inside the gap is not taken; the stack grows down
 * to, not into, the gap above an accessible VMA.
 */
static void test_guard_gap(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long stack = BASE - P(16), out;

	(void)state;
	assert_int_equal(STACK_GUARD_GAP, P(256));
	map(mm, stack, P(16), RW, ANON | MAP_FIXED | MAP_GROWSDOWN);
	out = map(mm, 0, P(4), RW, ANON);
	assert_int_equal(out, stack - STACK_GUARD_GAP - P(4));
	/* A hint in the gap is moved; MAP_FIXED is not. */
	out = map(mm, stack - P(8), P(2), PROT_READ, ANON);
	assert_true(out + P(2) <= stack - STACK_GUARD_GAP);
	assert_int_equal(mm_munmap(mm, out, P(2), MAXMAP), 0);
	/* The VMA below ends 256 pages below the stack: no room to grow. */
	assert_int_equal(mm_expand_stack(mm, stack - P(1)), -ENOMEM);
	/* Moved to end 260 pages below the stack: 4 pages to grow. */
	assert_int_equal(mm_munmap(mm, stack - P(260), P(4), MAXMAP), 0);
	map(mm, stack - P(264), P(4), RW, ANON | MAP_FIXED);
	assert_int_equal(mm_expand_stack(mm, stack - P(4)), 0);
	assert_int_equal(find_vma(mm, stack - P(4))->vm_start, stack - P(4));
	assert_int_equal(mm_expand_stack(mm, stack - P(5)), -ENOMEM);
	assert_int_equal(find_vma(mm, stack - P(5))->vm_start, stack - P(4));
	/* Below a PROT_NONE VMA the gap is not kept (vma_is_accessible). */
	assert_int_equal(mm_mprotect(mm, stack - P(264), P(4), PROT_NONE, MAXMAP), 0);
	assert_int_equal(mm_expand_stack(mm, stack - P(100)), 0);
	assert_int_equal(find_vma(mm, stack - P(100))->vm_start, stack - P(100));
	/* Not a stack: EFAULT. */
	assert_int_equal(mm_expand_stack(mm, stack - P(300)), -EFAULT);
	mmput(mm);
}

/*
 * A VMA inside a stack's guard gap: the stack's gap-adjusted start lies
 * below the search window, but the hole below that VMA is still in it.
 * First fit must find that hole, top-down and bottom-up (the stack goes
 * in first, so in a tree the other VMA hangs below it).
 */
static void test_vma_inside_guard_gap(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long low = 0x10000UL;	/* MMAP_MIN_ADDR */

	(void)state;
	mm->mmap_base = 0x100000UL;
	map(mm, 0x100000UL, P(16), RW, ANON | MAP_FIXED | MAP_GROWSDOWN);
	map(mm, 0x50000UL, P(16), PROT_READ, ANON | MAP_FIXED);
	/* Top-down below mmap_base: the highest fit is under 0x50000. */
	assert_int_equal(map(mm, 0, P(4), RW, ANON), 0x50000UL - P(4));
	assert_true(0x50000UL - P(4) > low);
	mmput(mm);

	assert_int_equal(tk_mm_config(tk_mm_cfg.vma_ops, FORKDUP_INSERT, true), 0);
	mm = mm_new();
	map(mm, TASK_UNMAPPED_BASE + P(20), P(4), RW, ANON | MAP_FIXED | MAP_GROWSDOWN);
	map(mm, TASK_UNMAPPED_BASE + P(10), P(2), PROT_READ, ANON | MAP_FIXED);
	/* Bottom-up from TASK_UNMAPPED_BASE: the lowest fit is its start. */
	assert_int_equal(map(mm, 0, P(4), RW, ANON), TASK_UNMAPPED_BASE);
	mmput(mm);
	assert_int_equal(tk_mm_config(tk_mm_cfg.vma_ops, FORKDUP_INSERT, false), 0);
}

/* brk grows [heap] in place and shrinks it; below start_brk: EINVAL. */
static void test_brk(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long out;

	(void)state;
	mm->start_brk = mm->brk = 0x555555600000UL;
	assert_int_equal(mm_brk(mm, mm->brk + 100, MAXMAP), 0);
	assert_int_equal(mm->brk, 0x555555600064UL);
	assert_layout(mm, "555555600000-555555601000 rw-;");
	assert_string_equal(vma_first(mm)->name, "[heap]");
	assert_int_equal(mm_brk(mm, mm->start_brk + P(10), MAXMAP), 0);
	assert_layout(mm, "555555600000-55555560a000 rw-;");
	assert_int_equal(mm_brk(mm, mm->start_brk + P(3), MAXMAP), 0);
	assert_layout(mm, "555555600000-555555603000 rw-;");
	assert_int_equal(mm_brk(mm, mm->start_brk - 1, MAXMAP), -EINVAL);
	/* Something in the way: ENOMEM, nothing moves. */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = mm->start_brk + P(5), .len = P(1),
			.prot = PROT_READ, .flags = ANON | MAP_FIXED },
			MAXMAP, &out), 0);
	assert_int_equal(mm_brk(mm, mm->start_brk + P(8), MAXMAP), -ENOMEM);
	assert_int_equal(mm->brk, mm->start_brk + P(3));
	assert_int_equal(mm_brk(mm, mm->start_brk, MAXMAP), 0);
	assert_layout(mm, "555555605000-555555606000 r--;");
	mmput(mm);
}

/* map_count: one mmap over the limit fails with ENOMEM and changes nothing. */
static void test_map_count(void **state)
{
	struct mm_struct *mm = mm_new();
	unsigned long out;
	char *before;

	(void)state;
	for (int i = 0; i < 5; i++)
		map(mm, W + P(2 * i), P(1), RW, ANON | MAP_FIXED);
	before = layout(mm);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.len = P(1), .prot = RW, .flags = ANON },
			5, &out),
			 -ENOMEM);
	/* An unmap that splits one VMA in two also counts. */
	map(mm, W + P(20), P(3), RW, ANON | MAP_FIXED);
	free(before);
	before = layout(mm);
	assert_int_equal(mm_munmap(mm, W + P(21), P(1), 6), -ENOMEM);
	assert_layout(mm, before);
	/*
	 * At the limit a new mapping is refused even where it would merge:
	 * the count is checked before placement, as do_mmap does (Linux's
	 * test is map_count > max, which lets it reach max + 1; the model
	 * never exceeds max, see docs/vma.md).
	 */
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(23), .len = P(1), .prot = RW,
			.flags = ANON | MAP_FIXED },
			6, &out), -ENOMEM);
	assert_layout(mm, before);
	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = W + P(23), .len = P(1), .prot = RW,
			.flags = ANON | MAP_FIXED },
			7, &out), 0);
	assert_int_equal(mm->map_count, 6);	/* merged */
	free(before);
	mmput(mm);
}

/* NPTL: each thread adds an 8 MiB stack whose lowest page is PROT_NONE. */
static void test_thread_stacks(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int pid = fork1(k, 1);
	struct mm_struct *mm = find_task(k, pid)->mm;
	int n = mm->map_count;
	struct vm_area_struct *guard, *stack, *guard2;

	(void)state;
	clone1(k, pid);
	assert_int_equal(mm->map_count, n + 2);
	/* The lowest new mapping under mmap_base is the guard page. */
	guard = find_vma(mm, mm_get_unmapped_area(mm, PAGE_SIZE));
	assert_non_null(guard);
	assert_int_equal(guard->vm_end - guard->vm_start, PAGE_SIZE);
	assert_int_equal(guard->vm_flags & (VM_READ | VM_WRITE | VM_EXEC), 0);
	stack = vma_next(mm, guard);
	assert_int_equal(stack->vm_start, guard->vm_end);
	assert_int_equal(stack->vm_end - guard->vm_start, THREAD_STACK_SIZE);
	assert_int_equal(stack->vm_flags & (VM_READ | VM_WRITE), VM_READ | VM_WRITE);
	clone1(k, pid);
	assert_int_equal(mm->map_count, n + 4);
	guard2 = find_vma(mm, guard->vm_start - PAGE_SIZE);
	assert_int_equal(guard2->vm_end, guard->vm_start);	/* stacks abut */
	/* At the limit: ENOMEM and no thread, no VMA. */
	k->max_map_count = mm->map_count + 1;
	{
		char *before = world_dump(k);
		int tid;

		assert_int_equal(do_clone_thread(k, pid, &tid), -ENOMEM);
		assert_world_same(k, before);
		free(before);
	}
	check_world(k);
	tk_free(tk);
}

/*
 * An exited thread's stack goes to glibc's cache and the next clone takes
 * it back: no new VMAs.  The clone's skip of the walk when nothing is
 * cached must not lose a cached stack, also in a forked copy.
 */
static void test_thread_stack_reuse(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct kernel *k = &tk->k;
	int pid = fork1(k, 1), child, n, tid;
	struct mm_struct *mm = find_task(k, pid)->mm;

	(void)state;
	tid = clone1(k, pid);
	n = mm->map_count;
	assert_int_equal(do_exit_thread(k, tid, 0), 0);
	assert_int_equal(mm->map_count, n);		/* cached, not unmapped */
	clone1(k, pid);
	assert_int_equal(mm->map_count, n);		/* taken back */
	clone1(k, pid);
	assert_int_equal(mm->map_count, n + 2);		/* none left: a new one */
	/* A fork copies the cache with the VMAs. */
	tid = clone1(k, pid);
	assert_int_equal(do_exit_thread(k, tid, 0), 0);
	child = fork1(k, pid);
	mm = find_task(k, child)->mm;
	n = mm->map_count;
	clone1(k, child);
	assert_int_equal(mm->map_count, n);
	check_world(k);
	tk_free(tk);
}

/* The legacy layout: bottom-up from TASK_UNMAPPED_BASE. */
static void test_legacy_layout(void **state)
{
	struct mm_struct *mm;
	unsigned long a, b;

	(void)state;
	assert_int_equal(tk_mm_config(tk_mm_cfg.vma_ops, FORKDUP_INSERT, true), 0);
	mm = mm_new();
	a = map(mm, 0, P(2), RW, ANON);
	b = map(mm, 0, P(3), PROT_READ, ANON);
	assert_int_equal(a, TASK_UNMAPPED_BASE);
	assert_int_equal(b, TASK_UNMAPPED_BASE + P(2));
	assert_int_equal(mm_munmap(mm, a, P(2), MAXMAP), 0);
	assert_int_equal(map(mm, 0, P(1), RW, ANON), TASK_UNMAPPED_BASE);
	mmput(mm);
	assert_int_equal(tk_mm_config(tk_mm_cfg.vma_ops, FORKDUP_INSERT, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mprotect_split_merge),
		cmocka_unit_test(test_mprotect_errors),
		cmocka_unit_test(test_fixed_over_merges),
		cmocka_unit_test(test_guard_gap),
		cmocka_unit_test(test_vma_inside_guard_gap),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_map_count),
		cmocka_unit_test(test_thread_stacks),
		cmocka_unit_test(test_thread_stack_reuse),
		cmocka_unit_test(test_legacy_layout),
	};
	int failed = 0;

	for (int i = 0; vma_store_backends[i]; i++) {
		const struct vma_store_ops *ops = vma_store_backends[i];

		tk_vmastore = ops->name;
		tk_forkdup = FORKDUP_INSERT;
		assert_int_equal(tk_mm_config(ops, FORKDUP_INSERT, false), 0);
		failed += _cmocka_run_group_tests(ops->name, tests,
						  sizeof(tests) / sizeof(tests[0]),
						  NULL, NULL);
	}
	/* forkdup=bulk is refused for a store without a dup hook. */
	assert_int_equal(tk_mm_config(vma_store_find_ops("list"), FORKDUP_BULK,
					 false), -EINVAL);
	assert_int_equal(tk_mm_config(vma_store_find_ops("maple"), FORKDUP_BULK,
					 false), 0);
	return failed;
}
