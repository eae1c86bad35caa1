/* SPDX-License-Identifier: MIT */
/*
 * Bit searches over arrays of 64-bit words, shared by the bitmap-based pid
 * stores (include/linux/find.h: find_next_bit, find_next_zero_bit).
 */
#ifndef PROCSIM_BITOPS_H
#define PROCSIM_BITOPS_H

#include <stdint.h>

#define BITS_PER_WORD	64

static inline unsigned long bitmap_words(unsigned long nbits)
{
	return (nbits + BITS_PER_WORD - 1) / BITS_PER_WORD;
}

/*
 * Writers are serialised by their caller's lock; lock-free readers (the
 * sparse store's next()) may read beside them, so each word is stored and
 * loaded whole (relaxed atomics: plain moves on x86, and TSan knows them).
 */
static inline uint64_t word_load(const uint64_t *w)
{
	return __atomic_load_n(w, __ATOMIC_RELAXED);
}

static inline void word_store(uint64_t *w, uint64_t v)
{
	__atomic_store_n(w, v, __ATOMIC_RELAXED);
}

static inline void set_bit64(uint64_t *map, unsigned long bit)
{
	uint64_t *w = &map[bit / BITS_PER_WORD];

	word_store(w, *w | 1ULL << (bit % BITS_PER_WORD));
}

static inline void clear_bit64(uint64_t *map, unsigned long bit)
{
	uint64_t *w = &map[bit / BITS_PER_WORD];

	word_store(w, *w & ~(1ULL << (bit % BITS_PER_WORD)));
}

static inline int test_bit64(const uint64_t *map, unsigned long bit)
{
	return (map[bit / BITS_PER_WORD] >> (bit % BITS_PER_WORD)) & 1;
}

/*
 * First bit >= @from (and < @nbits) that is set, or clear when @invert;
 * @nbits when there is none.  One helper for both searches, like the
 * kernel's _find_next_bit with its invert argument.
 */
static inline unsigned long find_next_bit_inv(const uint64_t *map,
					      unsigned long nbits,
					      unsigned long from,
					      uint64_t invert)
{
	unsigned long i = from / BITS_PER_WORD;
	uint64_t w;

	if (from >= nbits)
		return nbits;
	w = (word_load(&map[i]) ^ invert) & (~0ULL << (from % BITS_PER_WORD));
	while (!w) {
		if (++i >= bitmap_words(nbits))
			return nbits;
		w = word_load(&map[i]) ^ invert;
	}
	from = i * BITS_PER_WORD + __builtin_ctzll(w);
	return from < nbits ? from : nbits;
}

static inline unsigned long find_next_bit(const uint64_t *map,
					  unsigned long nbits,
					  unsigned long from)
{
	return find_next_bit_inv(map, nbits, from, 0);
}

static inline unsigned long find_next_zero_bit(const uint64_t *map,
					       unsigned long nbits,
					       unsigned long from)
{
	return find_next_bit_inv(map, nbits, from, ~0ULL);
}

#endif
