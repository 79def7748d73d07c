/*
 * The two builds of a program that moves between architectures: what
 * crimg_migrate_dir() needs of them, read from their ELF files.  The file
 * is untrusted like an image: every table is checked to lie in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/migrate_int.h"

#define ELF_MAX_BYTES (256u << 20) /* a build to move is small; a bound for the read */
#define SYM_MAX 1000000u

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t u64(const uint8_t *p)
{
	return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
}

const char *crimg_mig_machine_arch(uint16_t machine)
{
	switch (machine) {
	case 62:
		return "x86_64";
	case 183:
		return "aarch64";
	default:
		return NULL;
	}
}

/* [off, off + len) within a file of size n */
static int inside(uint64_t off, uint64_t len, uint64_t n)
{
	return off <= n && len <= n - off;
}

static int read_all(const char *path, uint8_t **buf, size_t *n, struct stat *st,
		    struct crimg_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return crimg_fail(err, path, -1, -1, "not a regular file");
	}
	if ((uint64_t)st->st_size > ELF_MAX_BYTES) {
		close(fd);
		return crimg_fail(err, path, -1, -1,
				  "%lld bytes: more than the %u MiB a build to move may have",
				  (long long)st->st_size, ELF_MAX_BYTES >> 20);
	}
	*n = (size_t)st->st_size;
	*buf = malloc(*n ? *n : 1);
	if (!*buf) {
		close(fd);
		return crimg_fail(err, path, -1, -1, "out of memory");
	}
	size_t got = 0;
	while (got < *n) {
		ssize_t k = pread(fd, *buf + got, *n - got, (off_t)got);
		if (k <= 0) {
			int e = k < 0 ? errno : EIO;
			close(fd);
			free(*buf);
			return crimg_fail(err, path, (int64_t)got, -1, "%s",
					  k < 0 ? strerror(e) : "file shrank while read");
		}
		got += (size_t)k;
	}
	close(fd);
	return 0;
}

static int notes(const uint8_t *b, uint64_t off, uint64_t len, struct mig_elf *e)
{
	uint64_t p = off, end = off + len;
	while (end - p >= 12) {
		uint32_t nsz = u32(b + p), dsz = u32(b + p + 4), type = u32(b + p + 8);
		uint64_t nal = ((uint64_t)nsz + 3) & ~3ull, dal = ((uint64_t)dsz + 3) & ~3ull;
		if (nal > end - p - 12 || dal > end - p - 12 - nal)
			return -1;
		if (type == 3 && nsz == 4 && memcmp(b + p + 12, "GNU", 4) == 0 &&
		    dsz <= sizeof(e->build_id)) {
			memcpy(e->build_id, b + p + 12 + nal, dsz);
			e->build_id_len = dsz;
		}
		p += 12 + nal + dal;
	}
	return 0;
}

static int symbols(const uint8_t *b, size_t n, uint64_t shoff, uint16_t shnum, struct mig_elf *e,
		   struct crimg_error *err)
{
	for (uint16_t i = 0; i < shnum; i++) {
		const uint8_t *sh = b + shoff + (uint64_t)i * 64;
		if (u32(sh + 4) != 2) /* SHT_SYMTAB */
			continue;
		uint64_t off = u64(sh + 24), size = u64(sh + 32), entsize = u64(sh + 56);
		uint32_t link = u32(sh + 40);
		if (entsize != 24 || !inside(off, size, n) || link >= shnum)
			return crimg_fail(err, e->path, (int64_t)(shoff + (uint64_t)i * 64), -1,
					  "section %u: a symbol table outside the file", i);
		const uint8_t *strh = b + shoff + (uint64_t)link * 64;
		uint64_t soff = u64(strh + 24), ssize = u64(strh + 32);
		if (!inside(soff, ssize, n) || ssize == 0 || b[soff + ssize - 1] != 0)
			return crimg_fail(err, e->path, (int64_t)(shoff + (uint64_t)link * 64), -1,
					  "section %u: a string table outside the file", link);
		uint64_t count = size / 24;
		if (count > SYM_MAX)
			return crimg_fail(err, e->path, (int64_t)off, -1, "%llu symbols: too many",
					  (unsigned long long)count);
		e->syms = calloc(count ? count : 1, sizeof(*e->syms));
		if (!e->syms)
			return crimg_fail(err, e->path, -1, -1, "out of memory");
		for (uint64_t k = 0; k < count; k++) {
			const uint8_t *s = b + off + k * 24;
			uint32_t name = u32(s);
			if (name == 0 || name >= ssize)
				continue;
			if (!(e->syms[e->n_syms].name = strdup((const char *)b + soff + name)))
				return crimg_fail(err, e->path, -1, -1, "out of memory");
			e->syms[e->n_syms++].value = u64(s + 8);
		}
		return 0;
	}
	return crimg_fail(
		err, e->path, -1, -1,
		"no symbol table: the migration points are found by their symbols (do not strip the builds)");
}

int crimg_mig_elf_read(const char *path, struct mig_elf *e, struct crimg_error *err)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->path, sizeof(e->path), "%s", path);
	uint8_t *b = NULL;
	size_t n = 0;
	struct stat st;
	if (read_all(path, &b, &n, &st, err) < 0)
		return -1;
	int rc = -1;
	e->size = (uint64_t)st.st_size;
	e->mode = st.st_mode;
	if (n < 64 || memcmp(b, "\177ELF", 4) != 0) {
		crimg_fail(err, path, 0, -1, "not an ELF file");
		goto out;
	}
	if (b[4] != 2 || b[5] != 1) {
		crimg_fail(err, path, 4, -1, "not a little-endian 64-bit ELF file");
		goto out;
	}
	if (u16(b + 16) != 2) {
		crimg_fail(err, path, 16, -1,
			   "e_type %u: not a fixed-address executable (ET_EXEC); the contract wants no PIE (-no-pie -static)",
			   u16(b + 16));
		goto out;
	}
	e->machine = u16(b + 18);
	e->entry = u64(b + 24);
	uint64_t phoff = u64(b + 32), shoff = u64(b + 40);
	uint16_t phentsize = u16(b + 54), shentsize = u16(b + 58), shnum = u16(b + 60);
	e->phnum = u16(b + 56);
	if (phentsize != 56 || !inside(phoff, (uint64_t)e->phnum * 56, n)) {
		crimg_fail(err, path, 32, -1, "program headers outside the file");
		goto out;
	}
	if (shnum && (shentsize != 64 || !inside(shoff, (uint64_t)shnum * 64, n))) {
		crimg_fail(err, path, 40, -1, "section headers outside the file");
		goto out;
	}
	e->loads = calloc(e->phnum ? e->phnum : 1, sizeof(*e->loads));
	if (!e->loads) {
		crimg_fail(err, path, -1, -1, "out of memory");
		goto out;
	}
	for (uint16_t i = 0; i < e->phnum; i++) {
		const uint8_t *ph = b + phoff + (uint64_t)i * 56;
		uint32_t type = u32(ph);
		uint64_t off = u64(ph + 8), vaddr = u64(ph + 16), filesz = u64(ph + 32),
			 memsz = u64(ph + 40);
		if (type == 1) { /* PT_LOAD */
			if (filesz > memsz || !inside(off, filesz, n) || vaddr + memsz < vaddr ||
			    (vaddr & 0xfff) != (off & 0xfff)) {
				crimg_fail(err, path, (int64_t)(phoff + (uint64_t)i * 56), -1,
					   "program header %u: a load segment that does not fit",
					   i);
				goto out;
			}
			if (off <= phoff && phoff - off < filesz)
				e->phdr_vaddr = vaddr + (phoff - off);
			e->loads[e->n_loads++] = (struct mig_load){ .vaddr = vaddr,
								    .memsz = memsz,
								    .filesz = filesz,
								    .offset = off,
								    .flags = u32(ph + 4) };
		} else if (type == 4 && inside(off, filesz, n) && notes(b, off, filesz, e) < 0) {
			crimg_fail(err, path, (int64_t)off, -1, "a note segment that does not fit");
			goto out;
		}
	}
	if (e->n_loads == 0) {
		crimg_fail(err, path, 32, -1, "no load segment");
		goto out;
	}
	rc = symbols(b, n, shoff, shnum, e, err);
out:
	free(b);
	if (rc < 0)
		crimg_mig_elf_free(e);
	return rc;
}

void crimg_mig_elf_free(struct mig_elf *e)
{
	for (size_t i = 0; i < e->n_syms; i++)
		free(e->syms[i].name);
	free(e->syms);
	free(e->loads);
	e->syms = NULL;
	e->loads = NULL;
	e->n_syms = e->n_loads = 0;
}

uint64_t crimg_mig_elf_sym(const struct mig_elf *e, const char *name)
{
	for (size_t i = 0; i < e->n_syms; i++)
		if (strcmp(e->syms[i].name, name) == 0)
			return e->syms[i].value;
	return 0;
}

int crimg_mig_elf_point(const struct mig_elf *e, uint64_t pc, char *point, size_t n)
{
	/* a thread moved before and not run since waits at the resume point */
	static const char pre[] = "crimg_migrate_", res[] = "crimg_resume_";
	for (size_t i = 0; i < e->n_syms; i++) {
		const char *s = e->syms[i].name;
		if (e->syms[i].value != pc)
			continue;
		if (strncmp(s, pre, sizeof(pre) - 1) == 0)
			s += sizeof(pre) - 1;
		else if (strncmp(s, res, sizeof(res) - 1) == 0)
			s += sizeof(res) - 1;
		else
			continue;
		size_t len = strlen(s);
		if (len > 4 && strcmp(s + len - 4, "_end") == 0)
			len -= 4;
		if (len == 0 || len >= n)
			continue;
		memcpy(point, s, len);
		point[len] = 0;
		return 1;
	}
	return 0;
}
