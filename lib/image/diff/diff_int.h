/* Internals of the diff engine, shared by the diff*.c sources. */
#ifndef CRIMG_DIFF_INT_H
#define CRIMG_DIFF_INT_H

#include "frame/frame.h"
#include "crimg/diff.h"
#include "crimg/model.h"
#include "json/decode.h"

#define DIFF_PATH_MAX 4096

struct task_pair {
	const struct crimg_task *a, *b;
};

/* One run of a diff: where differences go and the path being compared. */
struct diff {
	const struct crimg_diff_opts *o;
	const struct crimg_limits *lim; /* for the images compared entry by entry */
	unsigned cats;                  /* wanted categories, as bits */
	crimg_diff_fn fn;
	void *arg;
	struct crimg_diff_stats *st;
	struct crimg_error *err;
	int oom; /* a value could not be rendered */
	char path[DIFF_PATH_MAX];
	size_t plen;
	char group[512];            /* what the items are about */
	size_t rel;                 /* path + rel: the part under the group */
	struct crimg_out *vo;       /* values are rendered here (a memory sink) */
	struct dctx jc;             /* crit --pretty renderings, compact layout */
	struct crimg_ckpt *ca, *cb; /* NULL when diffing two images */
	int hex;                    /* integers in hex (registers) */
	unsigned page_size;
	struct task_pair *pairs; /* matched tasks, in A's tree order */
	size_t n_pairs;
	uint32_t (*pid_map)[2]; /* their pids, A's then B's, by A's */
};

/* ---- the run (diff.c) ---- */
int diff_init(struct diff *d, const struct crimg_diff_opts *o, crimg_diff_fn fn, void *arg,
	      struct crimg_diff_stats *st, struct crimg_error *err);
void diff_fini(struct diff *d);
/* 1 once the callback asked to stop or rendering ran out of memory. */
static inline int diff_done(const struct diff *d)
{
	return d->st->stopped || d->oom;
}

/* After a model call on both sides, one or both failing (a, b NULL, their
 * errors ea, eb): 0 when both lack the image (nothing to compare), else -1
 * with the failure in d->err. */
int diff_failed(struct diff *d, const void *a, const struct crimg_error *ea, const void *b,
		const struct crimg_error *eb);

/* Appends to the path; returns the mark to go back to with dpath_pop. */
size_t dpath_push(struct diff *d, const char *fmt, ...) CRIMG_PRINTF(2, 3);
static inline void dpath_pop(struct diff *d, size_t mark)
{
	d->plen = mark;
	d->path[mark] = '\0';
}
/* Starts a group at the current path: items below it are shown under a
 * header reading like printf(fmt, ...). */
void dgroup(struct diff *d, const char *fmt, ...) CRIMG_PRINTF(2, 3);

/* 1 when nothing of category cat under the current path is wanted. */
int dskip(const struct diff *d, unsigned cat);
/* Reports a difference at the current path.  Takes before and after
 * (malloc'ed JSON text, NULL: absent).  Returns diff_done(d). */
int demit(struct diff *d, unsigned cat, enum crimg_diff_op op, char *before, char *after,
	  const struct crimg_diff_range *r);
/* demit with the path extended by a component for this one item. */
int demit_at(struct diff *d, unsigned cat, enum crimg_diff_op op, char *before, char *after,
	     const char *fmt, ...) CRIMG_PRINTF(6, 7);

/* ---- values as JSON text, malloc'ed (diff_value.c); NULL sets d->oom ---- */
char *dv_elem(struct diff *d, const ProtobufCFieldDescriptor *f, const struct crimg_field_opt *o,
	      const void *v);
char *dv_field(struct diff *d, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
	       const struct crimg_field_opt *o);
char *dv_message(struct diff *d, const ProtobufCMessage *m);
char *dv_str(struct diff *d, const char *s);
char *dv_strf(struct diff *d, const char *fmt, ...) CRIMG_PRINTF(2, 3);
char *dv_u64(struct diff *d, uint64_t v);
char *dv_hex(struct diff *d, uint64_t v);
/* The field options of message type desc (indexed like its fields), or NULL. */
const struct crimg_field_opt *const *dv_opts(struct diff *d,
					     const ProtobufCMessageDescriptor *desc);
/* The key text of an integer field for a path: "0x7f00" for hex fields, "12". */
void dv_key_text(struct diff *d, const ProtobufCFieldDescriptor *f, const struct crimg_field_opt *o,
		 const void *v, char *buf, size_t len);

/* ---- messages field by field (diff_msg.c) ---- */
/* Field names never compared (identities that differ between any two
 * dumps, or parts compared elsewhere); NULL-terminated, may be NULL. */
typedef const char *const *dskip_list;
int dmsg(struct diff *d, unsigned cat, const ProtobufCMessage *a, const ProtobufCMessage *b,
	 dskip_list skip);
/* Field f of a and b (a message may be NULL: absent there), under name. */
int dfield(struct diff *d, unsigned cat, const ProtobufCMessage *a, const ProtobufCMessage *b,
	   const ProtobufCFieldDescriptor *f, const char *name, dskip_list skip);
/* Two lists of messages of one type, matched by natural key or position;
 * each element is named "[key=value]" or "[i]" after the current path. */
int dmsgs(struct diff *d, unsigned cat, ProtobufCMessage *const *a, size_t na,
	  ProtobufCMessage *const *b, size_t nb, dskip_list skip);
/* The same, calling pair(d, arg, base + i, base + j) for each matched
 * pair (with the element's path current) after its fields. */
typedef int (*dpair_fn)(struct diff *d, void *arg, size_t ia, size_t ib);
int dmsgs_x(struct diff *d, unsigned cat, ProtobufCMessage *const *a, size_t na,
	    ProtobufCMessage *const *b, size_t nb, dskip_list skip, dpair_fn pair, void *arg,
	    size_t base);
/* 1 when the two messages are equal (field by field, as dmsg compares). */
int dmsg_equal(const ProtobufCMessage *a, const ProtobufCMessage *b, dskip_list skip);

/* ---- images (diff_image.c) ---- */
/* Image name of either checkpoint, compared entry by entry (or as raw
 * bytes), under category cat. */
int diff_image_pair(struct diff *d, unsigned cat, const char *name_a, const uint8_t *a, size_t alen,
		    const char *name_b, const uint8_t *b, size_t blen, dskip_list skip);
/* The images of two checkpoints that the model does not cover. */
int diff_other_images(struct diff *d);
/* Raw bytes, block by block (diff_mem.c). */
int diff_raw(struct diff *d, unsigned cat, const uint8_t *a, size_t alen, const uint8_t *b,
	     size_t blen);

/* ---- checkpoints (diff_task.c, diff_files.c, diff_misc.c, diff_mem.c) ---- */
/* 1 for a task dumped dead (no ids, mm, files or fs images). */
int diff_zombie(struct crimg_ckpt *c, const struct crimg_task *t);
/* Matches the tasks (d->pairs), reports those of one side only. */
int diff_tasks(struct diff *d);
int diff_task_core(struct diff *d, const struct task_pair *p);
int diff_task_fds(struct diff *d, const struct task_pair *p);
int diff_task_vmas(struct diff *d, const struct task_pair *p);
int diff_task_ns(struct diff *d, const struct task_pair *p);
int diff_task_cgroup(struct diff *d, const struct task_pair *p);
int diff_mounts(struct diff *d);
/* Memory of task pid_a of A and pid_b of B. */
int diff_task_mem(struct diff *d, uint32_t pid_a, uint32_t pid_b);
/* Shared memory objects no task maps (SysV segments, memfds only held open). */
int diff_shmem(struct diff *d);

/* 1 when the model covers image name (it is compared as tasks, files, ...). */
int diff_model_covers(const char *name);

#endif
