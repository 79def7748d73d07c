/* A task's registers: for each thread its name, then its general
 * registers as the architecture names them (Enter on one that holds a
 * mapped address opens the memory there), then its extended state (FPU,
 * vector, TLS: the thread_info entry the model keeps), folded until Enter.
 *
 * Also here: tui_task_json_walk(), which renders an entry the model keeps
 * to JSON (crimg_json_message) and calls back with each scalar under its
 * path; the summary uses it for the inventory fields the model leaves out. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "crimg/json.h"
#include "tui.h"

/* ---- an entry's JSON, flattened ---- */

#define JSON_MAX (4u << 20) /* an entry's JSON we read at most */
#define JSON_DEPTH 24

typedef void tui_json_fn(void *arg, const char *key, const char *val, int is_str);

struct jw {
	const char *p, *end;
	char path[512];
	tui_json_fn *fn;
	void *arg;
	int hex;        /* integers as 0x... */
	unsigned per;   /* scalars of an array per callback */
	char val[1024]; /* a scalar, or a chunk of an array's */
	int bad;
};

static void jw_ws(struct jw *w)
{
	while (w->p < w->end && (*w->p == ' ' || *w->p == '\n' || *w->p == '\t' || *w->p == '\r'))
		w->p++;
}

/* A scalar at w->p into out (strings unescaped, \u as '?'); *is_str. */
static int jw_scalar(struct jw *w, char *out, size_t n, int *is_str)
{
	size_t o = 0;
	*is_str = 0;
	if (w->p >= w->end)
		return -1;
	if (*w->p == '"') {
		*is_str = 1;
		w->p++;
		while (w->p < w->end && *w->p != '"') {
			char c = *w->p++;
			if (c == '\\' && w->p < w->end) {
				c = *w->p++;
				if (c == 'u') {
					w->p += (w->end - w->p) >= 4 ? 4 : (w->end - w->p);
					c = '?';
				} else if (c == 'n' || c == 't' || c == 'r' || c == 'b' ||
					   c == 'f') {
					c = '?';
				}
			}
			if (o + 1 < n)
				out[o++] = c;
		}
		if (w->p >= w->end)
			return -1;
		w->p++;
		out[o] = 0;
		return 0;
	}
	const char *s = w->p;
	while (w->p < w->end && !strchr(",]} \n\t\r", *w->p))
		w->p++;
	size_t l = (size_t)(w->p - s);
	if (!l)
		return -1;
	if (w->hex && strspn(s, "0123456789") == l && l < 21) {
		char num[24];
		memcpy(num, s, l);
		num[l] = 0;
		snprintf(out, n, "0x%llx", strtoull(num, NULL, 10));
		return 0;
	}
	if (l >= n)
		l = n - 1;
	memcpy(out, s, l);
	out[l] = 0;
	return 0;
}

static int jw_value(struct jw *w, int depth);

static int jw_object(struct jw *w, int depth)
{
	size_t plen = strlen(w->path);
	w->p++; /* { */
	jw_ws(w);
	if (w->p < w->end && *w->p == '}') {
		w->p++;
		return 0;
	}
	for (;;) {
		char key[128];
		int is_str;
		jw_ws(w);
		if (w->p >= w->end || *w->p != '"' || jw_scalar(w, key, sizeof(key), &is_str))
			return -1;
		jw_ws(w);
		if (w->p >= w->end || *w->p != ':')
			return -1;
		w->p++;
		snprintf(w->path + plen, sizeof(w->path) - plen, "%s%s", plen ? "." : "", key);
		if (jw_value(w, depth + 1))
			return -1;
		w->path[plen] = 0;
		jw_ws(w);
		if (w->p < w->end && *w->p == ',') {
			w->p++;
			continue;
		}
		if (w->p < w->end && *w->p == '}') {
			w->p++;
			return 0;
		}
		return -1;
	}
}

static int jw_array(struct jw *w, int depth)
{
	size_t plen = strlen(w->path);
	size_t i = 0, first = 0, vo = 0;
	unsigned inchunk = 0;
	char one[128];
	w->p++; /* [ */
	jw_ws(w);
	if (w->p < w->end && *w->p == ']') {
		w->p++;
		w->fn(w->arg, w->path, "[]", 0);
		return 0;
	}
	for (;; i++) {
		jw_ws(w);
		if (w->p >= w->end)
			return -1;
		if (*w->p == '{' || *w->p == '[') {
			snprintf(w->path + plen, sizeof(w->path) - plen, "[%zu]", i);
			if (jw_value(w, depth + 1))
				return -1;
			w->path[plen] = 0;
		} else {
			int is_str;
			if (jw_scalar(w, one, sizeof(one), &is_str))
				return -1;
			if (!inchunk) {
				first = i;
				vo = 0;
			}
			vo += (size_t)snprintf(w->val + vo,
					       vo < sizeof(w->val) ? sizeof(w->val) - vo : 0,
					       "%s%s", inchunk ? " " : "", one);
			if (vo >= sizeof(w->val))
				vo = sizeof(w->val) - 1;
			if (++inchunk == w->per) {
				snprintf(w->path + plen, sizeof(w->path) - plen, "[%zu]", first);
				w->fn(w->arg, w->path, w->val, 0);
				w->path[plen] = 0;
				inchunk = 0;
			}
		}
		jw_ws(w);
		if (w->p < w->end && *w->p == ',') {
			w->p++;
			continue;
		}
		if (w->p < w->end && *w->p == ']') {
			w->p++;
			break;
		}
		return -1;
	}
	if (inchunk) {
		snprintf(w->path + plen, sizeof(w->path) - plen, "[%zu]", first);
		w->fn(w->arg, w->path, w->val, 0);
		w->path[plen] = 0;
	}
	return 0;
}

static int jw_value(struct jw *w, int depth)
{
	if (depth > JSON_DEPTH)
		return -1;
	jw_ws(w);
	if (w->p >= w->end)
		return -1;
	if (*w->p == '{')
		return jw_object(w, depth);
	if (*w->p == '[')
		return jw_array(w, depth);
	int is_str;
	if (jw_scalar(w, w->val, sizeof(w->val), &is_str))
		return -1;
	w->fn(w->arg, w->path, w->val, is_str);
	return 0;
}

/* Calls fn for each scalar of m's JSON (as crit decode prints the entry)
 * with its path ("fpregs.mxcsr", "tls[0].base_addr"); arrays of scalars
 * come per values at a time, joined by spaces, keyed by the first index
 * ("xmm_space[8]").  hex: integers as 0x....  0, or -1 with err filled. */
int tui_task_json_walk(const ProtobufCMessage *m, enum crimg_byte_order bo, int hex, unsigned per,
		       tui_json_fn *fn, void *arg, struct crimg_error *err);
int tui_task_json_walk(const ProtobufCMessage *m, enum crimg_byte_order bo, int hex, unsigned per,
		       tui_json_fn *fn, void *arg, struct crimg_error *err)
{
	int fd = memfd_create("crit-tui-json", MFD_CLOEXEC);
	FILE *tf = NULL;
	if (fd < 0) {
		tf = tmpfile();
		fd = tf ? fileno(tf) : -1;
	}
	if (fd < 0) {
		snprintf(err->msg, sizeof(err->msg), "no temporary file for the entry's JSON");
		return -1;
	}
	int rc = -1;
	char *buf = NULL;
	struct crimg_out *o = crimg_out_new(fd, "JSON");
	if (!o) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out;
	}
	if (crimg_json_message(m, bo, 0, o, err) || crimg_out_flush(o, err))
		goto out;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0 || (uint64_t)size > JSON_MAX) {
		snprintf(err->msg, sizeof(err->msg),
			 "the entry's JSON is too large to show (%lld bytes)", (long long)size);
		goto out;
	}
	buf = malloc((size_t)size + 1);
	if (!buf || pread(fd, buf, (size_t)size, 0) != (ssize_t)size) {
		snprintf(err->msg, sizeof(err->msg),
			 buf ? "cannot read the entry's JSON back" : "out of memory");
		goto out;
	}
	struct jw w = {
		.p = buf, .end = buf + size, .fn = fn, .arg = arg, .hex = hex, .per = per ? per : 1
	};
	if (jw_value(&w, 0)) {
		snprintf(err->msg, sizeof(err->msg), "cannot follow the entry's JSON");
		goto out;
	}
	rc = 0;
out:
	free(buf);
	crimg_out_free(o);
	if (tf)
		fclose(tf);
	else
		close(fd);
	return rc;
}

/* ---- the view ---- */

enum rkind {
	RK_ERROR,  /* the task or its threads cannot be read (text in err) */
	RK_THREAD, /* a thread's title */
	RK_REG,    /* a general register */
	RK_NOREGS, /* a thread without registers (a zombie) */
	RK_XFOLD,  /* the extended state, folded or not */
	RK_XROW,   /* one line of it */
	RK_BLANK,
};

struct xline {
	char *key, *val;
};
struct xstate {
	int done, failed;
	char err[300];
	struct xline *l;
	size_t n, cap;
};

struct rrow {
	unsigned char kind;
	uint32_t th;  /* thread index */
	uint32_t idx; /* register or extended-state line */
};

struct regs_view {
	const struct crimg_task *task;
	const struct crimg_thread *th;
	size_t n_th;
	char err[300];
	struct xstate *xs; /* per thread, made on the first unfold */
	unsigned char *open;
	struct rrow *rows;
	size_t n_rows;
	const struct crimg_task_mm *mm; /* for which mapping a value is in */
	int mm_tried;
};

static void xs_add(void *arg, const char *key, const char *val, int is_str)
{
	struct xstate *x = arg;
	(void)is_str;
	if (!strncmp(key, "gpregs.", 7) || x->n >= 100000)
		return; /* shown above, or absurd */
	if (x->n == x->cap) {
		size_t c = x->cap ? x->cap * 2 : 32;
		struct xline *l = realloc(x->l, c * sizeof(*l));
		if (!l)
			return;
		x->l = l;
		x->cap = c;
	}
	x->l[x->n].key = strdup(key);
	x->l[x->n].val = strdup(val);
	if (!x->l[x->n].key || !x->l[x->n].val) {
		free(x->l[x->n].key);
		free(x->l[x->n].val);
		return;
	}
	x->n++;
}

static struct xstate *xstate_of(struct tui *t, struct regs_view *rv, size_t k)
{
	struct xstate *x = &rv->xs[k];
	if (x->done)
		return x;
	x->done = 1;
	const ProtobufCMessage *ti = rv->th[k].regs.thread_info;
	if (!ti) {
		snprintf(x->err, sizeof(x->err), "no extended state recorded");
		x->failed = 1;
		return x;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	enum crimg_byte_order bo = crimg_host_byte_order();
	const struct crimg_entries *e = crimg_ckpt_entriesf(t->c, &err, "core-%u.img",
							    rv->th[k].tid);
	if (e)
		bo = e->byte_order;
	crimg_error_clear(&err);
	if (tui_task_json_walk(ti, bo, 1, 4, xs_add, x, &err)) {
		tui_errstr(&err, x->err, sizeof(x->err));
		x->failed = 1;
	}
	return x;
}

static void rows_add(struct regs_view *rv, size_t *cap, int kind, size_t th, size_t idx)
{
	if (rv->n_rows == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct rrow *r = realloc(rv->rows, c * sizeof(*r));
		if (!r)
			return;
		rv->rows = r;
		*cap = c;
	}
	rv->rows[rv->n_rows++] = (struct rrow){ (unsigned char)kind, (uint32_t)th, (uint32_t)idx };
}

/* The rows: rebuilt when a thread's extended state folds or unfolds. */
static void rows_build(struct tui *t, struct regs_view *rv)
{
	size_t cap = 0;
	free(rv->rows);
	rv->rows = NULL;
	rv->n_rows = 0;
	if (!rv->th) {
		rows_add(rv, &cap, RK_ERROR, 0, 0);
		return;
	}
	for (size_t k = 0; k < rv->n_th; k++) {
		if (k)
			rows_add(rv, &cap, RK_BLANK, k, 0);
		rows_add(rv, &cap, RK_THREAD, k, 0);
		const struct crimg_regs *r = &rv->th[k].regs;
		if (!r->n_gp)
			rows_add(rv, &cap, RK_NOREGS, k, 0);
		for (size_t g = 0; g < r->n_gp; g++)
			rows_add(rv, &cap, RK_REG, k, g);
		if (!r->thread_info)
			continue;
		rows_add(rv, &cap, RK_XFOLD, k, 0);
		if (rv->open[k]) {
			struct xstate *x = xstate_of(t, rv, k);
			for (size_t i = 0; i < x->n; i++)
				rows_add(rv, &cap, RK_XROW, k, i);
		}
	}
}

static size_t regs_count(struct tui *t, struct tui_view *v)
{
	return ((struct regs_view *)v->priv)->n_rows;
}

static const struct crimg_task_mm *mm_of(struct tui *t, struct regs_view *rv)
{
	if (!rv->mm_tried && rv->task) {
		struct crimg_error err;
		crimg_error_clear(&err);
		rv->mm_tried = 1;
		rv->mm = crimg_task_mm(t->c, rv->task, &err);
	}
	return rv->mm;
}

static void regs_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	tui_row_add(r, TR_HEADER, "  REGISTER  VALUE               WHERE IT POINTS");
}

static void regs_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct regs_view *rv = v->priv;
	const struct rrow *rr = &rv->rows[i];
	const struct crimg_thread *th = rv->th ? &rv->th[rr->th] : NULL;
	switch (rr->kind) {
	case RK_ERROR:
		tui_row_add(r, TR_ERROR, "%s", rv->err);
		break;
	case RK_BLANK:
		break;
	case RK_THREAD:
		tui_row_add(r, TR_HEADER, "thread %u", th->tid);
		if (th->comm) {
			tui_row_add(r, TR_HEADER, " ");
			tui_row_addn(r, TR_ACCENT, th->comm, strlen(th->comm));
		}
		tui_row_add(r, TR_DIM, "  %zu/%zu%s", (size_t)rr->th + 1, rv->n_th,
			    rr->th ? "" : " (main)");
		if (th->regs.arch)
			tui_row_add(r, TR_DIM, "  %s", th->regs.arch);
		if (th->regs.n_gp) {
			tui_row_add(r, TR_DIM, "  pc ");
			tui_row_add(r, TR_ADDR, "0x%" PRIx64, th->regs.pc);
			tui_row_add(r, TR_DIM, " sp ");
			tui_row_add(r, TR_ADDR, "0x%" PRIx64, th->regs.sp);
			tui_row_add(r, TR_DIM, " tls ");
			tui_row_add(r, TR_ADDR, "0x%" PRIx64, th->regs.tls);
		}
		break;
	case RK_NOREGS:
		tui_row_add(r, TR_WARN, "  no registers (a zombie keeps none)");
		break;
	case RK_REG: {
		const struct crimg_reg *g = &th->regs.gp[rr->idx];
		tui_row_add(r, TR_DIM, "  %-9s ", g->name ? g->name : "?");
		tui_row_add(r, TR_ADDR, "0x%016" PRIx64, g->value);
		const struct crimg_task_mm *mm = g->value ? mm_of(t, rv) : NULL;
		const struct crimg_task_vma *vma = mm ? crimg_mm_find_vma(mm, g->value) : NULL;
		if (vma) {
			const char *nm = vma->name && *vma->name ? vma->name : "[anon]";
			tui_row_add(r, TR_TEXT, "  ");
			tui_row_addn(r, TR_LINK, nm, strlen(nm));
			tui_row_add(r, TR_DIM, " +0x%" PRIx64, g->value - vma->start);
		}
		break;
	}
	case RK_XFOLD: {
		int open = rv->open[rr->th];
		tui_row_add(r, TR_ACCENT, "  %s extended state", open ? "-" : "+");
		if (open) {
			struct xstate *x = xstate_of(t, rv, rr->th);
			if (x->failed)
				tui_row_add(r, TR_ERROR, "  %s", x->err);
			else
				tui_row_add(r, TR_DIM, "  (%zu lines; Enter folds)", x->n);
		} else {
			tui_row_add(r, TR_DIM, "  (FPU, vector registers, TLS; Enter unfolds)");
		}
		break;
	}
	case RK_XROW: {
		struct xstate *x = xstate_of(t, rv, rr->th);
		if (rr->idx >= x->n)
			break;
		const struct xline *l = &x->l[rr->idx];
		tui_row_add(r, TR_TEXT, "    ");
		tui_row_addn(r, TR_DIM, l->key, strlen(l->key));
		tui_row_pad(r, 28);
		tui_row_add(r, TR_TEXT, " ");
		tui_row_addn(r, strncmp(l->val, "0x", 2) ? TR_TEXT : TR_ADDR, l->val,
			     strlen(l->val));
		break;
	}
	}
}

static void regs_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	struct regs_view *rv = v->priv;
	if (sel >= rv->n_rows)
		return;
	const struct rrow *rr = &rv->rows[sel];
	if (rr->kind == RK_XFOLD) {
		rv->open[rr->th] = !rv->open[rr->th];
		rows_build(t, rv);
		tui_select(t, v, sel);
		return;
	}
	if (rr->kind != RK_REG) {
		tui_msg(t, TR_TEXT, "Enter on a register opens the memory it points to");
		return;
	}
	const struct crimg_reg *g = &rv->th[rr->th].regs.gp[rr->idx];
	const struct crimg_task_mm *mm = mm_of(t, rv);
	if (!mm || !crimg_mm_find_vma(mm, g->value)) {
		tui_msg(t, TR_WARN, "%s 0x%" PRIx64 " is not a mapped address",
			g->name ? g->name : "?", g->value);
		return;
	}
	tui_push(t, tui_view_mem(t, v->pid, g->value));
}

static void regs_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	tui_task_tabs(t, v->pid, TT_REGS, buf, n);
}

static void regs_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct regs_view *rv = v->priv;
	if (!rv->th || v->sel >= rv->n_rows) {
		snprintf(buf, n, "registers");
		return;
	}
	const struct rrow *rr = &rv->rows[v->sel];
	const struct crimg_thread *th = &rv->th[rr->th];
	int o = snprintf(buf, n, "thread %zu/%zu  tid %u", (size_t)rr->th + 1, rv->n_th, th->tid);
	if (o < 0 || (size_t)o >= n)
		return;
	if (rr->kind == RK_REG) {
		const struct crimg_reg *g = &th->regs.gp[rr->idx];
		snprintf(buf + o, n - (size_t)o, "  %s 0x%" PRIx64 "  Enter: memory there",
			 g->name ? g->name : "?", g->value);
	} else if (th->regs.n_gp) {
		snprintf(buf + o, n - (size_t)o, "  pc 0x%" PRIx64, th->regs.pc);
	}
}

static int regs_key(struct tui *t, struct tui_view *v, int key)
{
	struct regs_view *rv = v->priv;
	if (tui_task_tab_key(t, v, key))
		return 1;
	if ((key == '}' || key == '{') && rv->n_rows) {
		/* the next (previous) thread's title */
		size_t i = v->sel;
		if (key == '}') {
			while (++i < rv->n_rows && rv->rows[i].kind != RK_THREAD)
				;
		} else {
			while (i-- > 0 && rv->rows[i].kind != RK_THREAD)
				;
		}
		if (i < rv->n_rows) {
			tui_select(t, v, i);
			v->top = i; /* the thread's title at the top */
		}
		return 1;
	}
	return 0;
}

static void regs_free(struct tui_view *v)
{
	struct regs_view *rv = v->priv;
	if (!rv)
		return;
	for (size_t k = 0; rv->xs && k < rv->n_th; k++) {
		for (size_t i = 0; i < rv->xs[k].n; i++) {
			free(rv->xs[k].l[i].key);
			free(rv->xs[k].l[i].val);
		}
		free(rv->xs[k].l);
	}
	free(rv->xs);
	free(rv->open);
	free(rv->rows);
	free(rv);
}

extern const char *const tui_task_help[];
static const char *regs_help[8];

static const struct tui_view_ops regs_ops = {
	.name = "registers",
	.title = regs_title,
	.count = regs_count,
	.row = regs_row,
	.header = regs_header,
	.enter = regs_enter,
	.key = regs_key,
	.status = regs_status,
	.help = regs_help,
	.free = regs_free,
};

struct tui_view *tui_tab_regs(struct tui *t, uint32_t pid)
{
	struct regs_view *rv = calloc(1, sizeof(*rv));
	if (!rv)
		goto oom;
	if (!regs_help[0]) {
		size_t k = 0;
		for (; tui_task_help[k] && k < 4; k++)
			regs_help[k] = tui_task_help[k];
		regs_help[k++] = "  Enter           on a register: the memory it points to";
		regs_help[k++] = "                  on extended state: fold or unfold it";
		regs_help[k++] = "  { }             previous, next thread";
		regs_help[k] = NULL;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	rv->task = tui_task(t, pid);
	if (!rv->task) {
		snprintf(rv->err, sizeof(rv->err), "pid %u: no such task%s%s", pid,
			 t->tree ? "" : ": ", t->tree ? "" : t->tree_err);
	} else {
		rv->th = crimg_task_threads(t->c, rv->task, &rv->n_th, &err);
		if (!rv->th)
			tui_errstr(&err, rv->err, sizeof(rv->err));
	}
	if (rv->th && rv->n_th) {
		rv->xs = calloc(rv->n_th, sizeof(*rv->xs));
		rv->open = calloc(rv->n_th, 1);
		if (!rv->xs || !rv->open)
			goto oom;
	} else if (rv->th) {
		rv->th = NULL;
		snprintf(rv->err, sizeof(rv->err), "pid %u: no threads recorded", pid);
	}
	rows_build(t, rv);
	struct tui_view *v = tui_view_new(&regs_ops, rv, pid);
	if (v)
		return v;
oom:
	if (rv)
		regs_free(&(struct tui_view){ .priv = rv });
	tui_msg(t, TR_ERROR, "out of memory");
	return NULL;
}
