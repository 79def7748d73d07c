#!/usr/bin/env bash
# asan-ok
# Issue 2, item 5: big-endian images.  The real s390x dumps encode back to
# the same big-endian bytes (their decoding is in t-corpus-decode), and a
# big-endian copy of every little-endian image, made by our writer, decodes
# to the same JSON as the original and encodes back to the big-endian bytes.
. "$(dirname "$0")/lib.sh"

# IP addresses are kept as 32-bit words in the dumping host's order, so a
# faithful big-endian copy changes those words too.  Compact JSON holds the
# words as numbers (no address semantics), pretty JSON holds the addresses:
# so the copy made from compact JSON must decode to the same compact JSON,
# and the copy made from pretty JSON to the same pretty JSON.
be_copy() { # image
	local img=$1 form
	for form in "" --pretty; do
		"$CRIT" decode $form -i "$img" -o "$TMP/le.json" || { fail "decode $img"; return; }
		"$CRIT" encode --byte-order big -i "$TMP/le.json" -o "$TMP/be.img" || { fail "encode big $img"; return; }
		if cmp -s "$TMP/be.img" "$img"; then fail "big-endian copy of $img has the same bytes"; return; fi
		"$CRIT" decode $form -i "$TMP/be.img" -o "$TMP/be.json"
		check "BE copy decodes the same ${form:-compact}: $img" cmp -s "$TMP/le.json" "$TMP/be.json"
		"$CRIT" encode --byte-order big -i "$TMP/be.json" -o "$TMP/be2.img"
		check "BE copy re-encodes to the BE bytes ${form:-compact}: $img" cmp -s "$TMP/be2.img" "$TMP/be.img"
	done
	"$CRIT" info "$TMP/be.img" | grep -q '"byte_order": "big"' && pass "info says big: $img" || fail "info of BE copy of $img"
}

for img in $(find "$BUILD/samples" -type f \( -name '*.img' -o -name 'stats-dump' \) | sort); do
	has_entries "$img" && be_copy "$img"
done

if have_corpus; then
	n=0
	for img in $(find "$CORPUS" -maxdepth 2 -type f \( -name '*.img' -o -name 'stats-dump' -o -name irmap-cache \) | sort); do
		has_entries "$img" || continue
		be_copy "$img"
		n=$((n + 1))
	done
	echo "  corpus: $n little-endian images copied to big-endian"
	m=0
	for img in $(find "$CORPUS"/foreign/s390x-* -type f | sort); do
		has_entries "$img" || continue
		"$CRIT" info "$img" | grep -q '"byte_order": "big"' || fail "s390x image not seen as big-endian: $img"
		for form in "" --pretty; do
			"$CRIT" decode $form -i "$img" -o "$TMP/s.json"
			"$CRIT" encode --byte-order big -i "$TMP/s.json" -o "$TMP/s.img"
			check "s390x ${form:-compact} round trip: $img" cmp -s "$TMP/s.img" "$img"
		done
		m=$((m + 1))
	done
	echo "  s390x: $m real big-endian images round-tripped"
else
	skip "corpus big-endian checks (no corpus)"
fi
finish
