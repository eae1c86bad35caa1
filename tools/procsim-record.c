// SPDX-License-Identifier: MIT
/*
 * procsim-record OUT [--seconds N] [--no-snapshot] [-- CMD [ARG...]]: the
 * host's process events from the proc connector (netlink
 * NETLINK_CONNECTOR, CN_IDX_PROC; needs root) into a procsim-events trace (fs/event_trace.h,
 * docs/record.md) that ctl replay drives the simulation with.
 *
 * It subscribes first, then takes the start snapshot with procsim-snap
 * (OUT.snap.tar.zst, beside OUT) while it keeps reading, so no event falls
 * between the snapshot and the trace; the snapshot tool's own processes
 * are left out of the trace, as is the recorder.  An exec's new comm and
 * cmdline are read from /proc at once: a process gone by then is recorded
 * with "?" (unknown).  With CMD, it runs CMD once the snapshot is taken
 * (so no process of CMD is in both) and records only CMD's tree
 * (its own fork too, from the recorder: replay gives it to init), until
 * CMD ends and 200 ms more for its last events.  The events are kept in memory and OUT is written
 * at the end (SIGINT, SIGTERM or --seconds): the header, the events, and
 * the end line with their count and CRC.  A socket overrun (ENOBUFS: the
 * kernel dropped events) is a "lost" record in the file and a line on
 * stderr, counted in the summary.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "event_trace.h"

#define CMDLINE_MAX	4096	/* bytes of an exec's cmdline kept */
#define PID_BITS	4194304	/* PID_MAX_LIMIT */

extern char **environ;

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/*
 * Which tgids are recorded: with a command, only its tree; else all but
 * our own (the snapshot tool and its children).  Bitmaps over every pid.
 */
static uint64_t own[PID_BITS / 64], tree[PID_BITS / 64];
static int root;		/* the command's pid (-pid once it ended) */

static bool test_pid(const uint64_t *set, int pid)
{
	return pid > 0 && pid < PID_BITS && (set[pid / 64] >> (pid % 64) & 1);
}

static void set_pid(uint64_t *set, int pid)
{
	if (pid > 0 && pid < PID_BITS)
		set[pid / 64] |= 1ull << (pid % 64);
}

static bool wanted(int tgid)
{
	return root ? test_pid(tree, tgid) : !test_pid(own, tgid);
}

/* A fork: decide whether its child's group is recorded, then if it is. */
static bool wanted_fork(int ptgid, int ctgid, bool thread)
{
	if (thread)
		return wanted(ctgid);
	if (root) {
		if (ctgid != abs(root) && !test_pid(tree, ptgid))
			return false;
		set_pid(tree, ctgid);
		return true;
	}
	if (test_pid(own, ptgid)) {
		set_pid(own, ctgid);
		return false;
	}
	return true;
}

static int cn_listen(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) msg;
	int fd, rcv = 32 << 20;

	fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	/* A build forks in bursts: room for them (root may pass rmem_max). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	sa.nl_pid = 0;		/* the kernel assigns one */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	memset(&msg, 0, sizeof(msg));
	msg.nl.nlmsg_len = sizeof(msg);
	msg.nl.nlmsg_type = NLMSG_DONE;
	msg.nl.nlmsg_pid = 0;
	msg.cn.id.idx = CN_IDX_PROC;
	msg.cn.id.val = CN_VAL_PROC;
	msg.cn.len = sizeof(enum proc_cn_mcast_op);
	msg.op = PROC_CN_MCAST_LISTEN;
	if (send(fd, &msg, sizeof(msg), 0) != sizeof(msg))
		goto fail;
	return fd;
fail:
	{
		int err = -errno;

		close(fd);
		return err;
	}
}

/* /proc/PID/NAME into @buf; its length, or -1 (gone, or unreadable). */
static ssize_t read_proc(int pid, const char *name, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, cap);
	close(fd);
	return n;
}

struct recorder {
	struct event_writer body;	/* the events, in memory */
	uint64_t mono0, last_ts;
	unsigned long exec_unknown, skipped_own;
};

static void begin(struct recorder *r, uint64_t ts_mono)
{
	uint64_t ts = ts_mono > r->mono0 ? ts_mono - r->mono0 : 0;

	/* CPUs deliver out of order by a little: the trace never goes back. */
	if (ts < r->last_ts)
		ts = r->last_ts;
	r->last_ts = ts;
	event_writer_printf(&r->body, "%llu ", (unsigned long long)ts);
}

static void record_exec(struct recorder *r, int pid, int tgid)
{
	char comm[64], cmd[CMDLINE_MAX];
	ssize_t nc = read_proc(tgid, "comm", comm, sizeof(comm));
	ssize_t na = read_proc(tgid, "cmdline", cmd, sizeof(cmd));

	event_writer_printf(&r->body, "exec %d %d", pid, tgid);
	if (nc > 0 && comm[nc - 1] == '\n')
		nc--;
	event_writer_string(&r->body, nc > 0 ? comm : NULL, nc > 0 ? nc : 0);
	if (na < 0 || nc <= 0)
		r->exec_unknown++;
	if (na < 0) {
		event_writer_string(&r->body, NULL, 0);
	} else {
		/* argv, NUL-separated; a cut-off last arg is kept as read. */
		for (ssize_t i = 0; i < na;) {
			size_t n = strnlen(cmd + i, na - i);

			event_writer_string(&r->body, cmd + i, n);
			i += n + 1;
		}
	}
	event_writer_end_event(&r->body);
}

static void record(struct recorder *r, const struct proc_event *ev)
{
	const char *comm;

	switch (ev->what) {
	case PROC_EVENT_FORK:
		if (!wanted_fork(ev->event_data.fork.parent_tgid,
				 ev->event_data.fork.child_tgid,
				 ev->event_data.fork.child_pid !=
				 ev->event_data.fork.child_tgid))
			goto own;
		begin(r, ev->timestamp_ns);
		event_writer_printf(&r->body, "fork %d %d %d %d",
				    ev->event_data.fork.parent_pid,
				    ev->event_data.fork.parent_tgid,
				    ev->event_data.fork.child_pid,
				    ev->event_data.fork.child_tgid);
		break;
	case PROC_EVENT_EXEC:
		if (!wanted(ev->event_data.exec.process_tgid))
			goto own;
		begin(r, ev->timestamp_ns);
		record_exec(r, ev->event_data.exec.process_pid,
			    ev->event_data.exec.process_tgid);
		return;
	case PROC_EVENT_UID:
	case PROC_EVENT_GID:
		if (!wanted(ev->event_data.id.process_tgid))
			goto own;
		begin(r, ev->timestamp_ns);
		event_writer_printf(&r->body, "%s %d %d %u %u",
				    ev->what == PROC_EVENT_UID ? "uid" : "gid",
				    ev->event_data.id.process_pid,
				    ev->event_data.id.process_tgid,
				    ev->event_data.id.r.ruid,
				    ev->event_data.id.e.euid);
		break;
	case PROC_EVENT_COMM:
		if (!wanted(ev->event_data.comm.process_tgid))
			goto own;
		begin(r, ev->timestamp_ns);
		comm = ev->event_data.comm.comm;
		event_writer_printf(&r->body, "comm %d %d",
				    ev->event_data.comm.process_pid,
				    ev->event_data.comm.process_tgid);
		event_writer_string(&r->body, comm,
				    strnlen(comm, sizeof(ev->event_data.comm.comm)));
		break;
	case PROC_EVENT_EXIT:
		if (!wanted(ev->event_data.exit.process_tgid))
			goto own;
		begin(r, ev->timestamp_ns);
		event_writer_printf(&r->body, "exit %d %d %u %u",
				    ev->event_data.exit.process_pid,
				    ev->event_data.exit.process_tgid,
				    ev->event_data.exit.exit_code & 0xffff,
				    ev->event_data.exit.exit_signal > 64 ? 0 :
				    ev->event_data.exit.exit_signal);
		break;
	default:
		return;		/* sid, ptrace, coredump, the ack: not modelled */
	}
	event_writer_end_event(&r->body);
	return;
own:
	r->skipped_own++;
}

/* One datagram: several netlink messages, each one proc_event. */
static void record_all(struct recorder *r, const char *buf, ssize_t len)
{
	const struct nlmsghdr *nl;

	for (nl = (const void *)buf; NLMSG_OK(nl, (size_t)len);
	     nl = NLMSG_NEXT(nl, len)) {
		const struct cn_msg *cn = NLMSG_DATA(nl);

		if (nl->nlmsg_type == NLMSG_ERROR || nl->nlmsg_type == NLMSG_NOOP)
			continue;
		if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC ||
		    cn->len < offsetof(struct proc_event, event_data))
			continue;
		record(r, (const struct proc_event *)cn->data);
	}
}

/* CMD, whose process tree alone is recorded from now on. */
static int start_cmd(char **cmd)
{
	pid_t pid;
	int err = posix_spawnp(&pid, cmd[0], NULL, NULL, cmd, environ);

	if (err) {
		fprintf(stderr, "procsim-record: %s: %s\n", cmd[0], strerror(err));
		return -1;
	}
	root = pid;
	set_pid(tree, pid);
	return 0;
}

/* procsim-snap beside this program (tools/), or $PROCSIM_SNAP. */
static int start_snapshot(const char *self, const char *out, pid_t *pid)
{
	char tool[PATH_MAX + 32], dir[PATH_MAX], *slash;
	const char *env = getenv("PROCSIM_SNAP");
	char *argv[4];
	int err;

	if (env) {
		snprintf(tool, sizeof(tool), "%s", env);
	} else {
		if (!realpath(self, dir))
			return -errno;
		slash = strrchr(dir, '/');
		*slash = '\0';
		/* build/procsim-record: the tool is in ../tools/; tools/: here. */
		snprintf(tool, sizeof(tool), "%s/procsim-snap", dir);
		if (access(tool, X_OK))
			snprintf(tool, sizeof(tool), "%s/../tools/procsim-snap", dir);
	}
	if (access(tool, X_OK))
		return -ENOENT;
	argv[0] = tool;
	argv[1] = "/proc";
	argv[2] = (char *)out;
	argv[3] = NULL;
	err = posix_spawn(pid, tool, NULL, NULL, argv, environ);
	if (err)
		return -err;
	set_pid(own, *pid);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: procsim-record OUT [--seconds N] [--no-snapshot] [-- CMD [ARG...]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	char snap_path[PATH_MAX], snap_name[256], buf[1 << 16];
	struct event_writer w;
	struct recorder r = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	double seconds = 0;
	bool snapshot = true;
	pid_t snap_pid = 0;
	char **cmd = NULL;
	int cmd_status = 0;
	uint64_t drain_until = 0;
	char *mem = NULL;
	size_t mem_len = 0;
	uint64_t deadline = 0;
	FILE *f;
	int fd, err, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			char *end;

			seconds = strtod(argv[++i], &end);
			if (*end || seconds <= 0)
				return usage();
		} else if (!strcmp(argv[i], "--no-snapshot")) {
			snapshot = false;
		} else if (!strcmp(argv[i], "--") && i + 1 < argc) {
			cmd = argv + i + 1;
			break;
		} else if (argv[i][0] == '-' || out) {
			return usage();
		} else {
			out = argv[i];
		}
	}
	if (!out)
		return usage();
	r.body.f = open_memstream(&mem, &mem_len);
	if (!r.body.f)
		return perror("procsim-record: memory"), 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = cn_listen();
	if (fd < 0) {
		fprintf(stderr, "procsim-record: proc connector: %s%s\n",
			strerror(-fd), fd == -EPERM ? " (needs root)" : "");
		return 1;
	}
	set_pid(own, getpid());
	r.mono0 = now_ns(CLOCK_MONOTONIC);
	uint64_t start_unix = now_ns(CLOCK_REALTIME);

	if (seconds)
		deadline = r.mono0 + (uint64_t)(seconds * 1e9);
	snap_name[0] = '\0';
	if (cmd)
		root = -1;	/* tree mode from now on, the tree still empty */
	if (snapshot) {
		const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;

		snprintf(snap_name, sizeof(snap_name), "%s.snap.tar.zst", base);
		snprintf(snap_path, sizeof(snap_path), "%s.snap.tar.zst", out);
		err = start_snapshot(argv[0], snap_path, &snap_pid);
		if (err) {
			fprintf(stderr, "procsim-record: no start snapshot: "
				"procsim-snap: %s\n", strerror(-err));
			snap_name[0] = '\0';
		}
	}
	/*
	 * CMD starts once the snapshot is taken: started during the copy, its
	 * first processes could be in the snapshot and in the trace both.
	 */
	if (cmd && !snap_pid && start_cmd(cmd))
		return 1;
	while (!stop_sig) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = -1;
		ssize_t n;

		if (deadline) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			if (now >= deadline)
				break;
			ms = (int)((deadline - now) / 1000000) + 1;
		}
		if ((snap_pid || root) && (ms < 0 || ms > 100))
			ms = 100;	/* look for the children's ends now and then */
		if (root > 0 && waitpid(root, &cmd_status, WNOHANG) == root) {
			root = -root;	/* still tree mode: events still come */
			drain_until = now_ns(CLOCK_MONOTONIC) + 200000000u;
		}
		if (drain_until && now_ns(CLOCK_MONOTONIC) >= drain_until)
			break;		/* its last events had 200 ms to arrive */
		if (snap_pid) {
			int st;

			if (waitpid(snap_pid, &st, WNOHANG) == snap_pid) {
				snap_pid = 0;
				if (!WIFEXITED(st) || WEXITSTATUS(st)) {
					fprintf(stderr, "procsim-record: procsim-snap "
						"failed: no start snapshot\n");
					snap_name[0] = '\0';
				}
				if (cmd && start_cmd(cmd))
					return 1;
			}
		}
		if (poll(&p, 1, ms) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == ENOBUFS) {
			/* The kernel dropped events: say so, in the file too. */
			begin(&r, now_ns(CLOCK_MONOTONIC));
			event_writer_printf(&r.body, "lost\n");
			r.body.overruns++;
			fprintf(stderr, "procsim-record: socket overrun (ENOBUFS): "
				"events lost\n");
			continue;
		}
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			record_all(&r, buf, n);
	}
	close(fd);
	if (snap_pid) {
		int st;

		fprintf(stderr, "procsim-record: waiting for procsim-snap\n");
		if (waitpid(snap_pid, &st, 0) != snap_pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			snap_name[0] = '\0';
	}
	if (fflush(r.body.f) || r.body.err) {
		fprintf(stderr, "procsim-record: out of memory\n");
		return 1;
	}
	f = fopen(out, "we");
	if (!f) {
		fprintf(stderr, "procsim-record: %s: %s\n", out, strerror(errno));
		return 1;
	}
	event_writer_init(&w, f, start_unix, snap_name);
	event_writer_raw(&w, mem, mem_len);
	w.events = r.body.events;
	w.overruns = r.body.overruns;
	err = event_writer_finish(&w);
	if (fclose(f) && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "procsim-record: %s: %s\n", out, strerror(-err));
		return 1;
	}
	fprintf(stderr, "procsim-record: %lu events in %.1f s, %lu overruns%s, "
		"%lu execs with comm or cmdline unknown, %lu left out (ours, or "
		"outside the command's tree); "
		"snapshot %s\n", w.events,
		(now_ns(CLOCK_MONOTONIC) - r.mono0) / 1e9, w.overruns,
		w.overruns ? " (EVENTS LOST)" : "", r.exec_unknown, r.skipped_own,
		snap_name[0] ? snap_name : "none");
	fclose(r.body.f);
	free(mem);
	if (cmd && WIFEXITED(cmd_status) && WEXITSTATUS(cmd_status))
		fprintf(stderr, "procsim-record: %s exited %d\n", cmd[0],
			WEXITSTATUS(cmd_status));
	return 0;
}
