/* Small helpers the views share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui.h"

const struct crimg_task *tui_task(struct tui *t, uint32_t pid)
{
	if (!t->tree)
		return NULL;
	for (size_t i = 0; i < t->tree->n_tasks; i++)
		if (t->tree->tasks[i].pid == pid)
			return &t->tree->tasks[i];
	return NULL;
}

int tui_parse_addr(const char *s, uint64_t *out)
{
	char buf[48], *end;
	size_t n;
	int dec = 0;
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (!n || n >= sizeof(buf) || *s == '-' || *s == '+')
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	char *d = buf;
	if (buf[n - 1] == '.') { /* decimal, as gdb's "N." habit */
		buf[--n] = 0;
		dec = 1;
	} else if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		d += 2;
	}
	if (!*d || strspn(d, dec ? "0123456789" : "0123456789abcdefABCDEF") != strlen(d))
		return -1;
	errno = 0;
	*out = strtoull(d, &end, dec ? 10 : 16);
	return errno == ERANGE || *end ? -1 : 0;
}

void tui_errstr(const struct crimg_error *e, char *buf, size_t n)
{
	crimg_error_str(e, buf, n);
}
