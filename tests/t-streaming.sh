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
finish
