#!/usr/bin/env bash
# Issue 6: no data loss.  `crit encode -o` and `crit decode -o` are killed
# with SIGKILL at many moments (random delays across the whole run, on an
# input big enough to take a few hundred milliseconds); after each kill the
# target must be exactly the old file or exactly the complete new one (or
# absent / complete when there was none).  A killed run may leave its
# temporary file, ".TARGET.tmp-XXXXXX" beside the target (documented in
# docs/outputs.md): anything else appearing in the directory fails the test.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples
N=${KILL_TRIALS:-40}
D=$TMP/kill
mkdir -p "$D"

# A pagemap of 300,000 entries: ~27 MB of JSON, a 3.6 MB image.
python3 - > "$TMP/big.json" <<'PY'
import sys
w = sys.stdout.write
w('{"magic": "PAGEMAP", "entries": [{"pages_id": 1}')
for i in range(300000):
    w(', {"vaddr": %d, "compat_nr_pages": 0, "flags": 4, "nr_pages": %d}' % (0x7f0000000000 + i * 0x10000, 1 + i % 7))
w(']}')
PY
"$CRIT" encode -i "$TMP/big.json" -o "$TMP/new.img" || fail "encode of the big pagemap"
"$CRIT" decode -i "$TMP/new.img" -o "$TMP/new.json" || fail "decode of the big pagemap"
cp "$S/demo/pstree.img" "$TMP/old.img"
"$CRIT" decode -i "$S/demo/pstree.img" -o "$TMP/old.json"

ms_of() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }

# trials CMD IN NEW OLD|"": N kills of `crit CMD -i IN -o TARGET`
trials() {
	local cmd=$1 in=$2 new=$3 old=$4
	local t target=$D/target ext
	ext=${new##*.}
	target=$D/target.$ext
	t=$(ms_of "$CRIT" "$cmd" -i "$in" -o "$D/probe.$ext")
	rm -f "$D/probe.$ext"
	[ "$t" -gt 0 ] || t=1
	local kept=0 completed=0 absent=0 temps=0 bad=0 killed=0 i delay rc
	RANDOM=42
	for i in $(seq 1 "$N"); do
		rm -f "$target" "$D"/.target.*
		[ -z "$old" ] || cp "$old" "$target"
		# spread over 0 .. 1.25 x the run time, so some runs complete
		delay=$((RANDOM % (t * 5 / 4 + 1)))
		timeout --foreground -s KILL "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))" \
			"$CRIT" "$cmd" -i "$in" -o "$target" 2>/dev/null
		rc=$?
		[ $rc -eq 137 ] && killed=$((killed + 1))
		if [ ! -e "$target" ]; then
			if [ -z "$old" ] && [ $rc -eq 137 ]; then absent=$((absent + 1)); else bad=$((bad + 1)); fail "$cmd: target gone after a kill at ${delay} ms"; fi
		elif cmp -s "$target" "$new"; then
			completed=$((completed + 1))
		elif [ -n "$old" ] && cmp -s "$target" "$old"; then
			kept=$((kept + 1))
		else
			bad=$((bad + 1)); fail "$cmd: kill at ${delay} ms left a target that is neither the old nor the new file ($(stat -c %s "$target") bytes)"
		fi
		local n
		n=$(find "$D" -maxdepth 1 -name '.target.*.tmp-*' | wc -l)
		temps=$((temps + n))
		if find "$D" -mindepth 1 -maxdepth 1 ! -name "target.$ext" ! -name '.target.*.tmp-*' | grep -q .; then
			bad=$((bad + 1)); fail "$cmd: unexpected files after a kill: $(ls -A "$D")"
		fi
	done
	rm -f "$target" "$D"/.target.*
	local over="over an existing file"
	[ -n "$old" ] || over="with no file before"
	echo "  $cmd -o (run ${t} ms), $N runs $over: killed $killed, old file intact $kept, new file complete $completed, no file $absent, temporary files left $temps, damaged $bad"
	[ $bad -eq 0 ] && pass "$cmd: every kill left the old or the complete new file" || true
}
trials encode "$TMP/big.json" "$TMP/new.img" "$TMP/old.img"
trials encode "$TMP/big.json" "$TMP/new.img" ""
trials decode "$TMP/new.img" "$TMP/new.json" "$TMP/old.json"
trials decode "$TMP/new.img" "$TMP/new.json" ""
finish
