/*
 * crit mem SRC --pid N [--vma ADDR | --range S-E] [-o FILE]: the bytes of a
 * task (or a shared object) as a hexdump in the layout of `hexdump -C`, or
 * raw into a file.  With --format json: the map of what the checkpoint
 * holds (spans), without the bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hexdump.h"
#include "jsonout.h"
#include "mem_cli.h"
#include "util.h"

/* ---- what a span is, in words ---- */

static void note(FILE *f, const struct crimg_mem_span *s, uint64_t len)
{
	fprintf(f, "# 0x%" PRIx64 "-0x%" PRIx64 ": ", s->addr, s->addr + len);
	const struct crimg_mem_vma *v = s->vma;
	if (s->state == CRIMG_MEM_UNMAPPED)
		fputs("not mapped\n", f);
	else if (s->state == CRIMG_MEM_LAZY)
		fputs("lazy pages, left to a page server: not in the checkpoint (read as zeros)\n",
		      f);
	else if (v->shmem < 0 &&
		 (v->status & (CRIMG_VMA_STATUS_FILE_PRIVATE | CRIMG_VMA_STATUS_FILE_SHARED)))
		fprintf(f,
			"not in the checkpoint: the file's bytes at offset 0x%" PRIx64
			" (read as zeros here)\n",
			v->pgoff + (s->addr - v->start));
	else
		fputs("not in the checkpoint: never touched, reads as zeros\n", f);
}

static void vma_header(FILE *f, const struct crimg_mem_vma *v)
{
	char a[32], b[32];
	fprintf(f, "# 0x%" PRIx64 "-0x%" PRIx64 " %s ", v->start, v->end, v->perms);
	mem_put_escaped(f, (const uint8_t *)v->name, strlen(v->name), 0);
	fprintf(f, "%s%s, %s in the checkpoint\n", v->name[0] ? " " : "",
		mem_size_str(v->end - v->start, 0, a, sizeof(a)),
		mem_size_str(v->dumped, 0, b, sizeof(b)));
}

static int allowed(const struct crimg_mem_vma *v, uint32_t prot)
{
	return !v || (v->prot & prot) == prot;
}

/* Hexdumps [start, end): saved bytes as lines, the rest as notes. */
static int dump_range(struct crimg_mem *m, uint64_t start, uint64_t end, uint32_t prot,
		      struct hexdump *h, struct crimg_error *err)
{
	uint64_t a = start;
	while (a < end) {
		struct crimg_mem_span s;
		if (crimg_mem_span(m, a, &s, err) < 0)
			return -1;
		uint64_t len = s.len < end - a ? s.len : end - a;
		if (!allowed(s.vma, prot)) {
			hexdump_end(h);
		} else if (s.state == CRIMG_MEM_DATA) {
			hexdump_bytes(h, a, s.data, len);
		} else {
			hexdump_end(h);
			note(h->f, &s, len);
		}
		a += len;
	}
	hexdump_end(h);
	return 0;
}

static void json_spans(struct crimg_mem *m, const struct crimg_mem_vma *v, struct crimg_error *err)
{
	printf(", \"spans\": [");
	uint64_t a = v->start;
	int first = 1;
	while (a < v->end) {
		struct crimg_mem_span s;
		crimg_mem_span(m, a, &s, err);
		uint64_t len = s.len < v->end - a ? s.len : v->end - a;
		printf("%s{\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
		       "\", \"state\": \"%s\"",
		       first ? "" : ", ", a, a + len, crimg_mem_state_name(s.state));
		if (s.state == CRIMG_MEM_DATA)
			printf(", \"depth\": %u", s.depth);
		printf("}");
		first = 0;
		a += len;
	}
	printf("]");
}

static int dump_json(struct crimg_mem *m, const struct mem_args *a, struct crimg_error *err)
{
	const struct crimg_mem_vma *v;
	size_t n = crimg_mem_vmas(m, &v);
	if (a->have_pid)
		printf("{\"pid\": %" PRIu32 ", \"shmem\": null", a->pid);
	else
		printf("{\"pid\": null, \"shmem\": %" PRIu64, a->shmem);
	printf(", \"page_size\": %u, \"vmas\": [", crimg_mem_page_size(m));
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t lo = a->have_vma ? a->vma : a->have_range ? a->rstart : 0;
		uint64_t hi = a->have_vma ? a->vma + 1 : a->have_range ? a->rend : UINT64_MAX;
		if (v[i].end <= lo || v[i].start >= hi || !allowed(&v[i], a->prot))
			continue;
		printf("%s\n  {\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
		       "\", \"perms\": \"%s\", \"file\": ",
		       first ? "" : ",", v[i].start, v[i].end, v[i].perms);
		json_put_str(stdout, v[i].name, strlen(v[i].name), 0);
		printf(", \"pgoff\": %" PRIu64 ", \"shmem\": ", v[i].pgoff);
		if (v[i].shmem >= 0)
			printf("%" PRId64, v[i].shmem);
		else
			printf("null");
		printf(", \"size\": %" PRIu64 ", \"dumped\": %" PRIu64 ", \"lazy\": %" PRIu64,
		       v[i].end - v[i].start, v[i].dumped, v[i].lazy);
		json_spans(m, &v[i], err);
		printf("}");
		first = 0;
	}
	printf("\n]}\n");
	return 0;
}

int mem_dump(struct crimg_ckpt *c, const struct mem_args *a)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_mem *m = a->have_pid ? crimg_mem_open(c, a->pid, &a->mopts, &err)
					  : crimg_mem_open_shmem(c, a->shmem, &a->mopts, &err);
	if (!m)
		return error_crimg(&err), 1;
	int rc = 0;
	uint64_t start = a->rstart, end = a->rend;
	if (a->have_vma) {
		const struct crimg_mem_vma *v = crimg_mem_vma_at(m, a->vma);
		if (!v) {
			if (a->have_pid)
				error("address 0x%" PRIx64 " is in no VMA of process %" PRIu32,
				      a->vma, a->pid);
			else
				error("offset 0x%" PRIx64
				      " is past the end of shared memory object %" PRIu64,
				      a->vma, a->shmem);
			crimg_mem_close(m);
			return 1;
		}
		start = v->start;
		end = v->end;
	}
	if (a->json) {
		rc = dump_json(m, a, &err);
	} else if (a->out) {
		/* "-" is stdout there too, as for every named output */
		fflush(stdout);
		rc = crimg_mem_write_path(m, start, end, a->out, &err);
		if (rc < 0)
			error_crimg(&err);
	} else {
		struct hexdump h = { .f = stdout };
		/* a range is what is mapped of it: no notes for the space
		 * before the first VMA and after the last */
		if (a->have_range && crimg_mem_clip(m, &start, &end, &err) < 0) {
			rc = -1;
		} else if (a->have_vma || a->have_range) {
			if (a->have_vma)
				vma_header(stdout, crimg_mem_vma_at(m, a->vma));
			rc = dump_range(m, start, end, a->prot, &h, &err);
		} else {
			const struct crimg_mem_vma *v;
			size_t n = crimg_mem_vmas(m, &v);
			for (size_t i = 0; i < n && rc == 0; i++) {
				if (!allowed(&v[i], a->prot))
					continue;
				vma_header(stdout, &v[i]);
				rc = dump_range(m, v[i].start, v[i].end, 0, &h, &err);
			}
		}
		if (rc < 0)
			error_crimg(&err);
	}
	crimg_mem_close(m);
	return rc < 0 ? 1 : 0;
}
