/* base64 and quoted-printable against values Python's own modules give. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "base/base.h"
#include "unit.h"

static const char *b64(const char *s, size_t n)
{
	static char out[512];
	size_t k = crimg_b64_encode((const uint8_t *)s, n, out);
	out[k] = '\0';
	return out;
}

TEST(base64_encode_like_encodebytes)
{
	EXPECT_STR(b64("", 0), "");
	EXPECT_STR(b64("a", 1), "YQ==\n");
	EXPECT_STR(b64("ab", 2), "YWI=\n");
	EXPECT_STR(b64("abc", 3), "YWJj\n");
	/* 57 bytes fill one 76-character line; the 58th starts another */
	char buf[58];
	memset(buf, 'x', sizeof(buf));
	const char *s = b64(buf, 58);
	EXPECT(strlen(s) == 76 + 1 + 4 + 1);
	EXPECT(s[76] == '\n' && s[81] == '\n');
	EXPECT(crimg_b64_encoded_len(58) == strlen(s));
}

TEST(base64_decode_like_decodebytes)
{
	uint8_t out[64];
	EXPECT(crimg_b64_decode("YWJj\n", 5, out) == 3 && memcmp(out, "abc", 3) == 0);
	EXPECT(crimg_b64_decode("YW\nI=", 5, out) == 2 && memcmp(out, "ab", 2) == 0);
	/* characters outside the alphabet are skipped */
	EXPECT(crimg_b64_decode("Y!W*J j", 7, out) == 3);
	/* data after a completing pad is ignored */
	EXPECT(crimg_b64_decode("YQ==YWJj", 8, out) == 1 && out[0] == 'a');
	/* incorrect padding is an error */
	EXPECT(crimg_b64_decode("YWJ", 3, out) == -1);
	EXPECT(crimg_b64_decode("Y", 1, out) == -1);
}

static const char *qp(const char *s, size_t n)
{
	static char out[1024];
	size_t k = crimg_qp_encode((const uint8_t *)s, n, out);
	out[k] = '\0';
	return out;
}

TEST(quoted_printable_like_quopri)
{
	EXPECT_STR(qp("hello", 5), "hello");
	EXPECT_STR(qp("\0abc", 4), "=00abc"); /* abstract unix socket */
	EXPECT_STR(qp("a=b", 3), "a=3Db");
	EXPECT_STR(qp("tail ", 5), "tail=20");
	EXPECT_STR(qp("\xff", 1), "=FF");
	char round[300];
	uint8_t back[300];
	for (int i = 0; i < 256; i++)
		round[i] = (char)i;
	const char *e = qp(round, 256);
	size_t n = crimg_qp_decode(e, strlen(e), back);
	EXPECT(n == 256 && memcmp(back, round, 256) == 0);
}
