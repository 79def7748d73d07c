/* crit x: what the views share (x.c parses, x_*.c print). */
#ifndef CRIT_X_H
#define CRIT_X_H

#include <stdint.h>
#include <stdio.h>

#include "crimg/model.h"
#include "jsonout.h"

/* ---- the command's state ---- */
struct xctx {
	struct crimg_ckpt *c;
	const char *src;
	int json;
	int have_pid;
	uint32_t pid; /* --pid: only this task */
	FILE *out;
	struct xj j;
	uint64_t shmem_next; /* `x mems`: crit's shmem numbering */
	struct shmem_no *shmem;
};

/* Each view returns the exit status (0, or 1 after printing why). */
int x_ps(struct xctx *x);
int x_fds(struct xctx *x);
int x_mems(struct xctx *x);
int x_rss(struct xctx *x);
int x_sk(struct xctx *x);
int x_mounts(struct xctx *x);
int x_ns(struct xctx *x);
int x_cgroups(struct xctx *x);
int x_stats(struct xctx *x);
int x_core(struct xctx *x);
int x_env(struct xctx *x);
int x_cmdline(struct xctx *x);

/* ---- helpers (x.c) ---- */
int x_fail(const struct crimg_error *e); /* prints e, returns 1 */
/* 1 when the task passes --pid */
int x_selected(const struct xctx *x, const struct crimg_task *t);
/*
 * For views that need a task's ids, files or memory: 1 when the task is a
 * zombie (CRIU keeps no such images for one), 0 when it is not, -1 after
 * printing why its core could not be read.
 */
int x_zombie(struct xctx *x, const struct crimg_task *t, const struct crimg_task_core **core);
/* Walks the tasks --pid selects, in tree order, from index *i: 1 with *t and
 * *zombie set (and *core for zombies), 0 after the last, -1 after reporting
 * an error. */
int x_next_task(struct xctx *x, const struct crimg_tree *tr, size_t *i, const struct crimg_task **t,
		const struct crimg_task_core **core, int *zombie);
/* "exited with status 7" / "killed by signal 9" for a zombie's exit code. */
const char *x_exit_str(uint32_t code, char *buf, size_t len);

/* crit's text for a file (x_crit.c): get_file_str() of crit's x. */
const char *x_crit_file_str(struct xctx *x, unsigned type, uint32_t id, char *buf, size_t len);

/* A file record as a JSON object's members (x_file.c). */
void x_json_file(struct xctx *x, const struct crimg_file *f, const struct crimg_fdtable *ft);
/* Lower-case kind names for VMAs (x_file.c). */
const char *x_vma_kind(enum crimg_vma_kind k);

#endif
