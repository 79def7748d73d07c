/*
 * Image -> JSON.  Walks protobuf-c descriptors, so every kind works without
 * per-type code, and writes what CRIU's crit writes: fields in number order,
 * only those present, enums by name, bytes as base64, and with --pretty the
 * renderings the schema's (criu) options ask for.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "json/text_writer.h"
#include "json/pretty.h"

#include "json/decode.h"

static void write_message(struct dctx *c, const ProtobufCMessage *m, int hex);

/* 1 and *count set when the field is present (crit lists only those). */
int crimg_field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, size_t *count)
{
	const char *base = (const char *)m;
	const void *member = base + f->offset;
	*count = 1;
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		*count = *(const size_t *)(base + f->quantifier_offset);
		return *count > 0;
	}
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
	if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING) {
		const void *p = *(const void *const *)member;
		if (f->label == PROTOBUF_C_LABEL_REQUIRED)
			return p != NULL;
		return p != NULL && p != f->default_value;
	}
	if (f->label == PROTOBUF_C_LABEL_REQUIRED)
		return 1;
	if (f->quantifier_offset)
		return *(const protobuf_c_boolean *)(base + f->quantifier_offset) != 0;
	return 1;
}

static int is_signed(ProtobufCType t)
{
	return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_SINT32 ||
		t == PROTOBUF_C_TYPE_SFIXED32 || t == PROTOBUF_C_TYPE_INT64 ||
		t == PROTOBUF_C_TYPE_SINT64 || t == PROTOBUF_C_TYPE_SFIXED64;
}

static int is_int(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return 1;
	default:
		return 0;
	}
}

/* The value of an integer field as 64 bits (two's complement if signed). */
static uint64_t int_value(ProtobufCType t, const void *v)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return (uint64_t)(int64_t) * (const int32_t *)v;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return *(const uint32_t *)v;
	default:
		return *(const uint64_t *)v;
	}
}

static void put_int(struct dctx *c, ProtobufCType t, uint64_t v)
{
	if (is_signed(t))
		jw_i64(&c->j, (int64_t)v);
	else
		jw_u64(&c->j, v);
}

/* Lower-case hex digits of v ending at end. */
static char *hex_digits(uint64_t v, char *end)
{
	static const char hx[] = "0123456789abcdef";
	char *p = end;
	do {
		*--p = hx[v & 15];
		v >>= 4;
	} while (v);
	return p;
}

/* "0x%x" % value, Python style (a negative value prints as 0x-5), quoted. */
static char *fmt_hex(char *w, ProtobufCType t, uint64_t v)
{
	char b[24];
	int neg = is_signed(t) && (int64_t)v < 0;
	char *p = hex_digits(neg ? 0 - v : v, b + sizeof(b));
	*w++ = '"';
	*w++ = '0';
	*w++ = 'x';
	if (neg)
		*w++ = '-';
	memcpy(w, p, (size_t)(b + sizeof(b) - p));
	w += b + sizeof(b) - p;
	*w++ = '"';
	return w;
}

static const struct crimg_flag_map *flag_map_cached(struct dctx *c, const char *name)
{
	if (name != c->flag_name) {
		c->flag_name = name;
		c->flag_map = crimg_flag_map(name);
	}
	return c->flag_map;
}

/* "A | B | 0x40", quoted: bit names in table order, unknown bits in hex. */
static char *fmt_flags(char *w, const struct crimg_flag_map *fm, uint64_t v)
{
	uint64_t known = 0;
	int any = 0;
	*w++ = '"';
	for (size_t i = 0; i < fm->n; i++) {
		known |= fm->bits[i].value;
		if (!(v & fm->bits[i].value))
			continue;
		size_t l = strlen(fm->bits[i].name);
		if (any) {
			memcpy(w, " | ", 3);
			w += 3;
		}
		any = 1;
		memcpy(w, fm->bits[i].name, l); /* a table has < 32 names */
		w += l;
	}
	if (v & ~known) {
		char h[24];
		char *p = hex_digits(v & ~known, h + sizeof(h));
		if (any) {
			memcpy(w, " | ", 3);
			w += 3;
		}
		*w++ = '0';
		*w++ = 'x';
		memcpy(w, p, (size_t)(h + sizeof(h) - p));
		w += h + sizeof(h) - p;
	}
	*w++ = '"';
	return w;
}

/* "major:minor", quoted; odev is the old glibc makedev() layout. */
static char *fmt_dev(char *w, const struct crimg_field_opt *o, uint64_t v)
{
	uint64_t maj, min;
	if (o->bits & CRIMG_OPT_ODEV) {
		maj = ((v >> 8) & 0xfff) | ((v >> 32) & ~(uint64_t)0xfff & 0xffffffffu);
		min = (v & 0xff) | ((v >> 12) & ~(uint64_t)0xff & 0xffffffffu);
	} else {
		maj = v >> 20;
		min = v & ((1u << 20) - 1);
	}
	*w++ = '"';
	w = jw_fmt_u64(w, maj);
	*w++ = ':';
	w = jw_fmt_u64(w, min);
	*w++ = '"';
	return w;
}

char *crimg_dj_pretty_int(struct dctx *c, const ProtobufCFieldDescriptor *f,
			  const struct crimg_field_opt *o, uint64_t x, int hex, char *w)
{
	ProtobufCType t = f->type;
	if (hex)
		return fmt_hex(w, t, x);
	if (o && (o->bits & (CRIMG_OPT_DEV | CRIMG_OPT_ODEV)))
		return fmt_dev(w, o, x);
	if (o && o->flags) {
		const struct crimg_flag_map *fm = flag_map_cached(c, o->flags);
		return fm ? fmt_flags(w, fm, x) : fmt_hex(w, t, x);
	}
	if (o && o->dict) {
		const struct crimg_dict_map *dm = crimg_dict_map(o->dict);
		const char *word = dm ? crimg_dict_word(dm, f->name, x) : NULL;
		if (word) {
			size_t l = strlen(word);
			*w++ = '"';
			memcpy(w, word, l);
			w += l;
			*w++ = '"';
			return w;
		}
	}
	if (is_signed(t) && (int64_t)x < 0) {
		*w++ = '-';
		return jw_fmt_u64(w, 0 - x);
	}
	return jw_fmt_u64(w, x);
}

void crimg_dj_scalar(struct dctx *c, const ProtobufCFieldDescriptor *f,
		     const struct crimg_field_opt *o, const void *v, int hex)
{
	ProtobufCType t = f->type;
	if (is_int(t)) {
		uint64_t x = int_value(t, v);
		if (c->pretty) {
			char b[CRIMG_PRETTY_INT_MAX];
			char *e = crimg_dj_pretty_int(c, f, o, x, hex, b);
			jw_raw(c->j.o, b, (size_t)(e - b));
			return;
		}
		return put_int(c, t, x);
	}
	switch (t) {
	case PROTOBUF_C_TYPE_BOOL:
		jw_bool(&c->j, *(const protobuf_c_boolean *)v);
		return;
	case PROTOBUF_C_TYPE_FLOAT:
		jw_double(&c->j, *(const float *)v);
		return;
	case PROTOBUF_C_TYPE_DOUBLE:
		jw_double(&c->j, *(const double *)v);
		return;
	case PROTOBUF_C_TYPE_ENUM: {
		int32_t e = *(const int32_t *)v;
		const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor,
										    e);
		if (ev)
			jw_plain(&c->j, ev->name, strlen(ev->name));
		else
			jw_i64(&c->j, e);
		return;
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)v;
		jw_str(&c->j, s, strlen(s));
		return;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = v;
		if (o && o->conv && strcmp(o->conv, "unix_name") == 0) {
			size_t cap = 3 * b->len + b->len / 25 + 8;
			char *q = malloc(cap);
			if (!q) {
				c->j.o->err = ENOMEM;
				return;
			}
			size_t n = crimg_qp_encode(b->data, b->len, q);
			jw_str(&c->j, q, n);
			free(q);
			return;
		}
		jw_b64(&c->j, b->data, b->len);
		return;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		write_message(c, *(ProtobufCMessage *const *)v, hex);
		return;
	default:
		jw_lit(c->j.o, "null");
	}
}

size_t crimg_dj_ip_text(enum crimg_byte_order bo, const uint32_t *w, size_t n, char s[64])
{
	uint8_t b[16];
	size_t words = n == 1 ? 1 : 4;
	for (size_t i = 0; i < words; i++) {
		uint32_t v = w[i];
		/* the value holds network-order bytes as read by the dumping host */
		if (bo == CRIMG_LITTLE_ENDIAN) {
			b[4 * i] = (uint8_t)v;
			b[4 * i + 1] = (uint8_t)(v >> 8);
			b[4 * i + 2] = (uint8_t)(v >> 16);
			b[4 * i + 3] = (uint8_t)(v >> 24);
		} else {
			b[4 * i] = (uint8_t)(v >> 24);
			b[4 * i + 1] = (uint8_t)(v >> 16);
			b[4 * i + 2] = (uint8_t)(v >> 8);
			b[4 * i + 3] = (uint8_t)v;
		}
	}
	size_t k = 0;
	if (words == 1) {
		k = (size_t)snprintf(s, 64, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	} else {
		/* Python's ipaddress: longest run (>1) of zero groups becomes "::" */
		unsigned g[8];
		for (int i = 0; i < 8; i++)
			g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		int best = -1, bestlen = 0;
		for (int i = 0; i < 8;) {
			if (g[i]) {
				i++;
				continue;
			}
			int s0 = i;
			while (i < 8 && !g[i])
				i++;
			if (i - s0 > bestlen) {
				best = s0;
				bestlen = i - s0;
			}
		}
		if (bestlen < 2)
			best = -1;
		for (int i = 0; i < 8; i++) {
			if (i == best) {
				k += (size_t)snprintf(s + k, 64 - k, "::");
				i += bestlen - 1;
				continue;
			}
			if (k && s[k - 1] != ':')
				s[k++] = ':';
			k += (size_t)snprintf(s + k, 64 - k, "%x", g[i]);
		}
	}
	return k;
}

void crimg_dj_ip(struct dctx *c, const uint32_t *w, size_t n)
{
	char s[64];
	size_t k = crimg_dj_ip_text(c->bo, w, n, s);
	jw_open(&c->j, '[');
	jw_item(&c->j);
	jw_plain(&c->j, s, k);
	jw_close(&c->j, ']');
}

/* The members of m, without braces (an entry adds "extra" after them). */
static void write_fields(struct dctx *c, const ProtobufCMessage *m, int hex)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const struct crimg_field_opt *const *opts;
	const struct crimg_key *keys;
	if (crimg_msginfo(c->oc, d, &opts, &keys) < 0) {
		c->j.o->err = ENOMEM; /* the sink's error ends the run */
		return;
	}
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		size_t count;
		if (!crimg_field_present(m, f, &count))
			continue;
		const struct crimg_field_opt *o = opts ? opts[i] : NULL;
		int fhex = hex || (o && (o->bits & CRIMG_OPT_HEX));
		const char *member = (const char *)m + f->offset;
		if (keys && keys[i].len) {
			jw_item(&c->j);
			jw_raw(c->j.o, keys[i].text, keys[i].len);
		} else {
			jw_key(&c->j, f->name);
		}
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			crimg_dj_scalar(c, f, o, member, fhex);
			continue;
		}
		const char *arr = *(char *const *)member;
		if (c->pretty && o && (o->bits & CRIMG_OPT_IPADD) &&
		    crimg_pb_elem_size(f->type) == 4 && (count == 1 || count >= 4)) {
			crimg_dj_ip(c, (const uint32_t *)arr, count);
			continue;
		}
		size_t es = crimg_pb_elem_size(f->type);
		jw_open(&c->j, '[');
		for (size_t k = 0; k < count; k++) {
			jw_item(&c->j);
			crimg_dj_scalar(c, f, o, arr + k * es, fhex);
		}
		jw_close(&c->j, ']');
	}
}

static void write_message(struct dctx *c, const ProtobufCMessage *m, int hex)
{
	jw_open(&c->j, '{');
	write_fields(c, m, hex);
	jw_close(&c->j, '}');
}

void crimg_dj_message(struct dctx *c, const ProtobufCMessage *m, int hex)
{
	write_message(c, m, hex);
}

/* crit --nopl: "... <8KB>" */
static void put_payload_size(struct dctx *c, uint64_t size)
{
	static const char *const units[] = { "", "K", "M", "G", "T", "P", "E", "Z" };
	char b[64];
	double num = (double)size;
	int n = 0;
	size_t u;
	for (u = 0; u < 8; u++) {
		if (num < 1024.0) {
			if ((double)(uint64_t)num == num)
				n = snprintf(b, sizeof(b), "... <%" PRIu64 "%sB>", (uint64_t)num,
					     units[u]);
			else
				n = snprintf(b, sizeof(b), "... <%.1f%sB>", num, units[u]);
			break;
		}
		num /= 1024.0;
	}
	if (u == 8)
		n = snprintf(b, sizeof(b), "... <%.1fYB>", num);
	jw_plain(&c->j, b, (size_t)n);
}

static void write_extra(struct dctx *c, const struct crimg_kind *k, const struct crimg_entry *e,
			int nopl)
{
	if (!e->has_extra)
		return;
	if (nopl) {
		if (k->layout == CRIMG_LAYOUT_GHOST)
			return; /* crit shows ghost files without the key */
		jw_key(&c->j, "extra");
		put_payload_size(c, e->extra_size);
		return;
	}
	jw_key(&c->j, "extra");
	switch (k->extra) {
	case CRIMG_EXTRA_TCP_STREAM:
		jw_open(&c->j, '{');
		jw_key(&c->j, "inq");
		jw_b64(&c->j, e->extra, e->extra_len);
		jw_key(&c->j, "outq");
		jw_b64(&c->j, e->extra2, e->extra2_len);
		jw_close(&c->j, '}');
		return;
	case CRIMG_EXTRA_IPC_SEM:
		jw_open(&c->j, '[');
		for (size_t i = 0; i < e->n_sems; i++) {
			jw_item(&c->j);
			jw_u64(&c->j, e->sems[i]);
		}
		jw_close(&c->j, ']');
		return;
	case CRIMG_EXTRA_IPC_MSG: {
		/* crit prints the message headers without pretty renderings */
		int pretty = c->pretty;
		jw_open(&c->j, '[');
		for (size_t i = 0; i < e->n_msgs; i++) {
			jw_item(&c->j);
			c->pretty = 0;
			write_message(c, e->msgs[i].msg, 0);
			c->pretty = pretty;
			jw_item(&c->j);
			jw_b64(&c->j, e->msgs[i].data, e->msgs[i].len);
		}
		jw_close(&c->j, ']');
		return;
	}
	default:
		jw_b64(&c->j, e->extra, e->extra_len);
	}
}

int crimg_json_decode(struct crimg_reader *r, struct crimg_out *o, unsigned flags,
		      struct crimg_error *err)
{
	struct dctx c;
	const struct crimg_kind *k = crimg_reader_kind(r);
	jw_init(&c.j, o, !!(flags & CRIMG_JSON_PRETTY));
	c.pretty = !!(flags & CRIMG_JSON_PRETTY);
	c.bo = crimg_reader_byte_order(r);
	c.flag_name = NULL;
	c.flag_map = NULL;
	c.oc = crimg_optcache_new();
	if (!c.oc)
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	crimg_reader_set_lazy(r, 1);

	jw_open(&c.j, '{');
	jw_key(&c.j, "magic");
	jw_plain(&c.j, k->name, strlen(k->name));
	jw_key(&c.j, "entries");
	jw_open(&c.j, '[');
	struct crimg_entry e;
	int rc;
	while ((rc = crimg_reader_next(r, &e, err)) > 0) {
		jw_item(&c.j);
		c.drop_from = e.payload_map;
		if (!e.msg && !(flags & CRIMG_JSON_VIA_MESSAGES) &&
		    crimg_dj_wire(&c, e.desc, e.payload, e.payload_len) == 0)
			continue; /* written straight from the wire format */
		if (crimg_entry_unpack(r, &e, err) < 0) {
			rc = -1;
			break;
		}
		jw_open(&c.j, '{');
		write_fields(&c, e.msg, 0);
		write_extra(&c, k, &e, !!(flags & CRIMG_JSON_NOPL));
		jw_close(&c.j, '}');
		if (o->err)
			break;
	}
	if (rc == 0) {
		jw_close(&c.j, ']');
		jw_close(&c.j, '}');
	}
	crimg_optcache_free(c.oc);
	if (rc < 0)
		return -1;
	if (o->err)
		return crimg_out_flush(o, err);
	return 0;
}

int crimg_json_message(const ProtobufCMessage *m, enum crimg_byte_order bo, unsigned flags,
		       struct crimg_out *o, struct crimg_error *err)
{
	if (!m || !m->descriptor)
		return crimg_fail(err, NULL, -1, -1, "no message to write as JSON");
	struct dctx c;
	memset(&c, 0, sizeof(c));
	jw_init(&c.j, o, !!(flags & CRIMG_JSON_PRETTY));
	c.pretty = !!(flags & CRIMG_JSON_PRETTY);
	c.bo = bo;
	c.oc = crimg_optcache_new();
	if (!c.oc)
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	write_message(&c, m, 0);
	crimg_optcache_free(c.oc);
	if (o->err)
		return crimg_out_flush(o, err);
	return 0;
}
