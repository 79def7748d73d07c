/*
 * JSON -> image, shared between encode_messages.c (parsing values into
 * protobuf-c messages) and encode_wire.c (straight to wire format).
 */
#ifndef CRIMG_JSON_ENCODE_INT_H
#define CRIMG_JSON_ENCODE_INT_H

#include "frame/frame.h"
#include "json/text_parser.h"
#include "json/pretty.h"

/* A field's bytes in the wire buffer: where they start, and which field. */
struct je_seg {
	uint32_t field; /* index in the descriptor's fields[] */
	size_t start;
};

struct ectx {
	struct jparser *p;
	struct crimg_arena *arena;
	struct crimg_optcache *oc;
	enum crimg_byte_order bo;
	int via_messages; /* CRIMG_ENCODE_VIA_MESSAGES */
	/* encode_wire.c: one entry's payload, and its fields */
	uint8_t *wb;
	size_t wlen, wcap;
	struct je_seg *segs; /* starts count from the entry's first byte */
	size_t nsegs, segcap;
	/* a large entry streams out at top-level records: its first wbase
	 * bytes are written, its size word at size_pos patched at the end */
	size_t wbase;
	int depth, streaming, top_disorder;
	uint64_t size_pos;
	struct estate *st;
	struct crimg_error *werr;
};

struct estate {
	const struct crimg_kind *kind;
	struct crimg_writer *w;
	uint64_t index;
	int ghost_chunks;
};

const char *je_type_word(enum jtype t);
/* Checks (neg, mag) against f's type: the value as 64 bits, or -1 with
 * "out of range" at n. */
int je_fit(struct ectx *c, const struct jnode *n, const ProtobufCFieldDescriptor *f, int neg,
	   uint64_t mag, uint64_t *out);
/* One scalar value of field f into dst (the field's C storage). */
int je_read_scalar(struct ectx *c, const ProtobufCFieldDescriptor *f,
		   const struct crimg_field_opt *o, void *dst);
/* An IP address string into 1 (IPv4) or 4 (IPv6) words. */
int je_set_ip(struct ectx *c, const struct jnode *n, const ProtobufCFieldDescriptor *f,
	      uint32_t **words, size_t *count);
/* The message type of the next entry of the image. */
const ProtobufCMessageDescriptor *je_entry_desc(struct ectx *c, struct estate *s, int line,
						int col);
/* Copies a writer's error into the parser's; returns -1. */
int je_wfail(struct ectx *c, struct crimg_error *werr);

/* The next entry, read from JSON and written in wire format without
 * protobuf-c messages (kinds without extra payloads).  0 or -1. */
int je_wire_entry(struct ectx *c, struct estate *s, struct crimg_error *err);
void je_wire_free(struct ectx *c);

#endif
