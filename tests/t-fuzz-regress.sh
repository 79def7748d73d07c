#!/usr/bin/env bash
# asan-ok
# Every input a fuzz target ever failed on (fuzz/regress/TARGET/, kept after
# the fix) is replayed through the same target without libFuzzer, on the
# normal and the ASan build: each must now pass (no crash, no sanitizer
# report, no failed assertion of the target; each run bounded by a timeout).
. "$(dirname "$0")/lib.sh"
for d in "$TOP"/fuzz/regress/*/; do
	t=$(basename "$d")
	bin=$BUILD/tests/fuzz-$t
	n=$(find "$d" -type f | wc -l)
	[ "$n" -gt 0 ] || continue
	if [ ! -x "$bin" ]; then
		fail "$t: no $bin"
		continue
	fi
	if REPLAY_VERBOSE=1 timeout -s KILL 300 "$bin" "$d" > "$TMP/out" 2>&1; then
		pass "$t: $n regression inputs"
	else
		fail "$t: $(grep 'replay:' "$TMP/out" | tail -1): $(grep -E 'fuzz:|ERROR|runtime error' "$TMP/out" | head -2)"
	fi
done
finish
