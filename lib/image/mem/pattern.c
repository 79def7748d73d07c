/*
 * Search patterns: a literal, or a PCRE2 regular expression on bytes.
 *
 * A regular expression that starts with plain characters (no alternation
 * anywhere) has every match start with them: its literal prefix is looked
 * for with the literal finder, and the expression is run only there,
 * anchored (a second compiled copy), rather than scanning every byte with
 * PCRE2.  The prefix is read off conservatively: any byte that may be
 * syntax ends it, and the byte before a quantifier is left out.
 */
#include <stdlib.h>
#include <string.h>

#include "mem/scan.h"

/* Bytes that end a regex's literal prefix: syntax outside a class, and
 * ']', '}' for good measure. */
static int plain(uint8_t c)
{
	return !strchr("\\^$.[]|(){}?*+", c) || c == '\0';
}

/* The length of the literal prefix of regex pat (0: none worth using). */
static size_t regex_prefix(const uint8_t *pat, size_t len)
{
	if (memchr(pat, '|', len))
		return 0; /* an alternative may start otherwise */
	size_t k = 0;
	while (k < len && plain(pat[k]))
		k++;
	if (k < len && strchr("?*+{", pat[k]) && pat[k])
		k--; /* the last byte is quantified: maybe absent or repeated */
	return k >= 2 ? k : 0;
}

static pcre2_code *compile(const void *pat, size_t len, uint32_t opts, struct crimg_error *err)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile(pat, len, opts, &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		crimg_fail(err, NULL, -1, -1, "regular expression at offset %zu: %s", (size_t)eo,
			   (const char *)msg);
		return NULL;
	}
	/* JIT where the platform has it; the interpreter otherwise */
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
	return code;
}

struct crimg_mem_pattern *crimg_mem_pattern_new(const void *pat, size_t len, unsigned flags,
						struct crimg_error *err)
{
	if (!len) {
		crimg_fail(err, NULL, -1, -1, "empty search pattern");
		return NULL;
	}
	struct crimg_mem_pattern *p = calloc(1, sizeof(*p));
	if (!p) {
		crimg_fail(err, NULL, -1, -1, "out of memory");
		return NULL;
	}
	size_t lit = len;
	if (flags & (CRIMG_PAT_REGEX | CRIMG_PAT_ICASE)) {
		/* bytes, not UTF-8: memory holds anything */
		uint32_t opts = flags & CRIMG_PAT_REGEX ? PCRE2_NEVER_UTF | PCRE2_NEVER_UCP
							: PCRE2_LITERAL;
		if (flags & CRIMG_PAT_ICASE)
			opts |= PCRE2_CASELESS;
		p->code = compile(pat, len, opts, err);
		if (!p->code)
			goto fail;
		uint32_t lb = 0;
		pcre2_pattern_info(p->code, PCRE2_INFO_MAXLOOKBEHIND, &lb);
		p->lookbehind = lb > 1 ? lb : 1; /* 1: \A and ^ see there is a byte before */
		lit = flags & CRIMG_PAT_ICASE ? 0 : regex_prefix(pat, len);
		if (lit) {
			p->anchored = compile(pat, len, opts | PCRE2_ANCHORED, err);
			if (!p->anchored)
				goto fail;
		}
	}
	if (lit) {
		p->lit = malloc(lit);
		if (!p->lit) {
			crimg_fail(err, NULL, -1, -1, "out of memory");
			goto fail;
		}
		memcpy(p->lit, pat, lit);
		p->n = lit;
		mem_lit_init(&p->lf, p->lit, lit);
	}
	return p;
fail:
	crimg_mem_pattern_free(p);
	return NULL;
}

void crimg_mem_pattern_free(struct crimg_mem_pattern *p)
{
	if (!p)
		return;
	free(p->lit);
	pcre2_code_free(p->code);
	pcre2_code_free(p->anchored);
	free(p);
}
