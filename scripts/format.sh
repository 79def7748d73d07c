#!/usr/bin/env bash
# Applies or checks .clang-format on crimg's own C sources (the protobuf-c
# files protoc-c generates into build/ are not ours and are left alone).
# Usage: scripts/format.sh [--check] [FILE...]
# With --check, prints each file that differs from its formatted self and
# exits 1 when any does.  Only clang-format 14 is used: other majors lay
# out some constructs differently, so with another version (or none) the
# check says so and exits 77, which t-format counts as a skip.
set -u
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format}
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
if ! command -v "$CF" > /dev/null; then
	echo "format: $CF is not installed (Debian package clang-format)" >&2
	exit 77
fi
ver=$("$CF" --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [ "$ver" != 14 ]; then
	echo "format: $CF is version ${ver:-unknown}; the house style is kept with version 14" >&2
	exit 77
fi
if [ $# = 0 ]; then
	mapfile -t files < <(git ls-files -- '*.c' '*.h' 2> /dev/null ||
		find lib tools include tests fuzz bench -name '*.[ch]')
	set -- "${files[@]}"
fi
if [ $check = 0 ]; then
	exec "$CF" -i --style=file -- "$@"
fi
bad=0
for f in "$@"; do
	if ! "$CF" --style=file "$f" | cmp -s - "$f"; then
		echo "format: $f differs from .clang-format (make format fixes it)"
		bad=1
	fi
done
exit $bad
