// SPDX-License-Identifier: MIT
/*
 * populate: grow the world into something that looks like a running Debian
 * server — kernel workers under kthreadd, services under init (some with
 * worker processes, some multi-threaded), and login sessions with shells
 * and their children.  Table-driven and seeded, so a seed gives one world.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "task_alloc.h"
#include "watchers.h"

struct proc_tmpl {
	const char *path;		/* argv[0] and the executable */
	const char *args;		/* the rest of argv, space-separated */
	unsigned int uid;
	unsigned char max_threads;	/* extra threads: 0 .. max */
	unsigned char max_workers;	/* children of the same template */
	const char *wchan;
};

static const struct proc_tmpl services[] = {
	{ "/lib/systemd/systemd-journald", "", 0, 0, 0, "ep_poll" },
	{ "/lib/systemd/systemd-udevd", "", 0, 0, 2, "ep_poll" },
	{ "/lib/systemd/systemd-logind", "", 0, 0, 0, "ep_poll" },
	{ "/usr/bin/dbus-daemon", "--system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only", 100, 0, 0, "ep_poll" },
	{ "/usr/sbin/cron", "-f", 0, 0, 0, "hrtimer_nanosleep" },
	{ "/usr/sbin/rsyslogd", "-n -iNONE", 0, 3, 0, "do_select" },
	{ "/usr/sbin/sshd", "-D", 0, 0, 0, "do_select" },
	{ "/usr/libexec/polkitd", "--no-debug", 997, 3, 0, "do_poll" },
	{ "/usr/sbin/NetworkManager", "--no-daemon", 0, 3, 0, "do_poll" },
	{ "/sbin/agetty", "-o -p -- \\u --noclear - linux", 0, 0, 0, "do_select" },
	{ "/usr/bin/containerd", "", 0, 12, 0, "futex_wait_queue" },
	{ "/usr/sbin/dockerd", "-H fd:// --containerd=/run/containerd/containerd.sock", 0, 16, 0, "futex_wait_queue" },
	{ "/usr/lib/postgresql/15/bin/postgres", "-D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf", 110, 0, 7, "do_epoll_wait" },
	{ "/usr/sbin/nginx", "-g daemon on; master_process on;", 0, 0, 4, "do_epoll_wait" },
	{ "/usr/sbin/apache2", "-k start", 33, 0, 6, "do_select" },
	{ "/usr/bin/python3", "/usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf", 0, 0, 3, "do_select" },
	{ "/usr/sbin/chronyd", "-F 1", 104, 0, 0, "do_select" },
	{ "/usr/bin/redis-server", "127.0.0.1:6379", 106, 4, 0, "do_epoll_wait" },
	{ "/usr/sbin/unattended-upgrade-shutdown", "--wait-for-signal", 0, 1, 0, "do_poll" },
	{ "/usr/bin/java", "-Xms512m -Xmx2g -jar /opt/app/service.jar", 1001, 40, 0, "futex_wait_queue" },
};

static const struct proc_tmpl session_cmds[] = {
	{ "/usr/bin/vim", "notes.txt", 1000, 0, 0, "do_select" },
	{ "/usr/bin/less", "/var/log/syslog", 1000, 0, 0, "wait_woken" },
	{ "/usr/bin/python3", "train.py --epochs 40", 1000, 8, 0, "futex_wait_queue" },
	{ "/usr/bin/make", "-j2", 1000, 0, 2, "do_wait" },
	{ "/usr/bin/ssh", "build@10.0.0.7", 1000, 0, 0, "do_select" },
	{ "/usr/bin/tmux", "attach", 1000, 0, 0, "do_poll" },
	{ "/usr/bin/sleep", "600", 1000, 0, 0, "hrtimer_nanosleep" },
	{ "/usr/bin/top", "", 1000, 0, 0, "do_select" },
	{ "/usr/bin/tail", "-f /var/log/nginx/access.log", 1000, 0, 0, "inotify_read" },
	{ "/usr/bin/node", "server.js", 1000, 10, 0, "do_epoll_wait" },
};

static const char *const kworker_fmt[] = {
	"kworker/%d:%d-events", "kworker/%d:%d-mm_percpu_wq", "kworker/u%d:%d-events_unbound",
	"kworker/%d:%dH-kblockd", "kworker/%d:%d-cgroup_destroy",
};

static const char env_tmpl[] =
	"LANG=C.UTF-8\0PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\0"
	"INVOCATION_ID=3c1e0f7a0b6d4a2c9d8e7f6a5b4c3d2e\0JOURNAL_STREAM=8:21712";

struct populate_ctx {
	struct kernel *k;
	struct task **made;		/* every task made, in order, for undo */
	int nr_made, cap;
	int procs_left;
	unsigned long long now;
	unsigned long long old_u, old_s;	/* the tasks before: CPU ticks */
	unsigned long long new_u, new_s;	/* the made ones, fit_group()ed */
};

static void fit_group(struct populate_ctx *c, struct task *t);

static int note(struct populate_ctx *c, struct task *t)
{
	if (c->nr_made == c->cap) {
		int cap = c->cap ? c->cap * 2 : 1024;
		struct task **m = realloc(c->made, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		c->made = m;
		c->cap = cap;
	}
	c->made[c->nr_made++] = t;
	return 0;
}

static unsigned rnd(struct populate_ctx *c, unsigned n)
{
	return n ? kernel_rand(c->k) % n : 0;
}

/* A start time after the parent's and before now. */
static unsigned long long start_after(struct populate_ctx *c,
				      const struct task *parent)
{
	unsigned long long lo = parent->start_time + 1;
	uint64_t r = kernel_rand(c->k);	/* always drawn: the seed, not the clock,
					 * decides every later draw */

	if (c->now <= lo)
		return c->now;
	return lo + r % (c->now - lo);
}

/*
 * Shared layouts.  exec gives a process a randomised layout (binfmt_load:
 * stack top, mmap_base, PIE base, heap size), 33 VMAs on average; mapping
 * them was three quarters of populate's CPU time and 2.6 KB of each
 * process's 4.2 KB.  Instead each process takes one of @per_prog
 * randomised layouts of its program (its template, built on first use),
 * shared copy-on-write (mm_share) until its first mmap, munmap, mprotect,
 * brk, stack growth, new thread or exec.  A template's randomness comes
 * from a stream of its own, seeded by its program and slot, not from
 * k->rng: it does not depend on which process drew it first, so a save
 * need not keep a template nobody shares (populate builds it again the
 * same).  The slot is drawn from k->rng, so the seed decides who shares.
 * A save keeps each template that a process shares, with its place here
 * (populate_layouts_walk, populate_layout_install at the end of this file),
 * so a loaded world shares as the saved one did, and populates on alike.
 */
struct layout_pool {
	int per_prog;			/* POPULATE_LAYOUTS, or opts' */
	int nr, cap;
	const struct proc_tmpl **progs;	/* [nr]: one row of slots each */
	struct mm_struct **slots;	/* [cap * per_prog]; NULL until used */
};

int populate_layouts_per_prog(const struct kernel *k)
{
	return k->opts.populate_layouts ? k->opts.populate_layouts : POPULATE_LAYOUTS;
}

/* @t's row of slots; NULL on ENOMEM. */
static struct mm_struct **layout_row(struct kernel *k, const struct proc_tmpl *t)
{
	struct layout_pool *p = k->layouts;
	int i;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->per_prog = populate_layouts_per_prog(k);
		k->layouts = p;
	}
	for (i = 0; i < p->nr; i++)
		if (p->progs[i] == t)
			return &p->slots[(size_t)i * p->per_prog];
	if (p->nr == p->cap) {
		int cap = p->cap ? p->cap * 2 : 64;
		const struct proc_tmpl **progs = realloc(p->progs, cap * sizeof(*progs));
		struct mm_struct **slots;

		if (!progs)
			return NULL;
		p->progs = progs;
		slots = realloc(p->slots, (size_t)cap * p->per_prog * sizeof(*slots));
		if (!slots)
			return NULL;
		memset(slots + (size_t)p->cap * p->per_prog, 0,
		       (size_t)(cap - p->cap) * p->per_prog * sizeof(*slots));
		p->slots = slots;
		p->cap = cap;
	}
	p->progs[p->nr] = t;
	return &p->slots[(size_t)p->nr++ * p->per_prog];
}

static uint64_t mix(uint64_t h)		/* splitmix64's finalizer */
{
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static uint64_t layout_seed(const struct proc_tmpl *t, int slot)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a of path and args */

	for (const char *s = t->path; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	for (const char *s = t->args; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h = mix(h + (uint64_t)(slot + 1) * 0x9e3779b97f4a7c15ULL);
	return h ? h : 1;		/* xorshift's state is never 0 */
}

/* exec of @t: a layout of @t's pool shared, or (populate_layouts -1) a new one. */
static struct mm_struct *exec_mm(struct populate_ctx *c, const struct proc_tmpl *t,
				 const char *args, size_t len)
{
	struct kernel *k = c->k;
	int per_prog = populate_layouts_per_prog(k), slot;
	struct mm_struct **row;
	uint64_t rng;

	if (per_prog < 0)
		return binfmt_load(k, t->path, args, len, env_tmpl, sizeof(env_tmpl));
	slot = (int)rnd(c, (unsigned)per_prog);
	row = layout_row(k, t);
	if (!row)
		return NULL;
	if (!row[slot]) {
		rng = layout_seed(t, slot);
		row[slot] = binfmt_load_rng(k, &rng, t->path, args, len,
					    env_tmpl, sizeof(env_tmpl));
		if (!row[slot])
			return NULL;
		mm_template_get(row[slot]);	/* the pool's reference */
	}
	return mm_share(row[slot]);
}

void populate_layouts_free(struct kernel *k)
{
	struct layout_pool *p = k->layouts;

	if (!p)
		return;
	for (size_t i = 0; i < (size_t)p->nr * p->per_prog; i++)
		if (p->slots[i])
			mm_template_put(p->slots[i]);
	free(p->progs);
	free(p->slots);
	free(p);
	k->layouts = NULL;
}

/* fork + exec of @t's template under @parent; the new process in *@out. */
static int spawn(struct populate_ctx *c, struct task *parent,
		 const struct proc_tmpl *t, struct task **out)
{
	struct kernel *k = c->k;
	char args[512], *p;
	const char *base = strrchr(t->path, '/') + 1;
	struct task *child, *th;
	struct mm_struct *mm;
	size_t len;
	int err, n;

	if (c->procs_left <= 0)
		return -ENOSPC;		/* not an error: the quota is filled */
	len = strlen(t->path) + 1;
	memcpy(args, t->path, len);
	if (t->args[0]) {
		memcpy(args + len, t->args, strlen(t->args) + 1);
		for (p = args + len; *p; p++)
			if (*p == ' ')
				*p = '\0';
		len += strlen(t->args) + 1;
	}
	mm = exec_mm(c, t, args, len);
	if (!mm)
		return -ENOMEM;
	err = copy_process_at(k, parent, CLONE_VM, c->now, &child);
	if (err) {
		mmput(mm);
		return err;
	}
	mmput(child->mm);
	child->mm = mm;
	c->procs_left--;
	err = note(c, child);
	if (err)
		return err;
	set_task_comm(child, base);
	/* exec'd; root's children used a capability (setuid, bind < 1024) */
	child->flags = (child->flags & ~PF_FORKNOEXEC) | PF_RANDOMIZE;
	if (parent->cred.euid == 0)
		child->flags |= PF_SUPERPRIV;
	child->cred.uid = child->cred.euid = child->cred.suid = child->cred.fsuid = t->uid;
	child->cred.gid = child->cred.egid = child->cred.sgid = child->cred.fsgid = t->uid;
	child->start_time = start_after(c, parent);
	child->utime = rnd(c, 400);
	child->stime = rnd(c, 200);
	child->minflt = 100 + rnd(c, 5000);
	child->nvcsw = rnd(c, 10000);
	child->cpu = rnd(c, k->nr_cpus);
	child->wchan = t->wchan;
	/* A few runnable, never many more than the CPUs can hold. */
	if (rnd(c, 97) == 0 && k->nr_running < 2UL * (unsigned long)k->nr_cpus)
		set_task_state(k, child, TASK_RUNNING);
	n = rnd(c, t->max_threads + 1);
	for (int i = 0; i < n; i++) {
		err = copy_process_at(k, child, CLONE_VM | CLONE_THREAD, c->now, &th);
		if (!err)
			err = note(c, th);
		if (err)
			return err;
		th->start_time = child->start_time + rnd(c, 50);
		if (th->start_time > c->now)
			th->start_time = c->now;
		th->utime = rnd(c, 100);
		th->wchan = "futex_wait_queue";
	}
	fit_group(c, child);
	*out = child;
	return 0;
}

/* What containers run: each under its own containerd-shim, as on a host. */
static const struct proc_tmpl container_apps[] = {
	{ "/usr/sbin/nginx", "-g daemon off;", 101, 0, 4, "do_epoll_wait" },
	{ "/usr/local/bin/python3", "-m gunicorn app:app -w 4", 1000, 2, 4, "do_epoll_wait" },
	{ "/usr/local/bin/node", "dist/server.js", 1000, 10, 0, "do_epoll_wait" },
	{ "/opt/java/openjdk/bin/java", "-jar /app/app.jar", 1000, 30, 0, "futex_wait_queue" },
	{ "/usr/lib/postgresql/16/bin/postgres", "-c config_file=/etc/postgresql/postgresql.conf", 999, 0, 6, "do_epoll_wait" },
	{ "/usr/local/bin/redis-server", "*:6379", 999, 4, 0, "do_epoll_wait" },
};
static const struct proc_tmpl shim = {
	"/usr/bin/containerd-shim-runc-v2", "-namespace moby -address /run/containerd/containerd.sock",
	0, 10, 0, "futex_wait_queue"
};

#define NR(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The @i-th service: the distribution's services once each, then
 * containers (a shim and its application, with its workers).
 */
static int spawn_service(struct populate_ctx *c, int i)
{
	const struct proc_tmpl *t = (size_t)i < NR(services) ? &services[i] :
				    &container_apps[rnd(c, NR(container_apps))];
	struct task *parent = c->k->init_task, *master, *w;
	int err = 0, n;

	if ((size_t)i >= NR(services)) {
		err = spawn(c, parent, &shim, &parent);
		if (err)
			return err;
		parent->signal->pgrp = parent->signal->session = parent->pid;
	}
	err = spawn(c, parent, t, &master);

	if (err)
		return err;
	master->signal->pgrp = master->signal->session = master->pid;
	n = t->max_workers ? 1 + rnd(c, t->max_workers) : 0;
	for (int i = 0; i < n && !err; i++) {
		err = spawn(c, master, t, &w);
		if (!err)	/* workers are forked, not exec'd */
			w->flags |= PF_FORKNOEXEC;
	}
	return err;
}

static const struct proc_tmpl sshd_priv = { "/usr/sbin/sshd", "-D -R", 0, 0, 0, "do_select" };
static const struct proc_tmpl sshd_user = { "/usr/sbin/sshd", "-D -R", 1000, 0, 0, "do_select" };
static const struct proc_tmpl bash = { "/usr/bin/bash", "", 1000, 0, 0, "do_wait" };
static const struct proc_tmpl user_systemd = { "/lib/systemd/systemd", "--user", 1000, 0, 0, "ep_poll" };

/* The terminal's foreground group, as every process of the session sees it. */
static void set_tpgid(struct task *t, int pgid)
{
	struct task *child;

	t->signal->tpgid = pgid;
	list_for_each_entry(child, &t->children, sibling)
		set_tpgid(child, pgid);
}

/*
 * sshd: user [priv] -> sshd: user@pts/N -> bash -> a few commands, the
 * last one in the foreground, the others background jobs.
 */
static int spawn_session(struct populate_ctx *c, struct task *sshd, int tty)
{
	struct task *priv, *user, *sh, *cmd, *w;
	int err, n;

	err = spawn(c, sshd, &sshd_priv, &priv);
	if (!err)
		err = spawn(c, priv, &sshd_user, &user);
	if (!err)
		err = spawn(c, user, &bash, &sh);
	if (err)
		return err;
	set_task_comm(priv, "sshd");
	priv->signal->pgrp = priv->signal->session = priv->pid;
	user->signal->pgrp = user->signal->session = priv->pid;
	sh->signal->pgrp = sh->signal->session = sh->pid;
	/* /dev/pts/<tty>: 136:tty as new_encode_dev packs it (20-bit minor:
	 * a loaded world's terminal may be any, and the shift must not overflow) */
	sh->signal->tty_nr = (int)((136u << 8) | ((unsigned)tty & 0xff) |
				   (((unsigned)tty & 0xfff00) << 12));
	sh->signal->tpgid = sh->pid;
	n = 1 + rnd(c, 3);
	for (int i = 0; i < n && !err; i++) {
		const struct proc_tmpl *t =
			&session_cmds[rnd(c, sizeof(session_cmds) / sizeof(*session_cmds))];

		err = spawn(c, sh, t, &cmd);
		if (err)
			break;
		cmd->signal->pgrp = cmd->pid;
		cmd->signal->tty_nr = sh->signal->tty_nr;
		cmd->signal->tpgid = cmd->pid;
		sh->signal->tpgid = cmd->pid;
		for (int j = rnd(c, t->max_workers + 1); j > 0 && !err; j--)
			err = spawn(c, cmd, t, &w);
	}
	set_tpgid(sh, sh->signal->tpgid);
	return err;
}

static int spawn_kworker(struct populate_ctx *c)
{
	struct kernel *k = c->k;
	struct task *t;
	int cpu = rnd(c, k->nr_cpus);
	int err;

	if (c->procs_left <= 0)
		return -ENOSPC;
	err = copy_process_at(k, k->kthreadd, 0, c->now, &t);
	if (err)
		return err;
	c->procs_left--;
	err = note(c, t);
	snprintf(t->comm, TASK_COMM_LEN, kworker_fmt[rnd(c, 5)], cpu, (int)rnd(c, 64));
	t->cpu = cpu;
	t->start_time = start_after(c, k->kthreadd);
	t->stime = rnd(c, 50);
	t->wchan = "worker_thread";
	set_task_state(k, t, rnd(c, 4) ? TASK_IDLE : TASK_INTERRUPTIBLE);
	if (strstr(t->comm, "H-"))
		t->nice = -20;
	fit_group(c, t);
	return err;
}

/*
 * @v * @num / @den without overflow for tick counts.  The product of two
 * tick counts nearly always fits 64 bits: then a 64-bit division, the same
 * quotient at a fraction of the 128-bit one's cost (a libgcc call, 14% of
 * a million-process populate when it ran per task).
 */
static unsigned long scale(unsigned long v, unsigned long long num,
			   unsigned long long den)
{
	unsigned long long prod;

	if (!den)
		return v;
	if (!__builtin_mul_overflow((unsigned long long)v, num, &prod))
		return (unsigned long)(prod / den);
	return (unsigned long)((unsigned __int128)v * num / den);
}

/* Every task: utime + stime summed over its threads (and itself). */
static void sum_times(const struct kernel *k, unsigned long long *user,
		      unsigned long long *sys)
{
	struct task *p, *t;

	*user = *sys = 0;
	for (int pid = next_tgid(k, 0, &p); pid >= 0; pid = next_tgid(k, pid + 1, &p))
		list_for_each_entry(t, &p->signal->thread_head, thread_node) {
			*user += t->utime;
			*sys += t->stime;
		}
}

/*
 * Make a made process's CPU times possible: no thread ran longer than it
 * has existed, and its threads shared at most nr_cpus CPUs.  Called once
 * its thread group is complete (populate adds threads only in spawn()),
 * while its tasks are still in the CPU's cache: a pass over all of them at
 * the end took a cache miss per task.  Adds them to c->new_u and new_s.
 */
static void fit_group(struct populate_ctx *c, struct task *t)
{
	unsigned long long ncpu = (unsigned long long)(c->k->nr_cpus > 0 ? c->k->nr_cpus : 1);
	unsigned long long elapsed, sum = 0, cap;
	struct task *th;
	int n = 0;

	list_for_each_entry(th, &t->signal->thread_head, thread_node) {
		elapsed = c->now - th->start_time;
		if (th->utime + th->stime > elapsed) {
			th->utime = scale(th->utime, elapsed, th->utime + th->stime);
			th->stime = (unsigned long)elapsed - th->utime;
		}
		sum += th->utime + th->stime;
		n++;
	}
	cap = (c->now - t->start_time) * ((unsigned long long)n < ncpu ? (unsigned long long)n : ncpu);
	if (sum > cap)
		list_for_each_entry(th, &t->signal->thread_head, thread_node) {
			th->utime = scale(th->utime, cap, sum);
			th->stime = scale(th->stime, cap, sum);
		}
	list_for_each_entry(th, &t->signal->thread_head, thread_node) {
		c->new_u += th->utime;
		c->new_s += th->stime;
	}
}

/*
 * Make all tasks together use no more than /proc/stat says the CPUs spent
 * in user and system mode (at least 1.6% and 3.4% of each CPU's time: the
 * shares of fs/render_global.c's cpu_ticks), after fit_group() made each
 * process possible on its own.
 */
static void fit_cpu_times(struct populate_ctx *c)
{
	struct kernel *k = c->k;
	unsigned long long cpu_time, bu, bs, all_u, all_s;
	unsigned long long ncpu = (unsigned long long)(k->nr_cpus > 0 ? k->nr_cpus : 1);

	all_u = c->old_u + c->new_u;
	all_s = c->old_s + c->new_s;
	cpu_time = c->now * ncpu;
	bu = cpu_time * 16 / 1000;
	bs = cpu_time * 34 / 1000;
	if (all_u <= bu && all_s <= bs)
		return;
	for (int i = 0; i < c->nr_made; i++) {
		struct task *t = c->made[i];

		/* The tasks are cold by now: ask for one a few ahead. */
		if (i + 8 < c->nr_made)
			__builtin_prefetch(&c->made[i + 8]->utime, 1);
		if (all_u > bu)
			t->utime = bu > c->old_u ? scale(t->utime, bu - c->old_u, c->new_u) : 0;
		if (all_s > bs)
			t->stime = bs > c->old_s ? scale(t->stime, bs - c->old_s, c->new_s) : 0;
	}
}

static void undo(struct populate_ctx *c)
{
	/* Newest first: threads before their leader, children before parents. */
	while (c->nr_made--) {
		struct task *t = c->made[c->nr_made];

		watch_fork_undo(c->k, t->real_parent, t);
		release_task(c->k, t);
	}
}

/* The first pts no task has for its terminal: one session per terminal. */
static int first_free_pts(const struct kernel *k)
{
	struct task *t;
	int next = 0;

	for (int pid = next_tgid(k, 0, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		unsigned tty = (unsigned)t->signal->tty_nr;

		if (((tty >> 8) & 0xfff) == 136) {
			int nr = (int)((tty & 0xff) | ((tty >> 12) & 0xfff00));

			if (nr >= next)
				next = nr + 1;
		}
	}
	return next;
}

int populate(struct kernel *k, int n)
{
	struct populate_ctx c = { .k = k, .procs_left = n, .now = kernel_now(k) };
	struct task *sshd = NULL, *usr;
	struct world_mark mark = world_mark(k);
	int err = 0, tty = first_free_pts(k);

	if (n < 0)
		return kerr(-EINVAL, "cannot add %d processes", n);
	if ((unsigned long)n > (unsigned long)k->pids.pid_max - k->pids.nr_used)
		return kerr(-EAGAIN, "%d processes are more than the free pids "
			    "(pid_max %d, %lu in use)", n, k->pids.pid_max,
			    k->pids.nr_used);
	sum_times(k, &c.old_u, &c.old_s);
	/* One kernel worker in twenty, then services, then sessions. */
	for (int i = 0; i < n / 20 && !err; i++)
		err = spawn_kworker(&c);
	for (int i = 0; i < n / 10 && !err; i++)
		err = spawn_service(&c, i);
	if (!err && c.procs_left > 0)
		err = spawn(&c, k->init_task, &services[6], &sshd);
	if (!err && c.procs_left > 0 && rnd(&c, 2))
		err = spawn(&c, k->init_task, &user_systemd, &usr);
	while (!err && c.procs_left > 0)
		err = spawn_session(&c, sshd, tty++);
	if (err == -ENOSPC)
		err = 0;
	if (!err)
		fit_cpu_times(&c);
	k->tty_gen++;		/* sessions got terminals (or were undone) */
	if (err) {
		undo(&c);
		world_rollback(k, mark);
	}
	free(c.made);
	return err;
}

/*
 * The pool's keys for save and load: every program exec_mm may take a
 * layout for, numbered in table order.  Two programs may have one path and
 * argv (sshd_priv, sshd_user: their rows hold equal layouts), so the
 * number, not the name, is the key; a file carries the name too, and a
 * number whose name differs (another build's tables) finds no row.
 */
static const struct proc_tmpl *const lone_progs[] = {
	&shim, &sshd_priv, &sshd_user, &bash, &user_systemd,
};

static const struct proc_tmpl *prog_at(unsigned int i)
{
	if (i < NR(services))
		return &services[i];
	i -= NR(services);
	if (i < NR(session_cmds))
		return &session_cmds[i];
	i -= NR(session_cmds);
	if (i < NR(container_apps))
		return &container_apps[i];
	i -= NR(container_apps);
	return i < NR(lone_progs) ? lone_progs[i] : NULL;
}

static unsigned int prog_index(const struct proc_tmpl *t)
{
	unsigned int i;

	for (i = 0; prog_at(i) && prog_at(i) != t; i++)
		;
	return i;	/* every program exec_mm sees is listed */
}

int populate_layouts_walk(const struct kernel *k,
			  int (*fn)(void *arg, const struct layout_key *key,
				    struct mm_struct *tmpl), void *arg)
{
	const struct layout_pool *p = k->layouts;
	struct layout_key key;
	int err;

	for (int i = 0; p && i < p->nr; i++) {
		key.prog = prog_index(p->progs[i]);
		key.path = p->progs[i]->path;
		key.args = p->progs[i]->args;
		for (key.slot = 0; key.slot < p->per_prog; key.slot++) {
			struct mm_struct *tmpl = p->slots[(size_t)i * p->per_prog + key.slot];

			if (tmpl && (err = fn(arg, &key, tmpl)))
				return err;
		}
	}
	return 0;
}

int populate_layout_install(struct kernel *k, const struct layout_key *key,
			    struct mm_struct *tmpl)
{
	const struct proc_tmpl *t = prog_at(key->prog);
	struct mm_struct **row;

	if (!t || strcmp(t->path, key->path) || strcmp(t->args, key->args))
		return -ENOENT;
	if (key->slot < 0 || key->slot >= populate_layouts_per_prog(k))
		return -EINVAL;
	row = layout_row(k, t);
	if (!row)
		return -ENOMEM;
	if (row[key->slot])
		return -EEXIST;
	row[key->slot] = tmpl;
	mm_template_get(tmpl);		/* the pool's reference */
	return 0;
}
