/*
 * crimg: images <-> JSON, in exactly the form CRIU's crit reads and writes.
 *
 * Decoding streams: one entry is unpacked and printed at a time, so memory
 * stays bounded by the largest entry whatever the image size.  Encoding
 * parses one entry of JSON at a time and writes it out at once.
 */
#ifndef CRIMG_JSON_H
#define CRIMG_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- a buffered output sink on a file descriptor ---- */
struct crimg_out;
/* A sink writing to fd (which stays the caller's); name is kept (not
 * copied) for errors and must outlive the sink.  Returns a sink the caller
 * frees with crimg_out_free(), or NULL when out of memory. */
struct crimg_out *crimg_out_new(int fd, const char *name);
/* Buffers n bytes from p, writing out full buffers.  0, or -1 once a write
 * failed (crimg_out_flush() then says why). */
int crimg_out_write(struct crimg_out *o, const void *p, size_t n);
/* Writes out what is buffered.  0, or -1 (err filled) when a write failed,
 * now or earlier. */
int crimg_out_flush(struct crimg_out *o, struct crimg_error *err);
/* Frees o without flushing (unflushed bytes are dropped); NULL is fine. */
void crimg_out_free(struct crimg_out *o);

/* ---- image -> JSON ---- */
#define CRIMG_JSON_PRETTY 0x1u /* crit --pretty: indent 4, field formats */
#define CRIMG_JSON_NOPL 0x2u   /* crit --nopl: payload sizes, not data */
/* Every entry through unpacked protobuf-c messages instead of straight from
 * the wire format (the same bytes; for differential tests). */
#define CRIMG_JSON_VIA_MESSAGES 0x4u

/* Writes {"magic": ..., "entries": [...]} for the whole image r reads
 * (flags: CRIMG_JSON_*) to o.  0, or -1 (err filled) when the image is
 * damaged or a write fails; o may then hold part of the JSON. */
int crimg_json_decode(struct crimg_reader *r, struct crimg_out *o, unsigned flags,
		      struct crimg_error *err);
/*
 * Writes one unpacked entry m as the JSON object crit decode prints for it
 * (without an extra payload's "extra"): an entry of crimg_ckpt_entries(),
 * or the `msg` a structure of crimg/model.h keeps.  flags: CRIMG_JSON_PRETTY
 * or 0; bo: the byte order of the image m came from (--pretty renders inet
 * addresses from it; crimg_entries.byte_order).  o is not flushed:
 * crimg_out_flush() writes out what is left in its buffer.  -1 (err filled)
 * when m is NULL, memory runs out or o cannot be written.
 */
int crimg_json_message(const ProtobufCMessage *m, enum crimg_byte_order bo, unsigned flags,
		       struct crimg_out *o, struct crimg_error *err);

/* ---- JSON -> image ---- */
struct crimg_encode_opts {
	enum crimg_byte_order byte_order;
	const struct crimg_limits *limits; /* NULL: defaults */
	unsigned flags;                    /* CRIMG_ENCODE_* */
	/* non-NULL: JSON whose "magic" names another kind is refused (at
	 * the magic, before any entry), as when an image is edited */
	const struct crimg_kind *kind;
};
/* Pack every entry through protobuf-c messages instead of writing wire
 * format as the JSON is read (the same bytes; for differential tests). */
#define CRIMG_ENCODE_VIA_MESSAGES 1u
/* Reads JSON (compact or pretty) from in_fd, writes the image to out_fd
 * (both stay the caller's; the names are for errors; opts NULL: the
 * host's byte order, the default limits).  0, or -1 (err filled, with the JSON line
 * and column) when the JSON is wrong or a write fails; out_fd may then
 * hold part of the image. */
int crimg_json_encode(int in_fd, const char *in_name, int out_fd, const char *out_name,
		      const struct crimg_encode_opts *opts, struct crimg_error *err);

/* ---- crit info ---- */
struct crimg_info {
	const struct crimg_kind *kind;
	enum crimg_byte_order byte_order;
	uint32_t first_magic;   /* 0, COMMON or SERVICE */
	uint64_t count;         /* entries, extras not counted */
	uint64_t payload_bytes; /* bytes of extra payload */
};
/* Reads the rest of the image r reads and fills *info, as crit info
 * shows it.  0, or -1 (err filled) when the image is damaged. */
int crimg_image_info(struct crimg_reader *r, struct crimg_info *info, struct crimg_error *err);

/* A raw image (no header: pages-*.img, ifaddr-*.img, tmpfs-*.tar.gz.img,
 * ...), known by its file name only. */
struct crimg_raw_info {
	const struct crimg_kind *kind;
	uint64_t size;
	/* what its first bytes are: "empty", "page data" (PAGES), "gzip",
	 * "iproute2 dump", "text", "data" */
	const char *content;
};
/*
 * 1 when fd, a regular file called name, is a raw image (*ri filled); 0 when
 * it is not one (its name is no raw kind's, it starts with a magic, or it
 * is not a regular file: read it with crimg_reader_open); -1 on a read
 * error.  The file offset is not moved.
 */
int crimg_raw_image_info(int fd, const char *name, struct crimg_raw_info *ri,
			 struct crimg_error *err);

#ifdef __cplusplus
}
#endif

#endif
