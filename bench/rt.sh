#!/bin/bash
# bench/rt.sh CRIT IMG: make IMG from the JSON beside it (IMG minus .img plus
# .json) with `CRIT encode`, decode it again and compare with the JSON.
# Exit 0: image made and the round trip gave the same bytes;
#      3: image made, but decode(encode(json)) differs from json (a warning);
#      1: encode failed, 2: decode failed (no image is left behind).
# Messages name the exact command to reproduce.
crit=$1 img=$2
json=${img%.img}.json
if ! err=$("$crit" encode -i "$json" -o "$img.tmp" 2>&1); then
	rm -f "$img.tmp"
	echo "encode failed: $crit encode -i $json -o /tmp/x.img: $err"
	exit 1
fi
if ! err=$("$crit" decode -i "$img.tmp" -o "$json.rt" 2>&1); then
	rm -f "$img.tmp" "$json.rt"
	echo "decode failed: $crit decode -i $img -o /tmp/x.json: $err"
	exit 2
fi
mv "$img.tmp" "$img"
if ! cmp -s "$json" "$json.rt"; then
	at=$(cmp "$json" "$json.rt" 2>&1 | head -1)
	rm -f "$json.rt"
	echo "round trip differs: $crit decode -i $img differs from the JSON it was encoded from ($at)"
	exit 3
fi
rm -f "$json.rt"
exit 0
