/* The converters' building blocks: member names, the tree writer's refusals,
 * tar and JSON bundle round trips (base64 padding edges: files of 0 to 7
 * bytes), in a private temporary directory. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/tree_int.h"
#include "unit.h"

static char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *d = malloc(4096);
	snprintf(d, 4096, "%s/crimg-unit-convert.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static char *sub(const char *dir, const char *name)
{
	char *p = malloc(4096);
	snprintf(p, 4096, "%s/%s", dir, name);
	return p;
}

static int clean(const char *in, char *out)
{
	strcpy(out, in);
	return crimg_clean_member(out, "x", NULL);
}

TEST(convert_member_names)
{
	char b[64];
	EXPECT(clean("./a//b/.", b) == 0 && strcmp(b, "a/b") == 0);
	EXPECT(clean("checkpoint/", b) == 0 && strcmp(b, "checkpoint") == 0);
	EXPECT(clean("a/..b", b) == 0 && strcmp(b, "a/..b") == 0);
	EXPECT(clean("./", b) == 1);
	EXPECT(clean(".", b) == 1);
	EXPECT(clean("", b) == 1);
	EXPECT(clean("/etc/passwd", b) == -1);
	EXPECT(clean("..", b) == -1);
	EXPECT(clean("a/../b", b) == -1);
	EXPECT(clean("./../x", b) == -1);
}

static void put(struct crimg_treew *t, const char *name, const char *data, unsigned mode,
		int64_t mtime)
{
	struct crimg_error err;
	int fd = crimg_treew_file(t, name, &err);
	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	EXPECT(write(fd, data, strlen(data)) == (ssize_t)strlen(data));
	EXPECT(crimg_treew_file_done(t, fd, mode, mtime, &err) == 0);
}

TEST(convert_tree_writer_refusals)
{
	char *d = tmpdir();
	EXPECT(d != NULL);
	if (!d)
		return;
	struct crimg_error err;
	struct crimg_treew *t = crimg_treew_new(d, "test", crimg_default_limits.max_dirs, &err);
	EXPECT(t != NULL);
	put(t, "checkpoint/inventory.img", "inv", 0444, 1000); /* parent made on the way */
	EXPECT(crimg_treew_dir(t, "checkpoint", 0555, 2000, &err) == 0); /* after its contents */
	EXPECT(crimg_treew_file(t, "checkpoint/inventory.img", &err) == -1);
	EXPECT(strstr(err.msg, "duplicate member") != NULL);
	EXPECT(crimg_treew_dir(t, "checkpoint/", 0755, 0, &err) == -1);
	EXPECT(crimg_treew_symlink(t, "up", "../x", 0, &err) == -1);
	EXPECT(strstr(err.msg, "points outside the target") != NULL);
	EXPECT(crimg_treew_symlink(t, "abs", "/etc", 0, &err) == -1);
	EXPECT(crimg_treew_symlink(t, "parent", "../previous-dump", 0, &err) == 0);
	EXPECT(crimg_treew_symlink(t, "checkpoint/parent", "../../d", 0, &err) == 0);
	EXPECT(crimg_treew_symlink(t, "a/b/parent", "../../../x", 0, &err) ==
	       -1); /* too deep to be CRIU's */
	EXPECT(crimg_treew_symlink(t, "self", ".", 0, &err) == 0);
	EXPECT(crimg_treew_file(t, "self/evil", &err) == -1);
	EXPECT(strstr(err.msg, "refusing to write through it") != NULL);
	EXPECT(crimg_treew_hardlink(t, "hl", "checkpoint/inventory.img", &err) == 0);
	EXPECT(crimg_treew_hardlink(t, "hl2", "nothing", &err) == -1);
	EXPECT(crimg_treew_hardlink(t, "hl3", "../x", &err) == -1);
	EXPECT(crimg_treew_finish(t, &err) == 0);
	crimg_treew_free(t);

	char *ck = sub(d, "checkpoint");
	struct stat st;
	EXPECT(stat(ck, &st) == 0 && (st.st_mode & 0777) == 0555 && st.st_mtime == 2000);
	char *inv = sub(d, "checkpoint/inventory.img");
	EXPECT(stat(inv, &st) == 0 && (st.st_mode & 0777) == 0444 && st.st_mtime == 1000 &&
	       st.st_nlink == 2);

	/* a chain of symlinks that leaves by "..": refused at the end */
	char *d2 = tmpdir();
	t = crimg_treew_new(d2, "test", crimg_default_limits.max_dirs, &err);
	EXPECT(crimg_treew_symlink(t, "a", ".", 0, &err) == 0);
	EXPECT(crimg_treew_symlink(t, "b", "a/..", 0, &err) == 0);
	EXPECT(crimg_treew_finish(t, &err) == -1);
	EXPECT(strstr(err.msg, "leads outside the target") != NULL);
	crimg_treew_free(t);

	EXPECT(crimg_tree_remove(d, &err) == 0);
	EXPECT(crimg_tree_remove(d2, &err) == 0);
	EXPECT(access(d, F_OK) != 0);
	free(ck);
	free(inv);
	free(d);
	free(d2);
}

/* A small tree with files of 0..7 bytes (every base64 tail), a dir, a symlink. */
static void make_tree(const char *d)
{
	struct crimg_error err;
	struct crimg_treew *t = crimg_treew_new(d, "test", crimg_default_limits.max_dirs, &err);
	char name[32], data[16];
	for (int n = 0; n < 8; n++) {
		snprintf(name, sizeof(name), "sub/f%d", n);
		memcpy(data, "\x01\xff\x80zq\x00\x7f", 8);
		data[n] = '\0';
		int fd = crimg_treew_file(t, name, &err);
		EXPECT(write(fd, "\x01\xff\x80zq\x42\x7f", (size_t)n) == n);
		EXPECT(crimg_treew_file_done(t, fd, 0600 + (unsigned)n, 100 + n, &err) == 0);
	}
	EXPECT(crimg_treew_dir(t, "sub", 0750, 50, &err) == 0);
	EXPECT(crimg_treew_symlink(t, "link", "sub/f3", 60, &err) == 0);
	put(t, "inventory.img", "not really", 0644, 70);
	EXPECT(crimg_treew_finish(t, &err) == 0);
	crimg_treew_free(t);
}

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	if (lstat(a, &x) || lstat(b, &y) || x.st_size != y.st_size ||
	    (x.st_mode & 07777) != (y.st_mode & 07777))
		return 0;
	if (S_ISLNK(x.st_mode))
		return 1;
	if (x.st_mtime != y.st_mtime)
		return 0;
	if (S_ISDIR(x.st_mode))
		return 1;
	char p[64] = { 0 }, q[64] = { 0 };
	int f = open(a, O_RDONLY), g = open(b, O_RDONLY);
	int ok = f >= 0 && g >= 0 && read(f, p, sizeof(p)) == x.st_size &&
		read(g, q, sizeof(q)) == y.st_size && memcmp(p, q, sizeof(p)) == 0;
	close(f);
	close(g);
	return ok;
}

static void expect_same_tree(const char *a, const char *b)
{
	static const char *const names[] = { "sub",    "sub/f0", "sub/f1",       "sub/f2",
					     "sub/f3", "sub/f4", "sub/f5",       "sub/f6",
					     "sub/f7", "link",   "inventory.img" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *x = sub(a, names[i]), *y = sub(b, names[i]);
		int ok = same_file(x, y);
		if (!ok)
			fprintf(stderr, "  differs: %s\n", names[i]);
		EXPECT(ok);
		free(x);
		free(y);
	}
}

TEST(convert_tar_and_bundle_round_trips)
{
	char *d = tmpdir();
	EXPECT(d != NULL);
	if (!d)
		return;
	struct crimg_error err;
	char *src = sub(d, "src");
	mkdir(src, 0700);
	make_tree(src);
	for (int comp = CRIMG_COMP_NONE; comp <= CRIMG_COMP_ZSTD; comp++) {
		char *tar = sub(d, "x.tar"), *out = sub(d, "out");
		int fd = open(tar, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		struct crimg_tarw *w = crimg_tarw_new(fd, tar, (enum crimg_compress)comp, -1, 0,
						      &err);
		EXPECT(w != NULL);
		EXPECT(w && crimg_tarw_tree(w, src, NULL, &err) == 0);
		EXPECT(w && crimg_tarw_finish(w, &err) == 0);
		crimg_tarw_free(w);
		close(fd);
		mkdir(out, 0700);
		EXPECT(crimg_tar_extract(tar, out, NULL, &err) == 0);
		expect_same_tree(src, out);
		crimg_tree_remove(out, &err);
		free(tar);
		free(out);
	}
	char *json = sub(d, "b.json"), *out = sub(d, "from-json");
	int fd = open(json, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	EXPECT(crimg_bundle_write(src, fd, json, NULL, NULL, &err) == 0);
	close(fd);
	mkdir(out, 0700);
	EXPECT(crimg_bundle_read(json, out, NULL, NULL, &err) == 0);
	expect_same_tree(src, out);
	EXPECT(crimg_tree_remove(d, &err) == 0);
	free(json);
	free(out);
	free(src);
	free(d);
}
