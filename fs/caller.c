// SPDX-License-Identifier: MIT
/* Translate a FUSE request's pid into the caller's own view. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "caller.h"
#include "procfs_req.h"

static ssize_t read_host_file(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The last number on the line that starts with @key, or -1. */
static int last_field(const char *status, const char *key)
{
	const char *p = strstr(status, key), *end;
	int v = -1;

	if (!p)
		return -1;
	end = strchr(p + 1, '\n');
	for (p += strlen(key); *p && p != end; ) {
		char *q;
		long n = strtol(p, &q, 10);

		if (q == p) {
			p++;
			continue;
		}
		v = (int)n;
		p = q;
	}
	return v;
}

int caller_ids(pid_t host_tid, int *tgid, int *tid)
{
	char status[4096];

	if (host_tid <= 0 || read_host_file(host_tid, "status", status, sizeof(status)) < 0)
		return -ESRCH;
	*tgid = last_field(status, "\nNStgid:");
	*tid = last_field(status, "\nNSpid:");
	return *tgid > 0 && *tid > 0 ? 0 : -ESRCH;
}

void caller_comm(pid_t host_tid, char *comm, size_t size)
{
	char buf[64];
	ssize_t n = read_host_file(host_tid, "comm", buf, sizeof(buf));

	if (n <= 0) {
		snprintf(comm, size, "?");
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(comm, size, "%s", buf);
}

/* A stand-in task for a caller that is not a simulated process. */
struct caller_task {
	struct task t;
	struct signal_struct sig;
};

static __thread struct caller_task caller_slot;

/* The caller's pid as it sees itself, or -1. */
int caller_tgid(const struct preq *r, int *tid)
{
	int tgid, t;

	if (!r->caller || caller_ids(r->caller, &tgid, &t))
		return -1;
	if (tid)
		*tid = t;
	return tgid;
}

struct task *caller_synth(const struct preq *r, int pid)
{
	struct caller_task *c = &caller_slot;

	memset(c, 0, sizeof(*c));
	INIT_LIST_HEAD(&c->sig.thread_head);
	INIT_LIST_HEAD(&c->t.children);
	INIT_LIST_HEAD(&c->t.sibling);
	list_add_tail(&c->t.thread_node, &c->sig.thread_head);
	c->sig.nr_threads = 1;
	c->sig.pgrp = c->sig.session = pid;
	c->t.pid = c->t.tgid = pid;
	c->t.state = TASK_RUNNING;
	c->t.signal = &c->sig;
	c->t.group_leader = &c->t;
	c->t.exit_signal = SIGCHLD;
	c->t.cred.uid = c->t.cred.euid = c->t.cred.suid = c->t.cred.fsuid = r->uid;
	c->t.cred.gid = c->t.cred.egid = c->t.cred.sgid = c->t.cred.fsgid = r->gid;
	c->t.start_time = kernel_now(&r->fs->k);
	caller_comm(r->caller, c->t.comm, sizeof(c->t.comm));
	return &c->t;
}
