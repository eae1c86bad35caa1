// SPDX-License-Identifier: MIT
/*
 * core/rcu.h over liburcu-memb.  _LGPL_SOURCE stays undefined: the read
 * side is a call into the (uninstrumented) library, so TSan sees only our
 * own accesses, and the annotations below stand for the grace period.
 */
#include <pthread.h>
#include <stddef.h>
#include <urcu/urcu-memb.h>
#define CORE_RCU_NO_ACCESSORS
#include "rcu.h"

_Static_assert(sizeof(struct core_rcu_head) == sizeof(struct rcu_head),
	       "struct core_rcu_head mirrors liburcu's struct rcu_head");

#if defined(__SANITIZE_THREAD__)
#define CORE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CORE_TSAN 1
#endif
#endif

#ifdef CORE_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char tsan_grace_period;

/*
 * liburcu 0.13 is not instrumented: its call_rcu thread frees what
 * rcu_barrier() allocated, synchronised by futexes TSan cannot see.  Its
 * own memory is none of procsim's business (tests/sanitizers/tsan.supp).
 */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
	return "called_from_lib:liburcu-memb.so\n";
}
#define tsan_release()	__tsan_release(&tsan_grace_period)
#define tsan_acquire()	__tsan_acquire(&tsan_grace_period)
#else
#define tsan_release()	do { } while (0)
#define tsan_acquire()	do { } while (0)
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t reader_key;
static __thread bool registered;

static void unregister_reader(void *arg)
{
	(void)arg;
	urcu_memb_unregister_thread();
}

/* liburcu's call_rcu thread does not survive fork(): its hooks fix that. */
static void setup(void)
{
	pthread_key_create(&reader_key, unregister_reader);
	pthread_atfork(urcu_memb_call_rcu_before_fork,
		       urcu_memb_call_rcu_after_fork_parent,
		       urcu_memb_call_rcu_after_fork_child);
}

static void register_reader(void)
{
	if (registered)
		return;
	pthread_once(&once, setup);
	urcu_memb_register_thread();
	pthread_setspecific(reader_key, (void *)1);
	registered = true;
}

void core_rcu_read_lock(void)
{
	register_reader();
	urcu_memb_read_lock();
}

void core_rcu_read_unlock(void)
{
	tsan_release();
	urcu_memb_read_unlock();
}

void core_call_rcu(struct core_rcu_head *head,
		   void (*fn)(struct core_rcu_head *head))
{
	register_reader();
	tsan_release();
	urcu_memb_call_rcu((struct rcu_head *)head,
			   (void (*)(struct rcu_head *))fn);
}

void core_rcu_barrier(void)
{
	register_reader();
	urcu_memb_barrier();
}

void core_rcu_callback_begin(void)
{
	tsan_acquire();
}
