// SPDX-License-Identifier: MIT
/* One render per change: see render_cache.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "render_cache.h"

struct render_cache_slot {
	pthread_mutex_t lock;
	uint64_t ino;			/* 0: empty */
	struct render_key key;
	char *data;
	size_t len, cap;		/* cap <= RENDER_CACHE_ENTRY_MAX */
} __attribute__((aligned(64)));

int render_cache_init(struct render_cache *c)
{
	struct render_cache_slot *s = calloc(RENDER_CACHE_SLOTS, sizeof(*s));

	memset(c, 0, sizeof(*c));
	if (!s)
		return -ENOMEM;
	for (int i = 0; i < RENDER_CACHE_SLOTS; i++)
		pthread_mutex_init(&s[i].lock, NULL);
	c->slots = s;
	return 0;
}

void render_cache_destroy(struct render_cache *c)
{
	if (!c->slots)
		return;
	for (int i = 0; i < RENDER_CACHE_SLOTS; i++) {
		pthread_mutex_destroy(&c->slots[i].lock);
		free(c->slots[i].data);
	}
	free(c->slots);
	c->slots = NULL;
}

void render_cache_forget(struct render_cache *c)
{
	c->gen++;
}

uint64_t render_cache_gen(struct render_cache *c)
{
	return c->gen;
}

static struct render_cache_slot *slot_of(struct render_cache *c, uint64_t ino)
{
	/* Fibonacci hashing: inodes differ in their pid bits and kind bits. */
	return &c->slots[(ino * 0x9e3779b97f4a7c15ULL) >> (64 - 10)];
}

_Static_assert(RENDER_CACHE_SLOTS == 1 << 10, "slot_of() takes 10 bits");

static bool key_eq(const struct render_key *a, const struct render_key *b)
{
#ifdef PROCSIM_MUTATE_stale_render	/* test hook: see tools/test */
	(void)a, (void)b;
	return true;
#endif
	return a->epoch == b->epoch && a->world_gen == b->world_gen &&
	       a->forget_gen == b->forget_gen && a->tick == b->tick;
}

bool render_cache_get(struct render_cache *c, uint64_t ino,
		      const struct render_key *k, struct buf *out, size_t *len)
{
	struct render_cache_slot *s;
	bool hit;

	if (!c->slots)
		return false;
	s = slot_of(c, ino);
	pthread_mutex_lock(&s->lock);
	hit = s->ino == ino && key_eq(&s->key, k);
	if (hit) {
		*len = s->len;
		if (out) {
			buf_reset(out);
			buf_put(out, s->data, s->len);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void render_cache_put(struct render_cache *c, uint64_t ino,
		      const struct render_key *k, const struct buf *b)
{
	struct render_cache_slot *s;

	if (!c->slots || b->oom || b->len > RENDER_CACHE_ENTRY_MAX)
		return;
	s = slot_of(c, ino);
	pthread_mutex_lock(&s->lock);
	if (b->len > s->cap) {
		char *p = realloc(s->data, b->len);

		if (!p) {
			s->ino = 0;
			pthread_mutex_unlock(&s->lock);
			return;
		}
		c->bytes += b->len - s->cap;
		s->data = p;
		s->cap = b->len;
	}
	if (b->len)
		memcpy(s->data, b->data, b->len);
	s->len = b->len;
	s->ino = ino;
	s->key = *k;
	pthread_mutex_unlock(&s->lock);
}
