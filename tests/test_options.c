// SPDX-License-Identifier: MIT
/*
 * The daemon's -o options (fs/options.c): every bad value is refused with
 * one line naming it, "0" is a value and not the default, and the kernel
 * settings are refused exactly as ctl refuses them, with the same reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ctl.h"
#include "options.h"

#define FIELD(f)	offsetof(struct options, f)

/* Options with one field set to @value. */
static struct options with(size_t field, const char *value)
{
	struct options o;

	memset(&o, 0, sizeof(o));
	*(const char **)((char *)&o + field) = value;
	return o;
}

static void test_defaults(void **state)
{
	struct options o = with(FIELD(load), NULL);
	struct daemon_config cfg;
	char why[OPTIONS_WHY_LEN];

	(void)state;
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_int_equal(cfg.ko.pid_max, 0);		/* kernel_init's default */
	assert_int_equal(cfg.ko.max_map_count, 0);
	assert_int_equal(cfg.populate, 0);
	assert_true(cfg.entry_timeout == 0 && cfg.attr_timeout == 0);
	assert_true(cfg.cache);
	assert_true(cfg.ko.concurrent);		/* ctl_lock=fine */
	o = with(FIELD(ctl_lock), "world");
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_false(cfg.ko.concurrent);
	o = with(FIELD(entry_timeout), "0.5");
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_true(cfg.entry_timeout == 0.5);
	o = with(FIELD(pid_max), "32768");
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_int_equal(cfg.ko.pid_max, 32768);
	o = with(FIELD(vmastore), "maple");
	o.forkdup = "bulk";
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_int_equal(cfg.ko.forkdup, FORKDUP_BULK);
	/* populate_layouts: unset the core's default, 0 none shared. */
	o = with(FIELD(load), NULL);
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_int_equal(cfg.ko.populate_layouts, 0);
	o = with(FIELD(populate_layouts), "0");
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_int_equal(cfg.ko.populate_layouts, -1);
	o = with(FIELD(populate_layouts), "8");
	assert_int_equal(options_check(&o, &cfg, why), 0);
	assert_int_equal(cfg.ko.populate_layouts, 8);
}

static void test_refused(void **state)
{
	static const struct {
		size_t field;
		const char *value, *why;
	} bad[] = {
		/* Once silently the default: "0" is a value like any other. */
		{ FIELD(pid_max), "0", "pid_max=0: 0 is out of range 301..4194304" },
		{ FIELD(max_map_count), "0",
		  "max_map_count=0: 0 is out of range 1..2147483647" },
		{ FIELD(pid_max), "12abc", "pid_max=12abc: not a number" },
		{ FIELD(pid_max), " 400", "pid_max= 400: not a number" },
		{ FIELD(pid_max), "4194305",
		  "pid_max=4194305: 4194305 is out of range 301..4194304" },
		{ FIELD(max_map_count), "2147483648",
		  "max_map_count=2147483648: must be -2147483648..2147483647" },
		/* Once accepted: nan kept a reaped pid's entry alive. */
		{ FIELD(entry_timeout), "nan", "entry_timeout=nan: not a number of seconds" },
		{ FIELD(entry_timeout), "inf", "entry_timeout=inf: not a number of seconds" },
		{ FIELD(attr_timeout), "1e30", "attr_timeout=1e30: must be 0..86400 seconds" },
		{ FIELD(attr_timeout), "-1", "attr_timeout=-1: not a number of seconds" },
		{ FIELD(attr_timeout), "1s", "attr_timeout=1s: not a number of seconds" },
		{ FIELD(entry_timeout), "", "entry_timeout=: not a number of seconds" },
		{ FIELD(populate), "-1", "populate=-1: must be 0..4194304" },
		{ FIELD(seed), "-3", "seed=-3: must be 0..9223372036854775807" },
		{ FIELD(populate_layouts), "65537",
		  "populate_layouts=65537: must be 0..65536" },
		{ FIELD(populate_layouts), "-1", "populate_layouts=-1: must be 0..65536" },
		{ FIELD(cache), "maybe", "cache=maybe: must be on or off" },
		{ FIELD(ctl_lock), "both", "ctl_lock=both: must be fine or world" },
		{ FIELD(forkdup), "copy", "forkdup=copy: must be insert or bulk" },
		{ FIELD(mmap_layout), "up", "mmap_layout=up: must be topdown or legacy" },
		{ FIELD(forkdup), "bulk", "vmastore list cannot duplicate its "
		  "structure whole; forkdup=bulk needs one of: gaptree maple" },
		{ FIELD(vmastore), "tree", "unknown vmastore 'tree' (have: list "
		  "cache gaptree maple)" },
		{ FIELD(wait), "poll", "unknown wait strategy 'poll' (have: lookup scan)" },
	};
	struct daemon_config cfg;
	char why[OPTIONS_WHY_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct options o = with(bad[i].field, bad[i].value);

		strcpy(why, "?");
		assert_int_equal(options_check(&o, &cfg, why), -EINVAL);
		assert_string_equal(why, bad[i].why);
	}
}

/* ctl's "NAME VALUE" and -o NAME=VALUE: both refused or both taken, same reason. */
static void agree(struct kernel *k, const char *name, size_t field,
		  const char *value)
{
	struct options o = with(field, value);
	struct daemon_config cfg;
	char why[OPTIONS_WHY_LEN], line[64], want[OPTIONS_WHY_LEN + 32];
	int opt_err = options_check(&o, &cfg, why), ctl_err;
	struct buf out;

	snprintf(line, sizeof(line), "%s %s", name, value);
	buf_init(&out);
	world_unlock(k);	/* ctl_run_line takes it */
	ctl_err = ctl_run_line(k, line, strlen(line), &out);
	world_write_lock(k);
	buf_putc(&out, '\0');
	assert_int_equal(ctl_err, opt_err);
	if (opt_err) {
		/* "pid_max=0: REASON" and "EINVAL: pid_max: REASON\n" */
		snprintf(want, sizeof(want), "EINVAL: %s: %s\n", name,
			 why + strlen(name) + strlen(value) + 3);
		assert_string_equal(out.data, want);
	}
	buf_free(&out);
}

static void test_agrees_with_ctl(void **state)
{
	static const char *const pid_max[] = {
		"0", "-1", "300", "301", "4194304", "4194305", "32768",
	};
	static const char *const max_map_count[] = {
		"0", "-5", "1", "65530", "2147483647",
	};
	struct kernel k;

	(void)state;
	assert_int_equal(kernel_init(&k, NULL), 0);
	world_write_lock(&k);
	for (size_t i = 0; i < sizeof(pid_max) / sizeof(*pid_max); i++)
		agree(&k, "pid_max", FIELD(pid_max), pid_max[i]);
	for (size_t i = 0; i < sizeof(max_map_count) / sizeof(*max_map_count); i++)
		agree(&k, "max_map_count", FIELD(max_map_count), max_map_count[i]);
	world_unlock(&k);
	kernel_destroy(&k);
}

/* kernel_init itself refuses what the check refuses. */
static void test_kernel_init_checks(void **state)
{
	struct kernel_opts o;
	struct kernel k;
	char why[KOPT_WHY_LEN];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.pid_max = 5;
	assert_int_equal(kernel_opts_check(&o, why), -EINVAL);
	assert_int_equal(kernel_init(&k, &o), -EINVAL);
	o.pid_max = 0;
	o.max_map_count = -1;
	assert_int_equal(kernel_init(&k, &o), -EINVAL);
	o.max_map_count = 0;
	o.watchers = "nope";
	assert_int_equal(kernel_opts_check(&o, why), -EINVAL);
	assert_string_equal(why, "unknown watchers 'nope' (have: table chain direct none)");
	assert_int_equal(kernel_opts_check(&o, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_agrees_with_ctl),
		cmocka_unit_test(test_kernel_init_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
