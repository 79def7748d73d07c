#!/usr/bin/env bash
# `make valgrind`: a representative part of the suite with every crit run,
# the unit tests, the fuzz regression replays and a quick damaged-image pass
# under valgrind (normal build): no invalid read or write, no use of
# uninitialised memory, no definite leak.  Usage: tests/valgrind.sh BUILD
#   the CLI golden files (t-cli), bad input (t-badinput), and on one image of
#   every kind in the samples and the corpus: decode, decode --pretty, encode
#   back (byte-identical); x ps/fds/mems on every corpus dump and archive;
#   a memory search and crit core on every dump; crit-tui's golden walks.
# Every process writes its own log; the run fails if any reports an error.
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/crimg-valgrind.XXXXXX")
trap 'rm -rf "$LOGS"' EXIT
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --trace-children=yes --log-file=$LOGS/vg.%p.log"
command -v valgrind > /dev/null || { echo "valgrind: not installed (make deps)"; exit 1; }
SHARED=${SHARED:-$PWD/../shared}
CORPUS=$SHARED/corpus
fails=0
step() { # NAME CMD...: runs CMD, its stdout kept only on failure
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	"$@" > "$LOGS/out" 2>&1
	rc=$?
	[ $rc -eq 0 ] || tail -20 "$LOGS/out"
	echo "valgrind: $name: exit $rc, $(($(date +%s) - t0)) s"
	[ $rc -eq 0 ] || fails=$((fails + 1))
}
export CRIT_WRAPPER=$VG
for t in t-cli t-badinput; do
	step "$t" env BUILD="$BUILD" RESULT_FILE=/dev/null bash "tests/$t.sh"
done
unset CRIT_WRAPPER
step unit-tests env CRIMG_SAMPLES="$BUILD/samples" $VG "$BUILD/tests/unit-tests"
for f in fuzz/regress/*/; do
	t=$(basename "$f")
	step "fuzz-$t replay" $VG "$BUILD/tests/fuzz-$t" "$f"
done
step "hostile-damage -q (sample extras)" $VG "$BUILD/tests/hostile-damage" -q "$BUILD/samples/extras"

# one image of each kind: decode both ways, encode back, compare
corpus_images() {
	declare -A seen=()
	local f k
	for f in "$BUILD"/samples/*/* "$CORPUS"/*/*.img "$CORPUS"/*/stats-dump "$CORPUS"/foreign/*/*.img; do
		[ -f "$f" ] || continue
		# raw images (info says "raw": true) have no entries to decode
		k=$("$BUILD/bin/crit" info "$f" 2>/dev/null)
		case $k in *'"raw": true'*) continue ;; esac
		k=$(printf '%s\n' "$k" | sed -n 's/.*"magic": "\(.*\)".*/\1/p')
		[ -n "$k" ] && [ -z "${seen[$k]+x}" ] || continue
		seen[$k]=1
		echo "$f"
	done
}
kinds() {
	local f rc=0 tmp
	tmp=$(mktemp -d "$LOGS/rt.XXXXXX")
	while read -r f; do
		$VG "$BUILD/bin/crit" decode -i "$f" -o "$tmp/c.json" &&
		$VG "$BUILD/bin/crit" decode --pretty -i "$f" -o "$tmp/p.json" &&
		$VG "$BUILD/bin/crit" encode -i "$tmp/p.json" -o "$tmp/back.img" || { echo "  FAIL $f"; rc=1; continue; }
		case $f in *s390x*) "$BUILD/bin/crit" encode --byte-order big -i "$tmp/p.json" -o "$tmp/back.img" ;; esac
		cmp -s "$f" "$tmp/back.img" || { echo "  FAIL $f: round trip differs"; rc=1; }
	done < <(corpus_images)
	return $rc
}
step "decode/encode, one image per kind ($(corpus_images | wc -l) kinds)" kinds
dumps() {
	local d rc=0
	for d in "$BUILD/samples/demo" "$CORPUS"/*/ "$CORPUS"/foreign/*/ "$CORPUS"/archives/*.tar*; do
		[ -e "$d/inventory.img" ] || [ -f "$d" ] || continue
		for v in ps fds mems; do
			$VG "$BUILD/bin/crit" x "$d" $v > /dev/null 2>&1
			[ $? -ne 99 ] || { echo "  FAIL x $d $v"; rc=1; }
		done
		$VG "$BUILD/bin/crit" mem "$d" --search CRIMG > /dev/null 2>&1
		[ $? -ne 99 ] || { echo "  FAIL mem --search $d"; rc=1; }
		local cores
		cores=$(mktemp -d "$LOGS/core.XXXXXX")
		$VG "$BUILD/bin/crit" core "$d" -d "$cores" > /dev/null 2>&1
		[ $? -ne 99 ] || { echo "  FAIL core $d"; rc=1; }
		rm -rf "$cores"
	done
	return $rc
}
step "x, mem and core on every dump" dumps
# crit-tui: every golden walk at 80x24 (every screen, the searches, a
# range saved) in the scripted mode
tui_walks() {
	local w s src rc=0 out
	for w in tests/tui/walks/*.walk; do
		s=$(sed -n 's/^# src: *//p' "$w" | head -1)
		case $s in
		corpus/*) src=$SHARED/$s; [ -e "$src" ] || continue ;;
		samples/*) src=$BUILD/$s ;;
		*) continue ;;
		esac
		out=$(mktemp -d "$LOGS/tui.XXXXXX")
		CRIMG_TUI_SAVE_DIR=$out $VG "$BUILD/bin/crit-tui" --script "$w" --size 80x24 "$src" > /dev/null 2>&1
		[ $? -ne 99 ] || { echo "  FAIL crit-tui $w"; rc=1; }
	done
	return $rc
}
step "crit-tui, every golden walk" tui_walks

bad=$(grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|Invalid (read|write)|uninitialised' "$LOGS"/vg.*.log 2>/dev/null)
if [ -n "$bad" ]; then
	for f in $bad; do echo "== $f"; head -40 "$f"; done
	fails=$((fails + 1))
fi
echo "valgrind: $(ls "$LOGS"/vg.*.log 2>/dev/null | wc -l) processes checked, $(echo -n "$bad" | grep -c .) with errors, $fails failed steps"
[ $fails -eq 0 ]
