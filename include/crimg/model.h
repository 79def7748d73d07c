/*
 * crimg: the checkpoint model.  What a checkpoint says about its processes,
 * as plain C structures: the process tree, each task's state, credentials,
 * signal handlers, registers, timers and limits, its memory map, its file
 * descriptors resolved to what they are (paths, pipes, sockets with their
 * peers and addresses, eventfd, epoll targets, ...), cwd and root, and the
 * mounts, namespaces and cgroups around them.
 *
 * Everything is read lazily through crimg_ckpt_entries(): asking for the
 * process tree reads pstree.img and nothing else; the files are indexed the
 * first time one is asked for.  Results are cached.  Everything returned is
 * owned by the checkpoint and valid until crimg_ckpt_close().
 *
 * Fallible calls return NULL (or -1) and fill err; a missing image is
 * reported by its name ("ids-42.img: no such image in DIR").  Where a value
 * was not recorded, a has_X flag is 0 or a pointer is NULL.
 *
 * Each structure keeps the entry it came from (`msg`, of protobuf-c's own
 * type from <protobuf-c/protobuf-c.h>; the comment beside it names the
 * entry's message type).  crimg_json_message() (crimg/json.h) renders it as
 * the JSON crit decode prints for that entry.  The types protobuf-c
 * generates from the schemas (core.pb-c.h and friends) are not part of the
 * API and are not installed: do not cast msg to them.  A caller who needs a
 * field the model leaves out renders the entry to JSON and reads the field
 * there, or asks for the field to be added to the model.
 *
 * Two structures describe a mapping, for two jobs: struct crimg_task_vma
 * (here) is what mm-PID.img records about it, with its kind and the file it
 * maps; struct crimg_mem_vma (crimg/mem.h) is the memory reader's view,
 * where its bytes are and how many the checkpoint holds.
 *
 * A "file" here is always what a descriptor refers to (CRIU's file_entry,
 * the kernel's open file): struct crimg_file.  The bytes of an image are
 * crimg_ckpt_data() (crimg/ckpt.h).
 *
 * Threads: see crimg/image.h; the model is part of its checkpoint.
 */
#ifndef CRIMG_MODEL_H
#define CRIMG_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/ckpt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- process tree (pstree.img) ---- */

/* core_entry.tc.task_state: CRIU's own numbers.  A zombie is dumped as
 * CRIMG_TASK_DEAD: its exit code is kept, it has no ids, mm, files or fs. */
enum crimg_task_state {
	CRIMG_TASK_UNKNOWN = 0,
	CRIMG_TASK_ALIVE = 1,
	CRIMG_TASK_DEAD = 2,
	CRIMG_TASK_STOPPED = 3,
	CRIMG_TASK_ZOMBIE = 6,
};

struct crimg_task {
	uint32_t pid, ppid, pgid, sid; /* as seen in the dumped tree's pid namespace */
	const uint32_t *threads;       /* thread ids; pid first */
	size_t n_threads;
	const struct crimg_task *parent;          /* NULL for a root */
	const struct crimg_task *const *children; /* in pstree.img order */
	size_t n_children;
	size_t index;                /* position in pstree.img */
	unsigned depth;              /* 0 for a root */
	const ProtobufCMessage *msg; /* PstreeEntry */
};

struct crimg_tree {
	const struct crimg_task *tasks; /* in pstree.img order */
	size_t n_tasks;
	/* depth-first from each root, children in pstree.img order: the
	 * order `crit x ps` prints (tasks whose parent is not in the dump are
	 * roots too) */
	const struct crimg_task *const *order;
	const struct crimg_task *const *roots;
	size_t n_roots;
};

/* The process tree (pstree.img), owned by c.  NULL with err filled when
 * pstree.img is absent or damaged; for a pre-dump the message is "SRC is a
 * pre-dump (memory only): use crit mem or crit diff". */
const struct crimg_tree *crimg_ckpt_tree(struct crimg_ckpt *c, struct crimg_error *err);
/* 1 for a pre-dump (`criu pre-dump`): memory images (pagemap-PID.img,
 * pages-N.img) and no process tree or task images. */
int crimg_ckpt_is_predump(const struct crimg_ckpt *c);
/* The task with this pid (the tree is read first if need be), owned by c;
 * NULL with err filled if none or the tree cannot be read. */
const struct crimg_task *crimg_ckpt_task(struct crimg_ckpt *c, uint32_t pid,
					 struct crimg_error *err);

/* ---- per task: core-PID.img (and core-TID.img per thread) ---- */

struct crimg_creds {
	uint32_t uid, gid, euid, egid, suid, sgid, fsuid, fsgid;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb; /* bit N = capability N */
	int has_cap_amb;
	uint32_t secbits;
	const uint32_t *groups;
	size_t n_groups;
	const char *lsm_profile; /* NULL when none */
	int no_new_privs;
	const ProtobufCMessage *msg; /* CredsEntry */
};

struct crimg_sigaction {
	unsigned signo;   /* 1 .. 64 */
	uint64_t handler; /* 1 SIG_IGN, else an address (SIG_DFL ones are left out) */
	uint64_t flags;   /* SA_* */
	uint64_t restorer;
	uint64_t mask; /* blocked while the handler runs */
	int compat;    /* a 32-bit (compat) handler */
};

struct crimg_itimer {
	uint64_t interval_sec, interval_usec, value_sec, value_usec;
};

struct crimg_posix_timer {
	uint32_t id, clock_id, signo, notify; /* notify: SIGEV_* */
	int32_t notify_tid;                   /* SIGEV_THREAD_ID target; 0 if none */
	uint64_t sival;
	uint32_t overrun;
	uint64_t interval_sec, interval_nsec, value_sec, value_nsec;
};

struct crimg_rlimit {
	const char *name;  /* "RLIMIT_NOFILE"; NULL past the known ones */
	uint64_t cur, max; /* UINT64_MAX: unlimited */
};

/* Registers of one thread, named as the architecture names them. */
struct crimg_reg {
	const char *name; /* "ip", "x0", "r15", "psw_addr", ... */
	uint64_t value;
};
struct crimg_regs {
	unsigned mtype;             /* core_entry.mtype */
	const char *arch;           /* "x86_64", "aarch64", "s390x", ... */
	const struct crimg_reg *gp; /* general registers, in the image's order */
	size_t n_gp;
	int has_pc;
	uint64_t pc, sp;                     /* instruction and stack pointer */
	uint64_t tls;                        /* fs_base (x86_64), tpidr (aarch64), ... */
	const ProtobufCMessage *thread_info; /* ThreadInfoX86, ThreadInfoAarch64, ... */
};

/* What a pending signal's siginfo_t holds beyond signo, errno and code,
 * as the kernel lays it out for that code and signal. */
enum crimg_si_layout {
	CRIMG_SI_SHORT, /* fewer bytes than its layout needs: only what fit */
	CRIMG_SI_KILL,  /* kill(), SI_KERNEL: pid, uid */
	CRIMG_SI_TIMER, /* a POSIX timer: timerid, overrun, value */
	CRIMG_SI_POLL,  /* SIGPOLL/SIGIO: band, fd */
	CRIMG_SI_FAULT, /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: addr */
	CRIMG_SI_CHLD,  /* SIGCHLD: pid, uid, status */
	CRIMG_SI_RT,    /* sigqueue(), tkill(), mq: pid, uid, value */
	CRIMG_SI_SYS,   /* SIGSYS (seccomp): addr (call address), syscall, arch */
};

/* A queued signal, decoded from the raw siginfo_t CRIU saved. */
struct crimg_siginfo {
	int32_t signo, err, code;    /* si_signo, si_errno, si_code */
	enum crimg_si_layout layout; /* which members below hold something */
	int32_t pid;                 /* the sender (SIGCHLD: the child) */
	uint32_t uid;
	int32_t status; /* SIGCHLD: exit status or signal */
	uint64_t value; /* si_value (sival_ptr; sival_int is its low 32 bits) */
	int32_t timerid, overrun;
	uint64_t addr;
	int64_t band;
	int32_t fd;
	int32_t syscall;
	uint32_t arch;      /* AUDIT_ARCH_* */
	const uint8_t *raw; /* the siginfo_t as saved */
	size_t raw_len;
};
/* Decodes a raw siginfo_t of a machine of core_entry.mtype mtype (its word
 * size and member order) in byte order bo.  Never fails: bytes missing for
 * the layout leave it CRIMG_SI_SHORT. */
void crimg_siginfo_decode(const uint8_t *raw, size_t len, unsigned mtype, enum crimg_byte_order bo,
			  struct crimg_siginfo *si);
/* "SI_QUEUE", "CLD_EXITED", "SEGV_MAPERR", ...; NULL when it has no name here. */
const char *crimg_si_code_name(int32_t signo, int32_t code);

struct crimg_thread {
	uint32_t tid;
	const char *comm;                /* the thread's own name, or NULL */
	struct crimg_regs regs;          /* n_gp 0: no registers (zombies) */
	const struct crimg_creds *creds; /* NULL: none recorded */
	int has_blk_sigset;
	uint64_t blk_sigset;
	int has_sched;
	int32_t sched_nice;
	uint32_t sched_policy, sched_prio;
	unsigned seccomp_mode; /* 0 disabled, 1 strict, 2 filter */
	uint32_t seccomp_filter;
	uint32_t pdeath_sig;
	/* signals queued for this thread (thread_core.signals_p, or
	 * signal-p-TID.img of older dumps), in queue order */
	const struct crimg_siginfo *pending;
	size_t n_pending;
	const ProtobufCMessage *msg; /* CoreEntry (core-TID.img) */
};

struct crimg_task_core {
	const char *comm;
	unsigned state;     /* enum crimg_task_state */
	uint32_t exit_code; /* wait status of a zombie */
	uint32_t personality, flags;
	uint64_t blk_sigset;
	int has_oom_score_adj;
	int32_t oom_score_adj;
	int has_loginuid;
	uint32_t loginuid;
	int child_subreaper;
	uint32_t cg_set; /* cgroup set (cgroup.img); 0: none recorded */
	const char *arch;
	const struct crimg_sigaction *sigactions; /* handled or ignored signals only */
	size_t n_sigactions;
	const struct crimg_rlimit *rlimits; /* indexed by RLIMIT_* */
	size_t n_rlimits;
	int has_timers;
	struct crimg_itimer itimer_real, itimer_virt, itimer_prof;
	const struct crimg_posix_timer *posix_timers;
	size_t n_posix_timers;
	/* signals queued for the whole process (task_core.signals_s, or
	 * signal-s-PID.img of older dumps), in queue order */
	const struct crimg_siginfo *shared_pending;
	size_t n_shared_pending;
	const ProtobufCMessage *msg; /* CoreEntry (core-PID.img) */
};

/* What core-PID.img says of task t, owned by c; NULL with err filled when
 * the image is absent or damaged. */
const struct crimg_task_core *crimg_task_core(struct crimg_ckpt *c, const struct crimg_task *t,
					      struct crimg_error *err);
/* Only the command, state and exit code, read without unpacking the whole
 * core (the process tree of thousands of tasks needs no more). */
struct crimg_task_brief {
	const char *comm;
	unsigned state; /* enum crimg_task_state */
	uint32_t exit_code;
};
/* Task t's brief, owned by c; NULL with err filled when core-PID.img is
 * absent or damaged. */
const struct crimg_task_brief *crimg_task_brief(struct crimg_ckpt *c, const struct crimg_task *t,
						struct crimg_error *err);
/* The task's threads (core-TID.img each) in pstree order, the main thread
 * first: an array of *n owned by c.  A zombie has one, without registers.
 * NULL with err filled when a thread's image is absent or damaged. */
const struct crimg_thread *crimg_task_threads(struct crimg_ckpt *c, const struct crimg_task *t,
					      size_t *n, struct crimg_error *err);
/* "alive", "zombie", "stopped", ... for a task_state value (constant
 * strings; "unknown" for a number without a name). */
const char *crimg_task_state_name(unsigned state);
/* 1 for a task dumped as a zombie (it has no ids, mm, files or fs images). */
int crimg_task_is_zombie(const struct crimg_task_core *core);

/* ---- per task: ids (namespaces and shared objects) ---- */

struct crimg_task_ids {
	uint32_t vm_id, files_id, fs_id, sighand_id;
	/* namespace ids (the N of netns-N.img, mountpoints-N.img, ...); 0: not recorded */
	uint32_t pid_ns, net_ns, ipc_ns, uts_ns, mnt_ns, user_ns, cgroup_ns, time_ns;
	const ProtobufCMessage *msg; /* TaskKobjIdsEntry */
};
/* ids-PID.img, or the copy older dumps keep in core-PID.img, owned by c;
 * NULL with err filled when neither holds them (zombies). */
const struct crimg_task_ids *crimg_task_ids(struct crimg_ckpt *c, const struct crimg_task *t,
					    struct crimg_error *err);

/* ---- files (files.img or the older per-kind images) ---- */

/* fdinfo_entry.type / file_entry.type */
enum crimg_fd_type {
	CRIMG_FD_UND = 0,
	CRIMG_FD_REG = 1,
	CRIMG_FD_PIPE = 2,
	CRIMG_FD_FIFO = 3,
	CRIMG_FD_INETSK = 4,
	CRIMG_FD_UNIXSK = 5,
	CRIMG_FD_EVENTFD = 6,
	CRIMG_FD_EVENTPOLL = 7,
	CRIMG_FD_INOTIFY = 8,
	CRIMG_FD_SIGNALFD = 9,
	CRIMG_FD_PACKETSK = 10,
	CRIMG_FD_TTY = 11,
	CRIMG_FD_FANOTIFY = 12,
	CRIMG_FD_NETLINKSK = 13,
	CRIMG_FD_NS = 14,
	CRIMG_FD_TUNF = 15,
	CRIMG_FD_EXT = 16,
	CRIMG_FD_TIMERFD = 17,
	CRIMG_FD_MEMFD = 18,
	CRIMG_FD_BPFMAP = 19,
	CRIMG_FD_PIDFD = 20,
	CRIMG_FD_CTL_TTY = 65534,
	CRIMG_FD_AUTOFS_PIPE = 65535,
};
/* "REG", "PIPE", ... as crit prints them (constant); NULL for an unknown type. */
const char *crimg_fd_type_name(unsigned type);

enum crimg_remap {
	CRIMG_REMAP_NONE,
	CRIMG_REMAP_LINKED, /* unlinked, kept through a link CRIU made */
	CRIMG_REMAP_GHOST,  /* unlinked, contents in ghost-file-N.img */
	CRIMG_REMAP_PROCFS, /* a /proc/PID path of a dead task */
};

struct crimg_epoll_target {
	uint32_t fd;     /* descriptor number in the epoll's task */
	uint32_t events; /* EPOLL* */
	uint64_t data;
	int has_inode;
	uint64_t inode;
	uint32_t dev;
};

struct crimg_inotify_watch {
	uint32_t wd;
	uint32_t mask, ignored_mask; /* IN_* */
	uint64_t ino;
	uint32_t dev;     /* kernel dev_t: major << 20 | minor */
	const char *path; /* as CRIU resolved it, or NULL */
};

struct crimg_file {
	uint32_t id;
	unsigned type;  /* enum crimg_fd_type */
	uint32_t flags; /* open flags (O_*) where recorded */
	uint64_t pos;   /* file position where recorded */
	/* What it names: the path (regular files, fifos, ttys, memfd names),
	 * or NULL */
	const char *path;
	union {
		struct {
			int has_size;
			uint64_t size;
			uint32_t mode;  /* st_mode, 0 when not recorded */
			int32_t mnt_id; /* -1: not recorded */
			enum crimg_remap remap;
			uint32_t remap_id; /* ghost file number, link file id, pid */
			int has_ghost;     /* ghost-file-N.img read: */
			uint64_t ghost_size;
			uint32_t ghost_mode;
		} reg;
		struct {                  /* PIPE and FIFO */
			uint32_t pipe_id; /* the pipe's inode */
			/* other file records of the same pipe (its other ends) */
			const struct crimg_file *const *peers;
			size_t n_peers;
		} pipe;
		struct {
			uint32_t ino, peer_ino; /* peer_ino 0: not connected */
			unsigned type, state;   /* SOCK_*, TCP_* numbers */
			const uint8_t *name;    /* bound name, may hold NULs (abstract) */
			size_t name_len;
			uint32_t backlog;
			unsigned shutdown;             /* 0 none, 1 read, 2 write, 3 both */
			const struct crimg_file *peer; /* the peer's record if dumped */
		} usk;
		struct {
			uint32_t ino;
			unsigned family, type, proto, state; /* AF_*, SOCK_*, IPPROTO_*, TCP_* */
			char src[48], dst[48];               /* "127.0.0.1", "::1" */
			uint16_t src_port, dst_port;
			uint32_t backlog;
			int v6only;
		} inet;
		struct {
			uint64_t counter;
		} eventfd;
		struct {
			const struct crimg_epoll_target *targets;
			size_t n_targets;
		} epoll;
		struct {
			uint32_t clockid;
			uint64_t ticks;
			uint32_t settime_flags;
			uint64_t value_sec, value_nsec, interval_sec, interval_nsec;
		} timerfd;
		struct {
			uint64_t sigmask; /* bit N-1 = signal N */
		} signalfd;
		struct {
			const struct crimg_inotify_watch *watches;
			size_t n_watches;
		} inotify;
		struct {
			size_t n_marks;
		} fanotify;
		struct {
			uint32_t inode_id; /* memfd.img entry */
			const char *name;  /* without the "memfd:" prefix */
			uint64_t size;
			uint32_t seals; /* F_SEAL_* */
			uint32_t shmid; /* its contents: pagemap-shmem-SHMID.img */
		} memfd;
		struct {
			int32_t pid; /* target, in the dump's pid namespace */
			uint32_t ino;
		} pidfd;
		struct {
			unsigned tty_type; /* 1 pty, 2 console, 3 vt, 4 ctty, 5 ext, 6 serial */
			uint32_t index;    /* pty number */
			int has_index;
			uint32_t rdev;
			uint32_t sid, pgrp;
		} tty;
		struct {
			uint32_t ns_id;
			uint32_t cflag; /* CLONE_NEW* */
		} ns;
		struct {
			uint32_t type, protocol, ifindex;
		} packet;
		struct {
			uint32_t protocol, portid, dst_portid;
		} netlink;
		struct {
			const char *netdev;
		} tun;
		struct {
			uint32_t map_type, map_id;
			const char *map_name;
		} bpf;
	} u;
	/* Sockets (INETSK, UNIXSK, PACKETSK, NETLINKSK): the buffer sizes their
	 * options record (SO_SNDBUF, SO_RCVBUF, in bytes); has_sk_bufs 0 for
	 * other files and for sockets recorded without options */
	int has_sk_bufs;
	uint32_t sk_sndbuf, sk_rcvbuf;
	const ProtobufCMessage *msg; /* RegFileEntry, PipeEntry, UnixSkEntry, ... */
};

/* The file with this id, from files.img or the per-kind images, owned by
 * c.  NULL with err filled when no image holds it or one is damaged. */
const struct crimg_file *crimg_ckpt_file_by_id(struct crimg_ckpt *c, uint32_t id,
					       struct crimg_error *err);
/* Every file record of the checkpoint, by increasing id: *files gets an
 * array of *n owned by c.  0, or -1 (err filled) when an image is damaged. */
int crimg_ckpt_files(struct crimg_ckpt *c, const struct crimg_file *const **files, size_t *n,
		     struct crimg_error *err);

/* An inet socket as the file image lists it (its record, with addresses,
 * is crimg_ckpt_file_by_id(id)). */
struct crimg_inet_sk {
	uint32_t id; /* file id */
	uint32_t ino;
	unsigned family, type, proto, state; /* AF_*, SOCK_*, IPPROTO_*, TCP_* */
};
/* The inet sockets of files.img (or, in older dumps without it, of
 * inetsk.img), in the image's order, read from its entries alone: cheaper
 * than crimg_ckpt_files(), which builds the record of every file.  Entries
 * holding no inet socket are passed over; *n is 0 when the dump has neither
 * image.  -1 (err filled) when the image cannot be read. */
int crimg_ckpt_inet_sockets(struct crimg_ckpt *c, const struct crimg_inet_sk **sks, size_t *n,
			    struct crimg_error *err);

/* ---- per task: file descriptors (fdinfo-FILES_ID.img) ---- */

struct crimg_fd {
	uint32_t fd;
	uint32_t flags;                /* FD_CLOEXEC */
	unsigned type;                 /* enum crimg_fd_type, as fdinfo says */
	uint32_t id;                   /* file id */
	const struct crimg_file *file; /* NULL when no image holds that id */
};
struct crimg_fdtable {
	uint32_t files_id;          /* tasks sharing it share the table */
	const struct crimg_fd *fds; /* in the image's order (by number) */
	size_t n_fds;
};
/* Task t's descriptors (fdinfo-FILES_ID.img), owned by c; NULL with err
 * filled when the image is absent (zombies) or damaged. */
const struct crimg_fdtable *crimg_task_fds(struct crimg_ckpt *c, const struct crimg_task *t,
					   struct crimg_error *err);
/* The descriptor numbered fd in ft, or NULL. */
const struct crimg_fd *crimg_fdtable_find(const struct crimg_fdtable *ft, uint32_t fd);

/* ---- per task: cwd, root, umask (fs-PID.img) ---- */

struct crimg_task_fs {
	uint32_t cwd_id, root_id;
	const struct crimg_file *cwd, *root; /* NULL when not found */
	int has_umask;
	uint32_t umask;
};
/* Task t's cwd, root and umask, owned by c; NULL with err filled when
 * fs-PID.img is absent (zombies) or damaged. */
const struct crimg_task_fs *crimg_task_fs(struct crimg_ckpt *c, const struct crimg_task *t,
					  struct crimg_error *err);

/* ---- per task: memory map (mm-PID.img) and pagemap ---- */

/* What a mapping is, made from its status bits (CRIMG_VMA_STATUS_*,
 * crimg/image.h) and flags: one value, never a bit to test. */
enum crimg_vma_kind {
	CRIMG_VMA_KIND_ANON, /* private anonymous */
	CRIMG_VMA_KIND_FILE, /* a file mapping (private or shared) */
	CRIMG_VMA_KIND_HEAP,
	CRIMG_VMA_KIND_STACK,
	CRIMG_VMA_KIND_VDSO,
	CRIMG_VMA_KIND_VVAR,
	CRIMG_VMA_KIND_VSYSCALL,
	CRIMG_VMA_KIND_SHMEM,   /* shared anonymous */
	CRIMG_VMA_KIND_SYSVIPC, /* SysV shared memory */
	CRIMG_VMA_KIND_MEMFD,
	CRIMG_VMA_KIND_SOCKET, /* a packet socket's ring */
	CRIMG_VMA_KIND_AIORING,
	CRIMG_VMA_KIND_UPROBES,
	CRIMG_VMA_KIND_OTHER,
};

struct crimg_task_vma {
	uint64_t start, end, pgoff;
	uint64_t shmid;               /* file id, shmem id or SysV id, by kind */
	uint32_t prot, flags, status; /* PROT_*, MAP_*, CRIMG_VMA_STATUS_* */
	uint64_t madv;
	enum crimg_vma_kind kind;
	/* "[heap]", "[stack]", "[vdso]", "[vvar]", "[vsyscall]", a file path,
	 * "memfd:NAME", "[shmem]", "[sysvipc]", ... ; "" for plain anonymous
	 * memory */
	const char *name;
	const struct crimg_file *file; /* FILE and MEMFD mappings, when found */
	const ProtobufCMessage *msg;   /* VmaEntry */
};

struct crimg_task_mm {
	uint32_t exe_file_id;
	const struct crimg_file *exe; /* NULL when not found */
	uint64_t start_code, end_code, start_data, end_data, start_stack;
	uint64_t start_brk, brk, arg_start, arg_end, env_start, env_end;
	const uint64_t *auxv; /* (type, value) pairs */
	size_t n_auxv;
	const struct crimg_task_vma *vmas; /* by address */
	size_t n_vmas;
	const ProtobufCMessage *msg; /* MmEntry */
};
/* Task t's memory map (mm-PID.img), owned by c; NULL with err filled when
 * the image is absent (zombies) or damaged. */
const struct crimg_task_mm *crimg_task_mm(struct crimg_ckpt *c, const struct crimg_task *t,
					  struct crimg_error *err);
/* The VMA of mm holding addr, or NULL. */
const struct crimg_task_vma *crimg_mm_find_vma(const struct crimg_task_mm *mm, uint64_t addr);

struct crimg_pagemap_entry {
	uint64_t vaddr;
	uint64_t nr_pages; /* field 5 (CRIU >= 4.0) or field 2 (older) */
	uint32_t flags;    /* CRIMG_PE_*; old images: derived from in_parent */
	int in_parent;
};
struct crimg_pagemap {
	uint32_t pages_id; /* pages-N.img */
	const struct crimg_pagemap_entry *entries;
	size_t n;
};
/* pagemap-PID.img, as recorded (not following parents: see crimg/mem.h),
 * owned by c; NULL with err filled when absent or damaged. */
const struct crimg_pagemap *crimg_task_pagemap(struct crimg_ckpt *c, const struct crimg_task *t,
					       struct crimg_error *err);

/* ---- the checkpoint as a whole ---- */

struct crimg_mount {
	uint32_t mnt_id, parent_mnt_id;
	unsigned fstype;          /* mnt_entry.fstype (FSTYPE__*) */
	const char *fstype_name;  /* "proc", "tmpfs", ... or the recorded fsname */
	uint32_t root_dev;        /* major << 20 | minor */
	uint32_t flags, sb_flags; /* MS_* */
	const char *root, *mountpoint, *source, *options;
	int has_shared_id, has_master_id;
	uint32_t shared_id, master_id;
	int external;                /* an external (bind) mount */
	const ProtobufCMessage *msg; /* MntEntry */
};
struct crimg_mounts {
	uint32_t mnt_ns; /* N of mountpoints-N.img */
	const struct crimg_mount *mounts;
	size_t n;
};
/* The mount namespaces of the dump (one per mountpoints-N.img), by N: *ns
 * gets an array of *n owned by c.  0, or -1 (err filled) when an image is
 * damaged. */
int crimg_ckpt_mounts(struct crimg_ckpt *c, const struct crimg_mounts **ns, size_t *n,
		      struct crimg_error *err);

struct crimg_cgroup_member {
	const char *controllers; /* "cpu,cpuacct", "name=systemd", "" (v2) */
	const char *path;
};
struct crimg_cgroup_set {
	uint32_t id;
	const struct crimg_cgroup_member *members;
	size_t n_members;
};
struct crimg_cgroups {
	const struct crimg_cgroup_set *sets;
	size_t n_sets;
	const ProtobufCMessage *msg; /* CgroupEntry (controllers and their dirs) */
};
/* cgroup.img, owned by c; NULL with err filled when the dump has none or
 * it is damaged. */
const struct crimg_cgroups *crimg_ckpt_cgroups(struct crimg_ckpt *c, struct crimg_error *err);
/* Finds the cgroup set numbered id in cg (a task's crimg_task_core.cg_set);
 * NULL if cg has none of that number. */
const struct crimg_cgroup_set *crimg_cgroups_find_set(const struct crimg_cgroups *cg, uint32_t id);

/* Namespaces: kind names as in /proc/PID/ns ("net", "mnt", ...). */
struct crimg_namespace {
	const char *kind;
	uint32_t id;       /* as in the ids; 0 when not recorded */
	const char *image; /* the image describing it, NULL if none is in the dump */
};
/* The namespaces of a task, in a fixed kind order (pid, net, ipc, uts, mnt,
 * user, cgroup, time), into out (strings owned by c or constant).  0, or -1
 * (err filled) when the task has no ids (zombies). */
int crimg_task_namespaces(struct crimg_ckpt *c, const struct crimg_task *t,
			  struct crimg_namespace out[8], struct crimg_error *err);
/* The i-th kind of that order ("pid" for 0, ..., "time" for 7), NULL past it. */
const char *crimg_ns_kind(size_t i);
/* The kind of a CLONE_NEW* flag (an nsfile's cflag), NULL for another value. */
const char *crimg_ns_kind_of_flag(uint32_t cflag);
/* utsns-N.img: host and domain name (owned by c).  0, or -1 (err filled)
 * when absent or damaged. */
int crimg_ckpt_uts(struct crimg_ckpt *c, uint32_t uts_ns, const char **nodename,
		   const char **domainname, struct crimg_error *err);

/* stats-dump: CRIU's dump statistics (in the images or, for container
 * archives, beside them).  NULL with err filled when absent. */
struct crimg_dump_stats {
	uint32_t freezing_time, frozen_time, memdump_time, memwrite_time; /* us */
	uint64_t pages_scanned, pages_skipped_parent, pages_written, pages_lazy;
	int has_irmap_resolve;
	uint32_t irmap_resolve;
	int has_page_pipes;
	uint64_t page_pipes, page_pipe_bufs;
	int has_shpages;
	uint64_t shpages_scanned, shpages_skipped_parent, shpages_written;
	const ProtobufCMessage *msg; /* StatsEntry */
};
/* The dump statistics (see above), owned by c. */
const struct crimg_dump_stats *crimg_ckpt_dump_stats(struct crimg_ckpt *c, struct crimg_error *err);

/* inventory.img: the image version, and what CRIU recorded that decides how
 * a restore behaves. */
struct crimg_inventory {
	uint32_t img_version;
	int tcp_close; /* dumped with --tcp-close: connections restore closed */
	int has_network_lock;
	uint32_t network_lock; /* network_lock_method: 0 iptables, 1 nftables, 2 skip */
	int has_lsm;
	unsigned lsm;      /* lsmtype: 0 none, 1 SELinux, 2 AppArmor */
	int allow_uprobes; /* dumped with --allow-uprobes */
	int has_plugins;   /* the plugin list was recorded (it may be empty) */
	const char *const *plugins;
	size_t n_plugins;
	const char *run_id;          /* dump_criu_run_id (names the nftables lock table), or NULL */
	const ProtobufCMessage *msg; /* InventoryEntry */
};
/* NULL with err filled when inventory.img is absent, damaged or holds
 * another kind of entry. */
const struct crimg_inventory *crimg_ckpt_inventory(struct crimg_ckpt *c, struct crimg_error *err);

/* ---- names for numbers ---- */

/* "a | b | 0x40" for the bits of v in one of the tables crit --pretty uses:
 * "mmap.prot", "mmap.flags", "mmap.status", "rfile.flags", "pmap.flags",
 * "seals.flags".  Returns buf ("" for 0; NULL for an unknown table). */
const char *crimg_flags_str(const char *table, uint64_t v, char *buf, size_t len);
/* Socket words as crit shows them (constant strings); NULL for unknown
 * numbers. */
/* "UNIX", "INET", "INET6", ... for an AF_* number. */
const char *crimg_sk_family_name(unsigned family);
/* "STREAM", "DGRAM", ... for a SOCK_* number. */
const char *crimg_sk_type_name(unsigned type);
/* "TCP", "UDP", ... for an IPPROTO_* number. */
const char *crimg_sk_proto_name(unsigned proto);
/* "ESTABLISHED", "LISTEN", ... for a TCP_* state. */
const char *crimg_sk_state_name(unsigned state);
/* 1 when CRIU saves a TCP socket in this TCP_* state with its queues and
 * sequence numbers in tcp-stream-INO.img (a connection established, being
 * set up or closing), so that the image must be there; 0 otherwise. */
int crimg_sk_tcp_has_stream(unsigned state);
/* Python's quopri.encodestring of bytes, as crit shows unix socket names.
 * out needs 3 * n + n / 25 + 4 bytes; returns the length written. */
size_t crimg_quopri(const uint8_t *in, size_t n, char *out);

#ifdef __cplusplus
}
#endif

#endif
