/*
 * Shared by the fuzz targets (fuzz/f_*.c).  Each target defines
 * LLVMFuzzerTestOneInput; libFuzzer drives it under `make fuzz`, and
 * replay_main.c drives it without libFuzzer so `make check` replays the
 * regression inputs in fuzz/regress/TARGET/ on the normal and ASan builds.
 *
 * Several targets need files on disk (a checkpoint directory, an archive).
 * Their input is a small container of named members, parsed by
 * fz_members(): a future target (OCI layouts) reuses it and only adds how
 * the members become a file tree and which call opens it.
 */
#ifndef CRIMG_FUZZ_H
#define CRIMG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/ckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private scratch directory for this process, created on first use and
 * removed at exit. */
const char *fz_scratch(void);
/* Removes everything under dir (not following links) and dir itself. */
void fz_rm_tree(const char *dir);
/* A file created in (or replacing one in) dir; 0 or -1. */
int fz_write_file(const char *path, const void *p, size_t n);

/* ---- the member container ----
 *
 * input   := member*
 * member  := sel:u8 len:u16le bytes[len]
 * sel & 0x3f picks a name from fz_names[] (the files a checkpoint has);
 * sel >> 6 is the member type: 0 a regular file holding bytes; 1 the same
 * under the subdirectory "p/" (a parent dump, or a container's dir);
 * 2 a symlink whose target is bytes; 3 a member with any name: bytes are
 * "NAME\0CONTENTS" (a hard link when CONTENTS starts with "\0link:").
 * A short last member takes what is left.
 */
enum fz_type {
	FZ_REG,
	FZ_DIR,
	FZ_SYMLINK,
	FZ_HARDLINK
};
struct fz_member {
	enum fz_type type;
	char name[256];
	const uint8_t *data; /* REG: contents; SYMLINK/HARDLINK: target */
	size_t len;
};
#define FZ_MAX_MEMBERS 64
extern const char *const fz_names[64];
size_t fz_members(const uint8_t *d, size_t n, struct fz_member *m, size_t max);
/* Index of name in fz_names, or -1 (seed generation). */
int fz_name_index(const char *name);

/* Makes the members a tree under root (an existing empty directory).
 * Names that would leave root (absolute, "..") are skipped: the harness
 * itself must stay inside its sandbox; what the library does with links
 * is what is being tested. */
void fz_make_tree(const char *root, const struct fz_member *m, size_t n);

/* Writes the members as an archive at path: fmt & 3 is the compression
 * (0 none, 1 gzip, 2 zstd, 3 gzip), fmt >> 2 & 3 the tar flavour (ustar,
 * pax, gnu, ustar).  Names are written as given, "../x" and "/x" included:
 * that is what the reader must refuse.  0 or -1. */
int fz_make_archive(const char *path, const struct fz_member *m, size_t n, unsigned fmt);

/* Reads the first and last of n bytes at p (ASan sees a bad range). */
static inline void fz_ends(const void *p, size_t n)
{
	if (n) {
		(void)*(volatile const uint8_t *)p;
		(void)*((volatile const uint8_t *)p + n - 1);
	}
}

/* Calls every reading entry point of the model and of memory on c, with
 * bounded work; results are only checked for consistency. */
void fz_exercise_ckpt(struct crimg_ckpt *c, unsigned level);
void fz_exercise_mem(struct crimg_ckpt *c);

/* Aborts (a finding) when cond is false. */
#define FZ_ASSERT(cond)                                     \
	do {                                                \
		if (!(cond))                                \
			fz_fail(__FILE__, __LINE__, #cond); \
	} while (0)
void fz_fail(const char *file, int line, const char *what) __attribute__((noreturn));
/* A failing library call must say why: a message, and the error names a file
 * (or a JSON position). */
void fz_check_err(const struct crimg_error *e);

#endif
