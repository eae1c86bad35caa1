// SPDX-License-Identifier: MIT
/*
 * Two kernels in one process share no state: each keeps its own VMA store,
 * fork mode, mmap layout and interned names (struct kernel's mm_cfg and
 * strings), so booting one never changes the other, and tearing one down
 * leaves the other's names intact (ASan sees any use after free).
 */
#include "core_test_util.h"

static struct tk *boot(const char *pidstore, const char *vmastore,
		       enum vma_forkdup forkdup, bool legacy)
{
	struct kernel_opts o;

	memset(&o, 0, sizeof(o));
	o.pidstore = pidstore;
	o.vmastore = vmastore;
	o.forkdup = forkdup;
	o.mmap_legacy = legacy;
	o.seed = 42;
	return tk_new(&o);
}

/* A child of init after both kernels are up, and a fresh mapping in it. */
static struct task *fork_and_map(struct kernel *k, unsigned long *addr)
{
	int pid;

	assert_int_equal(do_fork(k, 1, 1, &pid), 0);
	assert_int_equal(do_mmap(k, pid, 0, 1UL << 20, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, addr), 0);
	return find_task(k, pid);
}

/* The first file VMA's name in @t's mm. */
static const char *file_name(const struct task *t)
{
	const struct vm_area_struct *v;

	for (v = vma_first(t->mm); v; v = vma_next(t->mm, v))
		if (v->name && v->name[0] == '/')
			return v->name;
	fail_msg("no file VMA in %d", t->pid);
	return NULL;
}

/* Every user process of @k has an mm of store @store and layout @legacy. */
static void check_mms(struct kernel *k, const char *store, bool legacy)
{
	struct task *t;
	int n = 0;

	for (int pid = next_tgid(k, 1, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		if (!t->mm)
			continue;		/* kernel threads */
		assert_string_equal(t->mm->vma_ops->name, store);
		assert_int_equal(t->mm->legacy_layout, legacy);
		assert_ptr_equal(t->mm->names, k->strings);
		n++;
	}
	assert_true(n >= 20);
}

static void test_side_by_side(void **state)
{
	struct tk *a = boot("bitmap", "maple", FORKDUP_BULK, true);
	struct tk *b = boot("xarray", "list", FORKDUP_INSERT, false);
	struct task *ta, *tb;
	unsigned long addr_a, addr_b;

	(void)state;
	assert_int_equal(populate(&a->k, 50), 0);
	assert_int_equal(populate(&b->k, 50), 0);
	/* populate execs: new mms after both boots, each with its kernel's. */
	check_mms(&a->k, "maple", true);
	check_mms(&b->k, "list", false);
	/* Forks after both boots: each kernel's own settings, not the last one's. */
	ta = fork_and_map(&a->k, &addr_a);
	tb = fork_and_map(&b->k, &addr_b);
	assert_string_equal(ta->mm->vma_ops->name, "maple");
	assert_int_equal(ta->mm->forkdup, FORKDUP_BULK);
	assert_true(ta->mm->legacy_layout);
	assert_true(addr_a < STACK_TOP / 2);		/* bottom-up */
	assert_string_equal(tb->mm->vma_ops->name, "list");
	assert_int_equal(tb->mm->forkdup, FORKDUP_INSERT);
	assert_false(tb->mm->legacy_layout);
	assert_true(addr_b > STACK_TOP / 2);		/* top-down */
	assert_string_equal(a->k.pids.ops->name, "bitmap");
	assert_string_equal(b->k.pids.ops->name, "xarray");
	/* Same seed, same libraries: equal names, each kernel its own copy. */
	assert_string_equal(file_name(ta), file_name(tb));
	assert_ptr_not_equal(file_name(ta), file_name(tb));
	assert_ptr_equal(ta->mm->names, a->k.strings);
	assert_ptr_equal(tb->mm->names, b->k.strings);
	/* One world goes; the other still reads its names and works on. */
	tk_free(a);
	assert_non_null(strchr(file_name(tb), '/'));
	assert_int_equal(do_fork(&b->k, tb->pid, 1, &(int){ 0 }), 0);
	tk_free(b);
}

/* A reset keeps the kernel's own settings (kernel_replace moves mm_cfg). */
static void test_reset_keeps_settings(void **state)
{
	struct tk *a = boot("idr", "gaptree", FORKDUP_INSERT, true);
	struct tk *b = boot("idr", "cache", FORKDUP_INSERT, false);
	unsigned long addr;
	struct task *t;

	(void)state;
	assert_int_equal(kernel_reset(&a->k), 0);
	t = fork_and_map(&a->k, &addr);
	assert_string_equal(t->mm->vma_ops->name, "gaptree");
	assert_true(t->mm->legacy_layout);
	assert_ptr_equal(t->mm->names, a->k.strings);
	t = fork_and_map(&b->k, &addr);
	assert_string_equal(t->mm->vma_ops->name, "cache");
	tk_free(a);
	tk_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_side_by_side),
		cmocka_unit_test(test_reset_keeps_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
