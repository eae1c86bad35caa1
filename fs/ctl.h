/* SPDX-License-Identifier: MIT */
/*
 * The control-file language: what a write to /proc/procsim/ctl says.
 *
 * One command per line, words separated by spaces or tabs:
 *
 *	fork PPID [COUNT]	"PID PID ...\n"; COUNT 1..1000000, default 1
 *	clone PID		"TID\n"
 *	exec PID COMM [ARG...]	"ok\n"; argv is COMM ARG..., comm its basename
 *	exit PID [CODE]		"ok\n"; CODE 0..255, default 0
 *	exit_thread TID [CODE]	"ok\n"; that thread alone (a leader stays a zombie)
 *	wait PID WHO [FLAG...]	"PID STATUS\n"; WHO a pid, -1, 0 (own pgrp) or
 *				-PGID; FLAGs nohang, nowait, untraced,
 *				continued, nothread
 *	kill PID SIG [as UID EUID]
 *				"ok\n"; SIG 0..64 or a name (KILL, SIGKILL,
 *				kill); PID may be -1 (every process but init)
 *				or -PGID; "as": a sender without CAP_KILL
 *				with those ids (EPERM as Linux), else root
 *	tgkill TGID TID SIG [as UID EUID]
 *				"ok\n"; tgkill(2), or tkill(2) with TGID 0
 *	setpriority WHICH WHO NICE [as UID EUID]
 *				"ok\n"; WHICH process, pgrp or user; NICE
 *				clamped to -20..19; "as": without CAP_SYS_NICE
 *	getpriority WHICH WHO	"PRIO\n": 20 - the lowest nice (1..40)
 *	sched_setaffinity PID MASK [as UID EUID]
 *				"ok\n"; MASK 0xHEX or decimal, bit n CPU n
 *	sched_getaffinity PID	"0xMASK\n"
 *	sched_setscheduler PID POLICY PRIO [as UID EUID]
 *				"ok\n"; POLICY 0..5 (SCHED_*, not 4)
 *	sched_getscheduler PID	"POLICY PRIO\n"
 *	ioprio_set WHICH WHO IOPRIO [as UID EUID]
 *				"ok\n"; IOPRIO (class << 13) | level
 *	ioprio_get WHICH WHO	"IOPRIO\n"
 *	prlimit PID RESOURCE [SOFT HARD] [as UID EUID]
 *				"SOFT HARD\n": the limit before; RESOURCE 0..15
 *				or a name (nofile, NOFILE, RLIMIT_NOFILE);
 *				SOFT, HARD a number or "unlimited"
 *	stop PID, cont PID	"ok\n"; kill with SIGSTOP, SIGCONT
 *	ptrace PID TRACER	"ok\n"; TRACER (a thread) traces PID
 *	detach PID		"ok\n"
 *	subreaper PID on|off	"ok\n"; PR_SET_CHILD_SUBREAPER
 *	mmap PID LEN [PROT] [FLAGS] [ADDR]
 *				"0xADDR\n"; LEN 4096, 0x1000, 4K, 2M, 1G;
 *				PROT rw- (default), r-x, rw, ---, none;
 *				FLAGS comma-separated private (default),
 *				shared, anon (always), fixed, noreplace,
 *				growsdown; ADDR a hint, or the place with
 *				fixed/noreplace
 *	munmap PID ADDR LEN	"ok\n"; ADDR decimal or 0x hex
 *	mprotect PID ADDR LEN PROT  "ok\n"
 *	brk PID ADDR		"0xBRK\n": the break after the call
 *	max_map_count N		"ok\n"; vm.max_map_count, 1..INT_MAX
 *	populate N		"ok\n"
 *	reset			"ok\n"
 *	pid_max N		"ok\n"
 *	setuid PID UID		"ok\n"; UID 0..4294967294, every thread
 *	setgid PID GID		"ok\n"; GID likewise
 *	pidstore NAME		"ok\n"; moves every pid into backend NAME
 *	save FILE		"ok\n"; the whole world to FILE (absolute path)
 *	load FILE		"ok\n"; the world from FILE replaces this one
 *	import DIR		"ok imported …\n" (a one-line summary); the
 *				process table of the /proc tree DIR (the
 *				host's /proc, or a procsim-snap copy)
 *				replaces this world (docs/import.md)
 *	stats reset		"ok\n"; /proc/procsim/stats counts from zero
 *	stats account on|off	"ok\n"; -o account= from the next request on
 *	trace start|stop	"ok\n"; record the FUSE requests (docs/replay.md)
 *	replay FILE [speed=N|max]
 *				a process-event trace (docs/record.md) drives
 *				the world: "ok: <summary>\n" (max, the
 *				default), or started in the background
 *				(speed=N: the trace's pace times N, 1..10000)
 *	replay status|stop	the background replay's progress; stop it
 *	repeat N CMD [; CMD]...	"ok N\n": the commands, in order, N times
 *				(1..1000000) under one hold of the write lock;
 *				replies dropped; stops at the first failure
 *				("E<NAME>: repeat: run I of N: <its message>"),
 *				what ran stays done; ';' always separates
 *	help			one line listing the commands
 *
 * $! as a word stands for the pid the session's last fork or clone made
 * (the last pid of its reply): "fork 1" then "exit $!".  Each open of the
 * ctl file is a session; inside a repeat, $! follows the repeat's own
 * forks.  Before any, $! is EINVAL.
 *
 * Numbers are strict: no sign where none is allowed, no junk, no overflow.
 * A control byte (but tab), DEL, a byte >= 0x80 or a NUL anywhere makes
 * the line invalid; so does a line over CTL_LINE_MAX bytes.
 *
 * A line is first parsed into a struct ctl_cmd (ctl_parse: no kernel
 * involved, so it can be fuzzed alone), then executed (ctl_execute).
 * Every failure is one line "E<NAME>: <message>\n", where a message about
 * a known command starts with "<command>: ".
 *
 * Adding a command: one X() line in CTL_COMMANDS below, a member in the
 * union of struct ctl_cmd, a ctl_parse_<name>() (declared in ctl_args.h)
 * and a ctl_exec_<name>() (declared in ctl_exec.h), each in its family's
 * file or a new one: ctl_{parse,exec}_proc.c (process life), _signal.c
 * (signals, priorities, scheduling, limits), _mm.c (memory), _world.c
 * (the world as a whole).  The tables in ctl_parse.c and ctl_exec.c are
 * built from the X-macro, so a forgotten function is a link error.
 */
#ifndef PROCSIM_CTL_H
#define PROCSIM_CTL_H

#include <stddef.h>
#include "buf.h"
#include "kernel.h"

#define CTL_LINE_MAX	4096		/* bytes, without the '\n' */
#define CTL_FORK_MAX	1000000		/* fork's COUNT */
#define CTL_REPEAT_MAX	1000000		/* repeat's N */
#define CTL_REPLAY_SPEED_MAX 10000	/* replay's speed=N */
#define CTL_WHY_LEN	160		/* save, load, import, replay: a reason's room */
#define CTL_REPEAT_LINES 64		/* commands in one repeat */
/*
 * Unread replies an open ctl file holds at most: with this much unread a
 * write fails with ENOBUFS, its commands not run (read the replies, then
 * write again).  A reply is at most ~11 MB (fork 1 1000000), so one open
 * file holds under 16 + 11 MiB.
 */
#define CTL_REPLY_MAX	(16u << 20)

/*   OP        name      min max usage (after the name) */
#define CTL_COMMANDS(X)						\
	X(FORK,     fork,     1, 2, "PPID [COUNT]")		\
	X(CLONE,    clone,    1, 1, "PID")			\
	X(EXEC,     exec,     2, -1, "PID COMM [ARGS...]")	\
	X(EXIT,     exit,     1, 2, "PID [CODE]")		\
	X(WAIT,     wait,     2, 7, "PID WHO [nohang] [nowait] [untraced] [continued] [nothread]") \
	X(EXIT_THREAD, exit_thread, 1, 2, "TID [CODE]")		\
	X(KILL,     kill,     2, 5, "PID SIG [as UID EUID]")	\
	X(TGKILL,   tgkill,   3, 6, "TGID TID SIG [as UID EUID]") \
	X(SETPRIORITY, setpriority, 3, 6, "process|pgrp|user WHO NICE [as UID EUID]") \
	X(GETPRIORITY, getpriority, 2, 2, "process|pgrp|user WHO") \
	X(SCHED_SETAFFINITY, sched_setaffinity, 2, 5, "PID MASK [as UID EUID]") \
	X(SCHED_GETAFFINITY, sched_getaffinity, 1, 1, "PID")	\
	X(SCHED_SETSCHEDULER, sched_setscheduler, 3, 6, "PID POLICY PRIO [as UID EUID]") \
	X(SCHED_GETSCHEDULER, sched_getscheduler, 1, 1, "PID")	\
	X(IOPRIO_SET, ioprio_set, 3, 6, "process|pgrp|user WHO IOPRIO [as UID EUID]") \
	X(IOPRIO_GET, ioprio_get, 2, 2, "process|pgrp|user WHO") \
	X(PRLIMIT,  prlimit,  2, 7, "PID RESOURCE [SOFT HARD] [as UID EUID]") \
	X(STOP,     stop,     1, 1, "PID")			\
	X(CONT,     cont,     1, 1, "PID")			\
	X(PTRACE,   ptrace,   2, 2, "PID TRACER")		\
	X(DETACH,   detach,   1, 1, "PID")			\
	X(SUBREAPER, subreaper, 2, 2, "PID on|off")		\
	X(MMAP,     mmap,     2, 5, "PID LEN [PROT] [FLAGS] [ADDR]") \
	X(MUNMAP,   munmap,   3, 3, "PID ADDR LEN")		\
	X(MPROTECT, mprotect, 4, 4, "PID ADDR LEN PROT")	\
	X(BRK,      brk,      2, 2, "PID ADDR")			\
	X(MAX_MAP_COUNT, max_map_count, 1, 1, "N")		\
	X(POPULATE, populate, 1, 1, "N")			\
	X(RESET,    reset,    0, 0, "")				\
	X(PID_MAX,  pid_max,  1, 1, "N")			\
	X(SETUID,   setuid,   2, 2, "PID UID")			\
	X(SETGID,   setgid,   2, 2, "PID GID")			\
	X(PIDSTORE, pidstore, 1, 1, "NAME")			\
	X(SAVE,     save,     1, 1, "FILE")			\
	X(LOAD,     load,     1, 1, "FILE")			\
	X(IMPORT,   import,   1, 1, "DIR")			\
	X(STATS,    stats,    1, 2, "reset | account on|off") \
	X(TRACE,    trace,    1, 1, "start|stop")		\
	X(REPLAY,   replay,   1, 2, "FILE [speed=N|max] | status | stop") \
	X(REPEAT,   repeat,   2, -1, "N CMD [; CMD]...")	\
	X(HELP,     help,     0, 0, "")

enum ctl_op {
#define CTL_ENUM_(op, name, min, max, usage) CTL_##op,
	CTL_COMMANDS(CTL_ENUM_)
#undef CTL_ENUM_
	CTL_NR_OPS
};

/* A parsed command.  Only the member named after ->op is meaningful. */
struct ctl_cmd {
	enum ctl_op op;
	union {
		struct { int ppid, count; } fork;
		struct { int pid; } clone;
		struct {
			int pid, argc;
			char **argv;	/* argc strings + NULL, one heap block */
		} exec;
		struct { int pid, code; } exit;
		struct { int pid, who, options; } wait; /* W* flags */
		struct { int pid, code; } exit_thread;
		/* kill, stop, cont; as.priv unless "as" was given */
		struct { int pid, sig; struct sender as; } kill;
		struct { int tgid, tid, sig; struct sender as; } tgkill;
		/* setpriority, getpriority (no nice, no as) */
		struct { int which, who, nice; struct sender as; } prio;
		/* sched_*: @mask for affinity, @policy and @prio for policy */
		struct {
			int pid, policy, prio;
			uint64_t mask;
			struct sender as;
		} sched;
		/* ioprio_set, ioprio_get: @which 0..2 as prio's */
		struct {
			int pid, res;
			bool set;
			unsigned long long soft, hard;
			struct sender as;
		} prlimit;
		struct { int pid, tracer; } ptrace;
		struct { int pid; } detach;
		struct { int pid; bool on; } subreaper;
		struct { int pid, prot, flags; unsigned long len, addr; } mmap;
		struct { int pid; unsigned long addr, len; } munmap;
		struct { int pid, prot; unsigned long addr, len; } mprotect;
		struct { int pid; unsigned long addr; } brk;
		struct { long n; } max_map_count;
		struct { int n; } populate;
		struct { int n; } pid_max;
		struct { int pid; unsigned int id; } setid;	/* setuid, setgid */
		struct { const struct pid_store_ops *ops; } pidstore;
		/* save, load, import: @path and room for the reason, one heap block */
		struct { char *path, *why; } file;
		/* stats, trace: what the serving layer is asked (core/kstat.h) */
		struct { enum kstat_ctl what; } serve;
		/* replay: @path and @why as file's; @speed 0 is max */
		struct {
			char *path, *why;
			int speed;
			enum { REPLAY_RUN, REPLAY_STATUS, REPLAY_STOP } action;
		} replay;
		/* the commands' text, each NUL-terminated, one heap block */
		struct { int n, nlines; char *text; } repeat;
	};
};

/* One writer's state across lines: an open of the ctl file. */
struct ctl_session {
	int last_pid;			/* $!: 0 until a fork or clone */
	bool world_new;			/* a populate, load or import succeeded */
};

/* The command's name ("fork") and its usage ("PPID [COUNT]"), or NULL. */
const char *ctl_op_name(enum ctl_op op);
const char *ctl_op_usage(enum ctl_op op);

/*
 * A whole decimal number as ctl arguments take it (an optional '-', digits,
 * nothing else): 0, -EINVAL (not a number) or -ERANGE.  The daemon's -o
 * numbers use it too (fs/options.c).
 */
int ctl_parse_decimal(const char *s, long long *v);

/* "ESRCH" for -ESRCH (or ESRCH); "EUNKNOWN" for a number no errno has. */
const char *ctl_errno_name(int err);

/*
 * Parse one line (no trailing '\n'; any bytes, not NUL-terminated; one
 * trailing '\r' is ignored).  Returns 0, or -EINVAL (-ENOMEM if exec's
 * argv cannot be copied) with a one-line message appended to @err (no
 * errno name, no '\n'), e.g. "fork: PPID is not a number: 'x'".
 * On error @cmd holds nothing to free; on success release it with
 * ctl_cmd_free().
 */
int ctl_parse(const char *line, size_t len, struct ctl_cmd *cmd,
	      struct buf *err);
/* ctl_parse with $! standing for @last_pid (0: $! is an error). */
int ctl_parse_in(const char *line, size_t len, int last_pid,
		 struct ctl_cmd *cmd, struct buf *err);

/*
 * For a writer's bytes that hold no '\n' yet: -EINVAL, with the message
 * ctl_parse() would give, if no ending can make them a valid line (binary
 * bytes, or over CTL_LINE_MAX), else 0.  So a bad write fails at write()
 * rather than only at close().
 */
int ctl_check_partial(const char *buf, size_t len, struct buf *err);

/*
 * Execute a parsed command.  Takes k->lock itself around the core calls,
 * so the caller must not hold it: for reading for the converted commands
 * of a concurrent kernel, which then run beside each other, else for
 * writing, one command at a time (fs/ctl_lock.h); save and load take it
 * only around their memory-only part: no file I/O ever runs under k->lock.  On success appends the
 * reply line to @out and returns 0.  On failure returns -errno, appends
 * "E<NAME>: <command>: <message>\n" (e.g. "ESRCH: fork: no process with
 * pid 99999\n") and the world is unchanged (core calls are all-or-nothing).
 * -ENOMEM also covers @out itself running out of memory (out->oom).
 */
int ctl_execute(struct kernel *k, const struct ctl_cmd *cmd, struct buf *out);
/* ctl_execute in session @s: a fork or clone sets s->last_pid. */
int ctl_execute_in(struct kernel *k, struct ctl_session *s,
		   const struct ctl_cmd *cmd, struct buf *out);

/*
 * Parse and execute one line.  A parse error is -EINVAL with the line
 * "EINVAL: <message>\n" in @out, and the kernel is never touched.
 */
int ctl_run_line(struct kernel *k, const char *line, size_t len,
		 struct buf *out);
/* ctl_run_line in session @s ($! and what sets it). */
int ctl_run_line_in(struct kernel *k, struct ctl_session *s, const char *line,
		    size_t len, struct buf *out);

/*
 * The daemon's own mount points (NULL-terminated, kept by the caller):
 * save and load refuse paths in them with EXDEV.  NULL (the default): none.
 */
void ctl_set_own_mounts(const char *const *paths);
const char *const *ctl_get_own_mounts(void);

/*
 * ctl_serial, which every command runs under: the background replay takes
 * it around each event (fs/ctl_replay.c).
 */
void ctl_serial_lock(void);
void ctl_serial_unlock(void);

/* Free what a successful ctl_parse() allocated; safe on a zeroed cmd. */
void ctl_cmd_free(struct ctl_cmd *cmd);

#endif
