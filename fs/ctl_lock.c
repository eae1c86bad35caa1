// SPDX-License-Identifier: MIT
/* How a ctl command holds the world: see fs/ctl_lock.h. */
#include <string.h>
#include "ctl_lock.h"
#include "rcu.h"

static pthread_rwlock_t ctl_serial =
	PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

/* The core's converted paths: callable under the world lock for reading. */
static bool op_converted(enum ctl_op op)
{
	return op == CTL_FORK || op == CTL_CLONE || op == CTL_EXIT ||
	       op == CTL_EXIT_THREAD || op == CTL_WAIT;
}

/* A repeat is converted when each of its commands is ($! parses as any pid). */
static bool repeat_converted(const struct ctl_cmd *c)
{
	const char *line = c->repeat.text;
	struct buf scratch;
	bool ok = true;

	buf_init(&scratch);
	for (int i = 0; i < c->repeat.nlines && ok; i++, line += strlen(line) + 1) {
		struct ctl_cmd sub;

		buf_reset(&scratch);
		if (ctl_parse_in(line, strlen(line), 1, &sub, &scratch)) {
			ok = false;	/* the run reports it, under the write lock */
			break;
		}
		ok = op_converted(sub.op);
		ctl_cmd_free(&sub);
	}
	buf_free(&scratch);
	return ok;
}

enum ctl_hold ctl_hold_for(const struct kernel *k, const struct ctl_cmd *cmd)
{
	if (cmd->op == CTL_SAVE || cmd->op == CTL_LOAD || cmd->op == CTL_IMPORT ||
	    cmd->op == CTL_REPLAY)
		return CTL_HOLD_SELF;
	if (!k->concurrent)
		return CTL_HOLD_WRITE;
	if (op_converted(cmd->op) ||
	    (cmd->op == CTL_REPEAT && repeat_converted(cmd)))
		return CTL_HOLD_READ;
	return CTL_HOLD_WRITE;
}

void ctl_serial_lock(void)
{
	pthread_rwlock_wrlock(&ctl_serial);
}

void ctl_serial_unlock(void)
{
	pthread_rwlock_unlock(&ctl_serial);
}

void ctl_tree_read_lock(struct kernel *k)
{
	if (!k->concurrent)
		return;
	core_rcu_read_lock();
	pthread_rwlock_rdlock(&k->tasklist_lock);
}

void ctl_tree_read_unlock(struct kernel *k)
{
	if (!k->concurrent)
		return;
	pthread_rwlock_unlock(&k->tasklist_lock);
	core_rcu_read_unlock();
}

void ctl_hold_begin(struct kernel *k, enum ctl_hold h)
{
	if (h == CTL_HOLD_READ) {
		pthread_rwlock_rdlock(&ctl_serial);
		world_read_lock(k);
		return;
	}
	pthread_rwlock_wrlock(&ctl_serial);
	if (h == CTL_HOLD_WRITE)
		world_write_lock(k);
}

void ctl_hold_end(struct kernel *k, enum ctl_hold h)
{
	if (h != CTL_HOLD_SELF)
		world_unlock(k);
	pthread_rwlock_unlock(&ctl_serial);
}
