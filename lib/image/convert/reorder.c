/*
 * crimg_reorder_dir(): the images of a checkpoint directory in the other
 * byte order.
 *
 * CRIU writes an image's magics and every entry's size word in the byte
 * order of the machine that dumps, and so are the few integers that follow
 * some entries (the size words of SysV message queues, the values of SysV
 * semaphores).  Protobuf payloads are numbers and bytes, with no byte order,
 * except the words CRIU copies from the machine's memory: IP addresses
 * (fields marked ipadd).  All of this is what the image writer already
 * writes in the order it is given (crit encode --byte-order): so an image is
 * decoded to JSON (the form 'crit decode --pretty' prints, where an address
 * is text), the JSON is checked to encode back to the image's very bytes,
 * and it is encoded again in the new order.  One writer, one set of rules.
 *
 * What the writer cannot know stays as CRIU wrote it: raw images (page
 * data, iproute2 and iptables dumps, tmpfs archives), and the data after
 * entries (pipe and socket queues, TCP queues, ghost file contents, SysV
 * shared memory, BPF map keys and values).  Byte streams have no order;
 * memory and map data keep the source machine's: the copy reads the same
 * with a tool that knows one byte order, it does not restore elsewhere.
 *
 * Each changed image is replaced by rename (a temporary file beside it with
 * the image's mode, owner, group and times), so a hard-linked staging copy
 * never changes the files it was linked from.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/convert.h"
#include "base/base.h"
#include "convert/reorder_int.h"
#include "json/lossless.h"

/* What of a kind stays as the source wrote it; NULL: nothing. */
static const char *kept_of(const struct crimg_kind *k)
{
	static const struct {
		const char *kind, *kept;
	} raw[] = {
		{ "PAGES", "page data: memory, in the dumping machine's byte order" },
		{ "IFADDR", "iproute2 dump: netlink messages in the source's byte order" },
		{ "ROUTE", "iproute2 dump: netlink messages in the source's byte order" },
		{ "ROUTE6", "iproute2 dump: netlink messages in the source's byte order" },
		{ "RULE", "iproute2 dump: netlink messages in the source's byte order" },
		{ "NETNF_CT", "conntrack dump: netlink messages in the source's byte order" },
		{ "NETNF_EXP", "conntrack dump: netlink messages in the source's byte order" },
		{ "IPTABLES", "iptables-save text" },
		{ "IP6TABLES", "ip6tables-save text" },
		{ "NFTABLES", "nftables dump" },
		{ "TMPFS_IMG", "tmpfs contents (tar.gz)" },
		{ "TMPFS_DEV", "tmpfs contents (tar.gz)" },
	};
	if (k->layout == CRIMG_LAYOUT_RAW) {
		for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
			if (!strcmp(raw[i].kind, k->name))
				return raw[i].kept;
		return "raw data";
	}
	if (k->layout == CRIMG_LAYOUT_GHOST)
		return "file contents after the entries";
	switch (k->extra) {
	case CRIMG_EXTRA_PIPE_DATA:
		return "pipe contents after the entries";
	case CRIMG_EXTRA_SK_QUEUE:
		return "queued packets after the entries";
	case CRIMG_EXTRA_TCP_STREAM:
		return "TCP queues after the entries";
	case CRIMG_EXTRA_BPFMAP:
		return "BPF map keys and values after the entries, in the dumping machine's byte order";
	case CRIMG_EXTRA_IPC_SHM:
		return "shared memory after the entries, in the dumping machine's byte order";
	case CRIMG_EXTRA_IPC_MSG:
		return "message texts after the entries; their sizes are converted";
	default:
		/* IPC_SEM: the semaphore values are integers the writer converts */
		return NULL;
	}
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.'; /* ".", "..", and temporary files */
}

/* 1 when fd starts with CRIU's first magic in either byte order: an image,
 * whatever its kind. */
static int starts_as_image(int fd)
{
	uint8_t b[4];
	if (pread(fd, b, 4, 0) != 4)
		return 0;
	uint32_t le = crimg_load_u32(b, CRIMG_LITTLE_ENDIAN),
		 be = crimg_load_u32(b, CRIMG_BIG_ENDIAN);
	return le == CRIMG_MAGIC_COMMON || le == CRIMG_MAGIC_SERVICE || be == CRIMG_MAGIC_COMMON ||
		be == CRIMG_MAGIC_SERVICE;
}

struct ro_ctx {
	const char *idir; /* the images' directory */
	int dirfd;
	const char *prefix; /* "" or "checkpoint/", for the names reported */
	enum crimg_byte_order bo;
	const struct crimg_limits *lim;
	int json; /* memfd for one image's JSON */
	crimg_reorder_cb cb;
	void *arg;
};

static void report(const struct ro_ctx *c, const char *name, const struct crimg_kind *k,
		   enum crimg_reorder_action a, enum crimg_byte_order from, const char *kept)
{
	if (!c->cb)
		return;
	char img[4096];
	snprintf(img, sizeof(img), "%s%s", c->prefix, name);
	struct crimg_reorder_file f = { img, k, a, from, kept };
	c->cb(c->arg, &f);
}

/* The image dir/name (open at fd) written again in c->bo, over itself. */
static int reframe(const struct ro_ctx *c, int fd, const char *name, const char *path,
		   struct crimg_error *err)
{
	struct crimg_error why;
	enum crimg_byte_order from;
	crimg_error_clear(&why);
	int r = crimg_image_json(c->dirfd, name, path, c->json, CRIMG_JSON_PRETTY, c->lim, &from,
				 err, &why);
	if (r < 0)
		return -1;
	if (r == 0) {
		/* damaged, or not to be written again without a change: refused,
		 * as a copy in two byte orders would be no checkpoint at all */
		if (err) {
			*err = why;
			if (!err->file[0])
				snprintf(err->file, sizeof(err->file), "%s", path);
		}
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	struct crimg_outfile *f = crimg_outfile_open(path, CRIMG_OUTFILE_NOFOLLOW, err);
	if (!f)
		return -1;
	if (!crimg_outfile_temp(f)) {
		crimg_outfile_abort(f);
		return crimg_fail(err, path, -1, -1, "not a regular file: not written again");
	}
	int out = crimg_outfile_fd(f);
	struct crimg_encode_opts eo = { .byte_order = c->bo, .limits = c->lim };
	/* the checkpoint's times (stats-dump's is its date) go with it */
	struct timespec times[2] = { st.st_atim, st.st_mtim };
	int rc = crimg_outfile_copy_attrs(f, fd, err);
	if (rc == 0)
		rc = crimg_json_encode(c->json, path, out, crimg_outfile_temp(f), &eo, err);
	if (rc == 0)
		rc = crimg_reorder_fields(out, crimg_outfile_temp(f), path, c->idir, name, from,
					  c->bo, c->lim, err);
	if (rc == 0 && futimens(out, times) < 0)
		rc = crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	if (rc < 0) {
		crimg_outfile_abort(f);
		return -1;
	}
	return crimg_outfile_commit(f, err);
}

/* One file of the images' directory: 1 re-framed, 0 left, -1 failed. */
static int reorder_one(const struct ro_ctx *c, const char *name, struct crimg_error *err)
{
	char path[4096];
	struct stat st;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->idir, name) >= sizeof(path))
		return crimg_fail(err, c->idir, -1, -1, "%s: name too long", name);
	/* only regular files: "parent" is a link to another dump */
	if (fstatat(c->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return 0;
	const struct crimg_kind *k = crimg_kind_by_path(name);
	if (k && k->layout == CRIMG_LAYOUT_RAW) {
		report(c, name, k, CRIMG_REORDER_RAW, c->bo, kept_of(k));
		return 0;
	}
	int fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	struct crimg_error e2;
	crimg_error_clear(&e2);
	struct crimg_reader *r = crimg_reader_open(fd, path, c->lim, &e2);
	int rc = 0;
	if (!r) {
		/* named as an image, or starting as one: it must be read to be
		 * converted; anything else (logs, engine files) is no image */
		if (k || starts_as_image(fd)) {
			if (err)
				*err = e2;
			rc = -1;
		}
		close(fd);
		return rc;
	}
	const struct crimg_kind *rk = crimg_reader_kind(r);
	enum crimg_byte_order from = crimg_reader_byte_order(r);
	crimg_reader_close(r);
	if (from == c->bo) {
		report(c, name, rk, CRIMG_REORDER_SAME, from, NULL);
	} else {
		rc = reframe(c, fd, name, path, err);
		if (rc == 0) {
			report(c, name, rk, CRIMG_REORDER_DONE, from, kept_of(rk));
			rc = 1;
		}
	}
	close(fd);
	return rc;
}

static int has_file(const char *dir, const char *sub, const char *name)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s%s", dir, sub, name);
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int crimg_reorder_dir(const char *dir, enum crimg_byte_order bo, const struct crimg_limits *lim,
		      crimg_reorder_cb cb, void *arg, struct crimg_error *err)
{
	/* a bare image directory, or an unpacked container checkpoint */
	const char *prefix = "";
	if (!has_file(dir, "", "inventory.img")) {
		if (!has_file(dir, "checkpoint/", "inventory.img"))
			return crimg_fail(err, dir, -1, -1,
					  "not a checkpoint: no inventory.img, here or in checkpoint/");
		prefix = "checkpoint/";
	}
	char idir[4096];
	if ((size_t)snprintf(idir, sizeof(idir), "%s%s%s", dir, *prefix ? "/" : "",
			     *prefix ? "checkpoint" : "") >= sizeof(idir))
		return crimg_fail(err, dir, -1, -1, "path too long");
	struct ro_ctx c = { .idir = idir,
			    .prefix = prefix,
			    .bo = bo,
			    .lim = lim,
			    .cb = cb,
			    .arg = arg,
			    .json = -1 };
	struct dirent **names = NULL;
	int n = -1, total = 0, rc = 0;
	c.dirfd = open(idir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat dst;
	if (c.dirfd < 0 || fstat(c.dirfd, &dst) < 0) {
		rc = crimg_fail(err, idir, -1, -1, "%s", strerror(errno));
		if (c.dirfd >= 0)
			close(c.dirfd);
		return rc;
	}
	if ((n = scandir(idir, &names, not_hidden, by_name)) < 0)
		rc = crimg_fail(err, idir, -1, -1, "%s", strerror(errno));
	else if ((c.json = crimg_memfile(idir, err)) < 0)
		rc = -1;
	for (int i = 0; i < n && rc == 0; i++) {
		int r = reorder_one(&c, names[i]->d_name, err);
		if (r < 0)
			rc = -1;
		else
			total += r;
	}
	if (rc == 0 && total) {
		/* the directory keeps its time, as every file in it does: the
		 * copy's archive says when CRIU wrote it, not when we did */
		struct timespec times[2] = { dst.st_atim, dst.st_mtim };
		if (futimens(c.dirfd, times) < 0)
			rc = crimg_fail(err, idir, -1, -1, "%s", strerror(errno));
		/* the renames themselves must last */
		fsync(c.dirfd);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (c.json >= 0)
		close(c.json);
	close(c.dirfd);
	return rc < 0 ? -1 : total;
}
