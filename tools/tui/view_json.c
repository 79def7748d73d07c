/*
 * An image's entries as a folding JSON tree.  Each entry is rendered by the
 * library exactly as `crit decode --pretty` renders it
 * (crimg_json_message), parsed with jansson and shown one row per object
 * key or array element.
 *
 * Entries start folded and an entry is parsed only when its row is shown
 * (a few recent ones are kept for their one-line previews) or opened; an
 * opened entry keeps its nodes in preorder with their subtree sizes, so
 * that folding is a walk of one array.  What may be open at once is
 * capped (entries and values), so a million-entry pagemap costs what is
 * on the screen.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "crimg/json.h"
#include "tui.h"

#define JV_TEXT_MAX (16u << 20) /* largest JSON text of one entry shown */
#define JV_NODES_MAX 200000u    /* values open at once, over all entries */
#define JV_OPEN_MAX 4096u       /* entries open at once */
#define JV_CACHE 64             /* parsed entries kept for previews */

struct jnode {
	json_t *v;
	const char *key; /* NULL: an array element (idx) or the entry */
	uint32_t idx;
	uint32_t size;   /* nodes in the subtree, itself included */
	uint32_t parent; /* the parent's node index; 0 for the entry */
	uint16_t depth;
	uint8_t open;
};

/* An entry that is open: its nodes in preorder, and those shown. */
struct jopen {
	size_t entry;
	json_t *root;
	struct jnode *nodes;
	uint32_t n_nodes;
	uint32_t *vis; /* node indices of the rows, vis[0] = 0 (the entry) */
	uint32_t n_vis;
};

struct jcache {
	size_t entry;
	json_t *v; /* NULL with err, or an empty slot */
	char *err;
};

struct json_view {
	char name[256];
	const struct crimg_entries *e; /* NULL: err says why */
	char err[400];
	int fd;             /* where an entry's JSON is rendered */
	struct jopen *open; /* sorted by entry */
	size_t n_open;
	size_t n_nodes;    /* over every open entry */
	size_t extra_rows; /* rows of open entries below their own */
	struct jcache cache[JV_CACHE];
};

/* ---- an entry as JSON ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(const char *s, size_t n)
{
	long v = 0;
	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * What jansson refuses, made parseable: integers past int64 (uint64 fields
 * hold them) become strings starting with a NUL, which the rows show as
 * numbers again (strings from the image never hold a NUL: \u0000 becomes
 * \u0001 here); lone surrogates (bytes that were not UTF-8) become '?'.
 * out has room for 2 * n + 16 bytes.
 */
static size_t sanitize(const char *s, size_t n, char *out)
{
	size_t o = 0;
	int in_str = 0;
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (in_str) {
			if (c == '\\' && i + 1 < n && s[i + 1] == 'u') {
				long cp = hex4(s + i + 2, n - i - 2);
				if (cp == 0) {
					memcpy(out + o, "\\u0001", 6);
					o += 6;
					i += 6;
				} else if (cp >= 0xd800 && cp < 0xdc00 && i + 12 <= n &&
					   s[i + 6] == '\\' && s[i + 7] == 'u' &&
					   hex4(s + i + 8, n - i - 8) >= 0xdc00 &&
					   hex4(s + i + 8, n - i - 8) < 0xe000) {
					memcpy(out + o, s + i, 12);
					o += 12;
					i += 12;
				} else if (cp >= 0xd800 && cp < 0xe000) {
					out[o++] = '?';
					i += 6;
				} else {
					size_t k = i + 6 <= n ? 6 : n - i;
					memcpy(out + o, s + i, k);
					o += k;
					i += k;
				}
			} else if (c == '\\' && i + 1 < n) {
				out[o++] = s[i++];
				out[o++] = s[i++];
			} else {
				if (c == '"')
					in_str = 0;
				out[o++] = s[i++];
			}
			continue;
		}
		if (c == '"') {
			in_str = 1;
			out[o++] = s[i++];
			continue;
		}
		if (c != '-' && !(c >= '0' && c <= '9')) {
			out[o++] = s[i++];
			continue;
		}
		size_t j = i, digits = 0;
		int plain = 1;
		while (j < n && strchr("-+0123456789.eE", s[j])) {
			if (s[j] == '.' || s[j] == 'e' || s[j] == 'E' || (s[j] == '+'))
				plain = 0;
			else if (s[j] != '-')
				digits++;
			j++;
		}
		int big = 0;
		if (plain && digits >= 19) {
			char num[40];
			if (j - i >= sizeof(num)) {
				big = 1;
			} else {
				memcpy(num, s + i, j - i);
				num[j - i] = 0;
				errno = 0;
				(void)strtoll(num, NULL, 10);
				big = errno == ERANGE;
			}
		}
		if (big) {
			memcpy(out + o, "\"\\u0000", 7);
			o += 7;
		}
		memcpy(out + o, s + i, j - i);
		o += j - i;
		if (big)
			out[o++] = '"';
		i = j;
	}
	return o;
}

/* Entry k parsed (a new reference), or NULL with err. */
static json_t *parse_entry(struct json_view *jv, size_t k, char *err, size_t errn)
{
	struct crimg_error ce;
	crimg_error_clear(&ce);
	const ProtobufCMessage *m = jv->e->msgs[k];
	if (ftruncate(jv->fd, 0) < 0 || lseek(jv->fd, 0, SEEK_SET) < 0) {
		snprintf(err, errn, "cannot render: %s", strerror(errno));
		return NULL;
	}
	struct crimg_out *o = crimg_out_new(jv->fd, "entry");
	if (!o) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	int rc = crimg_json_message(m, jv->e->byte_order, CRIMG_JSON_PRETTY, o, &ce);
	if (rc == 0)
		rc = crimg_out_flush(o, &ce);
	crimg_out_free(o);
	if (rc < 0) {
		tui_errstr(&ce, err, errn);
		return NULL;
	}
	off_t len = lseek(jv->fd, 0, SEEK_CUR);
	if (len < 0 || (uint64_t)len > JV_TEXT_MAX) {
		snprintf(err, errn,
			 "entry %zu: %lld bytes of JSON, more than %u MiB: too large to show", k,
			 (long long)len, JV_TEXT_MAX >> 20);
		return NULL;
	}
	char *text = malloc((size_t)len + 1);
	char *clean = malloc(2 * (size_t)len + 16);
	json_t *v = NULL;
	if (!text || !clean) {
		snprintf(err, errn, "out of memory");
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)len) {
		ssize_t r = pread(jv->fd, text + got, (size_t)len - got, (off_t)got);
		if (r <= 0) {
			snprintf(err, errn, "cannot read the rendering back: %s",
				 r < 0 ? strerror(errno) : "short");
			goto out;
		}
		got += (size_t)r;
	}
	size_t cl = sanitize(text, got, clean);
	json_error_t je;
	v = json_loadb(clean, cl, JSON_ALLOW_NUL, &je);
	if (!v)
		snprintf(err, errn, "entry %zu: JSON line %d column %d: %s", k, je.line, je.column,
			 je.text);
out:
	free(text);
	free(clean);
	return v;
}

/* Entry k parsed, kept in the cache (borrowed), or NULL with *err set. */
static json_t *entry_json(struct json_view *jv, size_t k, const char **err)
{
	struct jcache *c = &jv->cache[k % JV_CACHE];
	if (c->v || c->err) {
		if (c->entry == k) {
			*err = c->err;
			return c->v;
		}
		json_decref(c->v);
		free(c->err);
		c->v = NULL;
		c->err = NULL;
	}
	char e[400];
	c->entry = k;
	c->v = parse_entry(jv, k, e, sizeof(e));
	if (!c->v)
		c->err = strdup(e);
	*err = c->err ? c->err : "out of memory";
	return c->v;
}

/* ---- open entries ---- */

static int is_container(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v)) ||
		(json_is_array(v) && json_array_size(v));
}

/* Appends v's subtree in preorder; -1 past the cap. */
static int add_nodes(struct jopen *o, size_t cap, json_t *v, const char *key, size_t idx,
		     uint32_t parent, unsigned depth)
{
	if (o->n_nodes >= cap || depth > 60000)
		return -1;
	uint32_t me = o->n_nodes++;
	struct jnode *nd = &o->nodes[me];
	*nd = (struct jnode){
		.v = v, .key = key, .idx = (uint32_t)idx, .parent = parent, .depth = (uint16_t)depth
	};
	if (json_is_object(v)) {
		const char *k;
		json_t *c;
		json_object_foreach(v, k, c)
		{
			if (add_nodes(o, cap, c, k, 0, me, depth + 1) < 0)
				return -1;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c)
		{
			if (add_nodes(o, cap, c, NULL, i, me, depth + 1) < 0)
				return -1;
		}
	}
	o->nodes[me].size = o->n_nodes - me;
	return 0;
}

static void rebuild_vis(struct jopen *o)
{
	o->n_vis = 0;
	for (uint32_t k = 0; k < o->n_nodes;) {
		o->vis[o->n_vis++] = k;
		if (is_container(o->nodes[k].v) && !o->nodes[k].open)
			k += o->nodes[k].size;
		else
			k++;
	}
}

static void recount(struct json_view *jv)
{
	jv->extra_rows = 0;
	jv->n_nodes = 0;
	for (size_t i = 0; i < jv->n_open; i++) {
		jv->extra_rows += jv->open[i].n_vis - 1;
		jv->n_nodes += jv->open[i].n_nodes;
	}
}

static void jopen_free(struct jopen *o)
{
	json_decref(o->root);
	free(o->nodes);
	free(o->vis);
}

static struct jopen *find_open(struct json_view *jv, size_t k, size_t *pos)
{
	size_t lo = 0, hi = jv->n_open;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (jv->open[mid].entry < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos)
		*pos = lo;
	return lo < jv->n_open && jv->open[lo].entry == k ? &jv->open[lo] : NULL;
}

/* Opens entry k (its top level shown); NULL after tui_msg. */
static struct jopen *open_entry(struct tui *t, struct json_view *jv, size_t k)
{
	size_t pos;
	struct jopen *o = find_open(jv, k, &pos);
	if (o)
		return o;
	if (jv->n_open >= JV_OPEN_MAX) {
		tui_msg(t, TR_WARN, "%u entries are open, the most at once: c closes them all",
			JV_OPEN_MAX);
		return NULL;
	}
	const char *err;
	json_t *v = entry_json(jv, k, &err);
	if (!v) {
		tui_msg(t, TR_ERROR, "%s", err);
		return NULL;
	}
	size_t room = JV_NODES_MAX - (jv->n_nodes < JV_NODES_MAX ? jv->n_nodes : JV_NODES_MAX);
	struct jopen n = { .entry = k, .root = json_incref(v) };
	size_t total = room;
	/* grow to what the entry needs, up to the room left */
	size_t cap = 256;
	for (;;) {
		if (cap > total)
			cap = total;
		free(n.nodes);
		n.nodes = malloc((cap ? cap : 1) * sizeof(*n.nodes));
		if (!n.nodes) {
			json_decref(n.root);
			tui_msg(t, TR_ERROR, "out of memory");
			return NULL;
		}
		n.n_nodes = 0;
		if (add_nodes(&n, cap, v, NULL, k, 0, 0) == 0)
			break;
		if (cap >= total) {
			free(n.nodes);
			json_decref(n.root);
			if (jv->n_nodes)
				tui_msg(t, TR_WARN,
					"entry %zu: too many values open (the most is %u): c "
					"closes every entry",
					k, JV_NODES_MAX);
			else
				tui_msg(t, TR_ERROR,
					"entry %zu: more than %u values: too large to show as a "
					"tree",
					k, JV_NODES_MAX);
			return NULL;
		}
		cap *= 4;
	}
	n.nodes[0].open = 1;
	n.vis = malloc(n.n_nodes * sizeof(*n.vis));
	struct jopen *grown = realloc(jv->open, (jv->n_open + 1) * sizeof(*jv->open));
	if (!n.vis || !grown) {
		if (grown)
			jv->open = grown;
		free(n.vis);
		free(n.nodes);
		json_decref(n.root);
		tui_msg(t, TR_ERROR, "out of memory");
		return NULL;
	}
	jv->open = grown;
	rebuild_vis(&n);
	memmove(&jv->open[pos + 1], &jv->open[pos], (jv->n_open - pos) * sizeof(*jv->open));
	jv->open[pos] = n;
	jv->n_open++;
	recount(jv);
	return &jv->open[pos];
}

static void close_entry(struct json_view *jv, struct jopen *o)
{
	size_t pos = (size_t)(o - jv->open);
	jopen_free(o);
	memmove(&jv->open[pos], &jv->open[pos + 1], (jv->n_open - pos - 1) * sizeof(*jv->open));
	jv->n_open--;
	recount(jv);
}

static void close_all(struct json_view *jv)
{
	for (size_t i = 0; i < jv->n_open; i++)
		jopen_free(&jv->open[i]);
	free(jv->open);
	jv->open = NULL;
	jv->n_open = 0;
	recount(jv);
}

/* Row i: an open entry's row sub (*o set), or closed entry *entry. */
static void locate(struct json_view *jv, size_t i, struct jopen **o, size_t *entry, size_t *sub)
{
	size_t extra = 0;
	for (size_t k = 0; k < jv->n_open; k++) {
		size_t row0 = jv->open[k].entry + extra;
		if (i < row0)
			break;
		if (i < row0 + jv->open[k].n_vis) {
			*o = &jv->open[k];
			*entry = jv->open[k].entry;
			*sub = i - row0;
			return;
		}
		extra += jv->open[k].n_vis - 1;
	}
	*o = NULL;
	*entry = i - extra;
	*sub = 0;
}

/* The row of entry o's visible node position sub. */
static size_t row_of(struct json_view *jv, struct jopen *o, size_t sub)
{
	size_t extra = 0;
	for (size_t k = 0; k < jv->n_open && &jv->open[k] != o; k++)
		extra += jv->open[k].n_vis - 1;
	return o->entry + extra + sub;
}

/* ---- rows ---- */

/* A string value as JSON shows it (escapes for controls and quotes). */
static void add_string(struct tui_row *r, int role, const char *s, size_t n)
{
	tui_row_add(r, role, "\"");
	size_t run = 0;
	for (size_t i = 0; i < n && r->n < TUI_ROW_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '"' ? "\\\""
			: c == '\\'        ? "\\\\"
			: c == '\n'        ? "\\n"
			: c == '\t'        ? "\\t"
			: c == '\r'        ? "\\r"
					   : NULL;
		if (!esc)
			continue;
		tui_row_addn(r, role, s + run, i - run);
		tui_row_add(r, role, "%s", esc);
		run = i + 1;
	}
	if (run < n)
		tui_row_addn(r, role, s + run, n - run);
	tui_row_add(r, role, "\"");
}

static void add_scalar(struct tui_row *r, const json_t *v, int dim)
{
	switch (json_typeof(v)) {
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (n && !s[0]) /* a number past int64, see sanitize() */
			tui_row_addn(r, dim ? TR_DIM : TR_ADDR, s + 1, n - 1);
		else
			add_string(r,
				   dim                                     ? TR_DIM
					   : n > 2 && !strncmp(s, "0x", 2) ? TR_ADDR
									   : TR_TEXT,
				   s, n);
		break;
	}
	case JSON_INTEGER:
		tui_row_add(r, dim ? TR_DIM : TR_ADDR, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		break;
	case JSON_REAL:
		tui_row_add(r, dim ? TR_DIM : TR_ADDR, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		tui_row_add(r, dim ? TR_DIM : TR_TEXT, "true");
		break;
	case JSON_FALSE:
		tui_row_add(r, dim ? TR_DIM : TR_TEXT, "false");
		break;
	case JSON_OBJECT:
		tui_row_add(r, TR_DIM, "{}");
		break;
	case JSON_ARRAY:
		tui_row_add(r, TR_DIM, "[]");
		break;
	default:
		tui_row_add(r, TR_DIM, "null");
		break;
	}
}

/* A folded value on one line, as far as the row goes. */
static void preview(struct tui_row *r, const json_t *v)
{
	const int limit = TUI_ROW_MAX - 8;
	if (r->n >= limit)
		return;
	if (json_is_object(v) && json_object_size(v)) {
		const char *k;
		json_t *c;
		int first = 1;
		tui_row_add(r, TR_DIM, "{");
		json_object_foreach((json_t *)v, k, c)
		{
			if (r->n >= limit)
				return;
			tui_row_add(r, TR_DIM, "%s", first ? "" : ", ");
			tui_row_addn(r, TR_DIM, k, strlen(k));
			tui_row_add(r, TR_DIM, ": ");
			preview(r, c);
			first = 0;
		}
		tui_row_add(r, TR_DIM, "}");
	} else if (json_is_array(v) && json_array_size(v)) {
		size_t i;
		json_t *c;
		tui_row_add(r, TR_DIM, "[");
		json_array_foreach((json_t *)v, i, c)
		{
			if (r->n >= limit)
				return;
			tui_row_add(r, TR_DIM, "%s", i ? ", " : "");
			preview(r, c);
		}
		tui_row_add(r, TR_DIM, "]");
	} else {
		add_scalar(r, v, 1);
	}
}

static void marker(struct tui *t, struct tui_row *r, int container, int open)
{
	if (!container)
		tui_row_add(r, TR_TEXT, "  ");
	else if (t->ascii)
		tui_row_add(r, TR_BORDER, "%c ", open ? '-' : '+');
	else {
		tui_row_glyph(r, TR_BORDER, open ? 0x25be : 0x25b8);
		tui_row_add(r, TR_TEXT, " ");
	}
}

static size_t json_count(struct tui *t, struct tui_view *v)
{
	struct json_view *jv = v->priv;
	return jv->e ? jv->e->n + jv->extra_rows : 1;
}

static void json_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct json_view *jv = v->priv;
	if (!jv->e) {
		tui_row_add(r, TR_ERROR, "%s", jv->err);
		return;
	}
	struct jopen *o;
	size_t entry, sub;
	locate(jv, i, &o, &entry, &sub);
	if (!o) {
		const char *err;
		json_t *val = entry_json(jv, entry, &err);
		marker(t, r, !val || is_container(val), 0);
		tui_row_add(r, TR_DIM, "[%zu] ", entry);
		if (val)
			preview(r, val);
		else
			tui_row_add(r, TR_ERROR, "%s", err);
		return;
	}
	const struct jnode *nd = &o->nodes[o->vis[sub]];
	for (unsigned d = 0; d < nd->depth && r->n < 120; d++)
		tui_row_add(r, TR_TEXT, "  ");
	int cont = is_container(nd->v);
	marker(t, r, cont, nd->open);
	if (nd->key) {
		tui_row_addn(r, TR_ACCENT, nd->key, strlen(nd->key));
		tui_row_add(r, TR_DIM, ": ");
	} else {
		tui_row_add(r, TR_DIM, "[%u] ", nd->idx);
	}
	if (!cont)
		add_scalar(r, nd->v, 0);
	else if (nd->open) {
		size_t k = json_is_object(nd->v) ? json_object_size(nd->v) : json_array_size(nd->v);
		tui_row_add(r, TR_DIM, "(%zu %s%s)", k, json_is_object(nd->v) ? "key" : "element",
			    k == 1 ? "" : "s");
	} else
		preview(r, nd->v);
}

/* ---- keys ---- */

/* Opens (1) or closes (0) the value on row sel; -1 when it is no container. */
static int set_open(struct tui *t, struct tui_view *v, size_t sel, int open)
{
	struct json_view *jv = v->priv;
	struct jopen *o;
	size_t entry, sub;
	if (!jv->e)
		return -1;
	locate(jv, sel, &o, &entry, &sub);
	if (!o) {
		if (open)
			open_entry(t, jv, entry);
		return 0;
	}
	struct jnode *nd = &o->nodes[o->vis[sub]];
	if (!is_container(nd->v))
		return -1;
	if (sub == 0 && !open) {
		close_entry(jv, o);
		return 0;
	}
	nd->open = (uint8_t)open;
	rebuild_vis(o);
	recount(jv);
	return 0;
}

static int is_open(struct json_view *jv, size_t sel, int *cont)
{
	struct jopen *o;
	size_t entry, sub;
	locate(jv, sel, &o, &entry, &sub);
	*cont = 1;
	if (!o)
		return 0;
	const struct jnode *nd = &o->nodes[o->vis[sub]];
	*cont = is_container(nd->v);
	return nd->open;
}

/* To the parent's row; 0 when on an entry's row. */
static int to_parent(struct tui *t, struct tui_view *v)
{
	struct json_view *jv = v->priv;
	struct jopen *o;
	size_t entry, sub;
	locate(jv, v->sel, &o, &entry, &sub);
	if (!o || sub == 0)
		return 0;
	uint32_t p = o->nodes[o->vis[sub]].parent;
	size_t s = sub;
	while (s > 0 && o->vis[s] != p)
		s--;
	tui_select(t, v, row_of(jv, o, s));
	return 1;
}

/* Every entry and value open, from the first, until a cap. */
static void expand_all(struct tui *t, struct tui_view *v)
{
	struct json_view *jv = v->priv;
	size_t k;
	for (k = 0; k < jv->e->n; k++) {
		t->msg[0] = 0;
		struct jopen *o = open_entry(t, jv, k);
		if (!o)
			break;
		for (uint32_t i = 0; i < o->n_nodes; i++)
			o->nodes[i].open = 1;
		rebuild_vis(o);
		recount(jv);
	}
	if (k < jv->e->n) {
		char why[256];
		snprintf(why, sizeof(why), "%s", t->msg[0] ? t->msg : "");
		tui_msg(t, TR_WARN,
			"opened %zu of %zu entries (at most %u entries or %u values): %s", k,
			jv->e->n, JV_OPEN_MAX, JV_NODES_MAX, why);
	}
}

static int json_key(struct tui *t, struct tui_view *v, int key)
{
	struct json_view *jv = v->priv;
	int cont, open;
	if (!jv->e || v->focus_detail)
		return 0;
	switch (key) {
	case TK_ENTER:
	case ' ':
	case 'o':
		open = is_open(jv, v->sel, &cont);
		if (cont)
			set_open(t, v, v->sel, !open);
		return 1;
	case TK_RIGHT:
	case 'l':
		open = is_open(jv, v->sel, &cont);
		if (cont && !open)
			set_open(t, v, v->sel, 1);
		else if (cont)
			tui_select(t, v, v->sel + 1);
		return 1;
	case TK_LEFT:
	case 'h':
		open = is_open(jv, v->sel, &cont);
		if (cont && open) {
			set_open(t, v, v->sel, 0);
			return 1;
		}
		return to_parent(t, v);
	case 'c': {
		struct jopen *o;
		size_t entry, sub;
		locate(jv, v->sel, &o, &entry, &sub);
		close_all(jv);
		tui_select(t, v, entry);
		return 1;
	}
	case 'e':
		expand_all(t, v);
		return 1;
	}
	return 0;
}

/* ---- the rest ---- */

static void json_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct json_view *jv = v->priv;
	if (jv->e)
		snprintf(buf, n, "image %s (%s, %zu entr%s)", jv->name,
			 jv->e->kind ? jv->e->kind->name : "?", jv->e->n,
			 jv->e->n == 1 ? "y" : "ies");
	else
		snprintf(buf, n, "image %s", jv->name);
}

/* Where the selection is, as jq names it: [3].files[0].path */
static void json_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct json_view *jv = v->priv;
	struct jopen *o;
	size_t entry, sub;
	if (!jv->e || !jv->e->n)
		return;
	locate(jv, v->sel, &o, &entry, &sub);
	char path[200] = "";
	if (o) {
		/* the chain of parents, innermost last */
		uint32_t chain[32];
		int d = 0;
		uint32_t k = o->vis[sub];
		while (k && d < 32) {
			chain[d++] = k;
			k = o->nodes[k].parent;
		}
		size_t len = 0;
		if (k)
			len += (size_t)snprintf(path, sizeof(path), "...");
		while (d-- > 0 && len < sizeof(path)) {
			const struct jnode *nd = &o->nodes[chain[d]];
			if (nd->key)
				len += (size_t)snprintf(path + len, sizeof(path) - len, ".%s",
							nd->key);
			else
				len += (size_t)snprintf(path + len, sizeof(path) - len, "[%u]",
							nd->idx);
		}
	}
	snprintf(buf, n, "entry %zu/%zu  [%zu]%s  Enter: fold  c/e: fold/unfold all", entry + 1,
		 jv->e->n, entry, path);
}

static void json_free(struct tui_view *v)
{
	struct json_view *jv = v->priv;
	if (!jv)
		return;
	close_all(jv);
	for (int i = 0; i < JV_CACHE; i++) {
		json_decref(jv->cache[i].v);
		free(jv->cache[i].err);
	}
	if (jv->fd >= 0)
		close(jv->fd);
	free(jv);
}

static const char *const json_help[] = {
	"  Enter Space o   fold or unfold the value",
	"  Right l         unfold; on an open value, its first member",
	"  Left h          fold; on a folded value, its parent",
	"  c               fold everything",
	"  e               unfold everything (up to a cap)",
	NULL,
};

static const struct tui_view_ops json_ops = {
	.name = "json",
	.title = json_title,
	.count = json_count,
	.row = json_row,
	.key = json_key,
	.status = json_status,
	.help = json_help,
	.free = json_free,
};

struct tui_view *tui_view_json(struct tui *t, const char *image)
{
	char name[256];
	snprintf(name, sizeof(name), "%s", image);
	if (!crimg_ckpt_has(t->c, name)) {
		snprintf(name, sizeof(name), "%s.img", image);
		if (strlen(image) + 4 >= sizeof(name) || !crimg_ckpt_has(t->c, name)) {
			tui_msg(t, TR_ERROR, "no image %s in this checkpoint (:images lists them)",
				image);
			return NULL;
		}
	}
	const struct crimg_kind *k = crimg_kind_by_path(name);
	if (k && k->layout == CRIMG_LAYOUT_RAW) {
		tui_msg(t, TR_WARN, "%s is a raw image (%s): it has no entries", name, k->name);
		return NULL;
	}
	struct json_view *jv = calloc(1, sizeof(*jv));
	if (!jv) {
		tui_msg(t, TR_ERROR, "out of memory");
		return NULL;
	}
	snprintf(jv->name, sizeof(jv->name), "%s", name);
	jv->fd = memfd_create("crit-tui-json", MFD_CLOEXEC);
	if (jv->fd < 0) {
		tui_msg(t, TR_ERROR, "cannot make a buffer for the JSON: %s", strerror(errno));
		free(jv);
		return NULL;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	jv->e = crimg_ckpt_entries(t->c, name, &err);
	if (!jv->e)
		tui_errstr(&err, jv->err, sizeof(jv->err));
	struct tui_view *v = tui_view_new(&json_ops, jv, 0);
	if (!v) {
		json_free(&(struct tui_view){ .priv = jv });
		tui_msg(t, TR_ERROR, "out of memory");
		return NULL;
	}
	return v;
}
