/*
 * crit mem SRC --search STR | --search-regex RE: matches in the memory of
 * one process, one shared object, or every process and then the shared
 * objects no process maps.  Exit status as grep's: 0 matched, 1 nothing
 * matched, 2 trouble.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "mem_cli.h"
#include "util.h"

struct out {
	const struct mem_args *a;
	struct crimg_mem *m;
	uint64_t count;
	struct progress pr;
};

static int on_match(void *arg, const struct crimg_mem_match *mt)
{
	struct out *o = arg;
	const struct crimg_mem_vma *v = mt->vma;
	const uint8_t *b = mt->bytes;
	int64_t sh = crimg_mem_shmem_id(o->m);
	int shown = o->pr.shown;
	progress_done(&o->pr);
	if (o->a->json) {
		printf("%s\n  {\"pid\": ", o->count ? "," : "");
		if (sh >= 0)
			printf("null, \"shmem\": %" PRId64, sh);
		else
			printf("%" PRIu32 ", \"shmem\": null", crimg_mem_pid(o->m));
		printf(", \"address\": \"0x%" PRIx64 "\", \"offset\": %" PRIu64
		       ", \"length\": %" PRIu64 ", \"vma\": {\"start\": \"0x%" PRIx64
		       "\", \"end\": \"0x%" PRIx64 "\", \"perms\": \"%s\", \"file\": ",
		       mt->addr, mt->addr - v->start, mt->len, v->start, v->end, v->perms);
		json_put_str(stdout, v->name, strlen(v->name), 0);
		printf("}, \"match\": ");
		mem_put_json_bytes(stdout, b + mt->before, (size_t)mt->len);
		printf(", \"before\": ");
		mem_put_json_bytes(stdout, b, mt->before);
		printf(", \"after\": ");
		mem_put_json_bytes(stdout, b + mt->before + mt->len, mt->after);
		printf("}");
	} else {
		if (sh >= 0)
			printf("shmem:%" PRId64, sh);
		else
			printf("%" PRIu32, crimg_mem_pid(o->m));
		printf(" 0x%" PRIx64 " 0x%" PRIx64 "-0x%" PRIx64 " %s ", mt->addr, v->start, v->end,
		       v->perms);
		if (v->name[0])
			mem_put_escaped(stdout, (const uint8_t *)v->name, strlen(v->name), 1);
		else
			fputc('-', stdout);
		if (o->a->context) {
			fputs(" \"", stdout);
			mem_put_escaped(stdout, b, mt->before, 0);
			fputs("\"", stdout);
		}
		fputs(" \"", stdout);
		mem_put_escaped(stdout, b + mt->before, (size_t)mt->len, 0);
		fputs("\"", stdout);
		if (o->a->context) {
			fputs(" \"", stdout);
			mem_put_escaped(stdout, b + mt->before + mt->len, mt->after, 0);
			fputs("\"", stdout);
		}
		fputc('\n', stdout);
	}
	o->count++;
	o->pr.shown = shown; /* the next update redraws the line */
	return 0;
}

static int search_one(struct out *o, const struct crimg_mem_pattern *p, struct crimg_error *err)
{
	const struct mem_args *a = o->a;
	struct crimg_mem_search_opts so = {
		.context = a->context,
		.prot = a->prot,
		.start = a->have_range ? a->rstart : 0,
		.end = a->have_range ? a->rend : 0,
		.max_matches = a->max_count ? a->max_count - o->count : 0,
		.progress = mem_progress_cb,
		.progress_arg = &o->pr,
	};
	int64_t n = crimg_mem_search(o->m, p, &so, on_match, o, err);
	progress_done(&o->pr);
	return n < 0 ? -1 : 0;
}

/* Is shared object id mapped by some task searched already? */
static int mapped(const struct crimg_shmem_info *sh)
{
	return sh->mapped_by > 0;
}

int mem_search(struct crimg_ckpt *c, const struct mem_args *a)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	unsigned flags = (a->regex ? CRIMG_PAT_REGEX : 0) | (a->icase ? CRIMG_PAT_ICASE : 0);
	struct crimg_mem_pattern *p = crimg_mem_pattern_new(a->pattern, a->pattern_len, flags,
							    &err);
	if (!p) {
		error_crimg(&err);
		return 2;
	}
	struct out o = { .a = a };
	struct crimg_shmem_info *sh = NULL;
	size_t nsh = 0, npids = 0;
	uint32_t *pids = NULL;
	int rc = -1;
	char what[64];
	if (a->json)
		printf("{\"matches\": [");
	if (a->have_pid || a->have_shmem) {
		o.m = a->have_pid ? crimg_mem_open(c, a->pid, &a->mopts, &err)
				  : crimg_mem_open_shmem(c, a->shmem, &a->mopts, &err);
		if (a->have_pid)
			snprintf(what, sizeof(what), "searching process %" PRIu32, a->pid);
		else
			snprintf(what, sizeof(what), "searching shmem %" PRIu64, a->shmem);
		mem_progress_init(&o.pr, what);
		rc = o.m ? search_one(&o, p, &err) : -1;
		crimg_mem_close(o.m);
		goto out;
	}
	if (crimg_mem_tasks(c, &pids, &npids, &err) < 0)
		goto out;
	for (size_t i = 0; i < npids; i++) {
		uint32_t pid = pids[i];
		if (!mem_has_memory(c, pid))
			continue; /* a zombie has no memory */
		if (a->max_count && o.count >= a->max_count)
			break;
		o.m = crimg_mem_open(c, pid, &a->mopts, &err);
		snprintf(what, sizeof(what), "searching process %" PRIu32, pid);
		mem_progress_init(&o.pr, what);
		rc = o.m ? search_one(&o, p, &err) : -1;
		crimg_mem_close(o.m);
		if (rc < 0)
			goto out;
	}
	/* then what no process maps: SysV segments, memfds only held open */
	rc = crimg_mem_shmem_list(c, &a->mopts, &sh, &nsh, &err);
	for (size_t i = 0; i < nsh && rc == 0; i++) {
		if (mapped(&sh[i]) || (a->max_count && o.count >= a->max_count))
			continue;
		o.m = crimg_mem_open_shmem(c, sh[i].id, &a->mopts, &err);
		snprintf(what, sizeof(what), "searching shmem %" PRIu64, sh[i].id);
		mem_progress_init(&o.pr, what);
		rc = o.m ? search_one(&o, p, &err) : -1;
		crimg_mem_close(o.m);
	}
out:
	if (a->json && rc == 0)
		printf("\n], \"count\": %" PRIu64 "}\n", o.count);
	else if (a->json)
		printf("\n]}\n"); /* keep the document whole; the error is on stderr */
	if (rc < 0)
		error_crimg(&err);
	free(sh);
	free(pids);
	crimg_mem_pattern_free(p);
	if (rc < 0)
		return 2;
	return o.count ? 0 : 1;
}
