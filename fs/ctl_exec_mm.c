// SPDX-License-Identifier: MIT
/*
 * Executing the memory commands: mmap, munmap, mprotect, brk and
 * max_map_count.
 */
#include <errno.h>
#include "ctl_exec.h"

int ctl_exec_mmap(struct kernel *k, const struct ctl_cmd *c,
		  struct buf *out)
{
	unsigned long addr;
	int err = do_mmap(k, c->mmap.pid, c->mmap.addr, c->mmap.len,
			  c->mmap.prot, c->mmap.flags, &addr);

	if (!err)
		buf_printf(out, "0x%lx\n", addr);
	return err;
}

int ctl_exec_munmap(struct kernel *k, const struct ctl_cmd *c,
		    struct buf *out)
{
	int err = do_munmap(k, c->munmap.pid, c->munmap.addr, c->munmap.len);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

int ctl_exec_mprotect(struct kernel *k, const struct ctl_cmd *c,
		      struct buf *out)
{
	int err = do_mprotect(k, c->mprotect.pid, c->mprotect.addr,
			      c->mprotect.len, c->mprotect.prot);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}

int ctl_exec_brk(struct kernel *k, const struct ctl_cmd *c, struct buf *out)
{
	unsigned long brk = 0;
	int err = do_brk(k, c->brk.pid, c->brk.addr, &brk);

	if (!err)
		buf_printf(out, "0x%lx\n", brk);
	return err;
}

int ctl_exec_max_map_count(struct kernel *k, const struct ctl_cmd *c,
			   struct buf *out)
{
	int err = kernel_set_max_map_count(k, c->max_map_count.n);

	if (!err)
		buf_puts(out, "ok\n");
	return err;
}
