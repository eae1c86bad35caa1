// SPDX-License-Identifier: MIT
/* The daemon's -o options: one check, shared with ctl (see options.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "options.h"

/* "NAME=VALUE: reason", the line the daemon prints; -EINVAL. */
static int bad(char *why, const char *name, const char *value,
	       const char *reason)
{
	snprintf(why, OPTIONS_WHY_LEN, "%s=%.40s: %s", name, value, reason);
	return -EINVAL;
}

/* A decimal in [min, max], or unset (NULL: *@v untouched). */
static int number(const char *name, const char *s, long long min,
		  long long max, long long *v, char *why)
{
	char reason[64];
	int err;

	if (!s)
		return 0;
	err = ctl_parse_decimal(s, v);
	if (err == -EINVAL)
		return bad(why, name, s, "not a number");
	if (err || *v < min || *v > max) {
		snprintf(reason, sizeof(reason), "must be %lld..%lld", min, max);
		return bad(why, name, s, reason);
	}
	return 0;
}

/* A core setting: ctl's own check gives the reason. */
static int setting(const char *name, const char *s,
		   int (*check)(long long, char *), int *v, char *why)
{
	char reason[KOPT_WHY_LEN];
	long long n;
	int err = number(name, s, INT_MIN, INT_MAX, &n, why);

	if (err || !s)
		return err;
	if (check(n, reason))
		return bad(why, name, s, reason);
	*v = (int)n;
	return 0;
}

/* Seconds: plain digits and a point, finite, 0..OPTION_TIMEOUT_MAX (no nan, inf, sign). */
static int timeout(const char *name, const char *s, double *v, char *why)
{
	char *end, reason[64];
	double x;

	if (!s)
		return 0;
	if (!strchr("0123456789.", *s) || !*s)
		return bad(why, name, s, "not a number of seconds");
	x = strtod(s, &end);
	if (*end || end == s || !isfinite(x))
		return bad(why, name, s, "not a number of seconds");
	if (x < 0 || x > OPTION_TIMEOUT_MAX) {
		snprintf(reason, sizeof(reason), "must be 0..%.0f seconds",
			 OPTION_TIMEOUT_MAX);
		return bad(why, name, s, reason);
	}
	*v = x;
	return 0;
}

/* @s one of @a or @b (or unset): true for @b. */
static int choice(const char *name, const char *s, const char *a,
		  const char *b, bool *is_b, char *why)
{
	char reason[64];

	*is_b = s && !strcmp(s, b);
	if (!s || *is_b || !strcmp(s, a))
		return 0;
	snprintf(reason, sizeof(reason), "must be %s or %s", a, b);
	return bad(why, name, s, reason);
}

int options_check(const struct options *o, struct daemon_config *cfg,
		  char why[OPTIONS_WHY_LEN])
{
	char reason[KOPT_WHY_LEN];
	bool bulk, legacy, off, unaccounted, once, ns_on, uring, world_lock, cold;
	long long n = 0;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->ko.pidstore = o->pidstore;
	cfg->ko.vmastore = o->vmastore;
	cfg->ko.wait = o->wait;
	cfg->ko.watchers = o->watchers;
	if ((err = setting("pid_max", o->pid_max, kopt_check_pid_max,
			   &cfg->ko.pid_max, why)) ||
	    (err = setting("max_map_count", o->max_map_count,
			   kopt_check_max_map_count, &cfg->ko.max_map_count, why)) ||
	    (err = number("populate", o->populate, 0, PID_MAX_LIMIT, &n, why)) ||
	    (err = timeout("entry_timeout", o->entry_timeout,
			   &cfg->entry_timeout, why)) ||
	    (err = timeout("attr_timeout", o->attr_timeout,
			   &cfg->attr_timeout, why)) ||
	    (err = choice("forkdup", o->forkdup, "insert", "bulk", &bulk, why)) ||
	    (err = choice("mmap_layout", o->mmap_layout, "topdown", "legacy",
			  &legacy, why)) ||
	    (err = choice("cache", o->cache, "on", "off", &off, why)) ||
	    (err = choice("account", o->account, "on", "off", &unaccounted, why)) ||
	    (err = choice("pidlock", o->pidlock, "twice", "once", &once, why)) ||
	    (err = choice("ctl_lock", o->ctl_lock, "fine", "world", &world_lock,
			  why)) ||
	    (err = choice("ns_links", o->ns_links, "off", "on", &ns_on, why)) ||
	    (err = choice("transport", o->transport, "dev", "uring", &uring, why)) ||
	    (err = choice("warm", o->warm, "on", "off", &cold, why)))
		return err;
	cfg->populate = (int)n;
	if (o->seed) {
		n = 0;
		if ((err = number("seed", o->seed, 0, LLONG_MAX, &n, why)))
			return err;
		cfg->ko.seed = (uint64_t)n;
	}
	if (o->populate_layouts) {
		n = 0;
		if ((err = number("populate_layouts", o->populate_layouts, 0,
				  POPULATE_LAYOUTS_MAX, &n, why)))
			return err;
		cfg->ko.populate_layouts = n ? (int)n : -1;	/* 0: none shared */
	}
	cfg->ko.forkdup = bulk ? FORKDUP_BULK : FORKDUP_INSERT;
	cfg->ko.mmap_legacy = legacy;
	cfg->cache = !off;
	cfg->account = !unaccounted;
	cfg->ns_links = ns_on;
	cfg->uring = uring;
	cfg->warm = !cold;
	cfg->ko.pidlock = once ? "once" : NULL;
	/* fine: fork, clone, exit, wait under the world's read lock (fs/ctl_lock.h) */
	cfg->ko.concurrent = !world_lock;
	/* The names and their combinations: the core's check, as kernel_init's. */
	if (kernel_opts_check(&cfg->ko, reason)) {
		snprintf(why, OPTIONS_WHY_LEN, "%s", reason);
		return -EINVAL;
	}
	return 0;
}

void options_free(struct options *o)
{
	char **fields[] = {
		&o->populate, &o->pid_max, &o->seed, &o->max_map_count,
		&o->pidstore, &o->vmastore, &o->forkdup, &o->mmap_layout,
		&o->wait, &o->watchers, &o->entry_timeout, &o->attr_timeout,
		&o->cache, &o->load, &o->account, &o->pidlock, &o->ns_links,
		&o->ctl_lock, &o->transport, &o->import, &o->warm,
		&o->populate_layouts,
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		free(*fields[i]);
		*fields[i] = NULL;
	}
}
