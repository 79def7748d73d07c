#!/bin/bash
# bench/diff.sh BUILD: checkpoint diff speed.  `crit diff` of two checkpoints
# with 1 GiB of memory each, against `cmp` on their two pages files, in the
# same run (called by bench/run.sh; runs on its own too).
#
#   bench/diff.sh build                    the whole run (~1 minute, 3 GiB of disk)
#   BENCH_DIFF_MIB=64 bench/diff.sh build  smaller checkpoints (MiB)
#
# Three checkpoints of one task with one VMA of MIB MiB (pagemap entries of
# 4 MiB), made with OUR crit encode from JSON: A, whose pages are
# deterministic text-like data (awk's srand(7), one 1 MiB block repeated);
# B, A with 16 bytes rewritten in each of 64 pages spread over the VMA; C, a
# copy of A.  Two rows:
#   differ:  crit diff A B  vs  cmp -l A/pages-1.img B/pages-1.img
#            (cmp -l reads both files to the end; plain cmp stops at the
#            first difference)
#   equal:   crit diff A C  vs  cmp A/pages-1.img C/pages-1.img
# crit diff must report the 64 pages and exactly the bytes cmp -l lists, read
# each page once (its --stat counts the page bytes it compared: 2 x MIB MiB)
# and exit 1 / 0.  Warm page cache: each command runs once untimed first;
# the median of REPS runs is reported.  Data lives in BUILD/bench-data/diff,
# deleted at the end (BENCH_KEEP=1 keeps it).
#
# Target: crit diff within 2x of cmp's time (time ratio crit/cmp <= 2).
# Exit status: 0 when the runs succeeded and agreed (target met or not: it
# is a benchmark); 1 when a tool failed or the answers differ.
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
CRIT=$BUILD/bin/crit
MIB=${BENCH_DIFF_MIB:-1024}
REPS=${BENCH_DIFF_REPS:-5}
DATA=$BUILD/bench-data/diff
NDIRTY=64
die() { echo "bench/diff: $*" >&2; exit 1; }
. "$HERE/timing.sh"

[ -x "$CRIT" ] && [ -x "$BUILD/bin/crit-diff" ] || die "$BUILD/bin/crit-diff not found: run make first"
cleanup() { [ -n "${BENCH_KEEP:-}" ] || rm -rf "$DATA"; }
trap cleanup EXIT
rm -rf "$DATA"
mkdir -p "$DATA/A" "$DATA/B" "$DATA/C" || die "cannot create $DATA"
PS=4096
SIZE=$((MIB << 20))
NPAGES=$((SIZE / PS))
BASE=$((0x7f0000000000))

echo "checkpoint diff: crit diff vs cmp over two checkpoints of ${MIB} MiB of memory each"
echo "  reproduce: bench/diff.sh $BUILD   (BENCH_DIFF_MIB=N for smaller checkpoints)"

# ---- A's pages ----
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
for ((i = 0; i < MIB; i++)); do echo "$DATA/block"; done | xargs cat > "$DATA/A/pages-1.img" || die "cannot write the pages image"
rm -f "$DATA/block"
cp "$DATA/A/pages-1.img" "$DATA/B/pages-1.img" && cp "$DATA/A/pages-1.img" "$DATA/C/pages-1.img" || die "cp failed"

# ---- B: 16 bytes rewritten in each of NDIRTY pages ----
declare -A DIRTY
for ((i = 0; i < NDIRTY; i++)); do
	p=$(( (i * 4093 + 17) % NPAGES ))
	[ -z "${DIRTY[$p]:-}" ] || die "page $p picked twice (MIB too small)"
	DIRTY[$p]=1
	printf 'CRIMG-DIFF-%04d!' "$i" |
		dd of="$DATA/B/pages-1.img" bs=1 seek=$((p * PS + (i * 61) % 4080)) conv=notrunc status=none || die "dd failed"
done

# ---- the checkpoints around the pages ----
"$CRIT" encode -i "$TOP/samples/demo/inventory.json" -o "$DATA/inventory.img" &&
	"$CRIT" encode -i "$TOP/samples/demo/core-100.json" -o "$DATA/core-1.img" || die "encode inventory, core"
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
"$CRIT" encode -i "$DATA/pstree.json" -o "$DATA/pstree.img" &&
	"$CRIT" encode -i "$DATA/mm.json" -o "$DATA/mm-1.img" &&
	"$CRIT" encode -i "$DATA/pagemap.json" -o "$DATA/pagemap-1.img" || die "encode failed"
for x in A B C; do
	cp "$DATA/inventory.img" "$DATA/core-1.img" "$DATA/pstree.img" "$DATA/mm-1.img" "$DATA/pagemap-1.img" "$DATA/$x/" || die "cp failed"
done
echo "  data: $DATA, made in $(( (${EPOCHREALTIME/./} - t0) / 1000000 )) s"

# ---- timing ----
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# run NAME CMD...: REPS timed runs after one untimed; stdout to DATA/NAME.out
FAIL=0
run() {
	local name=$1 i
	local -a t=()
	shift
	"$@" > "$DATA/$name.out" 2> "$DATA/$name.err"
	for ((i = 0; i < REPS; i++)); do
		timeit "$DATA/$name.time" "$@" > "$DATA/$name.out" 2> "$DATA/$name.err"
		RC=$?
		t+=("$TIME_WALL")
	done
	MED=$(median "${t[@]}")
}
expect() { # what want got
	if [ "$2" != "$3" ]; then
		echo "  MISMATCH $1: expected $2, got $3"
		FAIL=1
	fi
}

run cmpl cmp -l "$DATA/A/pages-1.img" "$DATA/B/pages-1.img"
T_CMPL=$MED
expect "cmp -l exit status" 1 "$RC"
NBYTES=$(wc -l < "$DATA/cmpl.out")
run diffB "$CRIT" diff "$DATA/A" "$DATA/B" --format json
T_DIFFB=$MED
expect "crit diff A B exit status" 1 "$RC"
read -r got_ranges got_pages got_bytes < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = [x for x in d if x["category"] == "memory"]
print(len(m), sum(x["pages"] for x in m), sum(x["bytes"] for x in m))' "$DATA/diffB.out") || got_ranges=?
expect "crit diff A B: differing pages" "$NDIRTY" "${got_pages:-?}"
expect "crit diff A B: differing bytes (cmp -l lines)" "$NBYTES" "${got_bytes:-?}"
[ "$(wc -l < "$DATA/diffB.out")" = $((NDIRTY + 2)) ] || expect "crit diff A B: only memory differences" "$((NDIRTY + 2)) lines" "$(wc -l < "$DATA/diffB.out") lines"
"$CRIT" diff "$DATA/A" "$DATA/B" --stat --format json > "$DATA/stat.out"
expect "page bytes compared (each page of A and B read once)" $((2 * SIZE)) \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["compared_bytes"])' "$DATA/stat.out")"

run cmp cmp "$DATA/A/pages-1.img" "$DATA/C/pages-1.img"
T_CMP=$MED
expect "cmp A C exit status" 0 "$RC"
run diffC "$CRIT" diff "$DATA/A" "$DATA/C"
T_DIFFC=$MED
expect "crit diff A C exit status" 0 "$RC"
expect "crit diff A C output" "" "$(head -c 200 "$DATA/diffC.out")"

row() { # label cmp-label cmp-us crit-us
	awk -v l="$1" -v cl="$2" -v c="$3" -v d="$4" -v mib="$MIB" 'BEGIN {
		printf "  %-7s %-7s %8.1f ms (%6.0f MiB/s)   crit diff %8.1f ms (%6.0f MiB/s)   time crit/cmp %.2f\n",
			l, cl, c / 1000, 2 * mib / (c / 1e6), d / 1000, 2 * mib / (d / 1e6), d / c }'
}
echo "  median of $REPS runs (warm cache); MiB/s counts both sides; $NDIRTY dirty pages, $NBYTES differing bytes:"
row differ "cmp -l" "$T_CMPL" "$T_DIFFB"
row equal cmp "$T_CMP" "$T_DIFFC"
if awk -v a="$T_CMPL" -v b="$T_DIFFB" -v c="$T_CMP" -v d="$T_DIFFC" 'BEGIN { exit !(b / a <= 2 && d / c <= 2) }'; then
	echo "  TARGET crit diff within 2x of cmp (both rows): PASS"
else
	echo "  TARGET crit diff within 2x of cmp (both rows): MISS"
fi
exit $FAIL
