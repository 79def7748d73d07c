#!/usr/bin/env bash
# lib/image's layers (lib/image/README.md): the tree matches the map, no
# folder includes or calls a folder below it, and the check really fails
# on a planted upward include, a planted upward call, a bare include and
# a folder the map does not list.
. "$(dirname "$0")/lib.sh"

CHECK=$TOP/scripts/check-layers.sh
OBJ=$BUILD/lib/image

out=$("$CHECK" "$TOP/lib/image" "$OBJ" 2>&1); rc=$?
if [ $rc = 0 ] && [[ $out == "check-layers: "*" layers, no upward include or call" ]]; then
	pass "the tree and the built objects keep the layers"
else
	fail "check-layers on the tree: rc=$rc: $out"
fi

# The map's folders, in order, are exactly the folders of lib/image.
map=$(awk '/^```/ { n++; next } n == 1 && /^[a-z][a-z0-9_]*\// { sub(/\/.*/, ""); print }' \
	"$TOP/lib/image/README.md" | sort)
tree=$(cd "$TOP/lib/image" && ls -d */ | tr -d / | sort)
check "the README map lists every folder of lib/image, and no other" [ "$map" = "$tree" ]

# expect_fail NAME PATTERN LIBDIR [OBJDIR]: the check exits 1 naming PATTERN.
expect_fail() {
	local name=$1 pat=$2 out rc
	shift 2
	out=$("$CHECK" "$@" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -qF -- "$pat" <<< "$out"; then
		pass "$name"
	else
		fail "$name: rc=$rc, wanted \"$pat\" in: $out"
	fi
}

# A copy of the sources to plant things in.
plant() { rm -rf "$TMP/lib"; cp -r "$TOP/lib/image" "$TMP/lib"; }

plant
printf '#include "diff/diff_int.h"\n' >> "$TMP/lib/base/arena.c"
expect_fail "a planted upward include fails the check" \
	"$TMP/lib/base/arena.c: includes \"diff/diff_int.h\": diff/ is below base/ in the map" "$TMP/lib"

plant
printf '#include "model_int.h"\n' >> "$TMP/lib/mem/search.c"
expect_fail "an include without its layer folder fails the check" \
	"$TMP/lib/mem/search.c: includes \"model_int.h\" without its layer folder" "$TMP/lib"

plant
mkdir "$TMP/lib/extra"
expect_fail "a folder the map does not list fails the check" \
	"$TMP/lib/extra/: a folder the map in $TMP/lib/README.md does not list" "$TMP/lib"

plant
printf 'int x;\n' > "$TMP/lib/loose.c"
expect_fail "a source outside every layer folder fails the check" \
	"$TMP/lib/loose.c: outside every layer folder" "$TMP/lib"

# An upward call: an object in frame/ calling a function the diff layer
# defines, beside the real objects.
if [ -d "$OBJ" ] && command -v nm > /dev/null; then
	sym=$(nm "$OBJ"/diff/*.o | awk '$2 == "T" && $3 ~ /^crimg_/ { print $3; exit }')
	plant
	rm -rf "$TMP/obj"; cp -r "$OBJ" "$TMP/obj"
	printf 'void %s(void);\nvoid planted(void) { %s(); }\n' "$sym" "$sym" > "$TMP/planted.c"
	if [ -n "$sym" ] && ${CC:-cc} -c -o "$TMP/obj/frame/planted.o" "$TMP/planted.c"; then
		expect_fail "a planted upward call fails the check" \
			"$TMP/obj/frame/planted.o: calls $sym, defined in diff/, which is below frame/ in the map" \
			"$TMP/lib" "$TMP/obj"
	else
		fail "could not build the planted call (symbol: ${sym:-none})"
	fi
else
	skip "no objects in $OBJ or no nm: the call check is not exercised"
fi

finish
