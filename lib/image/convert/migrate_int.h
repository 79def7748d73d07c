/*
 * crimg_migrate_dir() (migrate*.c): a checkpoint of a program built to move
 * rewritten for another architecture.
 *
 * migrate_elf.c reads the two builds (load segments, build id, symbols);
 * migrate_regs.c asks the stack plug-in where the thread goes on and
 * writes the target's register file; migrate.c checks the contract and
 * rewrites the images.
 */
#ifndef CRIMG_MIGRATE_INT_H
#define CRIMG_MIGRATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/convert.h"
#include "base/base.h"

/* ---- a build of the program (migrate_elf.c) ---- */
struct mig_load {
	uint64_t vaddr, memsz, filesz, offset;
	uint32_t flags; /* PF_R 4, PF_W 2, PF_X 1 */
};
struct mig_sym {
	char *name;
	uint64_t value;
};
struct mig_elf {
	char path[1024];
	uint16_t machine; /* EM_X86_64 62, EM_AARCH64 183 */
	uint64_t entry, phdr_vaddr, size, mode;
	uint16_t phnum;
	struct mig_load *loads;
	size_t n_loads;
	uint8_t build_id[64];
	size_t build_id_len;  /* 0: none */
	struct mig_sym *syms; /* global and local symbols with a name */
	size_t n_syms;
};
/* Reads path: a little-endian ELF64 executable (ET_EXEC, not a PIE) with
 * its section headers; every offset and size is checked against the file.
 * 0, or -1 (err names path). */
int crimg_mig_elf_read(const char *path, struct mig_elf *e, struct crimg_error *err);
void crimg_mig_elf_free(struct mig_elf *e);
/* The value of the symbol called name; 0 when there is none (the contract
 * never places a symbol at 0). */
uint64_t crimg_mig_elf_sym(const struct mig_elf *e, const char *name);
/* The migration point whose symbol crimg_migrate_NAME, crimg_migrate_NAME_end
 * or crimg_resume_NAME is at pc: its NAME into point (size n), 1; 0 when
 * pc is at none. */
int crimg_mig_elf_point(const struct mig_elf *e, uint64_t pc, char *point, size_t n);
/* The architecture name of an ELF machine ("x86_64", "aarch64"); NULL others. */
const char *crimg_mig_machine_arch(uint16_t machine);

/* ---- the thread's new registers (migrate_regs.c) ---- */
struct mig_frame {
	uint64_t pc, sp, lr;
	uint64_t args[8];
	struct mig_write {
		uint64_t addr;
		uint8_t *bytes;
		size_t len;
	} * writes;
	size_t n_writes;
};
struct mig_thread {
	const char *source_arch, *target_arch, *point;
	const struct mig_elf *src, *dst;
	uint64_t pc, sp, fp;             /* the source thread's */
	uint64_t stack_start, stack_end; /* the stack VMA it is in */
};
/* Runs the plug-in (NULL or "restart": the built-in one) for t into *f.
 * 0, or -1 (err: what the plug-in did wrong). */
int crimg_mig_frame(const char *plugin, const struct mig_thread *t, struct mig_frame *f,
		    struct crimg_error *err);
void crimg_mig_frame_free(struct mig_frame *f);

#endif
