// SPDX-License-Identifier: MIT
/*
 * /proc/slabinfo (slabinfo 2.1, mm/slab_common.c): the caches of the
 * objects the simulation really holds (tasks, signal structs, mms, VMAs,
 * pids and the pid store's own nodes, as radix_tree_node) with the 6.18 object sizes, then a
 * few fixed kernel caches.  slabtop and vmstat -m read it.
 */
#include "render_clients.h"
#include "render_util.h"

struct slab {
	const char *name;
	unsigned long active;
	unsigned objsize, pages_per_slab;
};

static void put_slab(struct buf *b, const struct slab *s)
{
	unsigned per_slab = s->pages_per_slab * 4096 / s->objsize;
	unsigned long slabs = (s->active + per_slab - 1) / per_slab;

	buf_printf(b, "%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6u\n",
		   s->name, s->active, slabs * per_slab, s->objsize, per_slab,
		   s->pages_per_slab, 0U, 0U, 0U, slabs, slabs, 0U);
}

void render_slabinfo(struct buf *b, const struct render_ctx *c)
{
	const struct kernel *k = c->k;
	unsigned long mms = 0, vmas = 0;
	size_t store_bytes = pid_store_mem_bytes(&k->pids);
	struct task *t;

	for (int pid = next_tgid(k, 1, &t); pid >= 0; pid = next_tgid(k, pid + 1, &t)) {
		if (!t->mm)
			continue;
		mms++;
		vmas += (unsigned long)t->mm->map_count;
	}
	const struct slab slabs[] = {
		{ "task_struct", k->nr_tasks, 5888, 8 },
		{ "signal_cache", k->nr_processes, 1152, 4 },
		{ "sighand_cache", k->nr_processes, 2112, 8 },
		{ "files_cache", mms, 704, 4 },
		{ "cred_jar", k->nr_tasks, 192, 1 },
		{ "pid", k->nr_tasks, 192, 1 },
		/* idr's cache in Linux; here the pid store's bytes, whatever its name */
		{ "radix_tree_node", (store_bytes + 575) / 576, 576, 4 },
		{ "mm_struct", mms, 1600, 8 },
		{ "vm_area_struct", vmas, 192, 1 },
		{ "maple_node", vmas / 8 + mms, 256, 1 },
		{ "anon_vma", vmas / 3, 104, 1 },
		{ "dentry", 60000 + k->nr_tasks * 12, 192, 1 },
		{ "inode_cache", 24000, 624, 4 },
		{ "proc_inode_cache", k->nr_tasks * 9, 704, 4 },
		{ "kmalloc-64", 8000 + k->nr_tasks, 64, 1 },
		{ "kmalloc-1k", 2400, 1024, 8 },
	};

	buf_putlit(b, "slabinfo - version: 2.1\n"
		   "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		   "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
		   "slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	for (size_t i = 0; i < sizeof(slabs) / sizeof(slabs[0]); i++)
		put_slab(b, &slabs[i]);
}
