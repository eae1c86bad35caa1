// SPDX-License-Identifier: MIT
/*
 * The /proc tree's request handlers, transport-independent (procfs_req.h):
 * lookups, attributes, links and renders.  Nodes and their attributes are
 * in procfs_node.c, listings in procfs_dir.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "caller.h"
#include "proc_links.h"
#include "procfs_node.h"
#include "render_clients.h"

struct node preq_node(const struct preq *r, uint64_t ino)
{
	if (r->control && ino == PREQ_ROOT_ID)
		return (struct node){ 0, 0, NODE_PROCSIM, 0 };
	return ino_node(ino);
}

/* In the /proc tree with cache=on, procsim is a symlink to the control mount. */
bool procsim_is_link(const struct preq *r, unsigned kind)
{
	return kind == NODE_PROCSIM && r->fs->cache && !r->control;
}

/*
 * A render buffer per thread, for sizes and page reads.  Freed when the thread ends:
 * libfuse retires idle workers and starts new ones, so a plain __thread
 * buffer would leak one per retired thread.
 */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
	buf_free(p);
	free(p);
}

static void scratch_key_init(void)
{
	if (pthread_key_create(&scratch_key, scratch_free))
		abort();
}

struct buf *preq_thread_buf(void)
{
	struct buf *b;

	pthread_once(&scratch_once, scratch_key_init);
	b = pthread_getspecific(scratch_key);
	if (!b) {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
		buf_init(b);
		if (pthread_setspecific(scratch_key, b)) {
			free(b);
			return NULL;
		}
	}
	return b;
}

/*
 * /proc/<pid>/ns unless -o ns_links=on: a stat() of each link costs a
 * READLINK round trip (FUSE cannot cache symlinks while /proc/self's
 * target depends on the caller), and pstree and ps stat all eight links
 * of every process, which made a warm pstree -p 15x slower.
 */
bool node_hidden(const struct preq *r, unsigned kind)
{
	return kind == NODE_NS_DIR && !r->fs->ns_links;
}

/* A numeric name under /proc: a simulated pid, else maybe the caller. */
static int lookup_pid(const struct preq *r, const char *name, struct node *out)
{
	int pid = parse_pid_name(name);

	if (pid < 0)
		return -ENOENT;
	if (find_task(&r->fs->k, pid)) {
		*out = (struct node){ pid, 0, NODE_PID_DIR,
				      node_epoch(r->fs->k.epoch) };
		return 0;
	}
	if (caller_tgid(r, NULL) == pid) {
		*out = (struct node){ pid, 0, NODE_PID_DIR | NODE_CALLER_FLAG, 0 };
		return 0;
	}
	return -ENOENT;
}

/* Resolve @name in @p, read lock held: 0 and *@n, or -ENOENT. */
static int lookup_node(const struct preq *r, struct node p, const char *name,
		       struct node *n)
{
	unsigned kind = base_kind(p), flag = p.kind & NODE_CALLER_FLAG;
	const struct dir_entry *e;

	if (kind_is_task_node(kind) && !node_task(r, p))
		return -ENOENT;
	if (kind == NODE_TASK_DIR) {
		int tid = parse_pid_name(name);
		struct task *t = tid > 0 ? (flag ? (tid == p.pid ? node_task(r, p) : NULL)
					     : find_task(&r->fs->k, tid)) : NULL;

		if (!t || t->tgid != node_task(r, p)->tgid)
			return -ENOENT;
		*n = (struct node){ p.pid, tid, NODE_TID_DIR | flag, p.epoch };
		return 0;
	}
	if ((e = dir_lookup(kind, name)) && !node_hidden(r, e->kind)) {
		*n = (struct node){ p.pid, e->aux ? e->aux : p.tid, e->kind | flag, p.epoch };
		return 0;
	}
	if (proc_dir_dynamic(kind))
		return proc_dir_lookup(&r->fs->k, kind_is_task_node(kind) ? node_task(r, p) : NULL,
				       p, name, n);
	if (kind == NODE_ROOT)
		return lookup_pid(r, name, n);
	return -ENOENT;
}

int preq_lookup(const struct preq *r, uint64_t parent, const char *name,
		struct preq_entry *e)
{
	struct node p = preq_node(r, parent), n = { 0, 0, 0, 0 };
	unsigned kind = base_kind(p);
	int err;

	procfs_rdlock(r->fs);
	err = lookup_node(r, p, name, &n);
	if (err == -ENOENT && kind != NODE_ROOT && kind != NODE_TASK_DIR &&
	    !proc_dir_dynamic(kind) &&
	    (!kind_is_task_node(kind) || node_task(r, p))) {
		/* A name a fixed directory lacks never appears: cache the miss. */
		memset(e, 0, sizeof(*e));
		e->entry_timeout = FIXED_TIMEOUT;
		err = 0;
	} else if (!err) {
		err = fill_entry(r, n, e);
	}
	procfs_unlock(r->fs);
	return err;
}

int preq_getattr(const struct preq *r, uint64_t ino, struct stat *st,
		 double *timeout)
{
	const struct cache_policy *p;
	int err;

	procfs_rdlock(r->fs);
	err = node_stat(r, preq_node(r, ino), st, true, &p);
	*timeout = err ? 0 : policy_timeout(p->attr_timeout, r->fs->attr_timeout);
	procfs_unlock(r->fs);
	return err;
}

int preq_stat(const struct preq *r, uint64_t ino, struct stat *st,
	      bool *keep_cache)
{
	const struct cache_policy *p;
	int err;

	procfs_rdlock(r->fs);
	err = node_stat(r, preq_node(r, ino), st, false, &p);
	if (!err && keep_cache)
		*keep_cache = p->keep_cache;
	procfs_unlock(r->fs);
	return err;
}

int preq_readlink(const struct preq *r, uint64_t ino, char *out, size_t size)
{
	struct node n = preq_node(r, ino);
	int tid, tgid;

	if (procsim_is_link(r, n.kind)) {
		snprintf(out, size, "%s", r->fs->control_path);
		return 0;
	}
	if (n.kind != NODE_SELF && n.kind != NODE_THREAD_SELF) {
		/* exe, cwd, root, fd/<n>, ns/<type>, mounts, net */
		int len;

		procfs_rdlock(r->fs);
		len = proc_link_target(kind_is_task_node(base_kind(n)) ? node_task(r, n) : NULL,
				       n, out, size);
		procfs_unlock(r->fs);
		return len < 0 ? len : 0;
	}
	tgid = caller_tgid(r, &tid);
	if (tgid < 0)
		return -ENOENT;
	if (n.kind == NODE_SELF)
		snprintf(out, size, "%d", tgid);
	else if (n.kind == NODE_THREAD_SELF)
		snprintf(out, size, "%d/task/%d", tgid, tid);
	else
		return -EINVAL;
	return 0;
}

/* Render node @n of task @t (NULL: a global node) at tick @now into @b. */
static int render_node(const struct preq *r, struct node n, struct task *t,
		       unsigned long long now, struct buf *b)
{
	struct procfs *fs = r->fs;
	unsigned kind = base_kind(n);
	const struct dir_entry *e = node_entry(kind, n.tid);
	struct render_ctx c = { .k = &fs->k, .btime = fs->btime, .now = now };
	struct stats_render_mark m;

	buf_reset(b);
	if (kind == NODE_CONFIG) {
		procfs_render_config(b, fs);
	} else if (kind == NODE_STATS) {
		procfs_render_stats(b, fs);
	} else if (kind == NODE_TRACE) {
		trace_render(b, &fs->trace);
	} else if (e && e->global) {
		stats_render_begin(&m);
		e->global(b, &c);
		stats_render_end(&m);
	} else if (e && e->task) {
		if (!t)
			return -ESRCH;
		stats_render_begin(&m);
		e->task(b, &c, t, n.tid == 0);
		stats_render_end(&m);
	} else if (kind == NODE_FDINFO_FILE) {
		if (!t)
			return -ESRCH;
		stats_render_begin(&m);
		render_fdinfo(b, &c, t, n.tid);
		stats_render_end(&m);
	} else {
		return -EINVAL;
	}
	return b->oom ? -ENOMEM : 0;
}

int node_render(const struct preq *r, struct node n, struct task *t,
		const struct cache_policy *p, struct buf *b, size_t *len)
{
	struct procfs *fs = r->fs;
	unsigned long long now = kernel_now(&fs->k);
	struct render_key key;
	int err;

	if (p->render_once) {
		key = (struct render_key){ .epoch = fs->k.epoch, .world_gen = fs->k.gen,
			.forget_gen = render_cache_gen(&fs->rcache), .tick = now };
		if (render_cache_get(&fs->rcache, node_ino(n), &key, b, len)) {
			stats_count(KSTAT_RENDER_HIT);
			return b && b->oom ? -ENOMEM : 0;
		}
		stats_count(KSTAT_RENDER_MISS);
	}
	if (!b && !(b = preq_thread_buf()))
		return -ENOMEM;
	err = render_node(r, n, t, now, b);
	if (err)
		return err;
	*len = b->len;
	if (p->render_once)
		render_cache_put(&fs->rcache, node_ino(n), &key, b);
	return 0;
}

int preq_render(const struct preq *r, uint64_t ino, struct buf *b)
{
	struct node n = preq_node(r, ino);
	const struct cache_policy *p;
	struct task *t;
	size_t len;
	int err;

	procfs_rdlock(r->fs);
	seen_mark_node(&r->fs->seen, n);	/* before the world is read */
	err = node_policy(r, n, &t, &p);
	if (!err)
		err = node_render(r, n, t, p, b, &len);
	procfs_unlock(r->fs);
	return err;
}
