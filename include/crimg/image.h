/*
 * crimg: CRIU checkpoint images.  Public API of the image library.
 *
 * Conventions every crimg header follows:
 *
 * Errors.  The library never prints and never exits.  Fallible calls
 * return 0 (or a pointer) on success and -1 (or NULL) on failure, filling a
 * caller-owned struct crimg_error that names the file, the byte offset and
 * the entry.
 *
 * Ownership.  Objects returned by the _open and _new calls are owned by the
 * caller and released by the matching _close or _free, which accept NULL.
 * What a call returns through a `const` pointer is borrowed: its lifetime
 * is given next to the call (most often: until the handle it came from is
 * closed).  Calls whose result the caller must free() say "malloc'ed".
 *
 * Threads.  The library keeps no global state: no caches, counters or
 * settings outside the handles it returns (its only globals are constant
 * tables).  Separate handles may therefore be used in separate threads at
 * the same time, but one handle must not be used by two threads at once,
 * not even through calls that take it as `const`: a handle fills its caches
 * lazily.  A handle and those that borrow it count as one (a crimg_ckpt,
 * its parents from crimg_ckpt_parent() and every crimg_mem opened on it);
 * crimg_diff_ckpt() uses both its checkpoints until it returns.  Constant
 * objects are free to share: crimg_default_limits, the kind table, a
 * compiled crimg_mem_pattern.  Callbacks are called in the calling thread
 * (the tar writer writes in a thread of its own, which calls none).
 *
 * Progress.  Long work reports progress through one callback type,
 * crimg_progress_fn, below.
 */
#ifndef CRIMG_IMAGE_H
#define CRIMG_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CRIMG_VERSION "0.1.0"
#define CRIMG_CRIU_VERSION "4.2"

/* ---- progress ---- */

/*
 * Called now and then during long work: what names the work ("reading
 * archive", "extracting", "layer", "searching"; valid during the call
 * only), done counts its units (bytes) so far and total the units expected,
 * 0 when unknown.  arg is the caller's, handed back unchanged.  Called from
 * the thread that made the call it reports on.
 */
typedef void crimg_progress_fn(void *arg, const char *what, uint64_t done, uint64_t total);

/* ---- errors ---- */

struct crimg_error {
	char file[256];   /* "" when not about a file */
	int64_t offset;   /* byte offset in file, -1 when unknown */
	int64_t entry;    /* entry index, -1 when not about an entry */
	int line, column; /* JSON input position, 0 when not JSON */
	char msg[768];
};

/* Empties *e: no file, offset and entry -1, no message.  Callers clear an
 * error before the first call that may fill it. */
void crimg_error_clear(struct crimg_error *e);
/* "FILE: offset N: entry K: MSG" (parts that are unknown are left out),
 * written into buf (len bytes, cut to fit); returns buf. */
const char *crimg_error_str(const struct crimg_error *e, char *buf, size_t len);

/* ---- limits (one place; each can be raised by the caller) ----
 *
 * What hostile input could otherwise make the library allocate, read,
 * write or recurse without bound.  Each has a name (in quotes below) used
 * by crimg_limits_set() and in the message of an input that exceeds it.
 * Functions taking a `const struct crimg_limits *` use the defaults for NULL.
 */
struct crimg_limits {
	uint64_t max_entry;    /* "entry": largest protobuf payload of one entry */
	uint64_t max_extra;    /* "extra": largest extra payload after one entry */
	unsigned max_depth;    /* "depth": deepest JSON nesting accepted */
	uint64_t max_member;   /* "member": largest archive member, decompressed */
	uint64_t max_ratio;    /* "ratio": decompressed / compressed bytes of an archive
				 * (checked once it has given CRIMG_RATIO_FLOOR bytes) */
	unsigned max_parents;  /* "parents": most parents of an incremental dump followed */
	uint64_t max_members;  /* "members": most members of one archive */
	uint64_t max_unpacked; /* "unpacked": most member bytes one archive unpacks to */
	uint64_t max_json;     /* "json": largest JSON file read whole (OCI index,
				 * manifest and config, config.dump, spec.dump, a JSON
				 * directory's list of images) */
	unsigned max_dirs;     /* "dirs": deepest directory nesting unpacked from an
				 * archive, OCI layer, JSON bundle or JSON directory */
	uint64_t max_args;     /* "args": largest argv or environment area of a process */
};
/* The defaults (constant: copy it to change a limit). */
extern const struct crimg_limits crimg_default_limits;
/* The largest depth accepted: the JSON reader recurses once per level. */
#define CRIMG_MAX_DEPTH_CAP 4096u
/* The largest dirs accepted: a directory walk holds a descriptor per level.
 * Walks of a tree (copies, archives made from it, removal) go this deep. */
#define CRIMG_MAX_DIRS_CAP 512u
/* The ratio limit is judged once an archive has given this many bytes. */
#define CRIMG_RATIO_FLOOR (64ull << 20)
/* The end of every message about limit NAME (a string literal): how to raise it. */
#define CRIMG_LIMIT_HINT(name) \
	" (the '" name "' limit; raise it with crit --limit " name "=N or CRIMG_LIMITS=" name "=N)"

/*
 * Applies "NAME=VALUE[,NAME=VALUE...]" to *l (sizes take a K, M, G or T
 * suffix, powers of 1024).  -1 with err naming the bad part and listing
 * the names when a name or value is wrong; *l is then unchanged.
 */
int crimg_limits_set(struct crimg_limits *l, const char *spec, struct crimg_error *err);
/* "entry=64M,extra=4G,..." for help texts: the values in *l, written
 * into buf (len bytes, cut to fit); returns buf. */
const char *crimg_limits_str(const struct crimg_limits *l, char *buf, size_t len);
/*
 * The limits one by one, for help texts: the i-th limit's name (NULL past
 * the last); *what says what it bounds (lines split by '\n') and val gets
 * its value in l (NULL: the defaults) as crimg_limits_str() writes it ("64M").
 * The strings returned are constant.
 */
const char *crimg_limit_describe(size_t i, const struct crimg_limits *l, char *val, size_t vlen,
				 const char **what);

/* ---- UTF-8 text ----
 * The one rule for what counts as UTF-8 (the JSON the library writes, and
 * the tools' text): well-formed sequences only, so no overlong forms, no
 * surrogates (U+D800..U+DFFF) and nothing past U+10FFFF. */
/* The length (1 to 4) of the UTF-8 character at s, of at most n bytes, and
 * its code point in *cp (when cp is not NULL); 0 when the bytes there are
 * not one (or n is 0).  An ASCII byte, NUL included, is a character of 1. */
size_t crimg_utf8_char(const void *s, size_t n, uint32_t *cp);
/* Writes code point cp (up to U+10FFFF; a lone surrogate is written as its
 * three bytes, as Python's surrogatepass would) at out; returns the length. */
size_t crimg_utf8_put(uint32_t cp, char out[4]);

/* ---- image kinds ---- */

#define CRIMG_MAGIC_COMMON 0x54564319u
#define CRIMG_MAGIC_SERVICE 0x55105940u

enum crimg_layout {
	CRIMG_LAYOUT_ENTRIES, /* SIZE PAYLOAD [EXTRA], repeated */
	CRIMG_LAYOUT_PAGEMAP, /* a pagemap_head, then pagemap_entry's */
	CRIMG_LAYOUT_GHOST,   /* ghost_file_entry, then data or chunks */
	CRIMG_LAYOUT_RAW,     /* no header: data named by its file name */
};

enum crimg_extra {
	CRIMG_EXTRA_NONE,
	CRIMG_EXTRA_PIPE_DATA,  /* "bytes" bytes of pipe/fifo contents */
	CRIMG_EXTRA_SK_QUEUE,   /* "length" bytes of a queued packet */
	CRIMG_EXTRA_TCP_STREAM, /* inq_len then outq_len bytes */
	CRIMG_EXTRA_BPFMAP,     /* keys_bytes + values_bytes */
	CRIMG_EXTRA_IPC_SHM,    /* size bytes padded to 4, unless in_pagemaps */
	CRIMG_EXTRA_IPC_SEM,    /* nsems u16 values padded to 8 */
	CRIMG_EXTRA_IPC_MSG,    /* qnum x (SIZE ipc_msg, msize bytes padded to 8) */
};

#define CRIMG_KIND_SERVICE 0x1u   /* first magic is IMG_SERVICE */
#define CRIMG_KIND_NO_COMMON 0x2u /* no first magic (inventory) */

struct crimg_kind {
	const char *name; /* as crit prints it: "CORE" */
	uint32_t magic;   /* 0 for raw images */
	unsigned flags;
	const char *pattern;                    /* file name: "core-%u.img" */
	const ProtobufCMessageDescriptor *desc; /* first entry's type */
	enum crimg_layout layout;
	enum crimg_extra extra;
};

/*
 * The table of image kinds.  Every struct crimg_kind the library hands out
 * is a constant entry of it, valid for the life of the program; the lookups
 * return NULL when nothing matches.
 */
/* How many kinds the table holds. */
size_t crimg_kind_count(void);
/* The i-th kind, NULL past the last. */
const struct crimg_kind *crimg_kind_at(size_t i);
/* The kind with this magic (the one after the common or service magic,
 * struct crimg_kind.magic). */
const struct crimg_kind *crimg_kind_by_magic(uint32_t magic);
/* The kind crit calls name ("CORE", "PAGEMAP"; exact case). */
const struct crimg_kind *crimg_kind_by_name(const char *name);
/* The kind whose file name pattern ("core-%u.img") the last component of
 * path matches.  Raw images carry no magic: they are known this way only. */
const struct crimg_kind *crimg_kind_by_path(const char *path);
/* "x86_64", "aarch64", "s390x", ... for core_entry.mtype; "unknown" else
 * (constant strings). */
const char *crimg_arch_name(unsigned mtype);

/* ---- reading ---- */

enum crimg_byte_order {
	CRIMG_LITTLE_ENDIAN,
	CRIMG_BIG_ENDIAN
};

struct crimg_ipc_msg {
	ProtobufCMessage *msg; /* ipc_msg */
	const uint8_t *data;
	size_t len;
};

/* One entry; everything in it is valid until the next crimg_reader_next(). */
struct crimg_entry {
	uint64_t index;  /* 0-based */
	uint64_t offset; /* of its SIZE word */
	ProtobufCMessage *msg;
	int has_extra;        /* the kind carries an extra here */
	const uint8_t *extra; /* blob (tcp: inq) */
	size_t extra_len;
	const uint8_t *extra2; /* tcp: outq */
	size_t extra2_len;
	uint16_t *sems; /* ipc sem values, host order */
	size_t n_sems;
	struct crimg_ipc_msg *msgs; /* ipc msg queue */
	size_t n_msgs;
	uint64_t extra_size;                    /* payload size as crit --nopl reports it */
	const ProtobufCMessageDescriptor *desc; /* the entry's message type */
	const uint8_t *payload;                 /* lazy readers: the packed message */
	size_t payload_len;
	/* a large payload mapped from the file: the mapping's page-aligned
	 * start (pages behind the consumer may be dropped), else NULL */
	const uint8_t *payload_map;
};

struct crimg_reader;

/*
 * Reads the header from fd (not closed by the reader; any kind of fd:
 * file, pipe) and identifies the kind by magic.  name is used in errors.
 * A raw image (no magic) fails with a message that says so.  Returns a
 * reader the caller closes with crimg_reader_close(), or NULL (err filled).
 */
struct crimg_reader *crimg_reader_open(int fd, const char *name, const struct crimg_limits *lim,
				       struct crimg_error *err);
/* The same over a buffer owned by the caller, which must outlive the
 * reader. */
struct crimg_reader *crimg_reader_open_mem(const void *buf, size_t len, const char *name,
					   const struct crimg_limits *lim, struct crimg_error *err);
/* The image's kind (an entry of the constant kind table). */
const struct crimg_kind *crimg_reader_kind(const struct crimg_reader *r);
/* The byte order the header was found in. */
enum crimg_byte_order crimg_reader_byte_order(const struct crimg_reader *r);
/* 0, CRIMG_MAGIC_COMMON or CRIMG_MAGIC_SERVICE as found in the file. */
uint32_t crimg_reader_first_magic(const struct crimg_reader *r);
/* Reads the next entry into *e (owned by the reader: see struct
 * crimg_entry).  1: an entry was read, 0: clean end of image, -1: error
 * (err filled; the reader is then only good for closing). */
int crimg_reader_next(struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err);
/* Frees r and what its entries point to; the fd stays open.  NULL is fine. */
void crimg_reader_close(struct crimg_reader *r);
/*
 * Lazy mode (lazy non-zero): entries of kinds with no extra payload come
 * with their packed bytes (payload) and msg NULL; crimg_entry_unpack()
 * unpacks on demand.
 */
void crimg_reader_set_lazy(struct crimg_reader *r, int lazy);
/* Unpacks a lazy entry's payload into e->msg (owned by the reader, valid
 * until the next crimg_reader_next()); nothing for an unpacked one.  -1
 * (err filled) when the payload does not unpack. */
int crimg_entry_unpack(struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err);

/* ---- writing ---- */

struct crimg_writer;

/* Writes the header for kind k in byte order bo; fd is not closed by the
 * writer, name is used in errors.  Returns a writer the caller frees with
 * crimg_writer_free(), or NULL (err filled). */
struct crimg_writer *crimg_writer_new(int fd, const char *name, const struct crimg_kind *k,
				      enum crimg_byte_order bo, struct crimg_error *err);
/* Writes one entry: SIZE + packed message.  0, or -1 (err filled). */
int crimg_writer_message(struct crimg_writer *w, const ProtobufCMessage *m,
			 struct crimg_error *err);
/* Writes v as 4 bytes in the image's byte order (extra payloads).  0, or
 * -1 (err filled). */
int crimg_writer_u32(struct crimg_writer *w, uint32_t v, struct crimg_error *err);
/* Writes v as 2 bytes in the image's byte order.  0, or -1 (err filled). */
int crimg_writer_u16(struct crimg_writer *w, uint16_t v, struct crimg_error *err);
/* Writes n bytes from p as they are.  0, or -1 (err filled). */
int crimg_writer_bytes(struct crimg_writer *w, const void *p, size_t n, struct crimg_error *err);
/* Flushes; after this (or on error) only _free is valid.  0, or -1 (err
 * filled). */
int crimg_writer_finish(struct crimg_writer *w, struct crimg_error *err);
/* Frees w (the fd stays open); NULL is fine. */
void crimg_writer_free(struct crimg_writer *w);

/* ---- output files (lib/image/base/outfile.c) ----
 *
 * How everything written under a name it is given reaches that name, so
 * that an output never leaves a partial or clobbered file and never
 * replaces what is not a file of ours to replace.  By what PATH names:
 *   "-"                  standard output, written directly;
 *   nothing yet, or a regular file
 *                        a temporary file in the same directory
 *                        (".NAME.tmp-XXXXXX"), fsynced and renamed over PATH
 *                        on commit, then the directory is fsynced.  A new
 *                        file gets 0666 less the umask; an existing one keeps
 *                        its mode, owner and group.  Where the caller may not
 *                        give the file its owner (not root), the caller owns
 *                        it and set-user-ID is dropped; where it may not give
 *                        it its group either (not a member), set-group-ID is
 *                        dropped and the group's permission bits become those
 *                        of others (0640 -> 0600, 0664 -> 0644): what the
 *                        file's group was granted is not granted to another;
 *   a symbolic link      followed to its end (relative targets from the
 *                        link's directory), and the file it names is written
 *                        as above: the link stays a link.  A dangling link
 *                        creates its target; a loop (40 links) is an error;
 *   a character device, a FIFO, a socket (connected to, as a stream)
 *                        opened and written directly: no temporary file, no
 *                        rename, no truncation, no fsync;
 *   one of this process's descriptors (/dev/stdout, /dev/fd/N,
 *   /proc/self/fd/N)     that descriptor, written directly like "-" (when it
 *                        is open for reading only, what it refers to is
 *                        opened as by its name);
 *   a directory, a block device   refused.
 * Errors name PATH as given: "out/x.json: cannot create a temporary file in
 * out/: No such file or directory".
 */
struct crimg_outfile;

/* refuse a terminal (binary output) */
#define CRIMG_OUTFILE_NOTTY 0x1u
/* for trees the caller owns: a symbolic link at PATH is replaced, not followed */
#define CRIMG_OUTFILE_NOFOLLOW 0x2u
/* never replace a file: fail if one is there at open or appears by commit */
#define CRIMG_OUTFILE_EXCL 0x4u

/* Opens the output PATH names (flags: CRIMG_OUTFILE_*).  Returns a handle
 * the caller ends with crimg_outfile_commit() or crimg_outfile_abort(), or
 * NULL (err filled) when PATH is refused or cannot be written. */
struct crimg_outfile *crimg_outfile_open(const char *path, unsigned flags, struct crimg_error *err);
/* The descriptor to write to (owned by f: not to be closed). */
int crimg_outfile_fd(const struct crimg_outfile *f);
/* PATH as given, or "stdout" for "-": for messages (owned by f). */
const char *crimg_outfile_name(const struct crimg_outfile *f);
/* The temporary file's path (owned by f), NULL when written directly: for
 * a caller that removes it on a signal. */
const char *crimg_outfile_temp(const struct crimg_outfile *f);
/* 1 when commit replaces an existing regular file. */
int crimg_outfile_replaces(const struct crimg_outfile *f);
/* Gives the new file the mode, owner and group of the file open at
 * from_fd instead (as far as allowed, as above): for a copy that must be
 * no more readable than its original.  Nothing for a direct output.  0, or
 * -1 (err filled). */
int crimg_outfile_copy_attrs(struct crimg_outfile *f, int from_fd, struct crimg_error *err);
/* Makes the data the output (see above) and frees f.  0, or -1 (err
 * filled): the target is then untouched and the temporary file removed. */
int crimg_outfile_commit(struct crimg_outfile *f, struct crimg_error *err);
/* Drops the output: the temporary file is removed, the target untouched.
 * Frees f; NULL is fine. */
void crimg_outfile_abort(struct crimg_outfile *f);

/* What an output path names, by the rules above, for a caller that puts
 * a directory there (or must know before writing). */
enum crimg_outpath_type {
	CRIMG_OUTPATH_NONE,   /* nothing: target is created */
	CRIMG_OUTPATH_FILE,   /* an existing regular file: target */
	CRIMG_OUTPATH_DIR,    /* an existing directory: target */
	CRIMG_OUTPATH_DIRECT, /* written directly: "-", a device, FIFO, socket, descriptor */
};
struct crimg_outpath {
	enum crimg_outpath_type type;
	char *target;     /* symbolic links followed (malloc'd); NULL for stdout */
	const char *what; /* "a FIFO", "a character device", "standard output", ... */
};
/* Fills *p for path (flags: CRIMG_OUTFILE_*; p->target is malloc'ed:
 * crimg_outpath_release() frees it).  0, or -1 (err filled) for a block
 * device, a loop of links or a path that cannot be looked at. */
int crimg_outpath_resolve(const char *path, unsigned flags, struct crimg_outpath *p,
			  struct crimg_error *err);
/* Frees what crimg_outpath_resolve() malloc'ed in *p (p->target). */
void crimg_outpath_release(struct crimg_outpath *p);

/* ---- format constants the model and memory layers share ---- */

/* pagemap_entry flags */
#define CRIMG_PE_PARENT 0x1u  /* the page is in the parent dump */
#define CRIMG_PE_LAZY 0x2u    /* may be served lazily (page server) */
#define CRIMG_PE_PRESENT 0x4u /* the page is in this dump's pages file */

/* vma_entry.status bits: CRIU's VMA_NAME is CRIMG_VMA_STATUS_NAME.  (What
 * the model makes of them is enum crimg_vma_kind, CRIMG_VMA_KIND_*, in
 * crimg/model.h: a kind is not a bit.) */
#define CRIMG_VMA_STATUS_AREA_REGULAR (1u << 0)
#define CRIMG_VMA_STATUS_AREA_STACK (1u << 1)
#define CRIMG_VMA_STATUS_AREA_VSYSCALL (1u << 2)
#define CRIMG_VMA_STATUS_AREA_VDSO (1u << 3)
#define CRIMG_VMA_STATUS_AREA_HEAP (1u << 5)
#define CRIMG_VMA_STATUS_FILE_PRIVATE (1u << 6)
#define CRIMG_VMA_STATUS_FILE_SHARED (1u << 7)
#define CRIMG_VMA_STATUS_ANON_SHARED (1u << 8)
#define CRIMG_VMA_STATUS_ANON_PRIVATE (1u << 9)
#define CRIMG_VMA_STATUS_AREA_SYSVIPC (1u << 10)
#define CRIMG_VMA_STATUS_AREA_SOCKET (1u << 11)
#define CRIMG_VMA_STATUS_AREA_VVAR (1u << 12)
#define CRIMG_VMA_STATUS_AREA_AIORING (1u << 13)
#define CRIMG_VMA_STATUS_AREA_MEMFD (1u << 14)
#define CRIMG_VMA_STATUS_AREA_UPROBES (1u << 17)

/* ---- byte order helpers ---- */

/* The byte order of the machine running the library. */
enum crimg_byte_order crimg_host_byte_order(void);

#ifdef __cplusplus
}
#endif

#endif
