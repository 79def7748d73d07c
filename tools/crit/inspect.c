/*
 * crit inspect: a container checkpoint at a glance, the way checkpointctl's
 * inspect shows it: engine, container, image, runtime, times, sizes,
 * addresses and dump statistics, then the process tree with what each
 * process runs, its environment, files, sockets, and the mounts.
 *
 * This file parses the options and gathers the facts; inspect_meta.c reads
 * the engine's files, inspect_tree.c and inspect_json.c print.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/convert.h"
#include "crit.h"
#include "inspect.h"
#include "progress.h"
#include "util.h"

static const char inspect_usage[] =
	"usage: crit inspect [-h] [--format tree|json] [--ps-tree-cmd] [--ps-tree-env]\n"
	"                    [--files] [--sockets] [--mounts] [--metadata] [--all]\n"
	"                    [--pid PID] [--container NAME] SRC\n"
	"\n"
	"Show a checkpoint the way checkpointctl's inspect does: the container it\n"
	"was taken from, then its processes as a tree.\n"
	"\n"
	"SRC is a container checkpoint archive (.tar, .tar.gz, .tar.zst) from Podman,\n"
	"CRI-O or containerd ('-': one read from standard input), the same unpacked\n"
	"(a directory with checkpoint/ and the engine's files), a plain CRIU images\n"
	"directory, an OCI checkpoint image, as a layout directory or an oci-archive\n"
	"(found by content, or named as skopeo names them: oci:DIR[:REF],\n"
	"oci-archive:FILE[:REF], REF the image's ref name where it holds several), or\n"
	"a JSON bundle or JSON directory made by 'crit convert'.\n"
	"Archives are read lazily, never unpacked: no page data is decompressed.\n"
	"\n"
	"What is shown, as far as the checkpoint records it:\n"
	"  the container   name (the tree's root; \"Container\" when not recorded),\n"
	"                  image, ID, runtime, creation time,\n"
	"                  engine (Podman, CRI-O, containerd; \"unknown\" for files it\n"
	"                  does not recognise), pod and Kubernetes namespace, IP and\n"
	"                  MAC addresses (network.status, CRI-O's annotations)\n"
	"  Checkpointed    the engine's checkpoint time (config.dump), else the time\n"
	"                  stats-dump was written (CRIU's last file of a dump; a\n"
	"                  copy that did not keep file times shows the copy's)\n"
	"  sizes           the CRIU images (checkpoint/) and their memory pages\n"
	"                  (pages-*.img), the archive, the root file system diff\n"
	"                  (rootfs-diff.tar) and /dev/shm (devshm-checkpoint.tar)\n"
	"  statistics      CRIU's stats-dump: freezing, frozen, memory dump and\n"
	"                  write times, pages scanned, skipped and written\n"
	"  Restore options what CRIU recorded in inventory.img that a restore\n"
	"                  follows: TCP close (dumped with --tcp-close: connections\n"
	"                  not saved, restored closed), the network lock (iptables,\n"
	"                  nftables, skip), the LSM, uprobes allowed, the plugins\n"
	"                  it needs, the image version and CRIU's run ID\n"
	"  Process tree    [PID]  command, children below their parent; a zombie as\n"
	"                  [PID (zombie)] with how it exited\n"
	"A plain CRIU directory has no container part: its path is the root.\n"
	"\n"
	"options:\n"
	"  -h, --help           show this help message and exit\n"
	"  --format tree|json   output format (default tree)\n"
	"  --ps-tree-cmd        each process's full command line (read from its\n"
	"                       memory) instead of its command name, which follows\n"
	"                       in parentheses when the process renamed itself\n"
	"  --ps-tree-env        each process's environment (read from its memory)\n"
	"  --files              each process's open files: [TYPE FD]  what it is\n"
	"                       (a path, pipe:[INODE], socket:[INODE], anon_inode:...),\n"
	"                       then [cwd] and [root]\n"
	"  --sockets            each process's sockets: [PROTOCOL (STATE)]  local ->\n"
	"                       peer (send and receive buffer sizes); a unix\n"
	"                       name as ss shows it, its middle cut past 48\n"
	"                       columns (whole in JSON)\n"
	"  --mounts             the container's mounts (spec.dump), or for a plain\n"
	"                       CRIU directory those of mountpoints-N.img\n"
	"  --metadata           the OCI spec's annotations\n"
	"  --all                all of the six above\n"
	"  -p, --pid PID        only the process tree below (and with) PID\n"
	"  --container NAME     the container of a pod archive (default: the first)\n"
	"\n"
	"JSON (--format json): one object.  The keys are always there (null when not\n"
	"known) but for those marked with the option that adds them:\n"
	"  source, format (directory, tar, tar.gz, tar.zst), byte_order (of the images,\n"
	"  as CRIU's machine wrote them: little, big; null without inventory.img),\n"
	"  engine, container_name,\n"
	"  image, image_id, id, runtime, created (as the engine wrote it),\n"
	"  checkpointed, checkpointed_from (\"config.dump\" or \"stats-dump\"), pod,\n"
	"  kubernetes_namespace, pod_containers[] (pod archives only),\n"
	"  networks[] {network, interface, ip[], gateway, mac},\n"
	"  checkpoint_size {total_size, memory_pages_size, images (a count),\n"
	"    root_fs_diff_size, devshm_size, archive_size} in bytes,\n"
	"  statistics {freezing_time, frozen_time, memdump_time, memwrite_time (in\n"
	"    microseconds), pages_scanned, pages_skipped_parent, pages_written,\n"
	"    pages_lazy} or null, restore {img_version, tcp_close,\n"
	"    network_lock_method, lsmtype, allow_uprobes, plugins[] (null: not\n"
	"    recorded), dump_criu_run_id, missing_tcp_streams[] {image, ino, state,\n"
	"    src, src_port, dst, dst_port, pid, fd}} (null without inventory.img),\n"
	"    annotations {KEY: VALUE} (--metadata),\n"
	"  problems[] (what was wrong with the engine's files, and what would stop\n"
	"    a restore),\n"
	"  process_tree[]: one object per process, parents before children:\n"
	"    pid, ppid, pgid, sid, depth, command, state (alive, zombie, stopped),\n"
	"    exit_status or exit_signal (zombies), threads (a count), children[]\n"
	"    (pids); cmdline[] (--ps-tree-cmd), environment[] (--ps-tree-env);\n"
	"    files[] {fd, cloexec, text, and the members `crit x fds --format json`\n"
	"    gives a file: id, type, path, ...}, cwd, root (--files); sockets[] {fd,\n"
	"    protocol, address, send_buf, recv_buf, id, type, ...} (--sockets);\n"
	"    a zombie has none of these four\n"
	"  mounts_from (\"spec.dump\" or \"mountpoints\"), mounts[] {destination,\n"
	"    type, source, options, and for CRIU's mounts mnt_ns, mnt_id,\n"
	"    parent_mnt_id} (--mounts)\n"
	"Strings read from memory are given byte for byte (bytes that are not UTF-8\n"
	"as \\u00XX); in the tree, control characters are written as \\xNN.\n"
	"\n"
	"The engine's files are not trusted: one that is not JSON, or a member of\n"
	"the wrong type, is reported (a \"Problems\" branch, problems[] in JSON and\n"
	"a warning on stderr) and the rest is shown.  So is a connected TCP socket\n"
	"(ESTABLISHED, or being set up or closed) whose tcp-stream-INO.img is\n"
	"missing in a dump not made with --tcp-close: a restore would fail on it\n"
	"(--sockets marks its line).\n"
	"\n"
	"Exit status: 0 success (problems in the engine's files included), 1 a\n"
	"missing or damaged CRIU image (named on stderr, nothing on stdout), a\n"
	"pre-dump (memory images only: use crit mem or crit diff), or no such\n"
	"--pid, 2 usage error.\n"
	"\n"
	"examples:\n"
	"  crit inspect checkpoint.tar.zst\n"
	"  crit inspect --all --pid 1 /var/lib/kubelet/checkpoints/checkpoint-web.tar\n"
	"  crit inspect --format json --ps-tree-cmd dump.tar.gz | jq .process_tree\n";

/* progress on a terminal, for archives that take a while to read */
static const struct progress_style progress_style = { .name = "crit inspect" };

static void sizes(struct insp *in)
{
	const char *const *names;
	size_t n = crimg_ckpt_images(in->c, &names);
	in->sz.n_images = n;
	for (size_t i = 0; i < n; i++) {
		int64_t s = crimg_ckpt_data_size(in->c, names[i]);
		if (s < 0)
			continue;
		in->sz.images += (uint64_t)s;
		if (strncmp(names[i], "pages-", 6) == 0)
			in->sz.pages += (uint64_t)s;
	}
	/* the file's size (SRC may be named oci-archive:FILE:REF) */
	struct stat st;
	struct crimg_source_name sn = { .path = NULL };
	in->sz.archive = crimg_ckpt_source_type(in->c) == CRIMG_SRC_ARCHIVE &&
			crimg_source_name_parse(in->o.src, &sn, NULL) == 0 &&
			stat(sn.path, &st) == 0 && S_ISREG(st.st_mode)
		? (int64_t)st.st_size
		: -1;
	crimg_source_name_free(&sn);
	in->sz.rootfs_diff = crimg_ckpt_meta_size(in->c, "rootfs-diff.tar");
	in->sz.devshm = crimg_ckpt_meta_size(in->c, "devshm-checkpoint.tar");
}

/* Everything but the per-process details, which the printers read as they
 * go.  -1 with err filled for a missing or damaged image. */
static int gather(struct insp *in, struct crimg_error *err)
{
	in->format = crimg_ckpt_format(in->c);
	in->n_containers = crimg_ckpt_containers(in->c, &in->containers);
	insp_meta_read(in->c, &in->m);
	sizes(in);
	if (crimg_ckpt_has(in->c, "stats-dump") || crimg_ckpt_meta_size(in->c, "stats-dump") >= 0) {
		struct crimg_error se;
		crimg_error_clear(&se);
		in->stats = crimg_ckpt_dump_stats(in->c, &se);
		if (!in->stats) {
			char b[1400];
			insp_problem(&in->m, "%s", crimg_error_str(&se, b, sizeof(b)));
		}
	}
	in->tree = crimg_ckpt_tree(in->c, err);
	if (!in->tree)
		return -1;
	if (in->o.have_pid) {
		const struct crimg_task *t = crimg_ckpt_task(in->c, in->o.pid, err);
		if (!t) {
			if (!err->msg[0])
				snprintf(err->msg, sizeof(err->msg), "%s: no process with pid %u",
					 in->o.src, in->o.pid);
			return -1;
		}
		in->roots = &in->one_root;
		in->one_root = t;
		in->n_roots = 1;
	} else {
		in->roots = in->tree->roots;
		in->n_roots = in->tree->n_roots;
	}
	insp_restore_read(in->c, in->tree, &in->restore, &in->m);
	if (in->o.mounts && !in->m.has_spec_mounts &&
	    crimg_ckpt_mounts(in->c, &in->mntns, &in->n_mntns, err) < 0)
		return -1;
	return 0;
}

static int parse_pid(const char *s, uint32_t *pid)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || v > UINT32_MAX)
		return -1;
	*pid = (uint32_t)v;
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	enum {
		O_FORMAT = 256,
		O_CMD,
		O_ENV,
		O_FILES,
		O_SOCKETS,
		O_MOUNTS,
		O_META,
		O_ALL,
		O_CTR
	};
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "ps-tree-cmd", no_argument, NULL, O_CMD },
		{ "ps-tree-env", no_argument, NULL, O_ENV },
		{ "files", no_argument, NULL, O_FILES },
		{ "sockets", no_argument, NULL, O_SOCKETS },
		{ "mounts", no_argument, NULL, O_MOUNTS },
		{ "metadata", no_argument, NULL, O_META },
		{ "all", no_argument, NULL, O_ALL },
		{ "pid", required_argument, NULL, 'p' },
		{ "container", required_argument, NULL, O_CTR },
		{ NULL, 0, NULL, 0 },
	};
	struct insp in;
	memset(&in, 0, sizeof(in));
	const char *container = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hp:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(inspect_usage, stdout);
			return 0;
		case O_FORMAT:
			if (strcmp(optarg, "json") == 0)
				in.o.json = 1;
			else if (strcmp(optarg, "tree") != 0)
				return usage_error("inspect",
						   "--format must be tree or json, not '%s'",
						   optarg);
			break;
		case O_CMD:
			in.o.cmd = 1;
			break;
		case O_ENV:
			in.o.env = 1;
			break;
		case O_FILES:
			in.o.files = 1;
			break;
		case O_SOCKETS:
			in.o.sockets = 1;
			break;
		case O_MOUNTS:
			in.o.mounts = 1;
			break;
		case O_META:
			in.o.metadata = 1;
			break;
		case O_ALL:
			in.o.cmd = in.o.env = in.o.files = in.o.sockets = in.o.mounts = 1;
			in.o.metadata = 1;
			break;
		case 'p':
			if (parse_pid(optarg, &in.o.pid) < 0)
				return usage_error("inspect", "--pid needs a process id, not '%s'",
						   optarg);
			in.o.have_pid = 1;
			break;
		case O_CTR:
			container = optarg;
			break;
		default:
			return getopt_error("inspect", c, argv);
		}
	}
	if (argc - optind < 1)
		return usage_error("inspect", "expected SRC (a checkpoint archive or directory)");
	if (argc - optind > 1)
		return usage_error("inspect", "unrecognized arguments: %s", argv[optind + 1]);
	in.o.src = argv[optind];

	struct progress pr;
	progress_init(&pr, &progress_style, PROGRESS_TTY, NULL);
	struct crimg_ckpt_opts co = { .container = container, .limits = tool_limits() };
	if (progress_on(&pr)) {
		co.progress = progress_cb;
		co.progress_arg = &pr;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	in.c = crimg_ckpt_open(in.o.src, &co, &err);
	progress_done(&pr);
	if (!in.c) {
		error_crimg(&err);
		return 1;
	}
	int rc = gather(&in, &err);
	if (rc == 0) {
		in.container = container ? container : in.containers[0];
		for (size_t i = 0; i < in.m.n_problems; i++)
			fprintf(stderr, "crit: warning: %s\n", in.m.problems[i]);
		/* into memory first: an error half-way prints nothing */
		char *buf = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&buf, &len);
		if (!mf) {
			rc = error("out of memory");
		} else {
			rc = in.o.json ? insp_json(&in, mf, &err) : insp_tree(&in, mf, &err);
			/* the stream grows as it is written: short of memory,
			 * its bytes are not all there (and glibc's fclose, when
			 * its last realloc fails, says 0 and leaves buf NULL) */
			if ((fclose(mf) != 0 || !buf) && rc == 0)
				rc = error("out of memory");
			if (rc == 0)
				fwrite(buf, 1, len, stdout);
			free(buf);
		}
	}
	if (rc < 0 && err.msg[0])
		error_crimg(&err);
	insp_meta_free(&in.m);
	insp_restore_free(&in.restore);
	crimg_ckpt_close(in.c);
	return rc < 0 ? 1 : 0;
}
