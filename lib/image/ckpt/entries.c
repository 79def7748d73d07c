/*
 * Images of a checkpoint unpacked whole and cached: what the model reads.
 *
 * One cache per checkpoint: a hash table by image name (a checkpoint of
 * thousands of processes has tens of thousands of images, looked up again
 * and again) and one arena that every cached message is unpacked into, in a
 * single pass from the image bytes (the reader's lazy mode hands them over
 * packed), so caching costs no malloc per field and no second unpack.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt_int.h"

struct slot {
	char *name;
	struct crimg_entries e;
};

struct cached {
	struct crimg_arena arena; /* every cached message */
	struct slot **tab;        /* open addressing, cap a power of two */
	size_t cap, n;
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

void crimg_ckpt_cache_free(struct crimg_ckpt *c)
{
	struct cached *k = c->cache;
	if (!k)
		return;
	for (size_t i = 0; i < k->cap; i++) {
		if (!k->tab[i])
			continue;
		free(k->tab[i]->e.msgs);
		free(k->tab[i]->name);
		free(k->tab[i]);
	}
	free(k->tab);
	crimg_arena_free(&k->arena);
	free(k);
	c->cache = NULL;
}

static struct slot **find(struct cached *k, const char *name)
{
	size_t i = hash(name) & (k->cap - 1);
	while (k->tab[i] && strcmp(k->tab[i]->name, name) != 0)
		i = (i + 1) & (k->cap - 1);
	return &k->tab[i];
}

static int grow(struct cached *k)
{
	size_t cap = k->cap ? k->cap * 2 : 256;
	struct slot **tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -1;
	for (size_t i = 0; i < k->cap; i++) {
		struct slot *s = k->tab[i];
		if (!s)
			continue;
		size_t j = hash(s->name) & (cap - 1);
		while (tab[j])
			j = (j + 1) & (cap - 1);
		tab[j] = s;
	}
	free(k->tab);
	k->tab = tab;
	k->cap = cap;
	return 0;
}

/* Reads every entry of the image into s, unpacked into the cache's arena. */
static int load(struct crimg_ckpt *c, struct cached *k, struct slot *s, const char *name,
		struct crimg_error *err)
{
	size_t len;
	const uint8_t *data = crimg_ckpt_data(c, name, &len, err);
	if (!data)
		return -1;
	struct crimg_reader *r = crimg_reader_open_mem(data, len, name, &c->lim, err);
	if (!r)
		return -1;
	crimg_reader_set_lazy(r, 1);
	s->e.kind = crimg_reader_kind(r);
	s->e.byte_order = crimg_reader_byte_order(r);
	size_t cap = 0;
	struct crimg_entry ent;
	int rc;
	uint8_t *buf = NULL;
	size_t bufcap = 0;
	while ((rc = crimg_reader_next(r, &ent, err)) > 0) {
		const uint8_t *p = ent.payload;
		size_t n = ent.payload_len;
		if (ent.msg) {
			/* kinds with an extra payload come unpacked into the
			 * reader's arena, reset at the next entry: copy */
			n = protobuf_c_message_get_packed_size(ent.msg);
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
			p = buf;
		}
		ProtobufCMessage *m = protobuf_c_message_unpack(ent.desc, &k->arena.pb, n, p);
		if (!m) {
			rc = crimg_fail(err, name, (int64_t)ent.offset + 4, (int64_t)ent.index,
					k->arena.failed ? "out of memory unpacking %s"
							: "invalid protobuf data for %s",
					ent.desc->name);
			break;
		}
		if (s->e.n == cap) {
			cap = cap ? cap * 2 : 4;
			ProtobufCMessage **nm = realloc(s->e.msgs, cap * sizeof(*nm));
			if (!nm) {
				rc = crimg_fail(err, name, -1, -1, "out of memory");
				break;
			}
			s->e.msgs = nm;
		}
		s->e.msgs[s->e.n++] = m;
	}
	free(buf);
	crimg_reader_close(r);
	return rc < 0 ? -1 : 0;
}

const struct crimg_entries *crimg_ckpt_entries(struct crimg_ckpt *c, const char *name,
					       struct crimg_error *err)
{
	struct cached *k = c->cache;
	if (!k) {
		k = calloc(1, sizeof(*k));
		if (!k || grow(k) < 0) {
			free(k);
			crimg_fail(err, name, -1, -1, "out of memory");
			return NULL;
		}
		crimg_arena_init(&k->arena);
		c->cache = k;
	}
	struct slot **at = find(k, name);
	if (*at)
		return &(*at)->e;
	struct slot *s = calloc(1, sizeof(*s));
	if (!s || !(s->name = strdup(name))) {
		free(s);
		crimg_fail(err, name, -1, -1, "out of memory");
		return NULL;
	}
	if (load(c, k, s, name, err) < 0) {
		free(s->e.msgs);
		free(s->name);
		free(s);
		return NULL;
	}
	if ((k->n + 1) * 2 > k->cap) {
		if (grow(k) < 0) {
			free(s->e.msgs);
			free(s->name);
			free(s);
			crimg_fail(err, name, -1, -1, "out of memory");
			return NULL;
		}
		at = find(k, name);
	}
	*at = s;
	k->n++;
	return &s->e;
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
