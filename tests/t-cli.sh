#!/usr/bin/env bash
# asan-ok
# CLI golden files: every tests/cli/NAME.cmd runs in the built samples
# directory with crit on PATH; its stdout, stderr and exit status must equal
# NAME.stdout, NAME.stderr and NAME.exit.  UPDATE=1 rewrites the sidecars
# (review the diff before committing).
. "$(dirname "$0")/lib.sh"
export PATH=$CRIT_DIR:$PATH
cd "$BUILD/samples" || { fail "no samples (make samples)"; finish; exit; }
for cmd in "$TOP"/tests/cli/*.cmd; do
	name=${cmd%.cmd}
	bash -c "$(cat "$cmd")" > "$TMP/stdout" 2> "$TMP/stderr" < /dev/null
	echo $? > "$TMP/exit"
	if [ -n "${UPDATE:-}" ]; then
		for s in stdout stderr exit; do cp "$TMP/$s" "$name.$s"; done
	fi
	ok=1
	for s in stdout stderr exit; do
		if ! cmp -s "$TMP/$s" "$name.$s"; then
			ok=0
			echo "  $(basename "$name").$s differs:"
			diff "$name.$s" "$TMP/$s" | head -10 | sed 's/^/    /'
		fi
	done
	[ $ok = 1 ] && pass "$(basename "$name")" || fail "$(basename "$name"): $(cat "$cmd")"
done
finish
