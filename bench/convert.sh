#!/bin/bash
# bench/convert.sh BUILD: `crit-convert DIR X.tar.zst --level 3` against
# `tar -cf - DIR | zstd -3` on the same checkpoint of ~1 GiB of page data,
# in the same run (called by bench/run.sh; runs on its own too).
#
#   bench/convert.sh build                   1024 MiB of pages, 3 runs each
#   BENCH_QUICK=1 bench/convert.sh build     128 MiB, one run each
#   BENCH_CONVERT_MIB=N, BENCH_CONVERT_REPS=N   other sizes and counts
#
# The checkpoint is the sample checkpoint (samples/, encoded by our crit)
# with pages-1.img replaced by bench/convert-gen.py's deterministic page
# data (zero pages, random pages, low-entropy pages); cached in
# BUILD/bench-data/convert-KEY/.  Both sides read it from the page cache
# (read once before timing) and write to the same filesystem; crit-convert
# fsyncs its result before renaming it into place, so the reference ends
# with `sync FILE` (an fsync) too.  Each side runs with its default thread
# count (crit-convert: one zstd thread per CPU; zstd: one); crit-convert
# -T 1 is shown too.  The runs alternate (ours, reference, ours -T 1); each
# figure is the median.  The outputs are checked: zstd -t, the same member
# list, and the same bytes from -T 1 and the default.
#
# Target: ours within 1.3x of the reference's wall time.  On a loaded
# machine wall times scatter; the CPU time (user + system) of each side is
# shown as well.
#
# Exit status: 0 when every run succeeded (target met or not); 1 when a
# tool failed or the outputs disagree.
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
MIB=${BENCH_CONVERT_MIB:-${QUICK:+128}}
MIB=${MIB:-1024}
REPS=${BENCH_CONVERT_REPS:-${QUICK:+1}}
REPS=${REPS:-3}
LEVEL=3
die() { echo "bench/convert: $*" >&2; exit 1; }
. "$HERE/timing.sh"
[ -x "$BUILD/bin/crit-convert" ] || die "$BUILD/bin/crit-convert not found: run make first"
for t in tar zstd python3; do
	command -v "$t" > /dev/null || die "$t is not installed (make deps)"
done

KEY=$(cat "$HERE/convert-gen.py" "$TOP/samples/make-samples.sh" "$TOP"/samples/demo/*.json |
	sha256sum | cut -c1-10)
DATA=$BUILD/bench-data/convert-$KEY-$MIB
TMP=$(mktemp -d "$BUILD/bench-convert.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TMP"' EXIT
# a private copy: a rebuild during the run must not change what is timed
cp "$BUILD/bin/crit-convert" "$TMP/crit-convert" || die "cannot copy crit-convert"

echo "crit-convert vs tar | zstd: a checkpoint with $MIB MiB of page data, zstd level $LEVEL"
if [ ! -f "$DATA/.ok" ]; then
	echo "  generating $DATA (cached) ..."
	rm -rf "$DATA"
	mkdir -p "$DATA"
	"$TOP/samples/make-samples.sh" "$BUILD/bin/crit" "$DATA/samples" > /dev/null ||
		die "samples/make-samples.sh failed"
	mv "$DATA/samples/demo" "$DATA/ckpt" && rm -rf "$DATA/samples"
	python3 "$HERE/convert-gen.py" "$DATA/ckpt/pages-1.img" "$MIB" || die "convert-gen.py failed"
	touch "$DATA/.ok"
fi
CKPT=$DATA/ckpt
cat "$CKPT"/* > /dev/null	# into the page cache
bytes=$(du -sb "$CKPT" | cut -f1)

# timed NAME CMD...: appends wall and cpu seconds to $TMP/NAME
timed() {
	local name=$1
	shift
	timeit "$TMP/time.out" "$@" > /dev/null 2> "$TMP/err.out" || {
		echo "  FAIL $name: $*"
		sed 's/^/    /' "$TMP/err.out" | head -5
		return 1
	}
	echo "$TIME_WALL $TIME_CPU" >> "$TMP/$name"
}
# the reference, as one command for runone
cat > "$TMP/ref.sh" <<EOF
set -o pipefail
tar -cf - -C "$CKPT" . | zstd -$LEVEL -q -f -o "$TMP/ref.tar.zst" && sync "$TMP/ref.tar.zst"
EOF
fails=0
for ((i = 1; i <= REPS; i++)); do
	rm -f "$TMP/ours.tar.zst" "$TMP/ours1.tar.zst" "$TMP/ref.tar.zst"
	timed ours "$TMP/crit-convert" -q "$CKPT" "$TMP/ours.tar.zst" --level $LEVEL || fails=$((fails + 1))
	timed ref bash "$TMP/ref.sh" || fails=$((fails + 1))
	timed ours1 "$TMP/crit-convert" -q -T 1 "$CKPT" "$TMP/ours1.tar.zst" --level $LEVEL || fails=$((fails + 1))
done
# outputs: both valid, same members
if [ $fails -eq 0 ]; then
	zstd -q -t "$TMP/ours.tar.zst" || { echo "  FAIL: zstd -t rejects our output"; fails=$((fails + 1)); }
	cmp -s "$TMP/ours.tar.zst" "$TMP/ours1.tar.zst" ||
		{ echo "  FAIL: -T 1 and the default thread count give different archives"; fails=$((fails + 1)); }
	if ! diff <(zstd -q -dc "$TMP/ours.tar.zst" | tar -tf - | sed 's|^\./||; s|/$||' | grep -v '^\.\?$' | sort) \
		<(zstd -q -dc "$TMP/ref.tar.zst" | tar -tf - | sed 's|^\./||; s|/$||' | grep -v '^\.\?$' | sort) > /dev/null; then
		echo "  FAIL: the two archives hold different members"
		fails=$((fails + 1))
	fi
fi
[ $fails -eq 0 ] || exit 1

med() { # FILE COLUMN
	cut -d' ' -f"$2" "$1" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ow=$(med "$TMP/ours" 1) oc=$(med "$TMP/ours" 2) rw=$(med "$TMP/ref" 1) rc=$(med "$TMP/ref" 2)
o1w=$(med "$TMP/ours1" 1) o1c=$(med "$TMP/ours1" 2)
osz=$(stat -c %s "$TMP/ours.tar.zst") rsz=$(stat -c %s "$TMP/ref.tar.zst")
awk -v ow="$ow" -v oc="$oc" -v rw="$rw" -v rc="$rc" -v osz="$osz" -v rsz="$rsz" -v b="$bytes" \
	-v o1w="$o1w" -v o1c="$o1c" -v nt="$(nproc)" \
	-v reps="$REPS" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
	printf "  %-44s %9s %9s %10s %12s\n", "", "wall s", "cpu s", "MiB/s", "output MiB"
	printf "  %-44s %9.2f %9.2f %10.0f %12.1f\n", "ours: crit-convert DIR X.tar.zst --level 3", ow / 1e6, oc / 1e6, b / 1048576 / (ow / 1e6), osz / 1048576
	printf "  %-44s %9.2f %9.2f %10.0f %12.1f\n", "  the same with -T 1 (one zstd thread)", o1w / 1e6, o1c / 1e6, b / 1048576 / (o1w / 1e6), osz / 1048576
	printf "  %-44s %9.2f %9.2f %10.0f %12.1f\n", "reference: tar -cf - DIR | zstd -3; sync", rw / 1e6, rc / 1e6, b / 1048576 / (rw / 1e6), rsz / 1048576
	r = ow / rw
	r1 = o1w / rw
	printf "  ours / reference: %.2fx wall, %.2fx cpu; with -T 1: %.2fx wall\n", r, oc / rc, r1
	# the target compares like with like: one zstd thread on each side
	printf "  TARGET directory -> .tar.zst within 1.3x of tar | zstd -3, one zstd thread each: %.2fx %s\n",
		r1, (r1 <= 1.3 ? "PASS" : "MISS")
	printf "  (ours uses %d zstd threads here, one per CPU; zstd -3 one; median of %d runs, load average %s)\n", (nt > 8 ? 8 : nt), reps, load
}'
