/*
 * What the fds and sockets tabs share (task_files.c), and the detail pane
 * lines the maps tab uses too: one task's descriptors, resolved; an index
 * of every task's descriptors, built the first time a peer or a pipe's
 * other end is asked for; queued data from sk-queues.img, pipes-data.img
 * and tcp-stream-INO.img.
 */
#ifndef CRIMG_TUI_TASK_FILES_H
#define CRIMG_TUI_TASK_FILES_H
#include <stdint.h>
#include "tui.h"

/* ---- detail pane lines: made for one selection, kept until it changes ---- */
struct tf_line {
	int role;
	size_t klen; /* the first klen bytes of text are its label (dim) */
	char *text;
};
struct tf_lines {
	struct tf_line *v;
	size_t n, cap;
	size_t sel; /* the selection they were made for */
	int valid;
};
void tf_lines_clear(struct tf_lines *L);
/* A line "key  value" (key may be NULL or ""); lines past a few thousand
 * are dropped. */
void tf_line(struct tf_lines *L, int role, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Text of any length as lines of at most w bytes, the first labelled key. */
void tf_line_wrap(struct tf_lines *L, int role, const char *key, const char *text, size_t n,
		  size_t w);
size_t tf_lines_count(const struct tf_lines *L);
void tf_lines_row(const struct tf_lines *L, size_t i, struct tui_row *r);
/* The entry m as the compact JSON crit decode shows (malloc'ed, cut at
 * 64 KiB), or NULL with err filled. */
char *tf_json(const ProtobufCMessage *m, struct crimg_error *err);
/* "4K", "1.5M", "0": a size for a narrow column, into buf. */
const char *tf_size(uint64_t b, char *buf, size_t n);

/* ---- who holds which file: every task's descriptors ---- */
struct tf_holder {
	uint32_t id, pid, fd;
	unsigned type; /* as fdinfo says */
};

/* Data queued in a socket or a pipe, summed from its images. */
struct tf_queue {
	uint32_t key; /* sk-queues: the socket's file id; pipes-data: pipe id */
	uint64_t bytes;
	uint32_t packets;
};

/* One task's descriptors, all of them (fds) or its sockets (sockets). */
struct tf_view {
	const struct crimg_task *task;
	const struct crimg_fdtable *ft;
	char err[400]; /* why there is no table ("" when there is one) */
	int sockets;
	size_t *rows; /* row -> index in ft->fds */
	size_t n;

	/* every task's descriptors, sorted by file id (built once, lazily) */
	struct tf_holder *holders;
	size_t n_holders;
	int holders_built;
	size_t *inet; /* indexes of the holders of inet sockets */
	size_t n_inet;
	char holders_err[300]; /* a task whose table could not be read */

	/* queued data, read once, lazily */
	struct tf_queue *skq, *pipeq;
	size_t n_skq, n_pipeq;
	int queues_read;
	char queues_err[300];

	/* TCP: inventory's --tcp-close, read once */
	int tcp_close_read, tcp_close;

	/* per row: TCP queue lengths from tcp-stream-INO.img (-1 unknown,
	 * -2 not read yet) */
	int64_t *inq, *outq;

	struct tf_lines det;
	int local_w; /* sockets: width of the local address column, 0: not yet */
};

/* A view of task pid's descriptors with ops (all of them, or with
 * sockets only its sockets); NULL after tui_msg when out of memory. */
struct tui_view *tf_view_new(struct tui *t, uint32_t pid, const struct tui_view_ops *ops,
			     int sockets);
void tf_view_free(struct tui_view *v);
/* The descriptor of row i, NULL for the error row. */
const struct crimg_fd *tf_fd(struct tf_view *fv, size_t i);
size_t tf_count(struct tui *t, struct tui_view *v);
/* Row of the table's error when there is no table; 1 when it made one. */
int tf_error_row(struct tf_view *fv, struct tui_row *r);

/* The other end of fd (a pipe's other end, a unix socket's peer, the
 * other side of a connected inet socket when both are in the dump): the
 * first holder of it, preferably not (pid, fd) itself, and in *n how many
 * descriptors hold it; NULL when none does. */
const struct tf_holder *tf_peer(struct tui *t, struct tf_view *fv, const struct crimg_fd *fd,
				size_t *n);
/* Appends " -> pid P fd N" (TR_LINK) or why there is none, for fd. */
void tf_peer_add(struct tui *t, struct tf_view *fv, const struct crimg_fd *fd, struct tui_row *r);
/* Enter: pushes the tab (fds or sockets) of the peer's pid, its fd selected. */
void tf_follow(struct tui *t, struct tui_view *v, size_t sel, enum tui_tab tab);

/* "TCP", "UDP", "TCPv6": a socket's protocol word. */
const char *tf_inet_proto(const struct crimg_file *f, char *buf, size_t n);
/* "127.0.0.1:80", "[::1]:80", "*:80". */
const char *tf_endpoint(unsigned family, const char *addr, unsigned port, char *buf, size_t n);
/* A unix socket's name as ss shows it ("@abstract", a path), or "". */
const char *tf_unix_name(const struct crimg_file *f, char *buf, size_t n);
/* 1 when f is a TCP socket in a state CRIU saves with a tcp-stream image,
 * and the dump has none for it (and was not made with --tcp-close). */
int tf_stream_missing(struct tui *t, struct tf_view *fv, const struct crimg_file *f);
/* Data queued in f (sk-queues.img, pipes-data.img), NULL if none. */
const struct tf_queue *tf_queued(struct tui *t, struct tf_view *fv, const struct crimg_file *f);
/* TCP queue lengths of row i's socket (tcp-stream-INO.img); 0 when known. */
int tf_tcp_queues(struct tui *t, struct tf_view *fv, size_t i, int64_t *inq, int64_t *outq);

/* What f is, on one line, in roles (path, peer link, ghost warning). */
void tf_what(struct tui *t, struct tf_view *fv, const struct crimg_fd *fd, struct tui_row *r);
/* The detail pane of row sel: all fields of its file entry. */
size_t tf_detail_count(struct tui *t, struct tui_view *v, size_t sel);
void tf_detail_row(struct tui *t, struct tui_view *v, size_t sel, size_t i, struct tui_row *r);
void tf_status(struct tui *t, struct tui_view *v, char *buf, size_t n);

#endif
