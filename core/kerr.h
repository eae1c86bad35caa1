/* SPDX-License-Identifier: MIT */
/*
 * Why a core call failed, in words for a user.  The errno says what kind
 * of failure; the reason says which one ("no process with pid 99999",
 * "over max_map_count 65530"), written where the core fails, as the
 * kernel's netlink extended ack (NL_SET_ERR_MSG) is.
 *
 * A caller who wants reasons points this thread's sink at its struct kerr
 * around the calls (kerr_begin/kerr_end); the core's failure points call
 * kerr(), which costs a thread-local load when nobody listens.  Per thread,
 * as errno is, so the entry points keep their signatures and two threads
 * (or two kernels) never see each other's reasons.  The sink only ever
 * holds the caller's memory: the core keeps no state of its own here.
 */
#ifndef PROCSIM_KERR_H
#define PROCSIM_KERR_H

#define KERR_WHY_LEN	(4096 + 256)	/* a path (save, load) and its reason */

struct kerr {
	int err;			/* the failure @why is about; 0: none */
	char why[KERR_WHY_LEN];
};

/*
 * Catch this thread's reasons in @e (emptied) until kerr_end(); returns
 * the sink before, for kerr_end, so a caller inside may catch its own.
 */
struct kerr *kerr_begin(struct kerr *e);
void kerr_end(struct kerr *prev);

/*
 * Fail with @err (negative), saying why: the reason replaces the sink's,
 * so the last failure's reason is the one kept.  Returns @err.
 */
int kerr(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add to the reason already caught for @err, if any (a caller's hint). */
void kerr_append(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The commonest failure: -ESRCH, "no process with pid @pid". */
int kerr_no_pid(int pid);

/* @e's reason for @err, or NULL if the core gave none for that errno. */
const char *kerr_why(const struct kerr *e, int err);

#endif
