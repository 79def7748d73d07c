#!/usr/bin/env bash
# Runs the whole suite against one or more build directories and ends with
# the line "N passed, N failed".  Usage: tests/run-all.sh BUILD [BUILD...]
# A build directory under .../asan runs the suite marked "asan-ok" only
# (everything but the slow differential runs against Python crit).
set -u
cd "$(dirname "$0")/.."
total_pass=0 total_fail=0 total_skip=0
res=$(mktemp)
trap 'rm -f "$res"' EXIT
for build in "$@"; do
	echo "== suite on $build"
	if [ -x "$build/tests/unit-tests" ]; then
		out=$(CRIMG_SAMPLES=$build/samples CRIMG_CORPUS=${SHARED:-../shared}/corpus \
			CRIMG_RESTORE_CASES=${SHARED:-../shared}/restore-cases "$build/tests/unit-tests" 2>&1)
		rc=$?
		echo "$out" | grep -v '^  ok' | grep -v '^[0-9]* passed, [0-9]* failed$'
		line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
		p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
		[ -n "$line" ] || { p=0; f=1; echo "  FAIL unit-tests printed no result (rc $rc)"; }
		[ $rc -eq 0 ] || [ "$f" -gt 0 ] || { f=1; echo "  FAIL unit-tests exited $rc"; }
		echo "unit: $p passed, $f failed"
		total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
	fi
	for t in tests/t-*.sh; do
		case $build in
		*asan*) grep -q '^# asan-ok' "$t" || continue ;;
		esac
		: > "$res"
		BUILD=$build RESULT_FILE=$res bash "$t"
		rc=$?
		read -r p f s < "$res" || { p=0; f=1; s=0; echo "  FAIL $t ended without a result (rc $rc)"; }
		[ $rc -eq 0 ] || [ "$f" -gt 0 ] || { f=$((f + 1)); echo "  FAIL $t exited $rc"; }
		echo "$(basename "$t" .sh): $p passed, $f failed${s:+, $s skipped}"
		total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + ${s:-0}))
	done
done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
