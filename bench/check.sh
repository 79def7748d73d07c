#!/bin/bash
# bench/check.sh BUILD: `crit check` on a 1,000-process checkpoint (called
# by bench/run.sh; runs on its own too): the images part alone
# (--offline) and the whole check against this machine (its probe: every
# PID, socket and file the checkpoint names), median of 7 runs timed from
# spawn to exit by bench/runone.  The checkpoint is gen-ckpt.sh's with
# memory maps and pagemaps, cached in BUILD/bench-data/check-KEY/.
# Target: the whole check under 1 s.
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
CRIT=$BUILD/bin/crit
N=1000
REPS=7
[ -n "${BENCH_QUICK:-}" ] && [ "${BENCH_QUICK:-0}" != 0 ] && REPS=3
die() { echo "bench/check: $*" >&2; exit 1; }
. "$HERE/timing.sh"
. "$HERE/gen-ckpt.sh"
[ -x "$CRIT" ] || die "$CRIT not found: run make first"
KEY=$(cat "$HERE/gen.awk" "$HERE/gen-ckpt.sh" "$HERE"/templates/*.json "$0" | sha256sum | cut -c1-10)
DATA=$BUILD/bench-data/check-$KEY
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crimg-bench-check.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TMP"' EXIT

echo "crit check: a $N-process checkpoint"
echo "  reproduce: bench/check.sh $BUILD"
gen_ckpt "$DATA/$N" "$N" memory || die "could not make the checkpoint"
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A W
FAIL=0
measure() { # NAME ARGS...
	local name=$1 i kb=0 rc
	local -a t=()
	shift
	for ((i = 0; i < REPS; i++)); do
		timeit "$TMP/time" "$CRIT" check --format json "$@" > "$TMP/out" 2> "$TMP/err"
		rc=$?
		# 0: nothing would fail, 1: something would: both are answers
		if [ $rc -gt 1 ]; then
			echo "  FAIL $name: exit $rc: $(head -1 "$TMP/err")"
			FAIL=1; W[$name]=FAIL; return 1
		fi
		t+=("$TIME_WALL")
		[ "$TIME_KB" -gt "$kb" ] && kb=$TIME_KB
	done
	W[$name]=$(median "${t[@]}")
	printf '  %-34s %2d runs  median %8.1f ms  peak RSS %6.1f MiB  (%s findings)\n' "$name" "${#t[@]}" \
		"$(awk -v u="${W[$name]}" 'BEGIN { print u / 1000 }')" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" \
		"$(jq '.findings | length' "$TMP/out" 2> /dev/null || echo ?)"
}
measure "images only (--offline)" --offline "$DATA/$N"
measure "images and this host (probe)" "$DATA/$N"
echo "TARGETS"
k="images and this host (probe)"
if [ "${W[$k]:-FAIL}" != FAIL ]; then
	ms=$(awk -v u="${W[$k]}" 'BEGIN { printf "%.1f", u / 1000 }')
	awk -v u="${W[$k]}" 'BEGIN { exit !(u < 1000000) }' && r=PASS || r=MISS
	echo "  TARGET crit check on $N processes under 1 s: $ms ms $r"
fi
[ "$FAIL" -eq 0 ]
