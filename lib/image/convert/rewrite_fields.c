/*
 * Finding and changing the fields a rewrite covers inside one decoded entry.
 *
 * Addresses are found generically: every repeated uint32 field marked
 * (criu).ipadd in schemas/ (inet_sk_entry src_addr and dst_addr, wherever
 * the message is nested).  Paths have no such mark, so the fields that hold
 * them are listed below; the walk finds those messages at any depth
 * (file_entry.reg, file_entry.usk, fanotify marks, ...).
 *
 * A change replaces a pointer or array contents in the unpacked message and
 * is logged, so the caller can put the old values back for a moment and
 * check that the untouched message packs to the very bytes it came from.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "convert/rewrite_int.h"

enum pf_how {
	PF_PATH,        /* a string holding an absolute path (others left alone) */
	PF_UNIX_NAME,   /* unix socket address bytes: abstract names left alone */
	PF_MNT_ROOT,    /* a mount's root, a path only on storage file systems */
	PF_MNT_OPTIONS, /* overlay's lowerdir=, upperdir=, workdir= */
};

static const struct path_field {
	const char *message, *field;
	enum pf_how how;
} path_fields[] = {
	/* regular files, ghost files (their names), cwd and root (fs-*.img
	 * points at these by id), exe_file, mapped files: all reg_file_entry */
	{ "reg_file_entry", "name", PF_PATH },
	{ "ghost_file_entry", "symlnk_target", PF_PATH },
	{ "unix_sk_entry", "name", PF_UNIX_NAME },
	{ "unix_sk_entry", "name_dir", PF_PATH },
	{ "mnt_entry", "mountpoint", PF_PATH },
	{ "mnt_entry", "root", PF_MNT_ROOT },
	{ "mnt_entry", "source", PF_PATH },
	/* runc and Podman key external bind mounts by their mount point */
	{ "mnt_entry", "ext_key", PF_PATH },
	{ "mnt_entry", "options", PF_MNT_OPTIONS },
	{ "fanotify_mount_mark_entry", "path", PF_PATH },
	{ "irmap_cache_entry", "path", PF_PATH },
	{ "binfmt_misc_entry", "interpreter", PF_PATH },
};

/* mnt.proto's fstype numbers whose root is a place inside a kernel-made or
 * memory file system (proc's "/sys", a cgroup path, ...), never a host path */
static int pseudo_fs(uint64_t fstype)
{
	switch (fstype) {
	case 1:  /* proc */
	case 2:  /* sysfs */
	case 3:  /* devtmpfs */
	case 4:  /* binfmt_misc */
	case 5:  /* tmpfs */
	case 6:  /* devpts */
	case 8:  /* pstore */
	case 9:  /* securityfs */
	case 10: /* fusectl */
	case 11: /* debugfs */
	case 12: /* cgroup */
	case 14: /* mqueue */
	case 18: /* autofs */
	case 19: /* tracefs */
	case 23: /* cgroup2 */
		return 1;
	}
	return 0;
}
#define FSTYPE_OVERLAYFS 17

static const struct path_field *find_path_field(const char *message, const char *field)
{
	for (size_t i = 0; i < sizeof(path_fields) / sizeof(path_fields[0]); i++)
		if (!strcmp(path_fields[i].message, message) &&
		    !strcmp(path_fields[i].field, field))
			return &path_fields[i];
	return NULL;
}

static int is_ipadd_field(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f)
{
	if (f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_UINT32)
		return 0;
	for (size_t i = 0; i < crimg_n_field_opts; i++) {
		const struct crimg_field_opt *o = &crimg_field_opts[i];
		if ((o->bits & CRIMG_OPT_IPADD) && o->field == f->id &&
		    !strcmp(o->message, d->name))
			return 1;
	}
	return 0;
}

#define MAX_DEPTH 16

static int relevant(const struct rw_rules *rr, const ProtobufCMessageDescriptor *d, int depth)
{
	if (depth > MAX_DEPTH)
		return 0;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (relevant(rr, f->descriptor, depth + 1))
				return 1;
		} else if (rr->n_path && find_path_field(d->name, f->name)) {
			return 1;
		} else if (rr->n_ip && is_ipadd_field(d, f)) {
			return 1;
		}
	}
	return 0;
}

int crimg_rw_relevant(const struct rw_rules *rr, const ProtobufCMessageDescriptor *d)
{
	return d && relevant(rr, d, 0);
}

void crimg_rw_entry_init(struct rw_entry *e, const struct rw_rules *rr, enum crimg_byte_order bo)
{
	memset(e, 0, sizeof(*e));
	e->rules = rr;
	e->bo = bo;
}

void crimg_rw_entry_reset(struct rw_entry *e)
{
	for (size_t i = 0; i < e->n_changes; i++) {
		free(e->changes[i].field);
		free(e->changes[i].before);
		free(e->changes[i].after);
	}
	for (size_t i = 0; i < e->n_owned; i++)
		free(e->owned[i]);
	e->n_changes = e->n_undo = e->n_owned = 0;
	e->path_len = 0;
	e->path[0] = '\0';
}

void crimg_rw_entry_free(struct rw_entry *e)
{
	crimg_rw_entry_reset(e);
	free(e->changes);
	free(e->undo);
	free(e->owned);
	e->changes = NULL;
	e->undo = NULL;
	e->owned = NULL;
}

/* Grows an array of elements of size sz to hold one more. */
static int grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, ncap * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int own(struct rw_entry *e, void *p)
{
	if (grow((void **)&e->owned, e->n_owned, &e->cap_owned, sizeof(*e->owned)) < 0) {
		free(p);
		e->oom = 1;
		return -1;
	}
	e->owned[e->n_owned++] = p;
	return 0;
}

/* Text for the report: control bytes (a terminal's business) as \xNN. */
static char *shown(const void *p, size_t n)
{
	const uint8_t *s = p;
	char *out = malloc(4 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			o += sprintf(o, "\\x%02x", s[i]);
		else
			*o++ = (char)s[i];
	}
	*o = '\0';
	return out;
}

/* Logs one change of the field `name` under the current path. */
static void add_change(struct rw_entry *e, const char *name, const void *before, size_t blen,
		       const void *after, size_t alen)
{
	if (grow((void **)&e->changes, e->n_changes, &e->cap_changes, sizeof(*e->changes)) < 0) {
		e->oom = 1;
		return;
	}
	struct rw_change *c = &e->changes[e->n_changes];
	size_t n = e->path_len + strlen(name) + 2;
	c->field = malloc(n);
	c->before = shown(before, blen);
	c->after = shown(after, alen);
	if (!c->field || !c->before || !c->after) {
		free(c->field);
		free(c->before);
		free(c->after);
		e->oom = 1;
		return;
	}
	snprintf(c->field, n, "%s%s%s", e->path, e->path_len ? "." : "", name);
	e->n_changes++;
}

/* Replaces size bytes at slot with new_val, keeping the old bytes to undo. */
static void set_slot(struct rw_entry *e, void *slot, const void *new_val, size_t size)
{
	if (grow((void **)&e->undo, e->n_undo, &e->cap_undo, sizeof(*e->undo)) < 0) {
		e->oom = 1;
		return;
	}
	struct rw_undo *u = &e->undo[e->n_undo++];
	u->slot = slot;
	u->size = size;
	memcpy(u->old, slot, size);
	memcpy(u->new, new_val, size);
	memcpy(slot, new_val, size);
}

void crimg_rw_swap(struct rw_entry *e, int undo)
{
	/* backwards on undo, so a slot changed twice ends at its first value */
	for (size_t k = 0; k < e->n_undo; k++) {
		struct rw_undo *u = undo ? &e->undo[e->n_undo - 1 - k] : &e->undo[k];
		memcpy(u->slot, undo ? u->old : u->new, u->size);
	}
}

static void set_string(struct rw_entry *e, const ProtobufCFieldDescriptor *f, char **slot, char *nw)
{
	if (own(e, nw) < 0)
		return;
	const char *old = *slot;
	add_change(e, f->name, old, strlen(old), nw, strlen(nw));
	set_slot(e, slot, &nw, sizeof(nw));
}

/* A string field's value, or NULL when absent (an optional one unset). */
static char **string_slot(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	char **slot = (char **)((char *)m + f->offset);
	if (!*slot)
		return NULL;
	/* protobuf-c leaves the default's pointer in an unset optional string
	 * (and does not pack it) */
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && *slot == (const char *)f->default_value)
		return NULL;
	return slot;
}

static void do_path(struct rw_entry *e, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	char **slot = string_slot(m, f);
	if (!slot)
		return;
	char *nw = crimg_rw_path(e->rules, *slot, &e->oom);
	if (nw)
		set_string(e, f, slot, nw);
}

/* Appends n bytes to a growing string. */
static int put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;
		char *p = realloc(*buf, ncap);
		if (!p)
			return -1;
		*buf = p;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/*
 * overlay's options name host directories: "lowerdir=A:B,upperdir=C,
 * workdir=D".  Each absolute directory of those three is rewritten; the
 * rest of the string is kept as it is.
 */
static void do_overlay_options(struct rw_entry *e, ProtobufCMessage *m,
			       const ProtobufCFieldDescriptor *f)
{
	char **slot = string_slot(m, f);
	if (!slot)
		return;
	const char *s = *slot;
	char *out = NULL;
	size_t len = 0, cap = 0;
	int changed = 0, bad = 0;
	while (*s && !bad) {
		size_t optlen = strcspn(s, ",");
		static const char *const keys[] = { "lowerdir=", "upperdir=", "workdir=" };
		size_t klen = 0;
		for (size_t k = 0; k < 3; k++)
			if (!strncmp(s, keys[k], strlen(keys[k])) && strlen(keys[k]) <= optlen)
				klen = strlen(keys[k]);
		if (!klen) {
			bad |= put(&out, &len, &cap, s, optlen);
		} else {
			bad |= put(&out, &len, &cap, s, klen);
			const char *v = s + klen, *end = s + optlen;
			while (v <= end && !bad) {
				size_t dl = strcspn(v, ":,");
				char *dir = strndup(v, dl), *nw = NULL;
				if (!dir)
					bad = 1;
				else
					nw = crimg_rw_path(e->rules, dir, &e->oom);
				if (!bad)
					bad |= put(&out, &len, &cap, nw ? nw : dir,
						   strlen(nw ? nw : dir));
				changed |= nw != NULL;
				free(nw);
				free(dir);
				v += dl;
				if (v < end)
					bad |= put(&out, &len, &cap, ":", 1);
				v++;
			}
		}
		s += optlen;
		if (*s == ',') {
			bad |= put(&out, &len, &cap, ",", 1);
			s++;
		}
	}
	if (bad || e->oom) {
		free(out);
		e->oom = 1;
		return;
	}
	if (changed)
		set_string(e, f, slot, out);
	else
		free(out);
}

static void do_unix_name(struct rw_entry *e, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	ProtobufCBinaryData *b = (ProtobufCBinaryData *)((char *)m + f->offset);
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
	    !*(protobuf_c_boolean *)((char *)m + f->quantifier_offset))
		return;
	/* an abstract name starts with a NUL: not a path */
	if (b->len == 0 || b->data[0] != '/')
		return;
	size_t plen = b->len;
	int nul = b->data[plen - 1] == '\0'; /* kept as it was */
	if (nul)
		plen--;
	if (memchr(b->data, '\0', plen))
		return;
	char *path = strndup((const char *)b->data, plen);
	if (!path) {
		e->oom = 1;
		return;
	}
	char *nw = crimg_rw_path(e->rules, path, &e->oom);
	free(path);
	if (!nw)
		return;
	size_t nlen = strlen(nw);
	if (nlen + nul > CRIMG_UNIX_PATH_MAX) {
		e->too_long = nlen + (size_t)nul;
		free(nw);
		return;
	}
	if (own(e, nw) < 0)
		return;
	ProtobufCBinaryData nb = { nlen + (size_t)nul, (uint8_t *)nw };
	add_change(e, f->name, b->data, plen, nw, nlen);
	set_slot(e, b, &nb, sizeof(nb));
}

static void do_ip(struct rw_entry *e, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	size_t n = *(size_t *)((char *)m + f->quantifier_offset);
	uint32_t *arr = *(uint32_t **)((char *)m + f->offset);
	if (n != 1 && n != 4)
		return;
	/* each value holds the network-order bytes as the dumping host read them */
	uint8_t addr[16], old[16];
	for (size_t i = 0; i < n; i++) {
		uint32_t v = arr[i];
		if (e->bo == CRIMG_LITTLE_ENDIAN) {
			addr[4 * i] = (uint8_t)v;
			addr[4 * i + 1] = (uint8_t)(v >> 8);
			addr[4 * i + 2] = (uint8_t)(v >> 16);
			addr[4 * i + 3] = (uint8_t)(v >> 24);
		} else {
			addr[4 * i] = (uint8_t)(v >> 24);
			addr[4 * i + 1] = (uint8_t)(v >> 16);
			addr[4 * i + 2] = (uint8_t)(v >> 8);
			addr[4 * i + 3] = (uint8_t)v;
		}
	}
	memcpy(old, addr, sizeof(old));
	if (!crimg_rw_ip(e->rules, addr, n == 4))
		return;
	uint32_t nv[4];
	for (size_t i = 0; i < n; i++)
		nv[i] = crimg_load_u32(addr + 4 * i, e->bo);
	char sb[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN];
	int fam = n == 4 ? AF_INET6 : AF_INET;
	inet_ntop(fam, old, sb, sizeof(sb));
	inet_ntop(fam, addr, sa, sizeof(sa));
	add_change(e, f->name, sb, strlen(sb), sa, strlen(sa));
	set_slot(e, arr, nv, n * sizeof(uint32_t));
}

static int push(struct rw_entry *e, const char *name, long idx)
{
	size_t room = sizeof(e->path) - e->path_len;
	int k = idx < 0
		? snprintf(e->path + e->path_len, room, "%s%s", e->path_len ? "." : "", name)
		: snprintf(e->path + e->path_len, room, "%s%s[%ld]", e->path_len ? "." : "", name,
			   idx);
	if (k < 0 || (size_t)k >= room) {
		e->path[e->path_len] = '\0';
		e->too_deep = 1;
		return -1;
	}
	e->path_len += (size_t)k;
	return 0;
}

static void pop(struct rw_entry *e, size_t len)
{
	e->path_len = len;
	e->path[len] = '\0';
}

static void walk(struct rw_entry *e, ProtobufCMessage *m, int depth)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	if (depth > MAX_DEPTH) {
		e->too_deep = 1;
		return;
	}
	for (unsigned i = 0; i < d->n_fields && !e->oom && !e->too_deep && !e->too_long; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		char *base = (char *)m;
		size_t at = e->path_len;
		if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (f->label == PROTOBUF_C_LABEL_REPEATED) {
				size_t n = *(size_t *)(base + f->quantifier_offset);
				ProtobufCMessage **arr = *(ProtobufCMessage ***)(base + f->offset);
				for (size_t k = 0; k < n && !e->too_deep; k++) {
					if (push(e, f->name, (long)k) == 0)
						walk(e, arr[k], depth + 1);
					pop(e, at);
				}
			} else {
				ProtobufCMessage *sub = *(ProtobufCMessage **)(base + f->offset);
				if (sub && push(e, f->name, -1) == 0)
					walk(e, sub, depth + 1);
				pop(e, at);
			}
			continue;
		}
		const struct path_field *pf = e->rules->n_path ? find_path_field(d->name, f->name)
							       : NULL;
		if (pf && f->type == PROTOBUF_C_TYPE_STRING) {
			uint64_t fstype = 0;
			if (pf->how == PF_MNT_ROOT || pf->how == PF_MNT_OPTIONS)
				crimg_msg_get_u64(m, "fstype", &fstype);
			if (pf->how == PF_PATH || (pf->how == PF_MNT_ROOT && !pseudo_fs(fstype)))
				do_path(e, m, f);
			else if (pf->how == PF_MNT_OPTIONS && fstype == FSTYPE_OVERLAYFS)
				do_overlay_options(e, m, f);
		} else if (pf && pf->how == PF_UNIX_NAME && f->type == PROTOBUF_C_TYPE_BYTES) {
			do_unix_name(e, m, f);
		} else if (e->rules->n_ip && is_ipadd_field(d, f)) {
			do_ip(e, m, f);
		}
	}
}

size_t crimg_rw_message(struct rw_entry *e, ProtobufCMessage *m)
{
	walk(e, m, 0);
	return e->n_changes;
}
