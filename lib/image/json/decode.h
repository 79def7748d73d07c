/* Shared by the two halves of image -> JSON: from unpacked messages
 * (decode_messages.c) and straight from the wire format (decode_wire.c). */
#ifndef CRIMG_JSON_DECODE_H
#define CRIMG_JSON_DECODE_H

#include "frame/frame.h"
#include "json/text_writer.h"
#include "json/pretty.h"

struct dctx {
	struct jw j;
	int pretty;
	enum crimg_byte_order bo; /* of the image: ntohl is the identity on BE */
	struct crimg_optcache *oc;
	const char *flag_name; /* the last flag table looked up */
	const struct crimg_flag_map *flag_map;
	/* the entry's payload is mapped from here: pages behind the top
	 * level's current record may be dropped (crimg_entry.payload_map) */
	const uint8_t *drop_from;
};

/* One value of field f stored as protobuf-c stores it at v. */
void crimg_dj_scalar(struct dctx *c, const ProtobufCFieldDescriptor *f,
		     const struct crimg_field_opt *o, const void *v, int hex);
/* --pretty's rendering of integer x of field f (hex, device, flags, word or
 * decimal) written at w, at most CRIMG_PRETTY_INT_MAX bytes; returns the end. */
#define CRIMG_PRETTY_INT_MAX 1100
char *crimg_dj_pretty_int(struct dctx *c, const ProtobufCFieldDescriptor *f,
			  const struct crimg_field_opt *o, uint64_t x, int hex, char *w);
/* A whole message as a JSON object (hex: every integer in hex, as under
 * a field with the hex option). */
void crimg_dj_message(struct dctx *c, const ProtobufCMessage *m, int hex);
/* --pretty's rendering of an address held in n 32-bit words (one: IPv4,
 * else the first four: IPv6); crimg_dj_ip_text() writes just its text, at
 * most 63 characters, and returns their count. */
void crimg_dj_ip(struct dctx *c, const uint32_t *w, size_t n);
size_t crimg_dj_ip_text(enum crimg_byte_order bo, const uint32_t *w, size_t n, char s[64]);
/*
 * Writes the message packed in p[0..n) as a JSON object, if its encoding is
 * the canonical one CRIU writes (fields in number order, repeated fields
 * together, required fields present).  1 and nothing written otherwise: the
 * caller then unpacks with protobuf-c, which also explains real damage.
 */
int crimg_dj_wire(struct dctx *c, const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n);

#endif
