/* SPDX-License-Identifier: MIT */
/*
 * Thread stacks as NPTL manages them: an 8 MiB anonymous mapping whose
 * lowest page is a PROT_NONE guard, two VMAs per thread.  An exiting
 * thread's stack goes to glibc's stack cache (madvise(MADV_DONTNEED): no
 * page stays resident) and the next pthread_create takes it back; past
 * the cache's 40 MiB the stack is unmapped.  The cache lives in the VMAs
 * themselves (VM_STACK_CACHED), so it survives fork, save and load; the mm
 * keeps only a count as a hint (mm->stack_cache_hint), so that creating a
 * thread does not walk every VMA: 20,000 clones were quadratic.
 *
 * Context: the kernel's write lock held.
 */
#ifndef PROCSIM_THREAD_STACK_H
#define PROCSIM_THREAD_STACK_H

#include "kernel.h"

#define VM_STACK_CACHED		(1UL << 40)	/* procsim: in glibc's stack cache */
#define STACK_CACHE_MAX		5	/* glibc: 40 MiB of 8 MiB stacks */

/* A stack for a new thread of @mm: a cached one, else a new mapping. */
int thread_stack_get(struct kernel *k, struct mm_struct *mm);
/* A thread of @mm exited: one live stack to the cache, the cache trimmed. */
void thread_stack_put(struct kernel *k, struct mm_struct *mm);

#endif
