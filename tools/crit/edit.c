/*
 * crit edit: an image as JSON in the user's editor, checked and encoded
 * back, replacing the image atomically and keeping the original beside it.
 *
 * The way git runs an editor: $VISUAL, else $EDITOR, else vi, through
 * /bin/sh -c so that a value with arguments ("code --wait") works; the
 * terminal's SIGINT and SIGQUIT go to the editor, not to us.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crimg/json.h"
#include "crit.h"
#include "util.h"

static const char edit_usage[] =
	"usage: crit edit [-h] [--no-backup] [-f] IMG\n"
	"\n"
	"Edit a CRIU image as JSON.  IMG is decoded to a temporary file as\n"
	"'crit decode --pretty' writes it (flag names, hex numbers, addresses and\n"
	"devices in their readable forms; extra payloads as base64) and opened in\n"
	"your editor.  When the editor exits, the JSON is checked and encoded back,\n"
	"in IMG's own byte order, and replaces IMG atomically (a temporary file\n"
	"beside it, fsynced, renamed over it); the original is kept as IMG.orig.\n"
	"\n"
	"positional arguments:\n"
	"  IMG               a CRIU image with entries (raw images such as\n"
	"                    pages-*.img hold none and cannot be edited)\n"
	"\n"
	"options:\n"
	"  -h, --help        show this help message and exit\n"
	"  --no-backup       do not keep the original as IMG.orig\n"
	"  -f, --force       replace an IMG.orig left by an earlier edit (without\n"
	"                    this, an existing IMG.orig stops the edit before the\n"
	"                    editor opens)\n"
	"\n"
	"The editor:\n"
	"  $VISUAL, else $EDITOR, else vi, run as /bin/sh -c 'EDITOR \"$@\"' with\n"
	"  the file as its argument, so \"code --wait\" or \"emacs -nw\" work.  An\n"
	"  editor that exits with a failure status (vim's :cq) cancels the edit;\n"
	"  one that returns at once (code without --wait) leaves nothing changed.\n"
	"\n"
	"After the editor:\n"
	"  - the same JSON, or JSON that encodes to the very same bytes: nothing\n"
	"    is written, IMG stays as it was (no IMG.orig either);\n"
	"  - JSON that does not encode: the error is shown as\n"
	"      crit edit: FILE.json:LINE:COL: what is wrong\n"
	"    and, when stdin is a terminal, 'Edit again? [Y/n]' reopens the file\n"
	"    with your changes in it.  Answering no, or stdin not being a\n"
	"    terminal, ends with exit status 1, IMG untouched, and the file with\n"
	"    your edit kept (its name is printed), as after any other failure\n"
	"    once the editor is done;\n"
	"  - JSON naming another kind of image (its \"magic\") is refused as JSON\n"
	"    that does not encode is, at the magic's line and column (an image\n"
	"    cannot change kind).\n"
	"\n"
	"The temporary JSON file is made in $TMPDIR (default /tmp) and removed at\n"
	"the end unless it holds an edit that could not be used.  IMG keeps its\n"
	"mode, owner and group.  IMG may be a symbolic link: the file it points to\n"
	"is replaced (the link stays), its original kept beside it.\n"
	"\n"
	"examples:\n"
	"  EDITOR=\"code --wait\" crit edit ckpt/files.img\n"
	"  EDITOR='sed -i s#/srv/a/#/srv/b/#' crit edit ckpt/files.img   (scripted)\n"
	"\n"
	"Exit status: 0 image replaced or nothing to do, 1 failure or cancelled\n"
	"edit (IMG untouched), 2 usage error.\n";

struct edit {
	const char *img;     /* as given, for messages */
	char *path;          /* resolved: a symlink's target is edited */
	char *orig;          /* PATH.orig */
	char *tmpdir, *json; /* the temporary JSON file */
	struct stat st;
	enum crimg_byte_order bo;
	const struct crimg_kind *kind;
	int backup, force, keep_json;
};

static char *strcat3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/* Decodes the image into ed->json (in a new private directory). */
static int decode_to_json(struct edit *ed)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	int fd = open(ed->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("%s: %s", ed->img, strerror(errno));
	struct crimg_reader *r = crimg_reader_open(fd, ed->img, tool_limits(), &err);
	if (!r) {
		close(fd);
		return error_crimg(&err);
	}
	ed->bo = crimg_reader_byte_order(r);
	ed->kind = crimg_reader_kind(r);
	const char *tdir = getenv("TMPDIR");
	ed->tmpdir = strcat3(tdir && *tdir ? tdir : "/tmp", "/crit-edit-", "XXXXXX");
	const char *base = strrchr(ed->img, '/');
	base = base ? base + 1 : ed->img;
	int rc = -1, out = -1;
	if (!ed->tmpdir) {
		error("out of memory");
	} else if (!mkdtemp(ed->tmpdir)) {
		error("cannot make a temporary directory %s: %s", ed->tmpdir, strerror(errno));
		free(ed->tmpdir);
		ed->tmpdir = NULL;
	} else if (!(ed->json = malloc(strlen(ed->tmpdir) + strlen(base) + 7))) {
		error("out of memory");
	} else {
		sprintf(ed->json, "%s/%s.json", ed->tmpdir, base);
		out = open(ed->json, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (out < 0)
			error("%s: %s", ed->json, strerror(errno));
	}
	if (out >= 0) {
		struct crimg_out *o = crimg_out_new(out, ed->json);
		rc = o ? crimg_json_decode(r, o, CRIMG_JSON_PRETTY, &err) : -1;
		if (rc == 0)
			rc = crimg_out_write(o, "\n", 1); /* editors like a last newline */
		if (rc == 0)
			rc = crimg_out_flush(o, &err);
		if (rc < 0)
			o ? error_crimg(&err) : error("out of memory");
		crimg_out_free(o);
		if (close(out) < 0 && rc == 0)
			rc = error("%s: %s", ed->json, strerror(errno));
	}
	crimg_reader_close(r);
	close(fd);
	return rc;
}

/* Runs the editor on ed->json; 0 when it exited with status 0. */
static int run_editor(const struct edit *ed)
{
	const char *editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	char *script = strcat3(editor, " \"$@\"", "");
	if (!script)
		return error("out of memory");
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execl("/bin/sh", "sh", "-c", script, editor, ed->json, (char *)NULL);
		_exit(127);
	}
	int status = 0, rc = 0;
	if (pid < 0) {
		rc = error("cannot start the editor: %s", strerror(errno));
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	free(script);
	if (rc < 0)
		return -1;
	if (WIFSIGNALED(status))
		return error("the editor '%s' was killed by signal %d; %s left untouched", editor,
			     WTERMSIG(status), ed->img);
	if (WEXITSTATUS(status) == 127)
		return error("the editor '%s' could not be run (set VISUAL or EDITOR); %s left "
			     "untouched",
			     editor, ed->img);
	if (WEXITSTATUS(status))
		return error("the editor '%s' exited with status %d; %s left untouched", editor,
			     WEXITSTATUS(status), ed->img);
	return 0;
}

/* 1 when the two open files hold the same bytes, 0 when not, -1 on error. */
static int same_content(int a, int b)
{
	char ba[65536], bb[65536];
	if (lseek(a, 0, SEEK_SET) < 0 || lseek(b, 0, SEEK_SET) < 0)
		return -1;
	for (;;) {
		ssize_t na = read(a, ba, sizeof(ba));
		if (na < 0)
			return -1;
		size_t got = 0;
		while (got < (size_t)na) {
			ssize_t k = read(b, bb + got, (size_t)na - got);
			if (k < 0)
				return -1;
			if (k == 0)
				return 0;
			got += (size_t)k;
		}
		if (memcmp(ba, bb, (size_t)na))
			return 0;
		if (na == 0) {
			ssize_t k = read(b, bb, 1);
			return k < 0 ? -1 : k == 0;
		}
	}
}

/* Prints an encoding error the way compilers do: FILE:LINE:COL: what. */
static void report_json_error(const struct edit *ed, const struct crimg_error *err)
{
	if (err->line > 0)
		error("%s:%d:%d: %s", ed->json, err->line, err->column, err->msg);
	else
		error_crimg(err);
}

enum {
	ENC_OK,
	ENC_SAME,
	ENC_INVALID,
	ENC_FAIL
};

/* Encodes ed->json into of (a temporary file beside the image). */
static int encode_json(struct edit *ed, struct ofile *of)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	int in = open(ed->json, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		error("%s: %s", ed->json, strerror(errno));
		return ENC_FAIL;
	}
	struct crimg_encode_opts eo = { .byte_order = ed->bo,
					.limits = tool_limits(),
					.kind = ed->kind };
	const char *tmp = crimg_outfile_temp(of->f);
	int rc = crimg_json_encode(in, ed->json, of->fd, tmp, &eo, &err);
	close(in);
	if (rc < 0) {
		/* a write error is ours; anything else is about the JSON */
		if (err.line > 0 || strcmp(err.file, tmp)) {
			report_json_error(ed, &err);
			return ENC_INVALID;
		}
		error_crimg(&err);
		return ENC_FAIL;
	}
	/* the edit may not turn the image into another kind */
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	struct crimg_reader *r = fd >= 0 ? crimg_reader_open(fd, tmp, tool_limits(), &err) : NULL;
	const struct crimg_kind *k = r ? crimg_reader_kind(r) : NULL;
	crimg_reader_close(r);
	int orig = open(ed->path, O_RDONLY | O_CLOEXEC);
	int same = fd >= 0 && orig >= 0 ? same_content(fd, orig) : -1;
	if (fd >= 0)
		close(fd);
	if (orig >= 0)
		close(orig);
	if (!k) {
		error("%s: the encoded image cannot be read back", tmp);
		return ENC_FAIL;
	}
	if (k != ed->kind) {
		error("%s: the edit makes it a %s image, not %s (\"magic\" was changed)", ed->json,
		      k->name, ed->kind->name);
		return ENC_INVALID;
	}
	if (same < 0) {
		error("%s: %s", ed->img, strerror(errno));
		return ENC_FAIL;
	}
	return same ? ENC_SAME : ENC_OK;
}

/* "Edit again? [Y/n]" on a terminal; 0 (no) anywhere else. */
static int ask_again(void)
{
	if (!isatty(STDIN_FILENO))
		return 0;
	fprintf(stderr, "Edit again? [Y/n] ");
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == '\n' || line[0] == 'y' || line[0] == 'Y';
}

/* Copies IMG to IMG.orig by the output rules, no more readable than IMG. */
static int copy_original(const struct edit *ed)
{
	int in = open(ed->path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return error("%s: %s", ed->img, strerror(errno));
	struct ofile of;
	struct crimg_error err;
	crimg_error_clear(&err);
	int rc = ofile_open(&of, ed->orig);
	if (rc == 0 && crimg_outfile_copy_attrs(of.f, in, &err) < 0)
		rc = error_crimg(&err);
	char buf[65536];
	ssize_t n = 0;
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(of.fd, buf, (size_t)n) != n)
			rc = error("%s: %s", ed->orig, strerror(errno));
	if (rc == 0 && n < 0)
		rc = error("%s: %s", ed->img, strerror(errno));
	if (rc == 0)
		rc = ofile_commit(&of);
	else
		ofile_abort(&of);
	close(in);
	return rc;
}

/* IMG.orig := IMG, atomically: a hard link (the very file, with its mode,
 * owner and group) renamed into place, or a copy. */
static int keep_original(const struct edit *ed)
{
	char *tmp = strcat3(ed->orig, ".tmp-", "XXXXXX");
	if (!tmp)
		return error("out of memory");
	int fd = mkostemp(tmp, O_CLOEXEC), rc = 0;
	if (fd < 0) {
		/* the message names the directory, as the library's do */
		int e = errno;
		char *slash = strrchr(tmp, '/');
		if (slash)
			slash[1] = '\0';
		rc = error("%s: cannot create a temporary file in %s: %s", ed->orig,
			   slash ? tmp : "./", strerror(e));
	} else {
		close(fd);
		unlink(tmp);
		if (link(ed->path, tmp) < 0) {
			rc = copy_original(ed); /* no hard links here */
		} else if (rename(tmp, ed->orig) < 0) {
			rc = error("%s: %s", ed->orig, strerror(errno));
			unlink(tmp);
		}
	}
	free(tmp);
	return rc;
}

/* The edit loop: 0 image replaced or unchanged, 1 failed or cancelled. */
static int edit_loop(struct edit *ed)
{
	for (;;) {
		if (run_editor(ed) < 0)
			return 1; /* a cancelled edit: nothing kept */
		struct stat after;
		if (stat(ed->json, &after) < 0) {
			error("%s: %s (the editor removed it?); %s left untouched", ed->json,
			      strerror(errno), ed->img);
			return 1;
		}
		/* IMG by the output rules: a link followed, the file's mode,
		 * owner and group kept */
		struct ofile of;
		if (ofile_open(&of, ed->img) < 0)
			break;
		if (!crimg_outfile_temp(of.f)) {
			ofile_abort(&of);
			error("%s: not a file that can be replaced", ed->img);
			break;
		}
		int enc = encode_json(ed, &of);
		if (enc == ENC_SAME) {
			ofile_abort(&of);
			fprintf(stderr, "crit edit: %s: no changes\n", ed->img);
			return 0;
		}
		if (enc != ENC_OK) {
			ofile_abort(&of);
			if (enc == ENC_INVALID && ask_again())
				continue;
			break;
		}
		if (ed->backup && keep_original(ed) < 0) {
			ofile_abort(&of);
			break;
		}
		if (ofile_commit(&of) < 0)
			break;
		if (ed->backup)
			fprintf(stderr, "crit edit: %s replaced; the original is %s\n", ed->img,
				ed->orig);
		else
			fprintf(stderr, "crit edit: %s replaced\n", ed->img);
		return 0;
	}
	/* an edit that could not be used is not thrown away */
	ed->keep_json = 1;
	error("%s left untouched; your edit is in %s", ed->img, ed->json);
	return 1;
}

/* Checked before the editor opens, so that no edit is made in vain. */
static int dir_not_writable(const char *path)
{
	char *d = strdup(path);
	if (!d)
		return 1;
	char *slash = strrchr(d, '/');
	const char *dir = d;
	if (!slash)
		dir = ".";
	else if (slash == d)
		dir = "/";
	else
		*slash = '\0';
	int rc = access(dir, W_OK) != 0;
	free(d);
	return rc;
}

static void cleanup(struct edit *ed)
{
	if (ed->tmpdir && !ed->keep_json) {
		if (ed->json)
			unlink(ed->json);
		rmdir(ed->tmpdir);
	}
	free(ed->tmpdir);
	free(ed->json);
	free(ed->path);
	free(ed->orig);
}

int cmd_edit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-backup", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct edit ed = { .backup = 1 };
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hf", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(edit_usage, stdout);
			return 0;
		case 'n':
			ed.backup = 0;
			break;
		case 'f':
			ed.force = 1;
			break;
		default:
			return getopt_error("edit", c, argv);
		}
	}
	if (optind == argc)
		return usage_error("edit", "expected an image to edit");
	if (argc - optind > 1)
		return usage_error("edit", "unrecognized arguments: %s", argv[optind + 1]);
	ed.img = argv[optind];
	tool_name = "crit edit";
	int rc = 1;
	struct stat lst;
	if (stat(ed.img, &ed.st) < 0 || lstat(ed.img, &lst) < 0) {
		error("%s: %s", ed.img, strerror(errno));
	} else if (!S_ISREG(ed.st.st_mode)) {
		error("%s: not a regular file", ed.img);
	} else if (!(ed.path = S_ISLNK(lst.st_mode) ? realpath(ed.img, NULL) : strdup(ed.img)) ||
		   !(ed.orig = strcat3(ed.path, ".orig", ""))) {
		error("%s: %s", ed.img, strerror(errno));
	} else if (dir_not_writable(ed.path)) {
		error("%s: cannot replace it: %s", ed.img, strerror(errno));
	} else if (ed.backup && lstat(ed.orig, &lst) == 0 && !S_ISREG(lst.st_mode)) {
		/* a link, device or FIFO there is not an earlier edit's: never replaced */
		error("%s exists and is not a regular file: move it away, or use --no-backup",
		      ed.orig);
	} else if (ed.backup && !ed.force && access(ed.orig, F_OK) == 0) {
		error("%s exists (the original kept by an earlier edit): move it away, or use "
		      "--force to replace it, or --no-backup",
		      ed.orig);
	} else if (decode_to_json(&ed) == 0) {
		rc = edit_loop(&ed);
	}
	cleanup(&ed);
	return rc;
}
