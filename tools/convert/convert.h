/* crit-convert: the pieces main.c puts together. */
#ifndef CRIT_CONVERT_H
#define CRIT_CONVERT_H

#include <jansson.h>
#include <stdint.h>

#include "crimg/convert.h"
#include "progress.h"

struct opts {
	const char *src, *dst;
	enum crimg_format to;
	int level, threads, force, quiet, progress;
	struct crimg_rewrite_rule *rules;
	size_t n_rules;
	const char *report;              /* NULL: text on stderr */
	const char *ref;                 /* DST's ref name (--ref or oci:DIR:REF) */
	enum crimg_format src_transport; /* SRC named oci: or oci-archive:, else UNKNOWN */
	const char *src_ref;             /* SRC's :REF, or NULL */
	enum crimg_format dst_transport; /* DST named oci: or oci-archive:, else UNKNOWN */
	enum crimg_compress layer_comp;
	int byte_order; /* --byte-order: an enum crimg_byte_order, or -1 */
	/* --to-arch and its builds (arch.c) */
	const char *to_arch, *source_exe, *target_exe, *target_path, *plugin;
};

/* The conversion (run.c): 0, or 1 after printing why. */
int convert_run(const struct opts *o);
/* 1 for the formats written as one file (to a file, a FIFO, stdout ...). */
int single_file(enum crimg_format f);

/* What --report writes (run.c), or the text on stderr: the rewrites, the
 * byte order. */
struct report {
	int quiet;
	json_t *changes; /* --report: the fields rewritten */
	json_t *notes;   /* --report: images a rule could not reach */
	int changed;     /* how many fields */
	json_t *order;   /* --report with --byte-order: what was done (order.c) */
	json_t *arch;    /* --report with --to-arch: what was done or why refused (arch.c) */
};

/* ---- byte order (order.c) ---- */
/* "big", "little" or "native" (this machine's) into *bo; -1 for another word. */
int parse_byte_order(const char *s, enum crimg_byte_order *bo);
/* Writes every image of tree in o->byte_order (crimg_reorder_dir), saying
 * on stderr what was converted and what copied as it is (unless quiet),
 * or filling rep->order for --report.  0, or -1 (err filled). */
int reorder_tree(const char *tree, const struct opts *o, const struct crimg_limits *lim,
		 struct report *rep, struct crimg_error *err);

/* ---- another architecture (arch.c) ---- */
/* Refuses the move when the portability report has blocking findings
 * (each said on stderr, or in rep->arch for --report), else rewrites the
 * tree for o->to_arch (crimg_migrate_dir).  0; 1 refused (err says why);
 * -1 failed (err filled). */
int migrate_tree(const char *tree, const struct opts *o, const struct crimg_limits *lim,
		 struct report *rep, struct crimg_error *err);

/* ---- progress on stderr: the words (progress.c) ---- */
extern const struct progress_style convert_progress;

/* ---- staging and placing the result (place.c) ---- */
/*
 * Paths made beside DST that must not outlive the run: staging directories
 * and the temporary result.  They are removed at exit and on SIGINT,
 * SIGTERM and SIGHUP.
 */
int cleanup_init(void);
/* A new directory "DIR/.BASE.crimg-TAG-XXXXXX" beside dst; NULL after printing why. */
char *make_temp_dir(const char *dst, const char *tag);
/*
 * DST of a single-file format, by the library's output rules
 * (crimg_outfile_open); its temporary file, when there is one, is removed
 * on a signal like the paths above (*tracked: its registered name).
 * output_close commits (commit = 1) or drops it, and forgets the name.
 */
struct crimg_outfile *output_open(const char *dst, unsigned flags, char **tracked,
				  struct crimg_error *err);
int output_close(struct crimg_outfile *f, char *tracked, int commit, struct crimg_error *err);
/* Removes a path made above (and forgets it). */
void temp_remove(char *path);
/*
 * Moves tmp (file or directory) to dst: fails if dst exists unless force,
 * which swaps them atomically and removes the old one.  Flushes to disk
 * first.  -1 after printing why (tmp is left for cleanup).
 */
int place(const char *tmp, const char *dst, int force);

#endif
