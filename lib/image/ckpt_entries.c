/* Images of a checkpoint unpacked whole and cached: what the model reads. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_int.h"

struct cached {
	char *name;
	struct crimg_entries e;
	struct cached *next;
};

static void free_entries(struct crimg_entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		protobuf_c_message_free_unpacked(e->msgs[i], NULL);
	free(e->msgs);
}

void crimg_ckpt_cache_free(struct crimg_ckpt *c)
{
	struct cached *k = c->cache;
	while (k) {
		struct cached *next = k->next;
		free_entries(&k->e);
		free(k->name);
		free(k);
		k = next;
	}
	c->cache = NULL;
}

const struct crimg_entries *crimg_ckpt_entries(struct crimg_ckpt *c, const char *name,
					       struct crimg_error *err)
{
	for (struct cached *k = c->cache; k; k = k->next)
		if (strcmp(k->name, name) == 0)
			return &k->e;
	size_t len;
	const uint8_t *data = crimg_ckpt_file(c, name, &len, err);
	if (!data)
		return NULL;
	struct crimg_reader *r = crimg_reader_open_mem(data, len, name, NULL, err);
	if (!r)
		return NULL;
	struct cached *k = calloc(1, sizeof(*k));
	if (!k || !(k->name = strdup(name))) {
		free(k);
		crimg_reader_close(r);
		crimg_fail(err, name, -1, -1, "out of memory");
		return NULL;
	}
	k->e.kind = crimg_reader_kind(r);
	k->e.byte_order = crimg_reader_byte_order(r);
	size_t cap = 0;
	struct crimg_entry ent;
	int rc;
	uint8_t *buf = NULL;
	size_t bufcap = 0;
	while ((rc = crimg_reader_next(r, &ent, err)) > 0) {
		/* re-pack and unpack with the default allocator: the reader's
		 * copy lives in an arena reset at the next entry */
		size_t n = protobuf_c_message_get_packed_size(ent.msg);
		if (n > bufcap) {
			uint8_t *nb = realloc(buf, n);
			if (!nb) {
				rc = crimg_fail(err, name, -1, -1, "out of memory");
				break;
			}
			buf = nb;
			bufcap = n;
		}
		protobuf_c_message_pack(ent.msg, buf);
		ProtobufCMessage *m = protobuf_c_message_unpack(ent.msg->descriptor, NULL, n, buf);
		if (!m) {
			rc = crimg_fail(err, name, -1, (int64_t)ent.index, "out of memory");
			break;
		}
		if (k->e.n == cap) {
			cap = cap ? cap * 2 : 16;
			ProtobufCMessage **nm = realloc(k->e.msgs, cap * sizeof(*nm));
			if (!nm) {
				protobuf_c_message_free_unpacked(m, NULL);
				rc = crimg_fail(err, name, -1, -1, "out of memory");
				break;
			}
			k->e.msgs = nm;
		}
		k->e.msgs[k->e.n++] = m;
	}
	free(buf);
	crimg_reader_close(r);
	if (rc < 0) {
		free_entries(&k->e);
		free(k->name);
		free(k);
		return NULL;
	}
	k->next = c->cache;
	c->cache = k;
	return &k->e;
}

const struct crimg_entries *crimg_ckpt_entriesf(struct crimg_ckpt *c, struct crimg_error *err,
						const char *fmt, ...)
{
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return crimg_ckpt_entries(c, name, err);
}

const ProtobufCMessage *crimg_ckpt_first(struct crimg_ckpt *c, struct crimg_error *err,
					 const char *fmt, ...)
{
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	const struct crimg_entries *e = crimg_ckpt_entries(c, name, err);
	if (!e)
		return NULL;
	if (!e->n) {
		crimg_fail(err, name, -1, -1, "image has no entries");
		return NULL;
	}
	return e->msgs[0];
}
