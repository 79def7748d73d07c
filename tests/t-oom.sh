#!/usr/bin/env bash
# asan-ok
# Issue 12: every allocation on the library's paths is checked.  With
# tests/oom/failalloc.c preloaded, the Nth allocation of a run fails (the
# count starts just before crit's main); for N from 1 to the number of
# allocations the run makes (a spread sample of them when there are many),
# `crit x DIR ps`, `crit decode`, `crit inspect`, `crit x ARCHIVE ps` (a
# .tar.gz) and `crit mem` either succeed with exactly the normal output or
# fail with a non-zero exit status and a message on stderr: never a crash
# (a signal, a sanitizer report) and never exit 0 with other output.  A
# second, smaller pass makes every allocation from the Nth on fail, so the
# error paths themselves are shown to need no memory they cannot get.
#
# One outcome is let through, and listed as a skip: exit status 0 with
# other output and a "warning: ...: out of memory" on stderr.  That is a
# tool going on without an image it could not read (inspect does so for a
# damaged inventory.img, on purpose), told about, not a silent difference.
#
# OOM_MAX=N: at most N runs per command in the first pass (default 200;
# every N when the run makes fewer allocations); OOM_ALL=1 tries every N.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples
D=$S/demo
SHIM=$BUILD/tests/failalloc.so
MAX=${OOM_MAX:-200}
STICKY_MAX=${OOM_STICKY_MAX:-30}

if [ ! -f "$SHIM" ]; then
	fail "$SHIM is missing (make builds it)"
	finish
	exit
fi
# Under ASan the shim is loaded before libasan: tell ASan that is meant.
# (ASan's own strdup and friends do not call malloc: there fewer
# allocations fail, and LeakSanitizer checks the error paths free.)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
tar -czf "$TMP/demo.tar.gz" -C "$D" .

# run N STICKY OUT CMD...: CMD with the Nth allocation failing (0: none);
# stdout in OUT, stderr in OUT.err, allocations made in OUT.count; prints
# the exit status
run() {
	local n=$1 sticky=$2 out=$3
	shift 3
	rm -f "$out.count"
	FAILALLOC_N=$n FAILALLOC_STICKY=$sticky FAILALLOC_REPORT=$out.count LD_PRELOAD=$SHIM \
		"$@" > "$out" 2> "$out.err" < /dev/null
	echo $?
}

# the values of N to try out of 1..TOTAL, at most LIMIT of them: the first
# 50 (start-up), then evenly spread, always the last
sample() {
	local total=$1 limit=$2 n
	if [ "${OOM_ALL:-}" = 1 ] || [ "$total" -le "$limit" ]; then
		seq 1 "$total"
		return
	fi
	{
		seq 1 50
		awk -v t="$total" -v k=$((limit - 51)) 'BEGIN { for (i = 1; i <= k; i++) printf "%d\n", 50 + i * (t - 50) / (k + 1) }'
		echo "$total"
	} | sort -nu
}

# oom NAME CMD...: the two passes above on one command
oom() {
	local name=$1
	shift
	local base=$TMP/base rc total n sticky limit bad=0 failed=0 tried=0 warned=
	rc=$(run 0 0 "$base" "$@")
	if [ "$rc" != 0 ] || [ ! -s "$base" ] || [ ! -s "$base.count" ]; then
		fail "$name: the run without failures: exit status $rc, $(head -c 300 "$base.err")"
		return
	fi
	total=$(cat "$base.count")
	for sticky in 0 1; do
		limit=$MAX
		[ $sticky = 0 ] || limit=$STICKY_MAX
		for n in $(sample "$total" "$limit"); do
			tried=$((tried + 1))
			rc=$(run "$n" $sticky "$TMP/o" "$@")
			local what="N=$n"
			[ $sticky = 0 ] || what="$what and after"
			if grep -qE 'Sanitizer|runtime error:' "$TMP/o.err"; then
				fail "$name: $what: $(grep -m1 -E 'Sanitizer|runtime error:' "$TMP/o.err")"
			elif [ "$rc" -ge 128 ]; then
				fail "$name: $what: killed by signal $((rc - 128)) ($(tail -c 200 "$TMP/o.err"))"
			elif [ "$rc" = 0 ] && ! cmp -s "$base" "$TMP/o" && grep -q 'warning: .*out of memory' "$TMP/o.err"; then
				warned="$warned $n"
				continue
			elif [ "$rc" = 0 ] && ! cmp -s "$base" "$TMP/o"; then
				fail "$name: $what: exit status 0 with other output: $(diff "$base" "$TMP/o" | head -3 | tr '\n' ' ')"
			elif [ "$rc" = 0 ] && ! cmp -s "$base.err" "$TMP/o.err"; then
				fail "$name: $what: exit status 0 with another message: $(head -c 200 "$TMP/o.err")"
			elif [ "$rc" != 0 ] && [ ! -s "$TMP/o.err" ]; then
				fail "$name: $what: exit status $rc with no message"
			else
				[ "$rc" = 0 ] || failed=$((failed + 1))
				continue
			fi
			bad=$((bad + 1))
			[ $bad -lt 5 ] || { fail "$name: more failures not shown"; return; }
		done
	done
	if [ $bad = 0 ]; then
		pass "$name: $tried runs of $total allocations, $failed failed cleanly"
	fi
	[ -z "$warned" ] ||
		skip "$name: exit status 0 with other output and an out-of-memory warning, N =$warned"
	# the shim did fail something: a run that cannot fail proves nothing
	[ $failed -gt 0 ] || fail "$name: no run failed: is the shim working?"
}

oom "x DIR ps" "$CRIT" x "$D" ps
oom "decode -i mm-100.img" "$CRIT" decode -i "$D/mm-100.img"
oom "decode --pretty -i core-100.img" "$CRIT" decode --pretty -i "$D/core-100.img"
oom "inspect DIR" "$CRIT" inspect "$D"
oom "x ARCHIVE.tar.gz ps" "$CRIT" x "$TMP/demo.tar.gz" ps
oom "mem DIR --pid 100" "$CRIT" mem "$D" --pid 100
oom "mem DIR --search" "$CRIT" mem "$D" --search "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x555500007000" -c 0
oom "mem ARCHIVE.tar.gz --pid 101" "$CRIT" mem "$TMP/demo.tar.gz" --pid 101
finish
