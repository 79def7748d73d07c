/*
 * SHA-256 (FIPS 180-4), for the content digests of OCI images: every blob
 * of an image layout is named and checked by the SHA-256 of its bytes.
 */
#ifndef CRIMG_SHA256_H
#define CRIMG_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CRIMG_SHA256_LEN 32
/* "sha256:" and 64 hex digits, NUL-terminated */
#define CRIMG_SHA256_DIGEST_STR (7 + 64 + 1)

struct crimg_sha256 {
	uint32_t h[8];
	uint64_t bytes;  /* message length so far */
	uint8_t buf[64]; /* a partial block */
	size_t used;
};

void crimg_sha256_init(struct crimg_sha256 *s);
void crimg_sha256_update(struct crimg_sha256 *s, const void *p, size_t n);
void crimg_sha256_final(struct crimg_sha256 *s, uint8_t out[CRIMG_SHA256_LEN]);
/* "sha256:<64 lowercase hex digits>" */
void crimg_sha256_digest_str(const uint8_t md[CRIMG_SHA256_LEN], char out[CRIMG_SHA256_DIGEST_STR]);
/* One call for a buffer in memory: out as crimg_sha256_digest_str writes it. */
void crimg_sha256_mem(const void *p, size_t n, char out[CRIMG_SHA256_DIGEST_STR]);

#endif
