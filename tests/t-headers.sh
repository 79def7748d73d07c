#!/usr/bin/env bash
# The public headers (include/crimg/*.h) stand alone: each compiles on its
# own, included twice, as C11 and as C++11 with every warning an error; its
# functions have C linkage from C++ (extern "C"); and every function it
# declares has a doc comment right before it.  Each check is shown to fail
# on a planted header that breaks it.
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
CXX=${CXX:-g++}
CFLAGS_C="-std=c11 -Wall -Wextra -Werror -pedantic"
CFLAGS_CXX="-std=c++11 -Wall -Wextra -Werror -pedantic"
OUT=$TMP/out

# c_alone DIR H / cxx_alone DIR H: DIR/crimg/H, included twice (its include
# guard) and nothing else, compiles.
c_alone() {
	printf '#include "crimg/%s"\n#include "crimg/%s"\n' "$2" "$2" > "$TMP/alone.c"
	$CC $CFLAGS_C -I"$1" -fsyntax-only "$TMP/alone.c" > "$OUT" 2>&1
}
cxx_alone() {
	printf '#include "crimg/%s"\n#include "crimg/%s"\n' "$2" "$2" > "$TMP/alone.cc"
	$CXX $CFLAGS_CXX -I"$1" -fsyntax-only -x c++ "$TMP/alone.cc" > "$OUT" 2>&1
}

# functions FILE: "LINE NAME DOC" for each function FILE declares (outside
# any struct, typedef or macro), DOC 1 when the line right before the
# declaration ends a block comment that starts on a line of its own (not a
# comment trailing other code), else 0.  Lines between "#ifdef __cplusplus"
# and its "#endif" (the extern "C" guard) are left out.
functions() {
	awk '
	function flush(   m, name) {
		if (stmt !~ /^[ \t]*typedef/ && match(stmt, /crimg_[a-z0-9_]+[ \t]*\(/)) {
			name = substr(stmt, RSTART, RLENGTH)
			sub(/[ \t]*\($/, "", name)
			print start_line, name, start_doc
		}
		stmt = ""
	}
	# the code of a line: comments and string literals taken out, the
	# state of a comment carried from line to line
	function strip(raw,   n, i, c, c2, code) {
		code = ""
		n = length(raw)
		for (i = 1; i <= n; i++) {
			c = substr(raw, i, 1); c2 = substr(raw, i, 2)
			if (in_comment) {
				if (c2 == "*/") { in_comment = 0; i++ }
				continue
			}
			if (c2 == "/*") { in_comment = 1; i++; code = code " "; continue }
			if (c2 == "//") break
			if (c == "\"") {
				for (i++; i <= n && substr(raw, i, 1) != "\""; i++)
					if (substr(raw, i, 1) == "\\") i++
				c = "S"
			}
			code = code c
		}
		return code
	}
	{
		raw = $0
		if (skip_cpp) {
			if (raw ~ /^[ \t]*#[ \t]*endif/)
				skip_cpp = 0
			prev = raw; next
		}
		was_comment = in_comment
		code = strip(raw)
		if (in_macro || (!was_comment && code ~ /^[ \t]*#/)) {
			if (!in_macro && code ~ /^[ \t]*#[ \t]*ifdef[ \t]+__cplusplus/)
				skip_cpp = 1
			in_macro = (raw ~ /\\$/)
			prev = raw; next
		}
		seen_code = 0
		n = length(code)
		for (i = 1; i <= n; i++) {
			c = substr(code, i, 1)
			if (c ~ /[ \t]/) { if (depth == 0 && stmt != "") stmt = stmt " "; continue }
			if (depth == 0 && stmt == "") {
				start_line = NR
				# documented: the previous line closes a comment of
				# its own, and nothing precedes this on its line
				start_doc = (!seen_code && prev ~ /\*\/[ \t]*$/ &&
					     prev ~ /^[ \t]*(\/\*|\*)/) ? 1 : 0
			}
			seen_code = 1
			if (c == "{") { depth++; continue }
			if (c == "}") { depth--; continue }
			if (depth > 0)
				continue
			stmt = stmt c
			if (c == ";")
				flush()
		}
		prev = raw
	}' "$1"
}

# undocumented FILE: the functions of FILE without a doc comment; fails
# when there is one, or when FILE declares no function at all (the parse
# found nothing: the check would be empty).
undocumented() {
	local list
	list=$(functions "$1")
	if [ -z "$list" ]; then
		echo "no function declarations found" > "$OUT"
		return 1
	fi
	awk -v f="$1" '$3 == 0 { print f ": line " $1 ": " $2 " has no doc comment right before it" }' \
		<<< "$list" > "$OUT"
	[ ! -s "$OUT" ]
}

# c_linkage DIR H: a C++ object taking the address of every function of
# DIR/crimg/H refers to each by its plain C name (not a mangled C++ one):
# the header gives them C linkage.
c_linkage() {
	local names name
	names=$(functions "$1/crimg/$2" | awk '{ print $2 }' | sort -u)
	{
		printf '#include "crimg/%s"\n' "$2"
		printf 'void (*planted_refs[])() = {\n'
		for name in $names; do
			printf '\treinterpret_cast<void (*)()>(&%s),\n' "$name"
		done
		printf '};\n'
	} > "$TMP/linkage.cc"
	if ! $CXX -std=c++11 -I"$1" -c -x c++ -o "$TMP/linkage.o" "$TMP/linkage.cc" > "$OUT" 2>&1; then
		return 1
	fi
	local syms
	syms=$(nm -u "$TMP/linkage.o" | awk '{ print $NF }')
	: > "$OUT"
	for name in $names; do
		grep -qx -- "$name" <<< "$syms" || echo "$2: $name has no C linkage" >> "$OUT"
	done
	[ -n "$names" ] && [ ! -s "$OUT" ]
}

# ---- the real headers ----

headers=$(cd "$TOP/include/crimg" && ls *.h)
[ -n "$headers" ] || fail "no headers in include/crimg"
total=0
for h in $headers; do
	if c_alone "$TOP/include" "$h"; then pass "$h compiles alone as C11"
	else fail "$h does not compile alone as C11 ($CFLAGS_C): $(head -5 "$OUT")"; fi
	if cxx_alone "$TOP/include" "$h"; then pass "$h compiles alone as C++11"
	else fail "$h does not compile alone as C++11 ($CFLAGS_CXX): $(head -5 "$OUT")"; fi
	if c_linkage "$TOP/include" "$h"; then pass "$h gives its functions C linkage"
	else fail "$h: functions without C linkage from C++: $(head -5 "$OUT")"; fi
	if undocumented "$TOP/include/crimg/$h"; then pass "$h documents every function"
	else fail "$h: $(head -10 "$OUT")"; fi
	total=$((total + $(functions "$TOP/include/crimg/$h" | wc -l)))
done
# The parse sees the API: well over a hundred functions.
check "the doc check finds the public functions ($total)" [ "$total" -ge 100 ]

# ---- each check refuses a header that breaks it ----

# plant NAME: $TMP/NAME/crimg/planted.h from the template below with the
# edit the sed script in $2 makes.
plant() {
	mkdir -p "$TMP/$1/crimg"
	sed -e "$2" > "$TMP/$1/crimg/planted.h" <<'EOF'
/* A planted header. */
#ifndef CRIMG_PLANTED_H
#define CRIMG_PLANTED_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct crimg_planted {
	int n;
};

/* Says what it does. */
uint64_t crimg_planted_get(const struct crimg_planted *p);
/* This one too, over
 * two lines. */
int crimg_planted_set(struct crimg_planted *p, const char *s,
		      uint64_t v);

#ifdef __cplusplus
}
#endif

#endif
EOF
}

# the template itself passes every check (so each failure below is the edit's)
plant good ''
check "a planted good header compiles as C11" c_alone "$TMP/good" planted.h
check "a planted good header compiles as C++11" cxx_alone "$TMP/good" planted.h
check "a planted good header gives C linkage" c_linkage "$TMP/good" planted.h
check "a planted good header is documented" undocumented "$TMP/good/crimg/planted.h"

# expect_refused NAME CHECK DIR-OR-FILE [H] PATTERN: CHECK fails, saying PATTERN
expect_refused() {
	local name=$1 what=$2 pat=$3
	shift 3
	if "$what" "$@"; then
		fail "$name: the check passed"
	elif grep -qE -- "$pat" "$OUT"; then
		pass "$name"
	else
		fail "$name: wanted /$pat/ in: $(head -5 "$OUT")"
	fi
}

plant noinclude '/#include <stdint.h>/d'
expect_refused "a header that does not include what it uses fails as C" \
	c_alone "uint64_t" "$TMP/noinclude" planted.h
expect_refused "a header that does not include what it uses fails as C++" \
	cxx_alone "uint64_t" "$TMP/noinclude" planted.h

plant noguard '/CRIMG_PLANTED_H/d; $d'
expect_refused "a header without an include guard fails (included twice)" \
	c_alone "redefinition" "$TMP/noguard" planted.h

plant pedantic 's/^\tint n;$/\tint n;\n\tint tail[0];/'
expect_refused "a header with a GNU extension fails -pedantic C11" \
	c_alone "zero-size array|ISO C forbids" "$TMP/pedantic" planted.h

plant conly 's/^\tint n;$/\tint class;/'
check "a header using a C++ keyword still compiles as C" c_alone "$TMP/conly" planted.h
expect_refused "a header using a C++ keyword fails as C++" \
	cxx_alone "class" "$TMP/conly" planted.h

plant nolinkage '/__cplusplus/,/#endif/d'
check "a header without extern \"C\" still compiles as C++" cxx_alone "$TMP/nolinkage" planted.h
expect_refused "a header without extern \"C\" fails the linkage check" \
	c_linkage "crimg_planted_get has no C linkage" "$TMP/nolinkage" planted.h

plant nodoc '/^\/\* Says what it does. \*\/$/d'
expect_refused "a function without a doc comment fails the doc check" \
	undocumented "line [0-9]+: crimg_planted_get has no doc comment" "$TMP/nodoc/crimg/planted.h"

plant blankdoc 's/^\/\* Says what it does. \*\/$/&\n/'
expect_refused "a doc comment with a blank line before the function does not count" \
	undocumented "crimg_planted_get has no doc comment" "$TMP/blankdoc/crimg/planted.h"

plant trailing 's/^\/\* Says what it does. \*\/$/int crimg_planted_other(void);\t\/* trailing *\//'
expect_refused "a comment trailing another declaration does not count" \
	undocumented "crimg_planted_get has no doc comment" "$TMP/trailing/crimg/planted.h"

plant twodoc 's/^\(uint64_t crimg_planted_get.*\)$/\1\nint crimg_planted_third(void);/'
expect_refused "two functions under one comment: the second is undocumented" \
	undocumented "crimg_planted_third has no doc comment" "$TMP/twodoc/crimg/planted.h"

# ---- the library keeps no global state (crimg/image.h: "Threads") ----

# writable OBJ...: the variables of the objects in writable data (.data,
# .bss, thread-local or common), one "object: symbol (section)" a line;
# constant tables (.rodata, and .data.rel.ro: pointers fixed at load time)
# are not state.  Sanitizer bookkeeping is left out.
writable() {
	objdump -t "$@" 2>/dev/null | awk '
		/file format/ { obj = $1; sub(/:$/, "", obj) }
		$0 ~ / O / || $0 ~ /\*COM\*/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^(\.data|\.bss|\.tdata|\.tbss|\*COM\*)/ && $i !~ /^\.data\.rel\.ro/) {
					name = $NF
					if (name !~ /^_*(odr_)?(asan|ubsan|sancov)/ && name !~ /^\.L/)
						print obj ": " name " (" $i ")"
				}
		}' > "$OUT"
	[ ! -s "$OUT" ]
}

if [ -f "$BUILD/libcrimg.a" ] && command -v objdump > /dev/null; then
	if writable "$BUILD/libcrimg.a"; then
		pass "libcrimg.a holds no writable global or static variable"
	else
		fail "libcrimg.a keeps state in variables: $(head -10 "$OUT")"
	fi
	printf 'static int counter;\nint planted_count(void) { return ++counter; }\n' > "$TMP/state.c"
	printf 'static const char *const names[] = { "a", "b" };\n%s\n' \
		'const char *planted_name(unsigned i) { return i < 2 ? names[i] : 0; }' > "$TMP/table.c"
	if $CC -c -fPIC -O2 -o "$TMP/state.o" "$TMP/state.c" &&
	   $CC -c -fPIC -O2 -o "$TMP/table.o" "$TMP/table.c"; then
		expect_refused "a planted static counter fails the global state check" \
			writable "state.o: counter" "$TMP/state.o"
		check "a planted constant table of pointers passes it" writable "$TMP/table.o"
	else
		fail "could not build the planted objects"
	fi
else
	skip "no $BUILD/libcrimg.a or no objdump: the global state check is not exercised"
fi

finish
