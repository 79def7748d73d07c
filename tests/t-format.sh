#!/usr/bin/env bash
# The house style (.clang-format): every C source of ours is formatted,
# and the check really fails on a planted misformatted file.
. "$(dirname "$0")/lib.sh"

FMT=$TOP/scripts/format.sh
out=$("$FMT" --check 2>&1); rc=$?
if [ $rc = 77 ]; then
	skip "format check: $out"
else
	if [ $rc = 0 ] && [ -z "$out" ]; then
		pass "every C source matches .clang-format"
	else
		fail "sources differ from .clang-format (make format): $out"
	fi
	# A file laid out against the style, beside a copy of the style.
	cp "$TOP/.clang-format" "$TMP/"
	bad=$TMP/probe.c
	printf 'int f(int a){if(a){return 1;}return 0;}\n' > "$bad"
	out=$("$FMT" --check "$bad" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -qF "probe.c differs" <<< "$out"; then
		pass "the check fails on a misformatted file and names it"
	else
		fail "planted misformatted file: rc=$rc: $out"
	fi
fi
finish
