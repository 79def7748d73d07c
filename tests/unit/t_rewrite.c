/* Rewrite rules (paths, addresses) and the safety checks of crimg_rewrite_dir. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/rewrite_int.h"
#include "unit.h"

/* Applies "OLD=NEW" path rules (NULL-terminated) to s; "" when unchanged. */
static const char *rw(const char *s, const char *const *rules)
{
	static char out[256];
	struct crimg_rewrite_rule r[8];
	char args[8][128];
	size_t n = 0;
	struct crimg_error err;
	for (; rules[n]; n++) {
		snprintf(args[n], sizeof(args[n]), "%s", rules[n]);
		if (crimg_rewrite_rule_parse(args[n], CRIMG_RW_PATH, &r[n], &err) < 0)
			return "(bad rule)";
	}
	struct rw_rules rr;
	if (crimg_rw_rules_init(&rr, r, n, &err) < 0)
		return "(bad rules)";
	int oom = 0;
	char *p = crimg_rw_path(&rr, s, &oom);
	snprintf(out, sizeof(out), "%s", p ? p : "");
	free(p);
	crimg_rw_rules_free(&rr);
	return out;
}

TEST(rewrite_path_prefix_at_slash)
{
	const char *const r[] = { "/srv/a=/data/b", NULL };
	EXPECT_STR(rw("/srv/a", r), "/data/b");
	EXPECT_STR(rw("/srv/a/x/y", r), "/data/b/x/y");
	EXPECT_STR(rw("/srv/ab", r), ""); /* not at a '/' boundary */
	EXPECT_STR(rw("/srv", r), "");
	EXPECT_STR(rw("srv/a", r), ""); /* relative: never */
	EXPECT_STR(rw("/srv/a/", r), "/data/b/");
}

TEST(rewrite_path_trailing_slashes_and_root)
{
	const char *const r1[] = { "/srv/a/=/data/b/", NULL };
	EXPECT_STR(rw("/srv/a/x", r1), "/data/b/x");
	EXPECT_STR(rw("/srv/a", r1), "/data/b");
	const char *const r2[] = { "/=/new", NULL };
	EXPECT_STR(rw("/", r2), "/new");
	EXPECT_STR(rw("/x/y", r2), "/new/x/y");
	const char *const r3[] = { "/old=/", NULL };
	EXPECT_STR(rw("/old", r3), "/");
	EXPECT_STR(rw("/old/x", r3), "/x");
	const char *const r4[] = { "/same=/same/", NULL };
	EXPECT_STR(rw("/same/x", r4), ""); /* no change is not a change */
}

TEST(rewrite_path_longest_wins_no_chaining)
{
	const char *const r[] = { "/a=/b", "/a/deep=/elsewhere", "/b=/c", NULL };
	EXPECT_STR(rw("/a/x", r), "/b/x"); /* and not then /c/x */
	EXPECT_STR(rw("/a/deep/x", r), "/elsewhere/x");
	EXPECT_STR(rw("/a/deeper", r), "/b/deeper");
	EXPECT_STR(rw("/b", r), "/c");
}

static int parse(const char *arg, enum crimg_rewrite_kind k, struct crimg_rewrite_rule *r,
		 char *buf, size_t n)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	snprintf(buf, n, "%s", arg);
	return crimg_rewrite_rule_parse(buf, k, r, &err);
}

TEST(rewrite_rule_parse)
{
	struct crimg_rewrite_rule r;
	char b[128];
	EXPECT(parse("/a=/b", CRIMG_RW_PATH, &r, b, sizeof(b)) == 0);
	EXPECT_STR(r.from, "/a");
	EXPECT_STR(r.to, "/b");
	EXPECT(parse("/x=y=/z", CRIMG_RW_PATH, &r, b, sizeof(b)) == 0); /* '=' in OLD */
	EXPECT_STR(r.from, "/x=y");
	EXPECT_STR(r.to, "/z");
	EXPECT(parse("/a=b", CRIMG_RW_PATH, &r, b, sizeof(b)) < 0);
	EXPECT(parse("a=/b", CRIMG_RW_PATH, &r, b, sizeof(b)) < 0);
	EXPECT(parse("/a", CRIMG_RW_PATH, &r, b, sizeof(b)) < 0);
	EXPECT(parse("=/b", CRIMG_RW_PATH, &r, b, sizeof(b)) < 0);
	EXPECT(parse("10.0.0.1=10.0.0.2", CRIMG_RW_IP, &r, b, sizeof(b)) == 0);
	EXPECT(parse("fe80::1=2001:db8::7", CRIMG_RW_IP, &r, b, sizeof(b)) == 0);
	EXPECT(parse("10.0.0.1=::1", CRIMG_RW_IP, &r, b, sizeof(b)) < 0); /* families */
	EXPECT(parse("10.0.0.1=host", CRIMG_RW_IP, &r, b, sizeof(b)) < 0);
	EXPECT(parse("10.0.0.256=10.0.0.1", CRIMG_RW_IP, &r, b, sizeof(b)) < 0);
	EXPECT(parse("10.0.0.1", CRIMG_RW_IP, &r, b, sizeof(b)) < 0);
}

TEST(rewrite_rules_same_old_twice)
{
	struct crimg_rewrite_rule r[2] = { { CRIMG_RW_PATH, "/a", "/b" },
					   { CRIMG_RW_PATH, "/a/", "/c" } };
	struct rw_rules rr;
	struct crimg_error err;
	EXPECT(crimg_rw_rules_init(&rr, r, 2, &err) < 0);
	EXPECT(strstr(err.msg, "twice") != NULL);
	struct crimg_rewrite_rule i[2] = { { CRIMG_RW_IP, "::1", "::2" },
					   { CRIMG_RW_IP, "0::1", "::3" } };
	EXPECT(crimg_rw_rules_init(&rr, i, 2, &err) < 0);
}

TEST(rewrite_ip_exact_and_mapped)
{
	struct crimg_rewrite_rule r[2] = { { CRIMG_RW_IP, "127.0.0.1", "10.1.2.3" },
					   { CRIMG_RW_IP, "::1", "fd00::7" } };
	struct rw_rules rr;
	struct crimg_error err;
	EXPECT(crimg_rw_rules_init(&rr, r, 2, &err) == 0);
	uint8_t a[16] = { 127, 0, 0, 1 };
	EXPECT(crimg_rw_ip(&rr, a, 0) == 1);
	EXPECT(a[0] == 10 && a[1] == 1 && a[2] == 2 && a[3] == 3);
	uint8_t b[16] = { 127, 0, 0, 2 };
	EXPECT(crimg_rw_ip(&rr, b, 0) == 0);
	uint8_t v6[16];
	inet_pton(AF_INET6, "::1", v6);
	EXPECT(crimg_rw_ip(&rr, v6, 1) == 1);
	char s[64];
	EXPECT_STR(inet_ntop(AF_INET6, v6, s, sizeof(s)), "fd00::7");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", v6); /* an IPv4 peer of an IPv6 socket */
	EXPECT(crimg_rw_ip(&rr, v6, 1) == 1);
	EXPECT_STR(inet_ntop(AF_INET6, v6, s, sizeof(s)), "::ffff:10.1.2.3");
	inet_pton(AF_INET6, "::7f00:1", v6); /* not mapped: left alone */
	EXPECT(crimg_rw_ip(&rr, v6, 1) == 0);
	crimg_rw_rules_free(&rr);
}

/* ---- crimg_rewrite_dir on images written here ---- */

static char *mkdir_tmp(void)
{
	const char *t = getenv("TMPDIR");
	char *d = malloc(256);
	snprintf(d, 256, "%s/crimg-unit-rw.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static void put_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, p, n) != (ssize_t)n)
			EXPECT(!"short write");
		close(fd);
	}
}

static int same_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	uint8_t buf[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	ssize_t k = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	return k == (ssize_t)n && !memcmp(buf, p, n);
}

static void rm_dir(char *dir, const char *const *names)
{
	char path[512];
	for (; *names; names++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *names);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

/* files.img, little-endian, one entry: file_entry{type REG, id 1, reg{... name "/a/x"}} */
static const uint8_t reg_entry[] = {
	0x08, 0x01, 0x10, 0x00, 0x18, 0x00,                                     /* id, flags, pos */
	0x2a, 0x0a, 0x08, 0x00, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x28, 0x00, /* fown */
	0x32, 0x04, '/',  'a',  '/',  'x',                                      /* name */
};

static size_t files_img(uint8_t *out, int canonical)
{
	static const uint8_t head[] = { 0x19, 0x43, 0x56, 0x54, 0x38, 0x31, 0x30, 0x56 };
	size_t n = 0;
	memcpy(out, head, sizeof(head));
	n += sizeof(head);
	uint32_t size = 6 + sizeof(reg_entry);
	memcpy(out + n, &size, 4); /* the unit tests run on little-endian hosts */
	n += 4;
	const uint8_t type[] = { 0x08, 0x01 }, id[] = { 0x10, 0x01 };
	memcpy(out + n, canonical ? type : id, 2);
	memcpy(out + n + 2, canonical ? id : type, 2);
	n += 4;
	out[n++] = 0x1a;
	out[n++] = sizeof(reg_entry);
	memcpy(out + n, reg_entry, sizeof(reg_entry));
	return n + sizeof(reg_entry);
}

struct seen {
	int n;
	char last[256];
};

static void count_cb(void *arg, const char *image, size_t entry, const char *field,
		     const char *before, const char *after)
{
	struct seen *s = arg;
	s->n++;
	snprintf(s->last, sizeof(s->last), "%s[%zu].%s %s -> %s", image, entry, field, before,
		 after);
}

TEST(rewrite_dir_changes_one_field)
{
	if (crimg_host_byte_order() != CRIMG_LITTLE_ENDIAN)
		return;
	char *d = mkdir_tmp();
	EXPECT(d != NULL);
	if (!d)
		return;
	uint8_t img[128];
	size_t n = files_img(img, 1);
	put_file(d, "inventory.img", "", 0);
	put_file(d, "files.img", img, n);
	struct crimg_rewrite_rule r = { CRIMG_RW_PATH, "/a", "/bb" };
	struct crimg_error err;
	struct seen s = { 0 };
	crimg_error_clear(&err);
	EXPECT(crimg_rewrite_dir(d, &r, 1, NULL, count_cb, &s, &err) == 1);
	EXPECT(s.n == 1);
	EXPECT_STR(s.last, "files.img[0].reg.name /a/x -> /bb/x");
	/* the same image with the name one byte longer: two sizes grow by one */
	uint8_t want[128];
	memcpy(want, img, n);
	want[8] += 1;     /* entry size */
	want[17] += 1;    /* reg's length */
	want[n - 5] += 1; /* name's length */
	memcpy(want + n - 4, "/bb/x", 5);
	EXPECT(same_file(d, "files.img", want, n + 1));
	/* nothing matches: nothing written (the very same file), the count is 0 */
	char path[512], link2[512];
	struct stat a, b;
	snprintf(path, sizeof(path), "%s/files.img", d);
	EXPECT(stat(path, &a) == 0);
	struct crimg_rewrite_rule none = { CRIMG_RW_PATH, "/zz", "/a" };
	EXPECT(crimg_rewrite_dir(d, &none, 1, NULL, count_cb, &s, &err) == 0);
	EXPECT(same_file(d, "files.img", want, n + 1));
	EXPECT(stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_mtime == b.st_mtime);
	/* a hard link to the image (a staging copy's) keeps the old contents */
	snprintf(link2, sizeof(link2), "%s/linked.bin", d);
	EXPECT(link(path, link2) == 0);
	struct crimg_rewrite_rule back = { CRIMG_RW_PATH, "/bb", "/a" };
	EXPECT(crimg_rewrite_dir(d, &back, 1, NULL, NULL, NULL, &err) == 1);
	EXPECT(same_file(d, "files.img", img, n));
	EXPECT(same_file(d, "linked.bin", want, n + 1));
	const char *const names[] = { "inventory.img", "files.img", "linked.bin", NULL };
	rm_dir(d, names);
}

TEST(rewrite_dir_refuses_what_would_not_pack_back)
{
	if (crimg_host_byte_order() != CRIMG_LITTLE_ENDIAN)
		return;
	char *d = mkdir_tmp();
	EXPECT(d != NULL);
	if (!d)
		return;
	uint8_t img[128];
	size_t n = files_img(img, 0); /* id before type: protobuf-c would reorder */
	put_file(d, "inventory.img", "", 0);
	put_file(d, "files.img", img, n);
	struct crimg_rewrite_rule r = { CRIMG_RW_PATH, "/a", "/bb" };
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_rewrite_dir(d, &r, 1, NULL, NULL, NULL, &err) == -1);
	EXPECT(strstr(err.msg, "does not pack back") != NULL);
	EXPECT(err.entry == 0);
	EXPECT(same_file(d, "files.img", img, n));
	const char *const names[] = { "inventory.img", "files.img", NULL };
	rm_dir(d, names);
}

TEST(rewrite_dir_needs_a_checkpoint)
{
	char *d = mkdir_tmp();
	EXPECT(d != NULL);
	if (!d)
		return;
	struct crimg_rewrite_rule r = { CRIMG_RW_PATH, "/a", "/bb" };
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_rewrite_dir(d, &r, 1, NULL, NULL, NULL, &err) == -1);
	EXPECT(strstr(err.msg, "no inventory.img") != NULL);
	struct crimg_rewrite_rule bad = { CRIMG_RW_PATH, "a", "/bb" };
	put_file(d, "inventory.img", "", 0);
	EXPECT(crimg_rewrite_dir(d, &bad, 1, NULL, NULL, NULL, &err) == -1);
	EXPECT(strstr(err.msg, "absolute") != NULL);
	const char *const names[] = { "inventory.img", NULL };
	rm_dir(d, names);
}
