/*
 * The tables behind crit's --pretty output.  The field options come from
 * schemas/ (generated); the flag and word tables are those of CRIU 4.2's
 * crit (pb2dict): bit names in table order, unknown bits as one hex rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "json/pretty.h"

#define BITS(...) ((const struct crimg_flag_bit[]){ __VA_ARGS__ })
#define NBITS(...) \
	(sizeof((const struct crimg_flag_bit[]){ __VA_ARGS__ }) / sizeof(struct crimg_flag_bit))
#define FLAGMAP(nm, ...)                                  \
	{                                                 \
		nm, BITS(__VA_ARGS__), NBITS(__VA_ARGS__) \
	}

static const struct crimg_flag_map flag_maps[] = {
	FLAGMAP("mmap.prot", { "PROT_READ", 0x1 }, { "PROT_WRITE", 0x2 }, { "PROT_EXEC", 0x4 }),
	FLAGMAP("mmap.flags", { "MAP_SHARED", 0x1 }, { "MAP_PRIVATE", 0x2 },
		{ "MAP_DROPPABLE", 0x08 }, { "MAP_ANON", 0x20 }, { "MAP_GROWSDOWN", 0x100 }),
	FLAGMAP("mmap.status", { "VMA_AREA_NONE", 0 }, { "VMA_AREA_REGULAR", 1u << 0 },
		{ "VMA_AREA_STACK", 1u << 1 }, { "VMA_AREA_VSYSCALL", 1u << 2 },
		{ "VMA_AREA_VDSO", 1u << 3 }, { "VMA_AREA_HEAP", 1u << 5 },
		{ "VMA_FILE_PRIVATE", 1u << 6 }, { "VMA_FILE_SHARED", 1u << 7 },
		{ "VMA_ANON_SHARED", 1u << 8 }, { "VMA_ANON_PRIVATE", 1u << 9 },
		{ "VMA_AREA_SYSVIPC", 1u << 10 }, { "VMA_AREA_SOCKET", 1u << 11 },
		{ "VMA_AREA_VVAR", 1u << 12 }, { "VMA_AREA_AIORING", 1u << 13 },
		{ "VMA_AREA_MEMFD", 1u << 14 }, { "VMA_AREA_SHSTK", 1u << 15 },
		{ "VMA_AREA_UPROBES", 1u << 17 }, { "VMA_UNSUPP", 1u << 31 }),
	FLAGMAP("rfile.flags", { "O_WRONLY", 01 }, { "O_RDWR", 02 }, { "O_CREAT", 0100 },
		{ "O_EXCL", 0200 }, { "O_NOCTTY", 0400 }, { "O_TRUNC", 01000 },
		{ "O_APPEND", 02000 }, { "O_NONBLOCK", 04000 }, { "O_DSYNC", 010000 },
		{ "FASYNC", 020000 }, { "O_DIRECT", 040000 }, { "O_LARGEFILE", 0100000 },
		{ "O_DIRECTORY", 0200000 }, { "O_NOFOLLOW", 0400000 }, { "O_NOATIME", 01000000 },
		{ "O_CLOEXEC", 02000000 }),
	FLAGMAP("pmap.flags", { "PE_PARENT", 1u << 0 }, { "PE_LAZY", 1u << 1 },
		{ "PE_PRESENT", 1u << 2 }),
	FLAGMAP("seals.flags", { "F_SEAL_SEAL", 0x1 }, { "F_SEAL_SHRINK", 0x2 },
		{ "F_SEAL_GROW", 0x4 }, { "F_SEAL_WRITE", 0x8 }, { "F_SEAL_FUTURE_WRITE", 0x10 }),
};

static const struct crimg_dict_word gen_words[] = {
	/* crit 4.2 names these three task states only */
	{ "task_state", 1, "Alive" },
	{ "task_state", 3, "Zombie" },
	{ "task_state", 6, "Stopped" },
};

static const struct crimg_dict_word sk_words[] = {
	{ "family", 1, "UNIX" },     { "family", 2, "INET" },       { "family", 10, "INET6" },
	{ "family", 16, "NETLINK" }, { "family", 17, "PACKET" },    { "type", 1, "STREAM" },
	{ "type", 2, "DGRAM" },      { "type", 3, "RAW" },          { "type", 5, "SEQPACKET" },
	{ "type", 10, "PACKET" },    { "state", 1, "ESTABLISHED" }, { "state", 2, "SYN_SENT" },
	{ "state", 3, "SYN_RECV" },  { "state", 4, "FIN_WAIT1" },   { "state", 5, "FIN_WAIT2" },
	{ "state", 6, "TIME_WAIT" }, { "state", 7, "CLOSE" },       { "state", 8, "CLOSE_WAIT" },
	{ "state", 9, "LAST_ACK" },  { "state", 10, "LISTEN" },     { "proto", 0, "IP" },
	{ "proto", 6, "TCP" },       { "proto", 17, "UDP" },        { "proto", 136, "UDPLITE" },
};

static const struct crimg_dict_map dict_maps[] = {
	{ "gen", gen_words, sizeof(gen_words) / sizeof(gen_words[0]) },
	{ "sk", sk_words, sizeof(sk_words) / sizeof(sk_words[0]) },
};

const struct crimg_flag_map *crimg_flag_map(const char *name)
{
	for (size_t i = 0; i < sizeof(flag_maps) / sizeof(flag_maps[0]); i++)
		if (strcmp(flag_maps[i].name, name) == 0)
			return &flag_maps[i];
	return NULL;
}

const struct crimg_dict_map *crimg_dict_map(const char *name)
{
	for (size_t i = 0; i < sizeof(dict_maps) / sizeof(dict_maps[0]); i++)
		if (strcmp(dict_maps[i].name, name) == 0)
			return &dict_maps[i];
	return NULL;
}

const char *crimg_dict_word(const struct crimg_dict_map *d, const char *field, uint64_t value)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->words[i].value == value && strcmp(d->words[i].field, field) == 0)
			return d->words[i].word;
	return NULL;
}

int crimg_dict_value(const struct crimg_dict_map *d, const char *field, const char *word,
		     size_t len, uint64_t *value)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->words[i].field, field) == 0 && strlen(d->words[i].word) == len &&
		    memcmp(d->words[i].word, word, len) == 0) {
			*value = d->words[i].value;
			return 0;
		}
	return -1;
}

/* ---- option lookups ---- */

#define CACHE_SLOTS 512

struct cache_slot {
	const ProtobufCMessageDescriptor *desc;
	const struct crimg_field_opt **opts; /* NULL: message has none */
	struct crimg_key *keys;              /* built on first use */
	uint64_t required;                   /* bit i: field i is required */
};

struct crimg_optcache {
	struct cache_slot slots[CACHE_SLOTS];
	struct cache_slot *last; /* entries repeat one message type */
};

struct crimg_optcache *crimg_optcache_new(void)
{
	return calloc(1, sizeof(struct crimg_optcache));
}

void crimg_optcache_free(struct crimg_optcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(c->slots[i].opts);
		free(c->slots[i].keys);
	}
	free(c);
}

static const struct crimg_field_opt *find_opt(const char *msg, uint32_t field)
{
	size_t lo = 0, hi = crimg_n_field_opts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct crimg_field_opt *o = &crimg_field_opts[mid];
		int c = strcmp(o->message, msg);
		if (c == 0)
			c = o->field < field ? -1 : o->field > field ? 1 : 0;
		if (c == 0)
			return o;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* *out NULL when no field of d has options; -1 out of memory (a NULL
 * then would render the message without them). */
static int build(const ProtobufCMessageDescriptor *d, const struct crimg_field_opt ***out)
{
	const struct crimg_field_opt **v = NULL;
	*out = NULL;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const struct crimg_field_opt *o = find_opt(d->name, d->fields[i].id);
		if (!o)
			continue;
		if (!v) {
			v = calloc(d->n_fields, sizeof(*v));
			if (!v)
				return -1;
		}
		v[i] = o;
	}
	*out = v;
	return 0;
}

static struct cache_slot *slot_for(struct crimg_optcache *c, const ProtobufCMessageDescriptor *d)
{
	size_t h = ((uintptr_t)d >> 4) % CACHE_SLOTS;
	for (size_t k = 0; k < CACHE_SLOTS; k++) {
		struct cache_slot *s = &c->slots[(h + k) % CACHE_SLOTS];
		if (s->desc == d)
			return s;
		if (!s->desc) {
			/* out of memory: the slot stays free for a later try */
			if (build(d, &s->opts) < 0)
				return NULL;
			s->desc = d;
			for (unsigned i = 0; i < d->n_fields && i < 64; i++)
				if (d->fields[i].label == PROTOBUF_C_LABEL_REQUIRED)
					s->required |= 1ull << i;
			return s;
		}
	}
	return NULL; /* more message types than schemas/ defines */
}

int crimg_opts_for(struct crimg_optcache *c, const ProtobufCMessageDescriptor *d,
		   const struct crimg_field_opt *const **opts)
{
	/* a NULL slot is out of memory (more message types than the 512
	 * slots cannot be: schemas/ defines ~160) */
	struct cache_slot *s = slot_for(c, d);
	*opts = s ? (const struct crimg_field_opt *const *)s->opts : NULL;
	return s ? 0 : -1;
}

static const struct crimg_key *keys_of(struct cache_slot *s, const ProtobufCMessageDescriptor *d)
{
	if (!s->keys) {
		s->keys = calloc(d->n_fields ? d->n_fields : 1, sizeof(*s->keys));
		if (!s->keys)
			return NULL;
		for (unsigned i = 0; i < d->n_fields; i++) {
			int n = snprintf(s->keys[i].text, sizeof(s->keys[i].text),
					 "\"%s\": ", d->fields[i].name);
			s->keys[i].len = n > 0 && (size_t)n < sizeof(s->keys[i].text) ? (unsigned)n
										      : 0;
		}
	}
	return s->keys;
}

const struct crimg_key *crimg_keys_for(struct crimg_optcache *c,
				       const ProtobufCMessageDescriptor *d)
{
	struct cache_slot *s = slot_for(c, d);
	return s ? keys_of(s, d) : NULL;
}

int crimg_msginfo(struct crimg_optcache *c, const ProtobufCMessageDescriptor *d,
		  const struct crimg_field_opt *const **opts, const struct crimg_key **keys)
{
	struct cache_slot *s = slot_for(c, d);
	*opts = s ? (const struct crimg_field_opt *const *)s->opts : NULL;
	*keys = s ? keys_of(s, d) : NULL;
	return *keys ? 0 : -1;
}

int crimg_msginfo_req(struct crimg_optcache *c, const ProtobufCMessageDescriptor *d,
		      const struct crimg_field_opt *const **opts, const struct crimg_key **keys,
		      uint64_t *required)
{
	if (c->last && c->last->desc == d) {
		*opts = (const struct crimg_field_opt *const *)c->last->opts;
		*keys = c->last->keys;
		*required = c->last->required;
		return 0;
	}
	struct cache_slot *s = slot_for(c, d);
	if (!s || !(*keys = keys_of(s, d)))
		return -1;
	*opts = (const struct crimg_field_opt *const *)s->opts;
	*required = s->required;
	c->last = s;
	return 0;
}
