/*
 * The limits in one place: defaults, and the "NAME=VALUE,..." syntax that
 * crit's --limit option and CRIMG_LIMITS use.  Where a limit is enforced,
 * the message names it with CRIMG_LIMIT_HINT (internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const struct crimg_limits crimg_default_limits = {
	.max_entry = 64u << 20,		/* CRIU's largest entries are a few KiB */
	.max_extra = 4ull << 30,	/* ghost files, pipe and socket queues */
	.max_depth = 512,		/* crit's JSON nests 6 deep */
	.max_member = 64ull << 30,	/* page data of a very large process */
	.max_ratio = 200,		/* real checkpoints compress 2-50 times */
	.max_parents = 64,		/* CRIU chains a few pre-dumps */
};

struct limit_def {
	const char *name;
	size_t off;
	int is_unsigned;	/* an unsigned int field, else uint64_t */
	uint64_t min, max;
	int size;		/* takes K/M/G/T suffixes */
};

#define F(field) offsetof(struct crimg_limits, field)
static const struct limit_def defs[] = {
	{ "entry", F(max_entry), 0, 1, UINT32_MAX, 1 },	/* the size word is 32 bits */
	{ "extra", F(max_extra), 0, 1, UINT64_MAX, 1 },
	{ "depth", F(max_depth), 1, 1, CRIMG_MAX_DEPTH_CAP, 0 },
	{ "member", F(max_member), 0, 1, UINT64_MAX, 1 },
	{ "ratio", F(max_ratio), 0, 1, UINT64_MAX, 0 },
	{ "parents", F(max_parents), 1, 1, 1u << 20, 0 },
};
#undef F
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static uint64_t get(const struct crimg_limits *l, const struct limit_def *d)
{
	const char *p = (const char *)l + d->off;
	return d->is_unsigned ? *(const unsigned *)p : *(const uint64_t *)p;
}

static void put(struct crimg_limits *l, const struct limit_def *d, uint64_t v)
{
	char *p = (char *)l + d->off;
	if (d->is_unsigned)
		*(unsigned *)p = (unsigned)v;
	else
		*(uint64_t *)p = v;
}

/* A decimal number with an optional K/M/G/T suffix.  0 or -1. */
static int parse_value(const char *s, size_t n, int size, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	if (!n || s[0] < '0' || s[0] > '9')
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (i < n) {
		static const char units[] = "KMGT";
		const char *u = size && i + 1 == n ? strchr(units, s[i] & ~0x20) : NULL;
		if (!u || !s[i])
			return -1;
		for (int k = 0; k <= u - units; k++) {
			if (v > UINT64_MAX / 1024)
				return -1;
			v *= 1024;
		}
	}
	*out = v;
	return 0;
}

int crimg_limits_set(struct crimg_limits *l, const char *spec, struct crimg_error *err)
{
	struct crimg_limits t = *l;
	const char *p = spec;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (n == 0) {
			p += end ? 1 : 0;
			continue;
		}
		size_t i;
		for (i = 0; i < NDEFS; i++)
			if (eq && strlen(defs[i].name) == (size_t)(eq - p) &&
			    memcmp(defs[i].name, p, (size_t)(eq - p)) == 0)
				break;
		if (!eq || i == NDEFS)
			return crimg_fail(err, NULL, -1, -1,
					  "limit '%.*s': expected NAME=VALUE, NAME one of entry, extra, depth, member, ratio, parents",
					  (int)n, p);
		uint64_t v;
		const char *vs = eq + 1;
		size_t vn = n - (size_t)(vs - p);
		if (parse_value(vs, vn, defs[i].size, &v) < 0 || v < defs[i].min || v > defs[i].max)
			return crimg_fail(err, NULL, -1, -1,
					  "limit '%.*s': %s takes %s from %llu to %llu", (int)n, p,
					  defs[i].name, defs[i].size ? "a size (K, M, G, T suffixes)" : "a number",
					  (unsigned long long)defs[i].min, (unsigned long long)defs[i].max);
		put(&t, &defs[i], v);
		p += n;
		if (*p == ',')
			p++;
	}
	*l = t;
	return 0;
}

const char *crimg_limits_str(const struct crimg_limits *l, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NDEFS && k < len; i++) {
		uint64_t v = get(l, &defs[i]);
		const char *unit = "";
		if (defs[i].size) {
			static const char *const units[] = { "K", "M", "G", "T" };
			for (int u = 3; u >= 0; u--) {
				uint64_t m = 1ull << (10 * (u + 1));
				if (v >= m && v % m == 0) {
					v /= m;
					unit = units[u];
					break;
				}
			}
		}
		int w = snprintf(buf + k, len - k, "%s%s=%llu%s", i ? "," : "", defs[i].name,
				 (unsigned long long)v, unit);
		if (w < 0)
			break;
		k += (size_t)w;
	}
	return buf;
}
