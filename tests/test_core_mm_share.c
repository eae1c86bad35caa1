// SPDX-License-Identifier: MIT
/*
 * Copy-on-write layouts (mm_share, mm_unshare): a sharing mm reads its
 * template's VMAs, args and env; every change through it (mmap, munmap,
 * mprotect, brk, stack growth, args, env, restore, the hole search) first
 * gives it a copy, so the template and every other sharer stay as they
 * were, and the changed mm ends as a private copy changed alike would.
 * Under every VMA store and fork mode.  Then populate: processes share,
 * and a change to one through the kernel never shows in another.
 */
#include "core_test_util.h"
#include "thread_stack.h"

#define P(n)		((unsigned long)(n) * PAGE_SIZE)
#define W		0x100000000UL
#define STACK		0x7ff000000000UL
#define MAXMAP		1000

static char *mm_str(const struct mm_struct *mm)
{
	struct sbuf b = { 0 };
	struct mm_counts c;

	dump_mm(&b, mm);
	mm_counts(mm, &c);
	sb_printf(&b, "  counts vm=%lu rss=%lu anon=%lu file=%lu data=%lu "
		  "stack=%lu exec=%lu\n", c.total_vm, c.rss, c.rss_anon,
		  c.rss_file, c.data, c.stack, c.exec);
	return b.p;
}

static void map(struct mm_struct *mm, unsigned long addr, unsigned long pages,
		int prot, int flags, const char *name)
{
	unsigned long out;

	assert_int_equal(mm_mmap(mm, &(struct mmap_req){
			.addr = addr, .len = P(pages), .prot = prot,
			.flags = flags | MAP_FIXED, .name = name,
			.dev = name ? 0x801 : 0, .ino = name ? 77 : 0,
			.rss_pages = pages / 2 }, MAXMAP, &out), 0);
}

/* What binfmt_load makes, in small: an image, a heap, a stack, args, env. */
static struct mm_struct *template_new(void)
{
	static const char args[] = "/bin/x\0-v", env[] = "A=1\0B=2";
	struct mm_struct *mm = tk_mm_alloc();

	assert_non_null(mm);
	mm->mmap_base = 0x7f0000000000UL;
	map(mm, W, 2, PROT_READ, MAP_PRIVATE, "/bin/x");
	map(mm, W + P(2), 4, PROT_READ | PROT_EXEC, MAP_PRIVATE, "/bin/x");
	map(mm, W + P(6), 1, PROT_READ | PROT_WRITE, MAP_PRIVATE, "/bin/x");
	mm->start_brk = W + P(20);
	mm->brk = W + P(24);
	map(mm, mm->start_brk, 4, PROT_READ | PROT_WRITE, MAP_PRIVATE, "[heap]");
	map(mm, STACK, 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_GROWSDOWN,
	    "[stack]");
	mm->start_stack = STACK + P(4);
	assert_int_equal(mm_set_args(mm, args, sizeof(args)), 0);
	assert_int_equal(mm_set_env(mm, env, sizeof(env)), 0);
	mm_template_get(mm);	/* its owner's reference; never mmput */
	return mm;
}

static int ch_mmap(struct mm_struct *mm)
{
	unsigned long out;

	return mm_mmap(mm, &(struct mmap_req){ .len = P(3),
			.prot = PROT_READ | PROT_WRITE,
			.flags = MAP_PRIVATE | MAP_ANONYMOUS }, MAXMAP, &out);
}

static int ch_mmap_fixed_over(struct mm_struct *mm)
{
	unsigned long out;

	return mm_mmap(mm, &(struct mmap_req){ .addr = W + P(1), .len = P(2),
			.prot = PROT_READ, .flags = MAP_PRIVATE | MAP_ANONYMOUS |
			MAP_FIXED }, MAXMAP, &out);
}

static int ch_munmap(struct mm_struct *mm)
{
	return mm_munmap(mm, W + P(3), P(1), MAXMAP);
}

static int ch_mprotect(struct mm_struct *mm)
{
	return mm_mprotect(mm, W + P(2), P(2), PROT_NONE, MAXMAP);
}

static int ch_brk_up(struct mm_struct *mm)
{
	return mm_brk(mm, mm->brk + P(5), MAXMAP);
}

static int ch_brk_down(struct mm_struct *mm)
{
	return mm_brk(mm, mm->brk - P(2), MAXMAP);
}

static int ch_stack(struct mm_struct *mm)
{
	return mm_expand_stack(mm, STACK - P(3));
}

static int ch_args(struct mm_struct *mm)
{
	return mm_set_args(mm, "y", 2);
}

static int ch_env(struct mm_struct *mm)
{
	return mm_set_env(mm, "C=3", 4);
}

static int ch_restore(struct mm_struct *mm)
{
	struct vm_area_struct v = { .vm_start = STACK + P(100),
				    .vm_end = STACK + P(101),
				    .vm_flags = VM_READ | VM_ANON };

	return mm_restore_vma(mm, &v);
}

static int ch_hole(struct mm_struct *mm)
{
	return mm_get_unmapped_area(mm, P(4)) ? 0 : -1;
}

static int ch_refused(struct mm_struct *mm)	/* fails: still a write path */
{
	return mm_munmap(mm, W + 1, P(1), MAXMAP);
}

static int (*const changes[])(struct mm_struct *) = {
	ch_mmap, ch_mmap_fixed_over, ch_munmap, ch_mprotect, ch_brk_up,
	ch_brk_down, ch_stack, ch_args, ch_env, ch_restore, ch_hole, ch_refused,
};

static void share_and_change(void)
{
	struct mm_struct *tmpl = template_new();
	char *before = mm_str(tmpl);

	for (size_t i = 0; i < sizeof(changes) / sizeof(*changes); i++) {
		struct mm_struct *a = mm_share(tmpl), *b = mm_share(tmpl);
		struct mm_struct *priv = dup_mm(tmpl);
		char *s, *want;
		int rc;

		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(priv);
		assert_true(mm_shared(a));
		assert_false(mm_shared(priv));	/* fork's copy is private */
		assert_int_equal(tmpl->cow_refs, 3);
		assert_ptr_equal(vma_first(a), vma_first(tmpl));	/* no copy yet */
		assert_ptr_equal(a->args, tmpl->args);
		s = mm_str(a);
		assert_string_equal(s, before);
		free(s);

		rc = changes[i](priv);
		assert_int_equal(changes[i](a), rc);
		assert_false(mm_shared(a));
		assert_ptr_not_equal(vma_first(a), vma_first(tmpl));
		want = mm_str(priv);
		s = mm_str(a);
		if (strcmp(s, want))
			fail_msg("change %zu: the unshared mm\n%s differs from a "
				 "private copy changed alike\n%s", i, s, want);
		free(s);
		free(want);
		/* Nothing shows through the template or the other sharer. */
		s = mm_str(tmpl);
		if (strcmp(s, before))
			fail_msg("change %zu showed through the template:\n%s",
				 i, s);
		free(s);
		s = mm_str(b);
		assert_string_equal(s, before);
		free(s);
		assert_int_equal(tmpl->cow_refs, 2);
		/* A second change: already private, no second copy. */
		assert_int_equal(ch_mmap(a), 0);
		mmput(a);
		mmput(b);
		mmput(priv);
		assert_int_equal(tmpl->cow_refs, 1);
	}
	/* The owner may drop the template first: its last sharer frees it. */
	{
		struct mm_struct *a = mm_share(tmpl);

		mm_template_put(tmpl);
		char *s = mm_str(a);

		assert_string_equal(s, before);
		free(s);
		mmput(a);
	}
	free(before);
}

static void test_share_every_store(void **state)
{
	(void)state;
	for (int i = 0; vma_store_backends[i]; i++)
		for (int d = FORKDUP_INSERT; d <= FORKDUP_BULK; d++) {
			if (tk_mm_config(vma_store_backends[i], d, false))
				continue;	/* no bulk dup in this store */
			share_and_change();
		}
	assert_int_equal(tk_mm_config(NULL, FORKDUP_INSERT, false), 0);
}

/* Two populated processes that share a template, or fail the test. */
static void sharing_pair(struct kernel *k, struct task **a, struct task **b)
{
	struct task *t, *u;

	for (int pid = next_tgid(k, 0, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		if (!t->mm || !mm_shared(t->mm))
			continue;
		for (int q = next_tgid(k, pid + 1, &u); q >= 0; q = next_tgid(k, q + 1, &u))
			if (u->mm && u->mm != t->mm && u->mm->cow_src == t->mm->cow_src) {
				*a = t;
				*b = u;
				return;
			}
	}
	fail_msg("no two populated processes share a layout");
}

/* Run @change on one of two sharers; the other must not see it. */
#define THROUGH_ONE(k, change) do {					\
	struct task *a_, *b_;						\
	char *before_, *after_;						\
									\
	sharing_pair((k), &a_, &b_);					\
	before_ = mm_str(b_->mm);					\
	assert_int_equal(change(k, a_), 0);				\
	assert_false(mm_shared(a_->mm));				\
	after_ = mm_str(b_->mm);					\
	assert_string_equal(after_, before_);				\
	free(before_);							\
	free(after_);							\
} while (0)

static int do_map(struct kernel *k, struct task *t)
{
	unsigned long addr;

	return do_mmap(k, t->pid, 0, P(2), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       &addr);
}

static int do_grow_heap(struct kernel *k, struct task *t)
{
	unsigned long addr;

	return do_brk(k, t->pid, t->mm->brk + P(1), &addr);
}

static int do_thread(struct kernel *k, struct task *t)	/* maps a stack */
{
	int tid;

	return do_clone_thread(k, t->pid, &tid);
}

static int do_unmap_first(struct kernel *k, struct task *t)
{
	return do_munmap(k, t->pid, vma_first(t->mm)->vm_start, P(1));
}

static int do_protect_first(struct kernel *k, struct task *t)
{
	return do_mprotect(k, t->pid, vma_first(t->mm)->vm_start, P(1), PROT_NONE);
}

static void test_populate_shares(void **state)
{
	struct kernel_opts o = { .populate_layouts = 2 };
	struct tk *tk = tk_new(&o);
	struct kernel *k = &tk->k;
	struct task *a, *b, *t;
	char *before, *c;
	int nr = 0, shared = 0, out;

	(void)state;
	assert_int_equal(populate(k, 300), 0);
	for (int pid = next_tgid(k, 0, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t))
		if (t->mm) {
			nr++;
			shared += mm_shared(t->mm);
		}
	assert_true(shared > nr / 2);
	THROUGH_ONE(k, do_map);
	THROUGH_ONE(k, do_grow_heap);
	THROUGH_ONE(k, do_thread);
	THROUGH_ONE(k, do_unmap_first);
	THROUGH_ONE(k, do_protect_first);
	/* fork: the child's copy is private, the parent keeps sharing. */
	sharing_pair(k, &a, &b);
	before = mm_str(b->mm);
	assert_int_equal(do_fork(k, b->pid, 1, &out), 0);
	t = find_task(k, out);
	assert_non_null(t);
	assert_false(mm_shared(t->mm));
	assert_true(mm_shared(b->mm));
	c = mm_str(t->mm);
	assert_string_equal(c, before);
	free(c);
	free(before);
	check_world(k);
	tk_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_every_store),
		cmocka_unit_test(test_populate_shares),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
