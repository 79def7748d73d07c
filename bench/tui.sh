#!/bin/bash
# bench/tui.sh BUILD: crit-tui's time to its first screen and its peak RSS
# on checkpoints of 100, 1,000 and 3,000 processes and on one with 1 GiB of
# memory (called by bench/run.sh; runs on its own too).
#
#   bench/tui.sh build                  100, 1000 and 3000 processes, 1 GiB
#   BENCH_QUICK=1 bench/tui.sh build    100 and 1000 processes, 64 MiB
#
# A run is `crit-tui --script KEYS --size 80x24 SRC` timed from spawn to
# exit by bench/runone: opening the checkpoint, the process tree, drawing
# the first screen and saving it as text (the first screen of a terminal
# run costs the same, plus curses' own output).  The process checkpoints
# are bench/gen.awk's kind=ckpt with their memory maps and pagemaps kept
# (the tree reads each shown task's command line through them), cached in
# BUILD/bench-data/tui-KEY/.  The 1 GiB one is bench/mem.sh's; on it a
# second script also opens the memory view, goes to its last byte and
# back, and searches the whole of it for a string that is not there: the
# peak RSS shows whether memory is browsed in bounded memory.
#
# Targets: first screen under 100 ms at 1,000 processes; peak RSS while
# browsing and searching 1 GiB under 64 MiB.
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TUI=$BUILD/bin/crit-tui
CRIT=$BUILD/bin/crit
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then
	SIZES="100 1000"; REPS=3; MIB=64
else
	SIZES="100 1000 3000"; REPS=7; MIB=${BENCH_MEM_MIB:-1024}
fi
die() { echo "bench/tui: $*" >&2; exit 1; }
. "$HERE/timing.sh"
. "$HERE/gen-ckpt.sh"
[ -x "$TUI" ] || die "$TUI not found: run make first"

KEY=$(cat "$HERE/gen.awk" "$HERE/gen-ckpt.sh" "$HERE"/templates/*.json "$0" | sha256sum | cut -c1-10)
DATA=$BUILD/bench-data/tui-$KEY
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crimg-bench-tui.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TMP" "$BUILD/bench-data/mem"' EXIT
FAIL=0

echo "crit-tui: time to the first screen and peak RSS"
echo "  reproduce: bench/tui.sh $BUILD   (BENCH_QUICK=1: 100/1000 processes, 64 MiB)"

gen() { gen_ckpt "$DATA/$1" "$1" memory; }

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# measure NAME KEYS SRC: REPS runs; median wall (us) into W[NAME], the
# largest peak RSS (KiB) into R[NAME]
declare -A W R
measure() {
	local name=$1 keys=$2 src=$3 i kb=0
	local -a t=()
	for ((i = 0; i < REPS; i++)); do
		rm -rf "$TMP/out"; mkdir -p "$TMP/out"
		if ! CRIMG_TUI_SAVE_DIR=$TMP/out timeit "$TMP/time" "$TUI" --script "$keys" --size 80x24 "$src" \
			> /dev/null 2> "$TMP/err" || [ ! -s "$TMP/out/first.txt" ]; then
			echo "  FAIL $name: $(head -1 "$TMP/err")"
			FAIL=$((FAIL + 1)); W[$name]=FAIL; R[$name]=0; return 1
		fi
		t+=("$TIME_WALL")
		[ "$TIME_KB" -gt "$kb" ] && kb=$TIME_KB
	done
	W[$name]=$(median "${t[@]}")
	R[$name]=$kb
	printf '  %-28s %2d runs  median %8.1f ms  peak RSS %6.1f MiB\n' "$name" "${#t[@]}" \
		"$(awk -v u="${W[$name]}" 'BEGIN { print u / 1000 }')" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')"
}

printf ':save-screen first.txt\n' > "$TMP/first.keys"
for n in $SIZES; do
	gen "$n" || die "could not make the $n-process checkpoint"
	measure "first screen, $n processes" "$TMP/first.keys" "$DATA/$n"
done

# the 1 GiB checkpoint of bench/mem.sh (one process, one VMA of MIB MiB)
echo "  making the ${MIB} MiB checkpoint (bench/mem.sh) ..."
BENCH_KEEP=1 BENCH_MEM_MIB=$MIB BENCH_MEM_REPS=1 "$HERE/mem.sh" "$BUILD" > "$TMP/mem.out" 2>&1 ||
	die "bench/mem.sh failed: $(tail -3 "$TMP/mem.out")"
BIG=$BUILD/bench-data/mem/ckpt
measure "first screen, ${MIB} MiB" "$TMP/first.keys" "$BIG"
printf ':mem 1\nG\ng\n/no-such-string-anywhere-7f3a<Enter>\n:save-screen first.txt\n' > "$TMP/browse.keys"
measure "memory: G, g, search ${MIB} MiB" "$TMP/browse.keys" "$BIG"

echo "TARGETS"
k=first\ screen,\ 1000\ processes
if [ "${W[$k]:-FAIL}" != FAIL ]; then
	ms=$(awk -v u="${W[$k]}" 'BEGIN { printf "%.1f", u / 1000 }')
	awk -v u="${W[$k]}" 'BEGIN { exit !(u < 100000) }' && r=PASS || r=MISS
	echo "  TARGET first screen at 1000 processes under 100 ms: $ms ms $r"
fi
k="memory: G, g, search ${MIB} MiB"
if [ "${W[$k]:-FAIL}" != FAIL ]; then
	mib=$(awk -v k="${R[$k]}" 'BEGIN { printf "%.1f", k / 1024 }')
	[ "${R[$k]}" -lt $((64 * 1024)) ] && r=PASS || r=MISS
	echo "  TARGET peak RSS browsing and searching ${MIB} MiB under 64 MiB: $mib MiB $r"
fi
[ "$FAIL" -eq 0 ]
