#!/usr/bin/env bash
# crit-tui's golden screens: each walk in tests/tui/walks/NAME.walk is a
# script of keys (crit-tui(1), --script) run on its source at 80x24 and at
# 132x43; every screen it saves (:save-screen F) must equal
# tests/tui/golden/NAME/COLSxROWS/F.  A walk's first lines say what it
# opens: "# src: corpus/kitchen" (under $SHARED; skipped without it) or
# "# src: samples/demo" (the built samples, always there).  UPDATE=1
# rewrites the goldens.
# asan-ok
. "$(dirname "$0")/lib.sh"

TUI=$BUILD/bin/crit-tui
WALKS=$TOP/tests/tui/walks
GOLD=$TOP/tests/tui/golden

walk_src() {
	local s
	s=$(sed -n 's/^# src: *//p' "$1" | head -1)
	case $s in
	corpus/*) have_corpus && echo "$SHARED/$s" ;;
	samples/*) echo "$BUILD/$s" ;;
	esac
}

for w in "$WALKS"/*.walk; do
	[ -e "$w" ] || continue
	name=$(basename "$w" .walk)
	src=$(walk_src "$w")
	if [ -z "$src" ]; then
		skip "walk $name: no corpus at $CORPUS"
		continue
	fi
	for size in 80x24 132x43; do
		out=$TMP/screens/$name/$size
		rm -rf "$out"; mkdir -p "$out"
		err=$(CRIMG_TUI_SAVE_DIR=$out timeout 60 "$TUI" --script "$w" --size "$size" "$src" 2>&1)
		rc=$?
		if [ $rc != 0 ]; then
			fail "walk $name at $size: exit $rc: $err"
			continue
		fi
		if [ -n "${UPDATE:-}" ]; then
			rm -rf "$GOLD/$name/$size"; mkdir -p "$GOLD/$name/$size"
			cp "$out"/* "$GOLD/$name/$size/" 2>/dev/null
		fi
		n=0
		for g in "$GOLD/$name/$size"/*; do
			[ -e "$g" ] || continue
			n=$((n + 1))
			f=$(basename "$g")
			if [ ! -e "$out/$f" ]; then
				fail "walk $name at $size: screen $f was not saved"
			elif cmp -s "$g" "$out/$f"; then
				pass "walk $name at $size: screen $f"
			else
				fail "walk $name at $size: screen $f differs: $(diff "$g" "$out/$f" | head -20)"
			fi
		done
		for f in "$out"/*; do
			[ -e "$f" ] || continue
			[ -e "$GOLD/$name/$size/$(basename "$f")" ] ||
				fail "walk $name at $size: screen $(basename "$f") has no golden (UPDATE=1 makes it)"
		done
		[ $n -gt 0 ] || fail "walk $name at $size: no golden screens"
	done
done
finish
