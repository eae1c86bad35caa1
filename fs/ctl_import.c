// SPDX-License-Identifier: MIT
/*
 * ctl "import DIR": the /proc tree at DIR replaces the world.  Like load,
 * it locks for itself (ctl_locks_itself): every file is read and the new
 * world built with no world lock held (fs/proc_import.c).
 */
#include "buf.h"
#include "ctl.h"
#include "ctl_exec.h"
#include "proc_import.h"

int ctl_exec_import(struct kernel *k, const struct ctl_cmd *c, struct buf *out)
{
	char summary[IMPORT_SUMMARY_LEN];
	int err = proc_import_dir(k, c->file.path, ctl_get_own_mounts(),
				  c->file.why, summary);

	if (!err)
		buf_printf(out, "ok %s\n", summary);
	return err;
}
