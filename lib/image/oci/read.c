/*
 * An OCI image (layout directory or oci-archive) back to the checkpoint
 * tree it holds.  Nothing from the image is trusted: every descriptor on
 * the way from index.json to the layer is checked (digest algorithm and
 * form, size, the bytes' SHA-256, media type) before the layer is
 * unpacked, blobs are opened without following symlinks, the layer must
 * be a tar, gzip or zstd stream, its uncompressed digest must be the
 * config's diff_id, and its members are extracted by the safe extractor
 * (no absolute names, no "..", nothing through a symlink).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/archive_int.h"
#include "oci/oci_int.h"

/* Error context: which image, and which blob of it; where its files are. */
struct rd {
	const char *src;       /* as the user named it */
	int layout;            /* directory fd of the layout, or -1 and: */
	struct crimg_arc *arc; /* the members of an oci-archive */
	int blobs;             /* blobs/sha256 of the layout directory */
	const struct crimg_limits *lim;
	const char *ref; /* the image asked for by ref name, or NULL */
	struct crimg_error *err;
};

#define FAIL(r, ...) crimg_fail((r)->err, (r)->src, -1, -1, __VA_ARGS__)

/* A file of the layout: a region of a file (fd ours to close when owned) or of memory. */
struct blob {
	struct arc_src at;
	int owned;
};

static void blob_close(struct blob *b)
{
	if (b->owned && b->at.fd >= 0)
		close(b->at.fd);
	b->owned = 0;
	b->at.fd = -1;
}

/* The first n bytes of b (n <= its length). */
static int blob_read(const struct blob *b, void *buf, size_t n)
{
	if (b->at.mem) {
		memcpy(buf, b->at.mem, n);
		return 0;
	}
	return arc_pread_all(b->at.fd, buf, n, b->at.base);
}

/* The SHA-256 of all of b. */
static int blob_hash(struct rd *r, const struct blob *b, char digest[CRIMG_SHA256_DIGEST_STR])
{
	struct crimg_sha256 s;
	crimg_sha256_init(&s);
	if (b->at.mem) {
		crimg_sha256_update(&s, b->at.mem, (size_t)b->at.len);
	} else {
		enum {
			BUF = 1 << 17
		};
		uint8_t *buf = malloc(BUF);
		if (!buf)
			return FAIL(r, "out of memory");
		for (uint64_t done = 0; done < b->at.len;) {
			size_t n = b->at.len - done < BUF ? (size_t)(b->at.len - done) : BUF;
			if (arc_pread_all(b->at.fd, buf, n, b->at.base + done) < 0) {
				int e = errno;
				free(buf);
				return crimg_fail(r->err, r->src, (int64_t)done, -1, "%s",
						  strerror(e));
			}
			crimg_sha256_update(&s, buf, n);
			done += n;
		}
		free(buf);
	}
	uint8_t md[CRIMG_SHA256_LEN];
	crimg_sha256_final(&s, md);
	crimg_sha256_digest_str(md, digest);
	return 0;
}

/* ---- detection ---- */

/* Members an oci-archive holds: anything else means it is some other tar. */
static int layout_member(const char *p, int *seen)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (!strcmp(p, "oci-layout"))
		*seen |= 1;
	else if (!strcmp(p, "index.json"))
		*seen |= 2;
	else if (*p && strcmp(p, ".") && strncmp(p, "blobs", 5) && strcmp(p, "manifest.json"))
		return 0;
	return 1;
}

int crimg_oci_detect(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			return 0;
		int ok = fstatat(dir, "oci-layout", &st, 0) == 0 && S_ISREG(st.st_mode) &&
			fstatat(dir, "index.json", &st, 0) == 0 && S_ISREG(st.st_mode);
		close(dir);
		return ok ? 1 : 0;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	struct crimg_la la;
	if (crimg_la_open(&la, NULL) < 0)
		return 0;
	struct archive *a = la.archive_read_new();
	struct archive_entry *e = la.archive_entry_new(); /* our own: larchive.h */
	int seen = 0;
	if (a && e) {
		/* short of memory, it is no oci-archive here; opened as a
		 * checkpoint archive, an oci-archive is still known
		 * (holds_oci_layout) */
		la.archive_read_support_filter_gzip(a);
		la.archive_read_support_filter_zstd(a);
		la.archive_read_support_filter_none(a);
		la.archive_read_support_format_tar(a);
		/* stops at the first member a layout does not have, so a big
		 * checkpoint archive is not read through.  Through our own
		 * reader: archive_read_open_filename leaks its file record when
		 * memory runs out (libarchive 3.6) */
		struct arc_reader rd = { .src = { .fd = open(path, O_RDONLY | O_CLOEXEC),
						  .len = (uint64_t)st.st_size } };
		if (rd.src.fd >= 0 && arc_reader_open(&la, a, &rd) == 0)
			while (seen != 3 && la.archive_read_next_header2(a, e) == ARCHIVE_OK &&
			       layout_member(la.archive_entry_pathname(e), &seen))
				;
		la.archive_read_free(a);
		a = NULL;
		arc_reader_free(&rd);
		if (rd.src.fd >= 0)
			close(rd.src.fd);
	}
	if (a)
		la.archive_read_free(a);
	if (e)
		la.archive_entry_free(e);
	crimg_la_close(&la);
	return seen == 3 ? 2 : 0;
}

/* ---- blobs ---- */

/* Checks a descriptor's form; fills digest and size. */
static int desc_fields(struct rd *r, const json_t *d, const char *what, const char **digest,
		       uint64_t *size)
{
	if (!json_is_object(d))
		return FAIL(r, "%s: descriptor is not an object", what);
	const json_t *dg = json_object_get(d, "digest"), *sz = json_object_get(d, "size");
	if (!json_is_string(dg))
		return FAIL(r, "%s: descriptor has no digest", what);
	*digest = json_string_value(dg);
	if (strncmp(*digest, "sha256:", 7))
		return FAIL(r, "%s: digest %.80s: only sha256 digests are supported", what,
			    *digest);
	if (!oci_digest_valid(*digest))
		return FAIL(r, "%s: digest %.80s is not sha256: and 64 lowercase hex digits", what,
			    *digest);
	if (!json_is_integer(sz) || json_integer_value(sz) < 0)
		return FAIL(r, "%s: blob %s: descriptor has no valid size", what, *digest);
	*size = (uint64_t)json_integer_value(sz);
	return 0;
}

static const char *media_type(const json_t *obj)
{
	return json_string_value(json_object_get(obj, "mediaType"));
}

/* Opens blobs/sha256/HEX and checks that it is a regular file of the size
 * the descriptor gives. */
static int blob_open(struct rd *r, const char *what, const char *digest, uint64_t size,
		     struct blob *b)
{
	memset(b, 0, sizeof(*b));
	b->at.fd = -1;
	uint64_t have;
	if (r->arc) {
		char name[96];
		snprintf(name, sizeof(name), "blobs/sha256/%s", digest + 7);
		struct arc_member *m = crimg_arc_find(r->arc, name);
		if (!m)
			return FAIL(r, "%s: blob %s: not in the archive", what, digest);
		if (m->size == size && crimg_arc_locate(r->arc, m, &b->at, r->err) < 0)
			return -1;
		have = m->size;
	} else {
		int fd = openat(r->blobs, digest + 7, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return FAIL(r, "%s: blob %s: %s", what, digest,
				    errno == ELOOP ? "is a symlink" : strerror(errno));
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			return FAIL(r, "%s: blob %s: not a regular file", what, digest);
		}
		b->at = (struct arc_src){ .fd = fd, .len = (uint64_t)st.st_size };
		b->owned = 1;
		have = (uint64_t)st.st_size;
	}
	if (have != size) {
		blob_close(b);
		return FAIL(r, "%s: blob %s is %s: %llu bytes, the descriptor says %llu", what,
			    digest, have < size ? "truncated" : "too long",
			    (unsigned long long)have, (unsigned long long)size);
	}
	return 0;
}

static int digest_check(struct rd *r, const char *what, const char *want, const char *got)
{
	if (strcmp(want, got))
		return FAIL(r, "%s: blob %s: wrong digest: its content hashes to %s", what, want,
			    got);
	return 0;
}

/* A JSON blob (index, manifest, config): verified, parsed, an object. */
static json_t *json_blob(struct rd *r, const json_t *desc, const char *what)
{
	const char *digest;
	uint64_t size;
	if (desc_fields(r, desc, what, &digest, &size) < 0)
		return NULL;
	if (size > r->lim->max_json) {
		FAIL(r,
		     "%s: blob %s: %llu bytes is more than the limit of %llu for a JSON file read whole" CRIMG_LIMIT_HINT(
			     "json"),
		     what, digest, (unsigned long long)size, (unsigned long long)r->lim->max_json);
		return NULL;
	}
	struct blob b;
	if (blob_open(r, what, digest, size, &b) < 0)
		return NULL;
	char *buf = malloc(size + 1);
	int bad = !buf || blob_read(&b, buf, size) < 0;
	blob_close(&b);
	if (bad) {
		FAIL(r, "%s: blob %s: %s", what, digest, buf ? "short read" : "out of memory");
		free(buf);
		return NULL;
	}
	char hash[CRIMG_SHA256_DIGEST_STR];
	crimg_sha256_mem(buf, size, hash);
	json_t *v = NULL;
	json_error_t je;
	if (digest_check(r, what, digest, hash) == 0 && !(v = json_loadb(buf, size, 0, &je)))
		FAIL(r, "%s: blob %s: line %d column %d: %s", what, digest, je.line, je.column,
		     je.text);
	free(buf);
	if (v && !json_is_object(v)) {
		json_decref(v);
		FAIL(r, "%s: blob %s: not a JSON object", what, digest);
		return NULL;
	}
	return v;
}

/* A small file of the layout itself (oci-layout, index.json). */
static json_t *layout_json(struct rd *r, const char *name)
{
	json_error_t je;
	json_t *v = NULL;
	if (r->arc) {
		struct arc_member *m = crimg_arc_find(r->arc, name);
		struct arc_src at;
		char *buf = NULL;
		if (!m) {
			FAIL(r, "%s: not in the archive", name);
			return NULL;
		}
		if (m->size > r->lim->max_json) {
			FAIL(r,
			     "%s: %llu bytes is more than the limit of %llu for a JSON file read whole" CRIMG_LIMIT_HINT(
				     "json"),
			     name, (unsigned long long)m->size,
			     (unsigned long long)r->lim->max_json);
			return NULL;
		}
		if (crimg_arc_locate(r->arc, m, &at, r->err) < 0)
			return NULL;
		struct blob b = { .at = at };
		if (!(buf = malloc(m->size + 1)) || blob_read(&b, buf, m->size) < 0) {
			FAIL(r, "%s: %s", name, buf ? "short read" : "out of memory");
			free(buf);
			return NULL;
		}
		v = json_loadb(buf, m->size, 0, &je);
		free(buf);
	} else {
		int fd = openat(r->layout, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			FAIL(r, "%s: %s", name, strerror(errno));
			return NULL;
		}
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			FAIL(r, "%s: not a regular file", name);
			return NULL;
		}
		if ((uint64_t)st.st_size > r->lim->max_json) {
			close(fd);
			FAIL(r,
			     "%s: %lld bytes is more than the limit of %llu for a JSON file read whole" CRIMG_LIMIT_HINT(
				     "json"),
			     name, (long long)st.st_size, (unsigned long long)r->lim->max_json);
			return NULL;
		}
		v = json_loadfd(fd, 0, &je);
		close(fd);
	}
	if (!v)
		FAIL(r, "%s: line %d column %d: %s", name, je.line, je.column, je.text);
	else if (!json_is_object(v)) {
		json_decref(v);
		v = NULL;
		FAIL(r, "%s: not a JSON object", name);
	}
	return v;
}

/* ---- from index.json to the layer ---- */

static int is_manifest_type(const char *t)
{
	return t &&
		(!strcmp(t, OCI_MT_MANIFEST) ||
		 !strcmp(t, "application/vnd.docker.distribution.manifest.v2+json"));
}

static int is_index_type(const char *t)
{
	return t &&
		(!strcmp(t, OCI_MT_INDEX) ||
		 !strcmp(t, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

static const char *ref_name_of(const json_t *desc)
{
	return json_string_value(
		json_object_get(json_object_get(desc, "annotations"), OCI_ANN_REF_NAME));
}

/* "v1, v2, (unnamed)": the images of index.json, for an error message. */
static void list_refs(const json_t *ms, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(ms) && at < len; i++) {
		const char *n = ref_name_of(json_array_get(ms, i));
		int k = snprintf(buf + at, len - at, "%s%.100s", i ? ", " : "",
				 n ? n : "(unnamed)");
		if (k < 0 || (size_t)k >= len - at) {
			if (len > 4)
				strcpy(buf + len - 4, "...");
			return;
		}
		at += (size_t)k;
	}
}

/*
 * The descriptor of index.json that r->ref names (the first, as skopeo
 * takes it), or its only one when no ref was given.
 */
static const json_t *pick_image(struct rd *r, const json_t *ms, const char *what)
{
	char names[512];
	if (r->ref) {
		for (size_t i = 0; i < json_array_size(ms); i++) {
			const char *n = ref_name_of(json_array_get(ms, i));
			if (n && strcmp(n, r->ref) == 0)
				return json_array_get(ms, i);
		}
		list_refs(ms, names, sizeof(names));
		FAIL(r, "%s: no image named '%s' (%s); it holds: %s", what, r->ref,
		     OCI_ANN_REF_NAME, names);
		return NULL;
	}
	if (json_array_size(ms) > 1) {
		list_refs(ms, names, sizeof(names));
		FAIL(r,
		     "%s: holds %zu images (%s): name one as oci:DIR:REF or oci-archive:FILE:REF",
		     what, json_array_size(ms), names);
		return NULL;
	}
	return json_array_get(ms, 0);
}

/* The image an index names: its manifest, verified and parsed.  At the
 * top, the one picked by ref name; nested indexes (a manifest list) are
 * followed a few levels and must hold one image. */
static json_t *find_manifest(struct rd *r, const json_t *index, const char *what, int depth)
{
	const json_t *ms = json_object_get(index, "manifests");
	if (!json_is_array(ms) || json_array_size(ms) == 0) {
		FAIL(r, "%s: no manifests", what);
		return NULL;
	}
	if (depth > 0 && json_array_size(ms) > 1) {
		FAIL(r, "%s: lists %zu images; a checkpoint image has one", what,
		     json_array_size(ms));
		return NULL;
	}
	const json_t *d = depth ? json_array_get(ms, 0) : pick_image(r, ms, what);
	if (!d)
		return NULL;
	const char *t = media_type(d);
	if (is_index_type(t)) {
		if (depth >= 4) {
			FAIL(r, "%s: indexes nested too deep", what);
			return NULL;
		}
		json_t *sub = json_blob(r, d, "image index");
		json_t *m = sub ? find_manifest(r, sub, "image index", depth + 1) : NULL;
		json_decref(sub);
		return m;
	}
	if (!is_manifest_type(t)) {
		FAIL(r, "%s: manifest media type %.100s is not an image manifest", what,
		     t ? t : "(none)");
		return NULL;
	}
	json_t *m = json_blob(r, d, "manifest");
	if (!m)
		return NULL;
	const json_t *sv = json_object_get(m, "schemaVersion");
	if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
		json_decref(m);
		FAIL(r, "manifest: schemaVersion is not 2");
		return NULL;
	}
	return m;
}

enum layer_comp {
	L_TAR,
	L_GZIP,
	L_ZSTD
};

static int layer_type(struct rd *r, const char *t, const char *digest, enum layer_comp *c)
{
	static const struct {
		const char *type;
		enum layer_comp c;
	} types[] = {
		{ OCI_MT_LAYER, L_TAR },
		{ OCI_MT_LAYER_GZIP, L_GZIP },
		{ OCI_MT_LAYER_ZSTD, L_ZSTD },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", L_TAR },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", L_GZIP },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", L_ZSTD },
		{ "application/vnd.docker.image.rootfs.diff.tar", L_TAR },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", L_GZIP },
		{ "application/vnd.docker.image.rootfs.diff.tar.zstd", L_ZSTD },
	};
	for (size_t i = 0; t && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(t, types[i].type)) {
			*c = types[i].c;
			return 0;
		}
	return FAIL(r, "layer: blob %s: media type %.100s is not a tar, tar+gzip or tar+zstd layer",
		    digest, t ? t : "(none)");
}

/* What the first bytes of the layer are, whatever the manifest says. */
static int sniff(const uint8_t *p, size_t n, enum layer_comp *c)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		*c = L_GZIP;
	else if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		*c = L_ZSTD;
	else if (n >= 512 && !memcmp(p + 257, "ustar", 5))
		*c = L_TAR;
	else
		return -1;
	return 0;
}

static const char *const comp_word[] = { "tar", "gzip", "zstd" };

/* Hashes the layer blob, checking that it is what its media type says. */
static int layer_check(struct rd *r, const struct blob *b, const char *digest, enum layer_comp want)
{
	uint8_t head[512];
	size_t n = b->at.len < sizeof(head) ? (size_t)b->at.len : sizeof(head);
	enum layer_comp got;
	if (blob_read(b, head, n) < 0 || sniff(head, n, &got) < 0)
		return FAIL(r, "layer: blob %s: not a tar, gzip or zstd stream", digest);
	if (got != want)
		return FAIL(r, "layer: blob %s: is %s data, the manifest says %s", digest,
			    comp_word[got], comp_word[want]);
	char hash[CRIMG_SHA256_DIGEST_STR];
	if (blob_hash(r, b, hash) < 0)
		return -1;
	return digest_check(r, "layer", digest, hash);
}

/* The digest of the layer uncompressed: libarchive's raw reader undoes
 * gzip or zstd and hands the stream over as it is. */
static int diff_id_of(struct rd *r, const struct blob *b, const char *digest,
		      char out[CRIMG_SHA256_DIGEST_STR])
{
	struct arc_reader rd = { .src = b->at };
	struct crimg_la la;
	if (crimg_la_open(&la, r->err) < 0)
		return -1;
	struct archive *a = la.archive_read_new();
	struct archive_entry *e = la.archive_entry_new(); /* our own: larchive.h */
	int rc = a && e ? 0 : FAIL(r, "out of memory");
	if (rc == 0 &&
	    (la.archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
	     la.archive_read_support_filter_zstd(a) < ARCHIVE_WARN ||
	     la.archive_read_support_format_raw(a) < ARCHIVE_WARN))
		rc = FAIL(r, "out of memory");
	if (rc == 0) {
		if (arc_reader_open(&la, a, &rd) < 0 ||
		    la.archive_read_next_header2(a, e) != ARCHIVE_OK)
			rc = FAIL(r, "layer: blob %s: %s", digest, la.archive_error_string(a));
	}
	struct crimg_sha256 s;
	crimg_sha256_init(&s);
	uint8_t *buf = rc == 0 ? malloc(1 << 17) : NULL;
	if (rc == 0 && !buf)
		rc = FAIL(r, "out of memory");
	/* the layer is uncompressed here only to be hashed, but a bomb would
	 * still take for ever: the archive limits hold as for its extraction */
	uint64_t total = 0;
	char what[96];
	snprintf(what, sizeof(what), "layer %.80s", digest);
	while (rc == 0) {
		la_ssize_t n = la.archive_read_data(a, buf, 1 << 17);
		if (n < 0)
			rc = FAIL(r, "layer: blob %s: %s", digest, la.archive_error_string(a));
		if (n <= 0)
			break;
		total += (uint64_t)n;
		if (crimg_limit_unpack(r->lim, r->src, what, total, total,
				       la.archive_filter_bytes(a, -1), r->err) < 0)
			rc = -1;
		else
			crimg_sha256_update(&s, buf, (size_t)n);
	}
	free(buf);
	if (a)
		la.archive_read_free(a);
	if (e)
		la.archive_entry_free(e);
	arc_reader_free(&rd);
	crimg_la_close(&la);
	uint8_t md[CRIMG_SHA256_LEN];
	crimg_sha256_final(&s, md);
	crimg_sha256_digest_str(md, out);
	return rc;
}

/* ---- the tree ---- */

/* Moves the entries of dir/sub up into dir and removes sub. */
static int move_up(struct rd *r, int dir, const char *dstdir, const char *sub)
{
	struct stat st;
	int fd = openat(dir, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = NULL;
	/* a directory made read-only by the tree it came from */
	if (fd < 0 || fstat(fd, &st) < 0 || fchmod(fd, (st.st_mode & 07777) | 0700) < 0 ||
	    !(d = fdopendir(fd))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return FAIL(r, "%s: %s", dstdir, strerror(e));
	}
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    renameat(dirfd(d), de->d_name, dir, de->d_name) < 0)
			rc = FAIL(r, "%s: %s: %s", dstdir, de->d_name, strerror(errno));
	closedir(d);
	if (rc == 0 && unlinkat(dir, sub, AT_REMOVEDIR) < 0)
		rc = FAIL(r, "%s: %s", dstdir, strerror(errno));
	return rc;
}

/* A layer that held a bare CRIU dump (checkpoint/ and nothing else) gives
 * back the dump itself: checkpoint/'s entries move up one level. */
static int unwrap_bare(struct rd *r, int dir, const char *dstdir)
{
	DIR *d = fdopendir(dup(dir));
	int only_ckpt = d != NULL, n = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (strcmp(de->d_name, "checkpoint"))
			only_ckpt = 0;
	}
	if (d)
		closedir(d);
	struct stat st;
	if (!only_ckpt || n != 1 || fstatat(dir, "checkpoint", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode))
		return 0;
	/* out of the way first: the dump may hold a "checkpoint" of its own
	 * (any other name is free: checkpoint/ is all there is) */
	if (renameat(dir, "checkpoint", dir, ".crimg-checkpoint") < 0)
		return FAIL(r, "%s: %s", dstdir, strerror(errno));
	return move_up(r, dir, dstdir, ".crimg-checkpoint");
}

/* Verifies the layout, from oci-layout to the layer: the layer blob is
 * left open in *layer, its digest in layer_digest. */
static int verify_layout(struct rd *r, struct blob *layer,
			 char layer_digest[CRIMG_SHA256_DIGEST_STR])
{
	memset(layer, 0, sizeof(*layer));
	layer->at.fd = -1;
	json_t *lay = layout_json(r, "oci-layout");
	if (!lay)
		return -1;
	const char *ver = json_string_value(json_object_get(lay, "imageLayoutVersion"));
	if (!ver || strncmp(ver, "1.", 2)) {
		FAIL(r, "oci-layout: imageLayoutVersion %.40s is not 1.x", ver ? ver : "(none)");
		json_decref(lay);
		return -1;
	}
	json_decref(lay);
	if (!r->arc) {
		int bl = openat(r->layout, "blobs",
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r->blobs = bl < 0
			? -1
			: openat(bl, "sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (bl >= 0)
			close(bl);
		if (r->blobs < 0)
			return FAIL(r, "blobs/sha256: %s", strerror(errno));
	}

	json_t *index = layout_json(r, "index.json");
	json_t *man = index ? find_manifest(r, index, "index.json", 0) : NULL;
	json_decref(index);
	if (!man)
		return -1;
	json_t *cfg = json_blob(r, json_object_get(man, "config"), "config");
	const json_t *layers = json_object_get(man, "layers");
	int rc = cfg ? 0 : -1;
	if (rc == 0 && (!json_is_array(layers) || json_array_size(layers) != 1))
		rc = FAIL(r, "manifest: %zu layers; a checkpoint image has one",
			  json_is_array(layers) ? json_array_size(layers) : 0);
	const json_t *ld = json_array_get(layers, 0);
	const char *digest = NULL;
	uint64_t size;
	enum layer_comp comp = L_TAR;
	if (rc == 0)
		rc = desc_fields(r, ld, "layer", &digest, &size);
	if (rc == 0)
		rc = layer_type(r, media_type(ld), digest, &comp);
	const json_t *ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	if (rc == 0 &&
	    (!json_is_array(ids) || json_array_size(ids) != 1 ||
	     !json_is_string(json_array_get(ids, 0))))
		rc = FAIL(r, "config: rootfs.diff_ids does not name the one layer");
	if (rc == 0)
		rc = blob_open(r, "layer", digest, size, layer);
	if (rc == 0)
		rc = layer_check(r, layer, digest, comp);
	char diff_id[CRIMG_SHA256_DIGEST_STR];
	if (rc == 0) {
		if (comp == L_TAR)
			strcpy(diff_id, digest);
		else
			rc = diff_id_of(r, layer, digest, diff_id);
	}
	if (rc == 0 && strcmp(diff_id, json_string_value(json_array_get(ids, 0))))
		rc = FAIL(r,
			  "layer: blob %s uncompressed hashes to %s, the config's diff_id is %.80s",
			  digest, diff_id, json_string_value(json_array_get(ids, 0)));
	if (rc == 0)
		snprintf(layer_digest, CRIMG_SHA256_DIGEST_STR, "%s", digest);
	json_decref(cfg); /* digest pointed into man */
	json_decref(man);
	if (rc < 0)
		blob_close(layer);
	return rc;
}

/* Verifies the layout and extracts its layer into the empty directory
 * tree_dir. */
static int read_layout(struct rd *r, const char *layout_path, const char *tree_dir)
{
	struct blob layer;
	char layer_digest[CRIMG_SHA256_DIGEST_STR];
	if (verify_layout(r, &layer, layer_digest) < 0)
		return -1;
	blob_close(&layer);
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout_path,
			     layer_digest + 7) >= sizeof(path))
		return FAIL(r, "path too long");
	/* everything checked: now the members.  The extractor's error is
	 * about the blob: said so, with the image's name as the file. */
	if (crimg_tar_extract(path, tree_dir, r->lim, r->err) < 0) {
		char at[48] = "";
		if (r->err->offset >= 0)
			snprintf(at, sizeof(at), "offset %lld: ", (long long)r->err->offset);
		char msg[sizeof(r->err->msg)];
		snprintf(msg, sizeof(msg), "layer: blob %s: %s%s", layer_digest, at, r->err->msg);
		return FAIL(r, "%s", msg);
	}
	return 0;
}

int oci_layer_locate(const char *src, const char *ref, const struct crimg_limits *lim, int layout,
		     struct crimg_arc *arc, struct arc_src *layer, int *owned_fd,
		     struct crimg_error *err)
{
	struct rd r = { .src = src,
			.layout = layout,
			.arc = arc,
			.blobs = -1,
			.ref = ref,
			.lim = lim ? lim : &crimg_default_limits,
			.err = err };
	struct blob b;
	char digest[CRIMG_SHA256_DIGEST_STR];
	int rc = verify_layout(&r, &b, digest);
	if (r.blobs >= 0)
		close(r.blobs);
	if (rc < 0)
		return -1;
	*layer = b.at;
	*owned_fd = b.owned ? b.at.fd : -1;
	return 0;
}

/*
 * An oci-archive is unpacked inside dstdir and its layer extracted next
 * to it, so that every temporary thing lives in the directory the caller
 * removes on failure:
 *   dstdir/.crimg-oci-layout/   the archive's layout, checked, then removed
 *   dstdir/.crimg-oci-tree/     the layer, whose entries then move up
 */
int crimg_oci_extract(const char *src, const char *dstdir, const struct crimg_limits *lim,
		      struct crimg_error *err)
{
	return crimg_oci_extract_ref(src, NULL, dstdir, lim, err);
}

int crimg_oci_extract_ref(const char *src, const char *ref, const char *dstdir,
			  const struct crimg_limits *lim, struct crimg_error *err)
{
	struct rd r = { .src = src,
			.layout = -1,
			.blobs = -1,
			.ref = ref,
			.lim = lim ? lim : &crimg_default_limits,
			.err = err };
	int kind = crimg_oci_detect(src);
	if (!kind)
		return FAIL(&r, "not an OCI image layout or oci-archive");
	int dir = open(dstdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return crimg_fail(err, dstdir, -1, -1, "%s", strerror(errno));
	const char *layout = src, *tree = dstdir;
	char *lbuf = NULL, *tbuf = NULL;
	int rc = 0;
	if (kind == 2) {
		size_t n = strlen(dstdir) + 32;
		if (!(layout = lbuf = malloc(n)) || !(tree = tbuf = malloc(n))) {
			free(lbuf);
			close(dir);
			return FAIL(&r, "out of memory");
		}
		snprintf(lbuf, n, "%s/.crimg-oci-layout", dstdir);
		snprintf(tbuf, n, "%s/.crimg-oci-tree", dstdir);
		if (mkdirat(dir, ".crimg-oci-layout", 0700) < 0 ||
		    mkdirat(dir, ".crimg-oci-tree", 0700) < 0)
			rc = crimg_fail(err, dstdir, -1, -1, "%s", strerror(errno));
		if (rc == 0)
			rc = crimg_tar_extract(src, layout, r.lim, err);
	}
	if (rc == 0 && (r.layout = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = FAIL(&r, "%s", strerror(errno));
	if (rc == 0)
		rc = read_layout(&r, layout, tree);
	if (r.blobs >= 0)
		close(r.blobs);
	if (r.layout >= 0)
		close(r.layout);
	if (kind == 2) {
		crimg_tree_remove(layout, NULL);
		if (rc == 0)
			rc = move_up(&r, dir, dstdir, ".crimg-oci-tree");
	}
	if (rc == 0)
		rc = unwrap_bare(&r, dir, dstdir);
	close(dir);
	free(lbuf);
	free(tbuf);
	return rc;
}
