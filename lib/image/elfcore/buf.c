/*
 * elfcore/buf.c: the byte buffer headers and notes are built in, in the
 * core's byte order (which is the images', not the host's), and the note
 * records (Elf64_Nhdr, name, descriptor, each padded to 4 bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "elfcore/elfcore_int.h"

void ec_buf_init(struct ec_buf *b, int big)
{
	memset(b, 0, sizeof(*b));
	b->big = big;
}

void ec_buf_free(struct ec_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static int grow(struct ec_buf *b, size_t n)
{
	if (b->failed)
		return -1;
	if (n <= b->cap - b->len)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	uint8_t *p = realloc(b->p, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void ec_put(struct ec_buf *b, const void *src, size_t n)
{
	if (!n || grow(b, n) < 0)
		return;
	if (src)
		memcpy(b->p + b->len, src, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

static void put_uint(struct ec_buf *b, uint64_t v, unsigned n)
{
	uint8_t t[8];
	for (unsigned i = 0; i < n; i++)
		t[b->big ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
	ec_put(b, t, n);
}

void ec_u8(struct ec_buf *b, uint8_t v)
{
	ec_put(b, &v, 1);
}
void ec_u16(struct ec_buf *b, uint16_t v)
{
	put_uint(b, v, 2);
}
void ec_u32(struct ec_buf *b, uint32_t v)
{
	put_uint(b, v, 4);
}
void ec_u64(struct ec_buf *b, uint64_t v)
{
	put_uint(b, v, 8);
}

void ec_align(struct ec_buf *b, size_t a)
{
	if (b->len % a)
		ec_put(b, NULL, a - b->len % a);
}

static void set_uint(struct ec_buf *b, size_t off, uint64_t v, unsigned n)
{
	if (b->failed || off > b->len || b->len - off < n)
		return;
	for (unsigned i = 0; i < n; i++)
		b->p[off + (b->big ? n - 1 - i : i)] = (uint8_t)(v >> (8 * i));
}

void ec_set_u32(struct ec_buf *b, size_t off, uint32_t v)
{
	set_uint(b, off, v, 4);
}
void ec_set_u64(struct ec_buf *b, size_t off, uint64_t v)
{
	set_uint(b, off, v, 8);
}

/* Elf64_Nhdr: namesz, descsz, type; then the name with its NUL, padded to
 * 4, then the descriptor, padded to 4.  descsz is filled in at the end. */
size_t ec_note_begin(struct ec_notes *n, const char *name, uint32_t type)
{
	size_t at = n->b.len, nl = strlen(name) + 1;
	ec_u32(&n->b, (uint32_t)nl);
	ec_u32(&n->b, 0);
	ec_u32(&n->b, type);
	ec_put(&n->b, name, nl);
	ec_align(&n->b, 4);
	return at;
}

void ec_note_end(struct ec_notes *n, size_t at)
{
	size_t nl = strlen("CORE") + 1;
	/* the name's length is in the header: read it back to find the desc */
	if (!n->b.failed && at + 12 <= n->b.len) {
		const uint8_t *h = n->b.p + at;
		nl = n->b.big ? (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3]
			      : (size_t)h[3] << 24 | (size_t)h[2] << 16 | (size_t)h[1] << 8 | h[0];
	}
	size_t desc = at + 12 + ((nl + 3) & ~(size_t)3);
	ec_set_u32(&n->b, at + 4, (uint32_t)(n->b.len - desc));
	ec_align(&n->b, 4);
	n->n++;
}

const struct ec_arch *ec_arch_of(unsigned mtype)
{
	static const struct ec_arch *const all[] = { &ec_arch_x86_64, &ec_arch_aarch64,
						     &ec_arch_s390x };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i]->mtype == mtype)
			return all[i];
	return NULL;
}
