// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the snapshot loader (core/snapshot.c) on any bytes.
 *
 * A random change almost never keeps the checksum right, so each input
 * is loaded twice: as it is, and with its last four bytes made the CRC of
 * the rest, which lets the fuzzer reach every section's parser (the mms,
 * tasks, shared layouts and their references).  A load must succeed or be
 * refused with -EINVAL or -ENOMEM and a one-line reason.  A loaded world
 * must render every task's maps, smaps and status (shared layouts read
 * through their templates), save and load again to the same bytes, and
 * take a write through each kind of mm and a populate (which shares the
 * loaded templates) without a crash.  Seeds: tests/snapshot-corpus/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_check.h"
#include "render.h"
#include "snapshot.h"
#include "world_lock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long long fixed_clock(void *arg)
{
	(void)arg;
	return 12345;
}

/* The kernel whose options a load starts from (the file's replace them). */
static struct kernel *base(void)
{
	static const struct kernel_opts o = { .pid_max = 1024, .clock = fixed_clock };
	static struct kernel k;
	static bool booted;

	if (!booted && kernel_init(&k, &o))
		abort();
	booted = true;
	return &k;
}

static void render_tasks(const struct kernel *k)
{
	static const task_render_fn files[] = {
		render_tid_maps, render_tid_smaps, render_tid_status,
		render_tid_statm,
	};
	struct render_ctx c = { .k = k, .now = 12345, .btime = 1000 };
	struct buf b;
	struct task *t;

	buf_init(&b);
	for (int pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
			b.len = 0;
			files[i](&b, &c, t, false);
		}
	buf_free(&b);
}

/* Save @k; loading that must give a world that saves to the same bytes. */
static void check_resave(struct kernel *k)
{
	char why[SNAPSHOT_WHY_LEN];
	struct kernel again;
	void *d1, *d2;
	size_t n1, n2;

	if (kernel_save(k, &d1, &n1))
		return;
	CHECK(kernel_load_prepare(k, d1, n1, &again, why) == 0);
	if (!kernel_save(&again, &d2, &n2)) {
		CHECK(n1 == n2 && !memcmp(d1, d2, n1));
		free(d2);
	}
	free(d1);
	kernel_destroy(&again);
}

/* A write through the first sharing mm and the first private one, then
 * a populate drawing from the loaded pool: none may crash. */
static void exercise(struct kernel *k)
{
	bool shared_done = false, private_done = false;
	unsigned long addr;
	struct task *t;

	for (int pid = next_tgid(k, 0, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		bool sh;

		if (!t->mm)
			continue;
		sh = mm_shared(t->mm);
		if (sh ? shared_done : private_done)
			continue;
		do_mmap(k, pid, 0, 2 * PAGE_SIZE, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, &addr);
		*(sh ? &shared_done : &private_done) = true;
	}
	populate(k, 5);
}

static void one(const uint8_t *data, size_t size)
{
	char why[SNAPSHOT_WHY_LEN];
	struct kernel fresh;
	int rc = kernel_load_prepare(base(), data, size, &fresh, why);

	CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	CHECK(strlen(why) < SNAPSHOT_WHY_LEN && !strchr(why, '\n'));
	if (rc) {
		CHECK(why[0]);
		return;
	}
	world_write_lock(&fresh);
	render_tasks(&fresh);
	check_resave(&fresh);
	exercise(&fresh);
	render_tasks(&fresh);
	world_unlock(&fresh);
	kernel_destroy(&fresh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uint32_t crc;

	one(data, size);
	if (size < SNAPSHOT_HEAD_LEN + 4)
		return 0;
	fixed = malloc(size);
	if (!fixed)
		return 0;
	memcpy(fixed, data, size);
	crc = snapshot_crc32(fixed, size - 4);
	for (int i = 0; i < 4; i++)
		fixed[size - 4 + i] = crc >> (8 * i);
	if (memcmp(fixed, data, size))
		one(fixed, size);
	free(fixed);
	return 0;
}
