#!/bin/bash
# bench/core.sh BUILD: `crit core` (a process of a checkpoint as an ELF core
# file) on a process with 10 MiB and with 1 GiB of saved pages (called by
# bench/run.sh; runs on its own too).
#
#   bench/core.sh build                    the whole run (~30 s, 3 GiB of disk)
#   BENCH_CORE_MIB=64 bench/core.sh build  a smaller large process (MiB)
#   BENCH_CORE_REPS=N                      timed runs of each command (default 5)
#
# Two checkpoints of one x86_64 task (the demo sample's registers, its
# FXSAVE area filled out to the kernel's size) with one private anonymous
# rw VMA whose every page is saved (pagemap entries of 4 MiB): "small" of
# 10 MiB, "large" of MIB MiB.  The pages are deterministic text-like data
# (awk's srand(7), one 1 MiB block repeated): no page is zeros, so the core
# holds every byte and has no hole.  Made with OUR crit encode from JSON.
#
# Measured, each command once untimed first (warm page cache), then REPS
# timed runs (bench/runone: wall time from spawn to exit, peak RSS):
#   rss:   `crit core SRC --pid 1 -o -` into a file, small and large: the
#          peak RSS of the large run against the small one's
#   time:  the same on the large process against `cp pages-1.img` to the
#          same file system, alternating (cp, crit, cp, crit, ...); neither
#          syncs; best and median of the runs, the ratio from the best
#   -o:    `crit core -o FILE` (temporary file, fsync, rename) against
#          `cp` followed by `sync FILE`, for the record (no target)
# Every run writes a new file (the last run's is removed first, untimed).
# Each core is checked: its JSON summary counts MIB MiB of data, and its
# one PT_LOAD (the file's last MIB MiB) equals the pages file (cmp).
# Data lives in BUILD/bench-data/core, deleted at the end (BENCH_KEEP=1
# keeps it).
#
# Targets: peak RSS flat (the large run's under 2x the small run's, or
# under it + 8 MiB); time within 2x of cp's.  Exit status: 0 when every run
# succeeded and every core checked out (targets met or not: it is a
# benchmark); 1 when a tool failed or a core is wrong.
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
CRIT=$BUILD/bin/crit
MIB=${BENCH_CORE_MIB:-1024}
SMALL_MIB=10
REPS=${BENCH_CORE_REPS:-5}
[ -n "${BENCH_QUICK:-}" ] && [ "${BENCH_QUICK:-0}" != 0 ] && REPS=${BENCH_CORE_REPS:-3}
DATA=$BUILD/bench-data/core
die() { echo "bench/core: $*" >&2; exit 1; }
. "$HERE/timing.sh"

[ -x "$CRIT" ] || die "$CRIT not found: run make first"
[ "$MIB" -ge 1 ] 2> /dev/null || die "BENCH_CORE_MIB=$MIB: a number of MiB, at least 1"
cleanup() { [ -n "${BENCH_KEEP:-}" ] || rm -rf "$DATA"; }
trap cleanup EXIT
rm -rf "$DATA"
mkdir -p "$DATA/small" "$DATA/large" || die "cannot create $DATA"
PS=4096
BASE=$((0x7f0000000000))

echo "crit core: the ELF core of a process with ${SMALL_MIB} MiB and ${MIB} MiB of saved pages"
echo "  reproduce: bench/core.sh $BUILD   (BENCH_CORE_MIB=N for a smaller large process)"

# ---- the pages: a 1 MiB block of text, repeated ----
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

# ---- what both checkpoints share: inventory, process tree, registers ----
# The demo sample's core image keeps 8 and 4 words of st_space and
# xmm_space; a real one (and crit core) has the FXSAVE area's 32 and 64.
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["entries"][0]["thread_info"]["fpregs"]
f["st_space"] += [0] * (32 - len(f["st_space"]))
f["xmm_space"] += [0] * (64 - len(f["xmm_space"]))
json.dump(d, open(sys.argv[2], "w"))' "$TOP/samples/demo/core-100.json" "$DATA/core.json" ||
	die "cannot make the core image's JSON"
printf '{"magic": "PSTREE", "entries": [{"pid": 1, "ppid": 0, "pgid": 1, "sid": 1, "threads": [1]}]}' > "$DATA/pstree.json"
# no file at all, but crit core reads the file table for mappings' names
printf '{"magic": "FILES", "entries": []}' > "$DATA/files.json"
"$CRIT" encode -i "$TOP/samples/demo/inventory.json" -o "$DATA/inventory.img" &&
	"$CRIT" encode -i "$DATA/core.json" -o "$DATA/core-1.img" &&
	"$CRIT" encode -i "$DATA/pstree.json" -o "$DATA/pstree.img" &&
	"$CRIT" encode -i "$DATA/files.json" -o "$DATA/files.img" || die "encode inventory, core, pstree, files"

# make_ckpt DIR MIB: a checkpoint of one task, one VMA of MIB MiB, all saved
make_ckpt() {
	local d=$1 mib=$2 size=$(($2 << 20)) a n step=$((4 << 20)) i
	for ((i = 0; i < mib; i++)); do echo "$DATA/block"; done | xargs cat > "$d/pages-1.img" ||
		die "cannot write $d/pages-1.img"
	printf '{"magic": "MM", "entries": [{"mm_start_code": 0, "mm_end_code": 0, "mm_start_data": 0, "mm_end_data": 0, "mm_start_stack": 0, "mm_start_brk": 0, "mm_brk": 0, "mm_arg_start": 0, "mm_arg_end": 0, "mm_env_start": 0, "mm_env_end": 0, "exe_file_id": 0, "mm_saved_auxv": [6, 4096, 0, 0], "vmas": [{"start": %d, "end": %d, "pgoff": 0, "shmid": 0, "prot": 3, "flags": 34, "status": 513, "fd": -1}]}]}' \
		"$BASE" "$((BASE + size))" > "$d/mm.json"
	{
		printf '{"magic": "PAGEMAP", "entries": [{"pages_id": 1}'
		for ((a = 0; a < size; a += step)); do
			n=$(( (size - a < step ? size - a : step) / PS ))
			printf ', {"vaddr": %d, "compat_nr_pages": 0, "flags": 4, "nr_pages": %d}' $((BASE + a)) "$n"
		done
		printf ']}'
	} > "$d/pagemap.json"
	"$CRIT" encode -i "$d/mm.json" -o "$d/mm-1.img" &&
		"$CRIT" encode -i "$d/pagemap.json" -o "$d/pagemap-1.img" || die "encode mm, pagemap ($d)"
	rm -f "$d/mm.json" "$d/pagemap.json"
	cp "$DATA/inventory.img" "$DATA/core-1.img" "$DATA/pstree.img" "$DATA/files.img" "$d/" || die "cp failed"
}
make_ckpt "$DATA/small" "$SMALL_MIB"
make_ckpt "$DATA/large" "$MIB"
rm -f "$DATA/block"
echo "  data: $DATA, made in $(( (${EPOCHREALTIME/./} - t0) / 1000000 )) s"

# ---- timing ----
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
least() { printf '%s\n' "$@" | sort -n | head -1; }
FAIL=0
# once NAME OUTFILE CMD...: one run, stdout to DATA/NAME.out; OUTFILE (the
# file the command writes) removed first, untimed; WALL (us), KB (peak
# RSS, KiB), RC
once() {
	local name=$1 outfile=$2
	shift 2
	rm -f -- "$outfile"
	timeit "$DATA/$name.time" "$@" > "$DATA/$name.out" 2> "$DATA/$name.err"
	RC=$?
	WALL=$TIME_WALL
	KB=$TIME_KB
	if [ "$RC" != 0 ]; then
		FAIL=1
		echo "  FAIL $name (exit $RC): $(head -1 "$DATA/$name.err")"
	fi
}
# series NAME OUTFILE CMD...: one untimed run, then REPS timed; best,
# median (us) and the largest peak RSS (KiB) in BEST MED PEAK [NAME]
declare -A BEST MED PEAK
declare -A SAMP
series_start() { SAMP[$1]=""; PEAK[$1]=0; }
series_run() {
	local name=$1
	once "$@"
	SAMP[$name]+=" $WALL"
	[ "$KB" -gt "${PEAK[$name]}" ] && PEAK[$name]=$KB
}
series_end() {
	local -a t
	read -r -a t <<< "${SAMP[$1]}"
	BEST[$1]=$(least "${t[@]}")
	MED[$1]=$(median "${t[@]}")
}
# pair A OUT_A B OUT_B: the commands in arrays CMD_A and CMD_B, once each
# untimed, then REPS timed runs of each, alternating
pair() {
	local a=$1 oa=$2 b=$3 ob=$4 i
	once "$a" "$oa" "${CMD_A[@]}"
	once "$b" "$ob" "${CMD_B[@]}"
	series_start "$a"
	series_start "$b"
	for ((i = 0; i < REPS; i++)); do
		series_run "$a" "$oa" "${CMD_A[@]}"
		series_run "$b" "$ob" "${CMD_B[@]}"
	done
	series_end "$a"
	series_end "$b"
}
# single A OUT_A: CMD_A once untimed, then REPS timed runs
single() {
	local a=$1 oa=$2 i
	once "$a" "$oa" "${CMD_A[@]}"
	series_start "$a"
	for ((i = 0; i < REPS; i++)); do
		series_run "$a" "$oa" "${CMD_A[@]}"
	done
	series_end "$a"
}

# check_core NAME DIR MIB FILE: the summary of `crit core --format json`
# (into DATA/NAME.json) and the core FILE against DIR's pages file
check_core() {
	local name=$1 d=$2 size=$(($3 << 20)) file=$4 got off corefile
	got=$(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cores"][0]
print(c["bytes"]["data"], c["bytes"]["core_file"], c["segments"], c["threads"], c["arch"])' "$DATA/$name.json" 2> /dev/null) ||
		got="unreadable summary"
	corefile=$(cut -d' ' -f2 <<< "$got")
	if [ "$got" != "$size $corefile 1 1 x86_64" ]; then
		echo "  MISMATCH $name: summary says data, core_file, segments, threads, arch: $got (expected $size _ 1 1 x86_64)"
		FAIL=1
		return
	fi
	if [ "$(stat -c %s "$file")" != "$corefile" ]; then
		echo "  MISMATCH $name: $file is $(stat -c %s "$file") bytes, the summary says $corefile"
		FAIL=1
		return
	fi
	off=$((corefile - size))
	if ! cmp -s -i "$off:0" "$file" "$d/pages-1.img"; then
		echo "  MISMATCH $name: the core's memory (from byte $off) differs from $d/pages-1.img"
		FAIL=1
	fi
}

OUT=$DATA/out
mkdir -p "$OUT"
# the summaries and the cores' contents, untimed
for s in small large; do
	m=$SMALL_MIB
	[ $s = large ] && m=$MIB
	"$CRIT" core "$DATA/$s" --pid 1 -o "$OUT/core.$s" --format json > "$DATA/$s.json" 2> "$DATA/$s.err" ||
		{ echo "  FAIL crit core $DATA/$s: $(head -1 "$DATA/$s.err")"; FAIL=1; exit 1; }
	check_core "$s" "$DATA/$s" "$m" "$OUT/core.$s"
	rm -f "$OUT/core.$s"
done

# peak RSS: small, then large (the large runs are the time row's)
# (-o -: the core on stdout, which once() redirects into DATA/NAME.out)
CMD_A=("$CRIT" core "$DATA/small" --pid 1 -o -)
single small-stdout "$DATA/small-stdout.out"
CMD_A=(cp "$DATA/large/pages-1.img" "$OUT/pages-copy.img")
CMD_B=("$CRIT" core "$DATA/large" --pid 1 -o -)
pair cp "$OUT/pages-copy.img" large-stdout "$DATA/large-stdout.out"
check_core large "$DATA/large" "$MIB" "$DATA/large-stdout.out"
rm -f "$OUT/pages-copy.img" "$DATA/large-stdout.out" "$DATA/small-stdout.out"

# durable output, for the record: -o FILE against cp + sync
CMD_A=(sh -c 'cp "$1" "$2" && sync "$2"' sh "$DATA/large/pages-1.img" "$OUT/pages-copy.img")
CMD_B=("$CRIT" core "$DATA/large" --pid 1 -o "$OUT/core.large")
pair cp-sync "$OUT/pages-copy.img" large-o "$OUT/core.large"
rm -f "$OUT/pages-copy.img" "$OUT/core.large"

ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
mibk() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
mbs() { awk -v u="$1" -v m="$MIB" 'BEGIN { printf "%.0f", m / (u / 1e6) }'; }
echo "  $REPS timed runs of each after one untimed (warm cache); time = best (median); RSS = largest peak:"
printf '  %-34s %9s ms (%9s)   peak RSS %7s MiB\n' "crit core, ${SMALL_MIB} MiB, -o - > file" \
	"$(ms "${BEST[small-stdout]}")" "$(ms "${MED[small-stdout]}")" "$(mibk "${PEAK[small-stdout]}")"
printf '  %-34s %9s ms (%9s)   peak RSS %7s MiB   %5s MiB/s\n' "crit core, ${MIB} MiB, -o - > file" \
	"$(ms "${BEST[large-stdout]}")" "$(ms "${MED[large-stdout]}")" "$(mibk "${PEAK[large-stdout]}")" "$(mbs "${BEST[large-stdout]}")"
printf '  %-34s %9s ms (%9s)   peak RSS %7s MiB   %5s MiB/s\n' "cp pages-1.img (${MIB} MiB)" \
	"$(ms "${BEST[cp]}")" "$(ms "${MED[cp]}")" "$(mibk "${PEAK[cp]}")" "$(mbs "${BEST[cp]}")"
printf '  %-34s %9s ms (%9s)   peak RSS %7s MiB\n' "crit core, ${MIB} MiB, -o FILE" \
	"$(ms "${BEST[large-o]}")" "$(ms "${MED[large-o]}")" "$(mibk "${PEAK[large-o]}")"
printf '  %-34s %9s ms (%9s)\n' "cp + sync FILE (${MIB} MiB)" "$(ms "${BEST[cp-sync]}")" "$(ms "${MED[cp-sync]}")"
awk -v a="${BEST[large-stdout]}" -v b="${BEST[cp]}" -v c="${BEST[large-o]}" -v d="${BEST[cp-sync]}" 'BEGIN {
	printf "  time crit core / cp: %.2f (best runs), durable: crit core -o FILE / (cp + sync): %.2f\n", a / b, c / d }'

if awk -v s="${PEAK[small-stdout]}" -v l="${PEAK[large-stdout]}" 'BEGIN { exit !(l < 2 * s || l < s + 8192) }'; then r=PASS; else r=MISS; fi
printf '  TARGET peak RSS flat from %s to %s MiB (%s -> %s MiB; < 2x or < +8 MiB): %s\n' "$SMALL_MIB" "$MIB" \
	"$(mibk "${PEAK[small-stdout]}")" "$(mibk "${PEAK[large-stdout]}")" "$r"
if awk -v a="${BEST[large-stdout]}" -v b="${BEST[cp]}" 'BEGIN { exit !(a / b <= 2) }'; then r=PASS; else r=MISS; fi
printf '  TARGET crit core of %s MiB within 2x of cp of its pages file (%.2fx): %s\n' "$MIB" \
	"$(awk -v a="${BEST[large-stdout]}" -v b="${BEST[cp]}" 'BEGIN { print a / b }')" "$r"
exit $FAIL
