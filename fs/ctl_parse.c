// SPDX-License-Identifier: MIT
/*
 * The control-file parser: one line of text into a struct ctl_cmd.  It
 * never touches a kernel, so it can be tested and fuzzed on its own.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include "registry.h"
#include "ctl.h"
#include "snapshot.h"

_Static_assert(CTL_WHY_LEN >= SNAPSHOT_WHY_LEN, "a reason fits");

#define QUOTE_MAX	40	/* bytes of a bad word echoed in a message */

/* A line split into words, in place: every word NUL-terminated. */
struct ctl_words {
	char text[CTL_LINE_MAX + 1];
	int n;
	char *w[CTL_LINE_MAX / 2 + 1];
	char last_pid[16];		/* what $! stands for */
};

/* What a parse function sees: the command's arguments, not its name. */
struct ctl_args {
	const char *cmd;
	int argc;
	char **argv;
	struct buf *err;
};

struct ctl_syntax {
	const char *name;
	const char *usage;
	int min_args, max_args;		/* max -1: no limit */
	int (*parse)(const struct ctl_args *a, struct ctl_cmd *c);
};

#define CTL_DECL_(op, nm, min, max, use) \
	static int parse_##nm(const struct ctl_args *a, struct ctl_cmd *c);
CTL_COMMANDS(CTL_DECL_)
#undef CTL_DECL_

static const struct ctl_syntax ctl_syntax[CTL_NR_OPS] = {
#define CTL_ROW_(op, nm, min, max, use) \
	[CTL_##op] = { #nm, use, min, max, parse_##nm },
	CTL_COMMANDS(CTL_ROW_)
#undef CTL_ROW_
};

const char *ctl_op_name(enum ctl_op op)
{
	return (unsigned int)op < CTL_NR_OPS ? ctl_syntax[op].name : NULL;
}

const char *ctl_op_usage(enum ctl_op op)
{
	return (unsigned int)op < CTL_NR_OPS ? ctl_syntax[op].usage : NULL;
}

/* Append one message; a message is one line, so no '\n' in @fmt. */
static int __attribute__((format(printf, 2, 3)))
fail(struct buf *err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_puts(err, msg);
	return -EINVAL;
}

/* Echo a user word in a message, cut short: it may be 4 KiB long. */
#define QFMT		"'%.*s%s'"
#define QARG(w)		QUOTE_MAX, (w), (strlen(w) > QUOTE_MAX ? "..." : "")

/* ---- words ---- */

static bool ctl_byte_ok(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch < 0x7f);
}

/*
 * The checks that need no words: length and bytes.  One trailing '\r' is
 * allowed (a CRLF editor); *@len loses it.
 */
static int ctl_check_bytes(const char *line, size_t *len, struct buf *err)
{
	size_t i;

	if (*len > CTL_LINE_MAX)
		return fail(err, "line too long (over %d bytes)", CTL_LINE_MAX);
	if (*len && line[*len - 1] == '\r')
		(*len)--;
	for (i = 0; i < *len; i++)
		if (!ctl_byte_ok(line[i]))
			return fail(err, "binary bytes in command");
	return 0;
}

int ctl_check_partial(const char *buf, size_t len, struct buf *err)
{
	return ctl_check_bytes(buf, &len, err);
}

static int ctl_split(const char *line, size_t len, struct ctl_words *ws,
		     struct buf *err)
{
	char *p;
	int ret;

	ret = ctl_check_bytes(line, &len, err);
	if (ret)
		return ret;
	memcpy(ws->text, line, len);
	ws->text[len] = '\0';
	ws->n = 0;
	for (p = ws->text; *p; ) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		ws->w[ws->n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	if (!ws->n)
		return fail(err, "empty command");
	return 0;
}

/* ---- numbers: strict, no sign or space that strtoll would take ---- */

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The digits s[0..n) in @base: -EINVAL on junk or none, -ERANGE on overflow. */
static int parse_digits(const char *s, size_t n, int base,
			unsigned long long *v)
{
	unsigned long long x = 0;
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int d = digit_value(s[i]);

		if (d < 0 || d >= base)
			return -EINVAL;
		if (x > (ULLONG_MAX - d) / base)
			return -ERANGE;
		x = x * base + d;
	}
	*v = x;
	return 0;
}

int ctl_parse_decimal(const char *s, long long *v)
{
	bool neg = *s == '-';
	unsigned long long mag;
	int err = parse_digits(s + neg, strlen(s + neg), 10, &mag);

	if (err)
		return err;
	if (mag > LLONG_MAX)
		return -ERANGE;
	*v = neg ? -(long long)mag : (long long)mag;
	return 0;
}

/* A decimal integer in [min, max]. */
static int arg_int(const struct ctl_args *a, int i, const char *what,
		   long long min, long long max, long long *v)
{
	const char *s = a->argv[i];
	int err = ctl_parse_decimal(s, v);

	if (err == -EINVAL)
		return fail(a->err, "%s: %s is not a number: " QFMT,
			    a->cmd, what, QARG(s));
	if (!err && *v >= min && *v <= max)
		return 0;
	return fail(a->err, "%s: %s must be %lld..%lld, not " QFMT,
		    a->cmd, what, min, max, QARG(s));
}

static int arg_pid(const struct ctl_args *a, int i, const char *what,
		   int *pid)
{
	long long v = 0;
	int err = arg_int(a, i, what, 1, INT_MAX, &v);

	*pid = v;
	return err;
}

/*
 * A size or address: decimal or 0x hex, and for sizes an optional K, M or
 * G suffix (binary units).  Anything that does not fit unsigned long is
 * out of range.
 */
static int arg_ulong(const struct ctl_args *a, int i, const char *what,
		     bool suffix, unsigned long *v)
{
	const char *s = a->argv[i];
	size_t n = strlen(s);
	unsigned long long x, mul = 1;
	int base = 10, err;

	if (suffix && n) {
		switch (s[n - 1]) {
		case 'k': case 'K': mul = 1ULL << 10; n--; break;
		case 'm': case 'M': mul = 1ULL << 20; n--; break;
		case 'g': case 'G': mul = 1ULL << 30; n--; break;
		}
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	err = parse_digits(s, n, base, &x);
	if (err == -EINVAL)
		return fail(a->err, "%s: %s is not a number: " QFMT,
			    a->cmd, what, QARG(a->argv[i]));
	if (err || __builtin_mul_overflow(x, mul, &x) || x > ULONG_MAX)
		return fail(a->err, "%s: %s is too large: " QFMT,
			    a->cmd, what, QARG(a->argv[i]));
	*v = x;
	return 0;
}

static int arg_len(const struct ctl_args *a, int i, unsigned long *len)
{
	int err = arg_ulong(a, i, "LEN", true, len);

	if (!err && !*len)
		return fail(a->err, "%s: LEN must not be 0", a->cmd);
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
	return fail(a->err, "%s: PROT must be letters r, w, x or '-', or "
		    "'none', not " QFMT, a->cmd, QARG(s));
}

/* ---- the commands ---- */

static int parse_fork(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long count = 1;

	if (arg_pid(a, 0, "PPID", &c->fork.ppid))
		return -EINVAL;
	if (a->argc > 1 && arg_int(a, 1, "COUNT", 1, CTL_FORK_MAX, &count))
		return -EINVAL;
	c->fork.count = count;
	return 0;
}

static int parse_clone(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_pid(a, 0, "PID", &c->clone.pid);
}

/* argv and its strings in one block, so ctl_cmd_free() is one free(). */
static int parse_exec(const struct ctl_args *a, struct ctl_cmd *c)
{
	int argc = a->argc - 1, i;
	size_t bytes = 0;
	char **argv, *p;

	if (arg_pid(a, 0, "PID", &c->exec.pid))
		return -EINVAL;
	for (i = 0; i < argc; i++)
		bytes += strlen(a->argv[i + 1]) + 1;
	argv = malloc((argc + 1) * sizeof(*argv) + bytes);
	if (!argv) {
		buf_printf(a->err, "%s: out of memory", a->cmd);
		return -ENOMEM;
	}
	p = (char *)(argv + argc + 1);
	for (i = 0; i < argc; i++) {
		size_t n = strlen(a->argv[i + 1]) + 1;

		argv[i] = memcpy(p, a->argv[i + 1], n);
		p += n;
	}
	argv[argc] = NULL;
	c->exec.argc = argc;
	c->exec.argv = argv;
	return 0;
}

static int parse_exit(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long code = 0;

	if (arg_pid(a, 0, "PID", &c->exit.pid))
		return -EINVAL;
	if (a->argc > 1 && arg_int(a, 1, "CODE", 0, 255, &code))
		return -EINVAL;
	c->exit.code = code;
	return 0;
}

static const struct {
	const char *name;
	int flag;
} wait_flags[] = {
	{ "nohang", WNOHANG }, { "nowait", WNOWAIT }, { "untraced", WUNTRACED },
	{ "continued", WCONTINUED }, { "nothread", __WNOTHREAD },
};

static int parse_wait(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long who;
	size_t j;
	int i;

	if (arg_pid(a, 0, "PID", &c->wait.pid))
		return -EINVAL;
	/* -INT_MIN has no group: wait4 refuses it too */
	if (arg_int(a, 1, "WHO", -(long long)INT_MAX, INT_MAX, &who))
		return -EINVAL;
	c->wait.who = who;
	c->wait.options = 0;
	for (i = 2; i < a->argc; i++) {
		for (j = 0; j < sizeof(wait_flags) / sizeof(wait_flags[0]); j++)
			if (!strcmp(a->argv[i], wait_flags[j].name))
				break;
		if (j == sizeof(wait_flags) / sizeof(wait_flags[0]))
			return fail(a->err, "%s: unknown flag " QFMT,
				    a->cmd, QARG(a->argv[i]));
		if (c->wait.options & wait_flags[j].flag)
			return fail(a->err, "%s: flag '%s' given twice",
				    a->cmd, wait_flags[j].name);
		c->wait.options |= wait_flags[j].flag;
	}
	return 0;
}

static int parse_exit_thread(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long code = 0;

	if (arg_pid(a, 0, "TID", &c->exit_thread.pid))
		return -EINVAL;
	if (a->argc > 1 && arg_int(a, 1, "CODE", 0, 255, &code))
		return -EINVAL;
	c->exit_thread.code = code;
	return 0;
}

/* A number 0..64 or a name, with or without SIG, any case. */
static int arg_signal(const struct ctl_args *a, int i, int *sig)
{
	const char *s = a->argv[i];
	long long v;

	if (*s >= '0' && *s <= '9') {
		if (arg_int(a, i, "SIG", 0, 64, &v))
			return -EINVAL;
		*sig = v;
		return 0;
	}
	*sig = signal_from_name(s);
	if (*sig < 0)
		return fail(a->err, "%s: unknown signal " QFMT, a->cmd, QARG(s));
	return 0;
}

/*
 * The optional "as UID EUID" at argv[i..]: an unprivileged sender.  With
 * none, the operator: as->priv.
 */
static int arg_sender(const struct ctl_args *a, int i, struct sender *as)
{
	long long uid, euid;

	*as = (struct sender){ .priv = true };
	if (a->argc == i)
		return 0;
	if (a->argc != i + 3 || strcmp(a->argv[i], "as"))
		return fail(a->err, "%s: expected 'as UID EUID' at the end, "
			    "not " QFMT, a->cmd, QARG(a->argv[i]));
	if (arg_int(a, i + 1, "UID", 0, 4294967294LL, &uid) ||
	    arg_int(a, i + 2, "EUID", 0, 4294967294LL, &euid))
		return -EINVAL;
	*as = (struct sender){ .uid = uid, .euid = euid };
	return 0;
}

/* kill(2)'s PID: a pid, -1 or -PGID, never 0 (ctl has no own group). */
static int parse_kill(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long pid;

	if (arg_int(a, 0, "PID", -(long long)INT_MAX, INT_MAX, &pid))
		return -EINVAL;
	if (!pid)
		return fail(a->err, "%s: PID must be a pid, -1 or -PGID, not '0'",
			    a->cmd);
	c->kill.pid = pid;
	return arg_signal(a, 1, &c->kill.sig) ? -EINVAL :
	       arg_sender(a, 2, &c->kill.as);
}

static int parse_tgkill(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long tgid;

	if (arg_int(a, 0, "TGID", 0, INT_MAX, &tgid) ||
	    arg_pid(a, 1, "TID", &c->tgkill.tid) ||
	    arg_signal(a, 2, &c->tgkill.sig))
		return -EINVAL;
	c->tgkill.tgid = tgid;
	return arg_sender(a, 3, &c->tgkill.as);
}

/* WHICH WHO of setpriority and getpriority. */
static int arg_prio_target(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const which[] = { "process", "pgrp", "user" };
	long long who;

	for (c->prio.which = 0; c->prio.which < 3; c->prio.which++)
		if (!strcmp(a->argv[0], which[c->prio.which]))
			break;
	if (c->prio.which == 3)
		return fail(a->err, "%s: expected process, pgrp or user, not "
			    QFMT, a->cmd, QARG(a->argv[0]));
	if (arg_int(a, 1, "WHO", c->prio.which == 2 ? 0 : 1, c->prio.which == 2 ?
		    4294967294LL : INT_MAX, &who))
		return -EINVAL;
	c->prio.who = (int)(unsigned int)who;
	return 0;
}

static int parse_setpriority(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long nice;

	if (arg_prio_target(a, c) || arg_int(a, 2, "NICE", INT_MIN + 1LL,
					     INT_MAX, &nice))
		return -EINVAL;
	c->prio.nice = nice;
	return arg_sender(a, 3, &c->prio.as);
}

static int parse_getpriority(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_prio_target(a, c);
}

static int parse_sched_setaffinity(const struct ctl_args *a, struct ctl_cmd *c)
{
	unsigned long mask;

	if (arg_pid(a, 0, "PID", &c->sched.pid) ||
	    arg_ulong(a, 1, "MASK", false, &mask))
		return -EINVAL;
	c->sched.mask = mask;
	return arg_sender(a, 2, &c->sched.as);
}

static int parse_sched_getaffinity(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_pid(a, 0, "PID", &c->sched.pid);
}

static int parse_sched_setscheduler(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long policy, prio;

	if (arg_pid(a, 0, "PID", &c->sched.pid) ||
	    arg_int(a, 1, "POLICY", 0, INT_MAX, &policy) ||
	    arg_int(a, 2, "PRIO", 0, INT_MAX, &prio))
		return -EINVAL;
	c->sched.policy = policy;
	c->sched.prio = prio;
	return arg_sender(a, 3, &c->sched.as);
}

static int parse_sched_getscheduler(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_pid(a, 0, "PID", &c->sched.pid);
}

static int parse_ioprio_set(const struct ctl_args *a, struct ctl_cmd *c)
{
	return parse_setpriority(a, c);	/* IOPRIO is any int; the core checks */
}

static int parse_ioprio_get(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_prio_target(a, c);
}

/* A limit: a number (decimal or 0x) or "unlimited" (RLIM_INFINITY). */
static int arg_rlim(const struct ctl_args *a, int i, const char *what,
		    unsigned long long *v)
{
	unsigned long x;

	if (!strcmp(a->argv[i], "unlimited")) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (arg_ulong(a, i, what, false, &x))
		return -EINVAL;
	*v = x;
	return 0;
}

static int parse_prlimit(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const names[RLIM_NLIMITS] = {
		"cpu", "fsize", "data", "stack", "core", "rss", "nproc",
		"nofile", "memlock", "as", "locks", "sigpending", "msgqueue",
		"nice", "rtprio", "rttime",
	};
	const char *r = a->argv[1];
	long long res;
	int i;

	if (arg_pid(a, 0, "PID", &c->prlimit.pid))
		return -EINVAL;
	if (!strncasecmp(r, "RLIMIT_", 7))
		r += 7;
	for (i = 0; i < RLIM_NLIMITS && strcasecmp(r, names[i]); i++)
		;
	if (i < RLIM_NLIMITS)
		c->prlimit.res = i;
	else if (arg_int(a, 1, "RESOURCE", 0, INT_MAX, &res))
		return -EINVAL;
	else
		c->prlimit.res = res;	/* >= RLIM_NLIMITS: the core's EINVAL */
	c->prlimit.set = a->argc >= 4 && strcmp(a->argv[2], "as");
	if (c->prlimit.set && (arg_rlim(a, 2, "SOFT", &c->prlimit.soft) ||
			       arg_rlim(a, 3, "HARD", &c->prlimit.hard)))
		return -EINVAL;
	return arg_sender(a, c->prlimit.set ? 4 : 2, &c->prlimit.as);
}

static int parse_stop(const struct ctl_args *a, struct ctl_cmd *c)
{
	c->kill.as = (struct sender){ .priv = true };
	c->kill.sig = SIGSTOP;
	return arg_pid(a, 0, "PID", &c->kill.pid);
}

static int parse_cont(const struct ctl_args *a, struct ctl_cmd *c)
{
	c->kill.as = (struct sender){ .priv = true };
	c->kill.sig = SIGCONT;
	return arg_pid(a, 0, "PID", &c->kill.pid);
}

static int parse_ptrace(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (arg_pid(a, 0, "PID", &c->ptrace.pid) ||
	    arg_pid(a, 1, "TRACER", &c->ptrace.tracer))
		return -EINVAL;
	return 0;
}

static int parse_detach(const struct ctl_args *a, struct ctl_cmd *c)
{
	return arg_pid(a, 0, "PID", &c->detach.pid);
}

static int parse_subreaper(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (arg_pid(a, 0, "PID", &c->subreaper.pid))
		return -EINVAL;
	if (strcmp(a->argv[1], "on") && strcmp(a->argv[1], "off"))
		return fail(a->err, "%s: expected 'on' or 'off', not " QFMT,
			    a->cmd, QARG(a->argv[1]));
	c->subreaper.on = !strcmp(a->argv[1], "on");
	return 0;
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
			return fail(a->err, "%s: FLAGS are comma-separated private,"
				    "shared,anon,fixed,noreplace,growsdown, not "
				    QFMT, a->cmd, QARG(a->argv[i]));
		*flags |= names[j].bit;
		s += n + (s[n] == ',');
	}
	if ((*flags & MAP_PRIVATE) && (*flags & MAP_SHARED))
		return fail(a->err, "%s: FLAGS cannot be both private and shared",
			    a->cmd);
	if (!(*flags & MAP_SHARED))
		*flags |= MAP_PRIVATE;
	return 0;
}

static int parse_mmap(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (arg_pid(a, 0, "PID", &c->mmap.pid) || arg_len(a, 1, &c->mmap.len))
		return -EINVAL;
	c->mmap.prot = PROT_READ | PROT_WRITE;
	c->mmap.flags = MAP_PRIVATE | MAP_ANONYMOUS;
	c->mmap.addr = 0;
	if (a->argc > 2 && arg_prot(a, 2, &c->mmap.prot))
		return -EINVAL;
	if (a->argc > 3 && arg_map_flags(a, 3, &c->mmap.flags))
		return -EINVAL;
	if (a->argc > 4 && arg_ulong(a, 4, "ADDR", false, &c->mmap.addr))
		return -EINVAL;
	if ((c->mmap.flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && a->argc < 5)
		return fail(a->err, "%s: fixed and noreplace need an ADDR", a->cmd);
	return 0;
}

static int parse_mprotect(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (arg_pid(a, 0, "PID", &c->mprotect.pid) ||
	    arg_ulong(a, 1, "ADDR", false, &c->mprotect.addr) ||
	    arg_len(a, 2, &c->mprotect.len) ||
	    arg_prot(a, 3, &c->mprotect.prot))
		return -EINVAL;
	return 0;
}

static int parse_brk(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (arg_pid(a, 0, "PID", &c->brk.pid) ||
	    arg_ulong(a, 1, "ADDR", false, &c->brk.addr))
		return -EINVAL;
	return 0;
}

/* The core decides the bounds (kopt_check_max_map_count) and says why. */
static int parse_max_map_count(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;

	if (arg_int(a, 0, "N", INT_MIN, INT_MAX, &n))
		return -EINVAL;
	c->max_map_count.n = n;
	return 0;
}

static int parse_munmap(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (arg_pid(a, 0, "PID", &c->munmap.pid) ||
	    arg_ulong(a, 1, "ADDR", false, &c->munmap.addr) ||
	    arg_len(a, 2, &c->munmap.len))
		return -EINVAL;
	return 0;
}

static int parse_populate(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;

	if (arg_int(a, 0, "N", 1, PID_MAX_LIMIT, &n))
		return -EINVAL;
	c->populate.n = n;
	return 0;
}

/* The core decides the bounds (kopt_check_pid_max) and says why. */
static int parse_pid_max(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;

	if (arg_int(a, 0, "N", INT_MIN, INT_MAX, &n))
		return -EINVAL;
	c->pid_max.n = n;
	return 0;
}

static int parse_setid(const struct ctl_args *a, struct ctl_cmd *c,
		       const char *what)
{
	long long id = 0;

	if (arg_pid(a, 0, "PID", &c->setid.pid) ||
	    arg_int(a, 1, what, 0, 4294967294LL, &id))
		return -EINVAL;
	c->setid.id = (unsigned int)id;
	return 0;
}

static int parse_setuid(const struct ctl_args *a, struct ctl_cmd *c)
{
	return parse_setid(a, c, "UID");
}

static int parse_setgid(const struct ctl_args *a, struct ctl_cmd *c)
{
	return parse_setid(a, c, "GID");
}

/* The backend is looked up here, so a bad name never reaches the kernel. */
static int parse_pidstore(const struct ctl_args *a, struct ctl_cmd *c)
{
	char names[256];

	c->pidstore.ops = pid_store_find_ops(a->argv[0]);
	if (c->pidstore.ops)
		return 0;
	REGISTRY_NAMES(pid_store_backends, names, sizeof(names));
	return fail(a->err, "%s: no backend " QFMT " (have:%s)", a->cmd,
		    QARG(a->argv[0]), names);
}

/* The daemon's cwd is /, so a relative path would surprise: refuse it. */
static int parse_file(const struct ctl_args *a, struct ctl_cmd *c)
{
	size_t n = strlen(a->argv[0]);

	if (a->argv[0][0] != '/')
		return fail(a->err, "%s: FILE must be an absolute path: " QFMT,
			    a->cmd, QARG(a->argv[0]));
	c->file.path = malloc(n + 1 + CTL_WHY_LEN);
	if (!c->file.path) {
		buf_puts(a->err, "out of memory");
		return -ENOMEM;
	}
	memcpy(c->file.path, a->argv[0], n + 1);
	c->file.why = c->file.path + n + 1;
	c->file.why[0] = '\0';
	return 0;
}

static int parse_save(const struct ctl_args *a, struct ctl_cmd *c)
{
	return parse_file(a, c);
}

static int parse_load(const struct ctl_args *a, struct ctl_cmd *c)
{
	return parse_file(a, c);
}

/* replay FILE [speed=N|max], replay status, replay stop. */
static int parse_replay(const struct ctl_args *a, struct ctl_cmd *c)
{
	const char *w = a->argv[0];
	long long n = 0;
	int err;

	if (a->argc == 1 && (!strcmp(w, "status") || !strcmp(w, "stop"))) {
		c->replay.action = w[2] == 'a' ? REPLAY_STATUS : REPLAY_STOP;
		return 0;
	}
	if (a->argc == 2 && strcmp(a->argv[1], "speed=max") &&
	    (strncmp(a->argv[1], "speed=", 6) ||
	     ctl_parse_decimal(a->argv[1] + 6, &n) || n < 1 ||
	     n > CTL_REPLAY_SPEED_MAX))
		return fail(a->err, "replay: want speed=max or speed=N "
			    "(1..%d): " QFMT, CTL_REPLAY_SPEED_MAX,
			    QARG(a->argv[1]));
	err = parse_file(a, c);
	if (err)
		return err;
	c->replay.path = c->file.path;
	c->replay.why = c->file.why;
	c->replay.action = REPLAY_RUN;
	c->replay.speed = a->argc == 2 && strcmp(a->argv[1], "speed=max") ?
			  (int)n : 0;
	return 0;
}

static int parse_reset(const struct ctl_args *a, struct ctl_cmd *c)
{
	(void)a;
	(void)c;
	return 0;
}

/* A one-word argument from @words (NULL-terminated); its index in *@i. */
static int arg_word(const struct ctl_args *a, const char *const *words,
		    const char *expect, int *i)
{
	for (*i = 0; words[*i]; (*i)++)
		if (!strcmp(a->argv[0], words[*i]))
			return 0;
	return fail(a->err, "%s: expected %s, not " QFMT, a->cmd, expect,
		    QARG(a->argv[0]));
}

static int parse_stats(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const words[] = { "reset", NULL };
	int i;

	if (arg_word(a, words, "'reset'", &i))
		return -EINVAL;
	c->serve.what = KSTAT_CTL_RESET;
	return 0;
}

static int parse_trace(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const words[] = { "start", "stop", NULL };
	int i;

	if (arg_word(a, words, "'start' or 'stop'", &i))
		return -EINVAL;
	c->serve.what = i ? KSTAT_CTL_TRACE_STOP : KSTAT_CTL_TRACE_START;
	return 0;
}

/*
 * repeat N CMD [; CMD]...: the words after N, joined again and cut at ';'.
 * Each command must parse ($! as a pid) and must not be a repeat, so a
 * bad one fails before anything runs.
 */
static int parse_repeat(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;
	size_t bytes = 1, len;
	char *p, *dst, *semi;

	if (arg_int(a, 0, "N", 1, CTL_REPEAT_MAX, &n))
		return -EINVAL;
	for (int i = 1; i < a->argc; i++)
		bytes += strlen(a->argv[i]) + 1;
	c->repeat.text = p = malloc(bytes);
	if (!p) {
		buf_puts(a->err, "out of memory");
		return -ENOMEM;
	}
	c->repeat.n = (int)n;
	for (int i = 1; i < a->argc; i++)
		p += sprintf(p, "%s%s", i > 1 ? " " : "", a->argv[i]);
	/* Cut at ';', trimmed, packed to the front: dst never passes p. */
	for (p = dst = c->repeat.text; p; p = semi ? semi + 1 : NULL) {
		struct ctl_cmd sub;
		struct buf err;
		int ret;

		semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		while (*p == ' ')
			p++;
		for (len = strlen(p); len && p[len - 1] == ' '; len--)
			p[len - 1] = '\0';
		if (!len)
			return fail(a->err, "repeat: an empty command");
		if (++c->repeat.nlines > CTL_REPEAT_LINES)
			return fail(a->err, "repeat: more than %d commands",
				    CTL_REPEAT_LINES);
		buf_init(&err);
		ret = ctl_parse_in(p, len, 1, &sub, &err);
		if (!ret && sub.op == CTL_REPEAT)
			ret = fail(&err, "a repeat cannot repeat");
		/* They take k->lock themselves, which a repeat already holds. */
		if (!ret && (sub.op == CTL_SAVE || sub.op == CTL_LOAD))
			ret = fail(&err, "save and load cannot be repeated");
		if (!ret && sub.op == CTL_REPLAY)
			ret = fail(&err, "replay cannot be repeated");
		if (ret)
			buf_printf(a->err, "repeat: %.*s", (int)err.len,
				   err.data ? err.data : "");
		ctl_cmd_free(&sub);
		buf_free(&err);
		if (ret)
			return ret;
		memmove(dst, p, len + 1);
		dst += len + 1;
	}
	return 0;
}

static int parse_help(const struct ctl_args *a, struct ctl_cmd *c)
{
	(void)a;
	(void)c;
	return 0;
}

/* ---- entry points ---- */

static const struct ctl_syntax *ctl_lookup(const char *name)
{
	int op;

	for (op = 0; op < CTL_NR_OPS; op++)
		if (!strcmp(ctl_syntax[op].name, name))
			return &ctl_syntax[op];
	return NULL;
}

int ctl_parse(const char *line, size_t len, struct ctl_cmd *cmd,
	      struct buf *err)
{
	return ctl_parse_in(line, len, 0, cmd, err);
}

/* Every word "$!" becomes @last_pid's digits; -EINVAL if there is none. */
static int subst_last_pid(struct ctl_words *ws, int last_pid, struct buf *err)
{
	snprintf(ws->last_pid, sizeof(ws->last_pid), "%d", last_pid);
	for (int i = 0; i < ws->n; i++) {
		if (strcmp(ws->w[i], "$!"))
			continue;
		if (last_pid <= 0)
			return fail(err, "$!: no fork or clone in this session yet");
		ws->w[i] = ws->last_pid;
	}
	return 0;
}

int ctl_parse_in(const char *line, size_t len, int last_pid,
		 struct ctl_cmd *cmd, struct buf *err)
{
	const struct ctl_syntax *sx;
	struct ctl_words *ws;
	struct ctl_args a;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	/* 24 KiB: too much for the stack of a FUSE worker thread. */
	ws = malloc(sizeof(*ws));
	if (!ws) {
		buf_puts(err, "out of memory");
		return -ENOMEM;
	}
	ret = ctl_split(line, len, ws, err);
	if (ret)
		goto out;
	sx = ctl_lookup(ws->w[0]);
	/* repeat's commands keep their $! for each run to resolve. */
	if (sx != &ctl_syntax[CTL_REPEAT]) {
		ret = subst_last_pid(ws, last_pid, err);
		if (ret)
			goto out;
	}
	if (!sx) {
		ret = fail(err, "unknown command " QFMT " (try 'help')",
			   QARG(ws->w[0]));
		goto out;
	}
	a = (struct ctl_args){ sx->name, ws->n - 1, ws->w + 1, err };
	if (a.argc < sx->min_args ||
	    (sx->max_args >= 0 && a.argc > sx->max_args)) {
		ret = fail(err, "%s: usage: %s%s%s", sx->name, sx->name,
			   *sx->usage ? " " : "", sx->usage);
		goto out;
	}
	cmd->op = sx - ctl_syntax;
	ret = sx->parse(&a, cmd);
	if (ret) {
		ctl_cmd_free(cmd);
		memset(cmd, 0, sizeof(*cmd));
	}
out:
	free(ws);
	return ret;
}

void ctl_cmd_free(struct ctl_cmd *cmd)
{
	if (cmd->op == CTL_EXEC) {
		free(cmd->exec.argv);
		cmd->exec.argv = NULL;
	}
	if (cmd->op == CTL_SAVE || cmd->op == CTL_LOAD) {
		free(cmd->file.path);
		cmd->file.path = NULL;
	}
	if (cmd->op == CTL_REPLAY) {
		free(cmd->replay.path);	/* NULL for status and stop */
		cmd->replay.path = NULL;
	}
	if (cmd->op == CTL_REPEAT) {
		free(cmd->repeat.text);
		cmd->repeat.text = NULL;
	}
}
