/* Reading scalar fields of any message by name, through its descriptor. */
#include <string.h>

#include "base/base.h"
#include "frame/frame.h"

int crimg_msg_get_u64(const ProtobufCMessage *m, const char *name, uint64_t *out)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
	if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
		return -1;
	const char *base = (const char *)m;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
	    !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)) {
		if (!*(const protobuf_c_boolean *)(base + f->quantifier_offset)) {
			*out = 0;
			return 0;
		}
	}
	const void *v = base + f->offset;
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		*out = (uint64_t)(int64_t) * (const int32_t *)v;
		return 0;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		*out = *(const uint32_t *)v;
		return 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		*out = *(const uint64_t *)v;
		return 0;
	case PROTOBUF_C_TYPE_BOOL:
		*out = *(const protobuf_c_boolean *)v ? 1 : 0;
		return 0;
	default:
		return -1;
	}
}

/* Bytes one element of a repeated field of type t takes in protobuf-c's arrays. */
size_t crimg_pb_elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		return 4;
	}
}
