/* What --pretty does to a field: the (criu) options and their tables. */
#ifndef CRIMG_PRETTY_H
#define CRIMG_PRETTY_H

#include "base/base.h"
#include "frame/frame.h"

struct crimg_flag_bit {
	const char *name;
	uint64_t value;
};
struct crimg_flag_map {
	const char *name; /* "mmap.prot" */
	const struct crimg_flag_bit *bits;
	size_t n;
};
struct crimg_dict_word {
	const char *field; /* field name the word applies to */
	uint64_t value;
	const char *word;
};
struct crimg_dict_map {
	const char *name; /* "sk" */
	const struct crimg_dict_word *words;
	size_t n;
};

const struct crimg_flag_map *crimg_flag_map(const char *name);
const struct crimg_dict_map *crimg_dict_map(const char *name);
/* The word for value of field in dict, or NULL. */
const char *crimg_dict_word(const struct crimg_dict_map *d, const char *field, uint64_t value);
/* The value for word of field in dict; 0 if found. */
int crimg_dict_value(const struct crimg_dict_map *d, const char *field, const char *word,
		     size_t len, uint64_t *value);

/*
 * Per-message option lookups, cached by descriptor.  A cache belongs to
 * one decode or encode run, so the library keeps no global state.
 */
struct crimg_optcache;
struct crimg_optcache *crimg_optcache_new(void);
void crimg_optcache_free(struct crimg_optcache *c);
/* *opts: an array indexed like desc->fields; entries NULL where a field
 * has no options, NULL when no field of the message has any.  -1 when out
 * of memory. */
int crimg_opts_for(struct crimg_optcache *c, const ProtobufCMessageDescriptor *desc,
		   const struct crimg_field_opt *const **opts);

/* The text `"name": ` of each field (len 0 if the name is absurdly long). */
struct crimg_key {
	char text[64];
	unsigned len;
};
const struct crimg_key *crimg_keys_for(struct crimg_optcache *c,
				       const ProtobufCMessageDescriptor *desc);

/* Both of the above with one lookup; -1 when out of memory. */
int crimg_msginfo(struct crimg_optcache *c, const ProtobufCMessageDescriptor *d,
		  const struct crimg_field_opt *const **opts, const struct crimg_key **keys);

/* The same plus a mask of required fields (messages of up to 64 fields);
 * -1 when out of memory. */
int crimg_msginfo_req(struct crimg_optcache *c, const ProtobufCMessageDescriptor *d,
		      const struct crimg_field_opt *const **opts, const struct crimg_key **keys,
		      uint64_t *required);

#endif
