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
	walk_source "$s"
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
		# run beside SRC, so that the title shows its name and not where
		# this checkout is
		err=$(cd "$(dirname "$src")" && CRIMG_TUI_SAVE_DIR=$out timeout 60 "$TUI" --script "$w" \
			--size "$size" "$(basename "$src")" 2>&1)
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
# Every kind of source the library opens browses the same: the demo
# sample as a JSON bundle, a JSON directory, a tar.zst archive, an OCI
# layout and an oci-archive give the tree screen of the directory itself
# (but for the title).
CONV=$BUILD/bin/crit-convert
printf ':save-screen tree.txt\n<Enter>m\n:save-screen maps.txt\n' > "$TMP/src.walk"
screens() { # DIR SRC: the walk's screens of SRC into DIR, titles dropped
	mkdir -p "$1"
	CRIMG_TUI_SAVE_DIR=$1 "$TUI" --script "$TMP/src.walk" --size 100x30 "$2" > /dev/null 2>&1 &&
		for f in "$1"/*.txt; do sed -i 1d "$f"; done
}
screens "$TMP/src/dir" "$BUILD/samples/demo"
for to in json:bundle.json json-dir:jdir tar.zst:a.tar.zst oci:oci oci-archive:o.tar; do
	fmt=${to%%:*} dst=$TMP/src/${to#*:}
	case $fmt in oci) name=oci:$dst ;; oci-archive) name=oci-archive:$dst ;; *) name=$dst ;; esac
	if ! "$CONV" -q -t "$fmt" "$BUILD/samples/demo" "$name" > /dev/null 2>&1; then
		fail "crit convert demo to $fmt failed"
		continue
	fi
	if screens "$TMP/src/$fmt-screens" "$name" && cmp -s "$TMP/src/dir/tree.txt" "$TMP/src/$fmt-screens/tree.txt" &&
		cmp -s "$TMP/src/dir/maps.txt" "$TMP/src/$fmt-screens/maps.txt"; then
		pass "a $fmt source browses as its directory does"
	else
		fail "the $fmt source's screens differ: $(diff "$TMP/src/dir/tree.txt" "$TMP/src/$fmt-screens/tree.txt" 2>&1 | head -5)"
	fi
done

# The scripted mode's and the command line's errors.
SRC=$BUILD/samples/demo
expect_exit() { # NAME STATUS PATTERN CMD...
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1 < /dev/null); rc=$?
	if [ $rc = "$want" ] && grep -qF -- "$pat" <<< "$out"; then
		pass "$name"
	else
		fail "$name: exit $rc (want $want), wanted \"$pat\" in: $out"
	fi
}
printf 'j<Bogus>\n' > "$TMP/bad1"
expect_exit "an unknown key in a script: exit 2, line and column" 2 "bad1:1: column 2: unknown key <Bogus>" \
	"$TUI" --script "$TMP/bad1" "$SRC"
printf '/abc\n:q\n' > "$TMP/bad2"
expect_exit "a command while a prompt is open: exit 2" 2 "bad2:2: the prompt \"/abc\" is still open" \
	"$TUI" --script "$TMP/bad2" "$SRC"
expect_exit "a missing script: exit 2" 2 "no-such-script: No such file" \
	"$TUI" --script "$TMP/no-such-script" "$SRC"
printf ':save-screen no-such-dir/x.txt\n' > "$TMP/bad3"
expect_exit "a :save-screen that fails: exit 1" 1 "no-such-dir/x.txt" \
	"$TUI" --script "$TMP/bad3" "$SRC"
expect_exit "no terminal and no script: exit 1" 1 "must be a terminal" "$TUI" "$SRC"
expect_exit "no SRC: usage, exit 2" 2 "SRC is required" "$TUI"
expect_exit "--size without --script: exit 2" 2 "--size is for --script" "$TUI" --size 80x24 "$SRC"
expect_exit "a bad --size: exit 2" 2 "--size wants COLSxROWS" "$TUI" --script "$TMP/bad1" --size 5x5 "$SRC"
expect_exit "a SRC that is no checkpoint: exit 1" 1 "crit tui: " "$TUI" --script "$TMP/bad1" "$TMP"
printf ':save-screen ok.txt\n' > "$TMP/ok"
( cd "$TMP" && "$TUI" --script ok --size 100x30 --ascii "$SRC" > /dev/null 2>&1 )
check "a relative :save-screen without CRIMG_TUI_SAVE_DIR lands in the working directory" \
	[ "$(wc -l < "$TMP/ok.txt")" = 30 ]
finish
