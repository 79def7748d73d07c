/* SHA-256: the FIPS 180-2/180-4 example vectors, padding edges, and the
 * same digest whatever the pieces a stream is fed in. */
#include <stdint.h>
#include <stdlib.h>

#include "base/sha256.h"
#include "unit.h"

static const char *hash(const void *p, size_t n)
{
	static char out[CRIMG_SHA256_DIGEST_STR];
	crimg_sha256_mem(p, n, out);
	return out;
}

TEST(sha256_fips_vectors)
{
	EXPECT_STR(hash("", 0),
		   "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	EXPECT_STR(hash("abc", 3),
		   "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	EXPECT_STR(hash(m448, strlen(m448)),
		   "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			   "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	EXPECT_STR(hash(m896, strlen(m896)),
		   "sha256:cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(sha256_million_a)
{
	/* fed in pieces of 1000, as the FIPS example suggests */
	char a[1000];
	memset(a, 'a', sizeof(a));
	struct crimg_sha256 s;
	uint8_t md[CRIMG_SHA256_LEN];
	char out[CRIMG_SHA256_DIGEST_STR];
	crimg_sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		crimg_sha256_update(&s, a, sizeof(a));
	crimg_sha256_final(&s, md);
	crimg_sha256_digest_str(md, out);
	EXPECT_STR(out, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding edges: 55 is the longest message whose padding
 * fits in its last block, 56..63 need one more block. */
TEST(sha256_padding_edges)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{ 55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b" },
		{ 56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27" },
		{ 57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73" },
		{ 63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055" },
		{ 64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241" },
		{ 65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e" },
		{ 119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e" },
		{ 120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5" },
		{ 128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6" },
	};
	uint8_t msg[128];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		const char *got = hash(msg, v[k].n);
		EXPECT(strncmp(got, "sha256:", 7) == 0 && strcmp(got + 7, v[k].hex) == 0);
	}
}

TEST(sha256_any_split)
{
	uint8_t msg[200];
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 31 + 1);
	char whole[CRIMG_SHA256_DIGEST_STR];
	crimg_sha256_mem(msg, sizeof(msg), whole);
	int same = 1;
	for (size_t cut = 0; cut <= sizeof(msg); cut++) {
		for (size_t cut2 = cut; cut2 <= sizeof(msg); cut2 += 13) {
			struct crimg_sha256 s;
			uint8_t md[CRIMG_SHA256_LEN];
			char out[CRIMG_SHA256_DIGEST_STR];
			crimg_sha256_init(&s);
			crimg_sha256_update(&s, msg, cut);
			crimg_sha256_update(&s, msg + cut, cut2 - cut);
			crimg_sha256_update(&s, msg + cut2, sizeof(msg) - cut2);
			crimg_sha256_final(&s, md);
			crimg_sha256_digest_str(md, out);
			same &= strcmp(out, whole) == 0;
		}
	}
	EXPECT(same);
}
