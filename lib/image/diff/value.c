/*
 * Values of differences as JSON text, rendered as `crit show` renders them
 * (the schema's hex, flags, device and dict options), compact, into one
 * growing memory buffer and copied out.  Only differences are rendered:
 * comparing never goes through text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "frame/frame.h"
#include "diff/diff_int.h"

static void begin(struct diff *d)
{
	d->vo->used = 0;
	jw_init(&d->jc.j, d->vo, 0);
}

/* The text rendered since begin(), malloc'ed. */
static char *take(struct diff *d)
{
	struct crimg_out *o = d->vo;
	char *s = o->err ? NULL : malloc(o->used + 1);
	if (!s) {
		d->oom = 1;
		o->err = 0;
		o->used = 0;
		return NULL;
	}
	memcpy(s, o->buf, o->used);
	s[o->used] = '\0';
	o->used = 0;
	return s;
}

const struct crimg_field_opt *const *dv_opts(struct diff *d, const ProtobufCMessageDescriptor *desc)
{
	const struct crimg_field_opt *const *opts;
	if (crimg_opts_for(d->jc.oc, desc, &opts) < 0)
		d->oom = 1; /* the diff ends with "out of memory" */
	return opts;
}

static int hex_of(const struct diff *d, const struct crimg_field_opt *o)
{
	return d->hex || (o && (o->bits & CRIMG_OPT_HEX));
}

char *dv_elem(struct diff *d, const ProtobufCFieldDescriptor *f, const struct crimg_field_opt *o,
	      const void *v)
{
	begin(d);
	crimg_dj_scalar(&d->jc, f, o, v, hex_of(d, o));
	return take(d);
}

char *dv_field(struct diff *d, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
	       const struct crimg_field_opt *o)
{
	const char *member = (const char *)m + f->offset;
	if (f->label != PROTOBUF_C_LABEL_REPEATED)
		return dv_elem(d, f, o, member);
	size_t count = *(const size_t *)((const char *)m + f->quantifier_offset);
	const char *arr = *(char *const *)member;
	size_t es = crimg_pb_elem_size(f->type);
	begin(d);
	if (o && (o->bits & CRIMG_OPT_IPADD) && es == 4 && (count == 1 || count >= 4)) {
		crimg_dj_ip(&d->jc, (const uint32_t *)arr, count);
		return take(d);
	}
	jw_open(&d->jc.j, '[');
	for (size_t k = 0; k < count; k++) {
		jw_item(&d->jc.j);
		crimg_dj_scalar(&d->jc, f, o, arr + k * es, hex_of(d, o));
	}
	jw_close(&d->jc.j, ']');
	return take(d);
}

char *dv_message(struct diff *d, const ProtobufCMessage *m)
{
	begin(d);
	crimg_dj_message(&d->jc, m, d->hex);
	return take(d);
}

char *dv_str(struct diff *d, const char *s)
{
	begin(d);
	jw_str(&d->jc.j, s, strlen(s));
	return take(d);
}

char *dv_strf(struct diff *d, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return dv_str(d, buf);
}

char *dv_u64(struct diff *d, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	char *s = strdup(buf);
	if (!s)
		d->oom = 1;
	return s;
}

char *dv_hex(struct diff *d, uint64_t v)
{
	return dv_strf(d, "0x%llx", (unsigned long long)v);
}

void dv_key_text(struct diff *d, const ProtobufCFieldDescriptor *f, const struct crimg_field_opt *o,
		 const void *v, char *buf, size_t len)
{
	if (f->type == PROTOBUF_C_TYPE_STRING) {
		const char *s = *(char *const *)v;
		snprintf(buf, len, "%s", s ? s : "");
		return;
	}
	char *s = dv_elem(d, f, o, v);
	if (!s) {
		snprintf(buf, len, "?");
		return;
	}
	/* a quoted rendering ("0x7f00") loses its quotes in a path */
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"')
		snprintf(buf, len, "%.*s", (int)(n - 2), s + 1);
	else
		snprintf(buf, len, "%s", s);
	free(s);
}
