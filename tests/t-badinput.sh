#!/usr/bin/env bash
# asan-ok
# Issue 2, item 7: bad input gets a one-line error naming the file and the
# offset, entry or JSON line and column; exit status 1; no crash (this suite
# also runs under ASan+UBSan); and no output file left behind - an existing
# output file is left exactly as it was.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples

# expect_error NAME PATTERN decode|encode INPUT: runs crit with -o into a
# file that already exists and checks everything above.
expect_error() {
	local name=$1 pat=$2 cmd=$3 in=$4
	printf 'precious\n' > "$TMP/out"
	"$CRIT" $cmd -i "$in" -o "$TMP/out" > "$TMP/stdout" 2> "$TMP/stderr"
	local rc=$?
	local lines
	lines=$(grep -vc '^Maybe you are feeding me' "$TMP/stderr")
	if [ $rc -ne 1 ]; then
		fail "$name: exit status $rc, want 1 ($(head -c 200 "$TMP/stderr"))"
	elif [ "$lines" -ne 1 ]; then
		fail "$name: $lines lines of error: $(cat "$TMP/stderr")"
	elif ! grep -qE -- "$pat" "$TMP/stderr"; then
		fail "$name: '$(cat "$TMP/stderr")' does not match /$pat/"
	elif [ "$(cat "$TMP/out")" != precious ]; then
		fail "$name: the existing output file was changed"
	elif ls -A "$TMP" | grep -q '^\.out\.tmp'; then
		fail "$name: a temporary file was left behind"
	else
		pass "$name"
	fi
	rm -f "$TMP/out"
	# and with no output file at all, none may appear
	"$CRIT" $cmd -i "$in" -o "$TMP/new" >/dev/null 2>&1
	[ ! -e "$TMP/new" ] && pass "$name: no output created" || fail "$name: output created"
}

img=$S/demo/core-101.img
size=$(stat -c %s "$img")
base=$(basename "$img")

# truncations: inside the magic, the size word, the payload
for cut in 0 3 6 10 13 $((size / 2)) $((size - 1)); do
	head -c $cut "$img" > "$TMP/$base"
	case $cut in
	0) pat="$base: offset 0: empty file" ;;
	3|6) pat="$base: offset [04]: truncated magic" ;;
	10) pat="$base: offset 8: entry 0: truncated entry size" ;;
	*) pat="$base: offset 8: entry 0: entry size [0-9]+ exceeds the [0-9]+ bytes left" ;;
	esac
	expect_error "truncated at $cut" "$pat" decode "$TMP/$base"
done

# wrong magic
printf 'NOTANIMAGE-AT-ALL' > "$TMP/junk.img"
expect_error "wrong magic" "junk.img: offset 0: unknown magic 0x" decode "$TMP/junk.img"
# JSON where an image is expected (decode of what decode wrote): said so,
# in one line, without crit's "raw data" guess
"$CRIT" decode -i "$S/demo/pstree.img" -o "$TMP/pstree.json"
"$CRIT" decode --pretty -i "$S/demo/pstree.img" -o "$TMP/pstree.pretty.json"
printf ' \n\t [1, 2]' > "$TMP/array.json"
printf '{}' > "$TMP/tiny.json"
for j in pstree.json pstree.pretty.json array.json tiny.json; do
	expect_error "decode of JSON ($j)" "^crit: $TMP/$j: offset 0: this is JSON, not an image: use crit encode\$" \
		decode "$TMP/$j"
	check "decode of JSON ($j): no raw-data guess" test "$(wc -l < "$TMP/stderr")" -eq 1
done
# a raw image named by its file name
expect_error "raw image" "pages-1.img: offset 0: raw PAGES image" decode "$S/demo/pages-1.img"

# a size larger than the file
{ head -c 8 "$img"; printf '\xff\xff\xff\x7f'; tail -c +13 "$img"; } > "$TMP/big.img"
expect_error "size larger than the file" "big.img: offset 8: entry 0: entry size 2147483647 exceeds the limit" decode "$TMP/big.img"
{ head -c 8 "$img"; printf '\x00\x10\x00\x00'; tail -c +13 "$img"; } > "$TMP/big2.img"
expect_error "size past the end" "big2.img: offset 8: entry 0: entry size 4096 exceeds the [0-9]+ bytes left" decode "$TMP/big2.img"

# invalid protobuf: a field with the reserved wire type 7
{ head -c 8 "$img"; printf '\x03\x00\x00\x00\x0f\x0f\x0f'; } > "$TMP/pb.img"
expect_error "invalid protobuf" "pb.img: offset 12: entry 0: invalid protobuf data for core_entry" decode "$TMP/pb.img"
# an extra payload cut short (pipe data says 28 bytes follow)
p=$S/extras/pipes-data.img
head -c 31 "$p" > "$TMP/pipes-data.img"
expect_error "extra payload cut short" "pipes-data.img: offset [0-9]+: entry 0: extra payload of 28 bytes exceeds the 10 bytes left" decode "$TMP/pipes-data.img"

# invalid JSON, with line and column
"$CRIT" decode --pretty -i "$img" -o "$TMP/ok.json"
sed '5s/,$/;/' "$TMP/ok.json" > "$TMP/syntax.json"
expect_error "invalid JSON" "syntax.json: line 5 column [0-9]+: expected ',' or '}'" encode "$TMP/syntax.json"
head -c 300 "$TMP/ok.json" > "$TMP/short.json"
expect_error "truncated JSON" "short.json: line [0-9]+ column [0-9]+: " encode "$TMP/short.json"
printf '' > "$TMP/empty.json"
expect_error "empty JSON" "empty.json: line 1 column 1: empty input" encode "$TMP/empty.json"
expect_error "binary fed to encode" "core-101.img: line 1 column 1: not JSON" encode "$img"

# a JSON value of the wrong type
sed 's/"comm": "crimg-worker"/"comm": 42/' "$TMP/ok.json" > "$TMP/type.json"
expect_error "wrong type: number for string" "type.json: line [0-9]+ column [0-9]+: comm: expected a string, found a number" encode "$TMP/type.json"
sed 's/"cwd": 895/"cwd": "lots"/' "$TMP/ok.json" > "$TMP/type2.json"
expect_error "wrong type: word for integer" "type2.json: line [0-9]+ column [0-9]+: cwd: expected an integer, not \"lots\"" encode "$TMP/type2.json"
sed 's/"mtype": "X86_64"/"mtype": "VAX"/' "$TMP/ok.json" > "$TMP/enum.json"
expect_error "unknown enum name" "enum.json: line 5 column 22: mtype: \"VAX\" is not a value of core_entry.march" encode "$TMP/enum.json"
sed 's/"exit_code": 0/"exit_code": 4294967296/' "$TMP/ok.json" > "$TMP/range.json"
expect_error "uint32 out of range" "range.json: line [0-9]+ column [0-9]+: exit_code: value 4294967296 out of range" encode "$TMP/range.json"
sed 's/"exit_code": 0,/"no_such_field": 0,/' "$TMP/ok.json" > "$TMP/unknown.json"
expect_error "unknown field" "unknown.json: line [0-9]+ column [0-9]+: task_core_entry has no field \"no_such_field\"" encode "$TMP/unknown.json"
sed '/"exit_code": 0,/d' "$TMP/ok.json" > "$TMP/missing.json"
expect_error "missing required field" "missing.json: line [0-9]+ column [0-9]+: task_core_entry: missing required field \"exit_code\"" encode "$TMP/missing.json"
echo '{"magic": "NOPE", "entries": []}' > "$TMP/magic.json"
expect_error "unknown magic name" "magic.json: line 1 column 11: unknown magic \"NOPE\"" encode "$TMP/magic.json"
"$CRIT" decode -i "$S/extras/pipes-data.img" | sed 's/"bytes": 28/"bytes": 29/' > "$TMP/extra.json"
expect_error "extra length mismatch" "extra.json: line 1 column [0-9]+: extra: holds 28 bytes but the entry says 29" encode "$TMP/extra.json"
# an extra payload left out where the entry says it has bytes: refused (the
# image would not read back); where the entry says none, it may be left out
"$CRIT" decode -i "$S/extras/pipes-data.img" | sed 's/, "extra": "[^"]*"//' > "$TMP/noextra.json"
expect_error "extra left out" "noextra.json: line 1 column [0-9]+: PIPES_DATA entry 0: \"extra\" is missing, but bytes is 28" encode "$TMP/noextra.json"
"$CRIT" decode -i "$S/extras/tcp-stream-1773.img" |
	sed 's/"inq_len": [0-9]*/"inq_len": 0/; s/"outq_len": [0-9]*/"outq_len": 0/; s/, "extra": {[^}]*}//' > "$TMP/tcp0.json"
if "$CRIT" encode -i "$TMP/tcp0.json" -o "$TMP/tcp0.img" && "$CRIT" decode -i "$TMP/tcp0.img" > /dev/null; then
	pass "an empty extra payload may be left out"
else
	fail "an empty extra payload may be left out"
fi
"$CRIT" decode -i "$S/extras/ipcns-sem-11.img" | sed 's/\[1, 7, 42, 65535, 0\]/[1, 7, 42, 65536, 0]/' > "$TMP/sem.json"
expect_error "semaphore value too large" "sem.json: line 1 column [0-9]+: extra: semaphore value 65536 exceeds 65535" encode "$TMP/sem.json"
# deep nesting is refused, not a stack overflow
{ printf '{"magic": "CORE", "note": '; for i in $(seq 1 2000); do printf '['; done; } > "$TMP/deep.json"
expect_error "JSON nested 2000 deep" "deep.json: line 1 column [0-9]+: JSON nested deeper than [0-9]+ levels" encode "$TMP/deep.json"

# a missing input file and a directory
expect_error "missing input" "no-such.img: No such file or directory" decode "$TMP/no-such.img"
expect_error "directory as input" ": is a directory" decode "$TMP"
# an output directory that does not exist: error, exit 1
"$CRIT" decode -i "$img" -o "$TMP/nodir/out.json" 2>"$TMP/err"
[ $? -eq 1 ] && grep -q "nodir/out.json: cannot create a temporary file" "$TMP/err" && pass "unwritable output" || fail "unwritable output: $(cat "$TMP/err")"
# the input is never changed
sum=$(md5sum < "$img")
"$CRIT" decode -i "$img" -o "$TMP/x.json" && "$CRIT" encode -i "$TMP/x.json" -o "$TMP/x.img"
[ "$(md5sum < "$img")" = "$sum" ] && pass "input unchanged" || fail "input changed"
finish
