/* crit mem SRC: memory of each process, then the shared memory objects. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crimg/model.h"
#include "jsonout.h"
#include "mem_cli.h"
#include "util.h"

struct row {
	uint32_t pid;
	const char *comm;
	const char *state; /* "alive", "zombie", ... */
	int has_mm;
	size_t vmas;
	uint64_t size, dumped, shared, lazy;
};

static int fill_row(struct crimg_ckpt *c, const struct mem_args *a, struct row *r,
		    struct crimg_error *err)
{
	/* the command and state when core-PID.img says them (a pre-dump has
	 * no process tree and no cores) */
	const struct crimg_task *t = crimg_ckpt_task(c, r->pid, NULL);
	const struct crimg_task_brief *b = t ? crimg_task_brief(c, t, NULL) : NULL;
	r->comm = b && b->comm ? b->comm : "";
	r->state = b ? crimg_task_state_name(b->state) : "unknown";
	if (!mem_has_memory(c, r->pid))
		return 0; /* a zombie: no memory */
	struct crimg_mem *m = crimg_mem_open(c, r->pid, &a->mopts, err);
	if (!m)
		return -1;
	const struct crimg_mem_vma *v;
	r->vmas = crimg_mem_vmas(m, &v);
	r->has_mm = 1;
	for (size_t i = 0; i < r->vmas; i++) {
		r->size += v[i].end - v[i].start;
		r->dumped += v[i].dumped;
		r->lazy += v[i].lazy;
		if (v[i].flags & 1) /* MAP_SHARED */
			r->shared += v[i].end - v[i].start;
	}
	crimg_mem_close(m);
	return 0;
}

static void print_json(const struct row *rows, size_t n, const struct crimg_shmem_info *sh,
		       size_t nsh)
{
	printf("{\"processes\": [");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		printf("%s\n  {\"pid\": %" PRIu32 ", \"comm\": ", i ? "," : "", r->pid);
		json_put_str(stdout, r->comm, strlen(r->comm), 0);
		printf(", \"state\": \"%s\"", r->state);
		if (r->has_mm)
			printf(", \"vmas\": %zu, \"size\": %" PRIu64 ", \"dumped\": %" PRIu64
			       ", \"lazy\": %" PRIu64 ", \"shared\": %" PRIu64 "}",
			       r->vmas, r->size, r->dumped, r->lazy, r->shared);
		else
			printf(", \"vmas\": null, \"size\": null, \"dumped\": null, \"lazy\": null, \"shared\": null}");
	}
	printf("\n], \"shmem\": [");
	for (size_t i = 0; i < nsh; i++) {
		printf("%s\n  {\"id\": %" PRIu64 ", \"kind\": \"%s\", \"name\": ", i ? "," : "",
		       sh[i].id, sh[i].kind);
		json_put_str(stdout, sh[i].name, strlen(sh[i].name), 0);
		printf(", \"size\": %" PRIu64 ", \"dumped\": %" PRIu64 ", \"mapped_by\": %" PRIu32
		       "}",
		       sh[i].size, sh[i].dumped, sh[i].mapped_by);
	}
	printf("\n]}\n");
}

/* Prints cells[rows][cols] left-aligned in columns two spaces apart. */
static void print_cols(char *cells[][7], size_t rows, size_t cols)
{
	size_t w[7] = { 0 };
	for (size_t r = 0; r < rows; r++)
		for (size_t k = 0; k < cols; k++)
			if (strlen(cells[r][k]) > w[k])
				w[k] = strlen(cells[r][k]);
	for (size_t r = 0; r < rows; r++) {
		for (size_t k = 0; k < cols; k++) {
			if (k + 1 == cols)
				printf("%s\n", cells[r][k]);
			else
				printf("%-*s  ", (int)w[k], cells[r][k]);
		}
	}
}

static void print_text(const struct row *rows, size_t n, const struct crimg_shmem_info *sh,
		       size_t nsh, int exact)
{
	size_t rows_max = (n > nsh ? n : nsh) + 1;
	char *(*tab)[7] = calloc(rows_max, sizeof(*tab));
	char *store = calloc(rows_max * 7, 300);
	if (!tab || !store) {
		free(tab);
		free(store);
		error("out of memory");
		return;
	}
	for (size_t r = 0; r < rows_max; r++)
		for (size_t k = 0; k < 7; k++)
			tab[r][k] = store + (r * 7 + k) * 300;
	static const char *const head[] = { "PID", "COMM", "VMAS", "SIZE", "DUMPED", "SHARED" };
	for (size_t k = 0; k < 6; k++)
		snprintf(tab[0][k], 300, "%s", head[k]);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char **t = tab[i + 1];
		snprintf(t[0], 300, "%" PRIu32, r->pid);
		if (!r->has_mm) {
			snprintf(t[1], 300, "%s (%s, no memory)", r->comm, r->state);
			for (size_t k = 2; k < 6; k++)
				snprintf(t[k], 300, "-");
			continue;
		}
		snprintf(t[1], 300, "%s", r->comm[0] ? r->comm : "-");
		snprintf(t[2], 300, "%zu", r->vmas);
		mem_size_str(r->size, exact, t[3], 300);
		mem_size_str(r->dumped, exact, t[4], 300);
		mem_size_str(r->shared, exact, t[5], 300);
	}
	print_cols(tab, n + 1, 6);
	if (nsh) {
		static const char *const h2[] = { "SHMEM", "KIND",   "NAME",
						  "SIZE",  "DUMPED", "MAPPED BY" };
		for (size_t k = 0; k < 6; k++)
			snprintf(tab[0][k], 300, "%s", h2[k]);
		for (size_t i = 0; i < nsh; i++) {
			char **t = tab[i + 1];
			snprintf(t[0], 300, "%" PRIu64, sh[i].id);
			snprintf(t[1], 300, "%s", sh[i].kind);
			snprintf(t[2], 300, "%s", sh[i].name[0] ? sh[i].name : "-");
			mem_size_str(sh[i].size, exact, t[3], 300);
			mem_size_str(sh[i].dumped, exact, t[4], 300);
			snprintf(t[5], 300, "%" PRIu32 " process%s", sh[i].mapped_by,
				 sh[i].mapped_by == 1 ? "" : "es");
		}
		printf("\n");
		print_cols(tab, nsh + 1, 6);
	}
	free(tab);
	free(store);
}

int mem_has_memory(struct crimg_ckpt *c, uint32_t pid)
{
	char name[64];
	snprintf(name, sizeof(name), "mm-%u.img", pid);
	if (crimg_ckpt_has(c, name))
		return 1;
	/* a pre-dump: pagemaps without memory maps */
	snprintf(name, sizeof(name), "pagemap-%u.img", pid);
	return !crimg_ckpt_has(c, "pstree.img") && crimg_ckpt_has(c, name);
}

int mem_table(struct crimg_ckpt *c, const struct mem_args *a)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	uint32_t *pids;
	size_t n;
	if (crimg_mem_tasks(c, &pids, &n, &err) < 0)
		return error_crimg(&err), 1;
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(pids);
		return error("out of memory"), 1;
	}
	int rc = 1;
	struct crimg_shmem_info *sh = NULL;
	size_t nsh = 0;
	/* everything is read before anything is printed: an error leaves no
	 * half table */
	for (size_t i = 0; i < n; i++) {
		rows[i].pid = pids[i];
		if (fill_row(c, a, &rows[i], &err) < 0) {
			error_crimg(&err);
			goto out;
		}
	}
	if (crimg_mem_shmem_list(c, &a->mopts, &sh, &nsh, &err) < 0) {
		error_crimg(&err);
		goto out;
	}
	if (a->json)
		print_json(rows, n, sh, nsh);
	else
		print_text(rows, n, sh, nsh, a->bytes);
	rc = 0;
out:
	free(sh);
	free(rows);
	free(pids);
	return rc;
}
