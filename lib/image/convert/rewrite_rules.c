/*
 * Rewrite rules: parsing "OLD=NEW", checking a rule set, and applying it to
 * one path or one address.
 *
 * A path rule matches a whole path or a prefix that ends at a '/' boundary
 * ("/srv/a" matches "/srv/a" and "/srv/a/x", never "/srv/ab"); when several
 * match, the longest OLD wins, and a value is rewritten at most once (rules
 * never chain).  An address rule matches one address exactly; an IPv4 rule
 * also matches the IPv4-mapped IPv6 form (::ffff:a.b.c.d) of its address,
 * which IPv6 sockets use for IPv4 peers.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "convert/rewrite_int.h"

static const char *kind_opt(enum crimg_rewrite_kind k)
{
	return k == CRIMG_RW_PATH ? "--rewrite-path" : "--rewrite-ip";
}

int crimg_rewrite_rule_parse(char *arg, enum crimg_rewrite_kind kind, struct crimg_rewrite_rule *r,
			     struct crimg_error *err)
{
	/* a path may hold '=': NEW starts at the first "=/" */
	char *eq = kind == CRIMG_RW_PATH ? strstr(arg, "=/") : strchr(arg, '=');
	if (!eq || eq == arg)
		return crimg_fail(err, NULL, -1, -1, "%s takes OLD=NEW, not '%s'", kind_opt(kind),
				  arg);
	*eq = '\0';
	r->kind = kind;
	r->from = arg;
	r->to = eq + 1;
	struct rw_rules rr;
	if (crimg_rw_rules_init(&rr, r, 1, err) < 0) {
		*eq = '=';
		return -1;
	}
	crimg_rw_rules_free(&rr);
	return 0;
}

static size_t trim_slashes(const char *s)
{
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		n--;
	return n;
}

static int parse_ip(const char *s, uint8_t out[16], int *v6)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*v6 = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*v6 = 1;
		return 0;
	}
	return -1;
}

static int add_path(struct rw_rules *rr, const struct crimg_rewrite_rule *r,
		    struct crimg_error *err)
{
	if (r->from[0] != '/' || r->to[0] != '/')
		return crimg_fail(err, NULL, -1, -1,
				  "--rewrite-path %s=%s: both paths must be absolute", r->from,
				  r->to);
	struct rw_path_rule p = { r->from, r->to, trim_slashes(r->from), trim_slashes(r->to) };
	if (p.from_len == 1)
		p.from_len = 0; /* the root: every absolute path */
	for (size_t i = 0; i < rr->n_path; i++)
		if (rr->path[i].from_len == p.from_len &&
		    !memcmp(rr->path[i].from, p.from, p.from_len))
			return crimg_fail(err, NULL, -1, -1,
					  "--rewrite-path: %s is rewritten twice", r->from);
	rr->path[rr->n_path++] = p;
	return 0;
}

static int add_ip(struct rw_rules *rr, const struct crimg_rewrite_rule *r, struct crimg_error *err)
{
	struct rw_ip_rule ip;
	int v6_to;
	if (parse_ip(r->from, ip.from, &ip.v6) < 0)
		return crimg_fail(err, NULL, -1, -1,
				  "--rewrite-ip: '%s' is not an IPv4 or IPv6 address", r->from);
	if (parse_ip(r->to, ip.to, &v6_to) < 0)
		return crimg_fail(err, NULL, -1, -1,
				  "--rewrite-ip: '%s' is not an IPv4 or IPv6 address", r->to);
	/* a socket cannot change family: that is a different socket */
	if (ip.v6 != v6_to)
		return crimg_fail(err, NULL, -1, -1,
				  "--rewrite-ip %s=%s: both addresses must be IPv4 or both IPv6",
				  r->from, r->to);
	for (size_t i = 0; i < rr->n_ip; i++)
		if (rr->ip[i].v6 == ip.v6 && !memcmp(rr->ip[i].from, ip.from, 16))
			return crimg_fail(err, NULL, -1, -1, "--rewrite-ip: %s is rewritten twice",
					  r->from);
	rr->ip[rr->n_ip++] = ip;
	return 0;
}

int crimg_rw_rules_init(struct rw_rules *rr, const struct crimg_rewrite_rule *rules, size_t n,
			struct crimg_error *err)
{
	memset(rr, 0, sizeof(*rr));
	rr->path = calloc(n ? n : 1, sizeof(*rr->path));
	rr->ip = calloc(n ? n : 1, sizeof(*rr->ip));
	if (!rr->path || !rr->ip) {
		crimg_rw_rules_free(rr);
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const struct crimg_rewrite_rule *r = &rules[i];
		int rc;
		if (!r->from || !r->to)
			rc = crimg_fail(err, NULL, -1, -1, "rewrite rule %zu has no OLD or NEW", i);
		else if (r->kind == CRIMG_RW_PATH)
			rc = add_path(rr, r, err);
		else if (r->kind == CRIMG_RW_IP)
			rc = add_ip(rr, r, err);
		else
			rc = crimg_fail(err, NULL, -1, -1, "rewrite rule %zu: unknown kind %d", i,
					(int)r->kind);
		if (rc < 0) {
			crimg_rw_rules_free(rr);
			return -1;
		}
	}
	return 0;
}

void crimg_rw_rules_free(struct rw_rules *rr)
{
	free(rr->path);
	free(rr->ip);
	rr->path = NULL;
	rr->ip = NULL;
	rr->n_path = rr->n_ip = 0;
}

static int path_matches(const struct rw_path_rule *p, const char *s)
{
	if (p->from_len == 0)
		return 1;
	return !strncmp(s, p->from, p->from_len) &&
		(s[p->from_len] == '\0' || s[p->from_len] == '/');
}

char *crimg_rw_path(const struct rw_rules *rr, const char *s, int *oom)
{
	if (s[0] != '/')
		return NULL; /* relative names are resolved elsewhere */
	const struct rw_path_rule *best = NULL;
	for (size_t i = 0; i < rr->n_path; i++)
		if (path_matches(&rr->path[i], s) &&
		    (!best || rr->path[i].from_len > best->from_len))
			best = &rr->path[i];
	if (!best)
		return NULL;
	const char *rest = s + best->from_len;
	if (best->from_len == 0 && !strcmp(rest, "/"))
		rest = ""; /* the root itself, under the root rule */
	size_t to_len = best->to_len;
	if (rest[0] && to_len == 1)
		to_len = 0; /* NEW is the root: the rest is the path */
	size_t n = to_len + strlen(rest);
	char *out = malloc(n + 1);
	if (!out) {
		*oom = 1;
		return NULL;
	}
	memcpy(out, best->to, to_len);
	strcpy(out + to_len, rest);
	if (!strcmp(out, s)) {
		free(out);
		return NULL;
	}
	return out;
}

int crimg_rw_ip(const struct rw_rules *rr, uint8_t *addr, int v6)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	for (size_t i = 0; i < rr->n_ip; i++) {
		const struct rw_ip_rule *r = &rr->ip[i];
		uint8_t *a = addr;
		size_t len = r->v6 ? 16 : 4;
		if (v6 && !r->v6) {
			if (memcmp(addr, mapped, sizeof(mapped)))
				continue;
			a = addr + 12;
		} else if (!v6 && r->v6) {
			continue;
		}
		if (memcmp(a, r->from, len))
			continue;
		if (!memcmp(r->from, r->to, len))
			return 0;
		memcpy(a, r->to, len);
		return 1;
	}
	return 0;
}
