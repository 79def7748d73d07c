#!/usr/bin/env bash
# asan-ok
# JSON text details, checked against Python's own json module: strings with
# every kind of escape (also across the reader's 256 KiB buffer boundary),
# non-ASCII text, bytes that are not UTF-8, and pretty layout.  The test
# encodes a JSON image, decodes it, and compares with what Python's
# json.dumps(json.load(...)) writes for the same input.
. "$(dirname "$0")/lib.sh"
if [ ! -x /usr/bin/python3 ]; then skip "no python3"; finish; exit; fi

/usr/bin/python3 - "$TMP" <<'PY'
import json, sys, random
tmp = sys.argv[1]
random.seed(7)
alphabet = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\x01', '\x1f', '\x7f',
            '\u00e9', '\u20ac', '\U0001f600', '\u0800', '\uffff']
def text(n):
    return ''.join(random.choice(alphabet) for _ in range(n))
fown = {"uid": 0, "euid": 0, "signum": 0, "pid_type": 0, "pid": 0}
entries = []
for i, n in enumerate([0, 1, 10, 1000, 300000, 70000, 5]):
    entries.append({"type": "REG", "id": i + 1, "reg": {"id": i + 1, "flags": 0, "pos": 0, "fown": fown,
                    "name": "/" + text(n), "mode": 33188}})
img = {"magic": "FILES", "entries": entries}
# the input uses escapes Python never writes (\/ and upper-case \u00E9) too
raw = json.dumps(img, ensure_ascii=True).replace('\\u00e9', '\\u00E9', 3).replace('/', '\\/', 5)
open(tmp + '/in.json', 'w').write(raw)
open(tmp + '/want.json', 'w').write(json.dumps(json.loads(raw)))
pretty = json.loads(raw)
for e in pretty["entries"]:
    e["reg"]["flags"] = ""      # --pretty names rfile flags; none are set
open(tmp + '/want.pretty.json', 'w').write(json.dumps(pretty, indent=4))
# the same, written with non-ASCII characters as they are (UTF-8)
open(tmp + '/in-utf8.json', 'w', encoding='utf-8').write(json.dumps(img, ensure_ascii=False, indent=2))
PY
for in in in in-utf8; do
	"$CRIT" encode -i "$TMP/$in.json" -o "$TMP/f.img" 2>"$TMP/err" || fail "encode $in: $(cat "$TMP/err")"
	"$CRIT" decode -i "$TMP/f.img" -o "$TMP/got.json"
	check "escapes and non-ASCII as Python writes them ($in)" cmp -s "$TMP/got.json" "$TMP/want.json"
	"$CRIT" decode --pretty -i "$TMP/f.img" -o "$TMP/got.pretty.json"
	check "pretty layout as Python's indent=4 ($in)" cmp -s "$TMP/got.pretty.json" "$TMP/want.pretty.json"
done

# Bytes that are not UTF-8 in a string field come out as \udcXX and go back
# in as the same bytes (crit would fail on them; we keep them).
"$CRIT" decode -i "$BUILD/samples/demo/files.img" | sed 's|/usr/bin/crimg-demo|/usr/bin/\\udcff\\udc80demo|' > "$TMP/bad-utf8.json"
"$CRIT" encode -i "$TMP/bad-utf8.json" -o "$TMP/b.img" && grep -q $'/usr/bin/\xff\x80demo' "$TMP/b.img" &&
	pass "lone surrogates become raw bytes" || fail "lone surrogates"
"$CRIT" decode -i "$TMP/b.img" | grep -qF '/usr/bin/\udcff\udc80demo' && pass "raw bytes come back as \\udcXX" || fail "raw bytes"
check "and the image round-trips" cmp -s <("$CRIT" decode -i "$TMP/b.img" | "$CRIT" encode) "$TMP/b.img"
finish
