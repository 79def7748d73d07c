/*
 * JSON -> image.  Accepts what crit decode writes, compact or --pretty
 * (hex strings, flag names, "maj:min" devices, IP addresses, dictionary
 * words), builds protobuf-c messages by walking descriptors and writes
 * them one entry at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "frame/frame.h"
#include "json/encode_int.h"

static int build_message(struct ectx *c, const ProtobufCMessageDescriptor *d,
			 const struct jnode *obj, int skip_extra, ProtobufCMessage **out);

const char *je_type_word(enum jtype t)
{
	static const char *const w[] = { "null",     "a boolean", "a number",
					 "a string", "an array",  "an object" };
	return w[t];
}

/* ---- integers, as Python's int(x) and int(x, 0) read them ---- */

/* Parses an optionally signed integer literal in base 10 (JSON number). */
static int parse_dec(const char *s, size_t n, int *neg, uint64_t *mag)
{
	size_t i = 0;
	*neg = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		*neg = s[i++] == '-';
	if (i == n)
		return -1;
	uint64_t v = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -2; /* too large */
		v = v * 10 + d;
	}
	*mag = v;
	return 0;
}

/* int(s, 0): blanks around, sign, 0x/0o/0b prefixes, '_' between digits. */
static int parse_int0(const char *s, size_t n, int *neg, uint64_t *mag)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	size_t i = 0;
	*neg = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		*neg = s[i++] == '-';
	unsigned base = 10;
	if (n - i >= 2 && s[i] == '0') {
		char x = (char)(s[i + 1] | 0x20);
		if (x == 'x')
			base = 16;
		else if (x == 'o')
			base = 8;
		else if (x == 'b')
			base = 2;
		if (base != 10)
			i += 2;
	}
	if (i == n)
		return -1;
	uint64_t v = 0;
	int digits = 0, prev_us = base != 10; /* "0x_1f" is allowed */
	int all_zero = 1;
	for (; i < n; i++) {
		if (s[i] == '_') {
			if (prev_us)
				return -1;
			prev_us = 1;
			continue;
		}
		unsigned d;
		char ch = s[i];
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			d = (unsigned)((ch | 0x20) - 'a' + 10);
		else
			return -1;
		if (d >= base)
			return -1;
		if (base == 10 && digits > 0 && all_zero && d != 0)
			return -1; /* "01" is not a Python integer */
		if (d)
			all_zero = 0;
		if (v > (UINT64_MAX - d) / base)
			return -2;
		v = v * base + d;
		digits++;
		prev_us = 0;
	}
	if (!digits || prev_us)
		return -1;
	*mag = v;
	return 0;
}

/* Checks the range of (neg, mag) for t and stores it as 64 bits. */
int je_fit(struct ectx *c, const struct jnode *n, const ProtobufCFieldDescriptor *f, int neg,
	   uint64_t mag, uint64_t *out)
{
	uint64_t maxpos, maxneg;
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		maxpos = INT32_MAX, maxneg = (uint64_t)INT32_MAX + 1;
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		maxpos = UINT32_MAX, maxneg = 0;
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		maxpos = INT64_MAX, maxneg = (uint64_t)INT64_MAX + 1;
		break;
	default:
		maxpos = UINT64_MAX, maxneg = 0;
	}
	if (mag == 0)
		neg = 0;
	if ((!neg && mag > maxpos) || (neg && mag > maxneg))
		return jp_fail_at(c->p, n, "%s: value %s%llu out of range", f->name, neg ? "-" : "",
				  (unsigned long long)mag);
	*out = neg ? 0 - mag : mag;
	return 0;
}

static int int_from_string(struct ectx *c, const struct jnode *n, const ProtobufCFieldDescriptor *f,
			   const struct crimg_field_opt *o, uint64_t *out)
{
	int neg, rc;
	uint64_t mag;
	if (o && (o->bits & (CRIMG_OPT_DEV | CRIMG_OPT_ODEV))) {
		const char *colon = memchr(n->s, ':', n->len);
		uint64_t maj, min;
		int n1, n2;
		if (!colon || parse_int0(n->s, (size_t)(colon - n->s), &n1, &maj) ||
		    parse_int0(colon + 1, n->len - (size_t)(colon + 1 - n->s), &n2, &min) || n1 ||
		    n2)
			return jp_fail_at(c->p, n,
					  "%s: expected a device as \"major:minor\", not \"%s\"",
					  f->name, n->s);
		if (o->bits & CRIMG_OPT_ODEV)
			mag = ((maj & 0xfff) << 8) | ((maj & ~(uint64_t)0xfff) << 32) |
				(min & 0xff) | ((min & ~(uint64_t)0xff) << 12);
		else
			mag = maj << 20 | min;
		return je_fit(c, n, f, 0, mag, out);
	}
	if (o && o->flags) {
		const struct crimg_flag_map *fm = crimg_flag_map(o->flags);
		if (fm) {
			/* "A | B | 0x40": names and numbers, summed as crit does */
			uint64_t sum = 0;
			const char *s = n->s, *end = n->s + n->len;
			if (n->len == 0)
				return je_fit(c, n, f, 0, 0, out);
			while (s <= end) {
				const char *bar = memchr(s, '|', (size_t)(end - s));
				const char *e = bar ? bar : end;
				const char *a = s, *b = e;
				while (a < b && (*a == ' ' || *a == '\t'))
					a++;
				while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
					b--;
				size_t i;
				for (i = 0; i < fm->n; i++)
					if (strlen(fm->bits[i].name) == (size_t)(b - a) &&
					    memcmp(fm->bits[i].name, a, (size_t)(b - a)) == 0)
						break;
				if (i < fm->n) {
					sum += fm->bits[i].value;
				} else {
					rc = parse_int0(a, (size_t)(b - a), &neg, &mag);
					if (rc || neg)
						return jp_fail_at(c->p, n,
								  "%s: unknown flag '%.*s' for %s",
								  f->name, (int)(b - a), a,
								  o->flags);
					sum += mag;
				}
				if (!bar)
					break;
				s = bar + 1;
			}
			return je_fit(c, n, f, 0, sum, out);
		}
	}
	if (o && o->dict) {
		const struct crimg_dict_map *dm = crimg_dict_map(o->dict);
		uint64_t v;
		if (dm && crimg_dict_value(dm, f->name, n->s, n->len, &v) == 0)
			return je_fit(c, n, f, 0, v, out);
	}
	rc = parse_int0(n->s, n->len, &neg, &mag);
	if (rc == -2)
		return jp_fail_at(c->p, n, "%s: value \"%.64s%s\" out of range", f->name, n->s,
				  n->len > 64 ? "..." : "");
	if (rc)
		return jp_fail_at(c->p, n, "%s: expected an integer, not \"%.64s%s\"", f->name,
				  n->s, n->len > 64 ? "..." : "");
	return je_fit(c, n, f, neg, mag, out);
}

static int get_int(struct ectx *c, const struct jnode *n, const ProtobufCFieldDescriptor *f,
		   const struct crimg_field_opt *o, uint64_t *out)
{
	int neg, rc;
	uint64_t mag;
	switch (n->t) {
	case J_NUM:
		rc = parse_dec(n->s, n->len, &neg, &mag);
		if (rc == -2)
			return jp_fail_at(c->p, n, "%s: value %s out of range", f->name, n->s);
		if (rc)
			return jp_fail_at(c->p, n, "%s: expected an integer, not %s", f->name,
					  n->s);
		return je_fit(c, n, f, neg, mag, out);
	case J_BOOL:
		return je_fit(c, n, f, 0, (uint64_t)n->b, out);
	case J_STR:
		return int_from_string(c, n, f, o, out);
	default:
		return jp_fail_at(c->p, n, "%s: expected an integer, found %s", f->name,
				  je_type_word(n->t));
	}
}

/* ---- one value into a field's storage ---- */

static int set_scalar(struct ectx *c, const struct jnode *n, const ProtobufCFieldDescriptor *f,
		      const struct crimg_field_opt *o, void *dst)
{
	uint64_t v;
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		if (get_int(c, n, f, o, &v) < 0)
			return -1;
		*(uint32_t *)dst = (uint32_t)v;
		return 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		if (get_int(c, n, f, o, &v) < 0)
			return -1;
		*(uint64_t *)dst = v;
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		if (n->t == J_BOOL)
			*(protobuf_c_boolean *)dst = n->b;
		else if (n->t == J_NUM)
			*(protobuf_c_boolean *)dst = strspn(n->s, "-0.eE+") != n->len;
		else
			return jp_fail_at(c->p, n, "%s: expected true or false, found %s", f->name,
					  je_type_word(n->t));
		return 0;
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: {
		if (n->t != J_NUM)
			return jp_fail_at(c->p, n, "%s: expected a number, found %s", f->name,
					  je_type_word(n->t));
		double d = strtod(n->s, NULL);
		if (f->type == PROTOBUF_C_TYPE_FLOAT)
			*(float *)dst = (float)d;
		else
			*(double *)dst = d;
		return 0;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = f->descriptor;
		if (n->t == J_STR) {
			const ProtobufCEnumValue *ev =
				protobuf_c_enum_descriptor_get_value_by_name(ed, n->s);
			if (!ev)
				return jp_fail_at(c->p, n, "%s: \"%s\" is not a value of %s",
						  f->name, n->s, ed->name);
			*(int32_t *)dst = ev->value;
			return 0;
		}
		/* a number the enum does not name is what decode writes for
		 * one (images from newer CRIUs, or damaged): kept as it is */
		if (get_int(c, n, f, NULL, &v) < 0)
			return -1;
		*(int32_t *)dst = (int32_t)v;
		return 0;
	}
	case PROTOBUF_C_TYPE_STRING: {
		if (n->t != J_STR)
			return jp_fail_at(c->p, n, "%s: expected a string, found %s", f->name,
					  je_type_word(n->t));
		if (memchr(n->s, '\0', n->len))
			return jp_fail_at(c->p, n, "%s: a string field cannot hold a NUL byte",
					  f->name);
		*(const char **)dst = n->s; /* NUL-terminated, lives in the arena */
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		if (n->t != J_STR)
			return jp_fail_at(c->p, n, "%s: expected a base64 string, found %s",
					  f->name, je_type_word(n->t));
		ProtobufCBinaryData *b = dst;
		uint8_t *data = crimg_arena_alloc(c->arena, n->len + 1);
		if (!data)
			return jp_fail(c->p, "out of memory");
		if (o && o->conv && strcmp(o->conv, "unix_name") == 0) {
			b->len = crimg_qp_decode(n->s, n->len, data);
		} else {
			ssize_t k = crimg_b64_decode(n->s, n->len, data);
			if (k < 0)
				return jp_fail_at(c->p, n, "%s: invalid base64 (incorrect padding)",
						  f->name);
			b->len = (size_t)k;
		}
		b->data = data;
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		if (n->t != J_OBJ)
			return jp_fail_at(c->p, n, "%s: expected an object, found %s", f->name,
					  je_type_word(n->t));
		return build_message(c, f->descriptor, n, 0, (ProtobufCMessage **)dst);
	}
	default:
		return jp_fail_at(c->p, n, "%s: unsupported field type", f->name);
	}
}

/* An IP address string into 1 (IPv4) or 4 (IPv6) words as the host read them. */
int je_set_ip(struct ectx *c, const struct jnode *n, const ProtobufCFieldDescriptor *f,
	      uint32_t **words, size_t *count)
{
	uint8_t b[16];
	size_t nb;
	char tmp[64];
	if (n->len >= sizeof(tmp))
		return jp_fail_at(c->p, n, "%s: invalid IP address", f->name);
	memcpy(tmp, n->s, n->len + 1);
	if (inet_pton(AF_INET, tmp, b) == 1)
		nb = 4;
	else if (inet_pton(AF_INET6, tmp, b) == 1)
		nb = 16;
	else
		return jp_fail_at(c->p, n, "%s: invalid IP address \"%s\"", f->name, tmp);
	uint32_t *w = crimg_arena_alloc(c->arena, nb);
	if (!w)
		return jp_fail(c->p, "out of memory");
	for (size_t i = 0; i < nb / 4; i++) {
		const uint8_t *q = b + 4 * i;
		w[i] = c->bo == CRIMG_LITTLE_ENDIAN ? (uint32_t)q[0] | (uint32_t)q[1] << 8 |
				(uint32_t)q[2] << 16 | (uint32_t)q[3] << 24
						    : (uint32_t)q[3] | (uint32_t)q[2] << 8 |
				(uint32_t)q[1] << 16 | (uint32_t)q[0] << 24;
	}
	*words = w;
	*count = nb / 4;
	return 0;
}

static int set_field(struct ectx *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
		     const struct crimg_field_opt *o, const struct jnode *n)
{
	char *base = (char *)m;
	void *member = base + f->offset;
	if (n->t == J_NULL)
		return jp_fail_at(c->p, n, "%s: null is not a value", f->name);
	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		if (set_scalar(c, n, f, o, member) < 0)
			return -1;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			*(uint32_t *)(base + f->quantifier_offset) = f->id;
		else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
			 f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING)
			*(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
		return 0;
	}
	if (n->t != J_ARR)
		return jp_fail_at(c->p, n, "%s: expected an array, found %s", f->name,
				  je_type_word(n->t));
	size_t *count = (size_t *)(base + f->quantifier_offset);
	if (n->n && n->items[0]->t == J_STR && o && (o->bits & CRIMG_OPT_IPADD) &&
	    crimg_pb_elem_size(f->type) == 4)
		return je_set_ip(c, n->items[0], f, (uint32_t **)member, count);
	size_t es = crimg_pb_elem_size(f->type);
	char *arr = NULL;
	if (n->n) {
		arr = crimg_arena_alloc(c->arena, n->n * es);
		if (!arr)
			return jp_fail(c->p, "out of memory");
		memset(arr, 0, n->n * es);
	}
	for (size_t i = 0; i < n->n; i++)
		if (set_scalar(c, n->items[i], f, o, arr + i * es) < 0)
			return -1;
	*(char **)member = arr;
	*count = n->n;
	return 0;
}

static int build_message(struct ectx *c, const ProtobufCMessageDescriptor *d,
			 const struct jnode *obj, int skip_extra, ProtobufCMessage **out)
{
	if (obj->t != J_OBJ)
		return jp_fail_at(c->p, obj, "expected an object for %s, found %s", d->name,
				  je_type_word(obj->t));
	ProtobufCMessage *m = crimg_arena_alloc(c->arena, d->sizeof_message);
	unsigned char *seen = crimg_arena_alloc(c->arena, d->n_fields + 1);
	if (!m || !seen)
		return jp_fail(c->p, "out of memory");
	protobuf_c_message_init(d, m);
	memset(seen, 0, d->n_fields + 1);
	const struct crimg_field_opt *const *opts;
	if (crimg_opts_for(c->oc, d, &opts) < 0)
		return jp_fail(c->p, "out of memory");
	unsigned hint = 0;
	for (size_t i = 0; i < obj->n; i++) {
		const struct jmember *mb = &obj->members[i];
		if (skip_extra && mb->key[0] == 'e' && strcmp(mb->key, "extra") == 0)
			continue;
		/* members usually come in field order: try the next field first */
		const ProtobufCFieldDescriptor *f = NULL;
		if (hint < d->n_fields && strcmp(d->fields[hint].name, mb->key) == 0)
			f = &d->fields[hint];
		else
			f = protobuf_c_message_descriptor_get_field_by_name(d, mb->key);
		if (!f)
			return jp_fail_at(c->p, mb->v, "%s has no field \"%s\"", d->name, mb->key);
		size_t fi = (size_t)(f - d->fields);
		if (set_field(c, m, f, opts ? opts[fi] : NULL, mb->v) < 0)
			return -1;
		seen[fi] = 1;
		hint = (unsigned)fi + 1;
	}
	for (unsigned i = 0; i < d->n_fields; i++)
		if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED && !seen[i])
			return jp_fail_at(c->p, obj, "%s: missing required field \"%s\"", d->name,
					  d->fields[i].name);
	*out = m;
	return 0;
}

/* ---- extras ---- */

static int b64_of(struct ectx *c, const struct jnode *n, const char *what, uint8_t **data,
		  size_t *len)
{
	if (n->t != J_STR)
		return jp_fail_at(c->p, n, "%s: expected a base64 string, found %s", what,
				  je_type_word(n->t));
	uint8_t *d = crimg_arena_alloc(c->arena, n->len + 1);
	if (!d)
		return jp_fail(c->p, "out of memory");
	ssize_t k = crimg_b64_decode(n->s, n->len, d);
	if (k < 0)
		return jp_fail_at(c->p, n, "%s: invalid base64 (incorrect padding)", what);
	*data = d;
	*len = (size_t)k;
	return 0;
}

int je_wfail(struct ectx *c, struct crimg_error *werr)
{
	/* a write error: keep its text, it names the output file */
	if (c->p->err && werr != c->p->err)
		*c->p->err = *werr;
	return -1;
}

static const uint8_t zeros[8];

/* The fields of an entry whose sum gives the size of its extra payload
 * (for semaphores and queued messages: their count). */
static const struct extra_len {
	const char *a, *b;
} extra_len[] = {
	[CRIMG_EXTRA_PIPE_DATA] = { "bytes", NULL },
	[CRIMG_EXTRA_SK_QUEUE] = { "length", NULL },
	[CRIMG_EXTRA_TCP_STREAM] = { "inq_len", "outq_len" },
	[CRIMG_EXTRA_BPFMAP] = { "keys_bytes", "values_bytes" },
	[CRIMG_EXTRA_IPC_SHM] = { "size", NULL },
	[CRIMG_EXTRA_IPC_SEM] = { "nsems", NULL },
	[CRIMG_EXTRA_IPC_MSG] = { "qnum", NULL },
};

static uint64_t extra_len_of(const ProtobufCMessage *m, const struct extra_len *l)
{
	uint64_t a = 0, b = 0;
	crimg_msg_get_u64(m, l->a, &a);
	if (l->b)
		crimg_msg_get_u64(m, l->b, &b);
	return a + b;
}

static int write_extra(struct ectx *c, struct crimg_writer *w, const struct crimg_kind *k,
		       const ProtobufCMessage *m, const struct jnode *x, struct crimg_error *err)
{
	uint8_t *d;
	size_t len;
	uint64_t v, v2;
	switch (k->extra) {
	case CRIMG_EXTRA_NONE:
		return 0;
	case CRIMG_EXTRA_TCP_STREAM: {
		if (x->t != J_OBJ)
			return jp_fail_at(c->p, x, "extra: expected {\"inq\": ..., \"outq\": ...}");
		const struct jnode *in = jobj_get(x, "inq"), *outq = jobj_get(x, "outq");
		if (!in || !outq)
			return jp_fail_at(c->p, x, "extra: needs both \"inq\" and \"outq\"");
		crimg_msg_get_u64(m, "inq_len", &v);
		crimg_msg_get_u64(m, "outq_len", &v2);
		if (b64_of(c, in, "extra.inq", &d, &len) < 0)
			return -1;
		if (len != v)
			return jp_fail_at(c->p, in,
					  "extra.inq: holds %zu bytes but inq_len is %llu", len,
					  (unsigned long long)v);
		if (crimg_writer_bytes(w, d, len, err) < 0)
			return je_wfail(c, err);
		if (b64_of(c, outq, "extra.outq", &d, &len) < 0)
			return -1;
		if (len != v2)
			return jp_fail_at(c->p, outq,
					  "extra.outq: holds %zu bytes but outq_len is %llu", len,
					  (unsigned long long)v2);
		return crimg_writer_bytes(w, d, len, err) < 0 ? je_wfail(c, err) : 0;
	}
	case CRIMG_EXTRA_IPC_SHM: {
		uint64_t in_pm = 0;
		crimg_msg_get_u64(m, "size", &v);
		crimg_msg_get_u64(m, "in_pagemaps", &in_pm);
		if (b64_of(c, x, "extra", &d, &len) < 0)
			return -1;
		if (in_pm) {
			if (len)
				return jp_fail_at(c->p, x,
						  "extra: contents given but in_pagemaps is set");
			return 0;
		}
		if (len != v)
			return jp_fail_at(c->p, x, "extra: holds %zu bytes but size is %llu", len,
					  (unsigned long long)v);
		if (crimg_writer_bytes(w, d, len, err) < 0 ||
		    crimg_writer_bytes(w, zeros, (4 - len % 4) % 4, err) < 0)
			return je_wfail(c, err);
		return 0;
	}
	case CRIMG_EXTRA_IPC_SEM: {
		crimg_msg_get_u64(m, "nsems", &v);
		if (x->t != J_ARR)
			return jp_fail_at(c->p, x, "extra: expected an array of semaphore values");
		if (x->n != v)
			return jp_fail_at(c->p, x, "extra: %zu values but nsems is %llu", x->n,
					  (unsigned long long)v);
		static const ProtobufCFieldDescriptor u16f = { .name = "extra",
							       .type = PROTOBUF_C_TYPE_UINT32 };
		for (size_t i = 0; i < x->n; i++) {
			uint64_t s;
			if (get_int(c, x->items[i], &u16f, NULL, &s) < 0)
				return -1;
			if (s > 0xffff)
				return jp_fail_at(c->p, x->items[i],
						  "extra: semaphore value %llu exceeds 65535",
						  (unsigned long long)s);
			if (crimg_writer_u16(w, (uint16_t)s, err) < 0)
				return je_wfail(c, err);
		}
		if (crimg_writer_bytes(w, zeros, (8 - (2 * x->n) % 8) % 8, err) < 0)
			return je_wfail(c, err);
		return 0;
	}
	case CRIMG_EXTRA_IPC_MSG: {
		extern const ProtobufCMessageDescriptor ipc_msg__descriptor;
		crimg_msg_get_u64(m, "qnum", &v);
		if (x->t != J_ARR || x->n % 2)
			return jp_fail_at(c->p, x,
					  "extra: expected [header, data, header, data, ...]");
		if (x->n / 2 != v)
			return jp_fail_at(c->p, x, "extra: %zu messages but qnum is %llu", x->n / 2,
					  (unsigned long long)v);
		for (size_t i = 0; i < x->n; i += 2) {
			ProtobufCMessage *hm;
			uint64_t msize;
			if (build_message(c, &ipc_msg__descriptor, x->items[i], 0, &hm) < 0 ||
			    b64_of(c, x->items[i + 1], "extra", &d, &len) < 0)
				return -1;
			crimg_msg_get_u64(hm, "msize", &msize);
			if (len != msize)
				return jp_fail_at(c->p, x->items[i + 1],
						  "extra: message holds %zu bytes but msize is %llu",
						  len, (unsigned long long)msize);
			if (crimg_writer_message(w, hm, err) < 0 ||
			    crimg_writer_bytes(w, d, len, err) < 0 ||
			    crimg_writer_bytes(w, zeros, (8 - len % 8) % 8, err) < 0)
				return je_wfail(c, err);
		}
		return 0;
	}
	default:
		break;
	}
	/* plain blobs whose length fields give */
	if (b64_of(c, x, "extra", &d, &len) < 0)
		return -1;
	v = extra_len_of(m, &extra_len[k->extra]);
	if (len != v)
		return jp_fail_at(c->p, x, "extra: holds %zu bytes but the entry says %llu", len,
				  (unsigned long long)v);
	return crimg_writer_bytes(w, d, len, err) < 0 ? je_wfail(c, err) : 0;
}

/* ---- the image ---- */

/* The message type of the next entry of the image. */
const ProtobufCMessageDescriptor *je_entry_desc(struct ectx *c, struct estate *s, int line, int col)
{
	const struct crimg_kind *k = s->kind;
	if (s->index > 0 && k->layout == CRIMG_LAYOUT_PAGEMAP) {
		extern const ProtobufCMessageDescriptor pagemap_entry__descriptor;
		return &pagemap_entry__descriptor;
	}
	if (s->index > 0 && k->layout == CRIMG_LAYOUT_GHOST) {
		extern const ProtobufCMessageDescriptor ghost_chunk_entry__descriptor;
		if (!s->ghost_chunks) {
			struct jnode at = { .line = line, .col = col };
			jp_fail_at(c->p, &at, "a ghost file without chunks has one entry only");
			return NULL;
		}
		return &ghost_chunk_entry__descriptor;
	}
	return k->desc;
}

/* An entry of a kind with an extra payload came without "extra": fine
 * only where its fields say the payload is empty (the image would not
 * read back otherwise); -1 and an error naming those fields if not. */
static int extra_missing(struct ectx *c, const struct estate *s, const ProtobufCMessage *m)
{
	const struct crimg_kind *k = s->kind;
	const struct extra_len *l = &extra_len[k->extra];
	uint64_t n, in_pm = 0;
	if (!l->a)
		return 0;
	/* shared memory held in pagemaps has no payload here */
	if (k->extra == CRIMG_EXTRA_IPC_SHM)
		crimg_msg_get_u64(m, "in_pagemaps", &in_pm);
	if (in_pm || (n = extra_len_of(m, l)) == 0)
		return 0;
	return jp_fail(c->p, "%s entry %llu: \"extra\" is missing, but %s%s%s is %llu", k->name,
		       (unsigned long long)s->index, l->a, l->b ? " + " : "", l->b ? l->b : "",
		       (unsigned long long)n);
}

/* Writes an entry's message and its extra payload (x may be NULL). */
static int write_entry(struct ectx *c, struct estate *s, const ProtobufCMessage *m,
		       const struct jnode *x, struct crimg_error *err)
{
	const struct crimg_kind *k = s->kind;
	if (crimg_writer_message(s->w, m, err) < 0)
		return je_wfail(c, err);
	if (k->layout == CRIMG_LAYOUT_GHOST) {
		if (s->index == 0) {
			uint64_t ch = 0;
			crimg_msg_get_u64(m, "chunks", &ch);
			s->ghost_chunks = ch != 0;
			if (s->ghost_chunks)
				x = NULL;
		}
		if (x) {
			uint8_t *data;
			size_t len;
			if (b64_of(c, x, "extra", &data, &len) < 0)
				return -1;
			if (s->index > 0) {
				uint64_t want = 0;
				crimg_msg_get_u64(m, "len", &want);
				if (want != len)
					return jp_fail_at(c->p, x,
							  "extra: holds %zu bytes but len is %llu",
							  len, (unsigned long long)want);
			}
			if (crimg_writer_bytes(s->w, data, len, err) < 0)
				return je_wfail(c, err);
		}
	} else if (x && k->extra != CRIMG_EXTRA_NONE) {
		if (write_extra(c, s->w, k, m, x, err) < 0)
			return -1;
	} else if (x) {
		return jp_fail_at(c->p, x, "%s entries carry no \"extra\"", k->name);
	} else if (extra_missing(c, s, m) < 0) {
		return -1;
	}
	s->index++;
	return 0;
}

/* An entry already parsed into a tree (entries that came before "magic"). */
static int encode_entry(struct ectx *c, struct estate *s, const struct jnode *e,
			struct crimg_error *err)
{
	const ProtobufCMessageDescriptor *d = je_entry_desc(c, s, e->line, e->col);
	ProtobufCMessage *m;
	if (!d)
		return -1;
	if (e->t != J_OBJ)
		return jp_fail_at(c->p, e, "entry %llu: expected an object, found %s",
				  (unsigned long long)s->index, je_type_word(e->t));
	if (build_message(c, d, e, 1, &m) < 0)
		return -1;
	return write_entry(c, s, m, jobj_get(e, "extra"), err);
}

/* ---- the fast path: JSON read straight into messages, no tree ---- */

static int stream_message(struct ectx *c, const ProtobufCMessageDescriptor *d,
			  ProtobufCMessage **out, const struct jnode **extra);

static const ProtobufCFieldDescriptor *field_named(const ProtobufCMessageDescriptor *d,
						   const char *name, unsigned *hint)
{
	/* members usually come in field order: try the next field first */
	if (*hint < d->n_fields && strcmp(d->fields[*hint].name, name) == 0)
		return &d->fields[*hint];
	return protobuf_c_message_descriptor_get_field_by_name(d, name);
}

static int is_int_type(ProtobufCType t)
{
	return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_SINT32 ||
		t == PROTOBUF_C_TYPE_SFIXED32 || t == PROTOBUF_C_TYPE_UINT32 ||
		t == PROTOBUF_C_TYPE_FIXED32 || t == PROTOBUF_C_TYPE_INT64 ||
		t == PROTOBUF_C_TYPE_SINT64 || t == PROTOBUF_C_TYPE_SFIXED64 ||
		t == PROTOBUF_C_TYPE_UINT64 || t == PROTOBUF_C_TYPE_FIXED64;
}

/* One scalar value of field f into dst; plain integers take a short cut. */
int je_read_scalar(struct ectx *c, const ProtobufCFieldDescriptor *f,
		   const struct crimg_field_opt *o, void *dst)
{
	struct jparser *p = c->p;
	char numbuf[JP_NUMBER_MAX];
	struct jnode n;
	if (is_int_type(f->type)) {
		int neg, r;
		uint64_t mag, v;
		struct jnode at = { .t = J_NUM };
		if (jp_peek(p) < 0)
			return jp_scalar(p, &n, numbuf) < 0 ? -1 : -1;
		jp_pos(p, &at.line, &at.col); /* where the number starts, after blanks */
		r = jp_plain_int(p, &neg, &mag);
		if (r < 0)
			return -1;
		if (r == 1) {
			if (je_fit(c, &at, f, neg, mag, &v) < 0)
				return -1;
			if (crimg_pb_elem_size(f->type) == 8)
				*(uint64_t *)dst = v;
			else
				*(uint32_t *)dst = (uint32_t)v;
			return 0;
		}
	}
	int r = jp_scalar(p, &n, numbuf);
	if (r < 0)
		return -1;
	if (r == 1 || n.t == J_NULL)
		return jp_fail_at(p, &n, "%s: %s is not a value for this field", f->name,
				  je_type_word(n.t));
	return set_scalar(c, &n, f, o, dst);
}

static int stream_field(struct ectx *c, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
			const struct crimg_field_opt *o)
{
	struct jparser *p = c->p;
	char *base = (char *)m;
	void *member = base + f->offset;
	char numbuf[JP_NUMBER_MAX];
	struct jnode n;
	int r;

	if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			r = jp_scalar(p, &n, numbuf);
			if (r < 0)
				return -1;
			if (r != 1 || n.t != J_OBJ)
				return jp_fail_at(p, &n, "%s: expected an object, found %s",
						  f->name, je_type_word(n.t));
			return stream_message(c, f->descriptor, (ProtobufCMessage **)member, NULL);
		}
		if (je_read_scalar(c, f, o, member) < 0)
			return -1;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			*(uint32_t *)(base + f->quantifier_offset) = f->id;
		else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
			 f->type != PROTOBUF_C_TYPE_STRING)
			*(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
		return 0;
	}

	/* repeated: an array, collected into a buffer that doubles */
	r = jp_scalar(p, &n, numbuf);
	if (r < 0)
		return -1;
	if (r != 1 || n.t != J_ARR)
		return jp_fail_at(p, &n, "%s: expected an array, found %s", f->name,
				  je_type_word(n.t));
	jp_expect(p, '[', "'['");
	if (jp_open(p) < 0)
		return -1;
	size_t es = crimg_pb_elem_size(f->type), count = 0, cap = 0;
	char *arr = NULL;
	if (jp_peek(p) == ']') {
		jp_expect(p, ']', "']'");
		jp_close(p);
	} else {
		for (;;) {
			if (count == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				char *na = crimg_arena_alloc(c->arena, ncap * es);
				if (!na)
					return jp_fail(p, "out of memory");
				if (count)
					memcpy(na, arr, count * es);
				memset(na + count * es, 0, (ncap - count) * es);
				arr = na;
				cap = ncap;
			}
			void *slot = arr + count * es;
			if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
				r = jp_scalar(p, &n, numbuf);
				if (r < 0)
					return -1;
				if (r != 1 || n.t != J_OBJ)
					return jp_fail_at(p, &n, "%s: expected an object, found %s",
							  f->name, je_type_word(n.t));
				if (stream_message(c, f->descriptor, (ProtobufCMessage **)slot,
						   NULL) < 0)
					return -1;
			} else {
				if (!(o && (o->bits & CRIMG_OPT_IPADD))) {
					if (je_read_scalar(c, f, o, slot) < 0)
						return -1;
					goto next;
				}
				r = jp_scalar(p, &n, numbuf);
				if (r < 0)
					return -1;
				if (r == 1 || n.t == J_NULL)
					return jp_fail_at(p, &n,
							  "%s: %s is not a value for this field",
							  f->name, je_type_word(n.t));
				if (count == 0 && n.t == J_STR && es == 4) {
					/* an address string stands for the whole array */
					if (je_set_ip(c, &n, f, (uint32_t **)member,
						      (size_t *)(base + f->quantifier_offset)) < 0)
						return -1;
					if (jp_peek(p) != ']')
						return jp_fail(p, "%s: one address expected",
							       f->name);
					jp_close(p);
					return jp_expect(p, ']', "']'");
				}
				if (set_scalar(c, &n, f, o, slot) < 0)
					return -1;
			}
		next:
			count++;
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
	}
	*(char **)member = arr;
	*(size_t *)(base + f->quantifier_offset) = count;
	return 0;
}

static int stream_message(struct ectx *c, const ProtobufCMessageDescriptor *d,
			  ProtobufCMessage **out, const struct jnode **extra)
{
	struct jparser *p = c->p;
	struct jnode at = { 0 };
	jp_pos(p, &at.line, &at.col);
	if (jp_expect(p, '{', "'{'") < 0 || jp_open(p) < 0)
		return -1;
	ProtobufCMessage *m = crimg_arena_alloc(c->arena, d->sizeof_message);
	unsigned char seen_small[64];
	unsigned char *seen = d->n_fields <= sizeof(seen_small)
		? seen_small
		: crimg_arena_alloc(c->arena, d->n_fields);
	if (!m || !seen)
		return jp_fail(p, "out of memory");
	protobuf_c_message_init(d, m);
	memset(seen, 0, d->n_fields);
	const struct crimg_field_opt *const *opts;
	const struct crimg_key *keys;
	if (crimg_msginfo(c->oc, d, &opts, &keys) < 0)
		return jp_fail(p, "out of memory");
	unsigned hint = 0;
	if (jp_peek(p) == '}') {
		jp_expect(p, '}', "'}'");
		jp_close(p);
	} else {
		for (;;) {
			struct jnode key;
			/* short cut: one of the next fields' `"name": `, as crit
			 * writes them (absent optional fields are skipped over) */
			if (keys && jp_peek(p) == '"') {
				unsigned k;
				for (k = hint; k < d->n_fields && k < hint + 8; k++)
					if (keys[k].len && jp_match(p, keys[k].text, keys[k].len))
						break;
				if (k < d->n_fields && k < hint + 8) {
					if (stream_field(c, m, &d->fields[k],
							 opts ? opts[k] : NULL) < 0)
						return -1;
					seen[k] = 1;
					hint = k + 1;
					goto member_done;
				}
			}
			if (jp_key(p, &key) < 0)
				return -1;
			if (extra && strcmp(key.s, "extra") == 0) {
				/* payloads are checked against the finished message */
				if (!(*extra = jp_value(p)))
					return -1;
			} else {
				const ProtobufCFieldDescriptor *f = field_named(d, key.s, &hint);
				if (!f)
					return jp_fail_at(p, &key, "%s has no field \"%s\"",
							  d->name, key.s);
				size_t fi = (size_t)(f - d->fields);
				if (stream_field(c, m, f, opts ? opts[fi] : NULL) < 0)
					return -1;
				seen[fi] = 1;
				hint = (unsigned)fi + 1;
			}
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
			return jp_fail_at(p, &at, "%s: missing required field \"%s\"", d->name,
					  d->fields[i].name);
	*out = m;
	return 0;
}

static int stream_entry(struct ectx *c, struct estate *s, struct crimg_error *err)
{
	/* entries without extra payloads go straight to wire format */
	if (!c->via_messages && s->kind->extra == CRIMG_EXTRA_NONE &&
	    s->kind->layout != CRIMG_LAYOUT_GHOST)
		return je_wire_entry(c, s, err);
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
	ProtobufCMessage *m;
	const struct jnode *x = NULL;
	if (stream_message(c, d, &m, &x) < 0)
		return -1;
	return write_entry(c, s, m, x, err);
}

static int start_image(struct ectx *c, struct estate *s, const struct jnode *magic,
		       const struct crimg_kind *want, int out_fd, const char *out_name,
		       struct crimg_error *err)
{
	if (magic->t != J_STR)
		return jp_fail_at(c->p, magic, "\"magic\": expected a string, found %s",
				  je_type_word(magic->t));
	s->kind = crimg_kind_by_name(magic->s);
	if (!s->kind)
		return jp_fail_at(c->p, magic, "unknown magic \"%s\"", magic->s);
	/* before any entry is read as the other kind's message, which would
	 * fail on the first field that kind does not have */
	if (want && s->kind != want)
		return jp_fail_at(c->p, magic,
				  "\"magic\" is \"%s\" where a %s image is expected: an image cannot "
				  "change kind",
				  magic->s, want->name);
	if (!s->kind->desc)
		return jp_fail_at(c->p, magic, "%s images cannot be encoded from JSON", magic->s);
	s->w = crimg_writer_new(out_fd, out_name, s->kind, c->bo, err);
	return s->w ? 0 : je_wfail(c, err);
}

int crimg_json_encode(int in_fd, const char *in_name, int out_fd, const char *out_name,
		      const struct crimg_encode_opts *opts, struct crimg_error *err)
{
	const struct crimg_limits *lim = opts && opts->limits ? opts->limits
							      : &crimg_default_limits;
	struct crimg_arena arena, keep;
	struct jparser p;
	struct ectx c = { .p = &p,
			  .arena = &arena,
			  .bo = opts ? opts->byte_order : crimg_host_byte_order(),
			  .via_messages = opts && (opts->flags & CRIMG_ENCODE_VIA_MESSAGES) };
	struct estate s = { 0 };
	struct crimg_error werr;
	const struct jnode *magic = NULL, *held = NULL;
	int rc = -1, have_entries = 0;

	crimg_arena_init(&arena);
	crimg_arena_init(&keep);
	crimg_error_clear(&werr);
	jp_init(&p, in_fd, in_name, &keep, lim->max_depth, err);
	c.oc = crimg_optcache_new();
	if (!c.oc) {
		crimg_fail(err, in_name, -1, -1, "out of memory");
		goto out;
	}
	int ch = jp_peek(&p);
	if (ch == -1) {
		jp_fail(&p, "empty input: expected a JSON image");
		goto out;
	}
	if (ch >= 0x80 || (ch < 0x20 && ch >= 0 && ch != ' ')) {
		jp_fail(&p, "not JSON (maybe a binary image? encode expects JSON input)");
		goto out;
	}
	if (jp_expect(&p, '{', "'{' to start the image") < 0 || jp_open(&p) < 0)
		goto out;
	for (int first = 1;; first = 0) {
		int k = jp_peek(&p);
		if (k == '}' && first) {
			jp_expect(&p, '}', "'}'");
			break;
		}
		p.arena = &keep;
		struct jnode *key = jp_string(&p);
		if (!key || jp_expect(&p, ':', "':' after member name") < 0)
			goto out;
		if (strcmp(key->s, "magic") == 0) {
			if (magic) {
				jp_fail_at(&p, key, "duplicate \"magic\"");
				goto out;
			}
			magic = jp_value(&p);
			if (!magic ||
			    start_image(&c, &s, magic, opts ? opts->kind : NULL, out_fd, out_name,
					&werr) < 0)
				goto out;
			if (held) {
				/* entries came first and were kept in memory */
				for (size_t i = 0; i < held->n; i++)
					if (encode_entry(&c, &s, held->items[i], &werr) < 0)
						goto out;
			}
		} else if (strcmp(key->s, "entries") == 0) {
			if (have_entries++) {
				jp_fail_at(&p, key, "duplicate \"entries\"");
				goto out;
			}
			if (!magic) {
				/* rare key order: keep the entries until "magic" */
				held = jp_value(&p);
				if (!held)
					goto out;
				if (held->t != J_ARR) {
					jp_fail_at(&p, held,
						   "\"entries\": expected an array, found %s",
						   je_type_word(held->t));
					goto out;
				}
			} else {
				if (jp_expect(&p, '[', "'[' to start \"entries\"") < 0 ||
				    jp_open(&p) < 0)
					goto out;
				p.arena = &arena;
				if (jp_peek(&p) == ']') {
					jp_expect(&p, ']', "']'");
					jp_close(&p);
				} else {
					for (;;) {
						crimg_arena_reset(&arena);
						if (stream_entry(&c, &s, &werr) < 0)
							goto out;
						int d = jp_peek(&p);
						if (d == ',') {
							jp_expect(&p, ',', "','");
							continue;
						}
						if (jp_expect(&p, ']',
							      "',' or ']' in \"entries\"") < 0)
							goto out;
						jp_close(&p);
						break;
					}
				}
				p.arena = &keep;
			}
		} else {
			/* crit ignores other members; so do we */
			if (!jp_value(&p))
				goto out;
		}
		int d = jp_peek(&p);
		if (d == ',') {
			jp_expect(&p, ',', "','");
			continue;
		}
		if (jp_expect(&p, '}', "',' or '}' after a member") < 0)
			goto out;
		break;
	}
	if (jp_peek(&p) != -1) {
		jp_fail(&p, "extra data after the JSON image");
		goto out;
	}
	if (!magic) {
		jp_fail(&p, "no \"magic\" in the image");
		goto out;
	}
	if (!have_entries) {
		jp_fail(&p, "no \"entries\" in the image");
		goto out;
	}
	if (s.kind->layout == CRIMG_LAYOUT_GHOST && s.index == 0) {
		/* readers need the ghost_file_entry: an image without is no image */
		jp_fail(&p, "a GHOST_FILE image needs its entry (the file's attributes)");
		goto out;
	}
	if (crimg_writer_finish(s.w, &werr) < 0) {
		je_wfail(&c, &werr);
		goto out;
	}
	rc = 0;
out:
	crimg_writer_free(s.w);
	crimg_optcache_free(c.oc);
	je_wire_free(&c);
	jp_release(&p);
	crimg_arena_free(&arena);
	crimg_arena_free(&keep);
	return rc;
}
