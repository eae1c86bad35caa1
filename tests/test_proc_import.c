// SPDX-License-Identifier: MIT
/*
 * Import (docs/import.md): the /proc file parsers (fs/proc_parse.c) on good
 * and bad input, the core's world building from records (core/import.c),
 * and a whole import of a /proc tree written here, including refusals that
 * must leave the world exactly as it was.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core_test_util.h"
#include "import.h"
#include "proc_import.h"
#include "proc_parse.h"

#define STAT_TAIL " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"

/* A stat line of Linux 6.x: 52 fields. */
static const char *stat_line(char *buf, size_t cap, int pid, const char *comm,
			     char state, int ppid, int nice, unsigned flags)
{
	snprintf(buf, cap, "%d (%s) %c %d %d %d 34816 %d %u 120 0 3 0 55 66 0 0 "
		 "20 %d 1 0 4242 10000 100 18446744073709551615 94000000000000 "
		 "94000000010000 140730000000000 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 "
		 "94000000020000 94000000030000 94000001000000 140730000001000 "
		 "140730000001100 140730000001100 140730000001200 0\n",
		 pid, comm, state, ppid, pid, pid, pid, flags, nice);
	return buf;
}

static int parse_stat(const char *s, struct import_task *r, char *why)
{
	memset(r, 0, sizeof(*r));
	return proc_parse_stat(s, strlen(s), r, why);
}

static void test_stat_good(void **state)
{
	char line[1024], why[PROC_PARSE_WHY_LEN];
	struct import_task r;

	(void)state;
	assert_int_equal(parse_stat(stat_line(line, sizeof(line), 42,
			 "a) (b c", 'S', 1, -5, 0x400000), &r, why), 0);
	assert_int_equal(r.pid, 42);
	assert_string_equal(r.comm, "a) (b c");
	assert_int_equal(r.state, 'S');
	assert_int_equal(r.pgrp, 42);
	assert_int_equal(r.tty_nr, 34816);
	assert_int_equal(r.flags, 0x400000);
	assert_int_equal(r.nice, -5);
	assert_int_equal(r.utime, 55);
	assert_int_equal(r.stime, 66);
	assert_int_equal(r.start_time, 4242);
	assert_int_equal(r.start_brk, 94000001000000UL);
	assert_int_equal(r.cpu, 1);
	/* A kernel thread's name past 15 bytes: comm cut, name whole. */
	assert_int_equal(parse_stat(stat_line(line, sizeof(line), 4,
			 "kworker/R-rcu_gp", 'I', 2, -20, PF_KTHREAD), &r, why), 0);
	assert_string_equal(r.name, "kworker/R-rcu_gp");
	assert_string_equal(r.comm, "kworker/R-rcu_g");
}

static void test_stat_bad(void **state)
{
	static const char *const bad[] = {
		"", "garbage", "1 (x", "x (init) S 0",
		"1 (init) S 0 1 1 0 -1 4194560",		/* too few fields */
		"1 () S 0 1 1 0 -1 0" STAT_TAIL STAT_TAIL,
		"1 (init) S 0 1 1 0 -1 x" STAT_TAIL STAT_TAIL,
		"1 (init) SS 0 1 1 0 -1 0" STAT_TAIL STAT_TAIL,
		"1 (this-name-is-far-too-long-for-any-kernel-thread-at-all-really) "
		"S 0 1 1 0 -1 0" STAT_TAIL STAT_TAIL,
		"99999999999 (init) S 0 1 1 0 -1 0" STAT_TAIL STAT_TAIL,
	};
	char line[1024], why[PROC_PARSE_WHY_LEN];
	struct import_task r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why[0] = '\0';
		assert_int_equal(parse_stat(bad[i], &r, why), -EINVAL);
		assert_true(why[0] != '\0');
		assert_null(strchr(why, '\n'));
	}
	/* nice 25, policy 9: in range as numbers, not as values */
	assert_int_equal(parse_stat(stat_line(line, sizeof(line), 5, "x", 'S', 1,
			 25, 0), &r, why), -EINVAL);
	/* a NUL in the line */
	stat_line(line, sizeof(line), 5, "x", 'S', 1, 0, 0);
	line[3] = '\0';
	assert_int_equal(proc_parse_stat(line, strlen(line + 4) + 4, &r, why),
			 -EINVAL);
}

static const char status_good[] =
	"Name:\tbash\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4163\n"
	"Ngid:\t0\nPid:\t4163\nPPid:\t4100\nTracerPid:\t0\n"
	"Uid:\t1000\t1001\t1002\t1003\nGid:\t100\t101\t102\t103\n"
	"VmLck:\t      64 kB\nvoluntary_ctxt_switches:\t7\n"
	"nonvoluntary_ctxt_switches:\t9\n";

static void test_status(void **state)
{
	char why[PROC_PARSE_WHY_LEN], buf[1024];
	struct import_task r = { 0 };

	(void)state;
	assert_int_equal(proc_parse_status(status_good, strlen(status_good), &r,
					   why), 0);
	assert_int_equal(r.tgid, 4163);
	assert_int_equal(r.ppid, 4100);
	assert_int_equal(r.cred.uid, 1000);
	assert_int_equal(r.cred.euid, 1001);
	assert_int_equal(r.cred.suid, 1002);
	assert_int_equal(r.cred.fsuid, 1003);
	assert_int_equal(r.cred.fsgid, 103);
	assert_int_equal(r.locked_pages, 16);
	assert_int_equal(r.nvcsw, 7);
	assert_int_equal(r.nivcsw, 9);
	/* Each required key missing, or garbage in it */
	static const char *const cut[] = { "Tgid:", "PPid:", "Uid:", "Gid:" };
	for (size_t i = 0; i < 4; i++) {
		char *p;

		snprintf(buf, sizeof(buf), "%s", status_good);
		p = strstr(buf, cut[i]);
		p[0] = 'X';
		assert_int_equal(proc_parse_status(buf, strlen(buf), &r, why),
				 -EINVAL);
	}
	snprintf(buf, sizeof(buf), "Tgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	assert_int_equal(proc_parse_status(buf, strlen(buf), &r, why), -EINVAL);
	snprintf(buf, sizeof(buf), "Tgid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t-1\n");
	assert_int_equal(proc_parse_status(buf, strlen(buf), &r, why), -EINVAL);
}

static const char smaps_good[] =
	"55ee7b2ec000-55ee7b31b000 r--p 00000000 fe:01 1234    /usr/bin/my tool\n"
	"Size:                188 kB\nRss:                 100 kB\n"
	"Shared_Dirty:          0 kB\nPrivate_Dirty:         8 kB\n"
	"VmFlags: rd mr mw me\n"
	"55ee7b400000-55ee7b500000 rw-p 00000000 00:00 0          [heap]\n"
	"Rss:                  64 kB\nPrivate_Dirty:        64 kB\n"
	"7ffd00000000-7ffd00021000 rw-s 00010000 00:05 77 \n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]\n"
	"Rss:                   0 kB\n";

static void test_maps(void **state)
{
	char why[PROC_PARSE_WHY_LEN], buf[2048];
	struct import_vma *v;
	size_t n;

	(void)state;
	assert_int_equal(proc_parse_maps(smaps_good, strlen(smaps_good), 100, &v,
					 &n, why), 0);
	assert_int_equal(n, 3);		/* [vsyscall] is no VMA of the mm */
	assert_int_equal(v[0].start, 0x55ee7b2ec000UL);
	assert_int_equal(v[0].flags, VM_READ);
	assert_int_equal(v[0].dev, 0xfe01);
	assert_int_equal(v[0].ino, 1234);
	assert_string_equal(v[0].name, "/usr/bin/my tool");
	assert_int_equal(v[0].rss_pages, 25);
	assert_int_equal(v[0].dirty_pages, 2);
	assert_string_equal(v[1].name, "[heap]");
	assert_int_equal(v[1].flags, VM_READ | VM_WRITE);
	assert_int_equal(v[2].flags, VM_READ | VM_WRITE | VM_SHARED);
	assert_int_equal(v[2].pgoff, 0x10);
	assert_null(v[2].name);
	proc_free_vmas(v, n);
	/* Only up to @max VMAs */
	assert_int_equal(proc_parse_maps(smaps_good, strlen(smaps_good), 2, &v,
					 &n, why), -E2BIG);

	static const char *const bad[] = {
		"1001-2000 r--p 00000000 00:00 0\n",		/* unaligned */
		"2000-1000 r--p 00000000 00:00 0\n",
		"1000-3000 r--p 00000000 00:00 0",		/* no newline */
		"1000-3000 rwzp 00000000 00:00 0\n",
		"1000-3000 r--p 0000000g 00:00 0\n",
		"1000-3000 r--p 00000000 1000:00 0\n",		/* 12-bit major */
		"1000-3000 r--p 00000000 00:100 0\n",		/* 8-bit minor */
		"1000-3000 r--p 00000000 00:00 99999999999\n",	/* 32-bit inode */
		"Rss: 4 kB\n1000-3000 r--p 00000000 00:00 0\n",	/* field first */
		"4000-5000 r--p 00000000 00:00 0\n1000-3000 r--p 00000000 00:00 0\n",
		"1000-3000 r--p 00000000 00:00 0\nRss: 99 kB\n",	/* Rss > size */
		"1000-3000 r--p 00000000 00:00 0\nRss: 4 MB\n",
		"1000-30000000000000000000 r--p 00000000 00:00 0\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why[0] = '\0';
		snprintf(buf, sizeof(buf), "%s", bad[i]);
		if (proc_parse_maps(buf, strlen(buf), 100, &v, &n, why) != -EINVAL)
			fail_msg("bad maps %zu accepted", i);
		assert_true(why[0] != '\0');
	}
}

static void test_uptime(void **state)
{
	char why[PROC_PARSE_WHY_LEN];
	unsigned long long t;

	(void)state;
	assert_int_equal(proc_parse_uptime("12006.34 23000.00\n", 18, &t, why), 0);
	assert_int_equal(t, 1200634);
	assert_int_equal(proc_parse_uptime("x", 1, &t, why), -EINVAL);
	assert_int_equal(proc_parse_uptime("12.3456 1\n", 10, &t, why), -EINVAL);
}

/* ---- the core's building ---- */

static struct import_task rec(int pid, int tgid, int ppid, bool kthread)
{
	struct import_task r = {
		.pid = pid, .tgid = tgid, .ppid = ppid, .state = 'S',
		.flags = kthread ? PF_KTHREAD : 0, .pgrp = tgid, .session = tgid,
		.has_mm = !kthread && pid == tgid, .start_time = 500,
	};

	snprintf(r.comm, sizeof(r.comm), "t%d", pid);
	snprintf(r.name, sizeof(r.name), "t%d", pid);
	return r;
}

static struct import_vma vmas[] = {
	{ .start = 0x400000, .end = 0x402000, .flags = VM_READ | VM_EXEC,
	  .dev = 0xfe01, .ino = 7, .name = "/bin/t", .rss_pages = 2,
	  .dirty_pages = 2 },
	{ .start = 0x600000, .end = 0x610000, .flags = VM_READ | VM_WRITE,
	  .name = "[heap]", .rss_pages = 3, .dirty_pages = 3 },
};

/* init, kthreadd, a kthread, a process with a thread, an orphan. */
static size_t small_world(struct import_task *t)
{
	size_t n = 0;

	t[n++] = rec(1, 1, 0, false);
	t[n++] = rec(2, 2, 0, true);
	t[n++] = rec(3, 3, 2, true);
	t[n] = rec(100, 100, 1, false);
	t[n].vmas = vmas;
	t[n].nr_vmas = 2;
	t[n].args = "t\0-x";
	t[n++].args_len = 5;
	t[n++] = rec(101, 100, 0, false);
	t[n++] = rec(200, 200, 999, false);	/* parent not in the tree */
	return n;
}

static int import_records(struct tk *tk, struct import_task *t, size_t n,
			  struct import_report *rep, char *why)
{
	struct import_world w = { .tasks = t, .nr = n, .now = 1000 };
	struct kernel fresh;
	int err = kernel_import_prepare(&tk->k, &w, &fresh, rep, why);

	if (!err)
		kernel_load_commit(&tk->k, &fresh);
	return err;
}

static void test_build(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct import_task t[8];
	struct import_report rep;
	char why[SNAPSHOT_WHY_LEN];
	struct task *p, *th;
	size_t n = small_world(t);

	(void)state;
	t[n - 1].pid = t[n - 1].tgid = 40000;	/* past pid_max: it grows */
	assert_int_equal(import_records(tk, t, n, &rep, why), 0);
	assert_int_equal(rep.processes, 5);
	assert_int_equal(rep.threads, 1);
	assert_int_equal(rep.orphans, 1);
	assert_int_equal(rep.pid_max, 40001);
	assert_int_equal(tk->k.pids.pid_max, 40001);
	p = find_task(&tk->k, 100);
	th = find_task(&tk->k, 101);
	assert_non_null(p);
	assert_non_null(th);
	assert_ptr_equal(p->real_parent, tk->k.init_task);
	assert_ptr_equal(th->group_leader, p);
	assert_ptr_equal(th->mm, p->mm);
	assert_int_equal(p->signal->nr_threads, 2);
	assert_int_equal(p->mm->map_count, 2);
	assert_int_equal(p->mm->brk, 0x610000);
	assert_int_equal(p->mm->args_len, 5);
	/* start 500 of 1000 ticks on the source: 500 ticks old here too */
	assert_int_equal(p->start_time, TK_BOOT_TICKS - 500);
	assert_ptr_equal(find_task(&tk->k, 3)->real_parent, tk->k.kthreadd);
	assert_null(find_task(&tk->k, 3)->mm);
	assert_ptr_equal(find_task(&tk->k, 40000)->real_parent, tk->k.init_task);
	check_world(&tk->k);
	tk_free(tk);
}

/* Each of these is refused, and the world stays as it was. */
static void test_build_refused(void **state)
{
	struct tk *tk = tk_new(NULL);
	struct import_task t[8];
	struct import_report rep;
	char why[SNAPSHOT_WHY_LEN], *before;
	size_t n;

	(void)state;
	assert_int_equal(populate(&tk->k, 20), 0);
	before = world_dump(&tk->k);
	struct { int what; const char *why; } cases[] = {
		{ 0, "cycle" }, { 1, "no leader" }, { 2, "no kthreadd" },
		{ 3, "bad state" }, { 4, "out of order" }, { 5, "twice" },
		{ 6, "nice" }, { 7, "not a kernel thread" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		n = small_world(t);
		switch (cases[i].what) {
		case 0:		/* 200 and 300 each other's parent */
			t[n] = rec(300, 300, 200, false);
			t[n - 1].ppid = 300;
			n++;
			break;
		case 1:		/* a thread of a group not in the tree */
			t[n++] = rec(201, 150, 0, false);
			break;
		case 2:
			t[1].flags = 0;
			break;
		case 3:
			t[2].state = 'Q';
			break;
		case 4:
			t[3].pid = t[3].tgid = 500;
			break;
		case 5:
			t[2].pid = t[2].tgid = 2;
			break;
		case 6:
			t[3].nice = 20;
			break;
		case 7:
			snprintf(t[3].name, sizeof(t[3].name), "a-very-long-name-indeed");
			break;
		}
		why[0] = '\0';
		assert_int_equal(import_records(tk, t, n, &rep, why), -EINVAL);
		if (!strstr(why, cases[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, why, cases[i].why);
		assert_world_same(&tk->k, before);
	}
	free(before);
	tk_free(tk);
}

/* ---- a whole tree on disk ---- */

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void put_task(const char *root, int pid, int ppid, const char *comm,
		     unsigned flags)
{
	char dir[512], line[1024], status[256];

	snprintf(dir, sizeof(dir), "%s/%d", root, pid);
	assert_int_equal(mkdir(dir, 0755), 0);
	put(dir, "stat", stat_line(line, sizeof(line), pid, comm, 'S', ppid, 0,
				   flags));
	snprintf(status, sizeof(status), "Tgid:\t%d\nPPid:\t%d\n"
		 "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", pid, ppid);
	put(dir, "status", status);
	put(dir, "cmdline", flags ? "" : "init");
	snprintf(line, sizeof(line), "%s/task", dir);
	assert_int_equal(mkdir(line, 0755), 0);
	if (!flags)
		put(dir, "maps", "00400000-00402000 r-xp 00000000 fe:01 7 /sbin/init\n");
}

static void test_dir(void **state)
{
	char root[] = "/tmp/procsim-import-XXXXXX", path[600];
	char why[SNAPSHOT_WHY_LEN], summary[IMPORT_SUMMARY_LEN], *before;
	struct tk *tk = tk_new(NULL);

	(void)state;
	assert_non_null(mkdtemp(root));
	put(root, "uptime", "10.00 5.00\n");
	put(root, IMPORT_SNAP_MANIFEST, "procsim-snap 1\n");
	put_task(root, 1, 0, "init", 0);
	put_task(root, 2, 0, "kthreadd", PF_KTHREAD);
	pthread_rwlock_unlock(&tk->k.lock);	/* import locks for itself */
	if (proc_import_dir(&tk->k, root, NULL, why, summary))
		fail_msg("import: %s", why);
	assert_non_null(strstr(summary, "imported 2 processes, 0 threads"));
	assert_null(strchr(summary, '\n'));
	assert_string_equal(find_task(&tk->k, 1)->comm, "init");
	before = world_dump(&tk->k);

	/* Refused, world unchanged: garbage, a symlink, a missing file, a
	 * file past its bound, our own mount. */
	snprintf(path, sizeof(path), "%s/1/maps", root);
	put(root, "1/maps", "junk\n");
	assert_int_equal(proc_import_dir(&tk->k, root, NULL, why, summary), -EINVAL);
	assert_non_null(strstr(why, "pid 1"));
	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(proc_import_dir(&tk->k, root, NULL, why, summary), -EINVAL);
	assert_non_null(strstr(why, "not a regular file"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/2/status", root);
	unlink(path);
	assert_int_equal(proc_import_dir(&tk->k, root, NULL, why, summary), -EINVAL);
	assert_non_null(strstr(why, "truncated"));
	{
		char *big = malloc(IMPORT_SMALL_MAX + 2);

		memset(big, '1', IMPORT_SMALL_MAX + 1);
		big[IMPORT_SMALL_MAX + 1] = '\0';
		put(root, "2/status", big);
		free(big);
	}
	assert_int_equal(proc_import_dir(&tk->k, root, NULL, why, summary), -EFBIG);
	{
		const char *own[] = { root, NULL };

		assert_int_equal(proc_import_dir(&tk->k, root, own, why, summary),
				 -EXDEV);
	}
	snprintf(path, sizeof(path), "%s/nothing-here", root);
	assert_int_equal(proc_import_dir(&tk->k, path, NULL, why, summary), -ENOENT);
	pthread_rwlock_wrlock(&tk->k.lock);
	assert_world_same(&tk->k, before);
	free(before);
	tk_free(tk);
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_good),
		cmocka_unit_test(test_stat_bad),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_maps),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_refused),
		cmocka_unit_test(test_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
