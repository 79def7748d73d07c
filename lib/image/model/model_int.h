/* Internals of the checkpoint model, shared by model*.c. */
#ifndef CRIMG_MODEL_INT_H
#define CRIMG_MODEL_INT_H

#include "crimg/model.h"
#include "ckpt/ckpt_int.h"

/* uint32 -> pointer, open addressing: the model's indexes (pid, file id,
 * files_id, inode) are all uint32 keys. */
struct u32map {
	uint32_t *keys;
	void **vals;
	size_t cap, n; /* cap a power of two; vals[i] NULL: empty */
};
void *u32map_get(const struct u32map *m, uint32_t key);
int u32map_put(struct u32map *m, uint32_t key, void *val); /* -1: out of memory */
void u32map_free(struct u32map *m);

/* What the model has loaded for one task (indexed like tree.tasks). */
struct task_cache {
	const struct crimg_task_brief *brief;
	const struct crimg_task_core *core;
	const struct crimg_thread *threads;
	size_t n_threads;
	const struct crimg_task_ids *ids;
	const struct crimg_fdtable *fds;
	const struct crimg_task_fs *fs;
	const struct crimg_task_mm *mm;
	const struct crimg_pagemap *pagemap;
};

struct crimg_model {
	struct crimg_arena arena; /* everything below lives here */

	int have_tree;
	struct crimg_tree tree;
	struct task_cache *tc;
	struct u32map by_pid; /* pid -> struct crimg_task */

	int have_files;
	int file_images;                     /* files.img or a per-kind image exists */
	struct u32map files;                 /* id -> struct crimg_file */
	const struct crimg_file **file_list; /* by id */
	size_t n_files;
	struct u32map fdtables; /* files_id -> struct crimg_fdtable */

	int have_mounts;
	struct crimg_mounts *mounts;
	size_t n_mounts;

	const struct crimg_cgroups *cgroups;
	const struct crimg_dump_stats *stats;
	const struct crimg_inventory *inventory;

	int have_inet_sks;
	const struct crimg_inet_sk *inet_sks;
	size_t n_inet_sks;
};

/* The model of c, created on first use; NULL (err filled) when out of memory. */
struct crimg_model *model_get(struct crimg_ckpt *c, struct crimg_error *err);
/* Zeroed arena memory; NULL when out of memory. */
void *model_alloc(struct crimg_model *m, size_t n);
char *model_strdup(struct crimg_model *m, const char *s);
char *model_strndup(struct crimg_model *m, const char *s, size_t n);
int model_oom(struct crimg_error *err, const char *what);
/* Pending signals (model_signals.c): a core's queue q, or when q is NULL
 * the entries of an old signal-[sp]-ID.img, decoded into *out. */
struct SignalQueueEntry;
struct SiginfoEntry;
int model_siginfos(struct crimg_model *m, const struct SignalQueueEntry *q,
		   const struct SiginfoEntry *const *old, size_t n_old, unsigned mtype,
		   enum crimg_byte_order bo, const struct crimg_siginfo **out, size_t *n,
		   struct crimg_error *err);

/* The file index, built on first use (model_files.c). */
int model_files_load(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_error *err);
/* The index, for a task's files, fs or mm: an error when the dump has no
 * file image at all (then nothing they name can be resolved). */
int model_files_need(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_error *err);
/* The file with id, or NULL (no error: callers decide). */
const struct crimg_file *model_file(struct crimg_model *m, uint32_t id);

/* Entries of an image that may be absent: NULL without an error when it is. */
const struct crimg_entries *model_optional(struct crimg_ckpt *c, const char *name,
					   struct crimg_error *err, int *failed);

/* Generic field access by name (for messages whose fields vary by
 * architecture or version). */
const ProtobufCFieldDescriptor *pb_field(const ProtobufCMessage *m, const char *name);
const ProtobufCMessage *pb_submsg(const ProtobufCMessage *m, const char *name);
/* 1 and *v when a scalar integer field is present. */
int pb_u64(const ProtobufCMessage *m, const char *name, uint64_t *v);

#endif
