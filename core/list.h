/* SPDX-License-Identifier: MIT */
/*
 * Intrusive doubly linked lists, in the manner of the kernel's list_head.
 * Written for procsim; the names follow the kernel so that code reads alike.
 */
#ifndef PROCSIM_LIST_H
#define PROCSIM_LIST_H

#include <stddef.h>
#include <stdbool.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline void list_link_(struct list_head *n, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert @n at the tail of @head. */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	list_link_(n, head->prev, head);
}

/* Insert @n right after @head. */
static inline void list_add(struct list_head *n, struct list_head *head)
{
	list_link_(n, head, head->next);
}

/* Unlink @n and leave it self-linked, so a second list_del is harmless. */
static inline void list_del_init(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	INIT_LIST_HEAD(n);
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(h, type, member) list_entry((h)->next, type, member)

#define list_for_each_entry(pos, head, member)                              \
	for (pos = list_entry((head)->next, __typeof__(*pos), member);     \
	     &pos->member != (head);                                        \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_reverse(pos, head, member)                      \
	for (pos = list_entry((head)->prev, __typeof__(*pos), member);     \
	     &pos->member != (head);                                        \
	     pos = list_entry(pos->member.prev, __typeof__(*pos), member))

/* Safe against removal of @pos. */
#define list_for_each_entry_safe(pos, n, head, member)                      \
	for (pos = list_entry((head)->next, __typeof__(*pos), member),     \
	     n = list_entry(pos->member.next, __typeof__(*pos), member);   \
	     &pos->member != (head);                                        \
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

#endif
