/*
 * Two messages of one type, field by field, by walking their descriptors:
 * every image kind works without per-type code.  Leaf differences are
 * reported one by one; a field (or a whole sub-message) present on one side
 * only is reported as added or removed, with its value.
 *
 * Repeated messages are matched by their natural key where one exists (a
 * scalar field present in every element and unique on each side: pid, fd,
 * id, start address, ...), else by position.
 */
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "diff/diff_int.h"

static int skipped(const char *name, dskip_list skip)
{
	for (size_t i = 0; skip && skip[i]; i++)
		if (strcmp(skip[i], name) == 0)
			return 1;
	return 0;
}

static int is_signed(ProtobufCType t)
{
	return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_SINT32 ||
		t == PROTOBUF_C_TYPE_SFIXED32 || t == PROTOBUF_C_TYPE_INT64 ||
		t == PROTOBUF_C_TYPE_SINT64 || t == PROTOBUF_C_TYPE_SFIXED64;
}

/* An integer-like value (ints, enums, bools) as 64 bits. */
static uint64_t int_val(ProtobufCType t, const void *v)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		return (uint64_t)(int64_t) * (const int32_t *)v;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return *(const uint32_t *)v;
	case PROTOBUF_C_TYPE_BOOL:
		return *(const protobuf_c_boolean *)v != 0;
	default:
		return *(const uint64_t *)v;
	}
}

static int elem_eq(const ProtobufCFieldDescriptor *f, const void *a, const void *b, dskip_list skip)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *x = *(char *const *)a, *y = *(char *const *)b;
		return strcmp(x ? x : "", y ? y : "") == 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *x = a, *y = b;
		return x->len == y->len && (!x->len || memcmp(x->data, y->data, x->len) == 0);
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *x = *(ProtobufCMessage *const *)a;
		const ProtobufCMessage *y = *(ProtobufCMessage *const *)b;
		if (!x || !y)
			return x == y;
		return dmsg_equal(x, y, skip);
	}
	case PROTOBUF_C_TYPE_FLOAT:
		return memcmp(a, b, sizeof(float)) == 0;
	case PROTOBUF_C_TYPE_DOUBLE:
		return memcmp(a, b, sizeof(double)) == 0;
	default:
		return int_val(f->type, a) == int_val(f->type, b);
	}
}

/* Field f of a and b, both present with these counts: equal? */
static int field_eq(const ProtobufCMessage *a, const ProtobufCMessage *b,
		    const ProtobufCFieldDescriptor *f, size_t ca, size_t cb, dskip_list skip)
{
	const char *ma = (const char *)a + f->offset, *mb = (const char *)b + f->offset;
	if (f->label != PROTOBUF_C_LABEL_REPEATED)
		return elem_eq(f, ma, mb, skip);
	if (ca != cb)
		return 0;
	size_t es = crimg_pb_elem_size(f->type);
	const char *xa = *(char *const *)ma, *xb = *(char *const *)mb;
	for (size_t i = 0; i < ca; i++)
		if (!elem_eq(f, xa + i * es, xb + i * es, skip))
			return 0;
	return 1;
}

int dmsg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b, dskip_list skip)
{
	const ProtobufCMessageDescriptor *desc = a->descriptor;
	if (b->descriptor != desc)
		return 0;
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		if (skipped(f->name, skip))
			continue;
		size_t ca, cb;
		int pa = crimg_field_present(a, f, &ca), pb = crimg_field_present(b, f, &cb);
		if (pa != pb)
			return 0;
		if (pa && !field_eq(a, b, f, ca, cb, skip))
			return 0;
	}
	return 1;
}

static const struct crimg_field_opt *opt_of(struct diff *d, const ProtobufCMessageDescriptor *desc,
					    const ProtobufCFieldDescriptor *f)
{
	const struct crimg_field_opt *const *opts = dv_opts(d, desc);
	return opts ? opts[f - desc->fields] : NULL;
}

static size_t push_name(struct diff *d, const char *name)
{
	return d->plen ? dpath_push(d, ".%s", name) : dpath_push(d, "%s", name);
}

int dfield(struct diff *d, unsigned cat, const ProtobufCMessage *a, const ProtobufCMessage *b,
	   const ProtobufCFieldDescriptor *f, const char *name, dskip_list skip)
{
	size_t ca = 0, cb = 0;
	int pa = a && crimg_field_present(a, f, &ca);
	int pb = b && crimg_field_present(b, f, &cb);
	if (!pa && !pb)
		return 0;
	if (pa && pb && field_eq(a, b, f, ca, cb, skip))
		return 0;
	size_t mark = push_name(d, name);
	if (dskip(d, cat)) {
		dpath_pop(d, mark);
		return diff_done(d);
	}
	const ProtobufCMessageDescriptor *desc = (a ? a : b)->descriptor;
	const struct crimg_field_opt *o = opt_of(d, desc, f);
	/* hex on a message field holds for everything in it (crit's rule) */
	int hex = d->hex;
	if (o && (o->bits & CRIMG_OPT_HEX))
		d->hex = 1;
	const char *ma = pa ? (const char *)a + f->offset : NULL;
	const char *mb = pb ? (const char *)b + f->offset : NULL;
	if (!pa || !pb) {
		demit(d, cat, pa ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
		      pa ? dv_field(d, a, f, o) : NULL, pb ? dv_field(d, b, f, o) : NULL, NULL);
	} else if (f->label != PROTOBUF_C_LABEL_REPEATED) {
		if (f->type == PROTOBUF_C_TYPE_MESSAGE)
			dmsg(d, cat, *(ProtobufCMessage *const *)ma, *(ProtobufCMessage *const *)mb,
			     skip);
		else
			demit(d, cat, CRIMG_DIFF_CHANGED, dv_elem(d, f, o, ma),
			      dv_elem(d, f, o, mb), NULL);
	} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		dmsgs(d, cat, *(ProtobufCMessage *const *const *)ma, ca,
		      *(ProtobufCMessage *const *const *)mb, cb, skip);
	} else if (ca != cb || (o && (o->bits & CRIMG_OPT_IPADD))) {
		/* a list that grew or shrank (or an address) is one value */
		demit(d, cat, CRIMG_DIFF_CHANGED, dv_field(d, a, f, o), dv_field(d, b, f, o), NULL);
	} else {
		size_t es = crimg_pb_elem_size(f->type);
		const char *xa = *(char *const *)ma, *xb = *(char *const *)mb;
		for (size_t i = 0; i < ca && !diff_done(d); i++)
			if (!elem_eq(f, xa + i * es, xb + i * es, skip))
				demit_at(d, cat, CRIMG_DIFF_CHANGED, dv_elem(d, f, o, xa + i * es),
					 dv_elem(d, f, o, xb + i * es), "[%zu]", i);
	}
	d->hex = hex;
	dpath_pop(d, mark);
	return diff_done(d);
}

int dmsg(struct diff *d, unsigned cat, const ProtobufCMessage *a, const ProtobufCMessage *b,
	 dskip_list skip)
{
	const ProtobufCMessageDescriptor *desc = a->descriptor;
	if (b->descriptor != desc)
		return demit(d, cat, CRIMG_DIFF_CHANGED, dv_message(d, a), dv_message(d, b), NULL);
	for (unsigned i = 0; i < desc->n_fields && !diff_done(d); i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		if (!skipped(f->name, skip))
			dfield(d, cat, a, b, f, f->name, skip);
	}
	return diff_done(d);
}

/* ---- natural keys ---- */

/* Messages whose key is not the first generic candidate present; "" for
 * none (matched by position). */
static const struct {
	const char *msg, *key;
} key_table[] = {
	{ "pstree_entry", "pid" },
	{ "fdinfo_entry", "fd" },
	{ "vma_entry", "start" },
	{ "pagemap_entry", "vaddr" },
	{ "mnt_entry", "mnt_id" },
	{ "net_device_entry", "ifindex" },
	{ "cg_member_entry", "name" },
	{ "pipe_data_entry", "pipe_id" },
	{ "eventpoll_tfd_entry", "tfd" },
	{ "cg_controller_entry", "" },
	{ "sa_entry", "" },
	{ "rlimit_entry", "" },
	{ "core_entry", "" },
};
static const char *const generic_keys[] = { "id", "pid", "fd", "ino", NULL };

struct keyed {
	uint64_t k;    /* integer keys (sign bit flipped for signed ones) */
	const char *s; /* string keys */
	size_t i;      /* position on its side */
};

static int cmp_keyed(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	if (a->s || b->s) {
		int c = strcmp(a->s ? a->s : "", b->s ? b->s : "");
		if (c)
			return c;
	} else if (a->k != b->k) {
		return a->k < b->k ? -1 : 1;
	}
	return a->i < b->i ? -1 : a->i > b->i;
}

static int key_usable(const ProtobufCFieldDescriptor *f)
{
	if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
		return 0;
	switch (f->type) {
	case PROTOBUF_C_TYPE_MESSAGE:
	case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 0;
	default:
		return 1;
	}
}

/* Fills v[0..n) with the keys of f in msgs; 0 when every element has one
 * and they are all different. */
static int keys_of(const ProtobufCFieldDescriptor *f, ProtobufCMessage *const *msgs, size_t n,
		   struct keyed *v)
{
	for (size_t i = 0; i < n; i++) {
		size_t c;
		if (!crimg_field_present(msgs[i], f, &c))
			return -1;
		const void *p = (const char *)msgs[i] + f->offset;
		v[i].i = i;
		v[i].s = NULL;
		v[i].k = 0;
		if (f->type == PROTOBUF_C_TYPE_STRING) {
			const char *s = *(char *const *)p;
			v[i].s = s ? s : "";
		} else {
			v[i].k = int_val(f->type, p);
			if (is_signed(f->type))
				v[i].k ^= (uint64_t)1 << 63;
		}
	}
	qsort(v, n, sizeof(*v), cmp_keyed);
	for (size_t i = 1; i < n; i++) {
		struct keyed x = v[i - 1], y = v[i];
		x.i = y.i = 0;
		if (cmp_keyed(&x, &y) == 0)
			return -1;
	}
	return 0;
}

static const ProtobufCFieldDescriptor *choose_key(const ProtobufCMessageDescriptor *desc,
						  ProtobufCMessage *const *a, size_t na,
						  ProtobufCMessage *const *b, size_t nb,
						  struct keyed *ka, struct keyed *kb,
						  dskip_list skip)
{
	for (size_t i = 0; i < sizeof(key_table) / sizeof(key_table[0]); i++) {
		if (strcmp(key_table[i].msg, desc->name) != 0)
			continue;
		/* a field not compared is no key either */
		const ProtobufCFieldDescriptor *f = *key_table[i].key &&
				!skipped(key_table[i].key, skip)
			? protobuf_c_message_descriptor_get_field_by_name(desc, key_table[i].key)
			: NULL;
		if (key_usable(f) && keys_of(f, a, na, ka) == 0 && keys_of(f, b, nb, kb) == 0)
			return f;
		return NULL;
	}
	for (size_t i = 0; generic_keys[i]; i++) {
		if (skipped(generic_keys[i], skip))
			continue;
		const ProtobufCFieldDescriptor *f =
			protobuf_c_message_descriptor_get_field_by_name(desc, generic_keys[i]);
		if (key_usable(f) && keys_of(f, a, na, ka) == 0 && keys_of(f, b, nb, kb) == 0)
			return f;
	}
	return NULL;
}

static int one_side(struct diff *d, unsigned cat, const ProtobufCMessage *m, int in_a)
{
	return demit(d, cat, in_a ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
		     in_a ? dv_message(d, m) : NULL, in_a ? NULL : dv_message(d, m), NULL);
}

static size_t push_key(struct diff *d, const ProtobufCFieldDescriptor *f, const ProtobufCMessage *m)
{
	char kt[256];
	dv_key_text(d, f, opt_of(d, m->descriptor, f), (const char *)m + f->offset, kt, sizeof(kt));
	return dpath_push(d, "[%s=%s]", f->name, kt);
}

int dmsgs(struct diff *d, unsigned cat, ProtobufCMessage *const *a, size_t na,
	  ProtobufCMessage *const *b, size_t nb, dskip_list skip)
{
	return dmsgs_x(d, cat, a, na, b, nb, skip, NULL, NULL, 0);
}

int dmsgs_x(struct diff *d, unsigned cat, ProtobufCMessage *const *a, size_t na,
	    ProtobufCMessage *const *b, size_t nb, dskip_list skip, dpair_fn pair, void *arg,
	    size_t base)
{
	if (!na && !nb)
		return 0;
	const ProtobufCMessageDescriptor *desc = (na ? a[0] : b[0])->descriptor;
	struct keyed *ka = malloc((na + nb + 1) * sizeof(*ka));
	if (!ka) {
		d->oom = 1;
		return 1;
	}
	struct keyed *kb = ka + na;
	const ProtobufCFieldDescriptor *key = NULL;
	int same_type = 1;
	for (size_t i = 0; i < na; i++)
		same_type &= a[i]->descriptor == desc;
	for (size_t i = 0; i < nb; i++)
		same_type &= b[i]->descriptor == desc;
	if (same_type)
		key = choose_key(desc, a, na, b, nb, ka, kb, skip);
	if (!key) {
		size_t n = na > nb ? na : nb;
		for (size_t i = 0; i < n && !diff_done(d); i++) {
			size_t mark = dpath_push(d, "[%zu]", i);
			if (i < na && i < nb) {
				dmsg(d, cat, a[i], b[i], skip);
				if (pair && !diff_done(d))
					pair(d, arg, base + i, base + i);
			} else {
				one_side(d, cat, i < na ? a[i] : b[i], i < na);
			}
			dpath_pop(d, mark);
		}
		free(ka);
		return diff_done(d);
	}
	/* a merge of the two sides in key order */
	size_t i = 0, j = 0;
	while ((i < na || j < nb) && !diff_done(d)) {
		int c = i == na ? 1 : j == nb ? -1 : 0;
		if (!c) {
			struct keyed x = ka[i], y = kb[j];
			x.i = y.i = 0;
			c = cmp_keyed(&x, &y);
		}
		const ProtobufCMessage *m = c <= 0 ? a[ka[i].i] : b[kb[j].i];
		size_t mark = push_key(d, key, m);
		if (c == 0) {
			size_t x = ka[i++].i, y = kb[j++].i;
			dmsg(d, cat, a[x], b[y], skip);
			if (pair && !diff_done(d))
				pair(d, arg, base + x, base + y);
		} else if (c < 0)
			one_side(d, cat, a[ka[i++].i], 1);
		else
			one_side(d, cat, b[kb[j++].i], 0);
		dpath_pop(d, mark);
	}
	free(ka);
	return diff_done(d);
}
