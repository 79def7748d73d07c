/* The list of findings a check collects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check/check_int.h"

struct item {
	struct crimg_finding f;
	char *strs[8]; /* what f's strings point into, freed with it */
};

struct crimg_check {
	struct item *items;
	size_t n, cap;
};

struct crimg_check *crimg_check_new(void)
{
	return calloc(1, sizeof(struct crimg_check));
}

static void item_free(struct item *it)
{
	for (size_t i = 0; i < sizeof(it->strs) / sizeof(it->strs[0]); i++)
		free(it->strs[i]);
}

void crimg_check_free(struct crimg_check *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		item_free(&k->items[i]);
	free(k->items);
	free(k);
}

size_t crimg_check_count(const struct crimg_check *k)
{
	return k ? k->n : 0;
}

const struct crimg_finding *crimg_check_get(const struct crimg_check *k, size_t i)
{
	return k && i < k->n ? &k->items[i].f : NULL;
}

int crimg_check_worst(const struct crimg_check *k)
{
	int w = -1;
	for (size_t i = 0; k && i < k->n; i++)
		if ((int)k->items[i].f.severity > w)
			w = (int)k->items[i].f.severity;
	return w;
}

/* A copy of s ("" for NULL) kept in it->strs[slot]; NULL when out of memory. */
static const char *keep(struct item *it, int slot, const char *s)
{
	it->strs[slot] = strdup(s ? s : "");
	return it->strs[slot];
}

int check_add(struct crimg_check *k, enum check_reason_id r, int sev,
	      const struct check_evidence *ev, const char *fmt, ...)
{
	size_t nr;
	const struct crimg_check_reason *rs = crimg_check_reasons(&nr);
	struct check_evidence none = { .entry = -1 };
	struct item it;
	va_list ap;
	char *msg = NULL;
	if ((size_t)r >= nr)
		return -1;
	if (!ev)
		ev = &none;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;
		struct item *n = realloc(k->items, cap * sizeof(*n));
		if (!n)
			return -1;
		k->items = n;
		k->cap = cap;
	}
	memset(&it, 0, sizeof(it));
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return -1;
	it.strs[0] = msg;
	it.f.message = msg;
	it.f.code = rs[r].code;
	it.f.severity = sev >= 0 ? (unsigned)sev : rs[r].severity;
	/* a host reason found in a restore.log is a finding of the log part */
	it.f.part = ev->log && *ev->log ? CRIMG_CHECK_PART_LOG : rs[r].part;
	it.f.why = rs[r].why;
	it.f.fix = rs[r].fix;
	it.f.catalogue = rs[r].catalogue;
	it.f.entry = ev->entry;
	it.f.log_line = ev->log_line;
	it.f.image = keep(&it, 1, ev->image);
	it.f.field = keep(&it, 2, ev->field);
	it.f.value = keep(&it, 3, ev->value);
	it.f.host = keep(&it, 4, ev->host);
	it.f.log = keep(&it, 5, ev->log);
	it.f.target = keep(&it, 6, ev->target);
	it.f.task = ev->task;
	if (!it.f.image || !it.f.field || !it.f.value || !it.f.host || !it.f.log || !it.f.target) {
		item_free(&it);
		return -1;
	}
	k->items[k->n++] = it;
	return 0;
}
