#!/usr/bin/env bash
# asan-ok
# Issue 2, item 1: `crit decode` and `crit decode --pretty` write exactly the
# bytes CRIU 4.2's crit wrote for every corpus image (expected/, and
# expected-4.2/ for the foreign dumps), compared with cmp; `crit info`
# describes every raw corpus image (kind, size, content).
. "$(dirname "$0")/lib.sh"
if ! have_corpus; then skip "no corpus at $CORPUS"; finish; exit; fi

compare() { # image expected-json flags...
	local img=$1 exp=$2; shift 2
	if "$CRIT" decode "$@" -i "$img" -o "$TMP/out.json" 2>"$TMP/err" &&
	   cmp -s "$TMP/out.json" "$exp"; then
		pass "$exp"
	else
		fail "decode $* $img differs from $exp: $(head -c 300 "$TMP/err")"
		echo "$exp" >> "$TMP/mismatches"
	fi
}

for_expected() { # images-dir expected-dir
	local dir=$1 expdir=$2 e name
	for e in "$expdir"/*.json; do
		[ -e "$e" ] || continue
		name=$(basename "$e")
		case $name in
		*.pretty.json) compare "$dir/${name%.pretty.json}" "$e" --pretty ;;
		*.json) compare "$dir/${name%.json}" "$e" ;;
		esac
	done
}

: > "$TMP/mismatches"
n0=$T_PASS
for d in "$CORPUS"/*/; do
	[ -d "$d/expected" ] && for_expected "$d" "$d/expected"
done
for d in "$CORPUS"/foreign/*/; do
	for_expected "$d" "$d/expected-4.2"
done
for a in "$CORPUS"/archives/*.tar*; do
	name=$(basename "$a"); name=${name%%.tar*}
	dir=$(extract_archive "$a") || { fail "cannot extract $a"; continue; }
	for_expected "$dir/checkpoint" "$CORPUS/archives/expected/$name/checkpoint"
done

# On stdout crit adds one newline after the JSON.
img=$CORPUS/sleep/core-3635.img
if [ -f "$img" ]; then
	{ cat "$CORPUS/sleep/expected/core-3635.img.pretty.json"; echo; } > "$TMP/want"
	check "stdout form adds one newline" cmp -s <("$CRIT" decode --pretty < "$img") "$TMP/want"
	check "show = decode --pretty on stdout" cmp -s <("$CRIT" show "$img") "$TMP/want"
fi
echo "  corpus: $((T_PASS - n0)) images x forms identical, $(wc -l < "$TMP/mismatches") mismatches"
[ -s "$TMP/mismatches" ] && sed 's/^/    mismatch: /' "$TMP/mismatches"
# Raw images (no header) cannot be decoded, but info describes each: its
# kind from the file name, its size, what its bytes are.
for img in "$CORPUS"/*/*.img "$CORPUS"/foreign/*/*.img; do
	case $(basename "$img") in
	pages-*) want="PAGES page data" ;;
	ifaddr-*|route-*|route6-*|rule-*) want="iproute2 dump" ;;
	iptables-*|ip6tables-*) want="text" ;;
	tmpfs-*.tar.gz.img) want="gzip" ;;
	*) continue ;;
	esac
	"$CRIT" info "$img" > "$TMP/info" 2> "$TMP/err" || { fail "info $img: $(cat "$TMP/err")"; continue; }
	check "info describes raw ${img#$CORPUS/} ($want)" python3 -c '
import json, os, sys
i = json.load(open(sys.argv[1])); img = sys.argv[2]; want = sys.argv[3]
assert i["raw"] is True and i["size"] == os.path.getsize(img), i
assert want.endswith(i["content"]) or (i["size"] == 0 and i["content"] == "empty"), i
if i["magic"] == "PAGES":
    assert want == "PAGES page data" and i["pages"] == i["size"] // os.sysconf("SC_PAGE_SIZE"), i' \
		"$TMP/info" "$img" "$want"
done

finish
