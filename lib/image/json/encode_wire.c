/*
 * JSON -> protobuf wire format in one pass, without building protobuf-c
 * messages: each field is written as its value is read.  protobuf-c packs
 * fields in field-number order, which is the order crit writes JSON keys
 * in; keys in another order, repeated keys and two members of one oneof
 * are put right when their message ends (fields sorted, the later value
 * kept), so the bytes are those protobuf-c would pack from the same JSON.
 *
 * Nested messages get a one-byte length placeholder; the rare message of
 * 128 bytes or more is moved up by the extra length bytes once done.
 *
 * An entry that grows past FLUSH_AT (the mm entry of a process with many
 * VMAs) is written out between its top-level records when the output is a
 * regular file, its size patched in at the end, so memory does not grow
 * with it.  Should its top-level keys then turn out to need reordering,
 * what was written is read back and the entry finished in memory.
 */
#define FLUSH_AT (256u << 10)
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "json/encode_int.h"
#include "frame/writer_int.h"

enum {
	WT_VARINT = 0,
	WT_I64 = 1,
	WT_LEN = 2,
	WT_I32 = 5
};

static int grow_slow(struct ectx *c, size_t need);

/* Room for need more bytes in the entry's buffer. */
static inline int grow(struct ectx *c, size_t need)
{
	if (c->wcap - c->wlen >= need)
		return 0;
	return grow_slow(c, need);
}

static int grow_slow(struct ectx *c, size_t need)
{
	size_t cap = c->wcap ? c->wcap : 4096;
	while (cap - c->wlen < need) {
		if (cap > SIZE_MAX / 2)
			return jp_fail(c->p, "out of memory");
		cap *= 2;
	}
	uint8_t *nb = realloc(c->wb, cap);
	if (!nb)
		return jp_fail(c->p, "out of memory");
	c->wb = nb;
	c->wcap = cap;
	return 0;
}

static inline size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Callers have made room for 10 bytes. */
static inline void put_varint(struct ectx *c, uint64_t v)
{
	uint8_t *q = c->wb + c->wlen;
	while (v >= 0x80) {
		*q++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*q++ = (uint8_t)v;
	c->wlen = (size_t)(q - c->wb);
}

static inline void put_le(struct ectx *c, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c->wb[c->wlen++] = (uint8_t)(v >> (8 * i));
}

static int put_tag(struct ectx *c, const ProtobufCFieldDescriptor *f, unsigned wt)
{
	if (grow(c, 16) < 0)
		return -1;
	put_varint(c, (uint64_t)f->id << 3 | wt);
	return 0;
}

static unsigned wire_type(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return WT_I32;
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return WT_I64;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_MESSAGE:
		return WT_LEN;
	default:
		return WT_VARINT;
	}
}

/* A field's C storage, as je_read_scalar fills it. */
union slot {
	uint64_t u64;
	uint32_t u32;
	int32_t i32;
	protobuf_c_boolean b;
	float fl;
	double db;
	const char *s;
	ProtobufCBinaryData bin;
};

/* The value of one scalar (no tag), encoded as protobuf-c encodes it. */
static int put_value(struct ectx *c, ProtobufCType t, const union slot *v)
{
	size_t n;
	const void *data;
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_ENUM:
		/* negative values take ten bytes, sign-extended */
		put_varint(c, (uint64_t)(int64_t)v->i32);
		return 0;
	case PROTOBUF_C_TYPE_SINT32:
		put_varint(c, (uint32_t)((uint32_t)v->i32 << 1) ^ (uint32_t)(v->i32 >> 31));
		return 0;
	case PROTOBUF_C_TYPE_UINT32:
		put_varint(c, v->u32);
		return 0;
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		put_le(c, v->u32, 4);
		return 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
		put_varint(c, v->u64);
		return 0;
	case PROTOBUF_C_TYPE_SINT64:
		put_varint(c, (v->u64 << 1) ^ (uint64_t)((int64_t)v->u64 >> 63));
		return 0;
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		put_le(c, v->u64, 8);
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		put_varint(c, v->b ? 1 : 0);
		return 0;
	case PROTOBUF_C_TYPE_STRING:
		data = v->s ? v->s : "";
		n = strlen(data);
		break;
	case PROTOBUF_C_TYPE_BYTES:
		data = v->bin.data;
		n = v->bin.len;
		break;
	default:
		return jp_fail(c->p, "unsupported field type %d", (int)t);
	}
	put_varint(c, n);
	if (grow(c, n) < 0)
		return -1;
	if (n)
		memcpy(c->wb + c->wlen, data, n);
	c->wlen += n;
	return 0;
}

/* Writes the length of what follows the placeholder byte at ph. */
static int close_len(struct ectx *c, size_t ph)
{
	size_t len = c->wlen - ph - 1, k = varint_len(len);
	if (k > 1) {
		if (grow(c, k - 1) < 0)
			return -1;
		memmove(c->wb + ph + k, c->wb + ph + 1, len);
		c->wlen += k - 1;
	}
	size_t end = c->wlen;
	c->wlen = ph;
	put_varint(c, len);
	c->wlen = end;
	return 0;
}

static int wire_message(struct ectx *c, const ProtobufCMessageDescriptor *d,
			const struct jnode **extra);
static int wire_members(struct ectx *c, const ProtobufCMessageDescriptor *d,
			const struct jnode **extra, const struct jnode *at);
static int maybe_flush(struct ectx *c);

static int expect_kind(struct ectx *c, const ProtobufCFieldDescriptor *f, enum jtype want)
{
	char numbuf[JP_NUMBER_MAX];
	struct jnode n;
	int r = jp_scalar(c->p, &n, numbuf);
	if (r < 0)
		return -1;
	if (r != 1 || n.t != want)
		return jp_fail_at(c->p, &n, "%s: expected %s, found %s", f->name,
				  want == J_OBJ ? "an object" : "an array", je_type_word(n.t));
	return 0;
}

/* tag, length, message: one element of a message field */
static int put_submessage(struct ectx *c, const ProtobufCFieldDescriptor *f)
{
	if (expect_kind(c, f, J_OBJ) < 0 || put_tag(c, f, WT_LEN) < 0)
		return -1;
	size_t ph = c->wlen++;
	if (wire_message(c, f->descriptor, NULL) < 0)
		return -1;
	return close_len(c, ph);
}

static int is_int_type(ProtobufCType t)
{
	return t <= PROTOBUF_C_TYPE_FIXED64; /* the integer types come first */
}

/* The common case: a plain decimal integer.  1 when written; 0 when the
 * value is something else (nothing taken), -1 on error. */
static int put_plain_int(struct ectx *c, const ProtobufCFieldDescriptor *f, int tagged)
{
	struct jparser *p = c->p;
	if (jp_peek(p) < 0)
		return 0;
	/* where the number starts, for a range error (numbers hold no newline) */
	uint64_t pos = p->in.pos;
	int neg, r;
	uint64_t mag, v;
	r = jp_plain_int(p, &neg, &mag);
	if (r <= 0)
		return r;
	if (!neg && mag <= INT32_MAX) {
		v = mag; /* in range for every integer type */
	} else {
		struct jnode at = { .t = J_NUM,
				    .line = p->line,
				    .col = (int)(pos - p->line_start) + 1 };
		if (je_fit(c, &at, f, neg, mag, &v) < 0)
			return -1;
	}
	if (grow(c, 32) < 0)
		return -1;
	if (tagged)
		put_varint(c, (uint64_t)f->id << 3 | wire_type(f->type));
	union slot s;
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32: /* v is sign-extended already */
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
		put_varint(c, v);
		return 1;
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_FIXED64:
		s.u64 = v;
		break;
	default:
		s.u32 = (uint32_t)v;
	}
	put_value(c, f->type, &s);
	return 1;
}

static int put_scalar(struct ectx *c, const ProtobufCFieldDescriptor *f,
		      const struct crimg_field_opt *o, int tagged)
{
	if (is_int_type(f->type)) {
		int r = put_plain_int(c, f, tagged);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	union slot v;
	memset(&v, 0, sizeof(v));
	if (je_read_scalar(c, f, o, &v) < 0)
		return -1;
	if (tagged && put_tag(c, f, wire_type(f->type)) < 0)
		return -1;
	if (grow(c, 16) < 0)
		return -1;
	return put_value(c, f->type, &v);
}

/* An IP address string standing for a whole repeated uint32 field. */
static int put_ip(struct ectx *c, const ProtobufCFieldDescriptor *f, int packed, size_t ph)
{
	char numbuf[JP_NUMBER_MAX];
	struct jnode n;
	uint32_t *w;
	size_t count;
	if (jp_scalar(c->p, &n, numbuf) < 0 || je_set_ip(c, &n, f, &w, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (!packed && put_tag(c, f, wire_type(f->type)) < 0)
			return -1;
		if (grow(c, 16) < 0)
			return -1;
		union slot v = { .u32 = w[i] };
		put_value(c, f->type, &v);
	}
	if (packed && close_len(c, ph) < 0)
		return -1;
	if (jp_peek(c->p) != ']')
		return jp_fail(c->p, "%s: one address expected", f->name);
	jp_close(c->p);
	return jp_expect(c->p, ']', "']'");
}

static int wire_repeated(struct ectx *c, const ProtobufCFieldDescriptor *f,
			 const struct crimg_field_opt *o)
{
	struct jparser *p = c->p;
	if (expect_kind(c, f, J_ARR) < 0)
		return -1;
	jp_expect(p, '[', "'['");
	if (jp_open(p) < 0)
		return -1;
	if (jp_peek(p) == ']') {
		jp_close(p);
		return jp_expect(p, ']', "']'"); /* protobuf-c writes nothing */
	}
	int packed = (f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) != 0;
	size_t ph = 0;
	if (packed) {
		if (put_tag(c, f, WT_LEN) < 0)
			return -1;
		ph = c->wlen++;
	}
	if (o && (o->bits & CRIMG_OPT_IPADD) && crimg_pb_elem_size(f->type) == 4 &&
	    jp_peek(p) == '"')
		return put_ip(c, f, packed, ph);
	for (;;) {
		int r = f->type == PROTOBUF_C_TYPE_MESSAGE ? put_submessage(c, f)
							   : put_scalar(c, f, o, !packed);
		if (r < 0 || (!packed && maybe_flush(c) < 0))
			return -1;
		int ch = jp_peek(p);
		if (ch == ',') {
			jp_expect(p, ',', "','");
			continue;
		}
		if (jp_expect(p, ']', "',' or ']' in array") < 0)
			return -1;
		jp_close(p);
		break;
	}
	return packed ? close_len(c, ph) : 0;
}

static int wire_field(struct ectx *c, const ProtobufCFieldDescriptor *f,
		      const struct crimg_field_opt *o)
{
	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return wire_repeated(c, f, o);
	if (f->type == PROTOBUF_C_TYPE_MESSAGE)
		return put_submessage(c, f);
	return put_scalar(c, f, o, 1);
}

/* A field's bytes kept by reorder(). */
struct kept {
	unsigned field;
	size_t start, len;
};

static int kept_cmp(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	return x->field < y->field ? -1 : x->field > y->field;
}

/*
 * The fields of the message starting at segs[base] arrived out of order,
 * twice, or as two members of one oneof: keep the last of each, in field
 * order, as protobuf-c would have packed the message.
 */
static int reorder(struct ectx *c, const ProtobufCMessageDescriptor *d, size_t base)
{
	const struct je_seg *s = c->segs + base;
	/* segment starts count from the entry's start; wb holds from wbase */
	size_t n = c->nsegs - base, start = s[0].start - c->wbase, nk = 0;
	size_t total = c->wlen - start, wend = c->wbase + c->wlen;
	uint8_t *tmp = malloc(total ? total : 1);
	struct kept *keep = malloc(n * sizeof(*keep));
	unsigned char *taken = calloc(d->n_fields ? d->n_fields : 1, 1);
	if (!tmp || !keep || !taken) {
		free(tmp), free(keep), free(taken);
		return jp_fail(c->p, "out of memory");
	}
	memcpy(tmp, c->wb + start, total);
	/* from the last field back: a field or oneof set again later loses */
	for (size_t i = n; i-- > 0;) {
		size_t end = i + 1 < n ? s[i + 1].start : wend;
		unsigned fi = s[i].field;
		if (taken[fi])
			continue;
		taken[fi] = 1;
		const ProtobufCFieldDescriptor *f = &d->fields[fi];
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			for (unsigned j = 0; j < d->n_fields; j++)
				if ((d->fields[j].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
				    d->fields[j].quantifier_offset == f->quantifier_offset)
					taken[j] = 1;
		keep[nk++] = (struct kept){ .field = fi,
					    .start = s[i].start - c->wbase - start,
					    .len = end - s[i].start };
	}
	/* one segment per field now: sorting by field is the packing order */
	qsort(keep, nk, sizeof(*keep), kept_cmp);
	c->wlen = start;
	for (size_t i = 0; i < nk; i++) {
		memcpy(c->wb + c->wlen, tmp + keep[i].start, keep[i].len);
		c->wlen += keep[i].len;
	}
	free(tmp), free(keep), free(taken);
	return 0;
}

static int push_seg(struct ectx *c, unsigned field)
{
	if (c->nsegs == c->segcap) {
		size_t cap = c->segcap ? c->segcap * 2 : 64;
		struct je_seg *ns = realloc(c->segs, cap * sizeof(*ns));
		if (!ns)
			return jp_fail(c->p, "out of memory");
		c->segs = ns;
		c->segcap = cap;
	}
	c->segs[c->nsegs++] = (struct je_seg){ .field = field, .start = c->wbase + c->wlen };
	return 0;
}

/* Between two top-level records: writes out what the entry holds so far
 * once it is large (see FLUSH_AT). */
static int maybe_flush(struct ectx *c)
{
	if (c->depth != 1 || c->wlen < FLUSH_AT || c->top_disorder)
		return 0;
	struct crimg_writer *w = c->st->w;
	if (!c->streaming) {
		if (!crimg_writer_can_patch(w))
			return 0;
		c->size_pos = crimg_writer_tell(w);
		if (crimg_writer_u32(w, 0, c->werr) < 0) /* patched at the end */
			return je_wfail(c, c->werr);
		c->streaming = 1;
	}
	if (crimg_writer_bytes(w, c->wb, c->wlen, c->werr) < 0)
		return je_wfail(c, c->werr);
	c->wbase += c->wlen;
	c->wlen = 0;
	return 0;
}

/* The entry's top-level keys need reordering after all: its written part
 * comes back into memory and the output is cut where the entry began. */
static int unflush(struct ectx *c)
{
	size_t n = c->wbase + 4; /* with the size placeholder */
	if (grow(c, n) < 0)
		return -1;
	memmove(c->wb + n, c->wb, c->wlen);
	if (crimg_writer_take_back(c->st->w, c->size_pos, c->wb, n, c->werr) < 0)
		return je_wfail(c, c->werr);
	memmove(c->wb, c->wb + 4, c->wbase + c->wlen);
	c->wlen += c->wbase;
	c->wbase = 0;
	c->streaming = 0;
	return 0;
}

/* A message's fields (after its '{'), written as they come. */
static int wire_message(struct ectx *c, const ProtobufCMessageDescriptor *d,
			const struct jnode **extra)
{
	struct jparser *p = c->p;
	struct jnode at = { 0 };
	jp_pos(p, &at.line, &at.col);
	if (jp_expect(p, '{', "'{'") < 0 || jp_open(p) < 0)
		return -1;
	c->depth++;
	int rc = wire_members(c, d, extra, &at);
	c->depth--;
	return rc;
}

static int wire_members(struct ectx *c, const ProtobufCMessageDescriptor *d,
			const struct jnode **extra, const struct jnode *at)
{
	struct jparser *p = c->p;
	const struct crimg_field_opt *const *opts;
	const struct crimg_key *keys;
	if (crimg_msginfo(c->oc, d, &opts, &keys) < 0)
		return jp_fail(p, "out of memory");
	unsigned char seen_small[64];
	unsigned char *seen = d->n_fields <= sizeof(seen_small)
		? seen_small
		: crimg_arena_alloc(c->arena, d->n_fields);
	if (!seen)
		return jp_fail(p, "out of memory");
	memset(seen, 0, d->n_fields);
	size_t base = c->nsegs;
	unsigned hint = 0;
	int disorder = 0, last = -1;
	if (jp_peek(p) == '}') {
		jp_expect(p, '}', "'}'");
		jp_close(p);
	} else {
		for (;;) {
			unsigned k = d->n_fields;
			/* short cut: one of the next fields' `"name": `, as crit writes them */
			if (keys && jp_peek(p) == '"') {
				for (unsigned i = hint; i < d->n_fields && i < hint + 8; i++)
					if (keys[i].len && jp_match(p, keys[i].text, keys[i].len)) {
						k = i;
						break;
					}
			}
			if (k == d->n_fields) {
				struct jnode key;
				if (jp_key(p, &key) < 0)
					return -1;
				if (extra && strcmp(key.s, "extra") == 0) {
					if (!(*extra = jp_value(p)))
						return -1;
					goto member_done;
				}
				const ProtobufCFieldDescriptor *f =
					protobuf_c_message_descriptor_get_field_by_name(d, key.s);
				if (!f)
					return jp_fail_at(p, &key, "%s has no field \"%s\"",
							  d->name, key.s);
				k = (unsigned)(f - d->fields);
			}
			const ProtobufCFieldDescriptor *f = &d->fields[k];
			if ((int)k <= last || seen[k] || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
				disorder = 1; /* oneof: another member may have come */
				if (c->depth == 1) {
					c->top_disorder = 1;
					if (c->streaming && unflush(c) < 0)
						return -1;
				}
			} else {
				last = (int)k;
			}
			if (push_seg(c, k) < 0 || wire_field(c, f, opts ? opts[k] : NULL) < 0 ||
			    maybe_flush(c) < 0)
				return -1;
			seen[k] = 1;
			hint = k + 1;
		member_done:;
			int ch = jp_peek(p);
			if (ch == ',') {
				jp_expect(p, ',', "','");
				continue;
			}
			if (jp_expect(p, '}', "',' or '}' in object") < 0)
				return -1;
			jp_close(p);
			break;
		}
	}
	for (unsigned i = 0; i < d->n_fields; i++)
		if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED && !seen[i])
			return jp_fail_at(p, at, "%s: missing required field \"%s\"", d->name,
					  d->fields[i].name);
	if (disorder && c->nsegs > base && reorder(c, d, base) < 0)
		return -1;
	c->nsegs = base;
	return 0;
}

int je_wire_entry(struct ectx *c, struct estate *s, struct crimg_error *err)
{
	int line, col;
	jp_pos(c->p, &line, &col);
	const ProtobufCMessageDescriptor *d = je_entry_desc(c, s, line, col);
	if (!d)
		return -1;
	char numbuf[JP_NUMBER_MAX];
	struct jnode n;
	int r = jp_scalar(c->p, &n, numbuf);
	if (r < 0)
		return -1;
	if (r != 1 || n.t != J_OBJ)
		return jp_fail_at(c->p, &n, "entry %llu: expected an object, found %s",
				  (unsigned long long)s->index, je_type_word(n.t));
	const struct jnode *x = NULL;
	c->wlen = c->wbase = 0;
	c->nsegs = 0;
	c->depth = c->streaming = c->top_disorder = 0;
	c->st = s;
	c->werr = err;
	if (wire_message(c, d, &x) < 0)
		return -1;
	if (x)
		return jp_fail_at(c->p, x, "%s entries carry no \"extra\"", s->kind->name);
	uint64_t total = (uint64_t)c->wbase + c->wlen;
	if (total > UINT32_MAX)
		return jp_fail_at(c->p, &n,
				  "entry %llu: %s packs to %llu bytes, more than an entry can hold",
				  (unsigned long long)s->index, d->name, (unsigned long long)total);
	if (c->streaming) {
		if (crimg_writer_bytes(s->w, c->wb, c->wlen, err) < 0 ||
		    crimg_writer_patch_u32(s->w, c->size_pos, (uint32_t)total, err) < 0)
			return je_wfail(c, err);
	} else if (crimg_writer_u32(s->w, (uint32_t)c->wlen, err) < 0 ||
		   crimg_writer_bytes(s->w, c->wb, c->wlen, err) < 0) {
		return je_wfail(c, err);
	}
	s->index++;
	return 0;
}

void je_wire_free(struct ectx *c)
{
	free(c->wb);
	free(c->segs);
	c->wb = NULL;
	c->segs = NULL;
	c->wlen = c->wcap = c->nsegs = c->segcap = 0;
}
