// SPDX-License-Identifier: MIT
/*
 * Parsing the memory commands: mmap, munmap, mprotect, brk and
 * max_map_count, with their lengths, protections and flags.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "ctl_args.h"

static int arg_len(const struct ctl_args *a, int i, unsigned long *len)
{
	int err = ctl_arg_ulong(a, i, "LEN", true, len);

	if (!err && !*len)
		return ctl_fail(a->err, "%s: LEN must not be 0", a->cmd);
	return err;
}

/* "rw-", "r-x", "rw", "---", "none": r, w, x each at most once, '-' fillers. */
static int arg_prot(const struct ctl_args *a, int i, int *prot)
{
	const char *s = a->argv[i];
	size_t n = strlen(s), j;

	*prot = PROT_NONE;
	if (!strcmp(s, "none"))
		return 0;
	for (j = 0; j < n && n <= 3; j++) {
		int bit = s[j] == 'r' ? PROT_READ : s[j] == 'w' ? PROT_WRITE :
			  s[j] == 'x' ? PROT_EXEC : s[j] == '-' ? 0 : -1;

		if (bit < 0 || (*prot & bit))
			break;
		*prot |= bit;
	}
	if (n <= 3 && j == n)
		return 0;
	return ctl_fail(a->err, "%s: PROT must be letters r, w, x or '-', or "
			"'none', not " QFMT, a->cmd, QARG(s));
}

/* mmap's FLAGS: comma-separated names of MAP_* bits. */
static int arg_map_flags(const struct ctl_args *a, int i, int *flags)
{
	static const struct { const char *name; int bit; } names[] = {
		{ "private", MAP_PRIVATE }, { "shared", MAP_SHARED },
		{ "anon", MAP_ANONYMOUS }, { "fixed", MAP_FIXED },
		{ "noreplace", MAP_FIXED_NOREPLACE },
		{ "growsdown", MAP_GROWSDOWN },
	};
	const char *s = a->argv[i];

	*flags = MAP_ANONYMOUS;
	while (*s) {
		size_t n = strcspn(s, ","), j;

		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			if (strlen(names[j].name) == n && !strncmp(s, names[j].name, n))
				break;
		if (j == sizeof(names) / sizeof(names[0]))
			return ctl_fail(a->err, "%s: FLAGS are "
					"comma-separated private,shared,anon,"
					"fixed,noreplace,growsdown, not " QFMT,
					a->cmd, QARG(a->argv[i]));
		*flags |= names[j].bit;
		s += n + (s[n] == ',');
	}
	if ((*flags & MAP_PRIVATE) && (*flags & MAP_SHARED))
		return ctl_fail(a->err, "%s: FLAGS cannot be both private "
				"and shared", a->cmd);
	if (!(*flags & MAP_SHARED))
		*flags |= MAP_PRIVATE;
	return 0;
}

int ctl_parse_mmap(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (ctl_arg_pid(a, 0, "PID", &c->mmap.pid) ||
	    arg_len(a, 1, &c->mmap.len))
		return -EINVAL;
	c->mmap.prot = PROT_READ | PROT_WRITE;
	c->mmap.flags = MAP_PRIVATE | MAP_ANONYMOUS;
	c->mmap.addr = 0;
	if (a->argc > 2 && arg_prot(a, 2, &c->mmap.prot))
		return -EINVAL;
	if (a->argc > 3 && arg_map_flags(a, 3, &c->mmap.flags))
		return -EINVAL;
	if (a->argc > 4 && ctl_arg_ulong(a, 4, "ADDR", false, &c->mmap.addr))
		return -EINVAL;
	if ((c->mmap.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && a->argc < 5)
		return ctl_fail(a->err, "%s: fixed and noreplace need an ADDR",
				a->cmd);
	return 0;
}

int ctl_parse_mprotect(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (ctl_arg_pid(a, 0, "PID", &c->mprotect.pid) ||
	    ctl_arg_ulong(a, 1, "ADDR", false, &c->mprotect.addr) ||
	    arg_len(a, 2, &c->mprotect.len) ||
	    arg_prot(a, 3, &c->mprotect.prot))
		return -EINVAL;
	return 0;
}

int ctl_parse_brk(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (ctl_arg_pid(a, 0, "PID", &c->brk.pid) ||
	    ctl_arg_ulong(a, 1, "ADDR", false, &c->brk.addr))
		return -EINVAL;
	return 0;
}

/* The core decides the bounds (kopt_check_max_map_count) and says why. */
int ctl_parse_max_map_count(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;

	if (ctl_arg_int(a, 0, "N", INT_MIN, INT_MAX, &n))
		return -EINVAL;
	c->max_map_count.n = n;
	return 0;
}

int ctl_parse_munmap(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (ctl_arg_pid(a, 0, "PID", &c->munmap.pid) ||
	    ctl_arg_ulong(a, 1, "ADDR", false, &c->munmap.addr) ||
	    arg_len(a, 2, &c->munmap.len))
		return -EINVAL;
	return 0;
}
