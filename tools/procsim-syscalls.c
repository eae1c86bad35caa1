// SPDX-License-Identifier: MIT
/*
 * procsim-syscalls: a seccomp user-notification supervisor that makes a
 * real tool's process syscalls act on the simulation (issue 17).
 *
 *	procsim-syscalls -m MOUNT -- CMD [ARG...]
 *
 * procsim-run starts every tool through it: CMD is procsim-run's
 * `unshare ... sh -c ...` that builds the private mount and pid namespace.
 *
 * DESIGN: the supervisor is CMD's parent.
 *   It forks; the child loads a seccomp filter whose trapped syscalls get
 *   SCMP_ACT_NOTIFY, sends the listener fd back over a socketpair
 *   (SCM_RIGHTS), closes it and execs CMD.  The filter is inherited by
 *   everything below (unshare, the namespace's shell, the tool, its
 *   children); only the supervisor holds the listener, and it stays
 *   outside the tool's pid namespace, so it sees every pid and reads the
 *   host's /proc.  It answers one notification at a time, then exits with
 *   CMD's status once CMD is gone.  No helper inside the namespace, no
 *   fd passing across it, no threads.
 *
 * WHICH CALLS ARE EMULATED (the "real pid" rule):
 *   A pid argument is a pid of the caller's namespace.  The namespace's
 *   real processes are the descendants of CMD (a pid namespace's processes
 *   are all descendants of its init, which is CMD's child); the supervisor
 *   walks them (/proc/H/task/T/children) and reads each task's NSpid.  A
 *   call whose target is one of them (the tool itself, its children, the
 *   shell) continues to the kernel unchanged (SECCOMP_USER_NOTIF_FLAG_
 *   CONTINUE): the pid namespace confines it, so it can reach nothing on
 *   the host.  Any other pid is a simulated one: the call is answered from
 *   the simulation, and the kernel never sees it.  Callers outside the
 *   tool's namespace (unshare's parent half) or in a namespace nested
 *   inside it continue unchanged: none of their pids can be simulated ones
 *   (the first's are host pids, which the filter must leave alone; the
 *   second's are confined to that nested namespace).
 *
 * HOW: one line to MOUNT/procsim/ctl per emulated call, on one fd kept
 *   open: the same core paths as a ctl command (all-or-nothing, the
 *   caches invalidated before the write returns, exits in the events and
 *   audit).  The write's errno is the syscall's.  The caller's uid and
 *   euid, mapped into its user namespace, and whether it holds CAP_KILL or
 *   CAP_SYS_NICE there, go along as "as UID EUID" (absent when it holds
 *   the capability), so the simulation does Linux's permission checks.
 *
 * Trapped: kill, tkill, tgkill, rt_sigqueueinfo, pidfd_open,
 *   pidfd_send_signal, getpriority, setpriority, sched_{get,set}affinity,
 *   sched_{get,set}scheduler, sched_{get,set}param, sched_getattr,
 *   ioprio_{get,set}, prlimit64, and waitid(P_PIDFD).
 *   Those whose pid (or who) argument 0 means the caller itself are not
 *   even trapped then (the filter compares the argument).  Values passed
 *   by pointer go through the caller's /proc/<pid>/mem.
 *   docs/syscalls.md lists semantics and limits.
 *
 * If the filter cannot be loaded (no seccomp, no user notification in
 * this kernel, or EBUSY: an outer procsim-run's filter already has the
 * listener), the child says so in one line and execs CMD without it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <linux/seccomp.h>

#define CAP_KILL	5
#define CAP_SYS_ADMIN	21
#define CAP_SYS_NICE	23
#define CAP_SYS_RESOURCE 24
#define NSPID_MAX	32	/* pid namespace nesting is at most 32 deep */

static const char *prog = "procsim-syscalls";

/* What the supervisor knows: the ctl fd, CMD's pid, its own ns depth. */
/* A pidfd we handed out: an eventfd, written when @pid exits. */
struct watch {
	int efd;		/* our copy (kept to recognise it); -1: free */
	int pid;
	bool fired;		/* @pid has exited: the eventfd is readable */
};
#define WATCH_MAX	1024

struct sup {
	const char *mount;
	dev_t mount_dev;	/* st_dev of the mount: its fds are ours */
	int ctl;		/* MOUNT/procsim/ctl, O_RDWR */
	int events;		/* MOUNT/procsim/events: exits end pidfds */
	struct watch watch[WATCH_MAX];
	int nr_watch;
	int notify;		/* the listener */
	pid_t child;		/* CMD */
	int depth;		/* our NSpid entries; the tool's ns has one more */
	bool verbose;		/* $PROCSIM_SYSCALLS_TRACE: one line per call */
};

/* A trapped call's caller, from the host's /proc/<pid>/status. */
struct caller {
	pid_t hostpid;
	int nspid[NSPID_MAX], nslevels;
	unsigned int uid, euid;		/* in the caller's user namespace */
	unsigned long long capeff;
};

/* ---- reading the host's /proc ---- */

/* A small file into @buf (NUL-terminated); -1 on error. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The numbers after "NSpid:" in a status text; their count. */
static int parse_nspid(const char *status, int *v, int max)
{
	const char *p = strstr(status, "\nNSpid:");
	int n = 0;

	if (!p)
		return 0;
	p += 7;
	while (n < max && *p && *p != '\n') {
		char *end;
		long x = strtol(p, &end, 10);

		if (end == p)
			break;
		v[n++] = (int)x;
		p = end;
	}
	return n;
}

/* @outside (a uid as we see it) inside the user namespace of @pid. */
static unsigned int map_uid(pid_t pid, unsigned int outside)
{
	char path[64], buf[4096], *line;
	unsigned long in, out, count;

	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return outside;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (sscanf(line, "%lu %lu %lu", &in, &out, &count) == 3 &&
		    outside >= out && outside - out < count)
			return (unsigned int)(in + (outside - out));
	return 65534;	/* the overflow uid */
}

static int read_caller(pid_t pid, struct caller *c)
{
	char path[64], buf[4096];
	const char *p;
	unsigned int ruid, euid;

	c->hostpid = pid;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (pid <= 0 || read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	c->nslevels = parse_nspid(buf, c->nspid, NSPID_MAX);
	p = strstr(buf, "\nUid:");
	if (!p || sscanf(p + 5, "%u %u", &ruid, &euid) != 2)
		return -1;
	p = strstr(buf, "\nCapEff:");
	if (!p || sscanf(p + 8, "%llx", &c->capeff) != 1)
		return -1;
	c->uid = map_uid(pid, ruid);
	c->euid = map_uid(pid, euid);
	return 0;
}

/*
 * Is @nr a real pid (or tid) of the tool's namespace?  A walk of CMD's
 * descendants, each task's NSpid entry at the tool's level.  Small: the
 * namespace holds the shell, the tool and whatever the tool started.
 */
static bool real_ns_pid(const struct sup *s, int nr)
{
	pid_t stack[4096];
	int top = 0;

	stack[top++] = s->child;
	while (top) {
		pid_t h = stack[--top];
		char path[320], buf[4096];
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/task", h);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			int ns[NSPID_MAX], n;
			char *p, *end;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%s/status",
				 h, de->d_name);
			if (read_small(path, buf, sizeof(buf)) < 0)
				continue;
			n = parse_nspid(buf, ns, NSPID_MAX);
			if (n > s->depth && ns[s->depth] == nr) {
				closedir(d);
				return true;
			}
			snprintf(path, sizeof(path), "/proc/%d/task/%s/children",
				 h, de->d_name);
			if (read_small(path, buf, sizeof(buf)) < 0)
				continue;
			for (p = buf; top < (int)(sizeof(stack) / sizeof(*stack)); p = end) {
				long c = strtol(p, &end, 10);

				if (end == p)
					break;
				stack[top++] = (pid_t)c;
			}
		}
		closedir(d);
	}
	return false;
}

/* ---- the ctl connection ---- */

/*
 * Send one command; 0 or -errno, the reply (without '\n') in @reply.
 * A write that fails carries the command's errno; its error line is
 * still read, so the next reply is this one's successor.
 */
static int ctl_call(const struct sup *s, char *reply, size_t size,
		    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int ctl_call(const struct sup *s, char *reply, size_t size,
		    const char *fmt, ...)
{
	char line[256];
	va_list ap;
	ssize_t n;
	int len, err = 0;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	line[len++] = '\n';
	if (write(s->ctl, line, len) != len)
		err = errno ? -errno : -EIO;
	n = read(s->ctl, reply, size - 1);
	reply[n > 0 ? n : 0] = '\0';
	if (n > 0 && reply[n - 1] == '\n')
		reply[n - 1] = '\0';
	if (s->verbose)
		fprintf(stderr, "%s: %.*s -> %s\n", prog, len - 1, line, reply);
	return err;
}

/* " as UID EUID", or "" when the caller holds capability @cap. */
static const char *sender(const struct caller *c, int cap, char *buf,
			  size_t size)
{
	buf[0] = '\0';
	if (!(c->capeff & (1ULL << cap)))
		snprintf(buf, size, " as %u %u", c->uid, c->euid);
	return buf;
}

/* ---- the syscalls: each returns CONTINUE, or fills val/-errno ---- */

/* ANSWERED: the handler completed the notification itself (ADDFD_SEND). */
enum verdict { EMULATED, CONTINUE, ANSWERED };

struct call {
	struct sup *s;
	uint64_t id;		/* the notification */
	const struct caller *c;
	const struct seccomp_data *d;
	long long val;		/* the return value when EMULATED */
	int err;		/* or -errno */
};

static int arg_int(const struct call *k, int i)
{
	return (int)k->d->args[i];
}

/*
 * A signal to a simulated pid (ctl kill or tgkill).  An invalid signal is
 * Linux's EINVAL only once a target exists (ESRCH first): probed with
 * signal 0 as the operator.
 */
static void send_signal(struct call *k, const char *cmd, const char *target,
			int sig)
{
	char reply[512], as[64];

	if (sig < 0 || sig > 64) {
		k->err = ctl_call(k->s, reply, sizeof(reply), "%s %s 0", cmd,
				  target);
		k->err = k->err == -ESRCH ? -ESRCH : -EINVAL;
		return;
	}
	k->err = ctl_call(k->s, reply, sizeof(reply), "%s %s %d%s", cmd, target,
			  sig, sender(k->c, CAP_KILL, as, sizeof(as)));
}

/* kill(pid, sig); pid 0 is not trapped. */
static enum verdict sys_kill(struct call *k)
{
	int pid = arg_int(k, 0);
	char target[16];

	if (pid == INT_MIN) {		/* kill_something_info: -INT_MIN */
		k->err = -ESRCH;
		return EMULATED;
	}
	/* kill -1 reaches the simulation only (docs/syscalls.md). */
	if (pid != -1 && real_ns_pid(k->s, pid < 0 ? -pid : pid))
		return CONTINUE;
	snprintf(target, sizeof(target), "%d", pid);
	send_signal(k, "kill", target, arg_int(k, 1));
	return EMULATED;
}

/* tgkill(tgid, tid, sig), tkill(tid, sig): bad ids are the kernel's EINVAL. */
static enum verdict sys_tgkill(struct call *k)
{
	bool tg = k->d->nr == __NR_tgkill;
	int tgid = tg ? arg_int(k, 0) : 0, tid = arg_int(k, tg ? 1 : 0);
	char target[32];

	if (tid <= 0 || (tg && tgid <= 0) || real_ns_pid(k->s, tid))
		return CONTINUE;
	snprintf(target, sizeof(target), "%d %d", tgid, tid);
	send_signal(k, "tgkill", target, arg_int(k, tg ? 2 : 1));
	return EMULATED;
}

/*
 * Does the siginfo at @addr in the caller claim a kernel or tkill si_code?
 * As Linux, a caller may forge those only for itself, and a simulated
 * process is always another: true, -EPERM follows.  Unreadable: true
 * with k->err -EFAULT.
 */
static bool siginfo_forged(struct call *k, unsigned long long addr)
{
	char path[64];
	ssize_t n = -1;
	int fd, code;

	snprintf(path, sizeof(path), "/proc/%d/mem", k->c->hostpid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = pread(fd, &code, sizeof(code), (off_t)addr + 8);
		close(fd);
	}
	if (n != sizeof(code)) {
		k->err = -EFAULT;
		return true;
	}
	return code >= 0 || code == SI_TKILL;
}

/* rt_sigqueueinfo(pid, sig, info): a kill with a siginfo. */
static enum verdict sys_rt_sigqueueinfo(struct call *k)
{
	int pid = arg_int(k, 0);
	char target[16];

	if (pid <= 0 || real_ns_pid(k->s, pid))
		return CONTINUE;
	if (siginfo_forged(k, k->d->args[2])) {
		if (!k->err)
			k->err = -EPERM;
		return EMULATED;
	}
	snprintf(target, sizeof(target), "%d", pid);
	send_signal(k, "kill", target, arg_int(k, 1));
	return EMULATED;
}

/* ---- pidfds: eventfds that the events stream makes readable ---- */

/* "State:" and "Tgid:" of MOUNT/<pid>/status; -ESRCH if unreadable. */
static int sim_status(const struct sup *s, int pid, char *state, int *tgid)
{
	char path[PATH_MAX], buf[4096];
	const char *p, *q;

	snprintf(path, sizeof(path), "%s/%d/status", s->mount, pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	p = strstr(buf, "\nState:\t");
	q = strstr(buf, "\nTgid:\t");
	if (!p || !q)
		return -ESRCH;
	*state = p[8];
	*tgid = atoi(q + 7);
	return 0;
}

static void watch_fire(struct watch *w)
{
	uint64_t one = 1;

	if (!w->fired && write(w->efd, &one, sizeof(one)) == sizeof(one))
		w->fired = true;
}

/* One line of the events stream: "SEQ exit pid=P tgid=T code=C". */
static void events_line(struct sup *s, const char *line)
{
	int pid, tgid, i;
	char state;

	/* Events were lost: ask each watched process instead. */
	if (strstr(line, "overflow lost=")) {
		for (i = 0; i < s->nr_watch; i++)
			if (s->watch[i].efd >= 0 &&
			    (sim_status(s, s->watch[i].pid, &state, &tgid) ||
			     state == 'Z' || state == 'X'))
				watch_fire(&s->watch[i]);
		return;
	}
	if (s->verbose)
		fprintf(stderr, "%s: event %s\n", prog, line);
	if (sscanf(line, "%*u exit pid=%d tgid=%d", &pid, &tgid) != 2 ||
	    pid != tgid)
		return;
	for (i = 0; i < s->nr_watch; i++)
		if (s->watch[i].efd >= 0 && s->watch[i].pid == pid)
			watch_fire(&s->watch[i]);
}

static void events_read(struct sup *s)
{
	static char buf[65536];
	static size_t len;
	ssize_t n = read(s->events, buf + len, sizeof(buf) - 1 - len);
	char *line, *nl;

	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			close(s->events);
			s->events = -1;
		}
		return;
	}
	len += n;
	buf[len] = '\0';
	for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		events_line(s, line);
	}
	len -= line - buf;
	memmove(buf, line, len);
	if (len == sizeof(buf) - 1)
		len = 0;	/* no line is that long: drop it */
}

/*
 * A free slot, else the oldest fired one (its pidfd, if the caller still
 * has it, then looks like a plain eventfd: EBADF, not ESRCH), or NULL.
 */
static struct watch *watch_slot(struct sup *s)
{
	int i;

	for (i = 0; i < s->nr_watch; i++)
		if (s->watch[i].efd < 0)
			return &s->watch[i];
	if (s->nr_watch < WATCH_MAX)
		return &s->watch[s->nr_watch++];
	for (i = 0; i < s->nr_watch; i++)
		if (s->watch[i].fired) {
			close(s->watch[i].efd);
			s->watch[i].efd = -1;
			return &s->watch[i];
		}
	return NULL;
}

/* The caller's fd @fd: one of our pidfds (its pid), else 0. */
static int watched_pid(const struct call *k, int fd)
{
	int i;

	for (i = 0; i < k->s->nr_watch; i++)
		if (k->s->watch[i].efd >= 0 &&
		    syscall(SYS_kcmp, k->c->hostpid, getpid(), KCMP_FILE, fd,
			    k->s->watch[i].efd) == 0)
			return k->s->watch[i].pid;
	return 0;
}

/*
 * pidfd_open(pid, flags): an eventfd in the caller, readable once the
 * simulated process has exited (at once for a zombie).  Installed with
 * SECCOMP_ADDFD_FLAG_SEND, which also answers the call with its number.
 */
static enum verdict sys_pidfd_open(struct call *k)
{
	int pid = arg_int(k, 0), tgid, err;
	unsigned int flags = (unsigned int)k->d->args[1];
	struct seccomp_notif_addfd add = { .id = k->id };
	char reply[512], state;
	struct watch *w;
	int fd;

	if (pid <= 0 || (flags & ~O_NONBLOCK) || real_ns_pid(k->s, pid))
		return CONTINUE;	/* the kernel's EINVAL, or a real pid */
	err = ctl_call(k->s, reply, sizeof(reply), "kill %d 0", pid);
	if (!err && sim_status(k->s, pid, &state, &tgid))
		err = -EINVAL;		/* a thread: /proc lists no tid */
	if (!err && tgid != pid)
		err = -EINVAL;
	w = err ? NULL : watch_slot(k->s);
	if (!err && !w)
		err = -EMFILE;
	if (err) {
		k->err = err;
		return EMULATED;
	}
	w->efd = eventfd(0, EFD_CLOEXEC | (flags & O_NONBLOCK ? EFD_NONBLOCK : 0));
	if (w->efd < 0) {
		k->err = -errno;
		return EMULATED;
	}
	w->pid = pid;
	w->fired = false;
	add.flags = SECCOMP_ADDFD_FLAG_SEND;
	add.srcfd = w->efd;
	add.newfd_flags = O_CLOEXEC;
	/* An exit already past, or before the stream had it: fire now. */
	if (state == 'Z' || state == 'X')
		watch_fire(w);
	fd = ioctl(k->s->notify, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if (fd < 0) {
		close(w->efd);
		w->efd = -1;
	}
	if (fd < 0 && errno != ENOENT) {	/* ENOENT: the caller is gone */
		k->err = -errno;
		return EMULATED;
	}
	return ANSWERED;
}

/*
 * The simulated pid behind the caller's fd @fd: one of our pidfds, or a
 * /proc/<pid> directory of the mount (what killall signals through).
 * 0 for anything else (a real pidfd: the kernel's business).
 */
static int fd_pid(const struct call *k, int fd)
{
	char path[64], target[PATH_MAX];
	struct stat st, dir;
	const char *base;
	ssize_t n;
	int pid = watched_pid(k, fd);

	if (pid || fd < 0)
		return pid;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", k->c->hostpid, fd);
	if (stat(path, &st) || st.st_dev != k->s->mount_dev || !S_ISDIR(st.st_mode))
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base || strspn(base, "0123456789") != strlen(base))
		return 0;
	/* The mount's /<pid> itself, not a task/<tid> or other numeric dir. */
	pid = atoi(base);
	snprintf(target, sizeof(target), "%s/%d", k->s->mount, pid);
	if (stat(target, &dir) || dir.st_ino != st.st_ino || dir.st_dev != st.st_dev)
		return 0;
	return pid;
}

/* pidfd_send_signal(pidfd, sig, info, flags). */
static enum verdict sys_pidfd_send_signal(struct call *k)
{
	int pid = fd_pid(k, arg_int(k, 0)), sig = arg_int(k, 1);
	char target[16];

	if (!pid)
		return CONTINUE;
	if (k->d->args[3]) {	/* no flags are valid for another process */
		k->err = -EINVAL;
		return EMULATED;
	}
	if (k->d->args[2] && siginfo_forged(k, k->d->args[2])) {
		if (!k->err)
			k->err = -EPERM;
		return EMULATED;
	}
	snprintf(target, sizeof(target), "%d", pid);
	send_signal(k, "kill", target, sig);
	return EMULATED;
}

/*
 * waitid(P_PIDFD, fd, info, options, rusage) on one of our pidfds: a
 * simulated process is never the caller's child, so, as Linux for a
 * pidfd of a non-child, ECHILD once the options are valid.
 */
static enum verdict sys_waitid(struct call *k)
{
	unsigned int options = (unsigned int)k->d->args[3];
	unsigned int valid = WNOHANG | WNOWAIT | WEXITED | WSTOPPED |
			     WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;

	if (!watched_pid(k, arg_int(k, 1)))
		return CONTINUE;
	k->err = (options & ~valid) || !(options & (WEXITED | WSTOPPED |
						    WCONTINUED)) ? -EINVAL : -ECHILD;
	return EMULATED;
}

static const char *const prio_which[] = { "process", "pgrp", "user" };

/*
 * Whose priority?  A process or group that is real continues; a user's
 * processes are the simulation's (who 0, the caller, is not trapped).
 */
static bool prio_real(struct call *k, int which, int who)
{
	return which < PRIO_PROCESS || which > PRIO_USER ||
	       (which != PRIO_USER && (who <= 0 || real_ns_pid(k->s, who)));
}

static enum verdict sys_getpriority(struct call *k)
{
	int which = arg_int(k, 0), who = arg_int(k, 1);
	char reply[512];

	if (prio_real(k, which, who))
		return CONTINUE;
	k->err = ctl_call(k->s, reply, sizeof(reply), "getpriority %s %u",
			  prio_which[which], (unsigned int)who);
	k->val = k->err ? 0 : atoi(reply);
	return EMULATED;
}

static enum verdict sys_setpriority(struct call *k)
{
	int which = arg_int(k, 0), who = arg_int(k, 1), nice = arg_int(k, 2);
	char reply[512], as[64];

	if (prio_real(k, which, who))
		return CONTINUE;
	k->err = ctl_call(k->s, reply, sizeof(reply), "setpriority %s %u %d%s",
			  prio_which[which], (unsigned int)who, nice,
			  sender(k->c, CAP_SYS_NICE, as, sizeof(as)));
	return EMULATED;
}

/* ---- scheduling attributes: values in the caller's memory ---- */

/* Copy @len bytes from (@to false) or to the caller's memory at @addr. */
static int caller_mem(const struct call *k, unsigned long long addr,
		      void *buf, size_t len, bool to)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", k->c->hostpid);
	fd = open(path, (to ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -EFAULT;
	n = to ? pwrite(fd, buf, len, (off_t)addr) : pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

/* The simulation's CPU count (MOUNT/procsim/config's nr_cpus). */
static int sim_nr_cpus(const struct sup *s)
{
	char path[PATH_MAX], buf[4096];
	const char *p;

	snprintf(path, sizeof(path), "%s/procsim/config", s->mount);
	if (read_small(path, buf, sizeof(buf)) < 0 ||
	    !(p = strstr(buf, "nr_cpus ")))
		return 1;
	return atoi(p + 8) > 0 ? atoi(p + 8) : 1;
}

/* A pid argument that is 0 (not trapped), negative or real: the kernel's. */
static bool pid_real(struct call *k, int pid)
{
	return pid <= 0 || real_ns_pid(k->s, pid);
}

/*
 * sched_getaffinity(pid, len, mask): cpumask_size() bytes, as many longs
 * as the simulation's CPUs need; CPUs from 64 up are always allowed.
 */
static enum verdict sys_sched_getaffinity(struct call *k)
{
	int pid = arg_int(k, 0), cpus = sim_nr_cpus(k->s), i;
	unsigned long long len = k->d->args[1];
	size_t size = (size_t)(cpus + 63) / 64 * 8;
	unsigned char mask[512] = { 0 };
	char reply[512];
	uint64_t low;

	if (pid_real(k, pid))
		return CONTINUE;
	if (len * 8 < (unsigned long long)cpus || (len & 7)) {
		k->err = -EINVAL;
		return EMULATED;
	}
	k->err = ctl_call(k->s, reply, sizeof(reply), "sched_getaffinity %d", pid);
	if (k->err)
		return EMULATED;
	low = strtoull(reply, NULL, 16);
	for (i = 0; i < cpus && i < (int)sizeof(mask) * 8; i++)
		if (i >= 64 || (low >> i & 1))
			mask[i / 8] |= 1 << (i % 8);
	if (size > sizeof(mask))
		size = sizeof(mask);
	k->err = caller_mem(k, k->d->args[2], mask, size, true);
	k->val = (long long)size;
	return EMULATED;
}

/* sched_setaffinity(pid, len, mask): the first 64 CPUs' bits count. */
static enum verdict sys_sched_setaffinity(struct call *k)
{
	int pid = arg_int(k, 0);
	size_t len = k->d->args[1] < 8 ? (size_t)k->d->args[1] : 8;
	uint64_t mask = 0;
	char reply[512], as[64];

	if (pid_real(k, pid))
		return CONTINUE;
	k->err = caller_mem(k, k->d->args[2], &mask, len, false);
	if (!k->err)
		k->err = ctl_call(k->s, reply, sizeof(reply),
				  "sched_setaffinity %d 0x%llx%s", pid,
				  (unsigned long long)mask,
				  sender(k->c, CAP_SYS_NICE, as, sizeof(as)));
	return EMULATED;
}

/* sched_getscheduler(pid) and sched_getparam(pid, param). */
static enum verdict sys_sched_get(struct call *k)
{
	int pid = arg_int(k, 0), policy = 0, prio = 0;
	char reply[512];

	if (pid_real(k, pid))
		return CONTINUE;
	if (k->d->nr == __NR_sched_getparam && !k->d->args[1]) {
		k->err = -EINVAL;
		return EMULATED;
	}
	k->err = ctl_call(k->s, reply, sizeof(reply), "sched_getscheduler %d", pid);
	if (k->err || sscanf(reply, "%d %d", &policy, &prio) != 2)
		return EMULATED;
	if (k->d->nr == __NR_sched_getscheduler)
		k->val = policy;
	else
		k->err = caller_mem(k, k->d->args[1], &prio, sizeof(prio), true);
	return EMULATED;
}

/*
 * sched_getattr(pid, attr, size, flags): policy, nice and rt priority in a
 * struct sched_attr of the caller's size (at least SCHED_ATTR_SIZE_VER0).
 */
static enum verdict sys_sched_getattr(struct call *k)
{
	int pid = arg_int(k, 0), policy, prio;
	unsigned int size = (unsigned int)k->d->args[2];
	struct {
		uint32_t size, policy;
		uint64_t flags;
		int32_t nice;
		uint32_t priority;
		uint64_t runtime, deadline, period;
		uint32_t util_min, util_max;
	} attr = { 0 };
	char reply[512];

	if (pid_real(k, pid))
		return CONTINUE;
	if (!k->d->args[1] || size < 48 || size > 4096 || k->d->args[3]) {
		k->err = -EINVAL;
		return EMULATED;
	}
	k->err = ctl_call(k->s, reply, sizeof(reply), "sched_getscheduler %d", pid);
	if (k->err || sscanf(reply, "%d %d", &policy, &prio) != 2)
		return EMULATED;
	k->err = ctl_call(k->s, reply, sizeof(reply), "getpriority process %d", pid);
	if (k->err)
		return EMULATED;
	attr.size = size < sizeof(attr) ? size : sizeof(attr);
	attr.policy = policy;
	attr.priority = prio;
	attr.nice = 20 - atoi(reply);
	k->err = caller_mem(k, k->d->args[1], &attr, attr.size, true);
	return EMULATED;
}

/*
 * sched_setscheduler(pid, policy, param) and sched_setparam(pid, param):
 * SCHED_RESET_ON_FORK is accepted and not kept.
 */
static enum verdict sys_sched_set(struct call *k)
{
	bool setparam = k->d->nr == __NR_sched_setparam;
	int pid = arg_int(k, 0), policy = setparam ? -1 : arg_int(k, 1), prio, cur;
	unsigned long long param = k->d->args[setparam ? 1 : 2];
	char reply[512], as[64];

	if (pid_real(k, pid))
		return CONTINUE;
	if (!param || (!setparam && policy < 0)) {
		k->err = -EINVAL;
		return EMULATED;
	}
	k->err = caller_mem(k, param, &prio, sizeof(prio), false);
	if (!k->err && setparam)
		k->err = ctl_call(k->s, reply, sizeof(reply),
				  "sched_getscheduler %d", pid);
	if (!k->err && setparam && sscanf(reply, "%d %d", &policy, &cur) != 2)
		k->err = -EIO;
	policy &= ~0x40000000;	/* SCHED_RESET_ON_FORK */
	if (!k->err)
		k->err = ctl_call(k->s, reply, sizeof(reply),
				  "sched_setscheduler %d %d %d%s", pid, policy,
				  prio < 0 ? 100 : prio,	/* EINVAL, as Linux */
				  sender(k->c, CAP_SYS_NICE, as, sizeof(as)));
	return EMULATED;
}

/* ioprio_get(which, who) and ioprio_set(which, who, ioprio). */
static enum verdict sys_ioprio(struct call *k)
{
	static const char *const who_name[] = { NULL, "process", "pgrp", "user" };
	int which = arg_int(k, 0), who = arg_int(k, 1), ioprio = arg_int(k, 2);
	char reply[512], as[64];

	if (which < 1 || which > 3 || (which != 3 && pid_real(k, who)))
		return CONTINUE;
	if (k->d->nr == __NR_ioprio_get) {
		k->err = ctl_call(k->s, reply, sizeof(reply), "ioprio_get %s %u",
				  who_name[which], (unsigned int)who);
		k->val = k->err ? 0 : atoi(reply);
		return EMULATED;
	}
	/* The RT class: CAP_SYS_ADMIN or CAP_SYS_NICE (ioprio_check_cap). */
	if ((ioprio >> 13) == 1 && (k->c->capeff & (1ULL << CAP_SYS_ADMIN)))
		as[0] = '\0';
	else
		sender(k->c, CAP_SYS_NICE, as, sizeof(as));
	k->err = ctl_call(k->s, reply, sizeof(reply), "ioprio_set %s %u %d%s",
			  who_name[which], (unsigned int)who, ioprio, as);
	return EMULATED;
}

/* "unlimited" or a number, as ctl's prlimit replies. */
static unsigned long long rlim_word(const char *w, char **end)
{
	if (!strncmp(w, "unlimited", 9)) {
		*end = (char *)w + 9;
		return RLIM_INFINITY;
	}
	return strtoull(w, end, 10);
}

/* prlimit64(pid, resource, new, old): the limits of a simulated process. */
static enum verdict sys_prlimit64(struct call *k)
{
	int pid = arg_int(k, 0), res = arg_int(k, 1);
	struct rlimit old, new;
	char reply[512], as[64], set[64] = "", *end;

	if (pid_real(k, pid))
		return CONTINUE;
	if (k->d->args[2]) {
		k->err = caller_mem(k, k->d->args[2], &new, sizeof(new), false);
		if (k->err)
			return EMULATED;
		snprintf(set, sizeof(set), " %llu %llu",
			 (unsigned long long)new.rlim_cur,
			 (unsigned long long)new.rlim_max);
	}
	k->err = ctl_call(k->s, reply, sizeof(reply), "prlimit %d %u%s%s", pid,
			  (unsigned int)res, set,
			  sender(k->c, CAP_SYS_RESOURCE, as, sizeof(as)));
	if (k->err || !k->d->args[3])
		return EMULATED;
	old.rlim_cur = rlim_word(reply, &end);
	old.rlim_max = rlim_word(end + (*end == ' '), &end);
	k->err = caller_mem(k, k->d->args[3], &old, sizeof(old), true);
	return EMULATED;
}

/* ---- the filter ---- */

struct trap {
	const char *name;
	enum verdict (*fn)(struct call *k);
	int nr_cmp;			/* 0; 1: trap only if arg @cmp_arg != 0;
					 * 2: only if arg @cmp_arg is P_PIDFD */
	unsigned int cmp_arg;
};

static const struct trap traps[] = {
	{ "kill", sys_kill, 1, 0 },
	{ "tkill", sys_tgkill, 0, 0 },
	{ "tgkill", sys_tgkill, 0, 0 },
	{ "rt_sigqueueinfo", sys_rt_sigqueueinfo, 0, 0 },
	{ "getpriority", sys_getpriority, 1, 1 },
	{ "setpriority", sys_setpriority, 1, 1 },
	{ "pidfd_open", sys_pidfd_open, 0, 0 },
	{ "pidfd_send_signal", sys_pidfd_send_signal, 0, 0 },
	{ "waitid", sys_waitid, 2, 0 },		/* idtype P_PIDFD only */
	{ "sched_getaffinity", sys_sched_getaffinity, 1, 0 },
	{ "sched_setaffinity", sys_sched_setaffinity, 1, 0 },
	{ "sched_getscheduler", sys_sched_get, 1, 0 },
	{ "sched_getparam", sys_sched_get, 1, 0 },
	{ "sched_getattr", sys_sched_getattr, 1, 0 },
	{ "sched_setscheduler", sys_sched_set, 1, 0 },
	{ "sched_setparam", sys_sched_set, 1, 0 },
	{ "ioprio_get", sys_ioprio, 1, 1 },
	{ "ioprio_set", sys_ioprio, 1, 1 },
	{ "prlimit64", sys_prlimit64, 1, 0 },
};
#define NR_TRAPS	(sizeof(traps) / sizeof(traps[0]))

/* In the child: load the filter; the listener fd, or -errno. */
static int load_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t i;
	int err = 0, fd;

	if (!ctx)
		return -ENOMEM;
	/* As root, keep setuid programs working inside: no NO_NEW_PRIVS. */
	if (geteuid() == 0)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (i = 0; !err && i < NR_TRAPS; i++) {
		int nr = seccomp_syscall_resolve_name(traps[i].name);

		if (nr == __NR_SCMP_ERROR)
			continue;
		if (traps[i].nr_cmp == 2)
			err = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
					       SCMP_CMP32(traps[i].cmp_arg,
							  SCMP_CMP_EQ, P_PIDFD));
		else if (traps[i].nr_cmp)
			err = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
					       SCMP_CMP32(traps[i].cmp_arg,
							  SCMP_CMP_NE, 0));
		else
			err = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
	}
	if (!err) {
		errno = 0;
		err = seccomp_load(ctx);
		if (err && errno)	/* the kernel's reason, e.g. EBUSY */
			err = -errno;
	}
	fd = err ? err : seccomp_notify_fd(ctx);
	seccomp_release(ctx);
	return fd;
}

static int trap_nr[NR_TRAPS];	/* traps[i]'s syscall number, at startup */

static const struct trap *trap_of(int nr)
{
	size_t i;

	for (i = 0; i < NR_TRAPS; i++)
		if (trap_nr[i] == nr)
			return &traps[i];
	return NULL;
}

/* One notification: receive, decide, answer. */
static void handle_one(struct sup *s, struct seccomp_notif *req,
		       struct seccomp_notif_resp *resp)
{
	const struct trap *t;
	struct caller c;
	struct call k = { .s = s, .c = &c };
	enum verdict v = CONTINUE;

	memset(req, 0, sizeof(*req));
	if (seccomp_notify_receive(s->notify, req))
		return;		/* the caller died, or was interrupted */
	k.d = &req->data;
	k.id = req->id;
	t = trap_of(req->data.nr);
	/*
	 * Only a caller of the tool's own namespace is emulated; its /proc
	 * data are trusted only if the notification is still live after.
	 */
	if (t && !read_caller(req->pid, &c) && c.nslevels == s->depth + 1 &&
	    !seccomp_notify_id_valid(s->notify, req->id))
		v = t->fn(&k);
	if (v == ANSWERED)
		return;
	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	if (v == CONTINUE) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else {
		resp->error = k.err;
		resp->val = k.err ? 0 : k.val;
	}
	seccomp_notify_respond(s->notify, resp);	/* ENOENT: caller gone */
}

/* ---- startup: fork, pass the listener, exec ---- */

static int send_fd(int sock, int fd)
{
	char byte = fd >= 0 ? 'F' : 'N';
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

/* The fd the child sent, or -1 (it runs without the filter). */
static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *h;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1 || byte != 'F')
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

static void __attribute__((noreturn)) child(int sock, char **argv,
					    const sigset_t *old)
{
	int fd;

	/* Should we die (SIGKILL too), CMD's namespace goes with us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = load_filter();

	if (fd < 0)
		fprintf(stderr, "%s: no seccomp user notification (%s): "
			"syscalls about simulated pids are not emulated\n",
			prog, strerror(-fd));
	send_fd(sock, fd);
	if (fd >= 0)
		close(fd);
	close(sock);
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(errno));
	_exit(127);
}

/* CMD ended: leave with its status (a signal death as that signal). */
static void __attribute__((noreturn)) pass_status(int status)
{
	if (WIFSIGNALED(status)) {
		sigset_t all;

		signal(WTERMSIG(status), SIG_DFL);
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		raise(WTERMSIG(status));
		exit(128 + WTERMSIG(status));
	}
	exit(WEXITSTATUS(status));
}

static int ns_depth(void)
{
	char buf[4096];
	int v[NSPID_MAX];

	if (read_small("/proc/self/status", buf, sizeof(buf)) < 0)
		return 1;
	return parse_nspid(buf, v, NSPID_MAX);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: %s -m MOUNT [--] CMD [ARG...]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct sup s = { .notify = -1, .events = -1 };
	struct stat st;
	const char *mount = NULL;
	char path[PATH_MAX];
	sigset_t mask, old;
	int sv[2], sfd, status, opt;

	while ((opt = getopt(argc, argv, "+m:")) != -1) {
		if (opt != 'm')
			usage();
		mount = optarg;
	}
	if (!mount || optind >= argc)
		usage();
	snprintf(path, sizeof(path), "%s/procsim/ctl", mount);
	s.ctl = open(path, O_RDWR | O_CLOEXEC);
	if (s.ctl < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 2;
	}
	s.mount = mount;
	if (stat(mount, &st)) {
		fprintf(stderr, "%s: %s: %s\n", prog, mount, strerror(errno));
		return 2;
	}
	s.mount_dev = st.st_dev;
	/* Opened before any pidfd exists, so no exit is missed. */
	snprintf(path, sizeof(path), "%s/procsim/events", mount);
	s.events = open(path, O_RDONLY | O_CLOEXEC);
	if (s.events < 0)
		fprintf(stderr, "%s: %s: %s: pidfds will never become "
			"readable\n", prog, path, strerror(errno));
	s.depth = ns_depth();
	for (size_t i = 0; i < NR_TRAPS; i++)
		trap_nr[i] = seccomp_syscall_resolve_name(traps[i].name);
	s.verbose = getenv("PROCSIM_SYSCALLS_TRACE") != NULL;
	/* SIGCHLD and the signals we pass on, through a signalfd. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	/* ^C and ^\ reach CMD's group too; let CMD decide, as a shell does. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		return 2;
	}
	s.child = fork();
	if (s.child < 0) {
		fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
		return 2;
	}
	if (!s.child) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		close(sv[0]);
		child(sv[1], argv + optind, &old);
	}
	close(sv[1]);
	signal(SIGPIPE, SIG_IGN);	/* a closed stderr must not end us */
	s.notify = recv_fd(sv[0]);
	close(sv[0]);
	if (seccomp_notify_alloc(&req, &resp)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	for (;;) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { s.notify, POLLIN, 0 },
				       { s.events, POLLIN, 0 } };
		struct signalfd_siginfo si;

		/* A closed fd is -1: poll skips it. */
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[2].revents & POLLIN)
			events_read(&s);
		else if (p[2].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			close(s.events);
			s.events = -1;
		}
		if (p[1].revents & POLLIN)
			handle_one(&s, req, resp);
		else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			close(s.notify);	/* nobody left under the filter */
			s.notify = -1;
		}
		if (!(p[0].revents & POLLIN) ||
		    read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			kill(s.child, si.ssi_signo);
			continue;
		}
		if (waitpid(s.child, &status, WNOHANG) == s.child)
			pass_status(status);
	}
	fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
	kill(s.child, SIGKILL);
	waitpid(s.child, &status, 0);
	return 2;
}
