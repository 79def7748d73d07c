/*
 * crit x env / cmdline: the environment and the arguments of every process,
 * read from its memory (the strings the kernel keeps between mm_env_start
 * and mm_env_end, mm_arg_start and mm_arg_end) through crimg/mem.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crimg/mem.h"
#include "util.h"
#include "x.h"

/* Text: printable bytes as they are, the rest as \xNN. */
static void put_escaped(FILE *f, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			fputc(s[i], f);
		else if (s[i] == '\\')
			fputs("\\\\", f);
		else
			fprintf(f, "\\x%02x", s[i]);
	}
}

/* An argument as a shell would need it: bare when safe, else '...'. */
static void put_arg(FILE *f, const uint8_t *s, size_t n)
{
	int plain = n > 0;
	for (size_t i = 0; i < n && plain; i++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			       "-_./=:,+@%",
			       s[i]) != NULL &&
			s[i];
	if (plain) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('\'', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			fputs("'\\''", f);
		else if (s[i] >= 0x20 && s[i] < 0x7f)
			fputc(s[i], f);
		else
			fprintf(f, "\\x%02x", s[i]);
	}
	fputc('\'', f);
}

static int strings_view(struct xctx *x, enum crimg_mem_area area)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	struct xj *j = &x->j;
	char eb[64];
	int rc = 0;
	if (x->json) {
		xj_obj(j, NULL);
		xj_arr(j, "tasks");
	}
	for (size_t i = 0; i < tr->n_tasks && !rc; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		if (!x_selected(x, t))
			continue;
		const struct crimg_task_core *core = crimg_task_core(x->c, t, &err);
		if (!core)
			return x_fail(&err);
		int z = crimg_task_is_zombie(core);
		uint8_t *b = NULL;
		size_t len = 0;
		uint64_t addr = 0;
		if (!z) {
			struct crimg_mem *m = crimg_mem_open(x->c, t->pid, NULL, &err);
			b = m ? crimg_mem_area(m, area, &len, &addr, &err) : NULL;
			crimg_mem_close(m);
			if (!b) {
				rc = x_fail(&err);
				break;
			}
		}
		if (x->json) {
			xj_obj(j, NULL);
			xj_u64(j, "pid", t->pid);
			xj_str(j, "comm", core->comm);
			xj_str(j, "state", crimg_task_state_name(core->state));
			if (!z)
				xj_hex(j, "address", addr);
			xj_arr(j, "strings");
		} else if (area == CRIMG_MEM_ENV) {
			fprintf(x->out, "%u\n", t->pid);
		} else {
			fprintf(x->out, "%7u", t->pid);
		}
		if (z && !x->json)
			fprintf(x->out,
				area == CRIMG_MEM_ENV ? "\tzombie, %s, no memory\n"
						      : "  [zombie, %s]\n",
				x_exit_str(core->exit_code, eb, sizeof(eb)));
		/* NUL-ended strings; a last one without its NUL counts too.
		 * Trailing NULs are pages CRIU did not save (or padding): no
		 * strings there */
		while (len && !b[len - 1])
			len--;
		size_t n_str = 0;
		for (size_t s = 0; s < len;) {
			size_t e = s;
			while (e < len && b[e])
				e++;
			if (x->json) {
				xj_strn(j, NULL, b + s, e - s);
			} else if (area == CRIMG_MEM_ENV) {
				fputc('\t', x->out);
				put_escaped(x->out, b + s, e - s);
				fputc('\n', x->out);
			} else {
				fputs(n_str ? " " : "  ", x->out);
				put_arg(x->out, b + s, e - s);
			}
			n_str++;
			s = e + 1;
		}
		if (x->json) {
			xj_end_arr(j);
			xj_end_obj(j);
		} else if (area == CRIMG_MEM_ARGV && !z) {
			fputc('\n', x->out);
		}
		free(b);
	}
	if (!rc && x->json) {
		xj_end_arr(j);
		xj_end_obj(j);
		xj_finish(j);
	}
	return rc;
}

int x_env(struct xctx *x)
{
	return strings_view(x, CRIMG_MEM_ENV);
}

int x_cmdline(struct xctx *x)
{
	return strings_view(x, CRIMG_MEM_ARGV);
}
