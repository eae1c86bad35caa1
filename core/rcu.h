/* SPDX-License-Identifier: MIT */
/*
 * RCU for the core: liburcu's membarrier flavour (urcu-memb), behind a few
 * wrappers so that no header of the core includes liburcu.
 *
 * Why urcu-memb and not urcu-qsbr: qsbr needs every reader thread to
 * announce quiescent states, and libfuse's worker threads block in read()
 * for as long as they like; memb readers only bracket their sections.
 * Threads register lazily: the first core_rcu_read_lock() of a thread
 * registers it, and a pthread key unregisters it when the thread exits, so
 * callers never see rcu_register_thread().
 *
 * The publish/subscribe primitives are C11 atomics (release store, consume
 * load), not liburcu's volatile accesses: ThreadSanitizer understands
 * atomics.  Under TSan, read_unlock releases and every RCU callback
 * acquires one sync object, so the grace period is a happens-before edge
 * TSan can see (liburcu 0.13 has no TSan annotations of its own).
 */
#ifndef PROCSIM_RCU_H
#define PROCSIM_RCU_H

#include <stdbool.h>

/* struct rcu_head of liburcu: two words, checked in core/rcu.c. */
struct core_rcu_head {
	void *opaque[2];
};

/* Context: any thread; nests. */
void core_rcu_read_lock(void);
void core_rcu_read_unlock(void);
/*
 * Call @fn(@head) after every read section in progress now has ended.
 * Context: any thread, even inside a read section.
 */
void core_call_rcu(struct core_rcu_head *head,
		   void (*fn)(struct core_rcu_head *head));
/* Wait for every callback queued so far.  Context: outside a read section. */
void core_rcu_barrier(void);
/* First thing in every RCU callback: the TSan edge described above. */
void core_rcu_callback_begin(void);

#ifndef CORE_RCU_NO_ACCESSORS	/* core/rcu.c has liburcu's own */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define rcu_dereference(p)	__atomic_load_n(&(p), __ATOMIC_CONSUME)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#endif

#endif
