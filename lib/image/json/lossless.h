/* CRIU images as JSON for the bundle and the JSON directory (lossless.c). */
#ifndef CRIMG_LOSSLESS_H
#define CRIMG_LOSSLESS_H

#include "base/base.h"

/*
 * Decodes the file dirfd/name (path in messages) into json_fd, as crit
 * decode does with flags (CRIMG_JSON_*), and checks that encoding that JSON
 * gives back the file's very bytes.  1: it does, *bo is the byte order;
 * 0: not a CRIU image, or not one that survives the trip (*json_fd's
 * content is then undefined; why, when not NULL, says what stopped it:
 * the reader's, the decoder's or the encoder's error, or that the bytes
 * differ); -1: an I/O error, or a limit of lim (NULL: the defaults)
 * stopped the decoding (err filled).
 */
int crimg_image_json(int dirfd, const char *name, const char *path, int json_fd, unsigned flags,
		     const struct crimg_limits *lim, enum crimg_byte_order *bo,
		     struct crimg_error *err, struct crimg_error *why);

#endif
