/* SPDX-License-Identifier: MIT */
/*
 * The daemon's -o options: as given (strings, so "pid_max=0" is a value
 * to check, never the default), then checked into what they mean.  The
 * kernel's settings go through the core's own check (kernel_opts_check),
 * the same one ctl's pid_max and max_map_count use; numbers parse as ctl
 * parses them (ctl_parse_decimal).
 */
#ifndef PROCSIM_OPTIONS_H
#define PROCSIM_OPTIONS_H

#include <stdbool.h>
#include "kernel.h"

/* Each field NULL when not given; filled by fuse_opt_parse. */
struct options {
	char *populate, *pid_max, *seed, *max_map_count;
	char *pidstore, *vmastore, *forkdup, *mmap_layout, *wait, *watchers;
	char *entry_timeout, *attr_timeout, *cache, *load, *account, *pidlock;
	char *ctl_lock;
	char *ns_links, *transport;
	char *import;		/* -o import=DIR (fs/proc_import.c) */
	char *warm;		/* -o warm=on|off (fs/warm.h) */
	char *populate_layouts;	/* -o populate_layouts=N (core/populate.c) */
	int help;
};

/* What the options mean, every value in range. */
struct daemon_config {
	struct kernel_opts ko;		/* names point into struct options */
	int populate;
	double entry_timeout, attr_timeout;	/* 0..OPTION_TIMEOUT_MAX seconds */
	bool cache;
	bool account;			/* -o account=on|off: time the core per request */
	bool ns_links;			/* -o ns_links=on|off: serve /proc/<pid>/ns */
	bool uring;			/* -o transport=uring|dev (fs/fuse_transport.h) */
	bool warm;			/* -o warm=on|off: fill the page cache after populate */
};

/* The longest cache timeout: a day, as the daemon's fixed entries. */
#define OPTION_TIMEOUT_MAX	86400.0
#define OPTIONS_WHY_LEN		(KOPT_WHY_LEN + 64)

/*
 * Check @o into @cfg: 0, or -EINVAL with "NAME=VALUE: reason" in @why.
 * @cfg is only good on success.
 */
int options_check(const struct options *o, struct daemon_config *cfg,
		  char why[OPTIONS_WHY_LEN]);
void options_free(struct options *o);

#endif
