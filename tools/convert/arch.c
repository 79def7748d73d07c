/*
 * crit convert --to-arch: the portability report first (its blocking
 * findings refuse the move, with their reasons), then the library's
 * rewrite under the converter's contract (crimg_migrate_dir).
 */
#include <stdio.h>
#include <string.h>

#include "crimg/check.h"
#include "crimg/ckpt.h"
#include "convert.h"
#include "util.h"

static int oom(struct crimg_error *err, const char *tree)
{
	crimg_error_clear(err);
	snprintf(err->file, sizeof(err->file), "%s", tree);
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

struct arch_ctx {
	const struct opts *o;
	json_t *notes; /* --report: {"image", "what"} */
	int oom;
};

static void on_note(void *arg, const char *image, const char *what)
{
	struct arch_ctx *c = arg;
	if (c->notes) {
		if (json_array_append_new(c->notes,
					  json_pack("{s:s, s:s}", "image", image, "what", what)) <
		    0)
			c->oom = 1;
	} else if (!c->o->quiet || strncmp(what, "refused: ", 9) == 0) {
		fprintf(stderr, "crit convert: %s: %s\n", image, what);
	}
}

/* The report's blocking findings, each a reason the move is refused. */
static int blocked(const char *tree, const struct opts *o, const struct crimg_limits *lim,
		   struct arch_ctx *c, struct crimg_error *err)
{
	struct crimg_ckpt_opts co = { .limits = lim };
	/* SRC itself, so that the findings name its files; the private copy
	 * for what the model does not open (stdin, JSON) */
	struct crimg_ckpt *ck = strcmp(o->src, "-") ? crimg_ckpt_open(o->src, &co, err) : NULL;
	if (!ck) {
		crimg_error_clear(err);
		if (!(ck = crimg_ckpt_open(tree, &co, err)))
			return -1;
	}
	struct crimg_check *k = crimg_check_new();
	struct crimg_port_opts po = { .target_arch = o->to_arch };
	struct crimg_port_summary s;
	int rc = k ? crimg_check_portability(k, ck, &po, &s, err) : -1;
	if (!k)
		oom(err, tree);
	for (size_t i = 0; rc == 0 && i < crimg_check_count(k); i++) {
		const struct crimg_finding *f = crimg_check_get(k, i);
		if (f->part != CRIMG_CHECK_PART_PORTABILITY || f->severity != CRIMG_CHECK_WILL_FAIL)
			continue;
		char what[1200];
		snprintf(what, sizeof(what), "refused: [%s] %s", f->code, f->message);
		on_note(c, f->image[0] ? f->image : "checkpoint", what);
	}
	if (rc == 0 && s.blocks) {
		snprintf(err->file, sizeof(err->file), "%s", o->src);
		snprintf(err->msg, sizeof(err->msg),
			 "not movable to %s: %zu blocking finding%s of the portability report (crit check --target-arch %s)",
			 o->to_arch, s.blocks, s.blocks == 1 ? "" : "s", o->to_arch);
		err->offset = err->entry = -1;
		rc = 1;
	}
	crimg_check_free(k);
	crimg_ckpt_close(ck);
	return rc;
}

int migrate_tree(const char *tree, const struct opts *o, const struct crimg_limits *lim,
		 struct report *rep, struct crimg_error *err)
{
	struct arch_ctx c = { .o = o };
	if (o->report && !(c.notes = json_array()))
		return oom(err, tree);
	int rc = blocked(tree, o, lim, &c, err);
	if (rc == 0) {
		struct crimg_migrate_opts mo = { .target_arch = o->to_arch,
						 .source_exe = o->source_exe,
						 .target_exe = o->target_exe,
						 .target_path = o->target_path,
						 .plugin = o->plugin };
		rc = crimg_migrate_dir(tree, &mo, lim, on_note, &c, err);
	}
	if (rc >= 0 && c.oom)
		rc = oom(err, tree);
	if (c.notes && rc >= 0) {
		rep->arch = json_pack("{s:s, s:b, s:O}", "to", o->to_arch, "refused", rc == 1,
				      "notes", c.notes);
		if (!rep->arch)
			rc = oom(err, tree);
	}
	json_decref(c.notes);
	return rc;
}
