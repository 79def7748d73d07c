/* crit inspect: what its files share (inspect.c gathers, the rest formats). */
#ifndef CRIT_INSPECT_H
#define CRIT_INSPECT_H

#include <stdint.h>
#include <stdio.h>

#include "crimg/mem.h"
#include "crimg/model.h"

/* ---- what the container engine recorded (inspect_meta.c) ---- */

struct insp_net {
	char *network, *iface, *mac, *gateway; /* NULL when not recorded */
	char **ips;                            /* "10.88.0.5/16" */
	size_t n_ips;
};

struct insp_mount {
	char *dest, *type, *source, *options; /* options comma-joined, or NULL */
};

struct insp_kv {
	char *key, *value;
};

struct insp_meta {
	/* "Podman", "CRI-O", "containerd", "unknown"; NULL for a plain CRIU
	 * directory (no engine files at all) */
	const char *engine;
	char *name, *image, *image_id, *id, *runtime, *created, *pod, *k8s_namespace;
	char *checkpointed;            /* RFC 3339 */
	const char *checkpointed_from; /* "config.dump" or "stats-dump" (its file time) */
	struct insp_net *nets;
	size_t n_nets;
	int has_spec_mounts; /* spec.dump had a "mounts" array */
	struct insp_mount *mounts;
	size_t n_mounts;
	struct insp_kv *annotations; /* sorted by key */
	size_t n_annotations;
	/* what was wrong with the engine files: "config.dump: line 1 ..." */
	char **problems;
	size_t n_problems;
};

/* Reads config.dump, spec.dump, network.status and containerd's status
 * beside the images.  Never fails: what cannot be read is a problem. */
void insp_meta_read(struct crimg_ckpt *c, struct insp_meta *m);
void insp_meta_free(struct insp_meta *m);
void insp_problem(struct insp_meta *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- what decides how a restore behaves (inspect_restore.c) ---- */

/* A TCP connection CRIU saves with a tcp-stream image, whose image is gone. */
struct insp_lost_stream {
	char image[40]; /* "tcp-stream-14f83.img" */
	uint32_t ino;
	const struct crimg_file *file;
	uint32_t pid, fd; /* a descriptor it is open on (0, 0: none) */
};

struct insp_restore {
	int have; /* inventory.img read */
	uint32_t img_version;
	int tcp_close; /* dumped with --tcp-close */
	int has_lock;
	uint32_t lock_method; /* network_lock_method */
	int has_lsm;
	unsigned lsm; /* lsmtype */
	int allow_uprobes;
	int has_plugins;
	const char *const *plugins;
	size_t n_plugins;
	const char *run_id;     /* dump_criu_run_id, or NULL */
	const char *byte_order; /* the images': "little", "big" (inventory.img's), or NULL */
	struct insp_lost_stream *lost;
	size_t n_lost;
};

/* Reads the inventory's options and looks for connected TCP sockets whose
 * tcp-stream image is missing; what cannot be read is a problem (in m). */
void insp_restore_read(struct crimg_ckpt *c, const struct crimg_tree *tr, struct insp_restore *r,
		       struct insp_meta *m);
void insp_restore_free(struct insp_restore *r);
/* "iptables", "nftables", "skip", or NULL */
const char *insp_lock_name(uint32_t method);
/* "NO_LSM", "SELINUX", "APPARMOR", or NULL */
const char *insp_lsm_name(unsigned lsm);
/* The descriptor's lost stream, or NULL. */
const struct insp_lost_stream *insp_lost_stream(const struct insp_restore *r,
						const struct crimg_file *f);

/* ---- the command's state ---- */

struct insp_opts {
	int json;
	int cmd, env, files, sockets, mounts, metadata;
	int have_pid;
	uint32_t pid;
	const char *src;
};

struct insp_sizes {
	int64_t archive;        /* the archive file; -1 for a directory */
	uint64_t images, pages; /* the checkpoint's files, its pages-*.img */
	size_t n_images;
	int64_t rootfs_diff, devshm; /* -1: not in the checkpoint */
};

struct insp {
	struct crimg_ckpt *c;
	struct insp_opts o;
	struct insp_meta m;
	struct insp_sizes sz;
	const char *format;            /* "directory", "tar", "tar.gz", "tar.zst" */
	const char *const *containers; /* of a pod archive */
	size_t n_containers;
	const char *container;                /* the one shown ("" if not a pod) */
	const struct crimg_dump_stats *stats; /* NULL: none */
	const struct crimg_tree *tree;
	const struct crimg_task *const *roots; /* what the process tree shows */
	size_t n_roots;
	const struct crimg_task *one_root; /* --pid */
	struct insp_restore restore;
	const struct crimg_mounts *mntns; /* CRIU's mounts, when the spec has none */
	size_t n_mntns;
};

/* ---- per process (inspect_proc.c) ---- */

/* The task is a zombie (or dead): no memory, files or sockets. */
int insp_is_zombie(const struct crimg_task_brief *b);
/* argv or the environment from the task's memory: NUL-separated strings
 * (trailing NULs cut), malloc'ed; -1 with err filled. */
int insp_strings(struct crimg_ckpt *c, const struct crimg_task *t, enum crimg_mem_area a,
		 uint8_t **buf, size_t *len, struct crimg_error *err);
/* Text as the tree shows it: controls and broken UTF-8 as \xNN. Malloc'ed. */
char *insp_clean(const void *s, size_t n);
/* argv as one line, each argument shell-quoted where needed.  Malloc'ed. */
char *insp_cmdline(const uint8_t *b, size_t n);
/* What a descriptor is, the way ls -l /proc/PID/fd says it. */
const char *insp_file_text(const struct crimg_file *f, char *buf, size_t len);
/* 1 when f is a socket; then meta ("TCP (LISTEN)") and data (addresses; a
 * unix name cut to name_width columns, whole for 0). */
int insp_socket_text(const struct crimg_file *f, char *meta, size_t mlen, char *data, size_t dlen,
		     size_t name_width);
/* How wide a unix socket's name may be in the tree. */
#define INSP_SK_NAME_WIDTH 48
/* Send and receive buffer sizes of a socket, if recorded. */
int insp_socket_bufs(const struct crimg_file *f, uint32_t *snd, uint32_t *rcv);
/* "1.5 KiB" */
const char *insp_size(uint64_t b, char *buf, size_t len);
/* "841 µs", "143.41 ms", "1.2 s" for microseconds */
const char *insp_usec(uint32_t us, char *buf, size_t len);
/* "zombie, exited with status 3" and the like */
const char *insp_exit_text(uint32_t code, char *buf, size_t len);

/* ---- output ---- */
int insp_tree(struct insp *in, FILE *out, struct crimg_error *err);
int insp_json(struct insp *in, FILE *out, struct crimg_error *err);

#endif
