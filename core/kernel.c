// SPDX-License-Identifier: MIT
/*
 * The kernel instance: boot (pid 1, kthreadd and its kernel threads),
 * reset, the clock, and lookups.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernel.h"
#include "task_alloc.h"
#include "watchers.h"

static unsigned long long boottime_ticks(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * USER_HZ +
	       ts.tv_nsec / (1000000000 / USER_HZ);
}

unsigned long long kernel_now(const struct kernel *k)
{
	return k->clock(k->clock_arg);
}

uint64_t rng_next(uint64_t *state)
{
	/* xorshift64*: cheap, and the same seed gives the same world. */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545F4914F6CDD1DULL;
}

uint64_t kernel_rand(struct kernel *k)
{
	return rng_next(&k->rng);
}

/* find_task_by_vpid: the pid's task once attach_pid() has run. */
struct task *find_task(const struct kernel *k, int pid)
{
	struct task *t = pid_store_lookup(&k->pids, pid);

	return t && task_attached(t) ? t : NULL;
}

struct task *find_process(const struct kernel *k, int pid)
{
	struct task *t = find_task(k, pid);

	return t ? t->group_leader : NULL;
}

int next_tgid(const struct kernel *k, int from, struct task **t)
{
	int pid;

	while ((pid = pid_store_next_leader(&k->pids, from, t)) >= 0 &&
	       !task_attached(*t))
		from = pid + 1;
	return pid;
}

static void log_change(struct change_log *log, const struct task *t,
		       uint32_t epoch)
{
	if (log->n == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 256;
		struct pid_change *v = realloc(log->v, cap * sizeof(*v));

		if (!v) {
			log->overflow = true;
			return;
		}
		log->v = v;
		log->cap = cap;
	}
	log->v[log->n++] = (struct pid_change){ t->pid, t->tgid, epoch };
}

void task_touch(struct kernel *k, struct task *t)
{
	t->gen = ++k->gen;
	if (k->track_changes && t->logged != k->log_seq) {
		t->logged = k->log_seq;
		log_change(&k->changed, t, k->epoch);
	}
}

void task_log_gone(struct kernel *k, const struct task *t)
{
	if (k->track_changes)
		log_change(&k->gone, t, k->epoch);
}

void task_log_born(struct kernel *k, struct task *t)
{
	if (k->track_changes && t->logged != k->log_seq) {
		t->logged = k->log_seq;	/* so task_touch() does not log it too */
		log_change(&k->born, t, k->epoch);
	}
}

/*
 * New logs: every task's ->logged is stale at once.  It was a lookup and a
 * store per logged task at every take (5% of the daemon's CPU for a
 * million-process populate); now, when the byte wraps, one pass clears
 * every task's, once per 255 takes, so an old mark never reads as new.
 * Context: tasklist_lock held for writing.
 */
static void next_log_seq(struct kernel *k)
{
	struct task *t;

	if (++k->log_seq)
		return;
	k->log_seq = 1;
#ifdef PROCSIM_MUTATE_log_seq_wrap	/* mutation: old marks kept */
	return;
#endif
	for (int pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		if (t && t->logged)
			t->logged = 0;
}

void kernel_read_lock(struct kernel *k)
{
	world_read_lock(k);
	if (!k->concurrent)
		return;
	core_rcu_read_lock();
	pthread_rwlock_rdlock(&k->tasklist_lock);
}

void kernel_read_unlock(struct kernel *k)
{
	if (k->concurrent) {
		pthread_rwlock_unlock(&k->tasklist_lock);
		core_rcu_read_unlock();
	}
	world_unlock(k);
}

void kernel_take_changes(struct kernel *k, struct change_log *changed,
			 struct change_log *gone, struct change_log *born)
{
	kernel_rcu_read_lock(k);
	pthread_rwlock_wrlock(&k->tasklist_lock);
	next_log_seq(k);
	*changed = k->changed;
	*gone = k->gone;
	*born = k->born;
	memset(&k->changed, 0, sizeof(k->changed));
	memset(&k->gone, 0, sizeof(k->gone));
	memset(&k->born, 0, sizeof(k->born));
	pthread_rwlock_unlock(&k->tasklist_lock);
	kernel_rcu_read_unlock(k);
}

int kernel_set_pid_max(struct kernel *k, int pid_max)
{
	char why[KOPT_WHY_LEN];

	if (kopt_check_pid_max(pid_max, why))
		return kerr(-EINVAL, "%s", why);
	k->pids.pid_max = pid_max;
	k->gen++;
	return 0;
}

/* The kernel threads a 2-CPU Debian machine shows right after boot. */
static const char *const boot_kthreads[] = {
	"pool_workqueue_release", "kworker/R-rcu_g", "kworker/R-sync_",
	"kworker/R-slub_", "kworker/R-netns", "kworker/0:0H-events_highpri",
	"kworker/R-mm_pe", "rcu_tasks_kthread", "rcu_tasks_rude_kthread",
	"rcu_tasks_trace_kthread", "ksoftirqd/0", "rcu_preempt", "rcu_exp_par_gp_kthread_worker/0",
	"rcu_exp_gp_kthread_worker", "migration/0", "idle_inject/0", "cpuhp/0",
	"cpuhp/1", "idle_inject/1", "migration/1", "ksoftirqd/1",
	"kworker/1:0H-events_highpri", "kdevtmpfs", "kworker/R-inet_",
	"kauditd", "khungtaskd", "oom_reaper", "kworker/R-write", "kcompactd0",
	"ksmd", "khugepaged", "kworker/R-kbloc", "kworker/R-ata_s",
	"kworker/R-md", "kswapd0", "kworker/R-kthro", "kworker/R-acpi_",
	"kworker/R-mld", "kworker/R-ipv6_", "kworker/R-kstrp", "jbd2/vda1-8",
	"kworker/R-ext4-",
};

static int boot(struct kernel *k)
{
	static const char init_args[] = "/sbin/init\0splash";
	struct task *init, *kthreadd, *t;
	int err, i;

	init = alloc_task();
	if (!init)
		return -ENOMEM;
	if (init_signal(init)) {
		free(init);
		return -ENOMEM;
	}
	err = pid_store_alloc(&k->pids, &init->pid);
	if (err) {
		free(init->signal);
		free(init);
		return err;
	}
	init->tgid = init->pid;
	init->signal->pgrp = init->signal->session = 1;
	init->start_time = 1;
	init->exit_signal = SIGCHLD;
	set_task_comm(init, "systemd");
	init->mm = binfmt_load(k, "/usr/lib/systemd/systemd", init_args,
			       sizeof(init_args), "HOME=/\0TERM=linux", 18);
	if (!init->mm) {
		pid_store_free(&k->pids, init->pid);
		free(init->signal);
		free(init);
		return -ENOMEM;
	}
	init->wchan = "ep_poll";
	init->flags = PF_SUPERPRIV | PF_RANDOMIZE;
	pid_store_install(&k->pids, init->pid, init);
	k->init_task = init;
	k->nr_tasks = k->nr_processes = 1;
	k->total_forks = 1;

	/* kthreadd is init's sibling under the idle task: ppid 0. */
	err = copy_process(k, init, CLONE_VM, &kthreadd);
	if (err)
		return err;
	list_del_init(&kthreadd->sibling);
	kthreadd->real_parent = kthreadd->parent = NULL;
	kthreadd->flags = PF_KTHREAD | PF_NOFREEZE | PF_FORKNOEXEC;
	kthreadd->signal->pgrp = kthreadd->signal->session = 0;
	mmput(kthreadd->mm);
	kthreadd->mm = NULL;
	kthreadd->start_time = 1;
	kthreadd->wchan = "kthreadd";
	set_task_comm(kthreadd, "kthreadd");
	k->kthreadd = kthreadd;

	for (i = 0; i < (int)(sizeof(boot_kthreads) / sizeof(*boot_kthreads)); i++) {
		err = copy_process(k, kthreadd, 0, &t);
		if (err)
			return err;
		set_task_comm(t, boot_kthreads[i]);
		t->state = strncmp(t->comm, "kworker/R", 9) ? TASK_INTERRUPTIBLE : TASK_IDLE;
		t->start_time = 2 + i / 8;
		t->cpu = strchr(boot_kthreads[i], '1') ? 1 : 0;
		t->wchan = "smpboot_thread_fn";
	}
	return 0;
}

int kernel_init(struct kernel *k, const struct kernel_opts *o)
{
	static const struct kernel_opts defaults;
	const struct pid_store_ops *ops;
	int err;

	if (!o)
		o = &defaults;
	memset(k, 0, sizeof(*k));
	k->log_seq = 1;		/* tasks start at 0: not logged */
	if (kernel_opts_check(o, NULL))
		return -EINVAL;
	ops = pid_store_find_ops(o->pidstore ? o->pidstore : "idr");
	k->wait = o->wait ? wait_find_strategy(o->wait) : wait_strategies[0];
	if (!ops || !k->wait)
		return -EINVAL;
	err = pid_store_init(&k->pids, ops, o->pid_max ? o->pid_max : PID_MAX_DEFAULT);
	if (err)
		return err;
	k->kstat = k->pids.kstat = o->kstat;
	k->pids.lock_mode = o->pidlock && !strcmp(o->pidlock, "once") ?
			    PIDLOCK_ONCE : PIDLOCK_TWICE;
	k->pids.timing = o->pidlock_timing;
	k->concurrent = o->concurrent;
	if (k->concurrent)
		pid_store_set_concurrent(&k->pids);
	k->mm_cfg.vma_ops = vma_store_find_ops(o->vmastore ? o->vmastore : "list");
	k->mm_cfg.forkdup = o->forkdup;
	k->mm_cfg.legacy_layout = o->mmap_legacy;
	k->mm_cfg.kstat = o->kstat;
	if (!k->mm_cfg.vma_ops || mm_config_check(&k->mm_cfg)) {
		pid_store_destroy(&k->pids);
		return -EINVAL;
	}
	k->strings = k->mm_cfg.names = intern_create();
	if (!k->strings) {
		pid_store_destroy(&k->pids);
		return -ENOMEM;
	}
	pthread_rwlock_init(&k->lock, NULL);
	pthread_rwlock_init(&k->tasklist_lock, NULL);
	k->max_map_count = o->max_map_count ? o->max_map_count : DEFAULT_MAX_MAP_COUNT;
	k->nr_cpus = o->nr_cpus ? o->nr_cpus : 2;
	k->mem_total_kb = o->mem_total_kb ? o->mem_total_kb : 24UL << 20;
	k->clock = o->clock ? o->clock : boottime_ticks;
	k->clock_arg = o->clock_arg;
	k->rng = o->seed ? o->seed : 0x9e3779b97f4a7c15ULL;
	k->opts = *o;
	err = watchers_init(k, o->watchers);
	if (err) {
		pid_store_destroy(&k->pids);
		intern_destroy(k->strings);
		pthread_rwlock_destroy(&k->lock);
		pthread_rwlock_destroy(&k->tasklist_lock);
		return err;
	}
	err = boot(k);
	/* After boot: pid 1, 2 and the kernel threads come in order. */
	if (!err && o->pidlock_shards)
		err = pid_store_set_shards(&k->pids);
	if (err)
		kernel_destroy(k);
	return err;
}

/* Free every task and its pid; no list bookkeeping on the way out. */
void kernel_free_tasks(struct kernel *k)
{
	struct task *t;
	int pid;

	while ((pid = pid_store_next(&k->pids, 0, &t)) >= 0) {
		pid_store_free(&k->pids, pid);
		if (thread_group_leader(t))
			signal_free(t->signal);
		mmput(t->mm);
		free(t->keys);	/* a live task's keyring (watch_keys.c) */
		free(t);
	}
}

static void free_world(struct kernel *k)
{
	kernel_free_tasks(k);
	populate_layouts_free(k);
	pid_store_destroy(&k->pids);
	watchers_destroy(k);
	intern_destroy(k->strings);	/* after the mms whose VMAs use them */
	k->strings = k->mm_cfg.names = NULL;
	free(k->changed.v);
	free(k->gone.v);
	free(k->born.v);
	memset(&k->changed, 0, sizeof(k->changed));
	memset(&k->gone, 0, sizeof(k->gone));
	memset(&k->born, 0, sizeof(k->born));
}

void kernel_destroy(struct kernel *k)
{
	free_world(k);
	pthread_rwlock_destroy(&k->lock);
	pthread_rwlock_destroy(&k->tasklist_lock);
	if (k->concurrent)
		core_rcu_barrier();	/* the tasks and nodes call_rcu frees */
}

#define SWAP(a, b) do { __typeof__(a) tmp_ = (a); (a) = (b); (b) = tmp_; } while (0)

void kernel_replace(struct kernel *k, struct kernel *fresh)
{
	struct task *t;
	int pid;

	/* The event rings outlive a reset: their readers keep their place. */
	SWAP(fresh->cnproc, k->cnproc);
	SWAP(fresh->audit, k->audit);
	pthread_rwlock_destroy(&fresh->lock);
	fresh->tasklist_lock = k->tasklist_lock;	/* unused: world held */
	/* How pids are locked is the daemon's choice, not the world's. */
	fresh->pids.lock_mode = k->pids.lock_mode;
	fresh->pids.timing = k->pids.timing;
	fresh->gen = k->gen + 1;
	fresh->epoch = k->epoch + 1;
	fresh->track_changes = k->track_changes;
	fresh->changed = k->changed;
	fresh->gone = k->gone;
	fresh->born = k->born;
	memset(&k->changed, 0, sizeof(k->changed));
	memset(&k->gone, 0, sizeof(k->gone));
	memset(&k->born, 0, sizeof(k->born));
	/* Every old task is gone, as far as the daemon's caches go. */
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		if (fresh->track_changes)
			log_change(&fresh->gone, t, k->epoch);
	free_world(k);
	/* Everything but the lock, which the caller holds right now. */
	_Static_assert(offsetof(struct kernel, lock) == 0, "lock comes first");
	memcpy((char *)k + sizeof(k->lock), (char *)fresh + sizeof(fresh->lock),
	       sizeof(*k) - sizeof(k->lock));
}

int kernel_reset(struct kernel *k)
{
	struct kernel fresh;
	struct kernel_opts o = k->opts;
	int err;

	o.pidstore = k->pids.ops->name;
	o.pid_max = k->pids.pid_max;
	o.max_map_count = k->max_map_count;
	o.wait = k->wait->name;
	o.vmastore = k->mm_cfg.vma_ops->name;
	o.watchers = k->watch->name;
	o.pidlock = k->pids.lock_mode == PIDLOCK_ONCE ? "once" : "twice";
	o.pidlock_timing = k->pids.timing;
	err = kernel_init(&fresh, &o);
	if (err)
		return err;
	kernel_replace(k, &fresh);
	return 0;
}
