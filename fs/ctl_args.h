/* SPDX-License-Identifier: MIT */
/*
 * Inside the ctl parser (fs/ctl_parse*.c, fs/ctl_args.c): what a command's
 * parse function sees, and the argument readers the families share.
 * Every reader appends a one-line message to a->err and returns -EINVAL on
 * a bad word; messages echo a user's word cut short with QFMT/QARG.
 */
#ifndef PROCSIM_CTL_ARGS_H
#define PROCSIM_CTL_ARGS_H

#include <string.h>
#include "ctl.h"

#define QUOTE_MAX	40	/* bytes of a bad word echoed in a message */

/* What a parse function sees: the command's arguments, not its name. */
struct ctl_args {
	const char *cmd;
	int argc;
	char **argv;
	struct buf *err;
};

/* Echo a user word in a message, cut short: it may be 4 KiB long. */
#define QFMT		"'%.*s%s'"
#define QARG(w)		QUOTE_MAX, (w), (strlen(w) > QUOTE_MAX ? "..." : "")

/* Append one message; a message is one line, so no '\n' in @fmt. -EINVAL. */
int __attribute__((format(printf, 2, 3)))
ctl_fail(struct buf *err, const char *fmt, ...);

/* argv[@i] as a decimal integer in [@min, @max]; @what names it. */
int ctl_arg_int(const struct ctl_args *a, int i, const char *what,
		long long min, long long max, long long *v);
/* argv[@i] as a pid: 1..INT_MAX. */
int ctl_arg_pid(const struct ctl_args *a, int i, const char *what, int *pid);
/* argv[@i] as a size or address: decimal or 0x hex, K/M/G if @suffix. */
int ctl_arg_ulong(const struct ctl_args *a, int i, const char *what,
		  bool suffix, unsigned long *v);

/*
 * One parse function per command, in its family's file (ctl_parse_proc.c,
 * _signal.c, _mm.c, _world.c, or a new file): fills the member of @c named
 * after the command.  0, or -errno with a message appended to a->err.
 */
/*
 * FILE, an absolute path, into c->file.path, with CTL_WHY_LEN bytes of
 * room for a reason after it in c->file.why (save, load, replay).
 */
int ctl_parse_file(const struct ctl_args *a, struct ctl_cmd *c);

#define CTL_PARSE_DECL_(op, nm, min, max, use) \
	int ctl_parse_##nm(const struct ctl_args *a, struct ctl_cmd *c);
CTL_COMMANDS(CTL_PARSE_DECL_)
#undef CTL_PARSE_DECL_

#endif
