// SPDX-License-Identifier: MIT
/*
 * Parsing the process-life commands: fork, clone, exec, exit, wait,
 * exit_thread, ptrace, detach, subreaper, setuid and setgid.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "ctl_args.h"

int ctl_parse_fork(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long count = 1;

	if (ctl_arg_pid(a, 0, "PPID", &c->fork.ppid))
		return -EINVAL;
	if (a->argc > 1 && ctl_arg_int(a, 1, "COUNT", 1, CTL_FORK_MAX, &count))
		return -EINVAL;
	c->fork.count = count;
	return 0;
}

int ctl_parse_clone(const struct ctl_args *a, struct ctl_cmd *c)
{
	return ctl_arg_pid(a, 0, "PID", &c->clone.pid);
}

/* argv and its strings in one block, so ctl_cmd_free() is one free(). */
int ctl_parse_exec(const struct ctl_args *a, struct ctl_cmd *c)
{
	int argc = a->argc - 1, i;
	size_t bytes = 0;
	char **argv, *p;

	if (ctl_arg_pid(a, 0, "PID", &c->exec.pid))
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

int ctl_parse_exit(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long code = 0;

	if (ctl_arg_pid(a, 0, "PID", &c->exit.pid))
		return -EINVAL;
	if (a->argc > 1 && ctl_arg_int(a, 1, "CODE", 0, 255, &code))
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

int ctl_parse_wait(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long who;
	size_t j;
	int i;

	if (ctl_arg_pid(a, 0, "PID", &c->wait.pid))
		return -EINVAL;
	/* -INT_MIN has no group: wait4 refuses it too */
	if (ctl_arg_int(a, 1, "WHO", -(long long)INT_MAX, INT_MAX, &who))
		return -EINVAL;
	c->wait.who = who;
	c->wait.options = 0;
	for (i = 2; i < a->argc; i++) {
		for (j = 0; j < sizeof(wait_flags) / sizeof(wait_flags[0]); j++)
			if (!strcmp(a->argv[i], wait_flags[j].name))
				break;
		if (j == sizeof(wait_flags) / sizeof(wait_flags[0]))
			return ctl_fail(a->err, "%s: unknown flag " QFMT,
					a->cmd, QARG(a->argv[i]));
		if (c->wait.options & wait_flags[j].flag)
			return ctl_fail(a->err, "%s: flag '%s' given twice",
					a->cmd, wait_flags[j].name);
		c->wait.options |= wait_flags[j].flag;
	}
	return 0;
}

int ctl_parse_exit_thread(const struct ctl_args *a, struct ctl_cmd *c)
{
	long long code = 0;

	if (ctl_arg_pid(a, 0, "TID", &c->exit_thread.pid))
		return -EINVAL;
	if (a->argc > 1 && ctl_arg_int(a, 1, "CODE", 0, 255, &code))
		return -EINVAL;
	c->exit_thread.code = code;
	return 0;
}

int ctl_parse_ptrace(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (ctl_arg_pid(a, 0, "PID", &c->ptrace.pid) ||
	    ctl_arg_pid(a, 1, "TRACER", &c->ptrace.tracer))
		return -EINVAL;
	return 0;
}

int ctl_parse_detach(const struct ctl_args *a, struct ctl_cmd *c)
{
	return ctl_arg_pid(a, 0, "PID", &c->detach.pid);
}

int ctl_parse_subreaper(const struct ctl_args *a, struct ctl_cmd *c)
{
	if (ctl_arg_pid(a, 0, "PID", &c->subreaper.pid))
		return -EINVAL;
	if (strcmp(a->argv[1], "on") && strcmp(a->argv[1], "off"))
		return ctl_fail(a->err, "%s: expected 'on' or 'off', not " QFMT,
				a->cmd, QARG(a->argv[1]));
	c->subreaper.on = !strcmp(a->argv[1], "on");
	return 0;
}

static int parse_setid(const struct ctl_args *a, struct ctl_cmd *c,
		       const char *what)
{
	long long id = 0;

	if (ctl_arg_pid(a, 0, "PID", &c->setid.pid) ||
	    ctl_arg_int(a, 1, what, 0, 4294967294LL, &id))
		return -EINVAL;
	c->setid.id = (unsigned int)id;
	return 0;
}

int ctl_parse_setuid(const struct ctl_args *a, struct ctl_cmd *c)
{
	return parse_setid(a, c, "UID");
}

int ctl_parse_setgid(const struct ctl_args *a, struct ctl_cmd *c)
{
	return parse_setid(a, c, "GID");
}
