/*
 * A bump allocator.  protobuf-c unpacks every entry into it and the reader
 * resets it before the next entry, so decoding a million entries costs no
 * malloc/free per field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	max_align_t data[];
};

#define ARENA_MIN_BLOCK (64u << 10)

static void *pb_alloc(void *data, size_t n)
{
	return crimg_arena_alloc(data, n);
}

static void pb_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

void crimg_arena_init(struct crimg_arena *a)
{
	memset(a, 0, sizeof(*a));
	a->pb.alloc = pb_alloc;
	a->pb.free = pb_free;
	a->pb.allocator_data = a;
}

void *crimg_arena_alloc(struct crimg_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	if (n > SIZE_MAX / 2) { /* rounded up and with a block header, it would wrap */
		a->failed = 1;
		return NULL;
	}
	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_MIN_BLOCK ? n : ARENA_MIN_BLOCK;
		b = malloc(sizeof(*b) + size);
		if (!b) {
			a->failed = 1;
			return NULL;
		}
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

void crimg_arena_reset(struct crimg_arena *a)
{
	struct arena_block *b = a->head;
	if (!b)
		return;
	/* keep the oldest block, the one sized for typical entries */
	while (b->next) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	b->used = 0;
	a->head = b;
	a->failed = 0;
}

void crimg_arena_free(struct crimg_arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}
