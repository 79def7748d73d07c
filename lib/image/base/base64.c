/* base64 exactly as Python's base64.encodebytes/decodebytes write and read it. */
#include "base/base.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define LINE_BYTES 57 /* 57 bytes make one 76-character line */

size_t crimg_b64_encoded_len(size_t n)
{
	size_t lines = (n + LINE_BYTES - 1) / LINE_BYTES;
	return (n + 2) / 3 * 4 + lines;
}

size_t crimg_b64_encode(const uint8_t *in, size_t n, char *out)
{
	char *o = out;
	while (n > 0) {
		size_t line = n < LINE_BYTES ? n : LINE_BYTES;
		size_t i = 0;
		for (; i + 3 <= line; i += 3) {
			uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
			*o++ = alphabet[v >> 18];
			*o++ = alphabet[(v >> 12) & 63];
			*o++ = alphabet[(v >> 6) & 63];
			*o++ = alphabet[v & 63];
		}
		if (line - i == 1) {
			uint32_t v = (uint32_t)in[i] << 16;
			*o++ = alphabet[v >> 18];
			*o++ = alphabet[(v >> 12) & 63];
			*o++ = '=';
			*o++ = '=';
		} else if (line - i == 2) {
			uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
			*o++ = alphabet[v >> 18];
			*o++ = alphabet[(v >> 12) & 63];
			*o++ = alphabet[(v >> 6) & 63];
			*o++ = '=';
		}
		*o++ = '\n';
		in += line;
		n -= line;
	}
	return (size_t)(o - out);
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Like binascii.a2b_base64 in its default (non-strict) mode: characters
 * outside the alphabet are skipped, bytes come out as soon as they are
 * complete, and a pad that completes a quantum ends the input.
 * Returns the decoded length, or -1 where Python says "Incorrect padding".
 */
ssize_t crimg_b64_decode(const char *in, size_t n, uint8_t *out)
{
	uint8_t *o = out;
	unsigned left = 0;
	int quad = 0, pads = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '=') {
			if (quad >= 2 && quad + ++pads >= 4)
				return o - out;
			continue;
		}
		int v = b64_value(c);
		if (v < 0)
			continue;
		pads = 0;
		switch (quad) {
		case 0:
			left = (unsigned)v;
			quad = 1;
			break;
		case 1:
			*o++ = (uint8_t)(left << 2 | (unsigned)v >> 4);
			left = (unsigned)v & 0x0f;
			quad = 2;
			break;
		case 2:
			*o++ = (uint8_t)(left << 4 | (unsigned)v >> 2);
			left = (unsigned)v & 0x03;
			quad = 3;
			break;
		default:
			*o++ = (uint8_t)(left << 6 | (unsigned)v);
			quad = 0;
			break;
		}
	}
	return quad == 0 ? o - out : -1;
}
