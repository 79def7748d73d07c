#!/bin/bash
# bench/run.sh BUILD: `make bench`, our crit (BUILD/bin/crit) against Debian's
# CRIU 3.17 Python crit (/usr/bin/crit) on large generated images.
#
#   make bench                   the whole run (~6 minutes on 2 cores, plus ~1.5
#                                minutes the first time, to make the images)
#   BENCH_QUICK=1 make bench     only the 1e3/1e4-sized rows, one rep each (seconds)
#   bench/run.sh BUILD           the same without rebuilding
#
# Environment: BENCH_QUICK=1; BENCH_KEEP=1 keeps the temp dir; BENCH_SUBS ("mem x
# convert diff tui check core"): the other benchmarks to run after the codec rows
# (BENCH_QUICK makes the 1 GiB ones 64 MiB: BENCH_MEM_MIB, BENCH_DIFF_MIB,
# BENCH_CORE_MIB); BENCH_REPS_OURS
# (7), BENCH_REPS_REF (3): repetitions, the median is reported (a reference
# cell whose first run takes over BENCH_SLOW_S (10) seconds gets one run only);
# BENCH_CKPT_SAMPLE (10): the reference decodes the checkpoint's per-process
# images of one process in this many (1 = all; its total is extrapolated).
#
# Images are made by bench/gen.awk (JSON in the exact layout of `crit decode`)
# and encoded with OUR crit; each must decode back to the same JSON with our
# crit and decode with the reference (bench/refcheck.py, the same pycriu code
# `crit decode` runs).  They are cached in BUILD/bench-data/KEY, KEY being
# DATA_VERSION plus a hash of the generator; delete that directory to remake.
#
# Exit status: 0 when every tool run succeeded, whether or not the speed and
# memory targets were met (it is a benchmark, not a test); 1 when a tool failed
# (our crit or the reference: an image could not be made, a run exited non-zero).
set -u -o pipefail
export LC_ALL=C

BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA_VERSION=1

die() { echo "bench: $*" >&2; exit 1; }

case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
CRIT=$BUILD/bin/crit
[ -x "$CRIT" ] || die "$CRIT not found: run make first"
[ -x /usr/bin/crit ] || die "/usr/bin/crit (Debian's criu 3.17, the reference) is not installed: apt-get install criu"
REF=(/usr/bin/python3 /usr/bin/crit)
AWK=${AWK:-awk}
. "$HERE/timing.sh"

QUICK=${BENCH_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then
	REPS_OURS=${BENCH_REPS_OURS:-1}
	REPS_REF=${BENCH_REPS_REF:-1}
else
	REPS_OURS=${BENCH_REPS_OURS:-7}
	REPS_REF=${BENCH_REPS_REF:-3}
fi
SLOW_US=$(( ${BENCH_SLOW_S:-10} * 1000000 ))
CKPT_SAMPLE=${BENCH_CKPT_SAMPLE:-10}

KEY=v$DATA_VERSION-$(cat "$HERE/gen.awk" "$HERE/rt.sh" "$HERE/refcheck.py" "$HERE"/templates/*.json |
	sha256sum | cut -c1-10)
DATA=$BUILD/bench-data/$KEY
mkdir -p "$DATA" || die "cannot create $DATA"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/crimg-bench.XXXXXX") || die "mktemp failed"
if [ -z "${BENCH_KEEP:-}" ]; then
	trap 'rm -rf "$TMP"' EXIT
fi

# Run a private copy of our crit: a rebuild of BUILD/bin/crit during the run
# (make check elsewhere) must not change or break the binary being timed.
CRIT_BUILT=$CRIT
CRIT=$TMP/crit
cp "$CRIT_BUILT" "$CRIT" || die "cannot copy $CRIT_BUILT"
# show commands with the real path, for reproducing them
shown() { local t="$*"; printf '%s' "${t//"$CRIT"/"$CRIT_BUILT"}"; }

START_US=${EPOCHREALTIME/./}
TOOLFAIL=0      # runs of either tool that failed
MISMATCH=0      # images whose encode/decode round trip with our crit differed
declare -A MED KB NREP NOTE GENFAIL

say() { printf '%s\n' "$*"; }
hr() { printf '%*s\n' "${1:-100}" '' | tr ' ' '-'; }

# ---------------------------------------------------------------- header ---
say "crimg bench: our crit vs the reference crit (Debian CRIU 3.17, Python)"
say "reproduce: make bench   (BENCH_QUICK=1 make bench for the quick version; bench/run.sh BUILD without make)"
say "ours:      $CRIT_BUILT ($("$CRIT" --version 2>/dev/null | head -1); run as a copy in the temp dir)"
say "reference: ${REF[*]} (criu $(dpkg-query -W -f '${Version}' criu 2>/dev/null || echo '?'), python3-protobuf $(dpkg-query -W -f '${Version}' python3-protobuf 2>/dev/null || echo '?'))"
say "machine:   $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
say "mode:      ${QUICK:+QUICK, }reps ours=$REPS_OURS ref=$REPS_REF (median; the reference runs once where one run takes > ${BENCH_SLOW_S:-10} s); times are wall clock per process from its spawn to its end and RSS its peak (bench/runone)"
say "           the two tools' runs of a cell alternate (ours, ours, ref, ...), so a slow spell of the machine weighs on both"
say "output:    each tool writes a file its fastest way, neither syncing it: the reference with -o FILE (its stdout is 2x slower),"
say "           ours to stdout redirected to the file; our -o FILE, which adds a temp file, fsync and rename, is measured apart below;"
say "           every run writes a new file (the last run's is removed first, untimed)"
say "data:      $DATA (cached)   temp: $TMP${BENCH_KEEP:+ (kept)}"
say ""

# ------------------------------------------------------------ generation ---
# gen_std NAME KIND N: DATA/NAME.img from gen.awk's KIND with N items.
# The .ok file holds "ENTRIES VMAS STATUS" once made and checked.
REFCHECK_LIST=$TMP/refcheck.lst
: > "$REFCHECK_LIST"
NEW=()          # names made in this run, waiting for the reference check
gen_std() {
	local name=$1 kind=$2 n=$3 img=$DATA/$1.img msg rc entries vmas
	[ -f "$DATA/$name.ok" ] && return 0
	rm -f "$DATA/$name.pending"
	case $kind in
	pagemap) entries=$((n + 1)) vmas=- ;;
	mm)      entries=1 vmas=$n ;;
	*)       entries=$n vmas=- ;;
	esac
	printf '  generating %s ...\n' "$name"
	if ! $AWK -v kind="$kind" -v n="$n" -f "$HERE/gen.awk" > "$DATA/$name.json"; then
		GENFAIL[$name]="gen.awk failed"; TOOLFAIL=$((TOOLFAIL + 1)); return 1
	fi
	msg=$("$HERE/rt.sh" "$CRIT" "$img"); rc=$?
	msg=$(shown "$msg")
	case $rc in
	0) rm -f "$DATA/$name.json"; echo "$entries $vmas ok" > "$DATA/$name.pending" ;;
	3) echo "$entries $vmas $msg" > "$DATA/$name.pending" ;;
	*) GENFAIL[$name]="our crit: $msg"; TOOLFAIL=$((TOOLFAIL + 1)); return 1 ;;
	esac
	echo "$img $entries $vmas" >> "$REFCHECK_LIST"
	NEW+=("$name")
}

# gen_ckpt NAME PROCS: DATA/NAME/ with a fake checkpoint of PROCS processes.
gen_ckpt() {
	local name=$1 n=$2 d=$DATA/$1 bad
	[ -f "$DATA/$name.ok" ] && return 0
	rm -f "$DATA/$name.pending"
	printf '  generating %s (%s processes) ...\n' "$name" "$n"
	rm -rf "$d"; mkdir -p "$d"
	if ! $AWK -v kind=ckpt -v n="$n" -v dir="$d" -v tmpl="$HERE/templates" \
		-f "$HERE/gen.awk" > "$d/manifest"; then
		GENFAIL[$name]="gen.awk failed"; TOOLFAIL=$((TOOLFAIL + 1)); return 1
	fi
	# two at a time: generation is not timed
	cut -d' ' -f1 "$d/manifest" | sed "s|^|$d/|" |
		xargs -d '\n' -n 1 -P 2 "$HERE/rt.sh" "$CRIT" > "$TMP/$name.rt" 2>&1
	bad=$(grep -c -v '^round trip differs' "$TMP/$name.rt")
	if [ "$bad" -gt 0 ]; then
		GENFAIL[$name]="our crit failed on $bad of $(wc -l < "$d/manifest") images, e.g. $(shown "$(grep -v '^round trip differs' "$TMP/$name.rt" | head -1)")"
		TOOLFAIL=$((TOOLFAIL + 1)); return 1
	fi
	if [ -s "$TMP/$name.rt" ]; then
		echo "0 - $(wc -l < "$TMP/$name.rt") images: $(shown "$(head -1 "$TMP/$name.rt")")" > "$DATA/$name.pending"
	else
		rm -f "$d"/*.json
		echo "0 - ok" > "$DATA/$name.pending"
	fi
	awk -v d="$d" '{ print d "/" $1, $2, $4 }' "$d/manifest" >> "$REFCHECK_LIST"
	NEW+=("$name")
}

if [ -n "$QUICK" ]; then
	STD_ROWS="pagemap-1e4:pagemap:10000 mm-1e3:mm:1000 mm-1e4:mm:10000 files-1e4:files:10000 fdinfo-1e4:fdinfo:10000"
	CKPT_ROW=ckpt-20 CKPT_PROCS=20
else
	STD_ROWS="pagemap-1e4:pagemap:10000 pagemap-1e5:pagemap:100000 pagemap-1e6:pagemap:1000000
		mm-1e3:mm:1000 mm-1e4:mm:10000 mm-1e5:mm:100000 files-1e5:files:100000 fdinfo-1e5:fdinfo:100000"
	CKPT_ROW=ckpt-1000 CKPT_PROCS=1000
fi

say "generating images (cached) ..."
gen_t0=${EPOCHREALTIME/./}
for r in $STD_ROWS; do
	IFS=: read -r name kind n <<< "$r"
	gen_std "$name" "$kind" "$n"
done
gen_ckpt "$CKPT_ROW" "$CKPT_PROCS"
REFCHECK_FAILED=
if [ -s "$REFCHECK_LIST" ]; then
	say "  checking $(wc -l < "$REFCHECK_LIST") new images with the reference decoder (bench/refcheck.py) ..."
	if ! /usr/bin/python3 "$HERE/refcheck.py" < "$REFCHECK_LIST" > "$TMP/refcheck.out" 2>&1; then
		TOOLFAIL=$((TOOLFAIL + 1))
		say "  REFERENCE FAILED on generated images:"; sed 's/^/    /' "$TMP/refcheck.out" | head -20
		grep -q '^refcheck: ' "$TMP/refcheck.out" || REFCHECK_FAILED="bench/refcheck.py failed: $(head -1 "$TMP/refcheck.out")"
	fi
fi
# an image is ready once both decoders took it
for name in "${NEW[@]}"; do
	p=$DATA/$name.pending
	if [ -n "$REFCHECK_FAILED" ]; then
		GENFAIL[$name]=$REFCHECK_FAILED
		rm -f "$p"
	elif grep -q "^refcheck: $DATA/$name[./]" "$TMP/refcheck.out" 2>/dev/null; then
		GENFAIL[$name]="reference: $(grep -m1 "^refcheck: $DATA/$name[./]" "$TMP/refcheck.out")"
		rm -f "$p"
	else
		mv "$p" "$DATA/$name.ok"
	fi
done
for ok in "$DATA"/*.ok; do
	[ -e "$ok" ] || continue
	st=$(cut -d' ' -f3- "$ok")
	if [ "$st" != ok ]; then
		MISMATCH=$((MISMATCH + 1))
		say "  WARNING $(basename "$ok" .ok): $st"
	fi
done
say "  images ready ($(( (${EPOCHREALTIME/./} - gen_t0) / 1000000 )) s)"
say ""

# ------------------------------------------------------------ measuring ---
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# timed CMD...: one run of CMD by bench/runone; LAST_US = wall time (from
# its spawn to its end), LAST_KB = peak RSS (of CMD and its children).
# The files in FRESH are removed first, outside the clock: every run writes
# a new file, as a first run does, rather than truncating the last run's.
timed() {
	local s e rc
	[ -n "${FRESH:-}" ] && rm -f -- "$FRESH"
	timeit "$TMP/time.out" "$@" > "${OUT:-$TMP/cmd.out}" 2> "$TMP/cmd.err"
	rc=$?
	LAST_US=$TIME_WALL
	LAST_KB=$TIME_KB
	return $rc
}

# Results of one cell: the samples so far, then the median and peak.
declare -A SAMPLES PEAK
cell_start() { SAMPLES[$1]=""; PEAK[$1]=0; }
# cell_run KEY CMD...: one timed run into KEY's samples; 1 on failure.
cell_run() {
	local key=$1
	shift
	if ! timed "$@"; then
		TOOLFAIL=$((TOOLFAIL + 1))
		MED[$key]=FAIL
		say "  FAIL $key: $(shown "$*")"
		shown "$(head -5 "$TMP/cmd.err")" | sed 's/^/      /'; echo
		return 1
	fi
	SAMPLES[$key]+=" $LAST_US"
	[ "$LAST_KB" -gt "${PEAK[$key]}" ] && PEAK[$key]=$LAST_KB
	return 0
}
cell_end() {
	local key=$1
	local -a t=(${SAMPLES[$key]})
	[ "${MED[$key]:-}" = FAIL ] && return 1
	MED[$key]=$(median "${t[@]}")
	KB[$key]=${PEAK[$key]}
	NREP[$key]=${#t[@]}
	printf '  %-24s %3d rep  median %10.1f ms  peak %7.1f MiB\n' "$key" "${#t[@]}" \
		"$(awk -v u="${MED[$key]}" 'BEGIN { print u / 1000 }')" "$(awk -v k="${PEAK[$key]}" 'BEGIN { print k / 1024 }')"
}

# measure KEY REPS CMD...: median over REPS runs.
measure() {
	local key=$1 reps=$2 i
	shift 2
	cell_start "$key"
	for ((i = 1; i <= reps; i++)); do
		cell_run "$key" "$@" || return 1
	done
	cell_end "$key"
}

# versus KEY_OURS KEY_REF: our REPS_OURS runs of the command in array OURS
# (output to OUT_OURS) and the reference's REPS_REF runs of REFCMD (its own
# -o file named in FRESH_REF), interleaved (ours, ours, ref, ours, ours,
# ref, ...) so that both tools are timed across the same stretch of time:
# a slow spell of the machine then weighs on both, not on one.  A reference
# run of over BENCH_SLOW_S seconds is its only one.
versus() {
	local ko=$1 kr=$2 i=0 j=0 want ok_o=1 ok_r=1
	cell_start "$ko"
	cell_start "$kr"
	while ((ok_o && i < REPS_OURS)) || ((ok_r && j < REPS_REF)); do
		# ours up to its share of the runs so far, then one of the reference
		want=$(( ok_r && j < REPS_REF ? ((j + 1) * REPS_OURS + REPS_REF - 1) / REPS_REF : REPS_OURS ))
		while ((ok_o && i < want && i < REPS_OURS)); do
			OUT=$OUT_OURS FRESH=$OUT_OURS cell_run "$ko" "${OURS[@]}" || ok_o=0
			i=$((i + 1))
		done
		if ((ok_r && j < REPS_REF)); then
			FRESH=$FRESH_REF cell_run "$kr" "${REFCMD[@]}" || ok_r=0
			j=$((j + 1))
			# the reference's slow cells: one run only
			((j == 1 && LAST_US > SLOW_US)) && j=$REPS_REF
		fi
	done
	cell_end "$ko"
	cell_end "$kr"
	((ok_o))
}

declare -a ROWS=()
declare -A ROW_N ROW_KIND ROW_LABEL

bench_std() {
	local name=$1 kind=$2 n=$3 img=$DATA/$1.img o=$TMP/$1
	ROWS+=("$name"); ROW_N[$name]=$n; ROW_KIND[$name]=$kind; ROW_LABEL[$name]=$n
	if [ -n "${GENFAIL[$name]:-}" ]; then
		say "  $name: not measured, the image could not be made"
		return
	fi
	local -a OURS REFCMD
	OURS=("$CRIT" decode -i "$img") REFCMD=("${REF[@]}" decode -i "$img" -o "$o.ref.json")
	OUT_OURS=$o.ours.json FRESH_REF=$o.ref.json versus "$name/decode/ours" "$name/decode/ref"
	OURS=("$CRIT" decode --pretty -i "$img")
	REFCMD=("${REF[@]}" decode --pretty -i "$img" -o "$o.ref.pretty.json")
	OUT_OURS=$o.ours.pretty.json FRESH_REF=$o.ref.pretty.json versus "$name/pretty/ours" "$name/pretty/ref"
	rm -f "$o.ours.pretty.json" "$o.ref.json" "$o.ref.pretty.json"
	# encode our own compact JSON (= the decode output above)
	if [ -s "$o.ours.json" ] && [ "${MED[$name/decode/ours]}" != FAIL ]; then
		OURS=("$CRIT" encode -i "$o.ours.json")
		REFCMD=("${REF[@]}" encode -i "$o.ours.json" -o "$o.ref.img")
		OUT_OURS=$o.ours.img FRESH_REF=$o.ref.img versus "$name/encode/ours" "$name/encode/ref" &&
			{ cmp -s "$o.ours.img" "$img" || {
				MISMATCH=$((MISMATCH + 1))
				say "  WARNING $name: crit encode of crit decode's output differs from the image ($CRIT_BUILT decode -i $img -o x.json; $CRIT_BUILT encode -i x.json -o y.img; cmp $img y.img)"; }; }
	else
		MED[$name/encode/ours]=-	# no JSON to encode: our decode failed
		MED[$name/encode/ref]=-
	fi
	rm -f "$o.ref.img" "$o.ours.json"
}

# The checkpoint: one process per image (xargs runs them one after another).
# Ours decodes every image; the reference decodes the shared images and the
# per-process images of one process in CKPT_SAMPLE, and its total is
# extrapolated: shared + sample * (per-process images / sampled images).
bench_ckpt() {
	local name=$1 d=$DATA/$1 o=$TMP/$1 nimg nsamp nshared entries
	ROWS+=("$name"); ROW_KIND[$name]=ckpt
	if [ -n "${GENFAIL[$name]:-}" ]; then
		ROW_N[$name]=0; ROW_LABEL[$name]="${CKPT_PROCS}p"
		say "  $name: not measured, the checkpoint could not be made"
		return
	fi
	mkdir -p "$o.ours" "$o.ref"
	cut -d' ' -f1 "$d/manifest" > "$o.all"
	awk '$3 == -1 { print $1 }' "$d/manifest" > "$o.shared"
	awk -v s="$CKPT_SAMPLE" '$3 != -1 && $3 % s == 0 { print $1 }' "$d/manifest" > "$o.sample"
	nimg=$(wc -l < "$o.all"); nsamp=$(wc -l < "$o.sample")
	entries=$(awk '{ s += ($4 == "-") ? $2 : $4 } END { print s }' "$d/manifest")
	ROW_N[$name]=$entries; ROW_LABEL[$name]="${CKPT_PROCS}p/${nimg}img"
	say "  $name: $CKPT_PROCS processes, $nimg images, $entries entries (vmas counted as entries)"
	# env -C: the image names stay relative, so {} works for -i and -o alike
	measure "$name/decode/ours" "$REPS_OURS" \
		env -C "$d" xargs -d '\n' -a "$o.all" -I '{}' "$CRIT" decode -i '{}'
	# the floor: the same processes started, each doing nothing (on a
	# virtual machine where a process start costs milliseconds, this row
	# measures mostly that; no tool can be faster than /bin/true)
	measure "$name/decode/true" 1 env -C "$d" xargs -d '\n' -a "$o.all" -I '{}' /bin/true '{}'
	nshared=$(wc -l < "$o.shared")
	if measure "$name/decode/ref-shared" 1 \
		env -C "$d" xargs -d '\n' -a "$o.shared" -I '{}' "${REF[@]}" decode -i '{}' -o "$o.ref/{}.json" &&
	   measure "$name/decode/ref-sample" 1 \
		env -C "$d" xargs -d '\n' -a "$o.sample" -I '{}' "${REF[@]}" decode -i '{}' -o "$o.ref/{}.json"; then
		MED[$name/decode/ref]=$(awk -v a="${MED[$name/decode/ref-shared]}" -v b="${MED[$name/decode/ref-sample]}" \
			-v n="$((nimg - nshared))" -v k="$nsamp" 'BEGIN { printf "%.0f", a + b * n / k }')
		[ "$CKPT_SAMPLE" != 1 ] && NOTE[$name]="reference total extrapolated: the $nshared shared images + the per-process images of 1 process in $CKPT_SAMPLE ($nsamp of $((nimg - nshared)) images) x $((nimg - nshared))/$nsamp"
		[ "${MED[$name/decode/true]:-}" ] && NOTE[$name]+="${NOTE[$name]:+; }the floor: /bin/true run as often takes $(awk -v u="${MED[$name/decode/true]}" 'BEGIN { printf "%.1f", u / 1e6 }') s, $(awk -v r="${MED[$name/decode/ref]}" -v t="${MED[$name/decode/true]}" 'BEGIN { printf "%.1f", r / t }')x faster than the reference: the best ratio any program reaches here"
	else
		MED[$name/decode/ref]=FAIL
	fi
	MED[$name/pretty/ours]=- MED[$name/pretty/ref]=- MED[$name/encode/ours]=- MED[$name/encode/ref]=-
	rm -rf "$o.ours" "$o.ref"
}

say "measuring ..."
for r in $STD_ROWS; do
	IFS=: read -r name kind n <<< "$r"
	bench_std "$name" "$kind" "$n"
done
bench_ckpt "$CKPT_ROW"

# What a durable output costs: -o FILE writes a temp file beside FILE,
# fsyncs it and renames it over FILE; stdout is left to the caller.
DURABLE=()
durable() {
	local label=$1 img=$2
	[ -f "$img" ] || return 0
	measure "durable/$label/stdout" "$REPS_OURS" "$CRIT" decode -i "$img" &&
	measure "durable/$label/-o" "$REPS_OURS" "$CRIT" decode -i "$img" -o "$TMP/durable.json" &&
	DURABLE+=("$(printf '  %-34s stdout %8s ms   -o FILE %8s ms   (+%s ms)' "$label" \
		"$(awk -v u="${MED[durable/$label/stdout]}" 'BEGIN { printf "%.1f", u / 1000 }')" \
		"$(awk -v u="${MED[durable/$label/-o]}" 'BEGIN { printf "%.1f", u / 1000 }')" \
		"$(awk -v a="${MED[durable/$label/-o]}" -v b="${MED[durable/$label/stdout]}" 'BEGIN { printf "%.1f", (a - b) / 1000 }')")")
	rm -f "$TMP/durable.json"
}
durable "one image of the checkpoint" "$DATA/$CKPT_ROW/$(head -1 "$DATA/$CKPT_ROW/manifest" 2>/dev/null | cut -d' ' -f1)"
[ -n "$QUICK" ] || durable "pagemap-1e5 (6 MiB of JSON)" "$DATA/pagemap-1e5.img"
say ""

# --------------------------------------------------------------- report ---
ms()  { awk -v u="$1" 'BEGIN { if (u !~ /^[0-9.]+$/) print (u == "" ? "-" : u); else if (u < 100000) printf "%.1f", u / 1000; else printf "%.0f", u / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.1fx", a / b; else print "-" }'; }

TGT_PASS=0 TGT_MISS=0 TGT_NA=0
TGT_LINES=()
# target ROW OP MIN: is ref/ours >= MIN?  Sets TG (a short mark for the table).
target() {
	local row=$1 op=$2 min=$3 o=${MED[$1/$2/ours]:-} r=${MED[$1/$2/ref]:-} x
	if ! [[ $o =~ ^[0-9.]+$ && $r =~ ^[0-9.]+$ ]]; then
		TGT_NA=$((TGT_NA + 1)); TG="n/a"
		TGT_LINES+=("$(printf '  %-14s %-7s >= %2dx   %8s   n/a (ours: %s, reference: %s)' "$row" "$op" "$min" "-" "$(ms "${o:-not run}")" "$(ms "${r:-not run}")")")
		return
	fi
	x=$(awk -v a="$r" -v b="$o" 'BEGIN { printf "%.1f", a / b }')
	if awk -v x="$x" -v m="$min" 'BEGIN { exit !(x >= m) }'; then
		TGT_PASS=$((TGT_PASS + 1)); TG=PASS
	else
		TGT_MISS=$((TGT_MISS + 1)); TG=MISS
	fi
	TGT_LINES+=("$(printf '  %-14s %-7s >= %2dx   %7sx   %s' "$row" "$op" "$min" "$x" "$TG")")
}

if [ ${#DURABLE[@]} -gt 0 ]; then
	say "DURABLE OUTPUT (ours, decode: the table above writes to stdout; -o FILE adds temp file + fsync + rename)"
	printf '%s\n' "${DURABLE[@]}"
	say ""
fi

W=150
say "RESULTS (ms = median wall time of one run; ratio = reference / ours; MiB = our peak RSS)"
hr $W
printf '%-13s %-15s | %-33s | %-33s | %-33s | %s\n' "" "" \
	"decode" "decode --pretty" "encode (our compact JSON)" "targets (N >= 1e5)"
printf '%-13s %-15s | %9s %9s %7s %6s | %9s %9s %7s %6s | %9s %9s %7s %6s | %s\n' "row" "N" \
	"ours ms" "ref ms" "ratio" "MiB" "ours ms" "ref ms" "ratio" "MiB" "ours ms" "ref ms" "ratio" "MiB" "dec/pretty/enc"
hr $W
for row in "${ROWS[@]}"; do
	line=$(printf '%-13s %-15s' "$row" "${ROW_LABEL[$row]}")
	for op in decode pretty encode; do
		o=${MED[$row/$op/ours]:-} r=${MED[$row/$op/ref]:-}
		[ -n "${GENFAIL[$row]:-}" ] && o=FAIL r=-
		line+=$(printf ' | %9s %9s %7s %6s' "$(ms "$o")" "$(ms "$r")" "$(ratio "$r" "$o")" "$(mib "${KB[$row/$op/ours]:-}")")
	done
	marks=-
	if [ -n "${GENFAIL[$row]:-}" ]; then
		marks="not measured (image not made)"
	elif [ "${ROW_N[$row]}" -ge 100000 ]; then
		marks=
		for op in decode pretty encode; do
			if [ "${MED[$row/$op/ours]:-}" = - ]; then marks+="${marks:+/}-"; continue; fi
			[ $op = encode ] && min=20 || min=50
			target "$row" "$op" "$min"
			marks+="${marks:+/}$TG"
		done
	fi
	say "$line | $marks"
done
hr $W
for row in "${ROWS[@]}"; do
	[ -n "${NOTE[$row]:-}" ] && say "  $row: ${NOTE[$row]}"
	[ "${ROW_KIND[$row]}" = ckpt ] && say "  $row: one process per image, total over all images; only decode is measured for this row"
	for op in decode pretty encode; do
		n=${NREP[$row/$op/ref]:-}
		[ -n "$n" ] && [ "$n" -lt "$REPS_REF" ] && say "  $row $op: the reference ran once (a run takes over ${BENCH_SLOW_S:-10} s)"
	done
done
for row in "${ROWS[@]}"; do [ -n "${GENFAIL[$row]:-}" ] && say "  $row: NOT MEASURED: ${GENFAIL[$row]}"; done
say ""

# growth: ns per entry and RSS over N, for the pagemap and mm series
RSS_LINES=()
say "GROWTH (ours; ns/entry = median time / N, process start-up ~1 ms included; MiB = peak RSS)"
printf '  %-8s %9s | %12s %12s %12s | %8s %8s %8s\n' series N "decode ns/e" "pretty ns/e" "encode ns/e" "dec MiB" "pre MiB" "enc MiB"
for series in pagemap mm; do
	rows=()
	for row in "${ROWS[@]}"; do
		[ "${ROW_KIND[$row]}" = "$series" ] && [ -z "${GENFAIL[$row]:-}" ] && rows+=("$row")
	done
	[ ${#rows[@]} -gt 0 ] || { say "  $series: no rows measured"; continue; }
	for row in "${rows[@]}"; do
		line=$(printf '  %-8s %9s |' "$series" "${ROW_N[$row]}")
		for op in decode pretty encode; do
			line+=$(awk -v u="${MED[$row/$op/ours]:-}" -v n="${ROW_N[$row]}" \
				'BEGIN { if (u ~ /^[0-9.]+$/) printf " %12.1f", u * 1000 / n; else printf " %12s", "-" }')
		done
		line+=" |"
		for op in decode pretty encode; do line+=$(printf ' %8s' "$(mib "${KB[$row/$op/ours]:-}")"); done
		say "$line"
	done
	first=${rows[0]} last=${rows[${#rows[@]}-1]}
	for op in decode pretty encode; do
		# linear: ns/entry at the largest N against the one before it
		if [ ${#rows[@]} -ge 2 ]; then
			prev=${rows[${#rows[@]}-2]}
			lin=$(awk -v a="${MED[$prev/$op/ours]:-}" -v na="${ROW_N[$prev]}" -v b="${MED[$last/$op/ours]:-}" -v nb="${ROW_N[$last]}" \
				'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) { r = (b / nb) / (a / na); printf "%.2f %s", r, (r <= 1.5) ? "linear" : "SUPERLINEAR" } else print "- -" }')
			say "    $series $op: time/entry at N=${ROW_N[$last]} vs N=${ROW_N[$prev]}: ${lin% *}x (${lin#* })"
		fi
		# the RSS target
		a=${KB[$first/$op/ours]:-} b=${KB[$last/$op/ours]:-}
		if [ -z "$a" ] || [ -z "$b" ] || [ "$first" = "$last" ]; then
			TGT_NA=$((TGT_NA + 1)); TG=n/a
		elif awk -v a="$a" -v b="$b" 'BEGIN { exit !(b <= 1.5 * a + 1024) }'; then
			TGT_PASS=$((TGT_PASS + 1)); TG=PASS
		else
			TGT_MISS=$((TGT_MISS + 1)); TG=MISS
		fi
		RSS_LINES+=("$(printf '  %-14s %-7s RSS independent of N: %s MiB at N=%s -> %s MiB at N=%s   %s' "$series" "$op" \
			"$(mib "$a")" "${ROW_N[$first]}" "$(mib "$b")" "${ROW_N[$last]}" "$TG")")
	done
done
say ""

say "TARGETS (decode and decode --pretty >= 50x, encode >= 20x faster than the reference on rows of N >= 1e5;"
say "         our peak RSS flat in N: RSS at the largest N <= 1.5 x RSS at the smallest N + 1 MiB)"
if [ ${#TGT_LINES[@]} -eq 0 ]; then say "  (no row of N >= 1e5 was measured)"; fi
for l in "${TGT_LINES[@]}"; do say "$l"; done
for l in "${RSS_LINES[@]}"; do say "$l"; done
say ""
# The other benchmarks (memory search, crit x, convert, diff): each prints
# its own table and its target lines, ending in PASS or MISS.
SUB_TARGETS=()
for sub in ${BENCH_SUBS-mem x convert diff tui check core}; do
	[ -x "$HERE/$sub.sh" ] || continue
	BENCH_MEM_MIB=${BENCH_MEM_MIB:-${QUICK:+64}} BENCH_DIFF_MIB=${BENCH_DIFF_MIB:-${QUICK:+64}} \
		BENCH_CORE_MIB=${BENCH_CORE_MIB:-${QUICK:+64}} BENCH_QUICK=${QUICK:+1} \
		"$HERE/$sub.sh" "$BUILD" > "$TMP/sub.out" 2>&1 || TOOLFAIL=$((TOOLFAIL + 1))
	cat "$TMP/sub.out"
	say ""
	while IFS= read -r l; do
		SUB_TARGETS+=("$(printf '  %-8s %s' "$sub:" "$(echo "$l" | sed 's/^ *//; s/^TARGET *//')")")
		case $l in *PASS) TGT_PASS=$((TGT_PASS + 1)) ;; *MISS) TGT_MISS=$((TGT_MISS + 1)) ;; esac
	done < <(grep -E '(PASS|MISS)$' "$TMP/sub.out")
done
secs=$(( (${EPOCHREALTIME/./} - START_US) / 1000000 ))
say "ALL TARGETS"
for l in "${TGT_LINES[@]}"; do say "  codec:  ${l#  }"; done
for l in "${RSS_LINES[@]}"; do say "  codec:  ${l#  }"; done
for l in "${SUB_TARGETS[@]}"; do say "$l"; done
say "SUMMARY: targets $TGT_PASS PASS, $TGT_MISS MISS, $TGT_NA n/a; tool failures: $TOOLFAIL; round-trip mismatches: $MISMATCH; ${QUICK:+quick run, }${secs} s"
[ "$TOOLFAIL" -eq 0 ]
