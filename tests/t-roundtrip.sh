#!/usr/bin/env bash
# asan-ok
# Issue 2, item 2: decode -> encode gives back the identical file, from the
# compact and from the pretty JSON, for every non-raw image of the corpus
# and of samples/ (through files, and through stdin/stdout pipes).
. "$(dirname "$0")/lib.sh"

roundtrip() { # image
	local img=$1 bo form
	bo=$(byte_order_of "$img")
	for form in "" --pretty; do
		if "$CRIT" decode $form -i "$img" -o "$TMP/rt.json" 2>"$TMP/err" &&
		   "$CRIT" encode --byte-order "$bo" -i "$TMP/rt.json" -o "$TMP/rt.img" 2>>"$TMP/err" &&
		   cmp -s "$TMP/rt.img" "$img"; then
			pass "round trip ${form:-compact} $img"
		else
			fail "round trip ${form:-compact} $img: $(head -c 300 "$TMP/err")"
		fi
	done
}

images() { # dirs...: every image file crit can decode (raw ones are skipped)
	find "$@" -type f \( -name '*.img' -o -name 'stats-*' -o -name 'irmap-cache' \) \
		-not -path '*/expected*' | sort | while read -r f; do
		has_entries "$f" && echo "$f"
	done
}

SAMPLES=$BUILD/samples
[ -d "$SAMPLES" ] || { fail "no samples in $SAMPLES (make samples)"; finish; exit; }
n=0
for img in $(images "$SAMPLES"); do roundtrip "$img"; n=$((n + 1)); done
[ "$n" -ge 25 ] && pass "samples hold $n decodable images" || fail "only $n sample images"

if have_corpus; then
	dirs=("$CORPUS")
	for a in "$CORPUS"/archives/*.tar*; do dirs+=("$(extract_archive "$a")"); done
	c=0
	for img in $(images "${dirs[@]}"); do roundtrip "$img"; c=$((c + 1)); done
	echo "  corpus: $c images, each from compact and pretty JSON"
else
	skip "corpus round trips (no corpus)"
fi

# Pipes: stdin to stdout both ways.
img=$SAMPLES/demo/core-101.img
check "round trip through pipes" cmp -s <("$CRIT" decode < "$img" | "$CRIT" encode) "$img"
check "pretty round trip through pipes" cmp -s <("$CRIT" decode --pretty < "$img" | "$CRIT" encode) "$img"
finish
