#!/usr/bin/env bash
# Runs one libFuzzer target (built by `make fuzz`) on its corpus:
#   fuzz/run.sh TARGET [SECONDS [BUILD]]        (default 900 s, build)
# Seeds come from BUILD/fuzz/corpus/TARGET (fuzz/make-seeds.sh) and the
# regression inputs; new inputs go to BUILD/fuzz/work/TARGET, findings to
# BUILD/fuzz/crashes/TARGET/, the log to BUILD/fuzz/logs/TARGET-TIME.log.
# Runs at nice 19 (the machine is shared).  The last lines of the log
# carry the figures: "Done N runs in S second(s)", cov:, ft:, exec/s.
set -eu
cd "$(dirname "$0")/.."
t=$1
secs=${2:-900}
BUILD=${3:-build}
F=$BUILD/fuzz
bin=$F/fuzz-$t
[ -x "$bin" ] || { echo "run: no $bin (make fuzz)" >&2; exit 1; }
case $t in
ckpt|mem) max_len=131072 ;;
archive|oci) max_len=262144 ;;
*) max_len=65536 ;;
esac
mkdir -p "$F/work/$t" "$F/crashes/$t" "$F/logs"
log=$F/logs/$t-$(date +%Y%m%d-%H%M%S).log
seeds=()
[ -d "$F/corpus/$t" ] && seeds+=("$F/corpus/$t")
[ -d "fuzz/regress/$t" ] && seeds+=("fuzz/regress/$t")
# scratch trees (ckpt, mem, archive) on tmpfs when there is one
[ -n "${TMPDIR:-}" ] || { [ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm; }
echo "run: $t for $secs s, log $log"
rc=0
nice -n 19 "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len \
	-print_final_stats=1 -artifact_prefix="$F/crashes/$t/" \
	"$F/work/$t" "${seeds[@]}" > "$log" 2>&1 || rc=$?
grep -E '^(Done|stat::)|#[0-9]+ *DONE' "$log" | tail -8
echo "run: $t exited $rc; findings: $(ls "$F/crashes/$t" | wc -l)"
exit $rc
