// SPDX-License-Identifier: MIT
/*
 * The "direct" mechanism: explicit calls in a fixed order with a goto
 * unwind, as mainline copy_process() and do_exit() call audit_alloc,
 * copy_semundo, copy_keys, proc_fork_connector, ... today.  The order is
 * the watchers' ORDER (acct 100, keys 200, fault 300, audit 400,
 * cnproc 500); the shared test checks it matches the table and the chain.
 */
#include "watchers.h"

static int direct_fork(struct kernel *k, const struct watch_info *w)
{
	int err;

	err = acct_fork(k, w);
	if (err)
		return err;
	err = keys_fork(k, w);
	if (err)
		goto undo_acct;
	err = fault_fork(k, w);
	if (err)
		goto undo_keys;
	err = audit_event(k, w);
	if (err)
		goto undo_keys;
	err = cnproc_event(k, w);
	if (err)
		goto undo_audit;
	return 0;
undo_audit:
	audit_undo(k, w);
undo_keys:
	keys_fork_undo(k, w);
undo_acct:
	acct_fork_undo(k, w);
	return err;
}

static int direct_run(struct kernel *k, const struct watch_info *w)
{
	switch (w->event) {
	case WATCH_FORK:
		return direct_fork(k, w);
	case WATCH_EXEC:
	case WATCH_ID:
		audit_event(k, w);
		cnproc_event(k, w);
		return 0;
	case WATCH_EXIT:
		acct_exit(k, w);
		keys_exit(k, w);
		audit_event(k, w);
		cnproc_event(k, w);
		return 0;
	default:
		return 0;
	}
}

static void direct_undo(struct kernel *k, const struct watch_info *w)
{
	cnproc_undo(k, w);
	audit_undo(k, w);
	keys_fork_undo(k, w);
	acct_fork_undo(k, w);
}

const struct watch_ops watch_direct_ops = {
	.name = "direct",
	.run = direct_run,
	.undo = direct_undo,
};
