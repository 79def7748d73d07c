#!/usr/bin/env bash
# libcrimg as another program sees it: `make install DESTDIR` of this build
# (never rebuilt), then a program written here, outside the tree and
# including only <crimg/...>, built with pkg-config against the shared and
# against the static library.  Each lists a checkpoint's tasks and decodes
# its first task's core image, and must print what crit prints, byte for
# byte.  Both libraries export exactly the functions and objects the
# installed headers declare (read twice: by scripts/public-symbols.sh, which
# the build uses, and independently by gcc -aux-info), all crimg_*, under
# the version node CRIMG_<soversion>; the check says so when it is fed an
# archive that exports more or a header that declares more.  Then
# `make uninstall` leaves nothing behind.
# (Not asan-ok: a program linked against ASan-built libraries needs the
# sanitizer runtime first; the ASan suite covers the library's code.)
. "$(dirname "$0")/lib.sh"

INST=$TMP/root
multi=$(cc -print-multiarch 2>/dev/null || true)
LIBDIR=/usr/lib${multi:+/$multi}
L=$INST$LIBDIR
INC=$INST/usr/include
VERSION=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
SOVERSION=${VERSION%%.*}
NODE=CRIMG_$SOVERSION
# the build as make knows it (relative to the tree when it is inside it)
MBUILD=${BUILD#"$TOP"/}

mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$TOP" -o all \
		BUILD="$MBUILD" PREFIX=/usr LIBDIR="$LIBDIR" DESTDIR="$INST" "$@"
}

# ---- make install ----

if mk install > "$TMP/install.log" 2>&1; then
	pass "make install DESTDIR PREFIX=/usr LIBDIR=$LIBDIR"
else
	fail "make install: $(tail -3 "$TMP/install.log")"
	finish
	exit
fi

check "version $VERSION read from the Makefile" eval '[ -n "$VERSION" ] && [ "$SOVERSION" != "$VERSION" ]'
check "installed: libcrimg.so.$VERSION, a regular file" \
	eval '[ -f "$L/libcrimg.so.$VERSION" ] && [ ! -L "$L/libcrimg.so.$VERSION" ]'
check "installed: libcrimg.so.$SOVERSION -> libcrimg.so.$VERSION" \
	[ "$(readlink "$L/libcrimg.so.$SOVERSION")" = "libcrimg.so.$VERSION" ]
check "installed: libcrimg.so -> libcrimg.so.$SOVERSION" \
	[ "$(readlink "$L/libcrimg.so")" = "libcrimg.so.$SOVERSION" ]
check "installed: libcrimg.a" [ -f "$L/libcrimg.a" ]
check "installed: crimg.pc in LIBDIR/pkgconfig" [ -f "$L/pkgconfig/crimg.pc" ]
hdrs_ok=1
for h in "$TOP"/include/crimg/*.h; do
	cmp -s "$h" "$INC/crimg/${h##*/}" || { hdrs_ok=0; fail "installed: include/crimg/${h##*/}"; }
done
[ $hdrs_ok = 0 ] || pass "installed: every header of include/crimg"
check "installed: no internal library" [ ! -e "$L/libcrimg-internal.a" ]
hdr_version=$(sed -n 's/^#define CRIMG_VERSION "\(.*\)"$/\1/p' "$INC"/crimg/*.h)
check "the headers' CRIMG_VERSION ($hdr_version) is the library's ($VERSION)" \
	[ "$hdr_version" = "$VERSION" ]

dyn=$(readelf -d "$L/libcrimg.so.$VERSION" 2>&1)
check "soname libcrimg.so.$SOVERSION" grep -qF "Library soname: [libcrimg.so.$SOVERSION]" <<< "$dyn"
for lib in libprotobuf-c libjansson libpcre2-8; do
	check "libcrimg.so links $lib dynamically" grep -q "Shared library: \[$lib\.so" <<< "$dyn"
done
check "libcrimg.so does not link libarchive (it is dlopen'd)" \
	eval '! grep -q "Shared library: \[libarchive" <<< "$dyn"'

# ---- the exported symbols ----

# The public declarations of the installed headers, by the build's reader.
CC=cc "$TOP/scripts/public-symbols.sh" "$INC" > "$TMP/decl" 2> "$TMP/decl.err"
check "public-symbols.sh reads the installed headers" [ -s "$TMP/decl" ]

# The same, read independently: gcc's own list of the function prototypes
# it saw (-aux-info), and the extern objects of the preprocessed headers.
aux_decls() {
	local inc=$1 out=$2 h
	for h in "$inc"/crimg/*.h; do printf '#include <crimg/%s>\n' "${h##*/}"; done > "$out.c"
	gcc -std=c11 -I"$inc" -aux-info "$out.aux" -fsyntax-only "$out.c" 2> "$out.err" || return 1
	{
		# "/* FILE:LINE:NC */ extern TYPE NAME (PARAMS);": the name is
		# the last word before the first " ("
		grep -F '/crimg/' "$out.aux" | grep -v '\*/ static ' |
			sed -e 's|^/\*[^*]*\*/ *||' -e 's/ (.*//' -e 's/.*[ *]//'
		# objects: extern declarations of crimg_ names (the system
		# headers' own are not ours; a non-crimg_ one of ours shows as a
		# difference with public-symbols.sh's list)
		gcc -std=c11 -I"$inc" -E -P "$out.c" | tr '\n' ' ' | tr ';{}' '\n\n\n' |
			sed -n 's/^ *extern [^()]*[ *]\(crimg_[A-Za-z0-9_]*\)\( *\[[^]]*\]\)* *$/\1/p'
	} | LC_ALL=C sort -u > "$out"
}
if command -v gcc > /dev/null; then
	if aux_decls "$INC" "$TMP/aux" && [ -s "$TMP/aux" ]; then
		d=$(diff "$TMP/decl" "$TMP/aux")
		check "public-symbols.sh and gcc -aux-info read the same declarations${d:+: $d}" [ -z "$d" ]
	else
		fail "gcc -aux-info on the installed headers: $(head -3 "$TMP/aux.err")"
	fi
else
	skip "gcc -aux-info (no gcc)"
fi

# defined_syms LIB: the global symbols LIB defines (dynamic ones for a
# shared object, without its version node), sorted.
defined_syms() {
	case $1 in
	*.a) nm --defined-only --extern-only "$1" | awk 'NF == 3 { print $3 }' ;;
	*) nm -D --defined-only "$1" |
		awk -v node="$NODE" 'NF == 3 { sub(/@.*/, "", $3) } NF == 3 && !($2 == "A" && $3 == node) { print $3 }' ;;
	esac | LC_ALL=C sort -u
}
# exports_ok LIB DECL: LIB exports only crimg_* symbols, exactly those of DECL;
# says what is wrong on stdout and fails otherwise.
exports_ok() {
	local lib=$1 decl=$2 syms extra missing bad
	syms=$(defined_syms "$lib")
	[ -n "$syms" ] || { echo "no symbols"; return 1; }
	bad=$(grep -v '^crimg_' <<< "$syms" | head -5 | tr '\n' ' ')
	extra=$(LC_ALL=C comm -23 <(echo "$syms") "$decl" | head -5 | tr '\n' ' ')
	missing=$(LC_ALL=C comm -13 <(echo "$syms") "$decl" | head -5 | tr '\n' ' ')
	[ -z "$bad$extra$missing" ] && return 0
	echo "${bad:+not crimg_*: $bad; }${extra:+exported, not declared: $extra; }${missing:+declared, not defined: $missing}"
	return 1
}

so=$L/libcrimg.so.$VERSION
n_so=$(defined_syms "$so" | wc -l)
n_decl=$(wc -l < "$TMP/decl")
if why=$(exports_ok "$so" "$TMP/decl"); then
	pass "nm -D libcrimg.so: only crimg_*, exactly the $n_decl declared ($n_so)"
else
	fail "nm -D libcrimg.so: $why"
fi
if why=$(exports_ok "$L/libcrimg.a" "$TMP/decl"); then
	pass "nm libcrimg.a (installed): only crimg_*, exactly the $n_decl declared"
else
	fail "nm libcrimg.a (installed): $why"
fi
# every export under the version node, and no other node defined
vers=$(nm -D --defined-only --with-symbol-versions "$so" |
	awk -v node="$NODE" 'NF == 3 && !($2 == "A" && $3 ~ "^" node) { sub(/^[^@]*@+/, "", $3); print $3 }' | sort -u)
check "every export is versioned $NODE (got: $(echo $vers))" [ "$vers" = "$NODE" ]
# the version definitions: the file's own (its soname) and NODE, no other
vdefs=$(readelf -V "$so" | awk '/^Version definition section/ { on = 1; next }
	/^Version .* section/ { on = 0 } on && /Name:/ { sub(/.*Name: /, ""); print $1 }' | sort | tr '\n' ' ')
check "version definitions: $NODE and the soname only (got: $vdefs)" \
	[ "$vdefs" = "$NODE libcrimg.so.$SOVERSION " ]

# The check fails where it should: the internal archive (every object's
# globals) exports CRIU's protobuf-c names and unprefixed ones, and a header
# declaring a function nobody defines is caught.
internal=$BUILD/libcrimg-internal.a
if [ ! -f "$internal" ]; then
	fail "no $internal to test the check against"
elif why=$(exports_ok "$internal" "$TMP/decl"); then
	fail "the check accepts the internal archive"
else
	check "the check refuses the internal archive ($(defined_syms "$internal" | grep -vc '^crimg_') symbols not crimg_*)" \
		grep -q "not crimg_\*: " <<< "$why"
fi
mkdir -p "$TMP/planted"
cp -r "$INC/crimg" "$TMP/planted/"
printf '\nint crimg_planted_nowhere(void);\n' >> "$TMP/planted/crimg/image.h"
CC=cc "$TOP/scripts/public-symbols.sh" "$TMP/planted" > "$TMP/decl.planted" 2>&1
why=$(exports_ok "$so" "$TMP/decl.planted")
check "the check names a declared function that is not defined" \
	grep -q "declared, not defined: crimg_planted_nowhere" <<< "$why"

# ---- a program outside the tree ----

CK=
if have_corpus && [ -f "$CORPUS/tree/pstree.img" ]; then
	CK=$CORPUS/tree
elif [ -f "$BUILD/samples/demo/pstree.img" ]; then
	CK=$BUILD/samples/demo
fi

mkdir -p "$TMP/prog"
cat > "$TMP/prog/demo.c" <<'EOF'
/* Lists a checkpoint's tasks (pid, ppid, command) in tree order, then
 * prints its first task's core image as JSON, as `crit decode` does. */
#include <stdint.h>
#include <stdio.h>

#include <crimg/ckpt.h>
#include <crimg/json.h>
#include <crimg/model.h>

static int show(struct crimg_ckpt *c, struct crimg_error *err)
{
	const struct crimg_tree *tree = crimg_ckpt_tree(c, err);
	if (!tree)
		return -1;
	for (size_t i = 0; i < tree->n_tasks; i++) {
		const struct crimg_task *t = tree->order[i];
		const struct crimg_task_brief *b = crimg_task_brief(c, t, err);
		if (!b)
			return -1;
		printf("%u %u %s\n", (unsigned)t->pid, (unsigned)t->ppid, b->comm ? b->comm : "");
	}
	if (tree->n_tasks == 0 || fflush(stdout) != 0)
		return -1;

	char name[64];
	snprintf(name, sizeof(name), "core-%u.img", (unsigned)tree->order[0]->pid);
	size_t len;
	const uint8_t *bytes = crimg_ckpt_data(c, name, &len, err);
	if (!bytes)
		return -1;
	struct crimg_reader *r = crimg_reader_open_mem(bytes, len, name, NULL, err);
	if (!r)
		return -1;
	struct crimg_out *o = crimg_out_new(1, "stdout");
	int rc = -1;
	if (o && crimg_json_decode(r, o, 0, err) == 0 && crimg_out_write(o, "\n", 1) == 0 &&
	    crimg_out_flush(o, err) == 0)
		rc = 0;
	crimg_out_free(o);
	crimg_reader_close(r);
	return rc;
}

int main(int argc, char **argv)
{
	struct crimg_error err;
	char msg[1200];
	if (argc != 2) {
		fprintf(stderr, "usage: demo CHECKPOINT\n");
		return 2;
	}
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(argv[1], NULL, &err);
	int rc = c ? show(c, &err) : -1;
	if (rc < 0)
		fprintf(stderr, "demo: %s\n", crimg_error_str(&err, msg, sizeof(msg)));
	crimg_ckpt_close(c);
	return rc < 0 ? 1 : 0;
}
EOF

# The program also defines names the library uses inside: CRIU's generated
# descriptors (as a program compiling CRIU's schemas would) and an internal
# helper.  Exported, they would clash in the static link ("multiple
# definition") and, in the shared one, take the library's own references.
cat > "$TMP/prog/clash.c" <<'EOF'
/* Names libcrimg uses internally, defined again by the program. */
const char core_entry__descriptor[] = "the program's own";
const char pstree_entry__descriptor[] = "the program's own";
int diff_init(void);
int diff_init(void)
{
	return -1;
}
EOF

export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$INST
check "pkg-config --modversion crimg is $VERSION" [ "$(pkg-config --modversion crimg 2>&1)" = "$VERSION" ]
cflags=$(pkg-config --cflags crimg 2>&1)
check "pkg-config --cflags crimg points into the installed tree ($cflags)" \
	grep -qF -- "-I$INC" <<< "$cflags"
check "pkg-config --libs crimg: -lcrimg" grep -qw -- "-lcrimg" <<< "$(pkg-config --libs crimg)"

CFL="-std=c11 -Wall -Wextra -Werror -O1"
cd "$TMP/prog" || exit 1
# shellcheck disable=SC2046 # pkg-config's words are meant to split
if cc $CFL -o demo-shared demo.c clash.c $(pkg-config --cflags --libs crimg) > build-shared.log 2>&1; then
	pass "the program (defining core_entry__descriptor, diff_init, ...) builds with pkg-config --cflags --libs crimg (-Wall -Wextra -Werror)"
else
	fail "shared build: $(head -5 build-shared.log)"
fi
# shellcheck disable=SC2046
if cc $CFL -static -o demo-static demo.c clash.c $(pkg-config --static --cflags --libs crimg) > build-static.log 2>&1; then
	pass "the program (defining core_entry__descriptor, diff_init, ...) builds with pkg-config --static (cc -static, libcrimg.a)"
else
	fail "static build: $(grep -v 'statically linked applications requires' build-static.log | head -5)"
fi

if [ -x demo-shared ]; then
	check "demo-shared needs libcrimg.so.$SOVERSION" \
		grep -qF "Shared library: [libcrimg.so.$SOVERSION]" <<< "$(readelf -d demo-shared)"
	ldd_out=$(LD_LIBRARY_PATH=$L ldd ./demo-shared 2>&1)
	check "ldd: demo-shared loads the installed libcrimg.so.$SOVERSION" \
		grep -qF "libcrimg.so.$SOVERSION => $L/libcrimg.so.$SOVERSION" <<< "$ldd_out"
fi
if [ -x demo-static ]; then
	check "demo-static needs no shared libcrimg" \
		eval '! readelf -d demo-static 2>/dev/null | grep -q "libcrimg"'
	check "demo-static is statically linked" \
		grep -q "no dynamic section" <<< "$(readelf -d demo-static 2>&1)"
fi

if [ -z "$CK" ]; then
	skip "the program on a checkpoint (no corpus and no build/samples: make samples)"
elif ! command -v jq > /dev/null; then
	skip "the program against crit x ps (jq not installed: make deps)"
else
	# What crit says: x ps's tasks in tree order, then decode's JSON.
	first=$("$CRIT" x --format json "$CK" ps | jq -r '.tasks[0].pid')
	{
		"$CRIT" x --format json "$CK" ps | jq -r '.tasks[] | "\(.pid) \(.ppid) \(.comm)"'
		"$CRIT" decode -i "$CK/core-$first.img"
	} > want 2> want.err
	check "crit lists the tasks and decodes core-$first.img of ${CK#"$SHARED"/}" \
		[ -s want ] && [ "$first" != null ]
	for kind in shared static; do
		[ -x "demo-$kind" ] || { fail "no demo-$kind to run"; continue; }
		if LD_LIBRARY_PATH=$L "./demo-$kind" "$CK" > "got-$kind" 2> "err-$kind"; then
			if cmp -s want "got-$kind"; then
				pass "demo-$kind prints crit's tasks and JSON byte for byte ($(wc -l < want) lines)"
			else
				fail "demo-$kind differs from crit: $(diff want "got-$kind" | head -4)"
			fi
		else
			fail "demo-$kind: $(head -3 "err-$kind")"
		fi
	done
	# the program's failure path: a message, non-zero, no crash
	LD_LIBRARY_PATH=$L ./demo-shared "$TMP/nothere" > /dev/null 2> err-bad; rc=$?
	check "demo-shared on no checkpoint: exit 1 with the library's message" \
		eval '[ $rc = 1 ] && grep -q "^demo: .*nothere" err-bad'
fi
cd "$TOP" || exit 1

# ---- make uninstall ----

if mk uninstall > "$TMP/uninstall.log" 2>&1; then
	left=$(cd "$INST" && find . ! -type d | head -5)
	check "make uninstall leaves no file behind${left:+: $left}" [ -z "$left" ]
else
	fail "make uninstall: $(tail -3 "$TMP/uninstall.log")"
fi

finish
