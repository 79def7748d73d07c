/*
 * The checkpoint model: its memory, its indexes and the process tree.
 * Everything the model builds lives in one arena owned by the checkpoint,
 * released at crimg_ckpt_close(); the per-task parts are in model_task.c,
 * model_files.c, model_mm.c and model_ns.c.
 */
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "pstree.pb-c.h"

#include "model/model_int.h"

/* ---- memory ---- */

int model_oom(struct crimg_error *err, const char *what)
{
	return crimg_fail(err, what, -1, -1, "out of memory");
}

static void model_free(struct crimg_ckpt *c);

struct crimg_model *model_get(struct crimg_ckpt *c, struct crimg_error *err)
{
	if (c->model)
		return c->model;
	struct crimg_model *m = calloc(1, sizeof(*m));
	if (!m) {
		model_oom(err, c->path);
		return NULL;
	}
	crimg_arena_init(&m->arena);
	c->model = m;
	c->model_free = model_free;
	return m;
}

void *model_alloc(struct crimg_model *m, size_t n)
{
	void *p = crimg_arena_alloc(&m->arena, n);
	if (p)
		memset(p, 0, n ? n : 1);
	return p;
}

char *model_strndup(struct crimg_model *m, const char *s, size_t n)
{
	char *p = crimg_arena_alloc(&m->arena, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *model_strdup(struct crimg_model *m, const char *s)
{
	return model_strndup(m, s, strlen(s));
}

static void model_free(struct crimg_ckpt *c)
{
	struct crimg_model *m = c->model;
	if (!m)
		return;
	u32map_free(&m->by_pid);
	u32map_free(&m->files);
	u32map_free(&m->fdtables);
	crimg_arena_free(&m->arena);
	free(m);
	c->model = NULL;
}

/* ---- u32map ---- */

static size_t slot(uint32_t key, size_t cap)
{
	return (size_t)(key * 2654435761u) & (cap - 1);
}

void *u32map_get(const struct u32map *m, uint32_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->vals[i])
			return NULL;
		if (m->keys[i] == key)
			return m->vals[i];
	}
}

static int grow(struct u32map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	uint32_t *keys = malloc(cap * sizeof(*keys));
	void **vals = calloc(cap, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->vals[i])
			continue;
		size_t j = slot(m->keys[i], cap);
		while (vals[j])
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

int u32map_put(struct u32map *m, uint32_t key, void *val)
{
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	size_t i = slot(key, m->cap);
	while (m->vals[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->vals[i])
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
	return 0;
}

void u32map_free(struct u32map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- generic field access ---- */

const ProtobufCFieldDescriptor *pb_field(const ProtobufCMessage *m, const char *name)
{
	return m ? protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name) : NULL;
}

const ProtobufCMessage *pb_submsg(const ProtobufCMessage *m, const char *name)
{
	const ProtobufCFieldDescriptor *f = pb_field(m, name);
	if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return *(ProtobufCMessage *const *)((const char *)m + f->offset);
}

int pb_u64(const ProtobufCMessage *m, const char *name, uint64_t *v)
{
	const ProtobufCFieldDescriptor *f = pb_field(m, name);
	if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
		return 0;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
	    !*(const protobuf_c_boolean *)((const char *)m + f->quantifier_offset))
		return 0;
	return crimg_msg_get_u64(m, name, v) == 0;
}

const struct crimg_entries *model_optional(struct crimg_ckpt *c, const char *name,
					   struct crimg_error *err, int *failed)
{
	*failed = 0;
	if (!crimg_ckpt_has(c, name))
		return NULL;
	const struct crimg_entries *e = crimg_ckpt_entries(c, name, err);
	if (!e)
		*failed = 1;
	return e;
}

/* ---- the process tree ---- */

static int check_msg(const struct crimg_entries *e, const ProtobufCMessageDescriptor *d,
		     const char *name, struct crimg_error *err)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->msgs[i]->descriptor != d)
			return crimg_fail(err, name, -1, (int64_t)i, "not a %s entry", d->name);
	return 0;
}

/* Depth-first from root, children in pstree order; visited guards loops. */
static int walk(struct crimg_model *m, struct crimg_task *root, const struct crimg_task **order,
		size_t *n, unsigned char *seen, struct crimg_task **stack)
{
	size_t sp = 0;
	stack[sp++] = root;
	root->depth = 0;
	while (sp) {
		struct crimg_task *t = stack[--sp];
		if (seen[t->index])
			continue;
		seen[t->index] = 1;
		order[(*n)++] = t;
		/* push in reverse so the first child comes out first */
		for (size_t k = t->n_children; k-- > 0;) {
			struct crimg_task *ch = (struct crimg_task *)t->children[k];
			if (seen[ch->index])
				continue;
			ch->depth = t->depth + 1;
			stack[sp++] = ch;
		}
	}
	(void)m;
	return 0;
}

int crimg_ckpt_is_predump(const struct crimg_ckpt *c)
{
	if (crimg_ckpt_has(c, "pstree.img"))
		return 0;
	const char *const *names;
	size_t n = crimg_ckpt_images(c, &names);
	int pagemap = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], "core-", 5) == 0)
			return 0;
		if (strncmp(names[i], "pagemap-", 8) == 0 &&
		    strncmp(names[i], "pagemap-shmem-", 14))
			pagemap = 1;
	}
	return pagemap;
}

static int build_tree(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_error *err)
{
	/* a pre-dump has no tree by design: say what it is, not what it lacks */
	if (crimg_ckpt_is_predump(c))
		return crimg_fail(err, NULL, -1, -1,
				  "%s is a pre-dump (memory only): use crit mem or crit diff",
				  crimg_ckpt_path(c));
	const struct crimg_entries *e = crimg_ckpt_entries(c, "pstree.img", err);
	if (!e)
		return -1;
	if (check_msg(e, &pstree_entry__descriptor, "pstree.img", err) < 0)
		return -1;
	if (!e->n)
		return crimg_fail(err, "pstree.img", -1, -1, "no tasks in the process tree");
	size_t n = e->n;
	struct crimg_task *tasks = model_alloc(m, n * sizeof(*tasks));
	m->tc = model_alloc(m, n * sizeof(*m->tc));
	if (!tasks || !m->tc)
		return model_oom(err, "pstree.img");
	for (size_t i = 0; i < n; i++) {
		const PstreeEntry *p = (const PstreeEntry *)e->msgs[i];
		struct crimg_task *t = &tasks[i];
		t->pid = p->pid;
		t->ppid = p->ppid;
		t->pgid = p->pgid;
		t->sid = p->sid;
		t->threads = p->threads;
		t->n_threads = p->n_threads;
		t->index = i;
		t->msg = &p->base;
		if (u32map_get(&m->by_pid, p->pid))
			return crimg_fail(err, "pstree.img", -1, (int64_t)i, "pid %u appears twice",
					  p->pid);
		if (u32map_put(&m->by_pid, p->pid, t) < 0)
			return model_oom(err, "pstree.img");
	}
	/* children: count, then fill, in pstree order */
	size_t *count = calloc(n, sizeof(*count));
	if (!count)
		return model_oom(err, "pstree.img");
	for (size_t i = 0; i < n; i++) {
		struct crimg_task *p = tasks[i].ppid ? u32map_get(&m->by_pid, tasks[i].ppid) : NULL;
		if (p == &tasks[i])
			p = NULL; /* its own parent: treat as a root */
		tasks[i].parent = p;
		if (p)
			count[p->index]++;
	}
	for (size_t i = 0; i < n; i++) {
		if (count[i]) {
			tasks[i].children = model_alloc(m, count[i] * sizeof(struct crimg_task *));
			if (!tasks[i].children) {
				free(count);
				return model_oom(err, "pstree.img");
			}
		}
	}
	free(count);
	size_t n_roots = 0;
	for (size_t i = 0; i < n; i++) {
		struct crimg_task *p = (struct crimg_task *)tasks[i].parent;
		if (p)
			((const struct crimg_task **)p->children)[p->n_children++] = &tasks[i];
		else
			n_roots++;
	}
	const struct crimg_task **order = model_alloc(m, n * sizeof(*order));
	const struct crimg_task **roots = model_alloc(m, n * sizeof(*roots));
	unsigned char *seen = calloc(n, 1);
	struct crimg_task **stack = malloc(n * sizeof(*stack));
	if (!order || !roots || !seen || !stack) {
		free(seen);
		free(stack);
		return model_oom(err, "pstree.img");
	}
	size_t k = 0, nr = 0;
	for (size_t i = 0; i < n; i++) {
		if (tasks[i].parent)
			continue;
		roots[nr++] = &tasks[i];
		walk(m, &tasks[i], order, &k, seen, stack);
	}
	/* tasks on a parent loop are reached from no root: each becomes one,
	 * and leaves its parent's children (every child's parent is its
	 * parent, loops or not) */
	for (size_t i = 0; i < n && k < n; i++) {
		if (seen[i])
			continue;
		struct crimg_task *p = (struct crimg_task *)tasks[i].parent;
		if (p) {
			const struct crimg_task **ch = (const struct crimg_task **)p->children;
			size_t w = 0;
			for (size_t j = 0; j < p->n_children; j++)
				if (ch[j] != &tasks[i])
					ch[w++] = ch[j];
			p->n_children = w;
		}
		tasks[i].parent = NULL;
		roots[nr++] = &tasks[i];
		walk(m, &tasks[i], order, &k, seen, stack);
	}
	free(seen);
	free(stack);
	m->tree.tasks = tasks;
	m->tree.n_tasks = n;
	m->tree.order = order;
	m->tree.roots = roots;
	m->tree.n_roots = nr;
	(void)n_roots;
	return 0;
}

const struct crimg_tree *crimg_ckpt_tree(struct crimg_ckpt *c, struct crimg_error *err)
{
	struct crimg_model *m = model_get(c, err);
	if (!m)
		return NULL;
	if (!m->have_tree) {
		if (build_tree(c, m, err) < 0) {
			u32map_free(&m->by_pid);
			return NULL;
		}
		m->have_tree = 1;
	}
	return &m->tree;
}

const struct crimg_task *crimg_ckpt_task(struct crimg_ckpt *c, uint32_t pid,
					 struct crimg_error *err)
{
	if (!crimg_ckpt_tree(c, err))
		return NULL;
	const struct crimg_task *t = u32map_get(&c->model->by_pid, pid);
	if (!t)
		crimg_fail(err, "pstree.img", -1, -1, "no task with pid %u in this checkpoint",
			   pid);
	return t;
}
