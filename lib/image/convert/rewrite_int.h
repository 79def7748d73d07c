/*
 * Rewrites of paths and addresses inside image entries (rewrite*.c).
 *
 * rewrite.c walks the directory and re-writes the images that change;
 * rewrite_fields.c finds and changes the fields inside one decoded entry;
 * rewrite_rules.c parses the rules and applies one rule set to one value;
 * rewrite_engine.c rewrites the engine's JSON files of a container checkpoint.
 */
#ifndef CRIMG_REWRITE_INT_H
#define CRIMG_REWRITE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/convert.h"
#include "base/base.h"
#include "frame/frame.h"

/* ---- the rules, checked and normalised ---- */
struct rw_path_rule {
	const char *from, *to;
	size_t from_len, to_len; /* without trailing '/'; "/" has from_len 0 */
};
struct rw_ip_rule {
	int v6;
	uint8_t from[16], to[16]; /* network order; IPv4 in the first 4 */
};
struct rw_rules {
	struct rw_path_rule *path;
	size_t n_path;
	struct rw_ip_rule *ip;
	size_t n_ip;
};
int crimg_rw_rules_init(struct rw_rules *rr, const struct crimg_rewrite_rule *rules, size_t n,
			struct crimg_error *err);
void crimg_rw_rules_free(struct rw_rules *rr);
/* The rewritten path (malloc'd) when a rule changes s, else NULL; *oom set on failure. */
char *crimg_rw_path(const struct rw_rules *rr, const char *s, int *oom);
/* Rewrites addr (4 or 16 bytes, network order) in place; 1 when it changed. */
int crimg_rw_ip(const struct rw_rules *rr, uint8_t *addr, int v6);

/* ---- changes inside one entry ---- */
struct rw_change {
	char *field;          /* "reg.name", relative to the entry */
	char *before, *after; /* for the report, control bytes as \xNN */
};
/* A changed slot of the message, to put the old value back for a moment. */
struct rw_undo {
	void *slot;
	size_t size; /* at most 16: a pointer, ProtobufCBinaryData, 4 x u32 */
	uint8_t old[16], new[16];
};
struct rw_entry {
	const struct rw_rules *rules;
	enum crimg_byte_order bo;             /* addresses are stored in the dumping host's order */
	const struct crimg_field_opt **ipadd; /* the fields marked (criu).ipadd */
	size_t n_ipadd;
	struct rw_change *changes;
	size_t n_changes, cap_changes;
	struct rw_undo *undo;
	size_t n_undo, cap_undo;
	void **owned; /* new strings and bytes the message now points to */
	size_t n_owned, cap_owned;
	char path[512]; /* the field path being walked */
	size_t path_len;
	int oom, too_deep;
	size_t too_long; /* a rewritten unix socket name of this many bytes */
};
void crimg_rw_entry_init(struct rw_entry *e, const struct rw_rules *rr, enum crimg_byte_order bo);
/* Forgets the changes of the last entry (the message no longer matters). */
void crimg_rw_entry_reset(struct rw_entry *e);
void crimg_rw_entry_free(struct rw_entry *e);
/* Applies the rules to every field of m they cover.  The number of changes. */
size_t crimg_rw_message(struct rw_entry *e, ProtobufCMessage *m);
/* 1 when messages of type d may hold a field the rules cover. */
int crimg_rw_relevant(const struct rw_rules *rr, const ProtobufCMessageDescriptor *d);
/* Puts the old values back (undo = 1) or the new ones (undo = 0). */
void crimg_rw_swap(struct rw_entry *e, int undo);
#define CRIMG_UNIX_PATH_MAX 108 /* sizeof(sockaddr_un.sun_path) */

/* ---- a container engine's JSON files (rewrite_engine.c) ---- */
/* Applies the path rules to the host paths of spec.dump or config.dump (name,
 * as reported) at path, replacing the file when one changes; cb is called for
 * each change afterwards, with entry 0.  The number of changes, or -1. */
int crimg_rw_engine_file(const struct rw_rules *rr, const char *path, const char *name,
			 const struct crimg_limits *lim, crimg_rewrite_cb cb, void *arg,
			 struct crimg_error *err);

#endif
