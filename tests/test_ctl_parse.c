// SPDX-License-Identifier: MIT
/*
 * The control-file parser alone: every command's good forms, and every
 * class of bad input with its errno and a one-line message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"

/* The last failure's message, NUL-terminated, for assertions. */
static char last_msg[1024];

static int parse_len(const char *line, size_t len, struct ctl_cmd *c)
{
	struct buf err;
	int ret;

	buf_init(&err);
	ret = ctl_parse(line, len, c, &err);
	snprintf(last_msg, sizeof(last_msg), "%.*s", (int)err.len,
		 err.len ? err.data : "");
	if (ret) {
		/* One line, no errno name, no newline: ctl_run_line adds them. */
		assert_true(err.len > 0);
		assert_null(memchr(err.data, '\n', err.len));
		assert_null(memchr(err.data, '\0', err.len));
		assert_true(strncmp(err.data, "EINVAL", 6) != 0);
	} else {
		assert_int_equal(err.len, 0);
	}
	buf_free(&err);
	return ret;
}

static int parse(const char *line, struct ctl_cmd *c)
{
	return parse_len(line, strlen(line), c);
}

/* @line must fail with -EINVAL and exactly the message @msg. */
static void bad(const char *line, const char *msg)
{
	struct ctl_cmd c;

	assert_int_equal(parse(line, &c), -EINVAL);
	assert_string_equal(last_msg, msg);
}

/* @line must fail with -EINVAL, message starting with @prefix. */
static void bad_prefix(const char *line, const char *prefix)
{
	struct ctl_cmd c;

	assert_int_equal(parse(line, &c), -EINVAL);
	if (strncmp(last_msg, prefix, strlen(prefix)))
		fail_msg("'%s': message '%s' does not start with '%s'",
			 line, last_msg, prefix);
}

static void test_fork(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("fork 1", &c), 0);
	assert_int_equal(c.op, CTL_FORK);
	assert_int_equal(c.fork.ppid, 1);
	assert_int_equal(c.fork.count, 1);
	assert_int_equal(parse("fork 2147483647 1000000", &c), 0);
	assert_int_equal(c.fork.ppid, INT_MAX);
	assert_int_equal(c.fork.count, 1000000);
	/* Tabs, repeated blanks, leading/trailing blanks, one '\r'. */
	assert_int_equal(parse(" \tfork\t\t 45   7 \t\r", &c), 0);
	assert_int_equal(c.fork.ppid, 45);
	assert_int_equal(c.fork.count, 7);
	assert_int_equal(parse("fork 007", &c), 0);
	assert_int_equal(c.fork.ppid, 7);

	bad("fork", "fork: usage: fork PPID [COUNT]");
	bad("fork 1 2 3", "fork: usage: fork PPID [COUNT]");
	bad("fork 0", "fork: PPID must be 1..2147483647, not '0'");
	bad("fork -1", "fork: PPID must be 1..2147483647, not '-1'");
	bad("fork 2147483648", "fork: PPID must be 1..2147483647, not '2147483648'");
	bad("fork 99999999999999999999999",
	    "fork: PPID must be 1..2147483647, not '99999999999999999999999'");
	bad("fork 1 0", "fork: COUNT must be 1..1000000, not '0'");
	bad("fork 1 1000001", "fork: COUNT must be 1..1000000, not '1000001'");
	bad("fork 1 -5", "fork: COUNT must be 1..1000000, not '-5'");
	bad("fork 1x", "fork: PPID is not a number: '1x'");
	bad("fork +1", "fork: PPID is not a number: '+1'");
	bad("fork 0x10", "fork: PPID is not a number: '0x10'");
	bad("fork -", "fork: PPID is not a number: '-'");
	bad("fork --1", "fork: PPID is not a number: '--1'");
	bad("fork 1 1e3", "fork: COUNT is not a number: '1e3'");
}

static void test_clone(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("clone 300", &c), 0);
	assert_int_equal(c.op, CTL_CLONE);
	assert_int_equal(c.clone.pid, 300);
	bad("clone", "clone: usage: clone PID");
	bad("clone 1 2", "clone: usage: clone PID");
	bad("clone abc", "clone: PID is not a number: 'abc'");
	bad("clone -300", "clone: PID must be 1..2147483647, not '-300'");
}

static void test_exec(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("exec 5 /usr/bin/sleep", &c), 0);
	assert_int_equal(c.op, CTL_EXEC);
	assert_int_equal(c.exec.pid, 5);
	assert_int_equal(c.exec.argc, 1);
	assert_string_equal(c.exec.argv[0], "/usr/bin/sleep");
	assert_null(c.exec.argv[1]);
	ctl_cmd_free(&c);

	/* ARGS keep any printable bytes, as given; blanks split them. */
	assert_int_equal(parse("exec 77 bash -c 'echo\t\"$HOME\"' ~!@#%^&*()=;\\|<>?", &c), 0);
	assert_int_equal(c.exec.argc, 5);
	assert_string_equal(c.exec.argv[0], "bash");
	assert_string_equal(c.exec.argv[1], "-c");
	assert_string_equal(c.exec.argv[2], "'echo");
	assert_string_equal(c.exec.argv[3], "\"$HOME\"'");
	assert_string_equal(c.exec.argv[4], "~!@#%^&*()=;\\|<>?");
	assert_null(c.exec.argv[5]);
	ctl_cmd_free(&c);
	assert_null(c.exec.argv);
	ctl_cmd_free(&c);		/* twice is harmless */

	bad("exec", "exec: usage: exec PID COMM [ARGS...]");
	bad("exec 5", "exec: usage: exec PID COMM [ARGS...]");
	bad("exec x ls", "exec: PID is not a number: 'x'");
}

static void test_exit(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("exit 9", &c), 0);
	assert_int_equal(c.op, CTL_EXIT);
	assert_int_equal(c.exit.pid, 9);
	assert_int_equal(c.exit.code, 0);
	assert_int_equal(parse("exit 9 255", &c), 0);
	assert_int_equal(c.exit.code, 255);
	bad("exit", "exit: usage: exit PID [CODE]");
	bad("exit 9 1 2", "exit: usage: exit PID [CODE]");
	bad("exit 9 256", "exit: CODE must be 0..255, not '256'");
	bad("exit 9 -1", "exit: CODE must be 0..255, not '-1'");
	bad("exit 9 3.0", "exit: CODE is not a number: '3.0'");
}

static void test_wait(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("wait 1 -1", &c), 0);
	assert_int_equal(c.op, CTL_WAIT);
	assert_int_equal(c.wait.pid, 1);
	assert_int_equal(c.wait.who, -1);
	assert_int_equal(c.wait.options, 0);
	assert_int_equal(parse("wait 1 4242 nohang", &c), 0);
	assert_int_equal(c.wait.who, 4242);
	assert_int_equal(c.wait.options, WNOHANG);

	assert_int_equal(parse("wait 1 0", &c), 0);		/* own pgrp */
	assert_int_equal(c.wait.who, 0);
	assert_int_equal(parse("wait 1 -77 untraced continued", &c), 0);
	assert_int_equal(c.wait.who, -77);
	assert_int_equal(c.wait.options, WUNTRACED | WCONTINUED);
	assert_int_equal(parse("wait 1 -1 nothread nowait nohang", &c), 0);
	assert_int_equal(c.wait.options, __WNOTHREAD | WNOWAIT | WNOHANG);
	assert_int_equal(parse("wait 1 -2147483647", &c), 0);
	assert_int_equal(c.wait.who, -2147483647);

	bad("wait 1", "wait: usage: wait PID WHO [nohang] [nowait] [untraced] "
	    "[continued] [nothread]");
	bad("wait 1 -1 nohang nohang", "wait: flag 'nohang' given twice");
	bad("wait 1 -1 hang", "wait: unknown flag 'hang'");
	bad("wait 1 -1 NOHANG", "wait: unknown flag 'NOHANG'");
	bad("wait 1 -2147483648",
	    "wait: WHO must be -2147483647..2147483647, not '-2147483648'");
	bad("wait 1 any", "wait: WHO is not a number: 'any'");
	bad("wait -1 -1", "wait: PID must be 1..2147483647, not '-1'");
}

static void test_signals(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("kill 5 9", &c), 0);
	assert_int_equal(c.op, CTL_KILL);
	assert_int_equal(c.kill.pid, 5);
	assert_int_equal(c.kill.sig, 9);
	assert_int_equal(parse("kill 5 0", &c), 0);
	assert_int_equal(c.kill.sig, 0);
	assert_int_equal(parse("kill 5 64", &c), 0);
	assert_int_equal(c.kill.sig, 64);
	assert_int_equal(parse("kill 5 KILL", &c), 0);
	assert_int_equal(c.kill.sig, SIGKILL);
	assert_int_equal(parse("kill 5 SIGTERM", &c), 0);
	assert_int_equal(c.kill.sig, SIGTERM);
	assert_int_equal(parse("kill 5 stop", &c), 0);
	assert_int_equal(c.kill.sig, SIGSTOP);
	assert_int_equal(parse("kill 5 SIGCONT", &c), 0);
	assert_int_equal(c.kill.sig, SIGCONT);
	assert_int_equal(parse("stop 5", &c), 0);
	assert_int_equal(c.op, CTL_STOP);
	assert_int_equal(c.kill.sig, SIGSTOP);
	assert_int_equal(parse("cont 5", &c), 0);
	assert_int_equal(c.op, CTL_CONT);
	assert_int_equal(c.kill.sig, SIGCONT);

	bad("kill 5", "kill: usage: kill PID SIG [as UID EUID]");
	bad("kill 5 65", "kill: SIG must be 0..64, not '65'");
	bad("kill 5 -9", "kill: unknown signal '-9'");
	bad("kill 5 SIGFOO", "kill: unknown signal 'SIGFOO'");
	bad("kill 5 SIG", "kill: unknown signal 'SIG'");
	bad("kill 0 KILL", "kill: PID must be a pid, -1 or -PGID, not '0'");
	assert_int_equal(parse("kill -1 KILL", &c), 0);
	assert_int_equal(c.kill.pid, -1);
	assert_true(c.kill.as.priv);
	assert_int_equal(parse("kill -300 9 as 1000 0", &c), 0);
	assert_int_equal(c.kill.pid, -300);
	assert_false(c.kill.as.priv);
	assert_int_equal(c.kill.as.uid, 1000);
	assert_int_equal(c.kill.as.euid, 0);
	assert_int_equal(parse("stop 5", &c), 0);
	assert_true(c.kill.as.priv);
	bad("kill 5 9 as 1 4294967295", "kill: EUID must be 0..4294967294, not '4294967295'");
	bad("kill -2147483648 9", "kill: PID must be -2147483647..2147483647, not '-2147483648'");
	bad("tgkill -1 5 9", "tgkill: TGID must be 0..2147483647, not '-1'");
	bad("getpriority user -1", "getpriority: WHO must be 0..4294967294, not '-1'");
	bad("stop", "stop: usage: stop PID");
	bad("cont 5 5", "cont: usage: cont PID");
}

static void test_ptrace_subreaper_exit_thread(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("ptrace 10 20", &c), 0);
	assert_int_equal(c.op, CTL_PTRACE);
	assert_int_equal(c.ptrace.pid, 10);
	assert_int_equal(c.ptrace.tracer, 20);
	assert_int_equal(parse("detach 10", &c), 0);
	assert_int_equal(c.op, CTL_DETACH);
	assert_int_equal(c.detach.pid, 10);
	assert_int_equal(parse("subreaper 10 on", &c), 0);
	assert_int_equal(c.op, CTL_SUBREAPER);
	assert_true(c.subreaper.on);
	assert_int_equal(parse("subreaper 10 off", &c), 0);
	assert_false(c.subreaper.on);
	assert_int_equal(parse("exit_thread 11", &c), 0);
	assert_int_equal(c.op, CTL_EXIT_THREAD);
	assert_int_equal(c.exit_thread.pid, 11);
	assert_int_equal(c.exit_thread.code, 0);
	assert_int_equal(parse("exit_thread 11 7", &c), 0);
	assert_int_equal(c.exit_thread.code, 7);

	bad("ptrace 10", "ptrace: usage: ptrace PID TRACER");
	bad("ptrace 10 x", "ptrace: TRACER is not a number: 'x'");
	bad("detach", "detach: usage: detach PID");
	bad("subreaper 10 yes", "subreaper: expected 'on' or 'off', not 'yes'");
	bad("subreaper 10", "subreaper: usage: subreaper PID on|off");
	bad("exit_thread 11 256", "exit_thread: CODE must be 0..255, not '256'");
}

static unsigned long mmap_len(const char *word)
{
	char line[128];
	struct ctl_cmd c;

	snprintf(line, sizeof(line), "mmap 3 %s", word);
	assert_int_equal(parse(line, &c), 0);
	assert_int_equal(c.op, CTL_MMAP);
	return c.mmap.len;
}

static int mmap_prot(const char *word)
{
	char line[128];
	struct ctl_cmd c;

	snprintf(line, sizeof(line), "mmap 3 4096 %s", word);
	assert_int_equal(parse(line, &c), 0);
	return c.mmap.prot;
}

static void test_mmap(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("mmap 3 8192", &c), 0);
	assert_int_equal(c.mmap.pid, 3);
	assert_int_equal(c.mmap.len, 8192);
	assert_int_equal(c.mmap.prot, PROT_READ | PROT_WRITE);	/* default */

	assert_int_equal(mmap_len("0x1000"), 0x1000);
	assert_int_equal(mmap_len("0XfF"), 255);
	assert_int_equal(mmap_len("4K"), 4096);
	assert_int_equal(mmap_len("4k"), 4096);
	assert_int_equal(mmap_len("2M"), 2UL << 20);
	assert_int_equal(mmap_len("3G"), 3UL << 30);
	assert_int_equal(mmap_len("0x10K"), 0x10UL << 10);
	assert_int_equal(mmap_len("18446744073709551615"), ULONG_MAX);
	assert_int_equal(mmap_len("17179869183G"), 17179869183UL << 30);

	assert_int_equal(mmap_prot("rw-"), PROT_READ | PROT_WRITE);
	assert_int_equal(mmap_prot("r-x"), PROT_READ | PROT_EXEC);
	assert_int_equal(mmap_prot("rw"), PROT_READ | PROT_WRITE);
	assert_int_equal(mmap_prot("rwx"), PROT_READ | PROT_WRITE | PROT_EXEC);
	assert_int_equal(mmap_prot("x"), PROT_EXEC);
	assert_int_equal(mmap_prot("--x"), PROT_EXEC);
	assert_int_equal(mmap_prot("---"), PROT_NONE);
	assert_int_equal(mmap_prot("-"), PROT_NONE);
	assert_int_equal(mmap_prot("none"), PROT_NONE);

	bad("mmap 3", "mmap: usage: mmap PID LEN [PROT] [FLAGS] [ADDR]");
	bad("mmap 3 4096 rw private 0x10000 x",
	    "mmap: usage: mmap PID LEN [PROT] [FLAGS] [ADDR]");
	bad_prefix("mmap 3 4096 rw x", "mmap: FLAGS are comma-separated");
	bad_prefix("mmap 3 4096 rw private,,fixed 0x10000", "mmap: FLAGS are");
	bad("mmap 3 4096 rw private,shared",
	    "mmap: FLAGS cannot be both private and shared");
	bad("mmap 3 4096 rw fixed", "mmap: fixed and noreplace need an ADDR");
	bad("mmap 3 4096 rw noreplace", "mmap: fixed and noreplace need an ADDR");
	bad_prefix("mmap 3 4096 rw fixed zz", "mmap: ADDR is not a number");
	assert_int_equal(parse("mmap 3 8K r-- shared,fixed,growsdown 0x20000", &c), 0);
	assert_int_equal(c.mmap.flags, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED |
			 MAP_GROWSDOWN);
	assert_int_equal(c.mmap.addr, 0x20000);
	assert_int_equal(c.mmap.prot, PROT_READ);
	assert_int_equal(parse("mmap 3 8K rw noreplace 0x30000", &c), 0);
	assert_int_equal(c.mmap.flags, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE);
	assert_int_equal(parse("mmap 3 8K rw anon 0x30000", &c), 0);
	assert_int_equal(c.mmap.flags, MAP_PRIVATE | MAP_ANONYMOUS);
	assert_int_equal(c.mmap.addr, 0x30000);	/* a hint */

	assert_int_equal(parse("mprotect 3 0x1000 8K r-x", &c), 0);
	assert_int_equal(c.op, CTL_MPROTECT);
	assert_int_equal(c.mprotect.addr, 0x1000);
	assert_int_equal(c.mprotect.len, 8192);
	assert_int_equal(c.mprotect.prot, PROT_READ | PROT_EXEC);
	bad("mprotect 3 0x1000 8K", "mprotect: usage: mprotect PID ADDR LEN PROT");
	bad_prefix("mprotect 3 0x1000 8K rq", "mprotect: PROT must be");
	assert_int_equal(parse("brk 3 0x5000", &c), 0);
	assert_int_equal(c.op, CTL_BRK);
	assert_int_equal(c.brk.addr, 0x5000);
	bad("brk 3", "brk: usage: brk PID ADDR");
	assert_int_equal(parse("max_map_count 100000", &c), 0);
	assert_int_equal(c.max_map_count.n, 100000);
	/* Any int parses: the core's check refuses 0 and says why. */
	assert_int_equal(parse("max_map_count 0", &c), 0);
	assert_int_equal(c.max_map_count.n, 0);
	bad_prefix("max_map_count 2147483648", "max_map_count: N ");
	bad_prefix("max_map_count x", "max_map_count: N ");
	bad("mmap 3 0", "mmap: LEN must not be 0");
	bad("mmap 3 0K", "mmap: LEN must not be 0");
	bad("mmap 3 -4096", "mmap: LEN is not a number: '-4096'");
	bad("mmap 3 4KB", "mmap: LEN is not a number: '4KB'");
	bad("mmap 3 K", "mmap: LEN is not a number: 'K'");
	bad("mmap 3 0x", "mmap: LEN is not a number: '0x'");
	bad("mmap 3 0xg", "mmap: LEN is not a number: '0xg'");
	bad("mmap 3 4T", "mmap: LEN is not a number: '4T'");
	bad("mmap 3 18446744073709551616", "mmap: LEN is too large: '18446744073709551616'");
	bad("mmap 3 17179869184G", "mmap: LEN is too large: '17179869184G'");
	bad("mmap 3 0x10000000000000000", "mmap: LEN is too large: '0x10000000000000000'");
	bad_prefix("mmap 3 4096 rwxr", "mmap: PROT must be letters r, w, x or '-'");
	bad_prefix("mmap 3 4096 rr", "mmap: PROT must be");
	bad_prefix("mmap 3 4096 RW", "mmap: PROT must be");
	bad_prefix("mmap 3 4096 rwz", "mmap: PROT must be");
	bad_prefix("mmap 3 4096 None", "mmap: PROT must be");
	bad_prefix("mmap 3 4096 ----", "mmap: PROT must be");
}

static void test_munmap(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("munmap 3 0x7f0000000000 4K", &c), 0);
	assert_int_equal(c.op, CTL_MUNMAP);
	assert_int_equal(c.munmap.pid, 3);
	assert_int_equal(c.munmap.addr, 0x7f0000000000UL);
	assert_int_equal(c.munmap.len, 4096);
	assert_int_equal(parse("munmap 3 4096 4096", &c), 0);
	assert_int_equal(c.munmap.addr, 4096);
	bad("munmap 3 0x1000", "munmap: usage: munmap PID ADDR LEN");
	bad("munmap 3 4K 4096", "munmap: ADDR is not a number: '4K'");
	bad("munmap 3 0x1000 0", "munmap: LEN must not be 0");
	bad("munmap 3 -0x1000 1", "munmap: ADDR is not a number: '-0x1000'");
}

static void test_small_commands(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse("populate 10000", &c), 0);
	assert_int_equal(c.op, CTL_POPULATE);
	assert_int_equal(c.populate.n, 10000);
	assert_int_equal(parse("pid_max 400", &c), 0);
	assert_int_equal(c.op, CTL_PID_MAX);
	assert_int_equal(c.pid_max.n, 400);
	assert_int_equal(parse("reset", &c), 0);
	assert_int_equal(c.op, CTL_RESET);
	assert_int_equal(parse("help\r", &c), 0);
	assert_int_equal(c.op, CTL_HELP);

	bad("populate", "populate: usage: populate N");
	bad("populate 0", "populate: N must be 1..4194304, not '0'");
	bad("populate 1 2", "populate: usage: populate N");
	assert_int_equal(parse("pid_max 0", &c), 0);	/* the core refuses it */
	assert_int_equal(c.pid_max.n, 0);
	bad("pid_max 2147483648",
	    "pid_max: N must be -2147483648..2147483647, not '2147483648'");
	assert_int_equal(parse("pidstore bitmap", &c), 0);
	assert_int_equal(c.op, CTL_PIDSTORE);
	assert_ptr_equal(c.pidstore.ops, pid_store_find_ops("bitmap"));
	bad("pidstore", "pidstore: usage: pidstore NAME");
	bad("pidstore idr xarray", "pidstore: usage: pidstore NAME");
	bad("pidstore IDR", "pidstore: unknown pidstore 'IDR' (have: idr bitmap"
	    " xarray xarray-sharded sparse judy)");
	bad("reset now", "reset: usage: reset");
	bad("help me", "help: usage: help");
}

/* repeat N CMD [; CMD]..., $!, and the serving layer's stats and trace. */
static void test_repeat_and_last_pid(void **state)
{
	struct ctl_cmd c;
	struct buf err;

	(void)state;
	assert_int_equal(parse("repeat 300 fork 1 ;exit $!;  wait 1 $! ", &c), 0);
	assert_int_equal(c.op, CTL_REPEAT);
	assert_int_equal(c.repeat.n, 300);
	assert_int_equal(c.repeat.nlines, 3);
	assert_memory_equal(c.repeat.text, "fork 1\0exit $!\0wait 1 $!", 25);
	ctl_cmd_free(&c);
	assert_null(c.repeat.text);
	bad("repeat 2", "repeat: usage: repeat N CMD [; CMD]...");
	bad("repeat 0 help", "repeat: N must be 1..1000000, not '0'");
	bad("repeat 1000001 help", "repeat: N must be 1..1000000, not '1000001'");
	bad("repeat 2 help;", "repeat: an empty command");
	bad("repeat 2 ; help", "repeat: an empty command");
	bad("repeat 2 help; fork x", "repeat: fork: PPID is not a number: 'x'");
	bad("repeat 2 repeat 3 help", "repeat: a repeat cannot repeat");
	bad("repeat 2 save /tmp/x", "repeat: save and load cannot be repeated");
	bad("repeat 2 help; load /tmp/x", "repeat: save and load cannot be repeated");
	bad("repeat 2 replay /tmp/x", "repeat: replay cannot be repeated");
	bad("replay /tmp/x speed=fast", "replay: want speed=max or speed=N (1..10000): 'speed=fast'");
	bad("replay /tmp/x speed=10001", "replay: want speed=max or speed=N (1..10000): 'speed=10001'");
	bad("replay x", "replay: FILE must be an absolute path: 'x'");
	bad("repeat 2 frob", "repeat: unknown command 'frob' (try 'help')");
	/* $! outside a session, and inside one. */
	bad("exit $!", "$!: no fork or clone in this session yet");
	bad("exit $!x", "exit: PID is not a number: '$!x'");
	buf_init(&err);
	assert_int_equal(ctl_parse_in("wait $! $!", 10, 4242, &c, &err), 0);
	assert_int_equal(c.op, CTL_WAIT);
	assert_int_equal(c.wait.pid, 4242);
	assert_int_equal(c.wait.who, 4242);
	buf_free(&err);
	assert_int_equal(parse("stats reset", &c), 0);
	assert_int_equal(c.op, CTL_STATS);
	assert_int_equal(c.serve.what, KSTAT_CTL_RESET);
	assert_int_equal(parse("trace start", &c), 0);
	assert_int_equal(c.serve.what, KSTAT_CTL_TRACE_START);
	assert_int_equal(parse("trace stop", &c), 0);
	assert_int_equal(c.serve.what, KSTAT_CTL_TRACE_STOP);
	assert_int_equal(parse("stats account off", &c), 0);
	assert_int_equal(c.serve.what, KSTAT_CTL_ACCOUNT_OFF);
	assert_int_equal(parse("stats account on", &c), 0);
	assert_int_equal(c.serve.what, KSTAT_CTL_ACCOUNT_ON);
	bad("stats", "stats: usage: stats reset | account on|off");
	bad("stats clear", "stats: expected 'reset' or 'account', not 'clear'");
	bad("stats reset now", "stats: usage: stats reset");
	bad("stats account", "stats: usage: stats account on|off");
	bad("stats account yes", "stats: expected 'on' or 'off', not 'yes'");
	bad("trace on", "trace: expected 'start' or 'stop', not 'on'");
}

static void test_unknown_and_empty(void **state)
{
	char line[200];

	(void)state;
	bad("frok 1", "unknown command 'frok' (try 'help')");
	bad("FORK 1", "unknown command 'FORK' (try 'help')");
	bad("pid-max 400", "unknown command 'pid-max' (try 'help')");
	/* A long word is echoed cut short. */
	memset(line, 'a', 100);
	line[100] = '\0';
	bad(line, "unknown command 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' (try 'help')");
	bad("", "empty command");
	bad(" \t  ", "empty command");
	bad("\r", "empty command");
	bad("\t\r", "empty command");
}

static void test_binary_bytes(void **state)
{
	static const char *const lines[] = {
		"fork 1\x01", "fork\x1b[0m 1", "fork 1\x7f", "exec 5 caf\xc3\xa9",
		"fork 1\xff", "fork 1\r\r", "fork\r 1", "fork 1\n", "fork 1\nreset",
		"\x80", "\n", "exec 5 ls\v", "exec 5 ls\f",
	};
	struct ctl_cmd c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		assert_int_equal(parse(lines[i], &c), -EINVAL);
		assert_string_equal(last_msg, "binary bytes in command");
	}
	/* A NUL anywhere, even at the end, is binary: length is explicit. */
	assert_int_equal(parse_len("fork\0 1", 7, &c), -EINVAL);
	assert_string_equal(last_msg, "binary bytes in command");
	assert_int_equal(parse_len("fork 1\0", 7, &c), -EINVAL);
	assert_string_equal(last_msg, "binary bytes in command");
	assert_int_equal(parse_len("\0", 1, &c), -EINVAL);
	assert_string_equal(last_msg, "binary bytes in command");
}

/* The line is not NUL-terminated: only @len bytes count. */
static void test_length_is_explicit(void **state)
{
	struct ctl_cmd c;

	(void)state;
	assert_int_equal(parse_len("fork 12345", 6, &c), 0);
	assert_int_equal(c.fork.ppid, 1);
	assert_int_equal(parse_len("fork 1 2\x01garbage", 8, &c), 0);
	assert_int_equal(c.fork.count, 2);
	assert_int_equal(parse_len("fork", 0, &c), -EINVAL);
	assert_string_equal(last_msg, "empty command");
}

static void test_line_length(void **state)
{
	char *line = malloc(CTL_LINE_MAX + 2);
	struct ctl_cmd c;
	size_t i;

	(void)state;
	assert_non_null(line);
	/* "exec 5 a a a …" exactly CTL_LINE_MAX bytes: fine. */
	memcpy(line, "exec 5 ", 7);
	for (i = 7; i < CTL_LINE_MAX; i++)
		line[i] = (i % 2) ? 'a' : ' ';
	assert_int_equal(parse_len(line, CTL_LINE_MAX, &c), 0);
	assert_int_equal(c.exec.argc, (CTL_LINE_MAX - 7 + 1) / 2);
	assert_string_equal(c.exec.argv[c.exec.argc - 1], "a");
	ctl_cmd_free(&c);
	/* A trailing '\r' counts against the limit too. */
	line[CTL_LINE_MAX] = '\r';
	assert_int_equal(parse_len(line, CTL_LINE_MAX + 1, &c), -EINVAL);
	assert_string_equal(last_msg, "line too long (over 4096 bytes)");
	/* One byte over: too long, whatever the bytes. */
	line[CTL_LINE_MAX] = 'a';
	assert_int_equal(parse_len(line, CTL_LINE_MAX + 1, &c), -EINVAL);
	assert_string_equal(last_msg, "line too long (over 4096 bytes)");
	memset(line, '\0', CTL_LINE_MAX + 1);
	assert_int_equal(parse_len(line, CTL_LINE_MAX + 1, &c), -EINVAL);
	assert_string_equal(last_msg, "line too long (over 4096 bytes)");
	free(line);
}

static int partial(const char *p, size_t len)
{
	struct buf err;
	int ret;

	buf_init(&err);
	ret = ctl_check_partial(p, len, &err);
	snprintf(last_msg, sizeof(last_msg), "%.*s", (int)err.len,
		 err.len ? err.data : "");
	assert_int_equal(ret ? err.len > 0 : err.len == 0, 1);
	buf_free(&err);
	return ret;
}

/* Bytes without their '\n' yet: refused only when no ending can save them. */
static void test_check_partial(void **state)
{
	char *big = malloc(CTL_LINE_MAX + 1);

	(void)state;
	assert_int_equal(partial("", 0), 0);
	assert_int_equal(partial("fo", 2), 0);
	assert_int_equal(partial("fork 1 ", 7), 0);
	assert_int_equal(partial("fork 1\r", 7), 0);	/* '\n' may follow */
	assert_int_equal(partial("frobnicate", 10), 0);	/* words come later */
	assert_int_equal(partial("\0\0\0\0", 4), -EINVAL);
	assert_string_equal(last_msg, "binary bytes in command");
	assert_int_equal(partial("fork\r 1", 8), -EINVAL);
	assert_string_equal(last_msg, "binary bytes in command");
	assert_int_equal(partial("fork \xff", 6), -EINVAL);
	assert_non_null(big);
	memset(big, 'x', CTL_LINE_MAX + 1);
	assert_int_equal(partial(big, CTL_LINE_MAX), 0);
	assert_int_equal(partial(big, CTL_LINE_MAX + 1), -EINVAL);
	assert_string_equal(last_msg, "line too long (over 4096 bytes)");
	free(big);
}

/* Every op has a name and a usage, and its bare name reaches its parser. */
static void test_table(void **state)
{
	struct ctl_cmd c;
	int op;

	(void)state;
	for (op = 0; op < CTL_NR_OPS; op++) {
		const char *name = ctl_op_name(op);

		assert_non_null(name);
		assert_non_null(ctl_op_usage(op));
		if (*ctl_op_usage(op)) {
			/* Arguments required: the usage comes back. */
			char want[200];

			snprintf(want, sizeof(want), "%s: usage: %s %s", name,
				 name, ctl_op_usage(op));
			bad(name, want);
		} else {
			assert_int_equal(parse(name, &c), 0);
			assert_int_equal(c.op, op);
		}
	}
	assert_null(ctl_op_name(CTL_NR_OPS));
	assert_null(ctl_op_name(-1));
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(ctl_errno_name(-ESRCH), "ESRCH");
	assert_string_equal(ctl_errno_name(ESRCH), "ESRCH");
	assert_string_equal(ctl_errno_name(-ECHILD), "ECHILD");
	assert_string_equal(ctl_errno_name(-EAGAIN), "EAGAIN");
	assert_string_equal(ctl_errno_name(-ENOMEM), "ENOMEM");
	assert_string_equal(ctl_errno_name(-EINVAL), "EINVAL");
	assert_string_equal(ctl_errno_name(-EPERM), "EPERM");
	assert_string_equal(ctl_errno_name(-EEXIST), "EEXIST");
	assert_string_equal(ctl_errno_name(-ENOENT), "ENOENT");
	assert_string_equal(ctl_errno_name(-9999), "EUNKNOWN");
	/* What file I/O answers: once all EUNKNOWN. */
	assert_string_equal(ctl_errno_name(-EROFS), "EROFS");
	assert_string_equal(ctl_errno_name(-EISDIR), "EISDIR");
	assert_string_equal(ctl_errno_name(-ENAMETOOLONG), "ENAMETOOLONG");
	assert_string_equal(ctl_errno_name(-ELOOP), "ELOOP");
	assert_string_equal(ctl_errno_name(-ENOTDIR), "ENOTDIR");
	/* Every errno Linux has (1..EHWPOISON) has its name. */
	for (int e = 1; e <= EHWPOISON; e++) {
		const char *name = ctl_errno_name(-e);

		if (!strcmp(name, "EUNKNOWN") && e != 41 && e != 58)
			fail_msg("errno %d has no name", e);
	}
}

/* Every file of the fuzz seed corpus is one valid command. */
static void test_corpus(void **state)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct dirent *de;
	int files = 0;
	DIR *d;

	(void)state;
	snprintf(path, sizeof(path), "%s", __FILE__);
	snprintf(dir, sizeof(dir), "%s/ctl-corpus", dirname(path));
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char file[PATH_MAX + 256], text[CTL_LINE_MAX + 2];
		struct ctl_cmd c;
		size_t n;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		f = fopen(file, "r");
		assert_non_null(f);
		n = fread(text, 1, sizeof(text), f);
		fclose(f);
		if (n && text[n - 1] == '\n')
			n--;
		if (parse_len(text, n, &c))
			fail_msg("%s: %s", de->d_name, last_msg);
		ctl_cmd_free(&c);
		files++;
	}
	closedir(d);
	assert_true(files >= CTL_NR_OPS);
}

/* Random lines built from command words and junk: no crash, one-line errors. */
static void test_random_lines(void **state)
{
	static const char *const words[] = {
		"fork", "clone", "exec", "exit", "wait", "mmap", "munmap",
		"populate", "reset", "pid_max", "pidstore", "idr", "help", "nohang", "-1", "0",
		"exit_thread", "kill", "stop", "cont", "ptrace", "detach",
		"subreaper", "on", "off", "KILL", "nowait", "untraced",
		"1", "4096", "4K", "0x1000", "rw-", "none", "99999999999999999999",
		"-", "x", "\t", " ", "\r", "\x01", "\xff", "",
	};
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	char line[256];
	int i, ok = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		struct ctl_cmd c;
		size_t len = 0;
		int n, ret;

		for (n = rng % 6; n >= 0; n--) {
			const char *w;

			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			w = words[rng % (sizeof(words) / sizeof(*words))];
			len += snprintf(line + len, sizeof(line) - len, "%s%s",
					len ? " " : "", w);
		}
		ret = parse_len(line, len, &c);
		assert_true(ret == 0 || ret == -EINVAL);
		if (!ret) {
			ok++;
			ctl_cmd_free(&c);
		}
	}
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_ptrace_subreaper_exit_thread),
		cmocka_unit_test(test_mmap),
		cmocka_unit_test(test_munmap),
		cmocka_unit_test(test_small_commands),
		cmocka_unit_test(test_repeat_and_last_pid),
		cmocka_unit_test(test_unknown_and_empty),
		cmocka_unit_test(test_binary_bytes),
		cmocka_unit_test(test_length_is_explicit),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_check_partial),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_random_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
