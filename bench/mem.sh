#!/bin/bash
# bench/mem.sh BUILD: memory search speed.  `crit mem --search` (and
# --search-regex) over a checkpoint whose pages image is 1 GiB, against
# `grep -c -a` (and -E) on that same pages file, in the same run (called by
# bench/run.sh; runs on its own too).
#
#   bench/mem.sh build                 the whole run (~1 minute, 1 GiB of disk)
#   BENCH_MEM_MIB=64 bench/mem.sh build   a smaller image (MiB)
#   BENCH_MEM_REPS=N                   timed runs of each tool (default 7)
#
# The image is text-like (deterministic pseudo-random lines from awk's
# srand(7), one 1 MiB block repeated) with 64 sparse markers, 8 of them
# across a page boundary and 8 across a multiple of SIZE/64 (16 MiB for
# 1 GiB: also a boundary of the chunks crit reads).  The checkpoint (one
# task, one VMA, pagemap entries of 4 MiB) is made with OUR crit encode from
# JSON.  Both tools read a warm page cache: each runs once untimed first;
# then their timed runs alternate (grep, crit, grep, crit, ...) and the
# medians are compared, wall time (the target) and CPU time (user + system,
# less sensitive to what else the machine runs).  grep writes into a file,
# not /dev/null (GNU grep stops at the first match when its output is
# /dev/null).  Data lives in BUILD/bench-data/mem and is deleted at the end
# (BENCH_KEEP=1 keeps it).
#
# Targets: crit at no less than grep's speed (time ratio grep/crit >= 1.0),
# literal and regex.  Exit status: 0 when the runs succeeded and found the
# same matches (targets met or not: it is a benchmark); 1 when a tool failed
# or the counts differ.
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
CRIT=$BUILD/bin/crit
MIB=${BENCH_MEM_MIB:-1024}
REPS=${BENCH_MEM_REPS:-7}
DATA=$BUILD/bench-data/mem
MARK=CRIMG-BENCH-MARKER-7f3a
die() { echo "bench/mem: $*" >&2; exit 1; }

[ -x "$CRIT" ] || die "$CRIT not found: run make first"
cleanup() { [ -n "${BENCH_KEEP:-}" ] || rm -rf "$DATA"; }
trap cleanup EXIT
rm -rf "$DATA"
mkdir -p "$DATA/ckpt" || die "cannot create $DATA"
D=$DATA/ckpt
PS=4096
SIZE=$((MIB << 20))
BASE=$((0x7f0000000000))

echo "memory search: crit mem --search vs grep -c -a over a ${MIB} MiB pages image"
echo "  reproduce: bench/mem.sh $BUILD   (BENCH_MEM_MIB=N for a smaller image)"

# ---- the pages image ----
t0=${EPOCHREALTIME/./}
awk 'BEGIN {
	srand(7)
	split("alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega 0x7f 42 null", w, " ")
	n = 0
	while (n < 1048576) {
		line = ""
		k = 4 + int(rand() * 12)
		for (i = 0; i < k; i++)
			line = line w[1 + int(rand() * 14)] (rand() < 0.2 ? "=" int(rand() * 100000) : "") " "
		line = substr(line, 1, 1048576 - n - 1)
		printf "%s\n", line
		n += length(line) + 1
	}
}' > "$DATA/block" || die "awk failed"
[ "$(stat -c %s "$DATA/block")" = 1048576 ] || die "block is not 1 MiB"
for ((i = 0; i < MIB; i++)); do echo "$DATA/block"; done | xargs cat > "$D/pages-1.img" || die "cannot write the pages image"
rm -f "$DATA/block"
# 64 markers, each on its own line: 48 inside pages, 8 across a page
# boundary, 8 across a multiple of SIZE/64 (16 MiB for 1 GiB: a multiple of
# crit's 256 KiB read chunks)
nmark=0
for ((k = 0; k < 64; k++)); do
	off=$(( (SIZE / 64) * k + 12345 ))
	[ $((k % 8)) = 7 ] && off=$(( (off / PS + 1) * PS - 9 ))
	[ $((k % 8)) = 3 ] && off=$(( (SIZE / 64) * k - 9 ))
	printf '\n%s\n' "$MARK" | dd of="$D/pages-1.img" bs=1 seek="$off" conv=notrunc status=none || die "dd failed"
	nmark=$((nmark + 1))
done

# ---- the checkpoint around it ----
"$CRIT" encode -i "$TOP/samples/demo/inventory.json" -o "$D/inventory.img" || die "encode inventory"
printf '{"magic": "PSTREE", "entries": [{"pid": 1, "ppid": 0, "pgid": 1, "sid": 1, "threads": [1]}]}' > "$DATA/pstree.json"
printf '{"magic": "MM", "entries": [{"mm_start_code": 0, "mm_end_code": 0, "mm_start_data": 0, "mm_end_data": 0, "mm_start_stack": 0, "mm_start_brk": 0, "mm_brk": 0, "mm_arg_start": 0, "mm_arg_end": 0, "mm_env_start": 0, "mm_env_end": 0, "exe_file_id": 0, "vmas": [{"start": %d, "end": %d, "pgoff": 0, "shmid": 0, "prot": 3, "flags": 34, "status": 513, "fd": -1}]}]}' \
	"$BASE" "$((BASE + SIZE))" > "$DATA/mm.json"
{
	printf '{"magic": "PAGEMAP", "entries": [{"pages_id": 1}'
	step=$((4 << 20))
	for ((a = 0; a < SIZE; a += step)); do
		n=$(( (SIZE - a < step ? SIZE - a : step) / PS ))
		printf ', {"vaddr": %d, "compat_nr_pages": 0, "flags": 4, "nr_pages": %d}' $((BASE + a)) "$n"
	done
	printf ']}'
} > "$DATA/pagemap.json"
"$CRIT" encode -i "$DATA/pstree.json" -o "$D/pstree.img" &&
	"$CRIT" encode -i "$DATA/mm.json" -o "$D/mm-1.img" &&
	"$CRIT" encode -i "$DATA/pagemap.json" -o "$D/pagemap-1.img" || die "encode failed"
echo "  data: $D, made in $(( (${EPOCHREALTIME/./} - t0) / 1000000 )) s"

# ---- timing ----
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
FAIL=0
# once NAME CMD...: one run, stdout to DATA/NAME.out; WALL = wall time (us),
# CPU = user + system time (us, of the process: what it costs whatever else
# the machine is doing), RC = exit status
once() {
	local name=$1
	shift
	timeit "$DATA/$name.time" "$@" > "$DATA/$name.out" 2> "$DATA/$name.err"
	RC=$?
	WALL=$TIME_WALL
	CPU=$TIME_CPU
}
# pair A B: the commands in arrays CMD_A and CMD_B, each run once untimed
# (warm cache), then REPS timed runs of each, alternating (A, B, A, B, ...)
# so that a slow spell of the machine weighs on both; medians in T and C
declare -A T C RCS
pair() {
	local a=$1 b=$2 i
	local -a ta=() tb=() ca=() cb=()
	once "$a" "${CMD_A[@]}"; RCS[$a]=$RC
	once "$b" "${CMD_B[@]}"; RCS[$b]=$RC
	for ((i = 0; i < REPS; i++)); do
		once "$a" "${CMD_A[@]}"; ta+=("$WALL"); ca+=("$CPU"); [ "$RC" = 0 ] || RCS[$a]=$RC
		once "$b" "${CMD_B[@]}"; tb+=("$WALL"); cb+=("$CPU"); [ "$RC" = 0 ] || RCS[$b]=$RC
	done
	T[$a]=$(median "${ta[@]}") C[$a]=$(median "${ca[@]}")
	T[$b]=$(median "${tb[@]}") C[$b]=$(median "${cb[@]}")
}
check_count() { # name expected got
	if [ "$2" != "$3" ]; then
		echo "  COUNT MISMATCH $1: expected $2, got $3"
		FAIL=1
	fi
}
check_rc() { # name label
	[ "${RCS[$1]}" = 0 ] || { FAIL=1; echo "  $2 failed (${RCS[$1]}): $(head -1 "$DATA/$1.err")"; }
}

. "$HERE/timing.sh"
CMD_A=(grep -c -a "$MARK" "$D/pages-1.img")
CMD_B=("$CRIT" mem "$D" --search "$MARK" --context 0)
pair grep crit
check_rc grep "grep"; check_rc crit "crit"
check_count "grep -c -a" "$nmark" "$(cat "$DATA/grep.out")"
check_count "crit mem --search" "$nmark" "$(wc -l < "$DATA/crit.out")"
REGEX='CRIMG-BENCH-MARKER-[0-9a-f]{4}'
CMD_A=(grep -c -a -E "$REGEX" "$D/pages-1.img")
CMD_B=("$CRIT" mem "$D" --search-regex "$REGEX" --context 0)
pair grepE critE
check_rc grepE "grep -E"; check_rc critE "crit (regex)"
check_count "grep -c -a -E" "$nmark" "$(cat "$DATA/grepE.out")"
check_count "crit mem --search-regex" "$nmark" "$(wc -l < "$DATA/critE.out")"

row() { # label grep crit
	awk -v l="$1" -v g="${T[$2]}" -v c="${T[$3]}" -v gc="${C[$2]}" -v cc="${C[$3]}" -v mib="$MIB" 'BEGIN {
		printf "  %-8s grep %8.1f ms (%6.0f MiB/s)   crit %8.1f ms (%6.0f MiB/s)   speed crit/grep %.2f   (cpu: grep %.0f ms, crit %.0f ms)\n",
			l, g / 1000, mib / (g / 1e6), c / 1000, mib / (c / 1e6), g / c, gc / 1000, cc / 1000 }'
}
echo "  median of $REPS runs of each (warm cache, the two tools alternating), $nmark matches each:"
row literal grep crit
row regex grepE critE
target() { # label grep crit
	if awk -v g="${T[$2]}" -v c="${T[$3]}" 'BEGIN { exit !(g / c >= 1.0) }'; then
		echo "  TARGET $1 search >= 1.0 x grep's speed: PASS"
	else
		echo "  TARGET $1 search >= 1.0 x grep's speed: MISS"
	fi
}
target literal grep crit
target regex grepE critE
exit $FAIL
