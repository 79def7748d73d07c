#!/usr/bin/env bash
# asan-ok
# Issue 2, item 4: unsigned 64-bit values above 2^63 (signal masks, flags)
# survive decode -> encode in both JSON forms, printed exactly.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples

expect_text() { # name file text
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' not in $2"; fi
}

"$CRIT" decode -i "$S/extras/sigacts-100.img" -o "$TMP/c.json"
"$CRIT" decode --pretty -i "$S/extras/sigacts-100.img" -o "$TMP/p.json"
expect_text "2^64-1 in compact JSON" "$TMP/c.json" '"mask": 18446744073709551615'
expect_text "2^63+512 in compact JSON" "$TMP/c.json" '"mask": 9223372036854776320'
expect_text "2^64-1 as hex in pretty JSON" "$TMP/p.json" '"mask": "0xffffffffffffffff"'
expect_text "2^63+512 as hex in pretty JSON" "$TMP/p.json" '"mask": "0x8000000000000200"'
for f in c p; do
	check "sigaction masks survive ($f)" cmp -s <("$CRIT" encode -i "$TMP/$f.json") "$S/extras/sigacts-100.img"
done

"$CRIT" decode -i "$S/demo/core-101.img" -o "$TMP/core.json"
expect_text "blk_sigset above 2^63" "$TMP/core.json" '"blk_sigset": 9223372036854841344'
expect_text "RLIM_INFINITY" "$TMP/core.json" '"cur": 18446744073709551615'
check "core survives compact" cmp -s <("$CRIT" encode -i "$TMP/core.json") "$S/demo/core-101.img"

"$CRIT" decode -i "$S/extras/ipcns-msg-11.img" -o "$TMP/msg.json"
expect_text "message type 2^64-1" "$TMP/msg.json" '"mtype": 18446744073709551615'

# A value one past 2^64-1 is refused, not wrapped.
sed 's/18446744073709551615/18446744073709551616/' "$TMP/c.json" > "$TMP/over.json"
if "$CRIT" encode -i "$TMP/over.json" -o "$TMP/over.img" 2>"$TMP/err"; then
	fail "2^64 accepted"
else
	expect_text "2^64 is out of range" "$TMP/err" "out of range"
	check "no output left after the error" test ! -e "$TMP/over.img"
fi
# and so is a negative value in an unsigned field
sed 's/"mask": 18446744073709551615/"mask": -1/' "$TMP/c.json" > "$TMP/neg.json"
if "$CRIT" encode -i "$TMP/neg.json" -o "$TMP/neg.img" 2>"$TMP/err"; then
	fail "negative uint64 accepted"
else
	expect_text "negative uint64 refused" "$TMP/err" "out of range"
fi
finish
