#!/usr/bin/env bash
# asan-ok
# The tools use the library as any other program would (issue 12): no
# source under tools/ (but the build's generator, tools/gen) includes a
# header protobuf-c generates from the schemas or names a generated
# descriptor, function, enum value or type, which libcrimg neither installs
# nor exports.  And the check really fails on each of those planted in a
# copy of the tools, in any tool folder, new ones too.
. "$(dirname "$0")/lib.sh"

CHECK=$TOP/scripts/check-nogen.sh
GEN=$BUILD/gen

gen_args=()
if ls "$GEN"/*.pb-c.h > /dev/null 2>&1; then
	gen_args=("$GEN")
else
	skip "no generated headers in $GEN: type names are not checked"
fi

out=$(sh "$CHECK" "$TOP/tools" "${gen_args[@]}" 2>&1); rc=$?
if [ $rc = 0 ] && [[ $out == "check-nogen: "*" files under $TOP/tools, no generated header, descriptor or type" ]]; then
	pass "no tool source includes a generated header or names a generated descriptor or type"
else
	fail "check-nogen on the tools: rc=$rc: $out"
fi

# expect_fail NAME PATTERN [GENDIR]: the check of the planted copy exits 1
# naming PATTERN.
expect_fail() {
	local name=$1 pat=$2 out rc
	shift 2
	out=$(sh "$CHECK" "$TMP/tools" "$@" 2>&1); rc=$?
	if [ $rc = 1 ] && grep -qF -- "$pat" <<< "$out"; then
		pass "$name"
	else
		fail "$name: rc=$rc, wanted \"$pat\" in: $out"
	fi
}
plant() { rm -rf "$TMP/tools"; cp -r "$TOP/tools" "$TMP/tools"; }

plant
printf '#include "core.pb-c.h"\n' >> "$TMP/tools/crit/x.c"
expect_fail "a planted generated include fails the check" \
	"$TMP/tools/crit/x.c:$(wc -l < "$TMP/tools/crit/x.c"): includes a generated header: #include \"core.pb-c.h\""

plant
printf ' # include <sk-inet.pb-c.h>\n' >> "$TMP/tools/convert/run.c"
expect_fail "an include spelled with <> and spaces fails the check" \
	"$TMP/tools/convert/run.c:$(wc -l < "$TMP/tools/convert/run.c"): includes a generated header"

plant
printf 'extern const ProtobufCMessageDescriptor inet_sk_entry__descriptor;\n' >> "$TMP/tools/common/util.c"
expect_fail "a planted descriptor fails the check" \
	"names a generated descriptor, function or value: inet_sk_entry__descriptor"

plant
printf 'int planted(void) { return FD_TYPES__REG; }\n' >> "$TMP/tools/diff/out.c"
expect_fail "a planted generated enum value fails the check" \
	"$TMP/tools/diff/out.c:$(wc -l < "$TMP/tools/diff/out.c"): names a generated descriptor, function or value: FD_TYPES__REG"

plant
mkdir "$TMP/tools/newtool"
printf '#include "pstree.pb-c.h"\nvoid *p = pstree_entry__unpack;\n' > "$TMP/tools/newtool/main.c"
expect_fail "a new tool folder is checked too" \
	"$TMP/tools/newtool/main.c:2: names a generated descriptor, function or value: pstree_entry__unpack"

if [ ${#gen_args[@]} -gt 0 ]; then
	plant
	printf 'static const InetSkEntry *planted;\n' >> "$TMP/tools/crit/inspect_proc.c"
	expect_fail "a planted generated type fails the check" \
		"$TMP/tools/crit/inspect_proc.c: names the generated type InetSkEntry" "$GEN"
	# a type named in a comment is prose, not a use
	plant
	printf '/* not a CoreEntry */\n' >> "$TMP/tools/crit/mem_table.c"
	sh "$CHECK" "$TMP/tools" "$GEN" > /dev/null 2>&1; rc=$?
	check "a type named in a comment is not a use" [ $rc = 0 ]
fi

# the generator reads the compiled schemas: it is the one folder left out
plant
check "tools/gen is not checked (the generator)" grep -q 'pb-c.h' "$TMP/tools/gen/gen-fieldopts.c"

finish
