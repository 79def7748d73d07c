/*
 * The limits in one place: defaults, and the "NAME=VALUE,..." syntax that
 * crit's --limit option and CRIMG_LIMITS use.  Where a limit is enforced,
 * the message names it with CRIMG_LIMIT_HINT (internal.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

const struct crimg_limits crimg_default_limits = {
	.max_entry = 64u << 20,     /* CRIU's largest entries are a few KiB */
	.max_extra = 4ull << 30,    /* ghost files, pipe and socket queues */
	.max_depth = 512,           /* crit's JSON nests 6 deep */
	.max_member = 64ull << 30,  /* page data of a very large process */
	.max_ratio = 200,           /* real checkpoints compress 2-50 times */
	.max_parents = 64,          /* CRIU chains a few pre-dumps */
	.max_members = 1000000,     /* a dump has a few images per process */
	.max_unpacked = 1ull << 40, /* all the page data of a big machine */
	.max_json = 16u << 20,      /* engine files and OCI manifests: a few KiB */
	.max_dirs = 128,            /* a checkpoint nests 2 deep, a rootfs diff more */
	.max_args = 64u << 20,      /* Linux caps argv + environment far lower */
};

struct limit_def {
	const char *name;
	size_t off;
	int is_unsigned; /* an unsigned int field, else uint64_t */
	uint64_t min, max;
	int size;         /* takes K/M/G/T suffixes */
	const char *what; /* for help texts */
};

#define F(field) offsetof(struct crimg_limits, field)
static const struct limit_def defs[] = {
	{ "entry", F(max_entry), 0, 1, UINT32_MAX, 1, /* the size word is 32 bits */
	  "largest image entry (protobuf payload), below 4G" },
	{ "extra", F(max_extra), 0, 1, UINT64_MAX, 1,
	  "largest extra payload of one entry (pipe, socket, ghost\n"
	  "file data)" },
	{ "depth", F(max_depth), 1, 1, CRIMG_MAX_DEPTH_CAP, 0,
	  "deepest JSON nesting (at most 4096)" },
	{ "member", F(max_member), 0, 1, UINT64_MAX, 1, "largest archive member, decompressed" },
	{ "ratio", F(max_ratio), 0, 1, UINT64_MAX, 0,
	  "largest decompressed / compressed size of an archive\n"
	  "(judged past 64M)" },
	{ "parents", F(max_parents), 1, 0, 1u << 20, 0,
	  "most parents of an incremental dump followed (0: none)" },
	{ "members", F(max_members), 0, 1, UINT64_MAX, 0, "most members in one archive" },
	{ "unpacked", F(max_unpacked), 0, 1, UINT64_MAX, 1,
	  "most bytes one archive unpacks to, all members" },
	{ "json", F(max_json), 0, 1, UINT64_MAX, 1,
	  "largest JSON file read whole: OCI index, manifest, config;\n"
	  "config.dump, spec.dump; a JSON directory's list" },
	{ "dirs", F(max_dirs), 1, 1, CRIMG_MAX_DIRS_CAP, 0,
	  "deepest directory nesting unpacked from an archive, OCI\n"
	  "layer, JSON bundle or JSON directory (at most 512)" },
	{ "args", F(max_args), 0, 1, UINT64_MAX, 1,
	  "largest argv or environment area of a process" },
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
		if (!eq || i == NDEFS) {
			char names[256];
			size_t k = 0;
			for (size_t j = 0; j < NDEFS && k < sizeof(names); j++)
				k += (size_t)snprintf(names + k, sizeof(names) - k, "%s%s",
						      j ? ", " : "", defs[j].name);
			return crimg_fail(err, NULL, -1, -1,
					  "limit '%.*s': expected NAME=VALUE, NAME one of %s",
					  (int)n, p, names);
		}
		uint64_t v;
		const char *vs = eq + 1;
		size_t vn = n - (size_t)(vs - p);
		if (parse_value(vs, vn, defs[i].size, &v) < 0 || v < defs[i].min || v > defs[i].max)
			return crimg_fail(err, NULL, -1, -1,
					  "limit '%.*s': %s takes %s from %llu to %llu", (int)n, p,
					  defs[i].name,
					  defs[i].size ? "a size (K, M, G, T suffixes)"
						       : "a number",
					  (unsigned long long)defs[i].min,
					  (unsigned long long)defs[i].max);
		put(&t, &defs[i], v);
		p += n;
		if (*p == ',')
			p++;
	}
	*l = t;
	return 0;
}

/* v as a size with the largest unit that divides it: 64M, 4G, 1000 */
static void value_str(const struct limit_def *d, uint64_t v, char *buf, size_t len)
{
	const char *unit = "";
	if (d->size) {
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
	snprintf(buf, len, "%llu%s", (unsigned long long)v, unit);
}

const char *crimg_limits_str(const struct crimg_limits *l, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NDEFS && k < len; i++) {
		char v[32];
		value_str(&defs[i], get(l, &defs[i]), v, sizeof(v));
		int w = snprintf(buf + k, len - k, "%s%s=%s", i ? "," : "", defs[i].name, v);
		if (w < 0)
			break;
		k += (size_t)w;
	}
	return buf;
}

const char *crimg_limit_describe(size_t i, const struct crimg_limits *l, char *val, size_t vlen,
				 const char **what)
{
	if (i >= NDEFS)
		return NULL;
	value_str(&defs[i], get(l ? l : &crimg_default_limits, &defs[i]), val, vlen);
	*what = defs[i].what;
	return defs[i].name;
}

int crimg_limit_error(const struct crimg_error *e)
{
	return e && strstr(e->msg, "' limit; raise it with crit --limit ") != NULL;
}

int crimg_limit_unpack(const struct crimg_limits *l, const char *file, const char *member,
		       uint64_t member_bytes, uint64_t total, int64_t in, struct crimg_error *err)
{
	if (!l)
		l = &crimg_default_limits;
	if (member_bytes > l->max_member)
		return crimg_fail(
			err, file, in, -1,
			"archive member '%s' is larger than the limit of %llu bytes" CRIMG_LIMIT_HINT(
				"member"),
			member, (unsigned long long)l->max_member);
	if (total > l->max_unpacked)
		return crimg_fail(
			err, file, in, -1,
			"archive unpacks to more than %llu bytes (at member '%s')" CRIMG_LIMIT_HINT(
				"unpacked"),
			(unsigned long long)l->max_unpacked, member);
	if (total > CRIMG_RATIO_FLOOR) {
		uint64_t inb = in > 0 ? (uint64_t)in : 1;
		if (total / inb >= l->max_ratio)
			return crimg_fail(err, file, in, -1,
					  "archive expands more than %llu times (%llu bytes from %llu, at member '%s'): "
					  "a decompression bomb?" CRIMG_LIMIT_HINT("ratio"),
					  (unsigned long long)l->max_ratio,
					  (unsigned long long)total, (unsigned long long)inb,
					  member);
	}
	return 0;
}
