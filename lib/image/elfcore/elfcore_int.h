/*
 * elfcore/: the ELF core writer's internals.  The byte buffer that notes
 * and headers are built in (in the core's byte order), the note list, and
 * the table of architectures, each of which fills its register notes.
 */
#ifndef CRIMG_ELFCORE_INT_H
#define CRIMG_ELFCORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/elfcore.h"
#include "crimg/model.h"

/* Note types (the kernel's include/uapi/linux/elf.h values) */
#define EC_NT_PRSTATUS 1
#define EC_NT_FPREGSET 2
#define EC_NT_PRPSINFO 3
#define EC_NT_AUXV 6
#define EC_NT_SIGINFO 0x53494749
#define EC_NT_FILE 0x46494c45
#define EC_NT_X86_XSTATE 0x202
#define EC_NT_S390_TIMER 0x301
#define EC_NT_S390_SYSTEM_CALL 0x307
#define EC_NT_S390_VXRS_LOW 0x309
#define EC_NT_S390_VXRS_HIGH 0x30a
#define EC_NT_S390_GS_CB 0x30b
#define EC_NT_S390_GS_BC 0x30c
#define EC_NT_S390_RI_CB 0x30d
#define EC_NT_ARM_TLS 0x401
#define EC_NT_ARM_PAC_MASK 0x406

/* A growing buffer of bytes in one byte order (the core's). */
struct ec_buf {
	uint8_t *p;
	size_t len, cap;
	int big;    /* 1: big-endian */
	int failed; /* an allocation failed: every later append is dropped */
};
void ec_buf_init(struct ec_buf *b, int big);
void ec_buf_free(struct ec_buf *b);
/* Appends n bytes (NULL: zeros). */
void ec_put(struct ec_buf *b, const void *src, size_t n);
void ec_u8(struct ec_buf *b, uint8_t v);
void ec_u16(struct ec_buf *b, uint16_t v);
void ec_u32(struct ec_buf *b, uint32_t v);
void ec_u64(struct ec_buf *b, uint64_t v);
/* Zeros up to a multiple of a. */
void ec_align(struct ec_buf *b, size_t a);
/* Overwrites a u32/u64 at off (already appended). */
void ec_set_u32(struct ec_buf *b, size_t off, uint32_t v);
void ec_set_u64(struct ec_buf *b, size_t off, uint64_t v);

/* The notes of a core, one buffer of Elf64_Nhdr + name + desc records. */
struct ec_notes {
	struct ec_buf b;
	size_t n;
};
/* Starts a note of type with name ("CORE" or "LINUX"): its descriptor is
 * what is appended until ec_note_end(). */
size_t ec_note_begin(struct ec_notes *n, const char *name, uint32_t type);
void ec_note_end(struct ec_notes *n, size_t at);

/* One architecture: its ELF machine, its elf_gregset_t and its notes. */
struct ec_arch {
	unsigned mtype;   /* core_entry.mtype */
	const char *name; /* "x86_64" */
	uint16_t machine; /* EM_* */
	size_t greg_size; /* bytes of elf_gregset_t in NT_PRSTATUS */
	unsigned page;    /* page size when the auxv does not say */
	/* Appends the thread's elf_gregset_t (greg_size bytes).  0, or -1
	 * (err filled) when its registers are missing or malformed. */
	int (*gregs)(struct ec_buf *b, const struct crimg_thread *th, const char *img,
		     struct crimg_error *err);
	/* Appends the thread's other register notes (floating point and
	 * extended state); *xcr0 gets x86's XCR0.  0, or -1 (err filled). */
	int (*fpnotes)(struct ec_notes *n, const struct crimg_thread *th, const char *img,
		       const struct crimg_task_mm *mm, uint64_t *xcr0, struct crimg_error *err);
	/* NT_PRSTATUS's pr_fpvalid: 1 when the thread's FP state is saved */
	int (*fpvalid)(const struct crimg_thread *th);
};
/* One process being written: what the notes are made of. */
struct ec_task {
	const struct crimg_task *task;
	const struct crimg_task_core *core;
	const struct crimg_thread *threads; /* main thread first */
	size_t n_threads;
	const struct crimg_task_mm *mm;
	const struct ec_arch *arch;
	const char *core_img; /* "core-PID.img": for messages */
	const uint8_t *argv;  /* argv as the kernel keeps it (may be NULL) */
	size_t argv_len;
	unsigned page;
	int big;
};

/* notes.c */
/* "core-TID.img", the image that holds thread th's registers: for
 * messages about them (buf of at least 32 bytes) */
const char *ec_thread_img(const struct crimg_thread *th, char *buf, size_t len);
const struct crimg_siginfo *ec_pending(const struct crimg_task_core *core,
				       const struct crimg_thread *th, int main_thread);
int ec_note_prstatus(struct ec_notes *n, const struct ec_task *t, const struct crimg_thread *th,
		     int main_thread, struct crimg_error *err);
void ec_note_prpsinfo(struct ec_notes *n, const struct ec_task *t);
/* 1 when written (si has raw bytes), else 0 */
int ec_note_siginfo(struct ec_notes *n, const struct crimg_siginfo *si);
void ec_note_auxv(struct ec_notes *n, const struct crimg_task_mm *mm);
size_t ec_note_file(struct ec_notes *n, const struct crimg_task_mm *mm, unsigned page);

/* pages.c: the saved bytes of a segment, a bounded chunk at a time (read
 * from the pages file, or from its mapping given back behind). */
struct ckpt_file;
struct ec_pages {
	const struct ckpt_file *open_file, *bad_file;
	int fd;
	uint8_t *buf;
};
void ec_pages_init(struct ec_pages *p);
void ec_pages_free(struct ec_pages *p);
/* Calls fn with the len bytes at data (of file f's mapping; f NULL: bytes
 * in memory), in order, in chunks of at most 1 MiB that are multiples of
 * the page size.  0, or -1 when fn returned -1. */
int ec_pages_each(struct ec_pages *p, const struct ckpt_file *f, const uint8_t *data, uint64_t len,
		  int (*fn)(void *arg, const uint8_t *b, size_t n), void *arg);

/* The architecture of core_entry.mtype, or NULL. */
const struct ec_arch *ec_arch_of(unsigned mtype);

extern const struct ec_arch ec_arch_x86_64, ec_arch_aarch64, ec_arch_s390x;

#endif
