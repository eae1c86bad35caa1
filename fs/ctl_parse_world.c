// SPDX-License-Identifier: MIT
/*
 * Parsing the commands on the world as a whole: populate, reset, pid_max,
 * pidstore, save, load, stats, trace, repeat and help.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_args.h"
#include "snapshot.h"

int ctl_parse_populate(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;

	if (ctl_arg_int(a, 0, "N", 1, PID_MAX_LIMIT, &n))
		return -EINVAL;
	c->populate.n = n;
	return 0;
}

/* The core decides the bounds (kopt_check_pid_max) and says why. */
int ctl_parse_pid_max(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;

	if (ctl_arg_int(a, 0, "N", INT_MIN, INT_MAX, &n))
		return -EINVAL;
	c->pid_max.n = n;
	return 0;
}

/*
 * The backend is looked up here, so a bad name never reaches the kernel;
 * refused by the core's own options check, as -o pidstore= is.
 */
int ctl_parse_pidstore(const struct ctl_args *a, struct ctl_cmd *c)
{
	char why[KOPT_WHY_LEN];

	if (kernel_opts_check(&(struct kernel_opts){ .pidstore = a->argv[0] },
			      why))
		return ctl_fail(a->err, "%s: %s", a->cmd, why);
	c->pidstore.ops = pid_store_find_ops(a->argv[0]);
	return 0;
}

/* The daemon's cwd is /, so a relative path would surprise: refuse it. */
int ctl_parse_file(const struct ctl_args *a, struct ctl_cmd *c)
{
	size_t n = strlen(a->argv[0]);

	if (a->argv[0][0] != '/')
		return ctl_fail(a->err, "%s: FILE must be an absolute path: "
				QFMT, a->cmd, QARG(a->argv[0]));
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

int ctl_parse_save(const struct ctl_args *a, struct ctl_cmd *c)
{
	return ctl_parse_file(a, c);
}

int ctl_parse_load(const struct ctl_args *a, struct ctl_cmd *c)
{
	return ctl_parse_file(a, c);
}

int ctl_parse_import(const struct ctl_args *a, struct ctl_cmd *c)
{
	return ctl_parse_file(a, c);
}

int ctl_parse_reset(const struct ctl_args *a, struct ctl_cmd *c)
{
	(void)a;
	(void)c;
	return 0;
}

/* Argument @n, one word from @words (NULL-terminated); its index in *@i. */
static int arg_word(const struct ctl_args *a, int n, const char *const *words,
		    const char *expect, int *i)
{
	for (*i = 0; words[*i]; (*i)++)
		if (!strcmp(a->argv[n], words[*i]))
			return 0;
	return ctl_fail(a->err, "%s: expected %s, not " QFMT, a->cmd, expect,
			QARG(a->argv[n]));
}

int ctl_parse_stats(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const words[] = { "reset", "account", NULL };
	static const char *const onoff[] = { "on", "off", NULL };
	int i, j;

	if (arg_word(a, 0, words, "'reset' or 'account'", &i))
		return -EINVAL;
	if (a->argc != 1 + i)
		return ctl_fail(a->err, "%s: usage: %s %s", a->cmd, a->cmd,
				i ? "account on|off" : "reset");
	if (!i) {
		c->serve.what = KSTAT_CTL_RESET;
		return 0;
	}
	if (arg_word(a, 1, onoff, "'on' or 'off'", &j))
		return -EINVAL;
	c->serve.what = j ? KSTAT_CTL_ACCOUNT_OFF : KSTAT_CTL_ACCOUNT_ON;
	return 0;
}

int ctl_parse_trace(const struct ctl_args *a, struct ctl_cmd *c)
{
	static const char *const words[] = { "start", "stop", NULL };
	int i;

	if (arg_word(a, 0, words, "'start' or 'stop'", &i))
		return -EINVAL;
	c->serve.what = i ? KSTAT_CTL_TRACE_STOP : KSTAT_CTL_TRACE_START;
	return 0;
}

/*
 * repeat N CMD [; CMD]...: the words after N, joined again and cut at ';'.
 * Each command must parse ($! as a pid) and must not be a repeat, so a
 * bad one fails before anything runs.
 */
int ctl_parse_repeat(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long n;
	size_t bytes = 1, len;
	char *p, *dst, *semi;

	if (ctl_arg_int(a, 0, "N", 1, CTL_REPEAT_MAX, &n))
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
			return ctl_fail(a->err, "repeat: an empty command");
		if (++c->repeat.nlines > CTL_REPEAT_LINES)
			return ctl_fail(a->err, "repeat: more than %d commands",
					CTL_REPEAT_LINES);
		buf_init(&err);
		ret = ctl_parse_in(p, len, 1, &sub, &err);
		if (!ret && sub.op == CTL_REPEAT)
			ret = ctl_fail(&err, "a repeat cannot repeat");
		/* They take k->lock themselves, which a repeat already holds. */
		if (!ret && sub.op == CTL_IMPORT)
			ret = ctl_fail(&err, "import cannot be repeated");
		if (!ret && sub.op == CTL_REPLAY)
			ret = ctl_fail(&err, "replay cannot be repeated");
		if (!ret && (sub.op == CTL_SAVE || sub.op == CTL_LOAD))
			ret = ctl_fail(&err, "save and load cannot be "
				       "repeated");
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

int ctl_parse_help(const struct ctl_args *a, struct ctl_cmd *c)
{
	(void)a;
	(void)c;
	return 0;
}
