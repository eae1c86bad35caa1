// SPDX-License-Identifier: MIT
/* Text of the task watchers' rings: the events stream and the audit log. */
#include "render_events.h"
#include "watchers.h"

static const char *const event_names[] = {
	[WATCH_FORK] = "fork", [WATCH_EXEC] = "exec",
	[WATCH_ID] = "uid", [WATCH_EXIT] = "exit",
};

static const char *event_name(const struct task_event *e)
{
	if (e->event == WATCH_ID && e->gid)
		return "gid";
	return e->event < WATCH_NR_EVENTS ? event_names[e->event] : "?";
}

void render_task_event(struct buf *b, const struct task_event *e)
{
	buf_printf(b, "%llu %s ", (unsigned long long)e->seq, event_name(e));
	switch (e->event) {
	case WATCH_FORK:
		buf_printf(b, "ppid=%d ptgid=%d pid=%d tgid=%d\n", e->ppid,
			   e->ptgid, e->pid, e->tgid);
		break;
	case WATCH_EXEC:
		buf_printf(b, "pid=%d tgid=%d comm=%s\n", e->pid, e->tgid, e->comm);
		break;
	case WATCH_ID:
		buf_printf(b, "pid=%d tgid=%d old=%u new=%u\n", e->pid, e->tgid,
			   e->old_id, e->new_id);
		break;
	default:
		buf_printf(b, "pid=%d tgid=%d code=%d\n", e->pid, e->tgid,
			   (e->code >> 8) & 0xff);
		break;
	}
}

void render_events_lost(struct buf *b, uint64_t lost)
{
	buf_printf(b, "overflow lost=%llu\n", (unsigned long long)lost);
}

/* As auditd logs it: audit(TIME:SERIAL): fields. */
void render_audit(struct buf *b, const struct render_ctx *c)
{
	const struct event_ring *r = audit_ring(c->k);
	uint64_t pos = event_ring_first(r), lost;
	struct task_event e;

	while (event_ring_read(r, &pos, &e, &lost) > 0)
		buf_printf(b, "audit(%llu.%02llu:%llu): op=%s pid=%d ppid=%d "
			   "uid=%u gid=%u old=%u new=%u code=%d comm=\"%s\"\n",
			   e.ticks / USER_HZ, e.ticks % USER_HZ,
			   (unsigned long long)e.seq, event_name(&e), e.pid,
			   e.ppid, e.uid, e.gid_, e.old_id, e.new_id,
			   (e.code >> 8) & 0xff, e.comm);
}
