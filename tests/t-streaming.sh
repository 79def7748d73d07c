#!/usr/bin/env bash
# Issue 2, item 6: decoding and re-encoding a pagemap image of 1,000,000
# entries keeps peak RSS below 64 MiB (measured with /usr/bin/time, not
# timed), and the round trip is byte-exact.
. "$(dirname "$0")/lib.sh"
N=${STREAM_ENTRIES:-1000000}
LIMIT_KB=$((64 * 1024))
if [ ! -x /usr/bin/time ]; then skip "no /usr/bin/time (apt-get install time)"; finish; exit; fi

awk -v n="$N" 'BEGIN {
	printf "{\"magic\": \"PAGEMAP\", \"entries\": [{\"pages_id\": 1}"
	va = 94652679159808
	for (i = 0; i < n; i++) {
		np = 1 + i % 7
		printf ", {\"vaddr\": %.0f, \"compat_nr_pages\": 0, \"flags\": %d, \"nr_pages\": %d}", va, (i % 3 == 0) ? 4 : 6, np
		va += (np + 1 + i % 5) * 4096
	}
	printf "]}\n"
}' > "$TMP/pm.json"

rss() { # what cmd...: runs cmd, prints peak RSS in KiB
	local what=$1; shift
	/usr/bin/time -f '%M' -o "$TMP/rss" "$@" || { fail "$what failed"; echo 0; return; }
	cat "$TMP/rss"
}
check_rss() { # what kib
	if [ "$2" -gt 0 ] && [ "$2" -lt $LIMIT_KB ]; then
		pass "$1: peak RSS $(($2 / 1024)) MiB < 64 MiB"
		echo "  $1: peak RSS $2 KiB"
	else
		fail "$1: peak RSS $2 KiB, limit $LIMIT_KB"
	fi
}

r=$(rss "encode $N entries" "$CRIT" encode -i "$TMP/pm.json" -o "$TMP/pm.img")
check_rss "encode of $N entries" "$r"
"$CRIT" info "$TMP/pm.img" | grep -q "\"count\": $N," && pass "image holds $N entries" || fail "entry count"
r=$(rss "decode" "$CRIT" decode -i "$TMP/pm.img" -o "$TMP/back.json")
check_rss "decode of $N entries" "$r"
r=$(rss "decode --pretty" "$CRIT" decode --pretty -i "$TMP/pm.img" -o "$TMP/back.pretty.json")
check_rss "decode --pretty of $N entries" "$r"
check "compact JSON survives" cmp -s "$TMP/back.json" <(tr -d '\n' < "$TMP/pm.json")
r=$(rss "re-encode" "$CRIT" encode -i "$TMP/back.pretty.json" -o "$TMP/again.img")
check_rss "re-encode of pretty $N entries" "$r"
check "round trip is byte-exact" cmp -s "$TMP/again.img" "$TMP/pm.img"
# through pipes too (stdin/stdout, no file sizes to go by)
r=$(rss "pipe decode" sh -c "\"$CRIT\" decode < \"$TMP/pm.img\" > \"$TMP/pipe.json\"")
check_rss "decode from a pipe" "$r"

# One large entry: an mm image of 100,000 VMAs is a single 3 MiB entry.  A
# file's large payload is mapped and given back as it is walked, so memory
# stays near that of a 1,000-VMA image; a pipe's is read whole.
mm_json() { # N VMAs
	awk -v n="$1" 'BEGIN {
		printf "{\"magic\": \"MM\", \"entries\": [{\"mm_start_code\": 4194304, \"mm_end_code\": 4198400, \"mm_start_data\": 0, \"mm_end_data\": 0, \"mm_start_stack\": 0, \"mm_start_brk\": 0, \"mm_brk\": 0, \"mm_arg_start\": 0, \"mm_arg_end\": 0, \"mm_env_start\": 0, \"mm_env_end\": 0, \"exe_file_id\": 1, \"vmas\": ["
		a = 140737488355328
		for (i = 0; i < n; i++) {
			printf "%s{\"start\": %.0f, \"end\": %.0f, \"pgoff\": 0, \"shmid\": 0, \"prot\": %d, \"flags\": 34, \"status\": 1, \"fd\": -1}", i ? ", " : "", a, a + 4096 * (1 + i % 3), 1 + i % 3
			a += 4096 * (4 + i % 3)
		}
		printf "]}]}\n"
	}'
}
mm_json 1000 > "$TMP/mm-small.json"
mm_json 100000 > "$TMP/mm-big.json"
"$CRIT" encode -i "$TMP/mm-small.json" -o "$TMP/mm-small.img" && "$CRIT" encode -i "$TMP/mm-big.json" -o "$TMP/mm-big.img" ||
	fail "encode of the mm images"
small=$(rss "decode of 1,000 VMAs" "$CRIT" decode -i "$TMP/mm-small.img" -o "$TMP/mm-small.out")
for mode in "" --pretty; do
	big=$(rss "decode $mode of 100,000 VMAs" "$CRIT" decode $mode -i "$TMP/mm-big.img" -o "$TMP/mm-big.out$mode")
	if [ "$big" -gt 0 ] && [ "$big" -le $((small * 3 / 2 + 1024)) ]; then
		pass "decode $mode of one 100,000-VMA entry: peak RSS $big KiB, flat (1,000 VMAs: $small KiB)"
	else
		fail "decode $mode of one 100,000-VMA entry: peak RSS $big KiB, 1,000 VMAs: $small KiB"
	fi
	cat "$TMP/mm-big.img" | "$CRIT" decode $mode -o "$TMP/mm-pipe.out$mode"
	check "decode $mode of a mapped entry = decode from a pipe" \
		cmp -s "$TMP/mm-big.out$mode" "$TMP/mm-pipe.out$mode"
done
check "the large entry decodes to its JSON" cmp -s "$TMP/mm-big.out" <(tr -d '\n' < "$TMP/mm-big.json")
# encode: the large entry is written out as it grows and its size patched
# in (files), or held whole (pipes, files opened for appending)
small=$(rss "encode of 1,000 VMAs" "$CRIT" encode -i "$TMP/mm-small.json" -o "$TMP/mm-small.re")
big=$(rss "encode of 100,000 VMAs" "$CRIT" encode -i "$TMP/mm-big.json" -o "$TMP/mm-big.re")
if [ "$big" -gt 0 ] && [ "$big" -le $((small * 3 / 2 + 1024)) ]; then
	pass "encode of one 100,000-VMA entry: peak RSS $big KiB, flat (1,000 VMAs: $small KiB)"
else
	fail "encode of one 100,000-VMA entry: peak RSS $big KiB, 1,000 VMAs: $small KiB"
fi
check "a streamed large entry is byte-exact" cmp -s "$TMP/mm-big.re" "$TMP/mm-big.img"
"$CRIT" encode -i "$TMP/mm-big.json" | cat > "$TMP/mm-big.pipe"
check "the same through a pipe" cmp -s "$TMP/mm-big.pipe" "$TMP/mm-big.img"
printf 'head' > "$TMP/mm-big.app"
"$CRIT" encode -i "$TMP/mm-big.json" >> "$TMP/mm-big.app"
check "the same appended to a file" cmp -s <(tail -c +5 "$TMP/mm-big.app") "$TMP/mm-big.img"
# top-level keys that need reordering only after much was written: the
# written part is read back; a key given twice keeps its last value
python3 - "$TMP" <<'PY'
import json, sys
t = sys.argv[1]
d = json.load(open(t + "/mm-big.json"))
e = d["entries"][0]
late = dict([("vmas", e["vmas"])] + [kv for kv in e.items() if kv[0] != "vmas"])
json.dump({"magic": "MM", "entries": [late]}, open(t + "/mm-late.json", "w"))
twice = dict(list(e.items()) + [("exe_file_id", 7)])
twice_txt = json.dumps({"magic": "MM", "entries": [e]})
# the same key twice: json.dumps cannot write that, so splice it in
twice_txt = twice_txt[:-3] + ', "vmas": ' + json.dumps(e["vmas"][:2]) + "}]}"
open(t + "/mm-twice.json", "w").write(twice_txt)
e["vmas"] = e["vmas"][:2]
json.dump({"magic": "MM", "entries": [e]}, open(t + "/mm-twice-want.json", "w"))
PY
"$CRIT" encode -i "$TMP/mm-late.json" -o "$TMP/mm-late.img"
check "top-level keys out of order after streaming: byte-exact" cmp -s "$TMP/mm-late.img" "$TMP/mm-big.img"
"$CRIT" encode -i "$TMP/mm-twice.json" -o "$TMP/mm-twice.img" &&
	"$CRIT" encode -i "$TMP/mm-twice-want.json" -o "$TMP/mm-twice-want.img"
check "a large key given twice: the last one wins" cmp -s "$TMP/mm-twice.img" "$TMP/mm-twice-want.img"

# a large entry cut short is still reported, not mapped past the end
head -c $(( $(stat -c %s "$TMP/mm-big.img") - 100 )) "$TMP/mm-big.img" > "$TMP/mm-cut.img"
out=$("$CRIT" decode -i "$TMP/mm-cut.img" -o "$TMP/mm-cut.json" 2>&1); rc=$?
if [ $rc -eq 1 ] && [[ $out == *"exceeds the"*"bytes left"* ]] && [ ! -e "$TMP/mm-cut.json" ]; then
	pass "a truncated large entry: $out"
else
	fail "a truncated large entry: rc $rc: $out"
fi
finish
