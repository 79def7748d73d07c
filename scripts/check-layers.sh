#!/bin/sh
# Checks lib/image against the map in lib/image/README.md: the folders are
# the ones listed, and a folder uses only the folders listed before it,
# both in its #includes and (given a build) in the calls of its objects.
#   scripts/check-layers.sh [LIBDIR [OBJDIR]]
# LIBDIR defaults to lib/image; OBJDIR (the objects of LIBDIR's sources,
# e.g. build/lib/image) adds the check of calls.  Exit 0 clean, 1 with
# every crossing listed, 2 when the map cannot be read.
set -u
lib=${1:-lib/image}
obj=${2:-}
map="$lib/README.md"
[ -r "$map" ] || { echo "check-layers: $map: cannot read the map" >&2; exit 2; }

# The map: the first code block's lines that start with "NAME/".
layers=$(awk '/^```/ { n++; next } n == 1 && /^[a-z][a-z0-9_]*\// { sub(/\/.*/, ""); print }' "$map")
[ -n "$layers" ] || { echo "check-layers: $map: no folders in the map's code block" >&2; exit 2; }
rank() { echo "$layers" | awk -v l="$1" '$0 == l { print NR; exit }'; }

bad=0
problem() { echo "$1"; bad=1; }

# The tree and the map name the same folders, and every source is in one.
for d in "$lib"/*/; do
	d=$(basename "$d")
	[ -n "$(rank "$d")" ] || problem "$lib/$d/: a folder the map in $map does not list"
done
for l in $layers; do
	[ -d "$lib/$l" ] || problem "$map: lists $l/, which $lib does not have"
done
for f in "$lib"/*.c "$lib"/*.h "$lib"/*.def; do
	[ -e "$f" ] && problem "$f: outside every layer folder"
done

# Includes: "LAYER/..." only for a layer at or above the file's own; a
# bare "NAME.h" only for generated and public headers.
for f in "$lib"/*/*.c "$lib"/*/*.h "$lib"/*/*.def; do
	[ -e "$f" ] || continue
	own=$(basename "$(dirname "$f")")
	r=$(rank "$own")
	[ -n "$r" ] || continue
	sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
		case "$inc" in
		crimg/*|*.pb-c.h) continue ;;
		*/*) l=${inc%%/*} ;;
		*) echo "$f: includes \"$inc\" without its layer folder"; continue ;;
		esac
		lr=$(rank "$l")
		if [ -z "$lr" ]; then
			echo "$f: includes \"$inc\" from $l/, which is not a layer"
		elif [ "$lr" -gt "$r" ]; then
			echo "$f: includes \"$inc\": $l/ is below $own/ in the map (a folder uses only folders above it)"
		fi
	done
done > "${TMPDIR:-/tmp}/check-layers.$$"
if [ -s "${TMPDIR:-/tmp}/check-layers.$$" ]; then
	cat "${TMPDIR:-/tmp}/check-layers.$$"
	bad=1
fi
rm -f "${TMPDIR:-/tmp}/check-layers.$$"

# Calls: each undefined symbol of an object must be defined in its own
# layer or one above (symbols from outside the library are not checked).
if [ -n "$obj" ]; then
	[ -d "$obj" ] || { echo "check-layers: $obj: no such directory of objects" >&2; exit 2; }
	out=$(for l in $layers; do
		for o in "$obj/$l"/*.o; do
			[ -e "$o" ] || continue
			nm "$o" | awk -v L="$l" -v O="$o" '
				$1 == "U" { print "U", L, O, $2 }
				NF == 3 && $2 ~ /^[TDBRVW]$/ { print "D", L, O, $3 }'
		done
	done | awk -v layers="$layers" '
		BEGIN { n = split(layers, a, "\n"); for (i = 1; i <= n; i++) rk[a[i]] = i }
		$1 == "D" { def[$4] = $2 }
		$1 == "U" { u[++k] = $2 " " $3 " " $4 }
		END {
			for (i = 1; i <= k; i++) {
				split(u[i], x, " ")
				if ((x[3] in def) && rk[def[x[3]]] > rk[x[1]])
					printf "%s: calls %s, defined in %s/, which is below %s/ in the map\n", x[2], x[3], def[x[3]], x[1]
			}
		}')
	if [ -n "$out" ]; then
		echo "$out"
		bad=1
	fi
fi

if [ $bad = 0 ]; then
	echo "check-layers: $(echo "$layers" | wc -l) layers, no upward include${obj:+ or call}"
fi
exit $bad
