// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: ctl_run_line() on a small live kernel, one input's
 * lines in turn, as the daemon runs a write.  The kernel persists across
 * inputs (so sequences reach deep states) and is reset every RESET_EVERY
 * inputs so its size stays bounded.  Commands that would only make an input
 * slow (huge fork counts, populate, pid_max beyond a small bound) are
 * skipped: they are the parser harness's and the unit tests' business;
 * so are save, load and replay, which would write and read files anywhere.
 *
 * Lines run in one ctl session, so $! reaches real pids; a repeat runs
 * at most REPEAT_BOUND times, its commands bounded as lines are.
 *
 * After every line the world must hold its invariants, and a failed line
 * must leave the generation counter, hence the world, untouched (but a
 * repeat, which keeps what its runs before the failure did).  The world
 * must also stay one a real kernel could show (realism_check.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "fuzz_check.h"
#include "../realism_check.h"

#define RESET_EVERY	500
#define PID_MAX_BOUND	4096
#define COUNT_BOUND	64
#define REPEAT_BOUND	8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kernel k;
static struct ctl_session session;
static bool booted;
static unsigned long inputs;

static unsigned long long fixed_clock(void *arg)
{
	(void)arg;
	return 12345;
}

/* Would this line take long (or much memory) for a fuzz input? */
static bool too_costly(const char *line, size_t len)
{
	struct ctl_cmd c;
	struct buf err;
	bool costly = false;

	buf_init(&err);
	memset(&c, 0, sizeof(c));
	if (ctl_parse_in(line, len, 1, &c, &err) == 0) {
		if (c.op == CTL_REPEAT) {
			const char *sub = c.repeat.text;

			costly = c.repeat.n > REPEAT_BOUND;
			for (int i = 0; i < c.repeat.nlines && !costly; i++) {
				costly = too_costly(sub, strlen(sub));
				sub += strlen(sub) + 1;
			}
		}
		costly = costly ||
			 (c.op == CTL_FORK && c.fork.count > COUNT_BOUND) ||
			 (c.op == CTL_POPULATE && c.populate.n > COUNT_BOUND) ||
			 (c.op == CTL_PID_MAX && c.pid_max.n > PID_MAX_BOUND) ||
			 (c.op == CTL_MMAP && c.mmap.len > (1ul << 40)) ||
			 c.op == CTL_SAVE || c.op == CTL_LOAD ||
			 c.op == CTL_REPLAY;
		ctl_cmd_free(&c);
	}
	buf_free(&err);
	return costly;
}

static void run_line(const char *line, size_t len)
{
	struct buf out;
	uint64_t gen = k.gen;
	unsigned long nr = k.nr_tasks;
	int rc;

	if (too_costly(line, len))
		return;
	buf_init(&out);
	rc = ctl_run_line_in(&k, &session, line, len, &out);
	CHECK(rc <= 0);
	/* One reply line, ending in '\n', whatever happened. */
	CHECK(out.len > 0 && out.data[out.len - 1] == '\n');
	if (rc && strncmp(out.data + strcspn(out.data, " ") + 1, "repeat:", 7)) {
		CHECK(out.data[0] == 'E');
		CHECK(k.gen == gen && k.nr_tasks == nr);
	}
	CHECK(k.init_task && find_task(&k, 1) == k.init_task);
	CHECK(k.nr_processes <= k.nr_tasks);
	{
		char msg[256];
		const char *why = realism_violation(&k, false, msg, sizeof(msg));

		if (why)
			fprintf(stderr, "unrealistic after '%.*s': %s\n", (int)len, line, why);
		CHECK(!why);
	}
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	static const struct kernel_opts o = { .pid_max = 1024, .seed = 1,
					      .max_map_count = 1024,
					      .clock = fixed_clock };

	if (!booted) {
		if (kernel_init(&k, &o))
			abort();
		booted = true;
	}
	/*
	 * reset keeps the settings the inputs made, and may rightly fail with
	 * them (max_map_count 1 leaves init no room for its maps): then boot
	 * afresh with the harness's own.
	 */
	if (++inputs % RESET_EVERY == 0 && kernel_reset(&k)) {
		kernel_destroy(&k);
		if (kernel_init(&k, &o))
			abort();
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		run_line(p, len);
		p += len + 1;
	}
	return 0;
}
