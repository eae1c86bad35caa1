// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/statm: "size resident shared text lib data dt" in pages, as
 * the kernel's task_statm(): shared = file + shmem pages, data = data +
 * stack, lib and dt always 0.  Kernel threads and zombies print zeros.
 */
#include "render.h"
#include "render_util.h"

void render_tid_statm(struct buf *b, const struct render_ctx *c,
		      const struct task *t, bool whole)
{
	const struct mm_struct *mm = task_proc_mm(t);
	struct mm_counts mc;

	(void)c;
	(void)whole;
	if (!mm) {
		buf_putlit(b, "0 0 0 0 0 0 0\n");
		return;
	}
	mm_counts(mm, &mc);
	buf_put_u64(b, mc.total_vm);
	buf_putc(b, ' ');
	buf_put_u64(b, mc.rss);
	buf_putc(b, ' ');
	buf_put_u64(b, mc.rss_file + mc.rss_shmem);
	buf_putc(b, ' ');
	buf_put_u64(b, mc.text);
	buf_putlit(b, " 0 ");
	buf_put_u64(b, mc.data + mc.stack);
	buf_putlit(b, " 0\n");
}
