/*
 * The streaming image reader: header and byte order, then one entry at a
 * time with its extra payload.  Every length is checked against the limits
 * and against the bytes really present before it is used.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "frame/frame.h"

struct crimg_reader {
	struct crimg_input in;
	const struct crimg_kind *kind;
	enum crimg_byte_order bo;
	uint32_t first_magic;
	struct crimg_limits lim;
	struct crimg_arena arena;
	uint64_t index;
	int ghost_chunks; /* ghost file stored as chunks */
	int lazy;         /* see crimg_reader_set_lazy() */
	int done;
	int mappable; /* 0 unknown, 1 a regular file, -1 not */
	void *map;    /* the last large payload mapped */
	size_t map_len;
};

static const char *rname(const struct crimg_reader *r)
{
	return r->in.name ? r->in.name : "image";
}

enum crimg_byte_order crimg_host_byte_order(void)
{
	const uint16_t one = 1;
	return *(const uint8_t *)&one ? CRIMG_LITTLE_ENDIAN : CRIMG_BIG_ENDIAN;
}

static uint32_t bswap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

/* A magic is recognised in either byte order; the order it matched in is
 * the image's byte order (s390x writes big-endian headers). */
static int known_first(uint32_t v)
{
	return v == CRIMG_MAGIC_COMMON || v == CRIMG_MAGIC_SERVICE;
}

/* JSON given where an image is expected (decode of what decode wrote):
 * the first byte that is not blank opens an object or an array. */
static int looks_like_json(const struct crimg_reader *r)
{
	const uint8_t *p = crimg_input_ptr(&r->in);
	size_t n = crimg_input_avail(&r->in);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			continue;
		return p[i] == '{' || p[i] == '[';
	}
	return 0;
}

static int json_not_image(struct crimg_reader *r, struct crimg_error *err)
{
	return crimg_fail(err, rname(r), 0, -1, "this is JSON, not an image: use crit encode");
}

/* Raw images have no magic: name them by file name, as crit users expect. */
static int unknown_magic(struct crimg_reader *r, uint32_t m, struct crimg_error *err)
{
	if (looks_like_json(r))
		return json_not_image(r, err);
	const struct crimg_kind *k = crimg_kind_by_path(rname(r));
	if (k && k->layout == CRIMG_LAYOUT_RAW)
		return crimg_fail(err, rname(r), 0, -1,
				  "raw %s image: data without a magic or entries, nothing to decode",
				  k->name);
	return crimg_fail(err, rname(r), 0, -1, "unknown magic %#x", m);
}

static int read_header(struct crimg_reader *r, struct crimg_error *err)
{
	int k = crimg_input_need(&r->in, 4, err);
	if (k < 0)
		return -1;
	if (k == 0) {
		if (crimg_input_avail(&r->in) == 0) {
			/* an empty raw image (pages-1.img of a dump with no pages)
			 * is named as raw; anything else is just empty */
			const struct crimg_kind *rk = crimg_kind_by_path(rname(r));
			if (rk && rk->layout == CRIMG_LAYOUT_RAW)
				return unknown_magic(r, 0, err);
			return crimg_fail(err, rname(r), 0, -1, "empty file: no magic");
		}
		if (looks_like_json(r))
			return json_not_image(r, err); /* "[]", "{}" */
		return crimg_fail(err, rname(r), 0, -1, "truncated magic: %zu of 4 bytes",
				  crimg_input_avail(&r->in));
	}
	uint32_t le = crimg_load_u32(crimg_input_ptr(&r->in), CRIMG_LITTLE_ENDIAN);
	uint32_t m = le;
	r->bo = CRIMG_LITTLE_ENDIAN;
	if (known_first(le) || (!known_first(bswap32(le)) && crimg_kind_by_magic(le))) {
		/* little-endian */
	} else if (known_first(bswap32(le)) || crimg_kind_by_magic(bswap32(le))) {
		r->bo = CRIMG_BIG_ENDIAN;
		m = bswap32(le);
	} else {
		return unknown_magic(r, le, err);
	}
	crimg_input_skip(&r->in, 4);
	if (known_first(m)) {
		r->first_magic = m;
		k = crimg_input_need(&r->in, 4, err);
		if (k < 0)
			return -1;
		if (k == 0)
			return crimg_fail(err, rname(r), 4, -1, "truncated magic: %zu of 4 bytes",
					  crimg_input_avail(&r->in));
		m = crimg_load_u32(crimg_input_ptr(&r->in), r->bo);
		crimg_input_skip(&r->in, 4);
	}
	r->kind = crimg_kind_by_magic(m);
	if (!r->kind)
		return crimg_fail(err, rname(r), r->first_magic ? 4 : 0, -1, "unknown magic %#x",
				  m);
	if (!r->kind->desc)
		return crimg_fail(err, rname(r), r->first_magic ? 4 : 0, -1,
				  "%s images hold no protobuf entries", r->kind->name);
	return 0;
}

static struct crimg_reader *reader_new(const struct crimg_limits *lim)
{
	struct crimg_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->lim = lim ? *lim : crimg_default_limits;
	crimg_arena_init(&r->arena);
	return r;
}

static struct crimg_reader *reader_start(struct crimg_reader *r, struct crimg_error *err)
{
	if (read_header(r, err) < 0) {
		crimg_reader_close(r);
		return NULL;
	}
	return r;
}

struct crimg_reader *crimg_reader_open(int fd, const char *name, const struct crimg_limits *lim,
				       struct crimg_error *err)
{
	struct crimg_reader *r = reader_new(lim);
	if (!r) {
		crimg_fail(err, name, -1, -1, "out of memory");
		return NULL;
	}
	crimg_input_init_fd(&r->in, fd, name);
	return reader_start(r, err);
}

struct crimg_reader *crimg_reader_open_mem(const void *buf, size_t len, const char *name,
					   const struct crimg_limits *lim, struct crimg_error *err)
{
	struct crimg_reader *r = reader_new(lim);
	if (!r) {
		crimg_fail(err, name, -1, -1, "out of memory");
		return NULL;
	}
	crimg_input_init_mem(&r->in, buf, len, name);
	return reader_start(r, err);
}

const struct crimg_kind *crimg_reader_kind(const struct crimg_reader *r)
{
	return r->kind;
}

enum crimg_byte_order crimg_reader_byte_order(const struct crimg_reader *r)
{
	return r->bo;
}

uint32_t crimg_reader_first_magic(const struct crimg_reader *r)
{
	return r->first_magic;
}

static void unmap_entry(struct crimg_reader *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

void crimg_reader_close(struct crimg_reader *r)
{
	if (!r)
		return;
	unmap_entry(r);
	crimg_arena_free(&r->arena);
	crimg_input_release(&r->in);
	free(r);
}

/* Makes n bytes of payload available, or explains what is missing.  An
 * extra payload is bounded by the "extra" limit (padding by its size). */
static int need_bytes(struct crimg_reader *r, uint64_t n, uint64_t limit, const char *what,
		      struct crimg_error *err)
{
	if (n > limit)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				  "%s of %llu bytes exceeds the limit of %llu" CRIMG_LIMIT_HINT(
					  "extra"),
				  what, (unsigned long long)n, (unsigned long long)limit);
	if (n > SIZE_MAX)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				  "%s of %llu bytes is too large", what, (unsigned long long)n);
	int k = crimg_input_need(&r->in, (size_t)n, err);
	if (k < 0)
		return -1;
	if (k == 0)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				  "%s of %llu bytes exceeds the %zu bytes left", what,
				  (unsigned long long)n, crimg_input_avail(&r->in));
	return 0;
}

static int read_message_lazy(struct crimg_reader *r, const ProtobufCMessageDescriptor *desc,
			     ProtobufCMessage **out, uint64_t *offset, const uint8_t **payload,
			     size_t *payload_len, const uint8_t **map, struct crimg_error *err);

/* SIZE PAYLOAD, unpacked as desc.  1 entry, 0 clean end, -1 error. */
static int read_message(struct crimg_reader *r, const ProtobufCMessageDescriptor *desc,
			ProtobufCMessage **out, uint64_t *offset, struct crimg_error *err)
{
	return read_message_lazy(r, desc, out, offset, NULL, NULL, NULL, err);
}

/*
 * A large payload of a regular file is mapped instead of read into the
 * input buffer, so that a consumer walking it front to back can drop the
 * pages behind it (the mm entry of a process with 100,000 VMAs is 3 MiB):
 * memory then stays flat whatever the size of one entry.  The 4 size bytes
 * are in the buffer.  1 when mapped, 0 to read it the usual way.
 */
#define MAP_MIN (1u << 20)
static int map_entry(struct crimg_reader *r, uint32_t size, const uint8_t **payload,
		     const uint8_t **map)
{
	struct stat st;
	int fd = r->in.fd;
	if (r->mappable == 0)
		r->mappable = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? 1 : -1;
	if (r->mappable < 0 || fstat(fd, &st) < 0)
		return 0;
	off_t cur = lseek(fd, 0, SEEK_CUR);
	size_t buffered = crimg_input_avail(&r->in);
	if (cur < 0 || (uint64_t)cur < buffered)
		return 0;
	uint64_t off = (uint64_t)cur - buffered + 4;
	if ((uint64_t)st.st_size < off + size)
		return 0; /* truncated: the usual path says so */
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t base = off & ~(page - 1);
	size_t len = (size_t)(off - base) + size;
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, (off_t)base);
	if (m == MAP_FAILED)
		return 0;
	if (lseek(fd, (off_t)(off + size), SEEK_SET) < 0) {
		munmap(m, len);
		return 0;
	}
	r->map = m;
	r->map_len = len;
	*map = m;
	*payload = (const uint8_t *)m + (off - base);
	/* the buffered bytes are behind us now: read on after the payload */
	r->in.pos += 4 + (uint64_t)size;
	r->in.start = r->in.end = 0;
	r->in.eof = 0;
	return 1;
}

/* With payload non-NULL, the message is not unpacked: its bytes are given
 * (valid until the next read) and *out is NULL. */
static int read_message_lazy(struct crimg_reader *r, const ProtobufCMessageDescriptor *desc,
			     ProtobufCMessage **out, uint64_t *offset, const uint8_t **payload,
			     size_t *payload_len, const uint8_t **map, struct crimg_error *err)
{
	int k = crimg_input_need(&r->in, 4, err);
	if (k < 0)
		return -1;
	size_t avail = crimg_input_avail(&r->in);
	if (k == 0 && avail == 0)
		return 0;
	*offset = r->in.pos;
	if (k == 0)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				  "truncated entry size: %zu of 4 bytes", avail);
	uint32_t size = crimg_load_u32(crimg_input_ptr(&r->in), r->bo);
	if (size > r->lim.max_entry)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				  "entry size %u exceeds the limit of %llu" CRIMG_LIMIT_HINT(
					  "entry"),
				  size, (unsigned long long)r->lim.max_entry);
	if (payload && size >= MAP_MIN && map && map_entry(r, size, payload, map)) {
		*payload_len = size;
		*out = NULL;
		return 1;
	}
	k = crimg_input_need(&r->in, 4 + (size_t)size, err);
	if (k < 0)
		return -1;
	if (k == 0)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				  "entry size %u exceeds the %zu bytes left", size,
				  crimg_input_avail(&r->in) - 4);
	if (payload) {
		*payload = crimg_input_ptr(&r->in) + 4;
		*payload_len = size;
		*out = NULL;
		crimg_input_skip(&r->in, 4 + (size_t)size);
		return 1;
	}
	ProtobufCMessage *m = protobuf_c_message_unpack(desc, &r->arena.pb, size,
							crimg_input_ptr(&r->in) + 4);
	if (!m)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos + 4, (int64_t)r->index,
				  r->arena.failed ? "out of memory unpacking %s"
						  : "invalid protobuf data for %s",
				  desc->name);
	crimg_input_skip(&r->in, 4 + (size_t)size);
	*out = m;
	return 1;
}

static int get_field(struct crimg_reader *r, const ProtobufCMessage *m, const char *name,
		     uint64_t *v, struct crimg_error *err)
{
	if (crimg_msg_get_u64(m, name, v) < 0)
		return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				  "schema error: %s has no scalar field %s", m->descriptor->name,
				  name);
	return 0;
}

/* Copies n payload bytes into the arena (they must outlive the buffer). */
static const uint8_t *take_bytes(struct crimg_reader *r, uint64_t n, const char *what,
				 struct crimg_error *err)
{
	if (need_bytes(r, n, r->lim.max_extra, what, err) < 0)
		return NULL;
	uint8_t *p = crimg_arena_alloc(&r->arena, (size_t)n);
	if (!p) {
		crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
			   "out of memory for %s of %llu bytes", what, (unsigned long long)n);
		return NULL;
	}
	memcpy(p, crimg_input_ptr(&r->in), (size_t)n);
	crimg_input_skip(&r->in, (size_t)n);
	return p;
}

static int skip_pad(struct crimg_reader *r, uint64_t len, unsigned align, struct crimg_error *err)
{
	uint64_t pad = (align - len % align) % align;
	if (!pad)
		return 0;
	if (need_bytes(r, pad, pad, "padding", err) < 0)
		return -1;
	crimg_input_skip(&r->in, (size_t)pad);
	return 0;
}

static int read_ipc_msgs(struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err)
{
	extern const ProtobufCMessageDescriptor ipc_msg__descriptor;
	uint64_t qnum;
	if (get_field(r, e->msg, "qnum", &qnum, err) < 0)
		return -1;
	/* each message takes at least 4 bytes: qnum cannot exceed what is left */
	if (qnum > (r->lim.max_extra / 4))
		return crimg_fail(
			err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
			"qnum %llu is beyond any image: more messages than the limit of %llu bytes can hold" CRIMG_LIMIT_HINT(
				"extra"),
			(unsigned long long)qnum, (unsigned long long)r->lim.max_extra);
	size_t cap = 0;
	e->n_msgs = 0;
	e->msgs = NULL;
	for (uint64_t i = 0; i < qnum; i++) {
		ProtobufCMessage *m;
		uint64_t off;
		int k = read_message(r, &ipc_msg__descriptor, &m, &off, err);
		if (k < 0)
			return -1;
		if (k == 0)
			return crimg_fail(err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
					  "message queue ends after %llu of %llu messages",
					  (unsigned long long)i, (unsigned long long)qnum);
		uint64_t msize;
		if (get_field(r, m, "msize", &msize, err) < 0)
			return -1;
		if (e->n_msgs == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct crimg_ipc_msg *nm = crimg_arena_alloc(&r->arena, ncap * sizeof(*nm));
			if (!nm)
				return crimg_fail(err, rname(r), -1, (int64_t)r->index,
						  "out of memory");
			if (cap)
				memcpy(nm, e->msgs, cap * sizeof(*nm));
			e->msgs = nm;
			cap = ncap;
		}
		const uint8_t *data = take_bytes(r, msize, "message data", err);
		if (!data || skip_pad(r, msize, 8, err) < 0)
			return -1;
		/* size word + message as crit --nopl counts them */
		e->extra_size += (off < r->in.pos ? 0 : 0);
		e->msgs[e->n_msgs++] = (struct crimg_ipc_msg){ m, data, (size_t)msize };
	}
	return 0;
}

static int read_extra(struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err)
{
	uint64_t a = 0, b = 0;
	switch (r->kind->extra) {
	case CRIMG_EXTRA_NONE:
		return 0;
	case CRIMG_EXTRA_PIPE_DATA:
		if (get_field(r, e->msg, "bytes", &a, err) < 0)
			return -1;
		break;
	case CRIMG_EXTRA_SK_QUEUE:
		if (get_field(r, e->msg, "length", &a, err) < 0)
			return -1;
		break;
	case CRIMG_EXTRA_BPFMAP:
		if (get_field(r, e->msg, "keys_bytes", &a, err) < 0 ||
		    get_field(r, e->msg, "values_bytes", &b, err) < 0)
			return -1;
		a += b;
		b = 0;
		break;
	case CRIMG_EXTRA_TCP_STREAM:
		if (get_field(r, e->msg, "inq_len", &a, err) < 0 ||
		    get_field(r, e->msg, "outq_len", &b, err) < 0)
			return -1;
		break;
	case CRIMG_EXTRA_IPC_SHM: {
		uint64_t in_pm = 0;
		if (get_field(r, e->msg, "size", &a, err) < 0)
			return -1;
		crimg_msg_get_u64(e->msg, "in_pagemaps", &in_pm);
		e->has_extra = 1;
		e->extra_size = a;
		if (in_pm) {
			/* contents live in a pagemap-shmem image */
			e->extra = (const uint8_t *)"";
			e->extra_len = 0;
			return 0;
		}
		e->extra = take_bytes(r, a, "shared memory contents", err);
		e->extra_len = (size_t)a;
		return e->extra && skip_pad(r, a, 4, err) == 0 ? 0 : -1;
	}
	case CRIMG_EXTRA_IPC_SEM: {
		if (get_field(r, e->msg, "nsems", &a, err) < 0)
			return -1;
		const uint8_t *p = take_bytes(r, a * 2, "semaphore values", err);
		if (!p || skip_pad(r, a * 2, 8, err) < 0)
			return -1;
		e->sems = crimg_arena_alloc(&r->arena, (size_t)(a ? a : 1) * 2);
		if (!e->sems)
			return crimg_fail(err, rname(r), -1, (int64_t)r->index, "out of memory");
		for (uint64_t i = 0; i < a; i++)
			e->sems[i] = crimg_load_u16(p + 2 * i, r->bo);
		e->n_sems = (size_t)a;
		e->has_extra = 1;
		e->extra_size = a * 2;
		return 0;
	}
	case CRIMG_EXTRA_IPC_MSG: {
		uint64_t start = r->in.pos;
		e->has_extra = 1;
		if (read_ipc_msgs(r, e, err) < 0)
			return -1;
		e->extra_size = 0;
		for (size_t i = 0; i < e->n_msgs; i++)
			e->extra_size += e->msgs[i].len;
		(void)start;
		return 0;
	}
	}
	e->has_extra = 1;
	e->extra_size = a + b;
	e->extra = take_bytes(r, a, "extra payload", err);
	if (!e->extra)
		return -1;
	e->extra_len = (size_t)a;
	if (r->kind->extra == CRIMG_EXTRA_TCP_STREAM) {
		e->extra2 = take_bytes(r, b, "tcp output queue", err);
		if (!e->extra2)
			return -1;
		e->extra2_len = (size_t)b;
	}
	return 0;
}

/* Ghost file without chunks: the rest of the file is its contents. */
static int read_rest(struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err)
{
	for (;;) {
		size_t have = crimg_input_avail(&r->in);
		if ((uint64_t)have > r->lim.max_extra)
			return crimg_fail(
				err, rname(r), (int64_t)r->in.pos, (int64_t)r->index,
				"ghost file contents exceed the limit of %llu bytes" CRIMG_LIMIT_HINT(
					"extra"),
				(unsigned long long)r->lim.max_extra);
		int k = crimg_input_need(&r->in, have + 1, err);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
	}
	size_t n = crimg_input_avail(&r->in);
	e->extra = take_bytes(r, n, "ghost file contents", err);
	if (!e->extra)
		return -1;
	e->extra_len = n;
	e->extra_size = n;
	e->has_extra = 1;
	return 0;
}

int crimg_reader_next(struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err)
{
	unmap_entry(r); /* the last entry's payload ends its life here */
	if (r->done)
		return 0;
	crimg_arena_reset(&r->arena);
	memset(e, 0, sizeof(*e));
	e->index = r->index;

	const ProtobufCMessageDescriptor *desc = r->kind->desc;
	if (r->index > 0) {
		if (r->kind->layout == CRIMG_LAYOUT_PAGEMAP) {
			extern const ProtobufCMessageDescriptor pagemap_entry__descriptor;
			desc = &pagemap_entry__descriptor;
		} else if (r->kind->layout == CRIMG_LAYOUT_GHOST) {
			extern const ProtobufCMessageDescriptor ghost_chunk_entry__descriptor;
			if (!r->ghost_chunks) {
				r->done = 1;
				return 0;
			}
			desc = &ghost_chunk_entry__descriptor;
		}
	}
	/* entries with nothing after them need not be unpacked here: a
	 * consumer that can read the wire format directly saves the work */
	int lazy = r->lazy && r->kind->extra == CRIMG_EXTRA_NONE &&
		r->kind->layout != CRIMG_LAYOUT_GHOST;
	e->desc = desc;
	int k = read_message_lazy(r, desc, &e->msg, &e->offset, lazy ? &e->payload : NULL,
				  &e->payload_len, &e->payload_map, err);
	if (k <= 0) {
		if (k == 0 && r->index == 0 && r->kind->layout == CRIMG_LAYOUT_GHOST)
			return crimg_fail(err, rname(r), (int64_t)r->in.pos, 0,
					  "ghost file image has no entry");
		r->done = 1;
		return k;
	}

	if (r->kind->layout == CRIMG_LAYOUT_GHOST) {
		uint64_t v = 0;
		if (r->index == 0) {
			crimg_msg_get_u64(e->msg, "chunks", &v);
			r->ghost_chunks = v != 0;
			if (!r->ghost_chunks && read_rest(r, e, err) < 0)
				return -1;
		} else {
			if (get_field(r, e->msg, "len", &v, err) < 0)
				return -1;
			e->extra = take_bytes(r, v, "ghost chunk", err);
			if (!e->extra)
				return -1;
			e->extra_len = (size_t)v;
			e->extra_size = v;
			e->has_extra = 1;
		}
	} else if (read_extra(r, e, err) < 0) {
		return -1;
	}
	r->index++;
	return 1;
}

void crimg_reader_set_lazy(struct crimg_reader *r, int lazy)
{
	r->lazy = lazy;
}

int crimg_entry_unpack(struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err)
{
	if (e->msg)
		return 0;
	e->msg = protobuf_c_message_unpack(e->desc, &r->arena.pb, e->payload_len, e->payload);
	if (!e->msg)
		return crimg_fail(err, rname(r), (int64_t)e->offset + 4, (int64_t)e->index,
				  r->arena.failed ? "out of memory unpacking %s"
						  : "invalid protobuf data for %s",
				  e->desc->name);
	return 0;
}
