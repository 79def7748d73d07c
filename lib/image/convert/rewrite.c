/*
 * crimg_rewrite_dir(): rewrites paths and addresses in the images of a
 * checkpoint directory.
 *
 * An image is read once, entry by entry; an entry a rule changes is packed
 * again, after checking that, with its old values put back, it packs to
 * exactly the bytes it was read from (so nothing but the named fields can
 * differ).  Then the image is written to a temporary file beside it: the
 * header in the image's own byte order, every untouched byte copied as it
 * is (other entries, extra payloads such as TCP queues or ghost file
 * contents), each changed entry with its new size.  The temporary file is
 * fsynced and renamed over the image, so a hard-linked staging copy never
 * changes the files it was linked from.  Images nothing changes are not
 * written at all.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/rewrite_int.h"

struct rw_patch {
	uint64_t offset; /* of the entry's size word */
	uint32_t old_size;
	uint8_t *data; /* the entry packed again */
	size_t len;
};

struct rw_report {
	size_t entry;
	struct rw_change c;
};

struct rw_image {
	const char *path; /* for messages: DIR/NAME */
	int fd;
	struct stat st;
	struct rw_patch *patches;
	size_t n_patches, cap_patches;
	struct rw_report *reports;
	size_t n_reports, cap_reports;
};

static void image_free(struct rw_image *im)
{
	for (size_t i = 0; i < im->n_patches; i++)
		free(im->patches[i].data);
	for (size_t i = 0; i < im->n_reports; i++) {
		free(im->reports[i].c.field);
		free(im->reports[i].c.before);
		free(im->reports[i].c.after);
	}
	free(im->patches);
	free(im->reports);
}

static int grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, ncap * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t k = pread(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(m);
	uint8_t *p = malloc(*len ? *len : 1);
	if (p)
		protobuf_c_message_pack(m, p);
	return p;
}

/* Packs the changed entry; fails if the unchanged one does not pack back. */
static int patch_entry(struct rw_image *im, struct rw_entry *e, const struct crimg_entry *ent,
		       enum crimg_byte_order bo, struct crimg_error *err)
{
	const int64_t idx = (int64_t)ent->index;
	uint8_t word[4];
	if (pread_full(im->fd, word, 4, ent->offset) < 0)
		return crimg_fail(err, im->path, (int64_t)ent->offset, idx,
				  "cannot read it again: %s",
				  errno ? strerror(errno) : "file shrank");
	uint32_t old_size = crimg_load_u32(word, bo);
	size_t olen, nlen;
	crimg_rw_swap(e, 1);
	uint8_t *again = pack(ent->msg, &olen);
	crimg_rw_swap(e, 0);
	uint8_t *orig = malloc(old_size ? old_size : 1);
	if (!again || !orig) {
		free(again);
		free(orig);
		return crimg_fail(err, im->path, -1, idx, "out of memory");
	}
	int same = olen == old_size && pread_full(im->fd, orig, old_size, ent->offset + 4) == 0 &&
		!memcmp(orig, again, olen);
	free(again);
	free(orig);
	if (!same)
		return crimg_fail(err, im->path, (int64_t)ent->offset, idx,
				  "this %s does not pack back to its own bytes (fields unknown to "
				  "this schema or a non-canonical encoding): not rewritten",
				  ent->msg->descriptor->name);
	if (grow((void **)&im->patches, im->n_patches, &im->cap_patches, sizeof(*im->patches)) < 0)
		return crimg_fail(err, im->path, -1, idx, "out of memory");
	uint8_t *data = pack(ent->msg, &nlen);
	if (!data)
		return crimg_fail(err, im->path, -1, idx, "out of memory");
	if (nlen > UINT32_MAX) {
		free(data);
		return crimg_fail(err, im->path, (int64_t)ent->offset, idx,
				  "the rewritten entry is too large for an image");
	}
	im->patches[im->n_patches++] = (struct rw_patch){ ent->offset, old_size, data, nlen };
	/* the report takes the changes over */
	for (size_t i = 0; i < e->n_changes; i++) {
		if (grow((void **)&im->reports, im->n_reports, &im->cap_reports,
			 sizeof(*im->reports)) < 0) {
			for (size_t k = i; k < e->n_changes; k++) {
				free(e->changes[k].field);
				free(e->changes[k].before);
				free(e->changes[k].after);
			}
			e->n_changes = 0;
			return crimg_fail(err, im->path, -1, idx, "out of memory");
		}
		im->reports[im->n_reports++] = (struct rw_report){ (size_t)ent->index,
								   e->changes[i] };
	}
	e->n_changes = 0;
	return 0;
}

/* Reads every entry, collecting the patches of those that change. */
static int plan_image(struct rw_image *im, struct crimg_reader *r, const struct rw_rules *rr,
		      struct crimg_error *err)
{
	struct rw_entry e;
	crimg_rw_entry_init(&e, rr, crimg_reader_byte_order(r));
	struct crimg_entry ent;
	int k = 0, rc = 0;
	while (rc == 0 && (k = crimg_reader_next(r, &ent, err)) > 0) {
		crimg_rw_entry_reset(&e);
		size_t n = crimg_rw_message(&e, ent.msg);
		if (e.oom)
			rc = crimg_fail(err, im->path, -1, (int64_t)ent.index, "out of memory");
		else if (e.too_deep)
			rc = crimg_fail(err, im->path, (int64_t)ent.offset, (int64_t)ent.index,
					"messages nested too deep to rewrite");
		else if (e.too_long)
			rc = crimg_fail(err, im->path, (int64_t)ent.offset, (int64_t)ent.index,
					"the rewritten unix socket name would take %zu bytes, more "
					"than the %d a socket address holds",
					e.too_long, CRIMG_UNIX_PATH_MAX);
		else if (n)
			rc = patch_entry(im, &e, &ent, crimg_reader_byte_order(r), err);
	}
	crimg_rw_entry_free(&e);
	return rc < 0 || k < 0 ? -1 : 0;
}

static int copy_range(struct rw_image *im, struct crimg_writer *w, uint64_t from, uint64_t to,
		      struct crimg_error *err)
{
	uint8_t buf[1 << 16];
	while (from < to) {
		size_t n = to - from < sizeof(buf) ? (size_t)(to - from) : sizeof(buf);
		if (pread_full(im->fd, buf, n, from) < 0)
			return crimg_fail(err, im->path, (int64_t)from, -1,
					  "cannot read it again: %s",
					  errno ? strerror(errno) : "file shrank");
		if (crimg_writer_bytes(w, buf, n, err) < 0)
			return -1;
		from += n;
	}
	return 0;
}

/* The image again, patched, into tmp (an open file beside it). */
static int write_image(struct rw_image *im, struct crimg_reader *r, int tfd, const char *tmp,
		       struct crimg_error *err)
{
	const struct crimg_kind *k = crimg_reader_kind(r);
	uint32_t first = k->flags & CRIMG_KIND_NO_COMMON ? 0
		: k->flags & CRIMG_KIND_SERVICE          ? CRIMG_MAGIC_SERVICE
							 : CRIMG_MAGIC_COMMON;
	/* the writer writes the header the kind has; this image must have it too */
	if (crimg_reader_first_magic(r) != first)
		return crimg_fail(err, im->path, 0, -1,
				  "unusual header for a %s image: not rewritten", k->name);
	struct crimg_writer *w = crimg_writer_new(tfd, tmp, k, crimg_reader_byte_order(r), err);
	if (!w)
		return -1;
	uint64_t pos = first ? 8 : 4;
	int rc = 0;
	for (size_t i = 0; i < im->n_patches && rc == 0; i++) {
		const struct rw_patch *p = &im->patches[i];
		rc = copy_range(im, w, pos, p->offset, err);
		if (rc == 0)
			rc = crimg_writer_u32(w, (uint32_t)p->len, err);
		if (rc == 0)
			rc = crimg_writer_bytes(w, p->data, p->len, err);
		pos = p->offset + 4 + p->old_size;
	}
	if (rc == 0)
		rc = copy_range(im, w, pos, (uint64_t)im->st.st_size, err);
	if (rc == 0)
		rc = crimg_writer_finish(w, err);
	crimg_writer_free(w);
	return rc;
}

/* Replaces DIR/NAME by its patched copy, by the output rules: a temporary
 * file with the image's mode, owner and group, fsynced and renamed over it
 * (so a hard link to SRC's file stays SRC's).  A symbolic link in the tree
 * is replaced, not followed: the tree is the caller's, what it points to
 * may not be. */
static int replace_image(struct rw_image *im, struct crimg_reader *r, struct crimg_error *err)
{
	struct crimg_outfile *f = crimg_outfile_open(im->path, CRIMG_OUTFILE_NOFOLLOW, err);
	if (!f)
		return -1;
	if (!crimg_outfile_temp(f)) {
		crimg_outfile_abort(f);
		return crimg_fail(err, im->path, -1, -1, "not a regular file: not rewritten");
	}
	int fd = crimg_outfile_fd(f);
	int rc = write_image(im, r, fd, crimg_outfile_temp(f), err);
	if (rc == 0 && !crimg_outfile_replaces(f) && fchmod(fd, im->st.st_mode & 07777) < 0)
		rc = crimg_fail(err, im->path, -1, -1, "%s", strerror(errno));
	if (rc < 0) {
		crimg_outfile_abort(f);
		return -1;
	}
	return crimg_outfile_commit(f, err);
}

struct rw_dir {
	const struct rw_rules *rules;
	const char *prefix; /* "" or "checkpoint/": how the report names images */
	crimg_rewrite_cb cb;
	void *arg;
	const struct crimg_limits *lim;
};

/* Rewrites one image; the number of fields changed or -1. */
static int rewrite_image(const struct rw_dir *d, const char *path, const char *name,
			 struct crimg_error *err)
{
	struct rw_image im = { .path = path };
	im.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (im.fd < 0 || fstat(im.fd, &im.st) < 0) {
		int rc = crimg_fail(err, path, -1, -1, "%s", strerror(errno));
		if (im.fd >= 0)
			close(im.fd);
		return rc;
	}
	struct crimg_reader *r = crimg_reader_open(im.fd, path, d->lim, err);
	int rc = r ? 0 : -1;
	if (rc == 0 && crimg_rw_relevant(d->rules, crimg_reader_kind(r)->desc))
		rc = plan_image(&im, r, d->rules, err);
	if (rc == 0 && im.n_patches)
		rc = replace_image(&im, r, err);
	if (rc == 0 && d->cb) {
		char *img = malloc(strlen(d->prefix) + strlen(name) + 1);
		if (!img) {
			rc = crimg_fail(err, path, -1, -1, "out of memory");
		} else {
			sprintf(img, "%s%s", d->prefix, name);
			for (size_t i = 0; i < im.n_reports; i++) {
				const struct rw_report *p = &im.reports[i];
				d->cb(d->arg, img, p->entry, p->c.field, p->c.before, p->c.after);
			}
			free(img);
		}
	}
	if (rc == 0)
		rc = (int)im.n_reports;
	crimg_reader_close(r);
	close(im.fd);
	image_free(&im);
	return rc;
}

/*
 * Raw images of a network namespace (iproute2 and iptables dumps) are
 * restored as they were saved: an address rule cannot reach them.  When one
 * holds an address a rule names, the report says so.
 */
static int is_raw_net(const struct crimg_kind *k)
{
	static const char *const names[] = { "IFADDR",   "ROUTE",    "ROUTE6",
					     "RULE",     "IPTABLES", "IP6TABLES",
					     "NFTABLES", "NETNF_CT", "NETNF_EXP" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(k->name, names[i]))
			return 1;
	return 0;
}

static int holds(const uint8_t *buf, size_t n, const void *pat, size_t len)
{
	return len && n >= len && memmem(buf, n, pat, len) != NULL;
}

#define RAW_NET_MAX (64u << 20)

/* -1 (err filled) when there is no memory to look: the note would be
 * missing from a report that otherwise looks complete. */
static int note_raw_net(const struct rw_dir *d, const char *path, const char *name,
			const struct crimg_kind *k, const struct stat *st, struct crimg_error *err)
{
	if (!d->cb || !d->rules->n_ip || !st->st_size || (uint64_t)st->st_size > RAW_NET_MAX)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	uint8_t *buf = malloc((size_t)st->st_size);
	if (!buf) {
		close(fd);
		return crimg_fail(err, path, -1, -1, "out of memory");
	}
	if (pread_full(fd, buf, (size_t)st->st_size, 0) == 0) {
		for (size_t i = 0; i < d->rules->n_ip; i++) {
			const struct rw_ip_rule *r = &d->rules->ip[i];
			char text[INET6_ADDRSTRLEN] = "";
			inet_ntop(r->v6 ? AF_INET6 : AF_INET, r->from, text, sizeof(text));
			if (!holds(buf, (size_t)st->st_size, r->from, r->v6 ? 16 : 4) &&
			    !holds(buf, (size_t)st->st_size, text, strlen(text)))
				continue;
			char img[512], why[768];
			snprintf(img, sizeof(img), "%s%s", d->prefix, name);
			snprintf(why, sizeof(why),
				 "holds %s, not rewritten: a raw %s image is restored as saved",
				 text, k->name);
			d->cb(d->arg, img, CRIMG_REWRITE_NOTE, "", why, "");
		}
	}
	free(buf);
	close(fd);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted (the report comes in a stable order). */
static char **list_dir(const char *dir, size_t *n, struct crimg_error *err)
{
	DIR *dp = opendir(dir);
	if (!dp) {
		crimg_fail(err, dir, -1, -1, "%s", strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue; /* ".", "..", and our own temporary files */
		if (grow((void **)&names, *n, &cap, sizeof(*names)) < 0 ||
		    !(names[*n] = strdup(de->d_name))) {
			for (size_t i = 0; i < *n; i++)
				free(names[i]);
			free(names);
			closedir(dp);
			crimg_fail(err, dir, -1, -1, "out of memory");
			return NULL;
		}
		(*n)++;
	}
	closedir(dp);
	if (!names)
		names = calloc(1, sizeof(*names));
	if (names && *n)
		qsort(names, *n, sizeof(*names), by_name);
	if (!names)
		crimg_fail(err, dir, -1, -1, "out of memory");
	return names;
}

static int has_file(const char *dir, const char *sub, const char *name)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s%s", dir, sub, name);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int crimg_rewrite_dir(const char *dir, const struct crimg_rewrite_rule *rules, size_t n,
		      const struct crimg_limits *lim, crimg_rewrite_cb cb, void *arg,
		      struct crimg_error *err)
{
	struct rw_rules rr;
	if (crimg_rw_rules_init(&rr, rules, n, err) < 0)
		return -1;
	/* a bare image directory, or an unpacked container checkpoint */
	const char *prefix = "";
	if (!has_file(dir, "", "inventory.img")) {
		if (!has_file(dir, "checkpoint/", "inventory.img")) {
			crimg_rw_rules_free(&rr);
			return crimg_fail(err, dir, -1, -1,
					  "not a checkpoint: no inventory.img, here or in checkpoint/");
		}
		prefix = "checkpoint/";
	}
	/* the directory the images are in: DIR or DIR/checkpoint */
	char *idir = malloc(strlen(dir) + strlen(prefix) + 2);
	size_t count = 0;
	char **names = NULL;
	if (idir) {
		sprintf(idir, "%s%s%.*s", dir, *prefix ? "/" : "",
			*prefix ? (int)strlen(prefix) - 1 : 0, prefix);
		names = list_dir(idir, &count, err);
	} else {
		crimg_fail(err, dir, -1, -1, "out of memory");
	}
	struct rw_dir d = { &rr, prefix, cb, arg, lim };
	int total = 0, rc = names ? 0 : -1, engine_changed = 0;
	for (size_t i = 0; i < count && rc == 0; i++) {
		char *path = malloc(strlen(idir) + strlen(names[i]) + 2);
		if (!path) {
			rc = crimg_fail(err, dir, -1, -1, "out of memory");
			break;
		}
		sprintf(path, "%s/%s", idir, names[i]);
		const struct crimg_kind *k = crimg_kind_by_path(names[i]);
		struct stat st;
		/* only regular files: "parent" is a link to another dump */
		if (k && lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (k->layout == CRIMG_LAYOUT_RAW && is_raw_net(k)) {
				if (note_raw_net(&d, path, names[i], k, &st, err) < 0)
					rc = -1;
			} else if (k->desc && crimg_rw_relevant(&rr, k->desc)) {
				int c = rewrite_image(&d, path, names[i], err);
				if (c < 0)
					rc = -1;
				else
					total += c;
			}
		}
		free(path);
	}
	/* a container checkpoint: the engine's own files name host paths too
	 * (Podman and runc take bind mounts' sources from them) */
	static const char *const engine_files[] = { "config.dump", "spec.dump" };
	for (size_t i = 0; *prefix && rr.n_path && rc == 0 && i < 2; i++) {
		char *path = malloc(strlen(dir) + strlen(engine_files[i]) + 2);
		struct stat st;
		if (!path) {
			rc = crimg_fail(err, dir, -1, -1, "out of memory");
			break;
		}
		sprintf(path, "%s/%s", dir, engine_files[i]);
		if (lstat(path, &st) == 0) {
			int c = crimg_rw_engine_file(&rr, path, engine_files[i], lim, cb, arg, err);
			if (c < 0)
				rc = -1;
			else if (c > 0) {
				total += c;
				engine_changed = 1;
			}
		}
		free(path);
	}
	if (rc == 0 && engine_changed) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	if (rc == 0 && total) {
		/* the renames themselves must last */
		int dfd = open(idir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	free(idir);
	crimg_rw_rules_free(&rr);
	return rc < 0 ? -1 : total;
}
