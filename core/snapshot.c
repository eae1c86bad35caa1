// SPDX-License-Identifier: MIT
/*
 * Save and restore of the whole world (see snapshot.h for the format).
 * Load builds a complete new kernel beside the running one and swaps it
 * in only when every section parsed and every link resolved, so a bad
 * file leaves the running world as it was.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"
#include "task_alloc.h"
#include "watchers.h"

enum {
	TAG_END = 0,
	TAG_OPTS = 1,		/* backends and limits: what kernel_init takes */
	TAG_COUNTERS = 2,	/* forks, exits, rng (not gen: a cache stamp) */
	TAG_PIDS = 3,		/* the pid store's cursor */
	TAG_MM = 4,		/* one address space */
	TAG_TASK = 5,		/* one task, in pid order */
	TAG_SCHED = 6,		/* after the tasks: non-default sched attrs */
	TAG_RLIMIT = 7,		/* after the tasks: one process's set limits */
	TAG_IMPORTED = 8,	/* after the tasks: what only import sets */
	TAG_LAYOUT = 9,		/* v2: a shared layout, before its first sharer */
	TAG_MM_SHARED = 10,	/* v2: an address space sharing a layout */
};

/*
 * A record's plain fields, in file order: one table per record drives both
 * save and load, so the two directions cannot drift apart.  Each value is
 * @bytes little-endian bytes on disk (1, 4 or 8): a member narrower than
 * that is zero-extended on save, a wider one truncated, and on load the
 * low bytes are stored back (no member wider than 4 bytes is kept in 4
 * signed ones, so no sign extension is ever needed); a bool reads back as
 * 0 or 1 whatever the byte.
 */
struct field {
	unsigned short off;
	unsigned char size;		/* of the member */
	unsigned char bytes;		/* on disk */
	bool is_bool;
};

#define FIELD(type, member, nbytes) {					\
	.off = offsetof(type, member),					\
	.size = sizeof(((type *)0)->member),				\
	.bytes = (nbytes),						\
	.is_bool = _Generic(((type *)0)->member, bool: true, default: false), \
}
#define FIELDS_N(tab)	(sizeof(tab) / sizeof((tab)[0]))

/* The mm record after its id: the layout, then the address space's marks. */
static const struct field mm_fields[] = {
	FIELD(struct mm_struct, legacy_layout, 1),
	FIELD(struct mm_struct, mmap_base, 8),
	FIELD(struct mm_struct, start_code, 8),
	FIELD(struct mm_struct, end_code, 8),
	FIELD(struct mm_struct, start_data, 8),
	FIELD(struct mm_struct, end_data, 8),
	FIELD(struct mm_struct, start_brk, 8),
	FIELD(struct mm_struct, brk, 8),
	FIELD(struct mm_struct, start_stack, 8),
	FIELD(struct mm_struct, arg_start, 8),
	FIELD(struct mm_struct, arg_end, 8),
	FIELD(struct mm_struct, env_start, 8),
	FIELD(struct mm_struct, env_end, 8),
	FIELD(struct mm_struct, hiwater_vm, 8),
	FIELD(struct mm_struct, hiwater_rss, 8),
};

/* One VMA, before its name. */
static const struct field vma_fields[] = {
	FIELD(struct vm_area_struct, vm_start, 8),
	FIELD(struct vm_area_struct, vm_end, 8),
	FIELD(struct vm_area_struct, vm_flags, 8),
	FIELD(struct vm_area_struct, vm_pgoff, 8),
	FIELD(struct vm_area_struct, dev, 4),
	FIELD(struct vm_area_struct, ino, 8),
	FIELD(struct vm_area_struct, rss_pages, 8),
};

/*
 * A task record's runs of plain fields, between the ones that need more
 * (parent pids, comm, wchan, the mm and the key): ids, then state, then
 * the body, then ptrace.
 */
static const struct field task_ids[] = {
	FIELD(struct task, pid, 4),
	FIELD(struct task, tgid, 4),
};

static const struct field task_state[] = {
	FIELD(struct task, state, 1),
	FIELD(struct task, flags, 4),
};

static const struct field task_body[] = {
	FIELD(struct task, cred.uid, 4),
	FIELD(struct task, cred.euid, 4),
	FIELD(struct task, cred.suid, 4),
	FIELD(struct task, cred.fsuid, 4),
	FIELD(struct task, cred.gid, 4),
	FIELD(struct task, cred.egid, 4),
	FIELD(struct task, cred.sgid, 4),
	FIELD(struct task, cred.fsgid, 4),
	FIELD(struct task, exit_code, 4),
	FIELD(struct task, exit_signal, 4),
	FIELD(struct task, nice, 4),
	FIELD(struct task, utime, 8),
	FIELD(struct task, stime, 8),
	FIELD(struct task, start_time, 8),
	FIELD(struct task, minflt, 8),
	FIELD(struct task, majflt, 8),
	FIELD(struct task, nvcsw, 8),
	FIELD(struct task, nivcsw, 8),
	FIELD(struct task, cpu, 4),
};

static const struct field task_trace[] = {
	FIELD(struct task, ptrace, 1),
	FIELD(struct task, ptrace_code, 4),
};

/* A thread-group leader's signal_struct, after its children and tracees. */
static const struct field signal_fields[] = {
	FIELD(struct signal_struct, nr_threads, 4),
	FIELD(struct signal_struct, pgrp, 4),
	FIELD(struct signal_struct, session, 4),
	FIELD(struct signal_struct, tty_nr, 4),
	FIELD(struct signal_struct, tpgid, 4),
	FIELD(struct signal_struct, group_exit_code, 4),
	FIELD(struct signal_struct, group_exiting, 1),
	FIELD(struct signal_struct, is_child_subreaper, 1),
	FIELD(struct signal_struct, flags, 4),
	FIELD(struct signal_struct, group_stop_code, 4),
	FIELD(struct signal_struct, pending_fatal, 4),
	FIELD(struct signal_struct, cutime, 8),
	FIELD(struct signal_struct, cstime, 8),
};

/* ---- CRC32 (IEEE 802.3, reflected), table-driven, 8 bytes a step ---- */

static uint32_t crc_table[8][256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int j = 0; j < 8; j++)
			c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	/* Slicing-by-8: table t[k] advances a byte through k more zero bytes. */
	for (int t = 1; t < 8; t++)
		for (int i = 0; i < 256; i++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
					  crc_table[0][crc_table[t - 1][i] & 0xff];
}

uint32_t snapshot_crc32(const void *data, size_t len)
{
	return crc32_update(0, data, len);
}

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t c = crc ^ 0xffffffffU;

	if (!crc_table[0][1])
		crc_init();
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo = c ^ (p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);

		c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		    crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		    crc_table[3][p[4]] ^ crc_table[2][p[5]] ^
		    crc_table[1][p[6]] ^ crc_table[0][p[7]];
	}
	while (len--)
		c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffU;
}

/* ---- the writer: a growable byte sink ---- */

struct sink {
	unsigned char *p;
	size_t n, cap;
	bool oom;
};

static unsigned char *sink_room(struct sink *s, size_t n)
{
	if (s->oom)
		return NULL;
	if (s->n + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		unsigned char *p;

		while (cap < s->n + n)
			cap *= 2;
		p = realloc(s->p, cap);
		if (!p) {
			s->oom = true;
			return NULL;
		}
		s->p = p;
		s->cap = cap;
	}
	s->n += n;
	return s->p + s->n - n;
}

static void put_le(struct sink *s, uint64_t v, int bytes)
{
	unsigned char *p = sink_room(s, bytes);

	for (int i = 0; p && i < bytes; i++)
		p[i] = v >> (8 * i);
}

#define put_u8(s, v)	put_le(s, (uint8_t)(v), 1)
#define put_u32(s, v)	put_le(s, (uint32_t)(v), 4)
#define put_u64(s, v)	put_le(s, (uint64_t)(v), 8)

/* A member of @size bytes at @m, zero-extended (its bits, whatever sign). */
static uint64_t member_get(const void *m, int size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1: memcpy(&u8, m, 1); return u8;
	case 2: memcpy(&u16, m, 2); return u16;
	case 4: memcpy(&u32, m, 4); return u32;
	default: memcpy(&u64, m, 8); return u64;
	}
}

/* Store @v's low @size bytes as the member at @m. */
static void member_set(void *m, int size, uint64_t v)
{
	uint8_t u8 = v;
	uint16_t u16 = v;
	uint32_t u32 = v;

	switch (size) {
	case 1: memcpy(m, &u8, 1); break;
	case 2: memcpy(m, &u16, 2); break;
	case 4: memcpy(m, &u32, 4); break;
	default: memcpy(m, &v, 8); break;
	}
}

/* @obj's fields @f[0..n) into @s, in table order. */
static void put_fields(struct sink *s, const void *obj, const struct field *f,
		       size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_le(s, member_get((const char *)obj + f[i].off, f[i].size),
		       f[i].bytes);
}

static void put_bytes(struct sink *s, const void *d, size_t n)
{
	unsigned char *p;

	put_u32(s, n);
	p = sink_room(s, n);
	if (p && n)
		memcpy(p, d, n);
}

/* A string that may be NULL: u8 present, then the bytes. */
static void put_str(struct sink *s, const char *str)
{
	put_u8(s, str != NULL);
	if (str)
		put_bytes(s, str, strlen(str));
}

static size_t section_begin(struct sink *s, uint32_t tag)
{
	put_u32(s, tag);
	put_u32(s, 0);		/* the length, patched by section_end */
	return s->n;
}

static void section_end(struct sink *s, size_t start)
{
	uint32_t len = s->n - start;

	if (s->oom)
		return;
	for (int i = 0; i < 4; i++)
		s->p[start - 4 + i] = len >> (8 * i);
}

/* ---- save ---- */

/* Pointer -> small id, for the mms shared by threads. */
struct ptr_map {
	const void **key;
	uint32_t *id;
	size_t cap, n;
};

/* @p's slot in @m: its key's, or the empty one it would go in. */
static size_t map_probe(const struct ptr_map *m, const void *p)
{
	size_t i = ((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ULL & (m->cap - 1);

	while (m->key[i] && m->key[i] != p)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static uint32_t *map_slot(struct ptr_map *m, const void *p)
{
	size_t i = map_probe(m, p);

	m->key[i] = p;
	return &m->id[i];
}

/* @p's id, or 0 if it has none (no insertion). */
static uint32_t map_find(const struct ptr_map *m, const void *p)
{
	size_t i = map_probe(m, p);

	return m->key[i] ? m->id[i] : 0;
}

/* An empty map with room for @n keys at half load; false on ENOMEM. */
static bool map_init(struct ptr_map *m, size_t n)
{
	m->cap = 64;
	while (m->cap < 2 * n + 2)
		m->cap *= 2;
	m->key = calloc(m->cap, sizeof(*m->key));
	m->id = calloc(m->cap, sizeof(*m->id));
	return m->key && m->id;
}

static void map_free(struct ptr_map *m)
{
	free(m->key);
	free(m->id);
}

static void save_opts(struct sink *s, const struct kernel *k)
{
	size_t sec = section_begin(s, TAG_OPTS);

	put_str(s, k->pids.ops->name);
	put_str(s, k->mm_cfg.vma_ops->name);
	put_str(s, k->wait->name);
	put_str(s, k->watch->name);
	put_u32(s, k->pids.pid_max);
	put_u32(s, k->max_map_count);
	put_u32(s, k->mm_cfg.forkdup);
	put_u8(s, k->mm_cfg.legacy_layout);
	put_u32(s, k->nr_cpus);
	put_u64(s, k->mem_total_kb);
	put_u64(s, k->opts.seed);
	/* v2: K as it is, not 0 for "the default", which a later build may change */
	put_u32(s, populate_layouts_per_prog(k));
	section_end(s, sec);
}

static void save_counters(struct sink *s, const struct kernel *k)
{
	size_t sec = section_begin(s, TAG_COUNTERS);

	put_u64(s, k->total_forks);
	put_u64(s, k->total_exits);
	put_u64(s, k->rng);
	section_end(s, sec);

	sec = section_begin(s, TAG_PIDS);
	put_u32(s, k->pids.last_pid);
	section_end(s, sec);
}

/* An address space whole: its fields, args, env and every VMA. */
static void save_mm_body(struct sink *s, const struct mm_struct *mm)
{
	const struct vm_area_struct *v;

	put_fields(s, mm, mm_fields, FIELDS_N(mm_fields));
	put_u8(s, mm->args != NULL);
	put_bytes(s, mm->args, mm->args ? mm->args_len : 0);
	put_u8(s, mm->env != NULL);
	put_bytes(s, mm->env, mm->env ? mm->env_len : 0);
	put_u32(s, mm->map_count);
	for (v = vma_first(mm); v; v = vma_next(mm, v)) {
		put_fields(s, v, vma_fields, FIELDS_N(vma_fields));
		put_str(s, v->name);
	}
}

static void save_mm(struct sink *s, const struct mm_struct *mm, uint32_t id)
{
	size_t sec = section_begin(s, TAG_MM);

	put_u32(s, id);
	save_mm_body(s, mm);
	section_end(s, sec);
}

/*
 * TAG_LAYOUT: a template some mm shares (mm_share), numbered from 1 in
 * file order: its id, u8 pooled, and if pooled its place in populate's pool
 * (program number, slot, the program's path and argv), then the template
 * as a TAG_MM body.  A pool template nobody shares is not saved: populate
 * builds it again, the same, from its program and slot.
 */
static void save_layout(struct sink *s, const struct mm_struct *tmpl,
			uint32_t id, const struct layout_key *key)
{
	size_t sec = section_begin(s, TAG_LAYOUT);

	put_u32(s, id);
	put_u8(s, key != NULL);
	if (key) {
		put_u32(s, key->prog);
		put_u32(s, key->slot);
		put_str(s, key->path);
		put_str(s, key->args);
	}
	save_mm_body(s, tmpl);
	section_end(s, sec);
}

/*
 * TAG_MM_SHARED: an mm (same numbering as TAG_MM) that reads layout
 * @layout's VMAs, args and env: only its own fields.  While it shares, its
 * VMA counts and totals are the template's (every write unshares first).
 */
static void save_mm_shared(struct sink *s, const struct mm_struct *mm,
			   uint32_t id, uint32_t layout)
{
	size_t sec = section_begin(s, TAG_MM_SHARED);

	put_u32(s, id);
	put_u32(s, layout);
	put_fields(s, mm, mm_fields, FIELDS_N(mm_fields));
	section_end(s, sec);
}

/* populate's pool, to look templates up in: template -> key index + 1. */
struct pool_keys {
	struct ptr_map map;
	struct layout_key *key;		/* [n], room for cap (the pool's count) */
	size_t n, cap;
};

static int count_key(void *arg, const struct layout_key *key,
		     struct mm_struct *tmpl)
{
	(void)key;
	(void)tmpl;
	((struct pool_keys *)arg)->cap++;
	return 0;
}

static int note_key(void *arg, const struct layout_key *key,
		    struct mm_struct *tmpl)
{
	struct pool_keys *pk = arg;

	pk->key[pk->n] = *key;
	*map_slot(&pk->map, tmpl) = ++pk->n;
	return 0;
}

static int pool_keys_init(struct pool_keys *pk, const struct kernel *k)
{
	populate_layouts_walk(k, count_key, pk);
	pk->key = malloc((pk->cap + 1) * sizeof(*pk->key));
	if (!pk->key || !map_init(&pk->map, pk->cap))
		return -ENOMEM;
	return populate_layouts_walk(k, note_key, pk);
}

/*
 * Each mm once, before the first task that uses it; a shared layout once,
 * before the first mm that shares it.  @mms numbers the mms, @layouts the
 * templates.
 */
static void save_mms(struct sink *s, const struct kernel *k, struct ptr_map *mms,
		     struct ptr_map *layouts, const struct pool_keys *pk)
{
	struct task *t;
	int pid;

	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		const struct mm_struct *src;
		uint32_t *id, *lid, key;

		if (!t->mm)
			continue;
		id = map_slot(mms, t->mm);
		if (*id)
			continue;
		*id = ++mms->n;
		src = t->mm->cow_src;
#ifdef PROCSIM_MUTATE_no_layout_save	/* test hook: see tools/test */
		src = NULL;		/* every mm whole and private, as v1 */
#endif
		if (!src) {
			save_mm(s, t->mm, *id);
			continue;
		}
		lid = map_slot(layouts, src);
		if (!*lid) {
			*lid = ++layouts->n;
			key = map_find(&pk->map, src);
			save_layout(s, src, *lid, key ? &pk->key[key - 1] : NULL);
		}
		save_mm_shared(s, t->mm, *id, *lid);
	}
}

static void put_pid_list(struct sink *s, const struct list_head *head,
			 size_t link_off)
{
	const struct list_head *pos;
	uint32_t n = 0;

	for (pos = head->next; pos != head; pos = pos->next)
		n++;
	put_u32(s, n);
	for (pos = head->next; pos != head; pos = pos->next)
		put_u32(s, ((const struct task *)((const char *)pos - link_off))->pid);
}

static void save_task(struct sink *s, const struct task *t, uint32_t mm_id)
{
	size_t sec = section_begin(s, TAG_TASK);
	const struct signal_struct *sig = t->signal;
	unsigned int kuid = 0, kgid = 0;
	int kserial = 0;
	bool has_key = keys_get(t, &kuid, &kgid, &kserial);

	put_fields(s, t, task_ids, FIELDS_N(task_ids));
	put_u32(s, t->real_parent ? t->real_parent->pid : 0);
	put_u32(s, t->parent ? t->parent->pid : 0);
	put_fields(s, t, task_state, FIELDS_N(task_state));
	{
		unsigned char *p = sink_room(s, TASK_COMM_LEN);

		if (p)
			memcpy(p, t->comm, TASK_COMM_LEN);
	}
	put_fields(s, t, task_body, FIELDS_N(task_body));
	put_str(s, t->wchan);
	put_fields(s, t, task_trace, FIELDS_N(task_trace));
	put_u32(s, mm_id);
	put_u8(s, has_key);
	put_u32(s, kuid);
	put_u32(s, kgid);
	put_u32(s, kserial);
	put_pid_list(s, &t->children, offsetof(struct task, sibling));
	put_pid_list(s, &t->ptraced, offsetof(struct task, ptrace_entry));
	if (thread_group_leader(t)) {
		put_fields(s, sig, signal_fields, FIELDS_N(signal_fields));
		put_pid_list(s, &sig->thread_head,
			     offsetof(struct task, thread_node));
	}
	section_end(s, sec);
}

/* Scheduling attributes left at their defaults (the common case). */
static bool sched_default(const struct task *t)
{
	return !t->policy && !t->rt_priority && !t->ioprio && !t->cpus_excluded;
}

/*
 * TAG_SCHED: a count, then (pid, policy, rt_priority, ioprio,
 * cpus_excluded) for each task whose attributes are not the defaults.
 * A section of its own, after every task, so that a file without it (an
 * older save) loads with the defaults and an older loader skips it.
 */
static void save_sched(struct sink *s, const struct kernel *k)
{
	size_t sec = section_begin(s, TAG_SCHED), at;
	uint32_t n = 0;
	struct task *t;
	int pid;

	at = s->n;
	put_u32(s, 0);
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		if (sched_default(t))
			continue;
		put_u32(s, t->pid);
		put_u8(s, t->policy);
		put_u8(s, t->rt_priority);
		put_le(s, t->ioprio, 2);
		put_u64(s, t->cpus_excluded);
		n++;
	}
	for (int i = 0; !s->oom && i < 4; i++)	/* the count, little-endian */
		s->p[at + i] = n >> (8 * i);
	section_end(s, sec);
}

/* TAG_RLIMIT: the pid, then RLIM_NLIMITS (soft, hard) pairs. */
static void save_rlimits(struct sink *s, const struct kernel *k)
{
	struct task *t;
	int pid, i;

	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		size_t sec;

		if (!thread_group_leader(t) || !t->signal->rlim)
			continue;
		sec = section_begin(s, TAG_RLIMIT);
		put_u32(s, t->pid);
		for (i = 0; i < RLIM_NLIMITS; i++) {
			put_u64(s, t->signal->rlim[i].rlim_cur);
			put_u64(s, t->signal->rlim[i].rlim_max);
		}
		section_end(s, sec);
	}
}

/*
 * TAG_IMPORTED, one per task that has them: the pid, its full name (a
 * kernel thread's whole "kworker/R-rcu_gp", or absent) and, for a leader,
 * its mm's locked_vm.  Only an import sets these; a section of its own so
 * that older files load without it and older loaders skip it.
 */
static void save_imported(struct sink *s, const struct kernel *k)
{
	struct task *t;
	int pid;

	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t)) {
		unsigned long locked = thread_group_leader(t) && t->mm ?
				       t->mm->locked_vm : 0;
		size_t sec;

		if (!t->full_name && !locked)
			continue;
		sec = section_begin(s, TAG_IMPORTED);
		put_u32(s, t->pid);
		put_str(s, t->full_name);
		put_u64(s, locked);
		section_end(s, sec);
	}
}

int kernel_save(const struct kernel *k, void **out, size_t *len)
{
	struct sink s = { 0 };
	struct ptr_map m = { 0 }, lm = { 0 };
	struct pool_keys pk = { 0 };
	struct task *t;
	uint32_t crc;
	int pid;

	if (!map_init(&m, k->nr_tasks) || !map_init(&lm, k->nr_tasks) ||
	    pool_keys_init(&pk, k))
		goto oom;
	if (sink_room(&s, 8))
		memcpy(s.p, SNAPSHOT_MAGIC, 8);
	put_u32(&s, SNAPSHOT_VERSION);
	save_opts(&s, k);
	save_counters(&s, k);
	save_mms(&s, k, &m, &lm, &pk);
	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		save_task(&s, t, t->mm ? *map_slot(&m, t->mm) : 0);
	save_sched(&s, k);
	save_rlimits(&s, k);
	save_imported(&s, k);
	section_end(&s, section_begin(&s, TAG_END));
	if (s.oom)
		goto oom;
	crc = snapshot_crc32(s.p, s.n);
	put_u32(&s, crc);
	if (s.oom)
		goto oom;
	map_free(&m);
	map_free(&lm);
	map_free(&pk.map);
	free(pk.key);
	*out = s.p;
	*len = s.n;
	return 0;
oom:
	map_free(&m);
	map_free(&lm);
	map_free(&pk.map);
	free(pk.key);
	free(s.p);
	return -ENOMEM;
}

/* ---- the reader: bounds-checked, the first error sticks ---- */

struct src {
	const unsigned char *p;
	size_t n, off;
	bool short_read;
};

static const unsigned char *take(struct src *r, size_t n)
{
	if (r->short_read || n > r->n - r->off) {
		r->short_read = true;
		return NULL;
	}
	r->off += n;
	return r->p + r->off - n;
}

static uint64_t get_le(struct src *r, int bytes)
{
	const unsigned char *p = take(r, bytes);
	uint64_t v = 0;

	for (int i = 0; p && i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#define get_u8(r)	((uint8_t)get_le(r, 1))
#define get_u32(r)	((uint32_t)get_le(r, 4))
#define get_i32(r)	((int32_t)get_le(r, 4))
#define get_u64(r)	get_le(r, 8)

/* @f[0..n) from @r into @obj, as put_fields wrote them. */
static void get_fields(struct src *r, void *obj, const struct field *f,
		       size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v = get_le(r, f[i].bytes);

		member_set((char *)obj + f[i].off, f[i].size,
			   f[i].is_bool ? !!v : v);
	}
}

/* Bytes with their u32 length; *@n gets the length. */
static const unsigned char *get_bytes(struct src *r, size_t *n)
{
	*n = get_u32(r);
	return take(r, *n);
}

/* A string (see put_str) into @buf; false if absent. */
static bool get_str(struct src *r, char *buf, size_t cap)
{
	const unsigned char *p;
	size_t n;

	if (!get_u8(r))
		return false;
	p = get_bytes(r, &n);
	if (!p || n >= cap || memchr(p, '\0', n)) {
		r->short_read = true;	/* reported as malformed below */
		return false;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

struct loader {
	struct kernel *k;		/* the fresh one */
	uint32_t version;		/* the file's */
	struct mm_struct **mms;		/* by id - 1 */
	size_t nr_mms, cap_mms;
	/* Templates by id - 1, each holding a reference of the loader's own
	 * (dropped when the load ends, kept by its sharers and the pool). */
	struct mm_struct **layouts;
	size_t nr_layouts, cap_layouts;
	char *why;
	struct src sections;		/* every section after the header */
};

static int fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->why, SNAPSHOT_WHY_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int load_opts(struct src *r, struct kernel_opts *o, char *names[4],
		     uint32_t version, char *why)
{
	static const char *const what[4] = { "pidstore", "vmastore", "wait",
					      "watchers" };

	for (int i = 0; i < 4; i++)
		if (!get_str(r, names[i], 64)) {
			snprintf(why, SNAPSHOT_WHY_LEN, "bad %s name", what[i]);
			return -EINVAL;
		}
	o->pidstore = names[0];
	o->vmastore = names[1];
	o->wait = names[2];
	o->watchers = names[3];
	o->pid_max = get_i32(r);
	o->max_map_count = get_i32(r);
	o->forkdup = get_u32(r) ? FORKDUP_BULK : FORKDUP_INSERT;
	o->mmap_legacy = get_u8(r);
	o->nr_cpus = get_i32(r);
	o->mem_total_kb = get_u64(r);
	o->seed = get_u64(r);
	if (version >= 2)	/* else the running world's, as before v2 */
		o->populate_layouts = get_i32(r);
	if (r->short_read) {
		snprintf(why, SNAPSHOT_WHY_LEN, "options section too short");
		return -EINVAL;
	}
	if (o->pid_max <= RESERVED_PIDS || o->pid_max > PID_MAX_LIMIT ||
	    o->max_map_count < 1 || o->nr_cpus < 1 || o->nr_cpus > 4096 ||
	    !pid_store_find_ops(o->pidstore) || !vma_store_find_ops(o->vmastore) ||
	    !wait_find_strategy(o->wait) || !watch_find_ops(o->watchers)) {
		snprintf(why, SNAPSHOT_WHY_LEN, "bad options (%.12s, %.12s, %.12s, %.12s)",
			 o->pidstore, o->vmastore, o->wait, o->watchers);
		return -EINVAL;
	}
	if (o->populate_layouts < -1 || o->populate_layouts > POPULATE_LAYOUTS_MAX) {
		snprintf(why, SNAPSHOT_WHY_LEN, "bad populate_layouts %d",
			 o->populate_layouts);
		return -EINVAL;
	}
	return 0;
}

/* Room for one more pointer in *@v (of *@cap); false on ENOMEM. */
static bool grow_ptrs(struct mm_struct ***v, size_t n, size_t *cap)
{
	struct mm_struct **p;
	size_t c;

	if (n < *cap)
		return true;
	c = *cap ? 2 * *cap : 64;
	p = realloc(*v, c * sizeof(*p));
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

/* What save_mm_body wrote, into the new mm @mm (@what @id, for errors). */
static int load_mm_body(struct loader *l, struct src *r, struct mm_struct *mm,
			const char *what, uint32_t id)
{
	const unsigned char *p;
	uint32_t n, i;
	size_t len;
	int err;

	get_fields(r, mm, mm_fields, FIELDS_N(mm_fields));
	for (i = 0; i < 2; i++) {
		bool present = get_u8(r);

		p = get_bytes(r, &len);
		if (r->short_read)
			return fail(l, "%s %u: section too short", what, id);
		if (present && (err = (i ? mm_set_env : mm_set_args)(mm,
				(const char *)p, len)))
			return err;
	}
	n = get_u32(r);
	for (i = 0; i < n && !r->short_read; i++) {
		struct vm_area_struct v = { 0 };
		char name[4096];

		get_fields(r, &v, vma_fields, FIELDS_N(vma_fields));
		if (get_str(r, name, sizeof(name)) &&
		    !(v.name = intern(mm->names, name)))
			return -ENOMEM;
		if (r->short_read)
			break;
		err = mm_restore_vma(mm, &v);
		if (err == -EINVAL)
			return fail(l, "%s %u: bad vma %lx-%lx", what, id,
				    v.vm_start, v.vm_end);
		if (err)
			return err;
	}
	if (r->short_read)
		return fail(l, "%s %u: section too short", what, id);
	return 0;
}

/* The new mm @mm (NULL: ENOMEM) as the next number; 0 or -ENOMEM. */
static int add_mm(struct loader *l, struct mm_struct *mm)
{
	if (!mm)
		return -ENOMEM;
	if (!grow_ptrs(&l->mms, l->nr_mms, &l->cap_mms)) {
		mmput(mm);
		return -ENOMEM;
	}
	mm->users = 0;		/* counted as tasks take it */
	l->mms[l->nr_mms++] = mm;
	return 0;
}

static int load_mm(struct loader *l, struct src *r)
{
	uint32_t id = get_u32(r);
	int err;

	if (id != l->nr_mms + 1)
		return fail(l, "mm %u out of order", id);
	err = add_mm(l, mm_alloc(&l->k->mm_cfg));
	return err ?: load_mm_body(l, r, l->mms[id - 1], "mm", id);
}

/*
 * TAG_LAYOUT (see save_layout): a template, into the pool at its place.
 * A place no program of this build has (another build's tables) leaves it
 * out of the pool, still shared by its mms; a slot out of range or taken
 * is refused.
 */
static int load_layout(struct loader *l, struct src *r)
{
	char path[512], args[512];
	struct layout_key key = { .path = path, .args = args };
	uint32_t id = get_u32(r);
	bool pooled = get_u8(r);
	struct mm_struct *mm;
	int err;

	if (pooled) {
		key.prog = get_u32(r);
		key.slot = get_i32(r);
		if (!get_str(r, path, sizeof(path)) || !get_str(r, args, sizeof(args)))
			r->short_read = true;
	}
	if (r->short_read)
		return fail(l, "layout %u: section too short", id);
	if (id != l->nr_layouts + 1)
		return fail(l, "layout %u out of order", id);
	if (!grow_ptrs(&l->layouts, l->nr_layouts, &l->cap_layouts))
		return -ENOMEM;
	mm = mm_alloc(&l->k->mm_cfg);
	if (!mm)
		return -ENOMEM;
	mm_template_get(mm);		/* the loader's reference */
	l->layouts[l->nr_layouts++] = mm;
	err = load_mm_body(l, r, mm, "layout", id);
	if (err || !pooled)
		return err;
	err = populate_layout_install(l->k, &key, mm);
	if (err == -EINVAL || err == -EEXIST)
		return fail(l, "layout %u: slot %d of program %u bad or taken",
			    id, key.slot, key.prog);
	return err == -ENOENT ? 0 : err;
}

/* TAG_MM_SHARED (see save_mm_shared): an mm sharing a layout read before. */
static int load_mm_shared(struct loader *l, struct src *r)
{
	uint32_t id = get_u32(r), layout = get_u32(r);
	int err;

	if (r->short_read)
		return fail(l, "mm %u: section too short", id);
	if (!layout || layout > l->nr_layouts)
		return fail(l, "mm %u: layout %u unknown", id, layout);
	if (id != l->nr_mms + 1)
		return fail(l, "mm %u out of order", id);
	err = add_mm(l, mm_share(l->layouts[layout - 1]));
	if (err)
		return err;
	get_fields(r, l->mms[id - 1], mm_fields, FIELDS_N(mm_fields));
	return r->short_read ? fail(l, "mm %u: section too short", id) : 0;
}

/* What a task record names, resolved once every task exists. */
struct task_links {
	struct src r;		/* the record, positioned after the fixed part */
	int real_parent, parent;
};

static int load_task(struct loader *l, struct src *r, struct task_links *tl)
{
	struct kernel *k = l->k;
	struct task *t = alloc_task();
	const unsigned char *comm;
	char wchan[64];
	uint32_t mm_id;
	int err;

	if (!t)
		return -ENOMEM;
	get_fields(r, t, task_ids, FIELDS_N(task_ids));
	tl->real_parent = get_i32(r);
	tl->parent = get_i32(r);
	get_fields(r, t, task_state, FIELDS_N(task_state));
	comm = take(r, TASK_COMM_LEN);
	if (comm)
		memcpy(t->comm, comm, TASK_COMM_LEN);
	t->comm[TASK_COMM_LEN - 1] = '\0';
	get_fields(r, t, task_body, FIELDS_N(task_body));
	if (get_str(r, wchan, sizeof(wchan)) &&
	    !(t->wchan = intern(l->k->strings, wchan))) {	/* a lasting copy */
		free(t);
		return -ENOMEM;
	}
	get_fields(r, t, task_trace, FIELDS_N(task_trace));
	mm_id = get_u32(r);
	if (r->short_read || !strchr("RSDTtIZX", t->state) || !t->state ||
	    t->nice < -20 || t->nice > 19 || mm_id > l->nr_mms) {
		err = fail(l, "task record %d malformed", t->pid);
		free(t);
		return err;
	}
	err = pid_store_alloc_at(&k->pids, t->pid);
	if (err) {
		if (err != -ENOMEM)
			err = fail(l, "task %d: pid bad or twice", t->pid);
		free(t);
		return err;
	}
	pid_store_install(&k->pids, t->pid, t);	/* freed with the store */
	if (mm_id) {
		t->mm = l->mms[mm_id - 1];
		t->mm->users++;
	}
	{
		bool has_key = get_u8(r);
		unsigned int uid = get_u32(r), gid = get_u32(r);
		int serial = get_i32(r);

		if (has_key && (err = keys_set(k, t, uid, gid, serial)))
			return err;
	}
	tl->r = *r;
	count_built_task(k, t);
	return 0;
}

static struct task *pid_task(struct kernel *k, int pid)
{
	return pid ? find_task(k, pid) : NULL;
}

/* Link @n pids from @r onto @head through each task's @link_off member. */
static int link_list(struct loader *l, struct src *r, struct list_head *head,
		     size_t link_off, const struct task *owner, int kind)
{
	static const char *const kinds[] = { "child", "tracee", "thread" };
	uint32_t n = get_u32(r);

	for (uint32_t i = 0; i < n && !r->short_read; i++) {
		struct task *c = find_task(l->k, get_i32(r));
		struct list_head *link;
		bool ok;

		if (!c)
			return fail(l, "task %d: %s unknown", owner->pid, kinds[kind]);
		link = (struct list_head *)((char *)c + link_off);
		ok = list_empty(link) &&
		     (kind == 0 ? c->real_parent == owner && thread_group_leader(c) :
		      kind == 1 ? c->parent == owner && c->ptrace :
		      c->tgid == owner->pid);
		if (!ok)
			return fail(l, "task %d: %s %d inconsistent", owner->pid,
				    kinds[kind], c->pid);
		list_add_tail(link, head);
	}
	return r->short_read ? fail(l, "task %d: record too short", owner->pid) : 0;
}

static int link_task(struct loader *l, struct task *t, struct task_links *tl)
{
	struct kernel *k = l->k;
	struct task *leader = find_task(k, t->tgid);

	t->real_parent = pid_task(k, tl->real_parent);
	t->parent = pid_task(k, tl->parent);
	if (!leader || !thread_group_leader(leader) ||
	    (tl->real_parent && !t->real_parent) || (tl->parent && !t->parent))
		return fail(l, "task %d: leader or parent unknown", t->pid);
	t->group_leader = leader;
	if (thread_group_leader(t)) {
		struct signal_struct *sig = calloc(1, sizeof(*sig));

		if (!sig)
			return -ENOMEM;
		INIT_LIST_HEAD(&sig->thread_head);
		t->signal = sig;
		k->nr_processes++;
	}
	return 0;
}

/* The lists and the signal fields, once every task and signal exists. */
static int link_lists(struct loader *l, struct task *t, struct task_links *tl)
{
	struct src *r = &tl->r;
	struct signal_struct *sig;
	int err;

	err = link_list(l, r, &t->children, offsetof(struct task, sibling), t, 0);
	if (!err)
		err = link_list(l, r, &t->ptraced,
				offsetof(struct task, ptrace_entry), t, 1);
	if (err || !thread_group_leader(t))
		return err;
	sig = t->signal;
	get_fields(r, sig, signal_fields, FIELDS_N(signal_fields));
	return link_list(l, r, &sig->thread_head,
			 offsetof(struct task, thread_node), t, 2);
}

/*
 * exit's reaper search walks ->real_parent up to init: a cycle there (a
 * file with a right checksum can still say anything) would hang it.
 * t->gen marks the walk (0 unseen, 1 on the current path, 2 known good)
 * and is set to the kernel's generation afterwards.  Also, only a traced
 * task has a parent other than its real parent.
 */
static int check_ancestry(struct loader *l, struct kernel *k)
{
	struct task *t;
	int pid;

	for (pid = pid_store_next(&k->pids, 0, &t); pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		if (!t->ptrace && t->parent != t->real_parent)
			return fail(l, "task %d: parent without ptrace", t->pid);
	pid = parent_cycle(k);
	return pid ? fail(l, "task %d: its parents form a cycle", pid) : 0;
}

/* Walk the sections: header, lengths, END, CRC. Fills l->sections. */
static int check_frame(struct loader *l, const unsigned char *d, size_t len)
{
	struct src r = { .p = d, .n = len };
	uint32_t tag, slen, crc;
	size_t start;
	int err = snapshot_check_head(d, len, l->why);

	if (err)
		return err;
	take(&r, SNAPSHOT_HEAD_LEN);
	start = r.off;
	do {
		tag = get_u32(&r);
		slen = get_u32(&r);
		take(&r, slen);
		if (r.short_read)
			return fail(l, "truncated");
	} while (tag != TAG_END);
	crc = get_u32(&r);
	if (r.short_read)
		return fail(l, "truncated");
	if (r.off != len)
		return fail(l, "trailing bytes after the checksum");
#ifdef PROCSIM_MUTATE_no_crc		/* test hook: see tools/test */
	crc = snapshot_crc32(d, len - 4);
#endif
	if (crc != snapshot_crc32(d, len - 4))
		return fail(l, "bad checksum");
	l->sections = (struct src){ .p = d + start, .n = len - 4 - start };
	return 0;
}

/* The next section: its tag and body. */
static uint32_t next_section(struct src *all, struct src *body)
{
	uint32_t tag = get_u32(all), n = get_u32(all);

	*body = (struct src){ .p = take(all, n), .n = n };
	return tag;
}

/* TAG_SCHED: every record names a loaded task and holds valid values. */
static int load_sched(struct loader *l, struct kernel *k, struct src *r)
{
	uint32_t n = get_u32(r);

	while (n-- && !r->short_read) {
		int pid = get_i32(r), policy = get_u8(r), prio = get_u8(r);
		int ioprio = (int)get_le(r, 2), class = ioprio >> 13;
		uint64_t excluded = get_u64(r);
		struct task *t = pid > 0 ? find_task(k, pid) : NULL;
		bool rt = policy == 1 || policy == 2;

		if (r->short_read)
			break;
		if (!t || policy > 5 || policy == 4 ||
		    (rt ? prio < 1 || prio > 99 : prio != 0) || class > 3 ||
		    ((class == 1 || class == 2) && (ioprio & 0x1fff) > 7) ||
		    (!class && ioprio) || (k->nr_cpus < 64 &&
		    !(~excluded & ((1ULL << k->nr_cpus) - 1))))
			return fail(l, "sched record of task %d malformed", pid);
		t->policy = policy;
		t->rt_priority = prio;
		t->ioprio = ioprio;
		t->cpus_excluded = excluded;
	}
	return 0;
}

/*
 * TAG_RLIMIT: a loaded process, each soft limit at most its hard one.
 * Runs after the links, when ->signal exists.
 */
static int load_imported(struct loader *l, struct kernel *k, struct src r)
{
	int pid = get_i32(&r);
	struct task *t = pid > 0 ? find_task(k, pid) : NULL;
	char name[TASK_FULL_NAME_MAX];
	bool named = get_str(&r, name, sizeof(name));
	uint64_t locked = get_u64(&r);

	if (r.short_read || !t || (named && !*name) ||
	    (locked && (!thread_group_leader(t) || !t->mm ||
			locked > t->mm->stat.total_vm)))
		return fail(l, "imported attributes of task %d malformed", pid);
	if (named && !(t->full_name = intern(k->strings, name)))
		return -ENOMEM;
	if (locked)
		t->mm->locked_vm = locked;
	return 0;
}

static int load_rlimits(struct loader *l, struct kernel *k, struct src r)
{
	int pid = get_i32(&r), i;
	struct task *t = pid > 0 ? find_task(k, pid) : NULL;
	struct rlimit v[RLIM_NLIMITS];

	for (i = 0; i < RLIM_NLIMITS; i++) {
		v[i].rlim_cur = get_u64(&r);
		v[i].rlim_max = get_u64(&r);
		if (v[i].rlim_cur > v[i].rlim_max)
			break;
	}
	if (r.short_read || i < RLIM_NLIMITS || !t ||
	    !thread_group_leader(t) || t->signal->rlim)
		return fail(l, "limits of process %d malformed", pid);
	t->signal->rlim = rlimit_dup(v);
	return t->signal->rlim ? 0 : -ENOMEM;
}

static int load_world(struct loader *l, struct kernel *k)
{
	struct src all = l->sections, r;
	struct task_links *links = NULL;
	size_t nr_links = 0, cap = 0;
	struct task *t;
	uint32_t tag;
	int err = 0, pid;
	size_t i;

	kernel_free_tasks(k);
	k->nr_tasks = k->nr_processes = k->nr_running = k->nr_blocked = 0;
	k->nr_keys = 0;
	k->init_task = k->kthreadd = NULL;
	while (!err && (tag = next_section(&all, &r)) != TAG_END) {
		switch (tag) {
		case TAG_COUNTERS:
			k->total_forks = get_u64(&r);
			k->total_exits = get_u64(&r);
			k->rng = get_u64(&r);
			break;
		case TAG_PIDS:
			k->pids.last_pid = get_i32(&r);
			if (k->pids.last_pid < 0 || k->pids.last_pid >= PID_MAX_LIMIT)
				err = fail(l, "bad pid cursor");
			break;
		case TAG_MM:
			err = load_mm(l, &r);
			break;
		case TAG_LAYOUT:
			err = load_layout(l, &r);
			break;
		case TAG_MM_SHARED:
			err = load_mm_shared(l, &r);
			break;
		case TAG_TASK:
			if (nr_links == cap) {
				struct task_links *v;

				cap = cap ? 2 * cap : 256;
				v = realloc(links, cap * sizeof(*v));
				if (!v) {
					err = -ENOMEM;
					break;
				}
				links = v;
			}
			err = load_task(l, &r, &links[nr_links]);
			if (!err)
				nr_links++;
			break;
		case TAG_SCHED:
			err = load_sched(l, k, &r);
			break;
		default:	/* a later version's section: skip it */
			break;
		}
		if (!err && r.short_read)
			err = fail(l, "section %u too short", tag);
	}
	/* Tasks came in pid order, so the store's order is the links' order. */
	for (i = 0, pid = pid_store_next(&k->pids, 0, &t); !err && pid >= 0;
	     i++, pid = pid_store_next(&k->pids, pid + 1, &t))
		err = link_task(l, t, &links[i]);
	for (i = 0, pid = pid_store_next(&k->pids, 0, &t); !err && pid >= 0;
	     i++, pid = pid_store_next(&k->pids, pid + 1, &t))
		if (!thread_group_leader(t))
			t->signal = t->group_leader->signal;
	for (i = 0, pid = pid_store_next(&k->pids, 0, &t); !err && pid >= 0;
	     i++, pid = pid_store_next(&k->pids, pid + 1, &t))
		err = link_lists(l, t, &links[i]);
	for (pid = pid_store_next(&k->pids, 0, &t); !err && pid >= 0;
	     pid = pid_store_next(&k->pids, pid + 1, &t))
		if (list_empty(&t->thread_node))
			err = fail(l, "task %d not in its group", t->pid);
	free(links);
	if (!err)
		err = check_ancestry(l, k);
	/* Limits hang off ->signal, which exists only now: a second pass. */
	for (all = l->sections; !err && (tag = next_section(&all, &r)) != TAG_END;)
		if (tag == TAG_RLIMIT)
			err = load_rlimits(l, k, r);
		else if (tag == TAG_IMPORTED)
			err = load_imported(l, k, r);
	if (err)
		return err;
	k->init_task = find_task(k, 1);
	k->kthreadd = find_task(k, 2);
	if (!k->init_task || !k->kthreadd)
		return fail(l, "no init or kthreadd");
	for (i = 0; i < l->nr_mms; i++)
		if (!l->mms[i]->users)
			return fail(l, "mm %zu unused", i + 1);
	for (i = 0; i < l->nr_layouts; i++)	/* the loader's reference only */
		if (__atomic_load_n(&l->layouts[i]->cow_refs, __ATOMIC_RELAXED) == 1)
			return fail(l, "layout %zu unused", i + 1);
	return 0;
}

/* The loader's references to its templates: the sharers and pool keep theirs. */
static void put_layouts(struct loader *l)
{
	for (size_t i = 0; i < l->nr_layouts; i++)
		mm_template_put(l->layouts[i]);
	free(l->layouts);
}

int snapshot_check_head(const void *data, size_t len, char why[SNAPSHOT_WHY_LEN])
{
	struct loader l = { .why = why };
	struct src r = { .p = data, .n = len };
	uint32_t version;

	why[0] = '\0';
	if (len < 8 || memcmp(data, SNAPSHOT_MAGIC, 8))
		return fail(&l, len < 8 && !memcmp(data, SNAPSHOT_MAGIC, len) ?
			    "truncated" : "not a procsim snapshot");
	take(&r, 8);
	version = get_u32(&r);
	if (r.short_read)
		return fail(&l, "truncated");
	if (version < SNAPSHOT_VERSION_MIN || version > SNAPSHOT_VERSION)
		return fail(&l, "version %u not supported", version);
	return 0;
}

int kernel_load_prepare(const struct kernel *k, const void *data, size_t len,
			struct kernel *fresh, char why[SNAPSHOT_WHY_LEN])
{
	struct loader l = { .why = why };
	struct kernel_opts o = k->opts;
	char names[4][64], *np[4] = { names[0], names[1], names[2], names[3] };
	struct src all, r;
	int err;
	size_t i;

	why[0] = '\0';
	err = check_frame(&l, data, len);
	if (err)
		return err;
	r = (struct src){ .p = (const unsigned char *)data + 8, .n = 4 };
	l.version = get_u32(&r);	/* check_frame took 1 .. VERSION */
	all = l.sections;
	if (next_section(&all, &r) != TAG_OPTS)
		return fail(&l, "options section missing");
	err = load_opts(&r, &o, np, l.version, why);
	if (err)
		return err;
	o.kstat = k->opts.kstat;	/* the serving layer's, not the file's */
	err = kernel_init(fresh, &o);
	if (err)
		return err == -EINVAL ? fail(&l, "options refused") : err;
	/* Static names, not the buffer's: kernel_reset boots from these. */
	fresh->opts.pidstore = fresh->pids.ops->name;
	fresh->opts.vmastore = fresh->mm_cfg.vma_ops->name;
	fresh->opts.wait = fresh->wait->name;
	fresh->opts.watchers = fresh->watch->name;
	l.k = fresh;
	err = load_world(&l, fresh);
	if (err) {
		/* mms no task took are ours to free; the rest go with the tasks. */
		for (i = 0; i < l.nr_mms; i++)
			if (!l.mms[i]->users) {
				l.mms[i]->users = 1;
				mmput(l.mms[i]);
			}
		free(l.mms);
		put_layouts(&l);
		kernel_destroy(fresh);
		if (err == -ENOMEM && !why[0])
			snprintf(why, SNAPSHOT_WHY_LEN, "out of memory");
		return err;
	}
	free(l.mms);
	put_layouts(&l);
	return 0;
}

void kernel_load_commit(struct kernel *k, struct kernel *fresh)
{
	kernel_replace(k, fresh);
}

int kernel_load(struct kernel *k, const void *data, size_t len,
		char why[SNAPSHOT_WHY_LEN])
{
	struct kernel fresh;
	int err = kernel_load_prepare(k, data, len, &fresh, why);

	if (!err)
		kernel_load_commit(k, &fresh);
	return err;
}
