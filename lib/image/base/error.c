/* Error reporting: a caller-owned struct filled where things go wrong. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/base.h"

void crimg_error_clear(struct crimg_error *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->offset = -1;
	e->entry = -1;
}

int crimg_fail(struct crimg_error *e, const char *file, int64_t offset, int64_t entry,
	       const char *fmt, ...)
{
	if (!e)
		return -1;
	crimg_error_clear(e);
	if (file)
		snprintf(e->file, sizeof(e->file), "%s", file);
	e->offset = offset;
	e->entry = entry;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *crimg_error_str(const struct crimg_error *e, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
#define ADD(...)                                                         \
	do {                                                             \
		if (n < len) {                                           \
			int k = snprintf(buf + n, len - n, __VA_ARGS__); \
			if (k > 0)                                       \
				n += (size_t)k;                          \
		}                                                        \
	} while (0)
	if (e->file[0])
		ADD("%s: ", e->file);
	if (e->line > 0)
		ADD("line %d column %d: ", e->line, e->column);
	else if (e->offset >= 0)
		ADD("offset %lld: ", (long long)e->offset);
	if (e->entry >= 0)
		ADD("entry %lld: ", (long long)e->entry);
	ADD("%s", e->msg[0] ? e->msg : "unknown error");
#undef ADD
	return buf;
}
