// SPDX-License-Identifier: MIT
/*
 * The control-file parser: one line of text into a struct ctl_cmd.  It
 * never touches a kernel, so it can be tested and fuzzed on its own.
 * Here: the command table, words, $! and the entry points; each family's
 * ctl_parse_<name>() is in ctl_parse_<family>.c, the argument readers in
 * ctl_args.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_args.h"

/* A line split into words, in place: every word NUL-terminated. */
struct ctl_words {
	char text[CTL_LINE_MAX + 1];
	int n;
	char *w[CTL_LINE_MAX / 2 + 1];
	char last_pid[16];		/* what $! stands for */
};

struct ctl_syntax {
	const char *name;
	const char *usage;
	int min_args, max_args;		/* max -1: no limit */
	int (*parse)(const struct ctl_args *a, struct ctl_cmd *c);
};

static const struct ctl_syntax ctl_syntax[CTL_NR_OPS] = {
#define CTL_ROW_(op, nm, min, max, use) \
	[CTL_##op] = { #nm, use, min, max, ctl_parse_##nm },
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
		return ctl_fail(err, "line too long (over %d bytes)",
				CTL_LINE_MAX);
	if (*len && line[*len - 1] == '\r')
		(*len)--;
	for (i = 0; i < *len; i++)
		if (!ctl_byte_ok(line[i]))
			return ctl_fail(err, "binary bytes in command");
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
		return ctl_fail(err, "empty command");
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
			return ctl_fail(err, "$!: no fork or clone in this "
					"session yet");
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
		ret = ctl_fail(err, "unknown command " QFMT " (try 'help')",
			       QARG(ws->w[0]));
		goto out;
	}
	a = (struct ctl_args){ sx->name, ws->n - 1, ws->w + 1, err };
	if (a.argc < sx->min_args ||
	    (sx->max_args >= 0 && a.argc > sx->max_args)) {
		ret = ctl_fail(err, "%s: usage: %s%s%s", sx->name, sx->name,
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
	if (cmd->op == CTL_SAVE || cmd->op == CTL_LOAD || cmd->op == CTL_IMPORT) {
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
