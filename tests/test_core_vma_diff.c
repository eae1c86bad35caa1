// SPDX-License-Identifier: MIT
/*
 * The VMA stores against each other: one random run of mmap (anywhere,
 * with hints, MAP_FIXED, MAP_FIXED_NOREPLACE, growsdown), munmap,
 * mprotect, brk, stack growth, clone (thread stacks) and fork, on every
 * store and both fork copy modes, must give the same result codes, the
 * same addresses and byte-identical /proc/<pid>/maps at every step.
 * The list store is the reference.  A fork's child must also read the
 * same maps as its parent at once (the bulk copy is checked that way).
 */
#include "core_test_util.h"
#include "../fs/render.h"

#define STEPS		2500
#define MAX_PROCS	6
#define MAX_THREADS	40

struct config {
	const char *store;
	enum vma_forkdup dup;
};

struct run {
	uint64_t *hash;		/* per step: the transcript so far */
	char *final;		/* every process's maps at the end */
};

static uint64_t rs;

static unsigned long rnd(unsigned long n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (unsigned long)(rs % n);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

static void render_maps(struct buf *b, struct kernel *k, int pid)
{
	struct render_ctx c = { .k = k, .now = kernel_now(k), .btime = 0 };

	render_tid_maps(b, &c, find_task(k, pid), true);
}

/* Every VMA is found where it is, and the count matches the walk. */
static void check_store(const struct mm_struct *mm, int step)
{
	const struct vm_area_struct *v;

	if (!vmas_sane(mm))
		fail_msg("step %d: VMAs unsorted, overlapping or miscounted", step);
	for (v = vma_first(mm); v; v = vma_next(mm, v))
		if (find_vma(mm, v->vm_start) != v || find_vma(mm, v->vm_end - 1) != v)
			fail_msg("step %d: find_vma misses %lx-%lx", step,
				 v->vm_start, v->vm_end);
}

/* A random VMA of @mm (or NULL if none). */
static struct vm_area_struct *pick_vma(struct mm_struct *mm)
{
	struct vm_area_struct *v = vma_first(mm);
	unsigned long i = rnd((unsigned long)mm->map_count);

	while (v && i--)
		v = vma_next(mm, v);
	return v;
}

static int pick_prot(void)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_NONE, PROT_READ | PROT_EXEC };

	return prots[rnd(4)];
}

static void one_run(const struct config *cf, uint64_t seed, struct run *out)
{
	struct kernel_opts o = { .vmastore = cf->store, .forkdup = cf->dup,
				 .seed = 42 };
	struct tk *tk = tk_new(&o);
	struct kernel *k = &tk->k;
	int procs[MAX_PROCS], nprocs = 0, threads = 0;
	struct buf b, t;
	uint64_t h = 0xcbf29ce484222325ULL;

	buf_init(&b);
	buf_init(&t);
	rs = seed;
	procs[nprocs++] = fork1(k, 1);
	out->hash = calloc(STEPS, sizeof(*out->hash));
	assert_non_null(out->hash);
	for (int step = 0; step < STEPS; step++) {
		int pid = procs[rnd(nprocs)], op = (int)rnd(100), rc = 0;
		struct mm_struct *mm = find_task(k, pid)->mm;
		struct vm_area_struct *v = pick_vma(mm);
		unsigned long addr = 0, len = (1 + rnd(rnd(4) ? 16 : 600)) << PAGE_SHIFT;
		unsigned long out_addr = 0;

		buf_reset(&t);
		if (op < 30) {
			int flags = MAP_PRIVATE | MAP_ANONYMOUS;

			if (!rnd(20))
				flags |= MAP_GROWSDOWN;
			if (op >= 22 && v)	/* a hint near a mapping */
				addr = (v->vm_start & ~(PAGE_SIZE - 1)) -
				       (rnd(300) << PAGE_SHIFT);
			rc = do_mmap(k, pid, addr, len, pick_prot(), flags, &out_addr);
			buf_printf(&t, "mmap %d %lx %lx", pid, addr, len);
		} else if (op < 40 && v) {
			int flags = MAP_PRIVATE | MAP_ANONYMOUS |
				    (rnd(3) ? MAP_FIXED : MAP_FIXED_NOREPLACE);

			addr = v->vm_start + (rnd(8) << PAGE_SHIFT) - (rnd(8) << PAGE_SHIFT);
			rc = do_mmap(k, pid, addr, len, pick_prot(), flags, &out_addr);
			buf_printf(&t, "fixed %d %lx %lx", pid, addr, len);
		} else if (op < 58 && v) {
			addr = v->vm_start + (rnd(4) << PAGE_SHIFT);
			rc = do_munmap(k, pid, addr, len);
			buf_printf(&t, "munmap %d %lx %lx", pid, addr, len);
		} else if (op < 78 && v) {
			addr = v->vm_start + (rnd(4) << PAGE_SHIFT);
			rc = do_mprotect(k, pid, addr, len, pick_prot());
			buf_printf(&t, "mprotect %d %lx %lx", pid, addr, len);
		} else if (op < 84) {
			unsigned long brk = mm->brk + (rnd(64) << 12) - (rnd(64) << 12) +
					    rnd(PAGE_SIZE);

			rc = do_brk(k, pid, brk, &out_addr);
			buf_printf(&t, "brk %d %lx", pid, brk);
		} else if (op < 88 && v) {
			/* A fault below a stack: expand_stack, or not. */
			addr = v->vm_start - (rnd(300) << PAGE_SHIFT);
			rc = mm_expand_stack(mm, addr);
			buf_printf(&t, "grow %d %lx", pid, addr);
		} else if (op < 95 && threads < MAX_THREADS) {
			int tid;

			rc = do_clone_thread(k, pid, &tid);
			threads += !rc;
			buf_printf(&t, "clone %d", pid);
		} else if (op < 98 && nprocs < MAX_PROCS) {
			int child;
			struct buf pm, cm;

			rc = do_fork(k, pid, 1, &child);
			buf_printf(&t, "fork %d", pid);
			if (!rc) {
				procs[nprocs++] = child;
				buf_init(&pm);
				buf_init(&cm);
				render_maps(&pm, k, pid);
				render_maps(&cm, k, child);
				if (pm.len != cm.len || memcmp(pm.data, cm.data, pm.len))
					fail_msg("%s/%s step %d: child's maps differ"
						 " from its parent's", cf->store,
						 vma_forkdup_name(cf->dup), step);
				check_store(find_task(k, child)->mm, step);
				buf_free(&pm);
				buf_free(&cm);
			}
		} else {
			continue;
		}
		buf_printf(&t, " = %d %lx\n", rc, out_addr);
		render_maps(&t, k, pid);
		check_store(mm, step);
		h = fnv(h, t.data, t.len);
		out->hash[step] = h;
	}
	buf_reset(&b);
	for (int i = 0; i < nprocs; i++)
		render_maps(&b, k, procs[i]);
	buf_putc(&b, '\0');
	out->final = strdup(b.data);
	check_world(k);
	buf_free(&b);
	buf_free(&t);
	tk_free(tk);
}

static void test_stores_agree(void **state)
{
	struct config cfs[16];
	int n = 0;

	(void)state;
	for (int i = 0; vma_store_backends[i]; i++) {
		cfs[n++] = (struct config){ vma_store_backends[i]->name, FORKDUP_INSERT };
		if (vma_store_backends[i]->dup)
			cfs[n++] = (struct config){ vma_store_backends[i]->name,
						    FORKDUP_BULK };
	}
	assert_true(n >= 6);	/* four stores, bulk on gaptree and maple */
	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct run ref, r;

		one_run(&cfs[0], seed * 0x9e3779b97f4a7c15ULL, &ref);
		for (int c = 1; c < n; c++) {
			one_run(&cfs[c], seed * 0x9e3779b97f4a7c15ULL, &r);
			for (int s = 0; s < STEPS; s++)
				if (r.hash[s] != ref.hash[s])
					fail_msg("seed %llu: %s/%s departs from list at step %d",
						 (unsigned long long)seed, cfs[c].store,
						 vma_forkdup_name(cfs[c].dup), s);
			assert_string_equal(r.final, ref.final);
			free(r.hash);
			free(r.final);
		}
		free(ref.hash);
		free(ref.final);
	}
}

/*
 * Deep trees: one mm grown to thousands of one-page VMAs (alternating
 * protections keep them apart) and thinned again, so that maple nodes
 * split at every level and empty ones are dropped; each store's picks,
 * its walk and its find_vma must match the list's all the way.
 */
static uint64_t many_vmas(const struct vma_store_ops *ops, enum vma_forkdup dup)
{
	struct mm_struct *mm, *copy;
	uint64_t h = 0xcbf29ce484222325ULL;
	const struct vm_area_struct *v;

	assert_int_equal(tk_mm_config(ops, dup, false), 0);
	mm = tk_mm_alloc();
	assert_non_null(mm);
	rs = 12345;
	for (int step = 0; step < 16000; step++) {
		unsigned long out = 0, len = (1 + rnd(rnd(8) ? 1 : 40)) << PAGE_SHIFT;
		int rc, prot = step & 1 ? PROT_READ : PROT_READ | PROT_WRITE;
		int phase = step < 7000 ? 80 : 30;	/* grow, then thin out */

		if ((int)rnd(100) < phase) {
			rc = mm_mmap(mm, &(struct mmap_req){
					.len = len, .prot = prot,
					.flags = MAP_PRIVATE | MAP_ANONYMOUS },
					1 << 20, &out);
		} else {
			const struct vm_area_struct *p = pick_vma(mm);

			if (!p)
				continue;
			out = p->vm_start;
			rc = rnd(3) ? mm_munmap(mm, out, len, 1 << 20) :
				      mm_mprotect(mm, out, len, prot, 1 << 20);
		}
		h = fnv(h, &rc, sizeof(rc));
		h = fnv(h, &out, sizeof(out));
		if (step % 1000 == 0)
			check_store(mm, step);
	}
	check_store(mm, -1);
	copy = dup_mm(mm);
	assert_non_null(copy);
	check_store(copy, -2);
	for (v = vma_first(copy); v; v = vma_next(copy, v))
		h = fnv(h, &v->vm_start, 2 * sizeof(unsigned long));
	assert_int_equal(copy->map_count, mm->map_count);
	mmput(copy);
	mmput(mm);
	return h;
}

static void test_many_vmas(void **state)
{
	uint64_t ref;

	(void)state;
	ref = many_vmas(vma_store_backends[0], FORKDUP_INSERT);
	for (int i = 1; vma_store_backends[i]; i++) {
		const struct vma_store_ops *ops = vma_store_backends[i];

		if (many_vmas(ops, FORKDUP_INSERT) != ref)
			fail_msg("%s/insert departs from list", ops->name);
		if (ops->dup && many_vmas(ops, FORKDUP_BULK) != ref)
			fail_msg("%s/bulk departs from list", ops->name);
	}
	tk_mm_config(NULL, FORKDUP_INSERT, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stores_agree),
		cmocka_unit_test(test_many_vmas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
