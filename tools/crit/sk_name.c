/*
 * A unix socket's name for people: CRIU keeps it as the kernel reports it,
 * a path with the NUL that ends it, an abstract name with the NUL that
 * starts it.  Shown as ss(8) shows them, and cut to a column's width in
 * text tables (JSON keeps it whole).
 */
#include <stdio.h>
#include <string.h>

#include "crimg/image.h"
#include "sk_name.h"

size_t sk_unix_name_len(const uint8_t *name, size_t n)
{
	if (!n || name[0] == 0)
		return n;
	const uint8_t *nul = memchr(name, 0, n);
	return nul ? (size_t)(nul - name) : n;
}

/* One shown unit of the name at name[i]: its text in out (NUL-ended), its
 * width in columns; returns the bytes of the name it stands for. */
static size_t unit(const uint8_t *name, size_t n, size_t i, int flags, char out[8], size_t *cols)
{
	uint8_t c = name[i];
	size_t u;
	*cols = 1;
	if (i == 0 && c == 0) {
		strcpy(out, "@");
		return 1;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		out[1] = '\0';
		return 1;
	}
	if ((flags & SK_NAME_UTF8) && c >= 0x80 && (u = crimg_utf8_char(name + i, n - i, NULL))) {
		memcpy(out, name + i, u);
		out[u] = '\0';
		return u;
	}
	snprintf(out, 8, "\\x%02x", c);
	*cols = 4;
	return 1;
}

struct sink {
	char *buf;
	size_t len, used;
};

static void put(struct sink *s, const char *t)
{
	size_t k = strlen(t);
	if (s->used + k >= s->len)
		return; /* full: the rest is left out whole */
	memcpy(s->buf + s->used, t, k + 1);
	s->used += k;
}

static size_t columns(const char *t)
{
	size_t c = 0;
	for (; *t; t++)
		c += ((unsigned char)*t & 0xc0) != 0x80;
	return c;
}

void sk_unix_name(char *buf, size_t len, const uint8_t *name, size_t n, int flags, size_t width,
		  const char *ellipsis)
{
	struct sink s = { buf, len, 0 };
	char u[8];
	size_t cols, total = 0;
	if (!len)
		return;
	buf[0] = '\0';
	n = sk_unix_name_len(name, n);
	for (size_t i = 0; i < n;) {
		i += unit(name, n, i, flags, u, &cols);
		total += cols;
	}
	size_t ell = columns(ellipsis);
	if (!width || total <= width) {
		for (size_t i = 0; i < n;) {
			i += unit(name, n, i, flags, u, &cols);
			put(&s, u);
		}
		return;
	}
	/* a third of the room for the start, the rest for the end */
	size_t room = width > ell ? width - ell : 0, head = room / 3, tail = room - head;
	size_t i = 0, at = 0;
	while (i < n) {
		size_t k = unit(name, n, i, flags, u, &cols);
		if (at + cols > head)
			break;
		put(&s, u);
		at += cols;
		i += k;
	}
	put(&s, ellipsis);
	/* the end: from the first unit after which no more than tail columns are left */
	for (; i < n;) {
		size_t k = unit(name, n, i, flags, u, &cols);
		if (total - at <= tail)
			break;
		at += cols;
		i += k;
	}
	while (i < n) {
		i += unit(name, n, i, flags, u, &cols);
		put(&s, u);
	}
}
