#!/bin/sh
# Checks that the tools use the library as any other program would: only
# through the public headers (include/crimg/*.h), never through the types
# protobuf-c generates from the schemas, which are neither installed nor
# exported by libcrimg.  No source under the tools' folders may include a
# *.pb-c.h header, name a generated descriptor, function or enum value
# (inet_sk_entry__descriptor, core_entry__unpack, FD_TYPES__REG) or, given
# the generated headers, name a generated type (InetSkEntry, CoreEntry).
#   scripts/check-nogen.sh [TOOLSDIR [GENDIR]]
# TOOLSDIR defaults to tools; every folder in it is checked but gen/ (the
# build's own generator, which reads the compiled schemas).  GENDIR (e.g.
# build/gen) adds the check of type names.  Exit 0 clean, 1 with every use
# listed, 2 when TOOLSDIR or GENDIR cannot be read.
set -u
tools=${1:-tools}
gen=${2:-}
[ -d "$tools" ] || { echo "check-nogen: $tools: no such directory" >&2; exit 2; }
if [ -n "$gen" ] && ! command -v "${CC:-cc}" > /dev/null; then
	echo "check-nogen: no C compiler (${CC:-cc}) to strip comments with" >&2
	exit 2
fi
if [ -n "$gen" ] && ! ls "$gen"/*.pb-c.h > /dev/null 2>&1; then
	echo "check-nogen: $gen: no generated headers (*.pb-c.h) in it" >&2
	exit 2
fi

files=$(find "$tools" -path "$tools/gen" -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print | sort)
bad=0
problem() { echo "$1"; bad=1; }

out=$(for f in $files; do
	# includes, in any spelling of the directive
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^>"]*\.pb-c\.h[>"]' "$f" |
	while IFS= read -r l; do
		echo "$f:${l%%:*}: includes a generated header: ${l#*:}"
	done
	# the names protobuf-c gives a message's descriptor and functions, and
	# its enum values (comments included: code shown in one gets copied)
	grep -noE '\b[a-z][a-z0-9_]*__(descriptor|init|unpack|free_unpacked|pack|pack_to_buffer|get_packed_size)\b|\b[A-Z][A-Z0-9_]*[A-Z0-9]__[A-Z0-9_]+\b' "$f" |
	while IFS= read -r l; do
		echo "$f:${l%%:*}: names a generated descriptor, function or value: ${l#*:}"
	done
done)
[ -z "$out" ] || problem "$out"

# Type names: every typedef of the generated headers (messages and enums),
# looked for as whole words in the code with its comments removed.
if [ -n "$gen" ]; then
	types=$(sed -nE 's/^typedef (struct|enum) _?([A-Za-z0-9_]+) ([A-Za-z0-9_]+);.*/\3/p; s/^} ([A-Z][A-Za-z0-9_]*);$/\1/p' \
		"$gen"/*.pb-c.h | sort -u)
	[ -n "$types" ] || { echo "check-nogen: $gen: no type names in the generated headers" >&2; exit 2; }
	pat=$(echo "$types" | tr '\n' '|' | sed 's/|$//')
	out=$(for f in $files; do
		# comments out (gcc's preprocessor, told the file is already
		# preprocessed, removes them and expands nothing)
		${CC:-cc} -fpreprocessed -dD -E -P -x c "$f" 2> /dev/null |
			grep -owE "$pat" | sort -u | while IFS= read -r t; do
			echo "$f: names the generated type $t"
		done
	done)
	[ -z "$out" ] || problem "$out"
fi

if [ $bad = 0 ]; then
	echo "check-nogen: $(echo "$files" | grep -c .) files under $tools, no generated header, descriptor or type"
fi
exit $bad
