/*
 * Image -> JSON straight from the protobuf wire format, without unpacking
 * into protobuf-c structures: the hot path of `crit decode`.  It handles
 * the canonical encoding every protobuf-c writer (CRIU among them) emits;
 * a first pass checks that, so anything unusual (fields out of order, a
 * repeated field split, a required field missing, damage) is left to the
 * protobuf-c path before a byte of JSON is written.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frame/frame.h"
#include "json/decode.h"

#define MAX_DEPTH 32

static inline int varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	if (p < end && *p < 0x80) { /* most tags and values: one byte */
		*v = *p;
		*pp = p + 1;
		return 0;
	}
	uint64_t r = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*v = r;
			return 0;
		}
	}
	return -1;
}

enum wire {
	W_VARINT = 0,
	W_FIXED64 = 1,
	W_LEN = 2,
	W_FIXED32 = 5
};

/* The wire type a single value of type t takes. */
static int wire_of(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return W_FIXED64;
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return W_FIXED32;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_MESSAGE:
		return W_LEN;
	default:
		return W_VARINT;
	}
}

/* Skips one value of wire type wt; -1 if it does not fit. */
static int skip_value(const uint8_t **p, const uint8_t *end, unsigned wt)
{
	uint64_t v;
	switch (wt) {
	case W_VARINT:
		return varint(p, end, &v);
	case W_FIXED64:
		if (end - *p < 8)
			return -1;
		*p += 8;
		return 0;
	case W_FIXED32:
		if (end - *p < 4)
			return -1;
		*p += 4;
		return 0;
	case W_LEN:
		if (varint(p, end, &v) < 0 || v > (uint64_t)(end - *p))
			return -1;
		*p += v;
		return 0;
	default:
		return -1;
	}
}

/* First pass: is this the canonical encoding the second pass can write? */
/*
 * A large payload mapped from its file is walked twice (checked, then
 * written) front to back: the pages behind the record at hand are given
 * back every DROP_STEP bytes, so memory does not grow with the entry.
 */
#define DROP_STEP (256u << 10)
static void drop_behind(const uint8_t **from, const uint8_t *p)
{
	if (!*from || p < *from || (size_t)(p - *from) < DROP_STEP)
		return;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	const uint8_t *upto = (const uint8_t *)((uintptr_t)p & ~(page - 1));
	madvise((void *)*from, (size_t)(upto - *from), MADV_DONTNEED);
	*from = upto;
}

static int canonical(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, int depth,
		     const uint8_t **drop)
{
	const uint8_t *end = p + n;
	unsigned cur = 0; /* index into d->fields, sorted by number */
	uint32_t last = 0;
	unsigned char seen[256];
	/* the writers keep a 64-bit mask of fields seen: more is for the
	 * general path, so a message passing here is always written whole */
	if (depth > MAX_DEPTH || d->n_fields > 64)
		return 1;
	memset(seen, 0, d->n_fields);
	while (p < end) {
		if (drop)
			drop_behind(drop, p);
		uint64_t tag = 0;
		if (varint(&p, end, &tag) < 0 || tag > UINT32_MAX)
			return 1;
		uint32_t id = (uint32_t)(tag >> 3);
		unsigned wt = tag & 7;
		if (id == 0 || id < last)
			return 1;
		while (cur < d->n_fields && d->fields[cur].id < id)
			cur++;
		const ProtobufCFieldDescriptor *f = cur < d->n_fields && d->fields[cur].id == id
			? &d->fields[cur]
			: NULL;
		if (!f) {
			/* unknown fields are not shown; they must still parse, and
			 * come once each, in order, as the writers expect */
			if (id == last || skip_value(&p, end, wt) < 0)
				return 1;
			last = id;
			continue;
		}
		if (id == last && f->label != PROTOBUF_C_LABEL_REPEATED)
			return 1; /* a second value: protobuf-c's rules apply */
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			return 1;
		int want = wire_of(f->type);
		const uint8_t *v = p;
		if (skip_value(&p, end, wt) < 0)
			return 1;
		if ((int)wt != want) {
			/* only repeated scalars may come packed */
			if (!(wt == W_LEN && f->label == PROTOBUF_C_LABEL_REPEATED &&
			      want != W_LEN))
				return 1;
			uint64_t len = 0;
			varint(&v, end, &len);
			if (len == 0)
				return 1; /* no writer packs nothing; crit shows no field */
			const uint8_t *q = v, *qe = v + len;
			while (q < qe) {
				const uint8_t *e0 = q;
				if (skip_value(&q, qe, (unsigned)want) < 0)
					return 1;
				uint64_t e = 0;
				if (f->type == PROTOBUF_C_TYPE_ENUM &&
				    (varint(&e0, qe, &e) < 0 ||
				     !protobuf_c_enum_descriptor_get_value(f->descriptor,
									   (int)(int32_t)e)))
					return 1;
			}
		} else if (wt == W_LEN) {
			uint64_t len = 0;
			varint(&v, end, &len);
			if (f->type == PROTOBUF_C_TYPE_STRING && memchr(v, '\0', len))
				return 1; /* protobuf-c would cut the string there */
			if (f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    canonical(f->descriptor, v, (size_t)len, depth + 1, NULL))
				return 1;
		} else if (f->type == PROTOBUF_C_TYPE_ENUM) {
			uint64_t e = 0;
			varint(&v, end, &e);
			if (!protobuf_c_enum_descriptor_get_value(f->descriptor, (int)(int32_t)e))
				return 1; /* let the general path decide */
		}
		seen[cur] = 1;
		last = id;
	}
	for (unsigned i = 0; i < d->n_fields; i++)
		if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED && !seen[i])
			return 1;
	return 0;
}

/* A value as protobuf-c would store it, for crimg_dj_scalar(). */
union value {
	int32_t i32;
	uint32_t u32;
	uint64_t u64;
	protobuf_c_boolean b;
	float f;
	double d;
	ProtobufCBinaryData bin;
};

static int read_value(const ProtobufCFieldDescriptor *f, const uint8_t **p, const uint8_t *end,
		      union value *v)
{
	uint64_t x = 0;
	switch (wire_of(f->type)) {
	case W_FIXED64:
		if (end - *p < 8)
			return 1;
		memcpy(&x, *p, 8); /* little-endian on the wire, as on this host */
		*p += 8;
		v->u64 = x;
		if (crimg_host_byte_order() == CRIMG_BIG_ENDIAN)
			v->u64 = __builtin_bswap64(x);
		return 0;
	case W_FIXED32: {
		uint32_t y;
		if (end - *p < 4)
			return 1;
		memcpy(&y, *p, 4);
		*p += 4;
		v->u32 = crimg_host_byte_order() == CRIMG_BIG_ENDIAN ? __builtin_bswap32(y) : y;
		return 0;
	}
	default:
		if (varint(p, end, &x) < 0)
			return 1;
	}
	switch (f->type) {
	case PROTOBUF_C_TYPE_ENUM:
		v->i32 = (int32_t)(uint32_t)x;
		if (!protobuf_c_enum_descriptor_get_value(f->descriptor, v->i32))
			return 1; /* the general path decides */
		break;
	case PROTOBUF_C_TYPE_INT32:
		v->i32 = (int32_t)(uint32_t)x;
		break;
	case PROTOBUF_C_TYPE_SINT32:
		v->i32 = (int32_t)(((uint32_t)x >> 1) ^ (0u - ((uint32_t)x & 1)));
		break;
	case PROTOBUF_C_TYPE_UINT32:
		v->u32 = (uint32_t)x;
		break;
	case PROTOBUF_C_TYPE_SINT64:
		v->u64 = (x >> 1) ^ (0 - (x & 1));
		break;
	case PROTOBUF_C_TYPE_BOOL:
		v->b = x != 0;
		break;
	default:
		v->u64 = x;
	}
	return 0;
}

/* The 32-bit words of a repeated field of id whose records start at rec,
 * for an address that prints as one string: *k of them (only the first
 * four kept), *after past the last record.  1 on a damaged record. */
static int ip_words(const ProtobufCFieldDescriptor *f, const uint8_t *rec, const uint8_t *end,
		    uint32_t id, uint32_t w[4], size_t *k, const uint8_t **after)
{
	const uint8_t *q = rec;
	*k = 0;
	while (q < end) {
		const uint8_t *r = q;
		uint64_t t = 0;
		if (varint(&r, end, &t) < 0 || (uint32_t)(t >> 3) != id)
			break;
		unsigned rwt = t & 7;
		const uint8_t *ve = r;
		if (skip_value(&ve, end, rwt) < 0)
			return 1;
		const uint8_t *vp = r, *vend = ve;
		if (rwt == W_LEN) {
			uint64_t l = 0;
			varint(&vp, end, &l);
			vend = vp + l;
		}
		while (vp < vend) {
			union value v;
			if (read_value(f, &vp, vend, &v))
				return 1;
			if (*k < 4)
				w[*k] = v.u32;
			(*k)++;
			if (rwt != W_LEN)
				break;
		}
		q = ve;
	}
	*after = q;
	return 0;
}

/* After a record of field id: 1 and the next record's wire type when one of
 * the same field follows (a repeated field's records are adjacent), 0 when
 * not, -1 on a damaged tag. */
static int same_field_next(const uint8_t **pp, const uint8_t *end, uint32_t id, unsigned *wt)
{
	if (*pp >= end)
		return 0;
	const uint8_t *r = *pp;
	uint64_t tag;
	if (varint(&r, end, &tag) < 0)
		return -1;
	if ((uint32_t)(tag >> 3) != id)
		return 0;
	*pp = r;
	*wt = tag & 7;
	return 1;
}

static int emit_message(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p,
			size_t n, int hex, int depth);
static int compact_in_place(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p,
			    size_t n, int hex, int depth);

/* One record's value(s) of field f: a packed run or a single value.
 * 0, or 1 where the encoding is not one this path writes. */
static int emit_record(struct dctx *c, const ProtobufCFieldDescriptor *f,
		       const struct crimg_field_opt *o, const uint8_t **pp, const uint8_t *end,
		       unsigned wt, int hex, int in_array, int depth)
{
	const uint8_t *p = *pp;
	uint64_t len = 0;
	int want = wire_of(f->type);
	if (wt != (unsigned)want && !(wt == W_LEN && f->label == PROTOBUF_C_LABEL_REPEATED))
		return 1;
	if (wt == W_LEN) {
		if (varint(&p, end, &len) < 0 || len > (uint64_t)(end - p))
			return 1;
		if (f->type == PROTOBUF_C_TYPE_STRING) {
			if (memchr(p, '\0', (size_t)len))
				return 1;
			if (in_array)
				jw_item(&c->j);
			jw_str(&c->j, (const char *)p, (size_t)len);
			*pp = p + len;
			return 0;
		}
		if (f->type == PROTOBUF_C_TYPE_BYTES) {
			union value v = { .bin = { (size_t)len, (uint8_t *)p } };
			if (in_array)
				jw_item(&c->j);
			crimg_dj_scalar(c, f, o, &v, hex);
			*pp = p + len;
			return 0;
		}
		if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (in_array)
				jw_item(&c->j);
			if (compact_in_place(c, f->descriptor, p, (size_t)len, hex, depth + 1) ==
			    0) {
				*pp = p + len;
				return 0;
			}
			if (emit_message(c, f->descriptor, p, (size_t)len, hex, depth + 1))
				return 1;
			*pp = p + len;
			return 0;
		}
		/* a packed run of scalars */
		const uint8_t *q = p, *qe = p + len;
		while (q < qe) {
			union value v;
			if (read_value(f, &q, qe, &v))
				return 1;
			jw_item(&c->j);
			crimg_dj_scalar(c, f, o, &v, hex);
		}
		*pp = qe;
		return 0;
	}
	union value v;
	if (read_value(f, &p, end, &v))
		return 1;
	if (in_array)
		jw_item(&c->j);
	crimg_dj_scalar(c, f, o, &v, hex);
	*pp = p;
	return 0;
}

static int emit_message(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p,
			size_t n, int hex, int depth)
{
	const uint8_t *end = p + n;
	const struct crimg_field_opt *const *opts;
	const struct crimg_key *keys;
	uint64_t required, seen = 0;
	if (depth > MAX_DEPTH || d->n_fields > 64 ||
	    crimg_msginfo_req(c->oc, d, &opts, &keys, &required) < 0)
		return 1;
	unsigned cur = 0;
	uint32_t last = 0;
	jw_open(&c->j, '{');
	while (p < end) {
		const uint8_t *rec = p;
		uint64_t tag = 0;
		if (varint(&p, end, &tag) < 0 || tag > UINT32_MAX)
			return 1;
		uint32_t id = (uint32_t)(tag >> 3);
		unsigned wt = tag & 7;
		if (id == 0 || id <= last)
			return 1; /* out of order, or a repeated field split */
		last = id;
		while (cur < d->n_fields && d->fields[cur].id < id)
			cur++;
		if (cur >= d->n_fields || d->fields[cur].id != id) {
			if (skip_value(&p, end, wt) < 0)
				return 1;
			continue;
		}
		const ProtobufCFieldDescriptor *f = &d->fields[cur];
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			return 1;
		const struct crimg_field_opt *o = opts ? opts[cur] : NULL;
		int fhex = hex || (o && (o->bits & CRIMG_OPT_HEX));
		seen |= 1ull << cur;
		if (keys[cur].len) {
			jw_item(&c->j);
			jw_raw(c->j.o, keys[cur].text, keys[cur].len);
		} else {
			jw_key(&c->j, f->name);
		}
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			if (emit_record(c, f, o, &p, end, wt, fhex, 0, depth))
				return 1;
			continue;
		}
		if (c->pretty && o && (o->bits & CRIMG_OPT_IPADD) &&
		    crimg_pb_elem_size(f->type) == 4) {
			uint32_t w[4];
			size_t k;
			const uint8_t *q;
			if (ip_words(f, rec, end, id, w, &k, &q))
				return 1;
			if (k == 1 || k == 4) {
				crimg_dj_ip(c, w, k);
				p = q;
				continue;
			}
		}
		jw_open(&c->j, '[');
		int more;
		do {
			if (depth == 0)
				drop_behind(&c->drop_from, p);
			if (emit_record(c, f, o, &p, end, wt, fhex, 1, depth))
				return 1;
		} while ((more = same_field_next(&p, end, id, &wt)) > 0);
		if (more < 0)
			return 1;
		jw_close(&c->j, ']');
	}
	if ((seen & required) != required)
		return 1;
	jw_close(&c->j, '}');
	return 0;
}

/* ---- compact output written straight into the buffer ---- */

static char *put_i64(char *w, int64_t v)
{
	if (v < 0) {
		*w++ = '-';
		return jw_fmt_u64(w, 0 - (uint64_t)v);
	}
	return jw_fmt_u64(w, (uint64_t)v);
}

/* One scalar in compact form; NULL where the general path is needed. */
static char *compact_scalar(const ProtobufCFieldDescriptor *f, const union value *v, char *w)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return put_i64(w, v->i32);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return jw_fmt_u64(w, v->u32);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return put_i64(w, (int64_t)v->u64);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return jw_fmt_u64(w, v->u64);
	case PROTOBUF_C_TYPE_BOOL:
		if (v->b) {
			memcpy(w, "true", 4);
			return w + 4;
		}
		memcpy(w, "false", 5);
		return w + 5;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor,
										    v->i32);
		size_t l = strlen(ev->name);
		*w++ = '"';
		memcpy(w, ev->name, l);
		w += l;
		*w++ = '"';
		return w;
	}
	default:
		return NULL;
	}
}

static int compact_message(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p,
			   size_t n, char **wp, int depth, int level, int hex);

/* A newline and the indentation of level (--pretty). */
static char *newline_indent(char *w, int level)
{
	*w++ = '\n';
	memset(w, ' ', 4 * (size_t)level);
	return w + 4 * level;
}

/* Before an element or member: ", " or, with --pretty, ",\n" and indent. */
static char *sep(struct dctx *c, char *w, int first, int level)
{
	if (!c->pretty) {
		if (!first) {
			*w++ = ',';
			*w++ = ' ';
		}
		return w;
	}
	if (!first)
		*w++ = ',';
	return newline_indent(w, level);
}

/* A closing bracket, with --pretty on its own line at level. */
static char *close_at(const struct dctx *c, char *w, int level, char bracket)
{
	if (c->pretty)
		w = newline_indent(w, level);
	*w++ = bracket;
	return w;
}

/* A scalar in compact or pretty form; NULL where the general path is needed. */
static char *direct_scalar(struct dctx *c, const ProtobufCFieldDescriptor *f,
			   const struct crimg_field_opt *o, const union value *v, int hex, char *w)
{
	if (c->pretty && f->type != PROTOBUF_C_TYPE_BOOL && f->type != PROTOBUF_C_TYPE_ENUM) {
		uint64_t x;
		switch (f->type) {
		case PROTOBUF_C_TYPE_INT32:
		case PROTOBUF_C_TYPE_SINT32:
		case PROTOBUF_C_TYPE_SFIXED32:
			x = (uint64_t)(int64_t)v->i32;
			break;
		case PROTOBUF_C_TYPE_UINT32:
		case PROTOBUF_C_TYPE_FIXED32:
			x = v->u32;
			break;
		case PROTOBUF_C_TYPE_INT64:
		case PROTOBUF_C_TYPE_SINT64:
		case PROTOBUF_C_TYPE_SFIXED64:
		case PROTOBUF_C_TYPE_UINT64:
		case PROTOBUF_C_TYPE_FIXED64:
			x = v->u64;
			break;
		default:
			return NULL;
		}
		return crimg_dj_pretty_int(c, f, o, x, hex, w);
	}
	return compact_scalar(f, v, w);
}

/* Whether n more bytes fit in the output buffer at w: the direct writer
 * checks before each member and value (a bound on the whole entry from its
 * size cannot hold for every hostile entry), and gives up, for the general
 * path, where they would not. */
static inline int room(const struct dctx *c, const char *w, size_t n)
{
	return (size_t)(c->j.o->buf + c->j.o->cap - w) >= n;
}
/* Separator, indentation and a closing bracket around a value at level. */
#define FRAME(level) (8 + 8 * (size_t)(level))

/* A field's value(s) from the record(s) at *pp; 1 for the general path. */
static int compact_field(struct dctx *c, const ProtobufCFieldDescriptor *f,
			 const struct crimg_field_opt *o, const uint8_t **pp, const uint8_t *end,
			 unsigned wt, char **wp, int depth, int level, int hex)
{
	const uint8_t *p = *pp;
	char *w = *wp;
	int want = wire_of(f->type);
	if (wt != (unsigned)want && !(wt == W_LEN && f->label == PROTOBUF_C_LABEL_REPEATED))
		return 1;
	if (wt == W_LEN) {
		uint64_t len;
		if (varint(&p, end, &len) < 0 || len > (uint64_t)(end - p))
			return 1;
		if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (compact_message(c, f->descriptor, p, (size_t)len, &w, depth + 1,
					    level + 1, hex))
				return 1;
		} else if (f->type == PROTOBUF_C_TYPE_BYTES && o && o->conv) {
			/* a unix socket's name, quoted-printable as crit shows it;
			 * where that needs escaping in JSON, the general path */
			if (strcmp(o->conv, "unix_name") != 0 ||
			    !room(c, w, FRAME(level) + 3 * (size_t)len + (size_t)len / 25 + 8))
				return 1;
			*w++ = '"';
			size_t k = crimg_qp_encode(p, (size_t)len, w);
			for (size_t i = 0; i < k; i++)
				if ((uint8_t)w[i] < 0x20 || (uint8_t)w[i] >= 0x7f || w[i] == '"' ||
				    w[i] == '\\')
					return 1;
			w += k;
			*w++ = '"';
		} else if (f->type == PROTOBUF_C_TYPE_BYTES) {
			if (!room(c, w, FRAME(level) + ((size_t)len / 57 + 1) * 80))
				return 1;
			/* base64 lines of 76, each ended by an escaped newline */
			*w++ = '"';
			const uint8_t *b = p;
			size_t left = (size_t)len;
			while (left > 0) {
				size_t k = left < 57 ? left : 57;
				char line[80];
				size_t l = crimg_b64_encode(b, k, line);
				memcpy(w, line, l - 1);
				w += l - 1;
				*w++ = '\\';
				*w++ = 'n';
				b += k;
				left -= k;
			}
			*w++ = '"';
		} else if (f->type == PROTOBUF_C_TYPE_STRING) {
			/* plain printable ASCII only; anything else takes the general path */
			if (!room(c, w, FRAME(level) + (size_t)len))
				return 1;
			*w++ = '"';
			for (uint64_t i = 0; i < len; i++) {
				uint8_t ch = p[i];
				if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
					return 1;
				*w++ = (char)ch;
			}
			*w++ = '"';
		} else {
			/* a packed run: the caller wrote the first separator */
			if (len == 0)
				return 1;
			const uint8_t *q = p, *qe = p + len;
			int first = 1;
			while (q < qe) {
				union value v;
				if (read_value(f, &q, qe, &v))
					return 1;
				if (!room(c, w, FRAME(level) + CRIMG_PRETTY_INT_MAX))
					return 1;
				if (!first)
					w = sep(c, w, 0, level);
				first = 0;
				if (!(w = direct_scalar(c, f, o, &v, hex, w)))
					return 1;
			}
		}
		*pp = p + len;
		*wp = w;
		return 0;
	}
	union value v;
	if (read_value(f, &p, end, &v))
		return 1;
	if (!room(c, w, FRAME(level) + CRIMG_PRETTY_INT_MAX))
		return 1;
	if (!(w = direct_scalar(c, f, o, &v, hex, w)))
		return 1;
	*pp = p;
	*wp = w;
	return 0;
}

/* The whole message at p, compact or pretty, written at *wp; its members
 * at indentation level (pretty).  1 where the general path is needed. */
static int compact_message(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p,
			   size_t n, char **wp, int depth, int level, int hex)
{
	const uint8_t *end = p + n;
	const struct crimg_field_opt *const *opts;
	const struct crimg_key *keys;
	uint64_t required, seen = 0;
	if (depth > MAX_DEPTH || level > 24 || d->n_fields > 64 ||
	    crimg_msginfo_req(c->oc, d, &opts, &keys, &required) < 0)
		return 1;
	char *w = *wp;
	unsigned cur = 0;
	uint32_t last = 0;
	int first = 1;
	if (!room(c, w, FRAME(level)))
		return 1;
	*w++ = '{';
	while (p < end) {
		const uint8_t *rec = p;
		uint64_t tag;
		if (varint(&p, end, &tag) < 0 || tag > UINT32_MAX)
			return 1;
		uint32_t id = (uint32_t)(tag >> 3);
		unsigned wt = tag & 7;
		if (id == 0 || id <= last)
			return 1;
		last = id;
		while (cur < d->n_fields && d->fields[cur].id < id)
			cur++;
		if (cur >= d->n_fields || d->fields[cur].id != id) {
			if (skip_value(&p, end, wt) < 0)
				return 1;
			continue;
		}
		const ProtobufCFieldDescriptor *f = &d->fields[cur];
		const struct crimg_field_opt *o = opts ? opts[cur] : NULL;
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) || !keys[cur].len)
			return 1;
		int ip = c->pretty && o && (o->bits & CRIMG_OPT_IPADD);
		if (ip &&
		    (f->label != PROTOBUF_C_LABEL_REPEATED || crimg_pb_elem_size(f->type) != 4))
			return 1; /* not an address --pretty shows as one */
		int fhex = hex || (o && (o->bits & CRIMG_OPT_HEX));
		seen |= 1ull << cur;
		/* separator, the key (copied as 32 or 64 bytes), '[', and the
		 * closing of this message and its array */
		if (!room(c, w, 2 * FRAME(level + 1) + 64))
			return 1;
		w = sep(c, w, first, level);
		first = 0;
		/* a fixed-size copy is cheaper than a call; the buffer has room
		 * and the key text is padded to its 64 bytes */
		if (keys[cur].len <= 32)
			memcpy(w, keys[cur].text, 32);
		else
			memcpy(w, keys[cur].text, keys[cur].len);
		w += keys[cur].len;
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			/* the most common member: a plain integer, written without
			 * the general field machinery (the room for its at most 21
			 * characters was part of the check above); --pretty writes it
			 * the same unless an option renders it otherwise */
			if (wt == W_VARINT &&
			    (!c->pretty ||
			     (!fhex &&
			      (!o ||
			       (!(o->bits & (CRIMG_OPT_DEV | CRIMG_OPT_ODEV)) && !o->flags &&
				!o->dict))))) {
				const uint8_t *q = p;
				uint64_t x;
				char *nw = NULL;
				if (varint(&q, end, &x) == 0) {
					switch (f->type) {
					case PROTOBUF_C_TYPE_UINT64:
						nw = jw_fmt_u64(w, x);
						break;
					case PROTOBUF_C_TYPE_INT64:
						nw = put_i64(w, (int64_t)x);
						break;
					case PROTOBUF_C_TYPE_UINT32:
						nw = jw_fmt_u64(w, (uint32_t)x);
						break;
					case PROTOBUF_C_TYPE_INT32:
						nw = put_i64(w, (int32_t)(uint32_t)x);
						break;
					default:
						break; /* enums, bools, zigzag: below */
					}
				}
				if (nw) {
					p = q;
					w = nw;
					continue;
				}
			}
			if (compact_field(c, f, o, &p, end, wt, &w, depth, level, fhex))
				return 1;
			continue;
		}
		*w++ = '[';
		if (ip) {
			/* one or four words print as one address string */
			uint32_t words[4];
			size_t k;
			const uint8_t *after;
			if (ip_words(f, rec, end, id, words, &k, &after))
				return 1;
			if (k == 1 || k == 4) {
				char text[64];
				size_t tl = crimg_dj_ip_text(c->bo, words, k, text);
				if (!room(c, w, 2 * FRAME(level + 1) + tl + 2))
					return 1;
				w = sep(c, w, 1, level + 1);
				*w++ = '"';
				memcpy(w, text, tl);
				w += tl;
				*w++ = '"';
				w = close_at(c, w, level, ']');
				p = after;
				continue;
			}
		}
		int more, el = 0;
		do {
			if (!room(c, w, 2 * FRAME(level + 1)))
				return 1;
			w = sep(c, w, el++ == 0, level + 1);
			if (compact_field(c, f, o, &p, end, wt, &w, depth, level + 1, fhex))
				return 1;
		} while ((more = same_field_next(&p, end, id, &wt)) > 0);
		if (more < 0)
			return 1;
		if (!room(c, w, 2 * FRAME(level)))
			return 1;
		w = close_at(c, w, level, ']');
	}
	if ((seen & required) != required)
		return 1;
	if (!room(c, w, FRAME(level)))
		return 1;
	if (first)
		*w++ = '}'; /* "{}" in both forms */
	else
		w = close_at(c, w, level - 1, '}');
	*wp = w;
	return 0;
}

/* JSON is at most this many times the wire size (long keys on one-byte
 * fields, flag names, indentation): entries under the bound are written in
 * one pass into the output buffer and rolled back if they turn out odd. */
#define EXPANSION 160

/*
 * A nested message of an entry too large to buffer whole (the VMAs of an
 * mm image, say), written by the direct writer where it fits in the
 * buffer.  The entry passed canonical() before a byte was written, so the
 * direct writer only declines here what it leaves to the general writer
 * (addresses, converted bytes, escaped strings); what it wrote is then taken
 * back, which it can be because nothing was drained in between.
 */
static int compact_in_place(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p,
			    size_t n, int hex, int depth)
{
	struct crimg_out *o = c->j.o;
	size_t bound = n * EXPANSION + 4096;
	if (bound > o->cap)
		return 1;
	if (o->cap - o->used < bound && crimg_out_drain(o) < 0)
		return 1;
	char *w = o->buf + o->used;
	if (compact_message(c, d, p, n, &w, depth, c->j.depth + 1, hex))
		return 1;
	o->used = (size_t)(w - o->buf);
	return 0;
}

int crimg_dj_wire(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n)
{
	struct crimg_out *o = c->j.o;
	size_t bound = n * EXPANSION + 4096;
	if (bound <= o->cap) {
		if (o->cap - o->used < bound && crimg_out_drain(o) < 0)
			return 1;
		size_t used = o->used;
		int depth = c->j.depth;
		unsigned char nonempty = c->j.nonempty[depth];
		char *w = o->buf + o->used;
		if (compact_message(c, d, p, n, &w, 0, depth + 1, 0) == 0) {
			o->used = (size_t)(w - o->buf);
			return 0;
		}
		/* the jw writer may drain the buffer: a failure after that could
		 * not be rolled back, so it only sees entries it writes whole */
		if (!canonical(d, p, n, 0, NULL) && emit_message(c, d, p, n, 0, 0) == 0)
			return 0;
		o->used = used;
		c->j.depth = depth;
		c->j.nonempty[depth] = nonempty;
		return 1;
	}
	const uint8_t *drop = c->drop_from;
	if (canonical(d, p, n, 0, drop ? &drop : NULL))
		return 1;
	return emit_message(c, d, p, n, 0, 0);
}
