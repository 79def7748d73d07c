#!/bin/bash
# bench/x.sh BUILD: `crit x` on fake checkpoints of many processes, ours
# against Debian's Python crit (/usr/bin/python3 /usr/bin/crit), in the same
# run (called by bench/run.sh; runs on its own too).
#
#   bench/x.sh build                  250, 500, 1000 and 3000 processes
#   BENCH_QUICK=1 bench/x.sh build    250 and 500 processes, one rep each
#
# The checkpoints are bench/gen.awk's kind=ckpt (a 4-ary process tree, 2..9
# own descriptors per process over REG/PIPE/UNIXSK/INETSK files, stdio on
# shared files), encoded with OUR crit from that JSON: pstree, inventory,
# files and per process core, ids, fs and fdinfo (mm and pagemap are left
# out: ps and fds do not read them).  Cached in BUILD/bench-data/x-KEY/.
#
# Targets: `x ps` at 1000 processes >= 50x faster than the reference
# (the two tools' runs alternate, 7 of ours and 3 of the reference, as in
# bench/run.sh, so that a slow spell of the machine weighs on both);
# `x fds` linear in the number of processes (time per process at the
# largest N <= 1.5 x time per process at 500, start-up subtracted) and
# under 1 s at 3000.  The reference is timed for fds up to 1000 processes
# only (it rescans files.img for every descriptor: quadratic).  Where both
# ran, their outputs must be identical.
#
# Exit status: 0 when every run succeeded and outputs agreed (targets met or
# not: it is a benchmark); 1 when a tool failed or the outputs differ.
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
CRIT=$BUILD/bin/crit
REF=(/usr/bin/python3 /usr/bin/crit)
QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then
	SIZES="250 500"; REF_FDS_MAX=250; PS_AT=500; REPS=1; REPS_REF=1
else
	SIZES="250 500 1000 3000"; REF_FDS_MAX=1000; PS_AT=1000; REPS=5; REPS_REF=3
fi
die() { echo "bench/x: $*" >&2; exit 1; }
. "$HERE/timing.sh"
. "$HERE/gen-ckpt.sh"
[ -x "$CRIT" ] || die "$CRIT not found: run make first"
[ -x /usr/bin/crit ] || die "/usr/bin/crit (Debian's criu 3.17, the reference) is not installed"

KEY=$(cat "$HERE/gen.awk" "$HERE/gen-ckpt.sh" "$HERE"/templates/*.json "$0" | sha256sum | cut -c1-10)
DATA=$BUILD/bench-data/x-$KEY
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crimg-bench-x.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$TMP"' EXIT
FAIL=0

echo "crit x: ps and fds on N-process checkpoints, ours vs the reference (Python crit)"
echo "  reproduce: bench/x.sh $BUILD   (BENCH_QUICK=1 for 250/500 processes only)"

# gen N: DATA/N/, the N-process checkpoint (gen-ckpt.sh)
gen() { gen_ckpt "$DATA/$1" "$1"; }

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# run KEY REPS OUT CMD...: median wall time in microseconds into T[KEY]
declare -A T
run() {
	local key=$1 reps=$2 out=$3 i s e
	local -a t=()
	shift 3
	for ((i = 0; i < reps; i++)); do
		if ! timeit "$TMP/time" "$@" > "$out" 2> "$TMP/err"; then
			echo "  FAIL $key: $* ($(head -1 "$TMP/err"))"
			FAIL=$((FAIL + 1)); T[$key]=FAIL; return 1
		fi
		t+=("$TIME_WALL")
		# slow reference runs: once
		[ "$TIME_WALL" -gt 20000000 ] && break
	done
	T[$key]=$(median "${t[@]}")
	printf '  %-20s %3d run(s)  median %10.1f ms\n' "$key" "${#t[@]}" "$(awk -v u="${T[$key]}" 'BEGIN { print u / 1000 }')"
}

# alternate KEY OUT OURS... -- REF...: ours twice or three times, then the
# reference once, over and over (7 of ours, 3 of the reference; 1 and 1
# when quick); medians into T[KEY/ours] and T[KEY/ref], outputs OUT.ours
# and OUT.ref.
alternate() {
	local key=$1 out=$2 i k s e
	shift 2
	local -a ours=() ref=() to=() tr=()
	while [ "$1" != -- ]; do ours+=("$1"); shift; done
	shift
	ref=("$@")
	local rounds=3 per=(3 2 2)
	[ -n "$QUICK" ] && rounds=1 per=(1)
	for ((i = 0; i < rounds; i++)); do
		for ((k = 0; k < per[i]; k++)); do
			timeit "$TMP/time" "${ours[@]}" > "$out.ours" 2> "$TMP/err" ||
				{ echo "  FAIL $key/ours ($(head -1 "$TMP/err"))"; FAIL=$((FAIL + 1)); T[$key/ours]=FAIL; return 1; }
			to+=("$TIME_WALL")
		done
		timeit "$TMP/time" "${ref[@]}" > "$out.ref" 2> "$TMP/err" ||
			{ echo "  FAIL $key/ref ($(head -1 "$TMP/err"))"; FAIL=$((FAIL + 1)); T[$key/ref]=FAIL; return 1; }
		tr+=("$TIME_WALL")
	done
	T[$key/ours]=$(median "${to[@]}")
	T[$key/ref]=$(median "${tr[@]}")
	printf '  %-20s %3d run(s)  median %10.1f ms\n' "$key/ours" "${#to[@]}" "$(awk -v u="${T[$key/ours]}" 'BEGIN { print u / 1000 }')"
	printf '  %-20s %3d run(s)  median %10.1f ms\n' "$key/ref" "${#tr[@]}" "$(awk -v u="${T[$key/ref]}" 'BEGIN { print u / 1000 }')"
}

same() { # A B what
	if cmp -s "$1" "$2"; then
		echo "  $3: identical output"
	else
		echo "  $3: OUTPUTS DIFFER ($(cmp "$1" "$2" 2>&1 | head -1))"; FAIL=$((FAIL + 1))
	fi
}

for n in $SIZES; do gen "$n" || die "could not make the $n-process checkpoint"; done

# start-up cost, to subtract when judging growth
run "startup" "$REPS" "$TMP/v" "$CRIT" --version

for n in $SIZES; do
	d=$DATA/$n
	if [ "$n" = "$PS_AT" ]; then
		alternate "ps/$n" "$TMP/ps" "$CRIT" x "$d" ps -- "${REF[@]}" x "$d" ps &&
			same "$TMP/ps.ours" "$TMP/ps.ref" "x ps, $n processes"
	else
		run "ps/$n/ours" "$REPS" "$TMP/ps.ours" "$CRIT" x "$d" ps
	fi
	run "fds/$n/ours" "$REPS" "$TMP/fds.ours" "$CRIT" x "$d" fds
	if [ "$n" -le "$REF_FDS_MAX" ]; then
		run "fds/$n/ref" 1 "$TMP/fds.ref" "${REF[@]}" x "$d" fds &&
			same "$TMP/fds.ours" "$TMP/fds.ref" "x fds, $n processes"
	fi
done

echo ""
echo "RESULTS (median wall time; ratio = reference / ours)"
printf '  %-6s %12s %12s %9s %12s %12s %9s %14s\n' N "ps ours ms" "ps ref ms" ratio "fds ours ms" "fds ref ms" ratio "fds us/proc"
ms() { awk -v u="$1" 'BEGIN { if (u ~ /^[0-9.]+$/) printf "%.1f", u / 1000; else print (u == "" ? "-" : u) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.1fx", a / b; else print "-" }'; }
SU=${T[startup]}
perproc() { awk -v u="$1" -v s="$SU" -v n="$2" 'BEGIN { if (u ~ /^[0-9.]+$/) printf "%.1f", (u - s) / n; else print "-" }'; }
for n in $SIZES; do
	printf '  %-6s %12s %12s %9s %12s %12s %9s %14s\n' "$n" \
		"$(ms "${T[ps/$n/ours]:-}")" "$(ms "${T[ps/$n/ref]:-}")" "$(ratio "${T[ps/$n/ref]:-}" "${T[ps/$n/ours]:-}")" \
		"$(ms "${T[fds/$n/ours]:-}")" "$(ms "${T[fds/$n/ref]:-}")" "$(ratio "${T[fds/$n/ref]:-}" "${T[fds/$n/ours]:-}")" \
		"$(perproc "${T[fds/$n/ours]:-}" "$n")"
done
echo "  (start-up of our crit: $(ms "$SU") ms, subtracted in us/proc)"

echo ""
echo "TARGETS"
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
o=${T[ps/$PS_AT/ours]:-} r=${T[ps/$PS_AT/ref]:-}
if [[ $o =~ ^[0-9]+$ && $r =~ ^[0-9]+$ ]]; then
	echo "  x ps, $PS_AT processes, >= 50x faster:    $(ratio "$r" "$o")   $(verdict "$r / $o >= 50")"
else
	echo "  x ps, $PS_AT processes, >= 50x faster:    n/a"
fi
last=${SIZES##* }
a=${T[fds/500/ours]:-} b=${T[fds/$last/ours]:-}
if [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ "$last" != 500 ]; then
	g=$(awk -v a="$a" -v b="$b" -v s="$SU" -v l="$last" 'BEGIN { printf "%.2f", ((b - s) / l) / ((a - s) / 500) }')
	echo "  x fds linear (per process at $last vs 500 <= 1.5): ${g}x   $(verdict "$g <= 1.5")"
else
	echo "  x fds linear: n/a (needs 500 and a larger N)"
fi
if [[ $b =~ ^[0-9]+$ ]]; then
	echo "  x fds, $last processes, under 1 s:         $(ms "$b") ms   $(verdict "$b < 1000000")"
fi
[ "$FAIL" -eq 0 ]
