/* The kinds table, expanded from kinds.def, and lookups into it. */
#include <string.h>
#include <ctype.h>

#include "crimg/image.h"

/* Declare each message descriptor without pulling in 80 generated headers. */
#define PB(msg) extern const ProtobufCMessageDescriptor msg##__descriptor;
#define NONE
#define KIND(name, magic, flags, pat, msg, layout, extra) msg
#include "frame/kinds.def"
#undef KIND
#undef PB
#undef NONE

#define PB(msg) (&msg##__descriptor)
#define NONE NULL
static const struct crimg_kind kinds[] = {
#define KIND(n, m, f, pat, msg, lay, ex) \
	{ .name = #n,                    \
	  .magic = m,                    \
	  .flags = f,                    \
	  .pattern = pat,                \
	  .desc = msg,                   \
	  .layout = CRIMG_LAYOUT_##lay,  \
	  .extra = CRIMG_EXTRA_##ex },
#include "frame/kinds.def"
#undef KIND
};
#undef PB
#undef NONE

size_t crimg_kind_count(void)
{
	return sizeof(kinds) / sizeof(kinds[0]);
}

const struct crimg_kind *crimg_kind_at(size_t i)
{
	return i < crimg_kind_count() ? &kinds[i] : NULL;
}

const struct crimg_kind *crimg_kind_by_magic(uint32_t magic)
{
	if (magic == 0)
		return NULL;
	for (size_t i = 0; i < crimg_kind_count(); i++)
		if (kinds[i].magic == magic)
			return &kinds[i];
	return NULL;
}

const struct crimg_kind *crimg_kind_by_name(const char *name)
{
	for (size_t i = 0; i < crimg_kind_count(); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* Matches one pattern alternative [p, pend) against the whole of s. */
static int match_one(const char *p, const char *pend, const char *s)
{
	while (p < pend) {
		if (*p != '%') {
			if (*s++ != *p++)
				return 0;
			continue;
		}
		p++;
		while (p < pend && *p == 'l')
			p++;
		if (p >= pend)
			return 0;
		char conv = *p++;
		const char *start = s;
		if (conv == 's') {
			/* any non-empty text up to the rest of the pattern */
			size_t rest = (size_t)(pend - p);
			size_t len = strlen(s);
			if (len <= rest)
				return 0;
			s += len - rest;
			continue;
		}
		if (conv == 'd' && *s == '-')
			s++;
		while (*s &&
		       (conv == 'x' ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
			s++;
		if (s == start || (conv == 'd' && s == start + 1 && *start == '-'))
			return 0;
	}
	return *s == '\0';
}

const struct crimg_kind *crimg_kind_by_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < crimg_kind_count(); i++) {
		const char *p = kinds[i].pattern;
		while (*p) {
			const char *end = strchr(p, '|');
			if (!end)
				end = p + strlen(p);
			if (match_one(p, end, base))
				return &kinds[i];
			p = *end ? end + 1 : end;
		}
	}
	return NULL;
}
