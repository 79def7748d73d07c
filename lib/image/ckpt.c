/*
 * Opening a checkpoint: a directory of images, or a container checkpoint
 * archive read once through libarchive.  Archive members are never written
 * under their own names: small ones are kept in memory, page data goes to
 * numbered files in a private temporary directory, so no member path can
 * reach outside it.  Members with absolute paths or ".." are refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "larchive.h"

#include "ckpt_int.h"
#include "tree_int.h"
#include "crimg/convert.h"

#define MEM_MEMBER_MAX (64u << 20)	/* larger archive members go to disk */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct ckpt_file *)a)->name, ((const struct ckpt_file *)b)->name);
}

static struct ckpt_file *add_file(struct crimg_ckpt *c, struct ckpt_files *set, const char *name)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct ckpt_file *nf = realloc(set->v, cap * sizeof(*nf));
		if (!nf)
			return NULL;
		set->v = nf;
		set->cap = cap;
	}
	struct ckpt_file *f = &set->v[set->n];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return NULL;
	f->fd = -1;
	f->dirfd = -1;
	set->n++;
	(void)c;
	return f;
}

struct ckpt_file *crimg_ckpt_add_file(struct ckpt_files *set, const char *name)
{
	return add_file(NULL, set, name);
}

void crimg_ckpt_sort_files(struct ckpt_files *set)
{
	if (set->n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(set->v, set->n, sizeof(*set->v), cmp_names);
}

static struct ckpt_file *find(const struct ckpt_files *set, const char *name)
{
	struct ckpt_file key = { .name = (char *)name };
	return set->n ? bsearch(&key, set->v, set->n, sizeof(key), cmp_names) : NULL;
}

static void free_files(struct ckpt_files *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct ckpt_file *f = &set->v[i];
		if (f->mapped)
			munmap(f->data, f->len);
		else
			free(f->data);
		free(f->name);
		free(f->path);
	}
	if (set->dirfd > 0)
		close(set->dirfd);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* ---- directories ---- */

static int has_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_images_dir(const char *dir)
{
	return has_file(dir, "inventory.img");
}

/*
 * Lists a directory's regular files without a stat each: the entry's type
 * comes from readdir (a stat only where the file system does not say), and
 * sizes and times are looked up when first asked for (see lazy_stat), so
 * that a view pays only for the images it reads.
 */
static int scan_dir(struct crimg_ckpt *c, const char *dir, struct ckpt_files *set,
		    struct crimg_error *err)
{
	/* kept open: the files are opened by name in it, with no path to build */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int keep = dfd < 0 ? -1 : fcntl(dfd, F_DUPFD_CLOEXEC, 1);
	DIR *d = keep > 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		int e = errno;
		if (dfd >= 0)
			close(dfd);
		if (keep >= 0)
			close(keep);
		return crimg_fail(err, dir, -1, -1, "cannot open directory: %s", strerror(e));
	}
	set->dirfd = keep;
	struct dirent *e;
	while ((e = readdir(d))) {
		/* images are regular files; links are not followed (but for the
		 * "parent" link of incremental dumps, handled apart) */
		if (e->d_name[0] == '.' || strcmp(e->d_name, "parent") == 0)
			continue;
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		struct stat st;
		if (e->d_type == DT_UNKNOWN &&
		    (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)))
			continue;
		struct ckpt_file *f = add_file(c, set, e->d_name);
		if (!f) {
			closedir(d);
			return crimg_fail(err, dir, -1, -1, "out of memory");
		}
		f->dirfd = keep;
		f->lazy = 1;
	}
	closedir(d);
	if (set->n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(set->v, set->n, sizeof(*set->v), cmp_names);
	return 0;
}

static int open_dir(struct crimg_ckpt *c, const char *path, struct crimg_error *err)
{
	char sub[PATH_MAX];
	c->type = CRIMG_SRC_DIR;
	c->format = "directory";
	if (is_images_dir(path)) {
		c->images_dir = strdup(path);
	} else {
		/* an unpacked container checkpoint: images in checkpoint/ */
		snprintf(sub, sizeof(sub), "%s/checkpoint", path);
		if (!is_images_dir(sub))
			return crimg_fail(err, path, -1, -1,
					  "not a checkpoint: no inventory.img here or in checkpoint/");
		c->images_dir = strdup(sub);
		if (scan_dir(c, path, &c->meta, err) < 0)
			return -1;
	}
	if (!c->images_dir)
		return crimg_fail(err, path, -1, -1, "out of memory");
	return scan_dir(c, c->images_dir, &c->images, err);
}

/* ---- archives ---- */

/* Refuses member names that could point outside the archive's own tree. */
static int bad_member_name(const char *n)
{
	if (n[0] == '/')
		return 1;
	for (const char *p = n; *p;) {
		const char *s = strchr(p, '/');
		size_t len = s ? (size_t)(s - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* "./a//b/" -> "a/b" */
static void clean_name(char *n)
{
	char *w = n;
	const char *r = n;
	while (r[0] == '.' && r[1] == '/')
		r += 2;
	while (*r) {
		if (*r == '/' && (w == n || w[-1] == '/')) {
			r++;
			continue;
		}
		if (*r == '/' && r[1] == '.' && (r[2] == '/' || r[2] == '\0')) {
			r += 2;
			continue;
		}
		*w++ = *r++;
	}
	while (w > n && w[-1] == '/')
		w--;
	*w = '\0';
}

struct member {
	char *name;		/* cleaned path inside the archive */
	uint8_t *data;		/* in memory, or */
	char *path;		/* extracted to the private temp dir */
	size_t len;
	int has_mtime;
	int64_t mtime;
};

/* What has been decompressed so far: the bomb guard's figures. */
struct unpack {
	uint64_t out;		/* bytes of member data read */
	uint64_t in_mem;	/* of those, kept in memory */
};

#define MEM_TOTAL_MAX (256u << 20)	/* then members go to disk */

/* The "member", "unpacked" and "ratio" limits, after got bytes of member
 * m were read (u->out already counts them). */
static int check_growth(const struct crimg_ckpt *c, const struct crimg_la *L, struct archive *a,
			const struct unpack *u, const struct member *m, uint64_t got,
			const char *aname, struct crimg_error *err)
{
	return crimg_limit_unpack(&c->lim, aname, m->name, got, u->out,
				  L->archive_filter_bytes(a, -1), err);
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t k = write(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static int extract_to_tmp(struct crimg_ckpt *c, const struct crimg_la *L, struct archive *a,
			  struct member *m, struct unpack *u, const char *aname,
			  struct crimg_error *err)
{
	if (!c->tmpdir) {
		char t[PATH_MAX];
		const char *base = c->opt_tmpdir ? c->opt_tmpdir : getenv("TMPDIR");
		snprintf(t, sizeof(t), "%s/crimg-ckpt.XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(t))
			return crimg_fail(err, t, -1, -1, "cannot create a temporary directory: %s",
					  strerror(errno));
		c->tmpdir = strdup(t);
		if (!c->tmpdir)
			return crimg_fail(err, aname, -1, -1, "out of memory");
	}
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/m%06u", c->tmpdir, c->n_extracted++);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return crimg_fail(err, p, -1, -1, "cannot create: %s", strerror(errno));
	m->path = strdup(p);
	if (!m->path) {
		close(fd);
		unlink(p);
		return crimg_fail(err, aname, -1, -1, "out of memory");
	}
	/* copied here, not by archive_read_data_into_fd(), to check the
	 * limits as the data comes: a bomb is stopped, not written out */
	static const size_t chunk = 1u << 16;
	uint8_t *buf = malloc(chunk);
	uint64_t got = 0;
	la_ssize_t k = 0;
	int rc = buf ? 0 : crimg_fail(err, aname, -1, -1, "out of memory");
	while (rc == 0 && (k = L->archive_read_data(a, buf, chunk)) > 0) {
		got += (uint64_t)k;
		u->out += (uint64_t)k;
		if (check_growth(c, L, a, u, m, got, aname, err) < 0)
			rc = -1;
		else if (write_all(fd, buf, (size_t)k) < 0)
			rc = crimg_fail(err, p, (int64_t)got, -1, "cannot write: %s", strerror(errno));
	}
	if (rc == 0 && k < 0)
		rc = crimg_fail(err, aname, -1, -1, "%s: %s", m->name, L->archive_error_string(a));
	free(buf);
	if (close(fd) < 0 && rc == 0)
		rc = crimg_fail(err, p, -1, -1, "cannot write: %s", strerror(errno));
	m->len = (size_t)got;
	return rc;
}

static int read_member(struct crimg_ckpt *c, const struct crimg_la *L, struct archive *a,
		       struct member *m, int64_t size, struct unpack *u, const char *aname,
		       struct crimg_error *err)
{
	const char *base = strrchr(m->name, '/') ? strrchr(m->name, '/') + 1 : m->name;
	if (size > 0 && (uint64_t)size > c->lim.max_member)
		return check_growth(c, L, a, u, m, (uint64_t)size, aname, err);
	if (size < 0 || size > (int64_t)MEM_MEMBER_MAX || strncmp(base, "pages-", 6) == 0 ||
	    u->in_mem + (uint64_t)size > MEM_TOTAL_MAX)
		return extract_to_tmp(c, L, a, m, u, aname, err);
	m->data = malloc(size ? (size_t)size : 1);
	if (!m->data)
		return crimg_fail(err, aname, -1, -1, "out of memory for %s", m->name);
	la_ssize_t k, got = 0;
	while (got < size && (k = L->archive_read_data(a, m->data + got, (size_t)(size - got))) > 0) {
		got += k;
		u->out += (uint64_t)k;
		if (check_growth(c, L, a, u, m, (uint64_t)got, aname, err) < 0)
			return -1;
	}
	if (got < size && k < 0)
		return crimg_fail(err, aname, -1, -1, "%s: %s", m->name, L->archive_error_string(a));
	if (got != size)
		return crimg_fail(err, aname, -1, -1, "%s: archive member holds %lld of %lld bytes",
				  m->name, (long long)got, (long long)size);
	m->len = (size_t)size;
	u->in_mem += (uint64_t)size;
	return 0;
}

/* A link target that leaves the archive's tree: absolute or with "..". */
static int link_leaves(const char *target)
{
	return target && (target[0] == '/' || bad_member_name(target));
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp((*(struct member *const *)a)->name, (*(struct member *const *)b)->name);
}

/* Two members of one name: which would be the image?  Refused. */
static int check_duplicates(struct member *mv, size_t n, const char *path,
			    struct crimg_error *err)
{
	if (n < 2)
		return 0;
	struct member **v = malloc(n * sizeof(*v));
	if (!v)
		return crimg_fail(err, path, -1, -1, "out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = &mv[i];
	qsort(v, n, sizeof(*v), cmp_member);
	int rc = 0;
	for (size_t i = 1; i < n && rc == 0; i++)
		if (strcmp(v[i - 1]->name, v[i]->name) == 0)
			rc = crimg_fail(err, path, -1, -1,
					"archive member '%s' appears more than once: which one is the checkpoint's is ambiguous",
					v[i]->name);
	free(v);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int open_archive_la(struct crimg_ckpt *c, const struct crimg_la *L, const char *path,
			   struct crimg_error *err);

static int open_archive(struct crimg_ckpt *c, const char *path, struct crimg_error *err)
{
	struct crimg_la la;
	if (crimg_la_open(&la, err) < 0)
		return -1;
	int rc = open_archive_la(c, &la, path, err);
	crimg_la_close(&la);
	return rc;
}

static int open_archive_la(struct crimg_ckpt *c, const struct crimg_la *L, const char *path,
			   struct crimg_error *err)
{
	struct archive *a = L->archive_read_new();
	struct member *mv = NULL;
	struct unpack u = { 0, 0 };
	size_t n = 0, cap = 0;
	int rc = -1;
	struct stat st;
	uint64_t total = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

	c->type = CRIMG_SRC_ARCHIVE;
	if (!a)
		return crimg_fail(err, path, -1, -1, "out of memory");
	L->archive_read_support_filter_gzip(a);
	L->archive_read_support_filter_zstd(a);
	L->archive_read_support_filter_none(a);
	L->archive_read_support_format_tar(a);
	if (L->archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		crimg_fail(err, path, -1, -1, "not a checkpoint directory or archive: %s",
			   L->archive_error_string(a));
		goto out;
	}
	struct archive_entry *e;
	int r;
	uint64_t members = 0;
	while ((r = L->archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (++members > c->lim.max_members) {
			crimg_fail(err, path, L->archive_filter_bytes(a, -1), -1,
				   "archive has more than %llu members" CRIMG_LIMIT_HINT("members"),
				   (unsigned long long)c->lim.max_members);
			goto out;
		}
		const char *raw = L->archive_entry_pathname(e);
		if (!raw)
			continue;
		if (bad_member_name(raw)) {
			crimg_fail(err, path, L->archive_filter_bytes(a, 0), -1,
				   "archive member '%s' points outside the archive (absolute path or '..')",
				   raw);
			goto out;
		}
		const char *hl = L->archive_entry_hardlink(e);
		const char *sl = L->archive_entry_filetype(e) == AE_IFLNK ? L->archive_entry_symlink(e)
									   : NULL;
		if (link_leaves(hl) || link_leaves(sl)) {
			crimg_fail(err, path, L->archive_filter_bytes(a, 0), -1,
				   "archive member '%s' is a %s link to '%s', outside the archive",
				   raw, hl ? "hard" : "symbolic", hl ? hl : sl);
			goto out;
		}
		if (L->archive_entry_filetype(e) != AE_IFREG || hl)
			continue;	/* directories, links inside, devices: nothing to read */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			struct member *nm = realloc(mv, cap * sizeof(*nm));
			if (!nm) {
				crimg_fail(err, path, -1, -1, "out of memory");
				goto out;
			}
			mv = nm;
		}
		struct member *m = &mv[n];
		memset(m, 0, sizeof(*m));
		m->name = strdup(raw);
		if (!m->name) {
			crimg_fail(err, path, -1, -1, "out of memory");
			goto out;
		}
		n++;
		clean_name(m->name);
		if (L->archive_entry_mtime_is_set(e)) {
			m->has_mtime = 1;
			m->mtime = (int64_t)L->archive_entry_mtime(e);
		}
		if (read_member(c, L, a, m, L->archive_entry_size_is_set(e) ? L->archive_entry_size(e) : -1,
				&u, path, err) < 0)
			goto out;
		if (c->progress)
			c->progress(c->progress_arg, "reading archive",
				    (uint64_t)L->archive_filter_bytes(a, -1), total);
	}
	if (r != ARCHIVE_EOF) {
		crimg_fail(err, path, L->archive_filter_bytes(a, 0), -1, "broken archive: %s",
			   L->archive_error_string(a));
		goto out;
	}
	if (check_duplicates(mv, n, path, err) < 0)
		goto out;
	switch (L->archive_filter_code(a, 0)) {
	case ARCHIVE_FILTER_GZIP:
		c->format = "tar.gz";
		break;
	case ARCHIVE_FILTER_ZSTD:
		c->format = "tar.zst";
		break;
	default:
		c->format = "tar";
	}

	/* Where are the images?  Every directory holding an inventory.img is a
	 * checkpoint; a pod archive has one per container. */
	char **roots = NULL;
	size_t nroots = 0;
	for (size_t i = 0; i < n; i++) {
		const char *b = strrchr(mv[i].name, '/');
		const char *base = b ? b + 1 : mv[i].name;
		if (strcmp(base, "inventory.img"))
			continue;
		char **nr = realloc(roots, (nroots + 1) * sizeof(*nr));
		if (!nr) {
			crimg_fail(err, path, -1, -1, "out of memory");
			free(roots);
			goto out;
		}
		roots = nr;
		roots[nroots++] = strndup(mv[i].name, b ? (size_t)(b - mv[i].name) : 0);
	}
	if (!nroots) {
		crimg_fail(err, path, -1, -1, "archive holds no checkpoint (no inventory.img)");
		goto out;
	}
	qsort(roots, nroots, sizeof(*roots), cmp_str);
	/* container names: the path above ".../checkpoint" */
	c->containers = calloc(nroots, sizeof(char *));
	c->n_containers = nroots;
	size_t pick = 0;
	for (size_t i = 0; i < nroots; i++) {
		char *r = strdup(roots[i]);
		char *cp = strstr(r, "checkpoint");
		if (cp && (cp == r || cp[-1] == '/') && cp[10] == '\0')
			*(cp == r ? cp : cp - 1) = '\0';
		c->containers[i] = r;
		if (c->opt_container && strcmp(r, c->opt_container) == 0)
			pick = i + 1;
	}
	if (c->opt_container && !pick) {
		crimg_fail(err, path, -1, -1, "no container '%s' in this archive", c->opt_container);
		for (size_t i = 0; i < nroots; i++)
			free(roots[i]);
		free(roots);
		goto out;
	}
	pick = pick ? pick - 1 : 0;
	const char *root = roots[pick];
	const char *ctr = c->containers[pick];
	size_t rl = strlen(root), cl = strlen(ctr);
	for (size_t i = 0; i < n; i++) {
		struct member *m = &mv[i];
		struct ckpt_files *set = NULL;
		const char *rel = NULL;
		if (rl && strncmp(m->name, root, rl) == 0 && m->name[rl] == '/' &&
		    !strchr(m->name + rl + 1, '/')) {
			set = &c->images, rel = m->name + rl + 1;
		} else if (!rl && !strchr(m->name, '/')) {
			set = &c->images, rel = m->name;
		} else if (!cl || (strncmp(m->name, ctr, cl) == 0 && m->name[cl] == '/')) {
			set = &c->meta, rel = cl ? m->name + cl + 1 : m->name;
		}
		if (!set)
			continue;
		struct ckpt_file *f = add_file(c, set, rel);
		if (!f) {
			crimg_fail(err, path, -1, -1, "out of memory");
			break;
		}
		f->data = m->data;
		f->path = m->path;
		f->len = m->len;
		f->loaded = m->data != NULL;
		f->has_mtime = m->has_mtime;
		f->mtime = m->mtime;
		m->data = NULL;
		m->path = NULL;
	}
	for (size_t i = 0; i < nroots; i++)
		free(roots[i]);
	free(roots);
	if (c->images.n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(c->images.v, c->images.n, sizeof(*c->images.v), cmp_names);
	if (c->meta.n)
		qsort(c->meta.v, c->meta.n, sizeof(*c->meta.v), cmp_names);
	rc = err && err->msg[0] ? -1 : 0;
out:
	for (size_t i = 0; i < n; i++) {
		free(mv[i].name);
		free(mv[i].data);
		free(mv[i].path);
	}
	free(mv);
	L->archive_read_free(a);
	return rc;
}

/* ---- the handle ---- */

/*
 * An OCI image (layout directory or oci-archive) holding a checkpoint: its
 * layer is verified and extracted to a private directory, opened as one.
 */
static int open_oci(struct crimg_ckpt *c, const char *path, const char *ref, int kind,
		    struct crimg_error *err)
{
	char t[PATH_MAX];
	const char *base = c->opt_tmpdir ? c->opt_tmpdir : getenv("TMPDIR");
	snprintf(t, sizeof(t), "%s/crimg-oci.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(t))
		return crimg_fail(err, t, -1, -1, "cannot create a temporary directory: %s",
				  strerror(errno));
	c->oci_tree = strdup(t);
	if (!c->oci_tree) {
		rmdir(t);
		return crimg_fail(err, path, -1, -1, "out of memory");
	}
	if (crimg_oci_extract_ref(path, ref, c->oci_tree, &c->lim, err) < 0 ||
	    open_dir(c, c->oci_tree, err) < 0)
		return -1;
	c->type = CRIMG_SRC_ARCHIVE;
	c->format = kind == 1 ? "oci" : "oci-archive";
	return 0;
}

/*
 * Which opener a name goes to: "oci:" and "oci-archive:" say it (and the
 * path must be one); a plain path is known by its content.
 */
static int open_source(struct crimg_ckpt *c, const struct crimg_source_name *sn,
		       struct crimg_error *err)
{
	const char *path = sn->path;
	struct stat st;
	if (stat(path, &st) < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	int oci = crimg_oci_detect(path);
	if (sn->transport == CRIMG_FMT_OCI && oci != 1)
		return crimg_fail(err, path, -1, -1,
				  "not an OCI image layout directory (oci-layout and index.json)%s",
				  oci == 2 ? ": an oci-archive, name it oci-archive:PATH" : "");
	if (sn->transport == CRIMG_FMT_OCI_ARCHIVE && oci != 2)
		return crimg_fail(err, path, -1, -1,
				  "not an oci-archive (a tar of an OCI image layout)%s",
				  oci == 1 ? ": a layout directory, name it oci:PATH" : "");
	if (oci)
		return open_oci(c, path, sn->ref, oci, err);
	if (S_ISDIR(st.st_mode) && has_file(path, CRIMG_JSONDIR_MANIFEST))
		return crimg_ckpt_open_json(c, path, 1, err);
	if (S_ISDIR(st.st_mode))
		return open_dir(c, path, err);
	if (S_ISREG(st.st_mode) && crimg_bundle_detect(path))
		return crimg_ckpt_open_json(c, path, 0, err);
	return open_archive(c, path, err);
}

struct crimg_ckpt *crimg_ckpt_open(const char *path, const struct crimg_ckpt_opts *o,
				   struct crimg_error *err)
{
	struct crimg_ckpt *c = calloc(1, sizeof(*c));
	if (!c) {
		crimg_fail(err, path, -1, -1, "out of memory");
		return NULL;
	}
	crimg_error_clear(err);
	c->path = strdup(path);
	c->lim = o && o->limits ? *o->limits : crimg_default_limits;
	if (o) {
		c->opt_container = o->container;
		c->opt_tmpdir = o->tmpdir;
		if (o->max_parents)
			c->lim.max_parents = o->max_parents;
		c->progress = o->progress;
		c->progress_arg = o->progress_arg;
	}
	struct crimg_source_name sn;
	int rc = crimg_source_name_parse(path, &sn, err);
	if (rc == 0)
		rc = open_source(c, &sn, err);
	crimg_source_name_free(&sn);
	if (rc < 0) {
		crimg_ckpt_close(c);
		return NULL;
	}
	c->names = calloc(c->images.n + 1, sizeof(char *));
	if (!c->names) {
		crimg_fail(err, path, -1, -1, "out of memory");
		crimg_ckpt_close(c);
		return NULL;
	}
	for (size_t i = 0; i < c->images.n; i++)
		c->names[i] = c->images.v[i].name;
	return c;
}

static void rm_tmpdir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char p[PATH_MAX];
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

void crimg_ckpt_close(struct crimg_ckpt *c)
{
	if (!c)
		return;
	crimg_ckpt_model_free(c);
	crimg_ckpt_cache_free(c);
	crimg_ckpt_close(c->parent);
	free_files(&c->images);
	free_files(&c->meta);
	if (c->tmpdir) {
		rm_tmpdir(c->tmpdir);
		free(c->tmpdir);
	}
	if (c->oci_tree) {
		struct crimg_error e;
		crimg_error_clear(&e);
		crimg_tree_remove(c->oci_tree, &e);
		free(c->oci_tree);
	}
	for (size_t i = 0; i < c->n_containers; i++)
		free(c->containers[i]);
	free(c->containers);
	free(c->names);
	free(c->scratch);
	free(c->images_dir);
	free(c->path);
	free(c);
}

enum crimg_src_type crimg_ckpt_source_type(const struct crimg_ckpt *c)
{
	return c->type;
}

const char *crimg_ckpt_format(const struct crimg_ckpt *c)
{
	return c->format;
}

const char *crimg_ckpt_path(const struct crimg_ckpt *c)
{
	return c->path;
}

size_t crimg_ckpt_containers(const struct crimg_ckpt *c, const char *const **names)
{
	static const char *const none[] = { "" };
	if (!c->n_containers) {
		*names = none;
		return 1;
	}
	*names = (const char *const *)c->containers;
	return c->n_containers;
}

size_t crimg_ckpt_images(const struct crimg_ckpt *c, const char *const **names)
{
	*names = (const char *const *)c->names;
	return c->images.n;
}

int crimg_ckpt_has(const struct crimg_ckpt *c, const char *name)
{
	return find(&c->images, name) != NULL;
}

/* A directory's file: its size and time, on first need.  A file gone
 * since the listing has no time and size 0 (reading it will say why). */
static void lazy_stat(struct ckpt_file *f)
{
	struct stat st;
	if (!f || !f->lazy)
		return;
	f->lazy = 0;
	if (fstatat(f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		f->len = (size_t)st.st_size;
		f->mtime = (int64_t)st.st_mtime;
		f->has_mtime = 1;
	}
}

int64_t crimg_ckpt_file_size(const struct crimg_ckpt *c, const char *name)
{
	struct ckpt_file *f = find(&c->images, name);
	lazy_stat(f);
	return f ? (int64_t)f->len : -1;
}

int64_t crimg_ckpt_meta_size(const struct crimg_ckpt *c, const char *name)
{
	struct ckpt_file *f = find(&c->meta, name);
	lazy_stat(f);
	return f ? (int64_t)f->len : -1;
}

int crimg_ckpt_mtime(const struct crimg_ckpt *c, const char *name, int64_t *sec)
{
	struct ckpt_file *f = find(&c->images, name);
	if (!f)
		f = find(&c->meta, name);
	lazy_stat(f);
	if (!f || !f->has_mtime)
		return -1;
	*sec = f->mtime;
	return 0;
}

/* Loads (or maps, for page data) a file's bytes on first use. */
static const uint8_t *load(struct crimg_ckpt *c, struct ckpt_file *f, size_t *len,
			   struct crimg_error *err)
{
	if (f->loaded) {
		*len = f->len;
		return f->data ? f->data : (const uint8_t *)"";
	}
	/* O_NONBLOCK: a file swapped for a FIFO since the directory was
	 * listed must not block the open; it is refused below */
	int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	int fd = f->path ? open(f->path, flags) : openat(f->dirfd, f->name, flags);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		crimg_fail(err, f->name, -1, -1, "cannot open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		crimg_fail(err, f->name, -1, -1, "not a regular file any more");
		close(fd);
		return NULL;
	}
	f->len = (size_t)st.st_size;
	if (f->lazy) {	/* the stat a listing left for later: done here */
		f->lazy = 0;
		f->mtime = (int64_t)st.st_mtime;
		f->has_mtime = 1;
	}
	if (f->len == 0) {
		f->data = NULL;
	} else if (strncmp(f->name, "pages-", 6) == 0 || f->len > MEM_MEMBER_MAX) {
		/* page data: mapped, never copied */
		void *p = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			crimg_fail(err, f->name, -1, -1, "cannot map: %s", strerror(errno));
			close(fd);
			return NULL;
		}
		f->data = p;
		f->mapped = 1;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	} else {
		f->data = malloc(f->len);
		size_t got = 0;
		while (f->data && got < f->len) {
			ssize_t k = read(fd, f->data + got, f->len - got);
			if (k <= 0)
				break;
			got += (size_t)k;
		}
		if (!f->data || got != f->len) {
			crimg_fail(err, f->name, (int64_t)got, -1, f->data ? "short read" : "out of memory");
			free(f->data);
			f->data = NULL;
			close(fd);
			return NULL;
		}
	}
	close(fd);
	f->loaded = 1;
	*len = f->len;
	return f->data ? f->data : (const uint8_t *)"";
}

const uint8_t *crimg_ckpt_file(struct crimg_ckpt *c, const char *name, size_t *len,
			       struct crimg_error *err)
{
	struct ckpt_file *f = find(&c->images, name);
	if (!f) {
		crimg_fail(err, name, -1, -1, "no such image in %s", c->path);
		return NULL;
	}
	return load(c, f, len, err);
}

const struct ckpt_file *crimg_ckpt_file_entry(const struct crimg_ckpt *c, const char *name)
{
	return find(&c->images, name);
}

const uint8_t *crimg_ckpt_file_transient(struct crimg_ckpt *c, const char *name, size_t *len,
					 struct crimg_error *err)
{
	struct ckpt_file *f = find(&c->images, name);
	if (!f || f->loaded || f->path || strncmp(name, "pages-", 6) == 0)
		return crimg_ckpt_file(c, name, len, err);
	/* a directory's file not read yet: as load() does, into scratch */
	int fd = openat(f->dirfd, f->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > MEM_MEMBER_MAX) {
		if (fd >= 0)
			close(fd);
		return crimg_ckpt_file(c, name, len, err);	/* it says why */
	}
	size_t n = (size_t)st.st_size, got = 0;
	if (n + 1 > c->scratch_cap) {
		uint8_t *b = realloc(c->scratch, n + 1);
		if (!b) {
			close(fd);
			crimg_fail(err, name, -1, -1, "out of memory");
			return NULL;
		}
		c->scratch = b;
		c->scratch_cap = n + 1;
	}
	while (got < n) {
		ssize_t k = read(fd, c->scratch + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (got != n) {
		crimg_fail(err, name, (int64_t)got, -1, "short read");
		return NULL;
	}
	if (f->lazy) {
		f->lazy = 0;
		f->len = n;
		f->mtime = (int64_t)st.st_mtime;
		f->has_mtime = 1;
	}
	*len = n;
	return c->scratch;
}

const uint8_t *crimg_ckpt_meta(struct crimg_ckpt *c, const char *name, size_t *len)
{
	struct ckpt_file *f = find(&c->meta, name);
	if (!f)
		return NULL;
	return load(c, f, len, NULL);
}

/* The "parent" link of an incremental dump, with a bound on the chain. */
struct crimg_ckpt *crimg_ckpt_parent(struct crimg_ckpt *c, struct crimg_error *err)
{
	if (c->parent_tried)
		return c->parent;
	c->parent_tried = 1;
	if (c->type != CRIMG_SRC_DIR)
		return NULL;
	char link[PATH_MAX], text[PATH_MAX], joined[2 * PATH_MAX], target[PATH_MAX];
	snprintf(link, sizeof(link), "%s/parent", c->images_dir);
	struct stat st;
	if (lstat(link, &st) < 0)
		return NULL;
	/* CRIU makes "parent" a symlink; copies that flatten links leave a
	 * small file holding the link's text: both are read the same way */
	ssize_t n;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(link, text, sizeof(text) - 1);
	} else if (S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < PATH_MAX) {
		int fd = open(link, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
		if (fd >= 0)
			close(fd);
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\0'))
			n--;
	} else {
		crimg_fail(err, link, -1, -1, "parent is neither a link nor a path");
		return NULL;
	}
	if (n <= 0) {
		crimg_fail(err, link, -1, -1, "cannot read the parent link");
		return NULL;
	}
	text[n] = '\0';
	if (text[0] == '/')
		snprintf(joined, sizeof(joined), "%s", text);
	else
		snprintf(joined, sizeof(joined), "%s/%s", c->images_dir, text);
	if (!realpath(joined, target)) {
		crimg_fail(err, link, -1, -1, "parent %s: %s", text, strerror(errno));
		return NULL;
	}
	/* a loop or an absurd chain is an error, not a hang */
	unsigned depth = 0;
	for (struct crimg_ckpt *p = c; p; p = p->child, depth++) {
		char rp[PATH_MAX];
		if (realpath(p->images_dir, rp) && strcmp(rp, target) == 0) {
			crimg_fail(err, link, -1, -1, "parent chain loops back to %s", target);
			return NULL;
		}
	}
	/* depth dumps so far: opening this parent makes depth parents */
	if (depth > c->lim.max_parents) {
		crimg_fail(err, link, -1, -1, "parent chain longer than %u" CRIMG_LIMIT_HINT("parents"),
			   c->lim.max_parents);
		return NULL;
	}
	struct crimg_ckpt_opts o = { .limits = &c->lim };
	struct crimg_ckpt *p = crimg_ckpt_open(target, &o, err);
	if (p) {
		p->child = c;
	} else if (err && strcmp(err->file, target) == 0) {
		/* say whose parent it is: "DIR/parent: parent T: not a checkpoint" */
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		crimg_fail(err, link, -1, -1, "parent %s: %s", target, why);
	}
	c->parent = p;
	return p;
}
