/*
 * The frame layer's internals: scalar fields of any message read by name
 * through its descriptor, and the schemas' field options (a table
 * generated from schemas/ at build time, as protobuf-c keeps no options).
 */
#ifndef CRIMG_FRAME_H
#define CRIMG_FRAME_H

#include <protobuf-c/protobuf-c.h>

#include "crimg/model.h"
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

/* ---- the integers of a raw siginfo_t (siginfo.c) ---- */
enum crimg_si_member {
	CRIMG_SI_M_SIGNO,
	CRIMG_SI_M_ERRNO,
	CRIMG_SI_M_CODE,
	CRIMG_SI_M_PID,
	CRIMG_SI_M_UID,
	CRIMG_SI_M_STATUS,
	CRIMG_SI_M_UTIME, /* SIGCHLD's clock_t members: turned around, not shown */
	CRIMG_SI_M_STIME,
	CRIMG_SI_M_VALUE,
	CRIMG_SI_M_TIMERID,
	CRIMG_SI_M_OVERRUN,
	CRIMG_SI_M_BAND,
	CRIMG_SI_M_FD,
	CRIMG_SI_M_ADDR,
	CRIMG_SI_M_SYSCALL,
	CRIMG_SI_M_ARCH,
};
struct crimg_si_int {
	uint16_t off;   /* in the raw bytes */
	uint8_t size;   /* 4, or a word: 8 (4 on 32-bit ARM) */
	uint8_t member; /* enum crimg_si_member */
};
#define CRIMG_SI_MAX 8
/*
 * The members of the raw siginfo_t raw (len bytes) of a machine of
 * core_entry.mtype mtype, read in byte order bo: signo, errno and code,
 * then those of its layout (*layout; CRIMG_SI_SHORT with only the first
 * three when the bytes end before a member the layout needs).  Returns how
 * many were put in f; every one lies inside the bytes.
 */
size_t crimg_siginfo_ints(const uint8_t *raw, size_t len, unsigned mtype, enum crimg_byte_order bo,
			  enum crimg_si_layout *layout, struct crimg_si_int f[CRIMG_SI_MAX]);
/* Turns each member crimg_siginfo_ints() finds (in byte order from)
 * around in place: the siginfo_t a machine of the other order would save. */
void crimg_siginfo_swap(uint8_t *raw, size_t len, unsigned mtype, enum crimg_byte_order from);

#endif
