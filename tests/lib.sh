# Sourced by every tests/t-*.sh script.  A script calls pass/fail (or check)
# for each assertion and finish at the end; run-all.sh adds the counts up.
#
# Environment: BUILD (the build directory to test, e.g. build or build/asan),
# SHARED (../shared, the corpus; tests that need it skip without it),
# VERBOSE=1 to list passing assertions, UPDATE=1 to rewrite golden files,
# CRIT_WRAPPER="valgrind ..." to run every crit through it (make valgrind).
set -u
: "${BUILD:?BUILD must name the build directory}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
CRIT=$BUILD/bin/crit
SHARED=${SHARED:-$TOP/../shared}
CORPUS=$SHARED/corpus
T_PASS=0
T_FAIL=0
T_SKIP=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crimg-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# CRIT_DIR holds crit (and, through the wrapper, runs the real one)
CRIT_DIR=$BUILD/bin
if [ -n "${CRIT_WRAPPER:-}" ]; then
	CRIT_DIR=$TMP/wrapped-bin
	mkdir -p "$CRIT_DIR"
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$CRIT_WRAPPER" "$CRIT" > "$CRIT_DIR/crit"
	chmod +x "$CRIT_DIR/crit"
	CRIT=$CRIT_DIR/crit
fi

pass() { T_PASS=$((T_PASS + 1)); [ -z "${VERBOSE:-}" ] || echo "  ok   $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "  FAIL $*"; }
skip() { T_SKIP=$((T_SKIP + 1)); echo "  skip $*"; }
# check NAME CMD...: passes when CMD succeeds
check() { local n=$1; shift; if "$@"; then pass "$n"; else fail "$n"; fi; }
have_corpus() { [ -d "$CORPUS" ]; }
# has_entries IMG: an image crit decodes (info describes raw images too,
# with "raw": true and no entry count)
has_entries() { "$CRIT" info "$1" 2>/dev/null | grep -q '"count": '; }
have_pycrit() { [ -x /usr/bin/crit ] && [ -x /usr/bin/python3 ]; }
# Runs Debian's CRIU 3.17 crit with its own python, whatever PATH says.
pycrit() { /usr/bin/python3 /usr/bin/crit "$@"; }
# The byte order a corpus image was written in.
byte_order_of() { case $1 in *s390x*) echo big ;; *) echo little ;; esac; }
# A walk's source ("corpus/NAME" or "samples/NAME"), copied once per test
# run under $TMP/walk-src with every mtime pinned: the corpus and the built
# samples get new mtimes whenever they are copied or built, and crit-tui
# shows a checkpoint's time from its stats-dump's mtime.
walk_source() {
	local s=$1 top from
	case $s in
	corpus/*) have_corpus || return 1; top=corpus from=$CORPUS ;;
	samples/*) top=samples from=$BUILD/samples ;;
	*) return 1 ;;
	esac
	# the whole tree, so that an incremental dump's parent link resolves
	if [ ! -e "$TMP/walk-src/$top" ]; then
		mkdir -p "$TMP/walk-src" && cp -r "$from" "$TMP/walk-src/$top" &&
			chmod -R u+w "$TMP/walk-src/$top" &&
			find "$TMP/walk-src/$top" -exec touch -h -d '2026-01-01 00:00:00 UTC' {} + || return 1
	fi
	echo "$TMP/walk-src/$s"
}
# Extracts a corpus archive once per test run into $TMP/arch/NAME.
extract_archive() {
	local a=$1 name
	name=$(basename "$a"); name=${name%%.tar*}
	if [ ! -d "$TMP/arch/$name" ]; then
		mkdir -p "$TMP/arch/$name"
		tar -xf "$a" -C "$TMP/arch/$name" || return 1
	fi
	echo "$TMP/arch/$name"
}
# Inputs are opened read-only and never changed: every file of the corpus,
# the built samples, their JSON and the fuzz regression inputs is listed
# with its checksum, size, mode and mtime when a script starts, and again
# when it finishes; any difference fails the script.
input_state() {
	local d
	for d in "$CORPUS" "$BUILD/samples" "$TOP/samples" "$TOP/fuzz/regress"; do
		[ -d "$d" ] || continue
		(cd "$d" && find . \( -type f -o -type l \) -printf '%P %y %s %m %T@ %l\n' | sort &&
		 find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sed "s|^|$d: |"
	done
}
input_state > "$TMP/.inputs-before"
finish() {
	input_state > "$TMP/.inputs-after"
	if ! cmp -s "$TMP/.inputs-before" "$TMP/.inputs-after"; then
		fail "inputs changed during $(basename "$0"): $(diff "$TMP/.inputs-before" "$TMP/.inputs-after" | head -6)"
	fi
	echo "$T_PASS $T_FAIL $T_SKIP" > "${RESULT_FILE:-/dev/null}"
	[ "$T_FAIL" -eq 0 ]
}
