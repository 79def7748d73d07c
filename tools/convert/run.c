/*
 * One conversion: SRC -> a directory tree (staged when SRC is not one
 * already) -> rewrites -> byte order -> DST's format under a temporary
 * name -> DST.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert.h"
#include "util.h"

struct run {
	const struct opts *o;
	const struct crimg_limits *lim; /* for every input read */
	struct progress pr;
	struct crimg_progress cp;
	struct crimg_error err;
	enum crimg_format from;
	const char *tree;          /* SRC itself, or stage */
	char *stage;               /* SRC unpacked, or copied for rewriting */
	char *work;                /* a directory result under its temporary name */
	struct crimg_outpath dst;  /* what DST names (symlinks followed) */
	char *base;                /* temporary paths are made beside it: DST's
				 * target, or in $TMPDIR for a direct output */
	struct crimg_outfile *out; /* a single-file result */
	char *out_tmp;             /* its temporary name, removed on a signal */
};

int single_file(enum crimg_format f)
{
	return f != CRIMG_FMT_DIR && f != CRIMG_FMT_JSON_DIR && f != CRIMG_FMT_OCI;
}

static int fail(struct run *r)
{
	progress_done(&r->pr);
	error_crimg(&r->err);
	return -1;
}

/* ---- checks before any work ---- */

/* SRC "-": an archive (tar, tar.gz, tar.zst, or an oci-archive) on standard input. */
static int is_stdin(const char *src)
{
	return strcmp(src, "-") == 0;
}

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Whether dst's directory is src or lies under it (for a directory src). */
static int dst_inside_src(const char *src, const char *dst)
{
	char *d = strdup(dst);
	char rs[PATH_MAX], rd[PATH_MAX];
	int inside = 0;
	if (d && realpath(src, rs) && realpath(dirname(d), rd)) {
		size_t n = strlen(rs);
		inside = strncmp(rs, rd, n) == 0 && (rd[n] == '\0' || rd[n] == '/' || n == 1);
	}
	free(d);
	return inside;
}

/* DST named oci:DIR[:REF] is an existing layout: the image is added to it,
 * as skopeo does (--force replaces the whole layout instead). */
static int adds_to_layout(const struct opts *o)
{
	return o->to == CRIMG_FMT_OCI && o->dst_transport == CRIMG_FMT_OCI && !o->force &&
		crimg_oci_detect(o->dst) == 1;
}

/* DST by the output rules: a symlink is followed (its target is written,
 * the link stays), a device, FIFO or "-" is written directly and takes
 * only a single-file format. */
static int check_paths(struct run *r)
{
	const struct opts *o = r->o;
	struct stat st;
	int from_stdin = is_stdin(o->src);
	if (from_stdin)
		st.st_mode = S_IFIFO; /* nothing to compare DST with */
	else if (stat(o->src, &st) < 0)
		return error("%s: %s", o->src, strerror(errno));
	if (crimg_outpath_resolve(o->dst, 0, &r->dst, &r->err) < 0)
		return fail(r);
	const char *fmt = crimg_format_name(o->to);
	switch (r->dst.type) {
	case CRIMG_OUTPATH_DIRECT:
		if (!single_file(o->to))
			return error("%s: is %s: %s is a directory and cannot be written there",
				     o->dst, r->dst.what, fmt);
		break;
	case CRIMG_OUTPATH_DIR:
		if (single_file(o->to))
			return error("%s: is a directory: %s is written to one file (name a file)",
				     o->dst, fmt);
		/* fall through */
	case CRIMG_OUTPATH_FILE:
		if (adds_to_layout(o))
			break;
		if (!o->force)
			return error("%s: exists (use --force to replace it)", o->dst);
		if (!from_stdin && same_file(o->src, r->dst.target))
			return error("%s: is SRC itself: SRC is never replaced", o->dst);
		break;
	default:
		break;
	}
	if (r->dst.type == CRIMG_OUTPATH_DIRECT) {
		/* nothing can be made beside a device or stdout */
		const char *t = getenv("TMPDIR");
		size_t n = (t && *t ? strlen(t) : 4) + 16;
		if ((r->base = malloc(n)))
			snprintf(r->base, n, "%s/crit-convert", t && *t ? t : "/tmp");
	} else {
		r->base = strdup(r->dst.target);
	}
	if (!r->base)
		return error("out of memory");
	if (S_ISDIR(st.st_mode) && r->dst.type != CRIMG_OUTPATH_DIRECT &&
	    dst_inside_src(o->src, r->base))
		return error("%s: is inside SRC %s: write it elsewhere", o->dst, o->src);
	return 0;
}

/* A checkpoint has CRIU's inventory.img: at the top, or in checkpoint/ (container archives). */
static int has_inventory(const char *tree, int depth)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/inventory.img", tree);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 1;
	if (depth == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/checkpoint", tree);
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && has_inventory(path, depth - 1);
}

/* ---- SRC -> tree ---- */

/* Standard input can be read once: unpacked into the stage, and when that
 * was an oci-archive, its layer into a second one. */
static int materialise_stdin(struct run *r)
{
	if (!(r->stage = make_temp_dir(r->base, "stage")))
		return -1;
	r->tree = r->stage;
	r->from = CRIMG_FMT_TAR;
	struct crimg_extract_opts eo = { .limits = r->lim,
					 .progress = progress_cb,
					 .progress_arg = &r->pr };
	if (crimg_tar_extract_opts("-", r->stage, &eo, &r->err) < 0)
		return fail(r);
	if (crimg_oci_detect(r->stage) != 1)
		return 0;
	char *layer = make_temp_dir(r->base, "stage");
	if (!layer)
		return -1;
	r->from = CRIMG_FMT_OCI_ARCHIVE;
	int rc = crimg_oci_extract(r->stage, layer, r->lim, &r->err);
	temp_remove(r->stage);
	r->tree = r->stage = layer;
	return rc < 0 ? fail(r) : 0;
}

static int materialise(struct run *r)
{
	const struct opts *o = r->o;
	if (is_stdin(o->src)) {
		if (materialise_stdin(r) < 0)
			return -1;
		if (!has_inventory(r->tree, 1))
			return error(
				"stdin: not a checkpoint: no inventory.img, at the top or in checkpoint/");
		return 0;
	}
	if (crimg_format_detect(o->src, &r->from, &r->err) < 0)
		return fail(r);
	if (o->src_transport != CRIMG_FMT_UNKNOWN && r->from != o->src_transport)
		return error("%s: named %s:, but it is %s", o->src,
			     crimg_format_name(o->src_transport),
			     r->from == CRIMG_FMT_OCI || r->from == CRIMG_FMT_OCI_ARCHIVE
				     ? crimg_format_name(r->from)
				     : "not an OCI image");
	if (r->from == CRIMG_FMT_DIR) {
		r->tree = o->src;
	} else {
		if (!(r->stage = make_temp_dir(r->base, "stage")))
			return -1;
		r->tree = r->stage;
		int rc;
		switch (r->from) {
		case CRIMG_FMT_JSON_DIR:
			rc = crimg_jsondir_read(o->src, r->stage, r->lim, &r->cp, &r->err);
			break;
		case CRIMG_FMT_JSON:
			rc = crimg_bundle_read(o->src, r->stage, r->lim, &r->cp, &r->err);
			break;
		case CRIMG_FMT_OCI:
		case CRIMG_FMT_OCI_ARCHIVE:
			rc = crimg_oci_extract_ref(o->src, o->src_ref, r->stage, r->lim, &r->err);
			break;
		default: {
			struct crimg_extract_opts eo = { .limits = r->lim,
							 .progress = progress_cb,
							 .progress_arg = &r->pr };
			rc = crimg_tar_extract_opts(o->src, r->stage, &eo, &r->err);
		}
		}
		if (rc < 0)
			return fail(r);
	}
	if (!has_inventory(r->tree, 1))
		return error("%s: not a checkpoint: no inventory.img, at the top or in checkpoint/",
			     o->src);
	return 0;
}

/* ---- rewrites and byte order ---- */

static void on_change(void *arg, const char *image, size_t entry, const char *field,
		      const char *before, const char *after)
{
	struct report *rep = arg;
	if (entry == CRIMG_REWRITE_NOTE) {
		if (rep->notes)
			json_array_append_new(rep->notes,
					      json_pack("{s:s, s:s}", "image", image, "note",
							before));
		else if (!rep->quiet)
			fprintf(stderr, "crit convert: note: %s: %s\n", image, before);
		return;
	}
	if (rep->changes) {
		json_array_append_new(rep->changes,
				      json_pack("{s:s, s:I, s:s, s:s, s:s}", "image", image,
						"entry", (json_int_t)entry, "field", field,
						"before", before, "after", after));
	} else if (!rep->quiet) {
		fprintf(stderr, "crit convert: %s: entry %zu: %s: %s -> %s\n", image, entry, field,
			before, after);
	}
}

/* --report: the rewrites as before ("changed", "changes", "notes"),
 * "byte_order" with --byte-order, "arch" with --to-arch. */
static int write_report(const char *path, const struct report *rep)
{
	json_t *doc = rep->changes ? json_pack("{s:i, s:O, s:O}", "changed", rep->changed,
					       "changes", rep->changes, "notes", rep->notes)
				   : json_object();
	struct ofile of;
	int rc = -1;
	if (!doc || (rep->order && json_object_set(doc, "byte_order", rep->order) < 0) ||
	    (rep->arch && json_object_set(doc, "arch", rep->arch) < 0)) {
		json_decref(doc);
		return error("out of memory");
	}
	if (ofile_open(&of, path) == 0) {
		char *s = json_dumps(doc, JSON_INDENT(2));
		size_t n = s ? strlen(s) : 0;
		rc = s && write(of.fd, s, n) == (ssize_t)n && write(of.fd, "\n", 1) == 1 ? 0 : -1;
		free(s);
		if (rc < 0) {
			error("%s: write error", path);
			ofile_abort(&of);
		} else {
			rc = ofile_commit(&of);
		}
	}
	json_decref(doc);
	return rc;
}

/* The tree made private, for the steps that change images in place. */
static int own_tree(struct run *r)
{
	const struct opts *o = r->o;
	if (r->tree == r->stage)
		return 0;
	/* hard links where DST's result is not this very tree: each step
	 * replaces what it changes by rename, never writes into a file */
	struct stat a, b;
	char *d = strdup(r->base);
	unsigned flags = 0;
	if (d && stat(o->src, &a) == 0 && stat(dirname(d), &b) == 0 && a.st_dev == b.st_dev &&
	    o->to != CRIMG_FMT_DIR)
		flags = CRIMG_COPY_LINK;
	free(d);
	if (!(r->stage = make_temp_dir(r->base, "rewrite")))
		return -1;
	if (crimg_tree_copy(o->src, r->stage, flags, &r->cp, &r->err) < 0)
		return fail(r);
	r->tree = r->stage;
	return 0;
}

/* An error about a file of the private tree names it as a file of SRC:
 * "SRC/core-1.img" for a directory, "SRC: checkpoint/core-1.img" for an
 * archive, OCI image or JSON (the tree is what SRC holds). */
static void name_in_src(struct run *r)
{
	size_t n = strlen(r->tree);
	char *f = r->err.file;
	if (strncmp(f, r->tree, n) != 0 || f[n] != '/')
		return;
	char rel[sizeof(r->err.file)];
	snprintf(rel, sizeof(rel), "%s", f + n + 1);
	snprintf(f, sizeof(r->err.file), "%s%s%s", is_stdin(r->o->src) ? "stdin" : r->o->src,
		 r->from == CRIMG_FMT_DIR ? "/" : ": ", rel);
}

static int rewrite(struct run *r, struct report *rep)
{
	const struct opts *o = r->o;
	int n = crimg_rewrite_dir(r->tree, o->rules, o->n_rules, r->lim, on_change, rep, &r->err);
	if (n < 0) {
		name_in_src(r);
		return fail(r);
	}
	rep->changed = n;
	if (!o->report && !o->quiet)
		fprintf(stderr, "crit convert: %d field%s rewritten\n", n, n == 1 ? "" : "s");
	return 0;
}

/* The steps between SRC's tree and DST: rewrites, then the byte order;
 * --report once both are done. */
static int change_tree(struct run *r)
{
	const struct opts *o = r->o;
	struct report rep = { .quiet = o->quiet };
	int rc = own_tree(r);
	if (rc == 0 && o->report && o->n_rules &&
	    (!(rep.changes = json_array()) || !(rep.notes = json_array())))
		rc = error("out of memory");
	if (rc == 0 && o->n_rules)
		rc = rewrite(r, &rep);
	if (rc == 0 && o->to_arch && migrate_tree(r->tree, o, r->lim, &rep, &r->err) != 0) {
		name_in_src(r);
		/* refused: the report still says why */
		if (o->report && rep.arch)
			write_report(o->report, &rep);
		rc = fail(r);
	}
	if (rc == 0 && o->byte_order >= 0 && reorder_tree(r->tree, o, r->lim, &rep, &r->err) < 0) {
		name_in_src(r);
		rc = fail(r);
	}
	if (rc == 0 && o->report)
		rc = write_report(o->report, &rep);
	json_decref(rep.changes);
	json_decref(rep.notes);
	json_decref(rep.order);
	json_decref(rep.arch);
	return rc;
}

/* ---- tree -> DST ---- */

static int write_tar(struct run *r, int fd, enum crimg_compress comp)
{
	const struct opts *o = r->o;
	uint64_t total = 0;
	if (crimg_tree_size(r->tree, &total, &r->err) < 0)
		return fail(r);
	struct crimg_tarw *w = crimg_tarw_new(fd, crimg_outfile_name(r->out), comp, o->level,
					      o->threads, &r->err);
	if (!w)
		return fail(r);
	char what[32];
	snprintf(what, sizeof(what), "writing %s", crimg_format_name(o->to));
	crimg_tarw_set_progress(w, progress_cb, &r->pr, what, total);
	int rc = crimg_tarw_tree(w, r->tree, NULL, &r->err);
	if (rc == 0)
		rc = crimg_tarw_finish(w, &r->err);
	crimg_tarw_free(w);
	return rc < 0 ? fail(r) : 0;
}

static int export(struct run *r)
{
	const struct opts *o = r->o;
	int fd = r->out ? crimg_outfile_fd(r->out) : -1, rc = 0;
	const char *name = r->out ? crimg_outfile_name(r->out) : o->dst;
	switch (o->to) {
	case CRIMG_FMT_DIR:
		if (r->stage) {
			/* already a private tree beside DST: it becomes DST */
			r->work = r->stage;
			r->stage = NULL;
			return 0;
		}
		if (!(r->work = make_temp_dir(r->base, "new")))
			return -1;
		return crimg_tree_copy(r->tree, r->work, 0, &r->cp, &r->err) < 0 ? fail(r) : 0;
	case CRIMG_FMT_JSON_DIR:
		if (!(r->work = make_temp_dir(r->base, "new")))
			return -1;
		return crimg_jsondir_write(r->tree, r->work, r->lim, &r->cp, &r->err) < 0 ? fail(r)
											  : 0;
	case CRIMG_FMT_OCI:
	case CRIMG_FMT_OCI_ARCHIVE: {
		if (o->to == CRIMG_FMT_OCI && !(r->work = make_temp_dir(r->base, "new")))
			return -1;
		const char *sde = getenv("SOURCE_DATE_EPOCH");
		/* an oci-archive's layout is built first, in a temp dir of ours */
		char *lt = NULL;
		if (o->to == CRIMG_FMT_OCI_ARCHIVE && !(lt = make_temp_dir(r->base, "layout")))
			return -1;
		struct crimg_oci_opts oo = {
			.ref_name = o->ref,
			.created = sde && *sde ? strtoll(sde, NULL, 10) : CRIMG_OCI_CHECKPOINT_TIME,
			.layer_comp = o->layer_comp,
			.level = o->level,
			.tmpdir = lt,
			.limits = r->lim,
			.progress = progress_cb,
			.progress_arg = &r->pr,
		};
		if (o->to == CRIMG_FMT_OCI)
			rc = crimg_oci_write(r->tree, r->work, 0, &oo, &r->err);
		else
			rc = crimg_oci_write_archive_fd(r->tree, fd, name, &oo, &r->err);
		temp_remove(lt);
		return rc < 0 ? fail(r) : 0;
	}
	case CRIMG_FMT_JSON:
		return crimg_bundle_write(r->tree, fd, name, r->lim, &r->cp, &r->err) < 0 ? fail(r)
											  : 0;
	case CRIMG_FMT_TAR:
		return write_tar(r, fd, CRIMG_COMP_NONE);
	case CRIMG_FMT_TAR_GZ:
		return write_tar(r, fd, CRIMG_COMP_GZIP);
	default:
		return write_tar(r, fd, CRIMG_COMP_ZSTD);
	}
}

int convert_run(const struct opts *o)
{
	struct run r = { .o = o, .lim = tool_limits() };
	crimg_error_clear(&r.err);
	progress_init(&r.pr, &convert_progress,
		      o->quiet              ? PROGRESS_OFF
			      : o->progress ? PROGRESS_ALWAYS
					    : PROGRESS_TTY,
		      NULL);
	r.cp.fn = progress_cb;
	r.cp.arg = &r.pr;
	int rc = check_paths(&r) < 0 || cleanup_init() != 0 ? -1 : 0;
	/* a single-file DST is opened first: a terminal, a missing directory
	 * or a FIFO's wait shows before any work; never replaced without
	 * --force, even by a file that appears meanwhile */
	if (rc == 0 && single_file(o->to) &&
	    !(r.out = output_open(o->dst, CRIMG_OUTFILE_NOTTY | (o->force ? 0 : CRIMG_OUTFILE_EXCL),
				  &r.out_tmp, &r.err)))
		rc = fail(&r);
	if (rc == 0)
		rc = materialise(&r);
	if (rc == 0 && (o->n_rules || o->byte_order >= 0 || o->to_arch))
		rc = change_tree(&r);
	if (rc == 0)
		rc = export(&r);
	progress_done(&r.pr);
	if (r.out) {
		if (output_close(r.out, r.out_tmp, rc == 0, &r.err) < 0)
			rc = fail(&r);
	} else if (rc == 0 && adds_to_layout(o)) {
		if (crimg_oci_add(r.work, r.dst.target, &r.err) < 0)
			rc = fail(&r);
	} else if (rc == 0) {
		rc = place(r.work, r.dst.target, o->force);
	}
	temp_remove(r.work);
	temp_remove(r.stage);
	crimg_outpath_release(&r.dst);
	free(r.base);
	return rc < 0 ? 1 : 0;
}
