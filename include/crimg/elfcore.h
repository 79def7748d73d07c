/*
 * crimg: a process of a checkpoint as an ELF core file, for gdb.
 *
 * The core is the one the kernel would have written for the process at
 * the moment of the dump, on the machine it was dumped on: its class,
 * byte order, e_machine and page size follow the images (core_entry.mtype,
 * the images' byte order, AT_PAGESZ of the saved auxv), never the host.
 *
 * Notes: NT_PRSTATUS for every thread (registers, pid, pending and blocked
 * signals), NT_PRPSINFO, NT_SIGINFO of a pending signal, NT_AUXV, NT_FILE
 * for file mappings, and each thread's floating-point and extended state
 * as the architecture's notes hold it (x86_64: NT_FPREGSET and
 * NT_X86_XSTATE with XCR0; aarch64: NT_FPREGSET, NT_ARM_TLS,
 * NT_ARM_PAC_MASK; s390x: NT_FPREGSET, NT_S390_* of what the images hold).
 *
 * Memory: one PT_LOAD per run of a VMA, read through the library's page
 * reader (incremental parents, shared memory, memfd, SysV shm).  Pages the
 * checkpoint does not hold are zeros (holes of a sparse file) in anonymous
 * memory, and left out (p_filesz 0) in file mappings, where the file holds
 * them and gdb reads them from the executable and libraries it is given.
 * The core is written in one pass in bounded memory: the segment table
 * first (from the page index, no page read), then the pages streamed.
 *
 * Threads: a crimg_core_write uses the checkpoint for its whole length.
 */
#ifndef CRIMG_ELFCORE_H
#define CRIMG_ELFCORE_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/ckpt.h"

#ifdef __cplusplus
extern "C" {
#endif

struct crimg_core_opts {
	/* NULL, or called with "writing PID" and bytes written of total */
	crimg_progress_fn *progress;
	void *progress_arg;
};

/* What a core holds, for the summary of `crit core`. */
struct crimg_core_summary {
	uint32_t pid;
	char comm[17];
	char arch[16];       /* "x86_64", "aarch64", "s390x" */
	int big_endian;      /* 1: the core is big-endian */
	unsigned page_size;  /* from AT_PAGESZ, or the architecture's */
	uint16_t e_machine;  /* EM_X86_64, EM_AARCH64, EM_S390 */
	size_t threads;      /* NT_PRSTATUS notes */
	size_t notes;        /* notes in all */
	size_t segments;     /* PT_LOAD headers */
	size_t vmas;         /* the mappings they cover */
	size_t file_maps;    /* NT_FILE entries */
	uint64_t mapped;     /* bytes the PT_LOADs cover (p_memsz) */
	uint64_t data;       /* bytes of pages the checkpoint holds */
	uint64_t zero;       /* bytes of anonymous memory never saved (holes) */
	uint64_t from_files; /* bytes of file mappings left to the files */
	uint64_t file_size;  /* the core's size (data + holes + headers) */
	int has_siginfo;     /* an NT_SIGINFO of a pending signal */
	uint64_t xcr0;       /* x86_64: what NT_X86_XSTATE says; else 0 */
};

/*
 * Writes the core of process pid to fd (fdname for messages), which must
 * be empty: where fd can seek, runs of zeros become holes and the file is
 * sized with ftruncate; where it cannot (a pipe), zeros are written.
 * Fails (err filled, naming the image and offset where the images are at
 * fault) for a zombie, a task without registers, a 32-bit compat task, an
 * architecture it does not know, or images that cannot be read; the
 * caller then drops what was written.  sum (may be NULL) is filled on
 * success.  o NULL: no progress.
 */
int crimg_core_write_fd(struct crimg_ckpt *c, uint32_t pid, int fd, const char *fdname,
			const struct crimg_core_opts *o, struct crimg_core_summary *sum,
			struct crimg_error *err);
/* The same into path, by the rules of crimg_outfile_open: a failure
 * leaves no file and an existing one untouched. */
int crimg_core_write_path(struct crimg_ckpt *c, uint32_t pid, const char *path,
			  const struct crimg_core_opts *o, struct crimg_core_summary *sum,
			  struct crimg_error *err);

#ifdef __cplusplus
}
#endif
#endif
