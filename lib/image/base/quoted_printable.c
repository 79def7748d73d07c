/*
 * Quoted-printable as Python's quopri.encodestring/decodestring do it
 * (binascii.b2a_qp with istext=1, quotetabs=0, header=0, and a2b_qp).
 * crit uses it for unix socket names, which are often binary (abstract
 * names start with a NUL byte).
 */
#include <string.h>

#include "base/base.h"

#define MAXLINESIZE 76

static const char hexdig[] = "0123456789ABCDEF";

static int must_quote(const uint8_t *d, size_t n, size_t i, size_t linelen)
{
	uint8_t c = d[i];
	if (c > 126 || c == '=')
		return 1;
	if (c == '.' && linelen == 0 &&
	    (i + 1 == n || d[i + 1] == '\n' || d[i + 1] == '\r' || d[i + 1] == 0))
		return 1;
	if ((c == '\t' || c == ' ') && i + 1 == n)
		return 1;
	if (c < 33 && c != '\r' && c != '\n' && c != '\t' && c != ' ')
		return 1;
	return 0;
}

size_t crimg_qp_encode(const uint8_t *d, size_t n, char *out)
{
	size_t o = 0, linelen = 0, i = 0;
	int crlf = 0;
	const uint8_t *nl = n ? memchr(d, '\n', n) : NULL;
	if (nl && nl > d && nl[-1] == '\r')
		crlf = 1;

	while (i < n) {
		if (must_quote(d, n, i, linelen)) {
			if (linelen + 3 >= MAXLINESIZE) {
				out[o++] = '=';
				if (crlf)
					out[o++] = '\r';
				out[o++] = '\n';
				linelen = 0;
			}
			out[o++] = '=';
			out[o++] = hexdig[d[i] >> 4];
			out[o++] = hexdig[d[i] & 15];
			i++;
			linelen += 3;
		} else if (d[i] == '\n' || (i + 1 < n && d[i] == '\r' && d[i + 1] == '\n')) {
			linelen = 0;
			/* protect whitespace at the end of a line */
			if (o && (out[o - 1] == ' ' || out[o - 1] == '\t')) {
				char ch = out[o - 1];
				out[o - 1] = '=';
				out[o++] = hexdig[(uint8_t)ch >> 4];
				out[o++] = hexdig[(uint8_t)ch & 15];
			}
			if (crlf)
				out[o++] = '\r';
			out[o++] = '\n';
			i += d[i] == '\r' ? 2 : 1;
		} else {
			if (i + 1 != n && d[i + 1] != '\n' && linelen + 1 >= MAXLINESIZE) {
				out[o++] = '=';
				if (crlf)
					out[o++] = '\r';
				out[o++] = '\n';
				linelen = 0;
			}
			linelen++;
			out[o++] = (char)d[i++];
		}
	}
	return o;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t crimg_qp_decode(const char *in, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;
	while (i < n) {
		if (in[i] == '=') {
			i++;
			if (i >= n)
				break; /* a lone '=' at the end is dropped */
			if (in[i] == '\n' || in[i] == '\r') {
				/* soft line break */
				if (in[i] != '\n') {
					while (i < n && in[i] != '\n')
						i++;
				}
				if (i < n)
					i++;
			} else if (in[i] == '=') {
				out[o++] = '=';
				i++;
			} else if (i + 1 < n && hexval((unsigned char)in[i]) >= 0 &&
				   hexval((unsigned char)in[i + 1]) >= 0) {
				out[o++] = (uint8_t)(hexval((unsigned char)in[i]) << 4 |
						     hexval((unsigned char)in[i + 1]));
				i += 2;
			} else {
				out[o++] = '=';
			}
		} else {
			out[o++] = (uint8_t)in[i++];
		}
	}
	return o;
}
