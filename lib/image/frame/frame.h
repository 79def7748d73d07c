/*
 * The frame layer's internals: scalar fields of any message read by name
 * through its descriptor, and the schemas' field options (a table
 * generated from schemas/ at build time, as protobuf-c keeps no options).
 */
#ifndef CRIMG_FRAME_H
#define CRIMG_FRAME_H

#include <protobuf-c/protobuf-c.h>

#include "base/base.h"

/* ---- generic access to scalar fields by name (for extras) ---- */
int crimg_msg_get_u64(const ProtobufCMessage *m, const char *field, uint64_t *out);
/* Size of one element of a repeated field of type t in protobuf-c arrays. */
size_t crimg_pb_elem_size(ProtobufCType t);
/* 1 (and the element count) when field f of m is present, as crit lists it. */
int crimg_field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
			size_t *count);

/* ---- field options (generated from schemas/ at build time) ---- */
enum {
	CRIMG_OPT_HEX = 1,
	CRIMG_OPT_IPADD = 2,
	CRIMG_OPT_DEV = 4,
	CRIMG_OPT_ODEV = 8,
};
struct crimg_field_opt {
	const char *message; /* full protobuf name */
	uint32_t field;      /* field number */
	unsigned bits;       /* CRIMG_OPT_* */
	const char *flags;   /* flag table name or NULL */
	const char *dict;    /* dict table name or NULL */
	const char *conv;    /* bytes conversion or NULL */
};
extern const struct crimg_field_opt crimg_field_opts[];
extern const size_t crimg_n_field_opts;

#endif
