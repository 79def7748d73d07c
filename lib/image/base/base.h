/*
 * The base layer's internals, shared by every layer: errors, limits,
 * temporary output files, the arena, buffered input, byte order and the
 * Python-compatible text codecs.
 */
#ifndef CRIMG_BASE_H
#define CRIMG_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crimg/image.h"
#include "crimg/json.h"

#if defined(__GNUC__)
#define CRIMG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CRIMG_PRINTF(a, b)
#endif

/* Fills e (if not NULL) and returns -1, so callers can `return crimg_fail(...)`. */
int crimg_fail(struct crimg_error *e, const char *file, int64_t offset, int64_t entry,
	       const char *fmt, ...) CRIMG_PRINTF(5, 6);

/* Whether e is about a limit (its message carries CRIMG_LIMIT_HINT): such a
 * failure is the user's to lift, never one to work around quietly. */
int crimg_limit_error(const struct crimg_error *e);
/*
 * The limits on unpacking an archive, checked as its data comes: "member"
 * (member_bytes of the member named member so far), "unpacked" (total bytes
 * of all members so far) and "ratio" (total against in, the compressed
 * bytes read; judged past CRIMG_RATIO_FLOOR).  0, or -1 with err about file.
 */
int crimg_limit_unpack(const struct crimg_limits *l, const char *file, const char *member,
		       uint64_t member_bytes, uint64_t total, int64_t in, struct crimg_error *err);

/* ---- temporary files renamed into place (outfile.c) ---- */
/* A new file "DIR/.BASE.tmp-XXXXXX" in target's directory, open for
 * reading and writing, made with mode (less the umask); its name in *tmp
 * (malloc'd).  Errors name errname and the directory. */
int crimg_tmpfile_new(const char *target, mode_t mode, char **tmp, const char *errname,
		      struct crimg_error *err);
/* fsyncs and closes fd, renames tmp to target, fsyncs the directory; on
 * failure tmp is removed and target untouched. */
int crimg_tmpfile_place(int fd, const char *tmp, const char *target, const char *errname,
			struct crimg_error *err);

/* ---- arena: a bump allocator that protobuf-c unpacks into ---- */
struct crimg_arena {
	struct arena_block *head;
	ProtobufCAllocator pb; /* hands out arena memory, frees nothing */
	int failed;
};
void crimg_arena_init(struct crimg_arena *a);
void *crimg_arena_alloc(struct crimg_arena *a, size_t n);
/* Forgets all allocations but keeps the first block for reuse. */
void crimg_arena_reset(struct crimg_arena *a);
void crimg_arena_free(struct crimg_arena *a);

/* ---- buffered input from an fd or a memory buffer ---- */
struct crimg_input {
	int fd; /* -1: memory input */
	const char *name;
	const uint8_t *mem; /* memory input, or buf */
	uint8_t *buf;
	size_t cap;
	size_t start, end; /* unread bytes are mem[start, end) */
	uint64_t pos;      /* file offset of mem[start] */
	int eof;
};
void crimg_input_init_fd(struct crimg_input *in, int fd, const char *name);
void crimg_input_init_mem(struct crimg_input *in, const void *p, size_t n, const char *name);
/*
 * Makes n bytes available at crimg_input_ptr().  Returns 1 when they are,
 * 0 at end of input (fewer are), -1 on a read error (err filled).  Memory
 * grows only with bytes actually read, never with what a header claims.
 */
int crimg_input_need(struct crimg_input *in, size_t n, struct crimg_error *err);
static inline const uint8_t *crimg_input_ptr(const struct crimg_input *in)
{
	return in->mem + in->start;
}
static inline size_t crimg_input_avail(const struct crimg_input *in)
{
	return in->end - in->start;
}
static inline void crimg_input_skip(struct crimg_input *in, size_t n)
{
	in->start += n;
	in->pos += n;
}
void crimg_input_release(struct crimg_input *in);

/* ---- byte order ---- */
static inline uint32_t crimg_load_u32(const uint8_t *p, enum crimg_byte_order bo)
{
	if (bo == CRIMG_BIG_ENDIAN)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint16_t crimg_load_u16(const uint8_t *p, enum crimg_byte_order bo)
{
	return bo == CRIMG_BIG_ENDIAN ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* ---- text codecs (Python-compatible) ---- */
/* base64.encodebytes: 76 characters a line, each line ending in "\n". */
size_t crimg_b64_encoded_len(size_t n);
size_t crimg_b64_encode(const uint8_t *in, size_t n, char *out);
/* base64.decodebytes: skips non-alphabet characters.  -1 on bad padding. */
ssize_t crimg_b64_decode(const char *in, size_t n, uint8_t *out);
/* quopri.encodestring / decodestring (binascii b2a_qp / a2b_qp). */
size_t crimg_qp_encode(const uint8_t *in, size_t n, char *out); /* out: 3n+n/25+4 */
size_t crimg_qp_decode(const char *in, size_t n, uint8_t *out); /* out: n */

/* A temporary file in memory (memfd), -1 with err filled. */
int crimg_memfile(const char *what, struct crimg_error *err);

#endif
