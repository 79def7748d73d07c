#!/bin/sh
# The public API of libcrimg, as the linker must export it: every function
# and object declared in INCDIR/crimg/*.h, one name a line, sorted.
#
#   scripts/public-symbols.sh INCDIR [CPPFLAGS...]      (CC from the environment)
#
# The headers go through the preprocessor (so macros, C++ guards and
# comments are gone) and the declarations that came from INCDIR/crimg/ are
# read at file scope: a function's name is the identifier before its
# parameter list; an object's is the last identifier of an `extern`
# declaration.  Typedefs, struct/enum definitions and `static` (inline)
# functions declare nothing to export.  The Makefile turns the list into the
# shared library's version script and the static library's keep-list, so
# both export exactly what the headers promise; tests/t-install.sh checks
# the libraries against a second, independent reading (gcc -aux-info).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 INCDIR [CPPFLAGS...]" >&2; exit 2; }
inc=$1
shift
cc=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crimg-syms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0
for h in "$inc"/crimg/*.h; do
	[ -f "$h" ] || continue
	printf '#include "crimg/%s"\n' "${h##*/}"
	n=$((n + 1))
done > "$tmp/all.c"
[ "$n" -gt 0 ] || { echo "$0: no headers in $inc/crimg/" >&2; exit 1; }

# -E keeps line markers (# LINE "FILE"): they say which header a line is from.
"$cc" -E -std=c11 -D_GNU_SOURCE -I"$inc" "$@" "$tmp/all.c" > "$tmp/all.i"

awk '
# Line markers: is what follows from one of our headers?
/^# [0-9]+ "/ {
	f = $3; gsub(/"/, "", f)
	ours = (f ~ /(^|\/)crimg\/[^\/]+\.h$/)
	next
}
/^#/ { next }
ours { text = text " " $0 }
function ident_before(s, p,    q) {
	# the identifier that ends just before position p of s (spaces skipped)
	while (p > 1 && substr(s, p - 1, 1) == " ") p--
	q = p
	while (q > 1 && substr(s, q - 1, 1) ~ /[A-Za-z0-9_]/) q--
	return substr(s, q, p - q)
}
function declared(d,    p, n, c, depth, i, name, rest) {
	# d: one file-scope declaration, bodies and attributes removed
	gsub(/[ \t]+/, " ", d)
	sub(/^ /, "", d)
	if (d == "" || d ~ /^(typedef|_Static_assert|static_assert)[ (]/) return
	if (d ~ /(^| )static( |$)/) return
	# the first "(" at parenthesis depth 0 starts a parameter list, unless
	# it opens a declarator such as (*name)
	n = length(d); depth = 0; p = 0
	for (i = 1; i <= n; i++) {
		c = substr(d, i, 1)
		if (c == "(") { if (depth == 0 && !p) p = i; depth++ }
		else if (c == ")") depth--
	}
	if (p) {
		rest = substr(d, p + 1)
		if (rest ~ /^ ?\*/) {
			sub(/^ ?\*+ ?/, "", rest)
			sub(/^(const |volatile |restrict )*/, "", rest)
			match(rest, /^[A-Za-z_][A-Za-z0-9_]*/)
			name = substr(rest, 1, RLENGTH)
		} else {
			name = ident_before(d, p)
		}
	} else if (d ~ /(^| )extern /) {
		sub(/ ?=.*$/, "", d)
		sub(/( ?\[[^]]*\])+ ?$/, "", d)
		name = ident_before(d, length(d) + 1)
	} else {
		return
	}
	if (name != "") print name
}
END {
	# Walk the text once: drop __attribute__((...)) and __asm__(...),
	# collapse { ... } bodies, cut declarations at ";" and after a function
	# body at file scope.
	n = length(text); decl = ""; brace = 0; paren = 0; i = 1
	while (i <= n) {
		c = substr(text, i, 1)
		if (c ~ /[A-Za-z_]/) {
			j = i
			while (j <= n && substr(text, j, 1) ~ /[A-Za-z0-9_]/) j++
			w = substr(text, i, j - i)
			if (w ~ /^(__attribute__|__attribute|__asm__|__asm|asm)$/) {
				# skip to the matching ")" of the group that follows
				while (j <= n && substr(text, j, 1) == " ") j++
				if (substr(text, j, 1) == "(") {
					d2 = 0
					for (; j <= n; j++) {
						c2 = substr(text, j, 1)
						if (c2 == "(") d2++
						else if (c2 == ")" && --d2 == 0) { j++; break }
					}
				}
				i = j
				continue
			}
			if (brace == 0 && w != "__extension__" && w != "__restrict" && w != "__inline" && w != "__inline__") decl = decl w
			else if (brace == 0) decl = decl " "
			i = j
			continue
		}
		if (c == "\"" || c == "\047") {
			# a string or character literal: skip it whole
			j = i + 1
			while (j <= n && substr(text, j, 1) != c) j += (substr(text, j, 1) == "\\") ? 2 : 1
			if (brace == 0) decl = decl substr(text, i, j - i + 1)
			i = j + 1
			continue
		}
		if (c == "{") {
			if (brace == 0) { before = decl; decl = decl "{}" }
			brace++
		} else if (c == "}") {
			brace--
			if (brace == 0) {
				# a function body: the definition ends here (a header
				# defines only static inline helpers: nothing to export)
				b = before; sub(/ +$/, "", b)
				if (b ~ /\)$/) { declared("static " before); decl = "" }
			}
		} else if (brace == 0) {
			if (c == "(") paren++
			else if (c == ")") paren--
			if (c == ";" && paren == 0) { declared(decl); decl = "" }
			else decl = decl c
		}
		i++
	}
}
' "$tmp/all.i" | LC_ALL=C sort -u > "$tmp/names"

[ -s "$tmp/names" ] || { echo "$0: no public declarations found in $inc/crimg/*.h" >&2; exit 1; }
cat "$tmp/names"
