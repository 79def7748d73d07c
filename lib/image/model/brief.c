/*
 * The brief of a task: command, state and exit code, read straight from the
 * wire bytes of core-PID.img.  `crit x ps` of thousands of tasks needs no
 * more, and unpacking every core whole (registers, 62 signal handlers,
 * limits, ...) would be most of its time.
 */
#include <stdio.h>

#include "core.pb-c.h"

#include "model/model_int.h"

/* A varint at *p (< end); 0 on malformed input. */
static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;
	for (unsigned sh = 0; *p < end && sh < 64; sh += 7) {
		uint8_t b = *(*p)++;
		r |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80)) {
			*v = r;
			return 1;
		}
	}
	return 0;
}

/* Calls fn for each field of a message's wire bytes; 0 on malformed input
 * (or a group, which CRIU never writes). */
struct wire_field {
	uint32_t num;
	unsigned wt;
	uint64_t v;          /* varint */
	const uint8_t *data; /* length-delimited */
	size_t len;
};
static int next_field(const uint8_t **p, const uint8_t *end, struct wire_field *f)
{
	uint64_t key;
	if (!varint(p, end, &key))
		return 0;
	f->num = (uint32_t)(key >> 3);
	f->wt = key & 7;
	switch (f->wt) {
	case 0:
		return varint(p, end, &f->v);
	case 1:
		if (end - *p < 8)
			return 0;
		*p += 8;
		return 1;
	case 2:
		if (!varint(p, end, &f->v) || f->v > (uint64_t)(end - *p))
			return 0;
		f->data = *p;
		f->len = (size_t)f->v;
		*p += f->len;
		return 1;
	case 5:
		if (end - *p < 4)
			return 0;
		*p += 4;
		return 1;
	default:
		return 0;
	}
}

/*
 * `crit x ps` needs the command and the state of every task and nothing
 * else of core-PID.img, whose full unpack (registers, 62 signal handlers,
 * limits, ...) is most of its cost: read just core_entry.tc's task_state
 * (1), exit_code (2) and comm (6) from the wire, with thread_core.comm (13)
 * for a core without tc.  0 when the bytes are not as expected: the caller
 * then unpacks for real (and reports what is wrong).
 */
static int scan_brief(const uint8_t *p, size_t n, struct crimg_task_brief *b, struct crimg_model *m)
{
	const uint8_t *end = p + n, *comm = NULL, *tcomm = NULL;
	size_t comm_len = 0, tcomm_len = 0;
	int have_tc = 0;
	struct wire_field f;
	/* tc and thread_core as a protobuf parser merges them: every
	 * occurrence, in order; thread_core (large: creds, signals, ...)
	 * only when tc is absent, as its comm is then the one used */
	for (int pass = 0; pass < 2; pass++) {
		unsigned want = pass == 0 ? 3 : 5;
		if (pass == 1 && have_tc)
			break;
		for (const uint8_t *r = p; r < end;) {
			if (!next_field(&r, end, &f))
				return 0;
			if (f.num != want || f.wt != 2)
				continue;
			const uint8_t *q = f.data, *qe = f.data + f.len;
			struct wire_field g;
			if (want == 3)
				have_tc = 1;
			while (q < qe) {
				if (!next_field(&q, qe, &g))
					return 0;
				if (want == 3 && g.num == 1 && g.wt == 0)
					b->state = (unsigned)g.v;
				else if (want == 3 && g.num == 2 && g.wt == 0)
					b->exit_code = (uint32_t)g.v;
				else if (want == 3 && g.num == 6 && g.wt == 2)
					comm = g.data, comm_len = g.len;
				else if (want == 5 && g.num == 13 && g.wt == 2)
					tcomm = g.data, tcomm_len = g.len;
			}
		}
	}
	if (have_tc && !comm)
		return 0; /* tc's comm is required: let the unpack say so */
	const char *s = (const char *)(comm ? comm : tcomm);
	size_t len = comm ? comm_len : tcomm_len;
	b->comm = model_strndup(m, s ? s : "", s ? len : 0);
	return b->comm != NULL;
}

const struct crimg_task_brief *crimg_task_brief(struct crimg_ckpt *c, const struct crimg_task *t,
						struct crimg_error *err)
{
	struct task_cache *tc = &c->model->tc[t->index];
	if (tc->brief)
		return tc->brief;
	struct crimg_model *m = c->model;
	struct crimg_task_brief *b = model_alloc(m, sizeof(*b));
	if (!b) {
		model_oom(err, "core");
		return NULL;
	}
	int ok = 0;
	if (!tc->core) {
		char name[64];
		size_t len;
		snprintf(name, sizeof(name), "core-%u.img", t->pid);
		/* looked at once: not kept (a full unpack, below or later, reads it again) */
		const uint8_t *d = crimg_ckpt_has(c, name)
			? crimg_ckpt_data_transient(c, name, &len, NULL)
			: NULL;
		struct crimg_reader *r = d ? crimg_reader_open_mem(d, len, name, &c->lim, NULL)
					   : NULL;
		struct crimg_entry ent;
		if (r && crimg_reader_kind(r)->desc == &core_entry__descriptor) {
			crimg_reader_set_lazy(r, 1);
			ok = crimg_reader_next(r, &ent, NULL) > 0 && ent.payload &&
				scan_brief(ent.payload, ent.payload_len, b, m);
		}
		crimg_reader_close(r);
	}
	if (!ok) {
		const struct crimg_task_core *k = crimg_task_core(c, t, err);
		if (!k)
			return NULL;
		b->comm = k->comm;
		b->state = k->state;
		b->exit_code = k->exit_code;
	}
	tc->brief = b;
	return b;
}
