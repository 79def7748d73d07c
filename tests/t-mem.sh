#!/usr/bin/env bash
# asan-ok
# Issue 3, memory: `crit mem` reads task memory through pagemap + pages,
# parents of incremental dumps and shared-memory pagemaps; finds the planted
# markers of the corpus at the addresses the images put them (checked
# against CRIU's own decoding of the pagemaps and a raw search of the pages
# files); finds matches across page and VMA boundaries; gives the same
# answers on a directory and on .tar, .tar.gz and .tar.zst archives of it;
# reads an incremental dump exactly as a full dump of the same memory; and
# refuses damaged checkpoints with one precise line.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples
PY=/usr/bin/python3

# expect NAME STATUS PATTERN CMD...: exit status, one line on stderr matching
# PATTERN (or nothing on stderr when PATTERN is empty).
expect() {
	local name=$1 want=$2 pat=$3
	shift 3
	"$@" > "$TMP/out" 2> "$TMP/err"
	local rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$name: exit status $rc, want $want ($(head -c 300 "$TMP/err"))"
	elif [ -z "$pat" ] && [ -s "$TMP/err" ]; then
		fail "$name: unexpected stderr: $(head -c 300 "$TMP/err")"
	elif [ -n "$pat" ] && { [ "$(wc -l < "$TMP/err")" -ne 1 ] || ! grep -qE -- "$pat" "$TMP/err"; }; then
		fail "$name: stderr '$(cat "$TMP/err")' is not one line matching /$pat/"
	else
		pass "$name"
	fi
}
# same NAME FILE1 FILE2
same() { if cmp -s "$2" "$3"; then pass "$1"; else fail "$1: $2 and $3 differ"; diff "$2" "$3" | head -5; fi; }
# field N of the only match line of: crit mem ... --search ...
match_field() { awk -v n="$1" '{ print $n }' "$TMP/out"; }

# ---------------------------------------------------------------- samples ---
D=$S/demo
expect "table of the demo sample" 0 "" "$CRIT" mem "$D" --bytes
check "table: pid 100 has 4 VMAs, 155648 bytes mapped, 16384 saved, none shared" \
	grep -qE '^100 +crimg-demo +4 +155648 +16384 +0$' "$TMP/out"
check "table: pid 101 likewise" grep -qE '^101 +crimg-worker +4 +147456 +16384 +0$' "$TMP/out"

expect "search a page marker" 0 "" "$CRIT" mem "$D" --search "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x555500007000" -c 0
check "found once, at the page it names, in the heap" \
	test "$(cat "$TMP/out")" = '100 0x555500007000 0x555500006000-0x555500027000 rw-p [heap] "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x555500007000"'
# The search reads a directory's pages file with pread, a chunk at a time,
# not through its mapping a page fault at a time (several times slower: a
# regression of this kind once cut the speed from 2x grep's to 0.4x).
if command -v strace > /dev/null 2>&1 && strace -f -c -o /dev/null true 2> /dev/null; then
	strace -f -y -o "$TMP/strace" -e trace=pread64 "$CRIT" mem "$D" --search "no such bytes anywhere" > /dev/null 2>&1
	check "search: the directory's pages file is read with pread" grep -q 'pread64([0-9]*<[^>]*/pages-[0-9]*\.img>' "$TMP/strace"
else
	skip "strace is not installed or cannot trace here: the pread check"
fi
expect "search: nothing matched is exit 1, like grep" 1 "" "$CRIT" mem "$D" --search "no such bytes anywhere"
check "  and prints nothing" test ! -s "$TMP/out"
expect "regex search over all processes" 0 "" "$CRIT" mem "$D" --search-regex 'CRIMG-SAMPLE-PAGE pid=\d+ vaddr=0x[0-9a-f]+ stack' -c 0
check "  one match per process, each in its own stack" \
	test "$(awk '{ print $1, $2, $5 }' "$TMP/out" | tr '\n' ' ')" = "100 0x7ffc00001000 [stack] 101 0x7ffc00001000 [stack] "
expect "case-insensitive search" 0 "" "$CRIT" mem "$D" --pid 101 --search crimg-sample-page -i -c 0
check "  finds the 4 pages of pid 101" test "$(wc -l < "$TMP/out")" = 4

# raw bytes of a VMA: the saved pages, zeros where none was saved
expect "-o writes a VMA" 0 "" "$CRIT" mem "$D" --pid 100 --vma 555500010000 -o "$TMP/heap.bin"
{ dd if="$D/pages-1.img" bs=4096 skip=1 count=2 status=none; head -c $((0x21000 - 8192)) /dev/zero; } > "$TMP/heap.want"
same "  the heap VMA = pages 2-3 of pages-1.img, then zeros" "$TMP/heap.bin" "$TMP/heap.want"
"$CRIT" mem "$D" --pid 100 --range 555500006ff0-555500007020 -o - > "$TMP/r.bin"
same "-o -: a range across a page boundary, to stdout" "$TMP/r.bin" <(dd if="$D/pages-1.img" bs=1 skip=$((4096 + 4080)) count=48 status=none)

# the hexdump is hexdump -C's, with 16-digit addresses
hexcmp() { # NAME START END: our hexdump of [START,END) of pid 100 vs hexdump -C of the bytes
	"$CRIT" mem "$D" --pid 100 --range "$2-$3" | grep -v '^#' > "$TMP/hd.ours"
	"$CRIT" mem "$D" --pid 100 --range "$2-$3" -o "$TMP/hd.bin"
	hexdump -C "$TMP/hd.bin" | $PY -c '
import sys
base = int(sys.argv[1], 16)
for l in sys.stdin:
    l = l.rstrip("\n")
    if l == "*":
        print(l)
    else:
        off, rest = l[:8], l[8:]
        print("%016x%s" % (base + int(off, 16), rest))' "$2" > "$TMP/hd.want"
	same "$1" "$TMP/hd.ours" "$TMP/hd.want"
}
hexcmp "hexdump of two pages equals hexdump -C (with '*' lines)" 555500006000 555500008000
hexcmp "hexdump of an odd range equals hexdump -C" 555500006ff5 555500007013
# a range reaching past what is mapped is narrowed to it: from the first
# VMA in the range to the end of the last (holes between VMAs as before)
expect "hexdump of --range 0-ffffffffffffffff" 0 "" "$CRIT" mem "$D" --pid 100 --range 0-ffffffffffffffff
check "  starts at the first VMA, not with the unmapped space below it" \
	test "$(head -1 "$TMP/out")" = "# 0x555500000000-0x555500002000: not in the checkpoint: the file's bytes at offset 0x0 (read as zeros here)"
check "  ends at the last VMA's end" test "$(tail -1 "$TMP/out")" = 00007ffc00002000
check "  the same as the range from the first VMA's start to the last one's end" \
	cmp -s "$TMP/out" <("$CRIT" mem "$D" --pid 100 --range 555500000000-7ffc00002000)
check "  the hole between two VMAs still named" grep -qx '# 0x555500027000-0x7ffc00000000: not mapped' "$TMP/out"
expect "-o of --range 0-ffffffffffffffff" 0 "" "$CRIT" mem "$D" --pid 100 --range 0-ffffffffffffffff -o "$TMP/all.bin"
for v in 555500000000 555500003000 555500006000 7ffc00000000; do "$CRIT" mem "$D" --pid 100 --vma $v -o -; done > "$TMP/all.want"
same "  = the VMAs one after the other (the holes between them left out)" "$TMP/all.bin" "$TMP/all.want"
check "  155648 bytes, the size of the VMAs" test "$(stat -c %s "$TMP/all.bin")" = 155648
expect "-o of a range from a hole into a VMA" 0 "" "$CRIT" mem "$D" --pid 100 --range 555500004800-555500006010 -o -
same "  is the VMA's first bytes" "$TMP/out" <(dd if="$D/pages-1.img" bs=1 skip=4096 count=16 status=none)
expect "a range with nothing mapped in it" 1 '^crit: nothing is mapped at 0x1000-0x2000 in task 100$' \
	"$CRIT" mem "$D" --pid 100 --range 1000-2000
expect "  the same with -o" 1 '^crit: nothing is mapped at 0x555500004000-0x555500006000 in task 100$' \
	"$CRIT" mem "$D" --pid 100 --range 555500004000-555500006000 -o "$TMP/none.bin"
check "  which leaves no file" test ! -e "$TMP/none.bin"

"$CRIT" mem "$D" --pid 100 > "$TMP/all.hd"
check "hexdump of a process: a header per VMA" test "$(grep -c '^# 0x[0-9a-f]*-0x[0-9a-f]* [rwxps-]\{4\} ' "$TMP/all.hd")" = 4
check "  ranges not saved are named, not printed" grep -q '^# 0x555500008000-0x555500027000: not in the checkpoint: never touched, reads as zeros$' "$TMP/all.hd"
check "  file pages not saved say so" grep -q "^# 0x555500000000-0x555500002000: not in the checkpoint: the file's bytes at offset 0x0" "$TMP/all.hd"
check "--prot rw shows only writable VMAs" test "$("$CRIT" mem "$D" --pid 100 --prot rw | grep -c '^# 0x[0-9a-f]*-0x[0-9a-f]* rw')" = 3
"$CRIT" mem "$D" --pid 100 --format json > "$TMP/map.json"
check "--format json: the map with its spans" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = {x["start"]: x for x in d["vmas"]}
h = v["0x555500006000"]
assert d["pid"] == 100 and d["page_size"] == 4096 and len(d["vmas"]) == 4
assert h["file"] == "[heap]" and h["dumped"] == 8192 and h["size"] == 0x21000
assert [(s["start"], s["end"], s["state"]) for s in h["spans"]] == [
    ("0x555500006000", "0x555500008000", "data"), ("0x555500008000", "0x555500027000", "zero")]
' "$TMP/map.json"

# ---- a checkpoint whose markers cross a page boundary (between pages that
# are not next to each other in the pages file) and a VMA boundary ----
X=$TMP/span
mkdir -p "$X"
cp "$D/inventory.img" "$D/core-100.img" "$X/"
cat > "$TMP/span.py" <<'EOF'
import json, sys
d = sys.argv[1]
B = 0x7f0000000000
anon = {"pgoff": 0, "shmid": 0, "flags": 0x22, "status": 0x201, "fd": -1}
vmas = [dict(start=B, end=B + 0x2000, prot=3, **anon),
        dict(start=B + 0x2000, end=B + 0x3000, prot=1, **anon),
        dict(start=B + 0x10000, end=B + 0x11000, prot=3, **anon)]
mm = {"mm_start_code": 0, "mm_end_code": 0, "mm_start_data": 0, "mm_end_data": 0,
      "mm_start_stack": 0, "mm_start_brk": 0, "mm_brk": 0, "mm_arg_start": 0, "mm_arg_end": 0,
      "mm_env_start": 0, "mm_env_end": 0, "exe_file_id": 0, "vmas": vmas}
json.dump({"magic": "MM", "entries": [mm]}, open(d + "/mm.json", "w"))
json.dump({"magic": "PSTREE", "entries": [{"pid": 100, "ppid": 0, "pgid": 100, "sid": 100, "threads": [100]}]},
          open(d + "/pstree.json", "w"))
# pagemap order (= order in pages-1.img): B+0x1000 (2 pages), B, B+0x10000
order = [(B + 0x1000, 2), (B, 1), (B + 0x10000, 1)]
json.dump({"magic": "PAGEMAP", "entries": [{"pages_id": 1}] + [
    {"vaddr": a, "compat_nr_pages": 0, "flags": 4, "nr_pages": n} for a, n in order]},
    open(d + "/pagemap.json", "w"))
mem = {a: bytearray(4096) for a in (B, B + 0x1000, B + 0x2000, B + 0x10000)}
def put(addr, s):
    for i, c in enumerate(s.encode()):
        a = addr + i
        mem[a & ~0xfff][a & 0xfff] = c
put(B + 0x1000 - 10, "CRIMG-SPAN-PAGE-7f3a")      # across B+0x1000
put(B + 0x2000 - 9, "CRIMG-SPAN-VMA-7f3a")        # across the VMA boundary
put(B + 0x3000 - 4, "GAPA")                       # end of the 2nd VMA ...
put(B + 0x10000, "GAPB")                          # ... and start of the 3rd: not adjacent
with open(d + "/pages-1.img", "wb") as f:
    for a, n in order:
        for k in range(n):
            f.write(mem[a + 0x1000 * k])
EOF
$PY "$TMP/span.py" "$X" &&
	"$CRIT" encode -i "$X/mm.json" -o "$X/mm-100.img" &&
	"$CRIT" encode -i "$X/pstree.json" -o "$X/pstree.img" &&
	"$CRIT" encode -i "$X/pagemap.json" -o "$X/pagemap-100.img" &&
	rm "$X"/*.json || fail "could not build the span checkpoint"
expect "a match across a page boundary (pages apart in the pages file)" 0 "" "$CRIT" mem "$X" --search CRIMG-SPAN-PAGE-7f3a -c 4
check "  at its address, with its context" \
	test "$(cat "$TMP/out")" = '100 0x7f0000000ff6 0x7f0000000000-0x7f0000002000 rw-p - "\x00\x00\x00\x00" "CRIMG-SPAN-PAGE-7f3a" "\x00\x00\x00\x00"'
expect "a match across two adjacent VMAs" 0 "" "$CRIT" mem "$X" --search CRIMG-SPAN-VMA-7f3a -c 0
check "  reported in the VMA it starts in" \
	test "$(cat "$TMP/out")" = '100 0x7f0000001ff7 0x7f0000000000-0x7f0000002000 rw-p - "CRIMG-SPAN-VMA-7f3a"'
expect "regex matches across both boundaries" 0 "" "$CRIT" mem "$X" --search-regex 'CRIMG-SPAN-[A-Z]+-[0-9a-f]{4}' -c 0
check "  both, in address order" test "$(match_field 2 | tr '\n' ' ')" = "0x7f0000000ff6 0x7f0000001ff7 "
expect "no match across a hole between VMAs" 1 "" "$CRIT" mem "$X" --search GAPAGAPB
expect "a match inside the 2nd of two adjacent VMAs whose pages follow each other in the pages file" 0 "" \
	"$CRIT" mem "$X" --search GAPA -c 0 --format json
check "  is reported in that VMA, at its offset in it" $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))["matches"]
assert len(m) == 1 and m[0]["address"] == "0x7f0000002ffc" and m[0]["offset"] == 0xffc, m
assert m[0]["vma"] == {"start": "0x7f0000002000", "end": "0x7f0000003000", "perms": "r--p", "file": ""}, m
' "$TMP/out"
expect "--prot w leaves out the read-only VMA" 0 "" "$CRIT" mem "$X" --search-regex 'GAP[AB]' --prot w -c 0
check "  only the match in the writable one" test "$(match_field 2)" = 0x7f0000010000
expect "--range limits the search" 0 "" "$CRIT" mem "$X" --search-regex 'CRIMG-SPAN' --range 7f0000001000-7f0000003000 -c 0
check "  to the match that starts in it" test "$(match_field 2)" = 0x7f0000001ff7
"$CRIT" mem "$X" --search-regex 'CRIMG-SPAN-([A-Z]+)' --format json -c 2 > "$TMP/m.json"
check "--format json: addresses, offsets, VMA, bytes as base64 and printable" $PY -c '
import base64, json, sys
d = json.load(open(sys.argv[1]))
assert d["count"] == 2 and len(d["matches"]) == 2
m = d["matches"][1]
assert m["pid"] == 100 and m["shmem"] is None and m["address"] == "0x7f0000001ff7"
assert m["offset"] == 0x1ff7 and m["length"] == len("CRIMG-SPAN-VMA")
assert m["vma"] == {"start": "0x7f0000000000", "end": "0x7f0000002000", "perms": "rw-p", "file": ""}
assert base64.b64decode(m["match"]["base64"]) == b"CRIMG-SPAN-VMA"
assert m["match"]["printable"] == "CRIMG-SPAN-VMA"
assert base64.b64decode(m["before"]["base64"]) == b"\0\0" and m["after"]["printable"] == "-7"
' "$TMP/m.json"

# ---- against a reference: a brute-force search (Python's re) over pages
# stored one per pagemap entry in shuffled order, with a hole ----
R=$TMP/rand
mkdir -p "$R" && cp "$D/inventory.img" "$X/pstree.img" "$R/"
$PY - "$R" <<'EOF2'
import json, random, sys
d = sys.argv[1]
random.seed(7)
B, NP, PS = 0x7f1000000000, 24, 4096
hole = 13                                    # page 13 is not saved
vma = dict(start=B, end=B + NP * PS, pgoff=0, shmid=0, prot=3, flags=0x22, status=0x201, fd=-1)
mm = {k: 0 for k in ("mm_start_code", "mm_end_code", "mm_start_data", "mm_end_data", "mm_start_stack",
                     "mm_start_brk", "mm_brk", "mm_arg_start", "mm_arg_end", "mm_env_start",
                     "mm_env_end", "exe_file_id")}
mm["vmas"] = [vma]
json.dump({"magic": "MM", "entries": [mm]}, open(d + "/mm.json", "w"))
mem = bytearray(random.choice(b"abbbc") for _ in range(NP * PS))
order = [p for p in range(NP) if p != hole]
random.shuffle(order)
json.dump({"magic": "PAGEMAP", "entries": [{"pages_id": 1}] + [
    {"vaddr": B + p * PS, "compat_nr_pages": 0, "flags": 4, "nr_pages": 1} for p in order]},
    open(d + "/pagemap.json", "w"))
with open(d + "/pages-1.img", "wb") as f:
    for p in order:
        f.write(mem[p * PS:(p + 1) * PS])
mem[hole * PS:(hole + 1) * PS] = b"\0" * PS    # reads as zeros; not searched
open(d + "/mem.bin", "wb").write(mem)
EOF2
"$CRIT" encode -i "$R/mm.json" -o "$R/mm-100.img" && "$CRIT" encode -i "$R/pagemap.json" -o "$R/pagemap-100.img"
cat > "$TMP/ref.py" <<'EOF2'
import base64, json, re, sys
mem = open(sys.argv[1], "rb").read()
B, PS, hole = 0x7f1000000000, 4096, 13
pat, regex = sys.argv[2].encode(), sys.argv[3] == "regex"
want = []
for lo, hi in ((0, hole * PS), ((hole + 1) * PS, len(mem))):
    rx = re.compile(pat if regex else re.escape(pat))
    want += [(B + lo + m.start(), m.group()) for m in rx.finditer(mem[lo:hi]) if m.end() > m.start()]
got = [(int(m["address"], 16), base64.b64decode(m["match"]["base64"]))
       for m in json.load(sys.stdin)["matches"]]
if got != want:
    print("want %d matches, got %d; first difference: %s" % (len(want), len(got),
          next(((w, g) for w, g in zip(want, got) if w != g), None)))
    sys.exit(1)
EOF2
for case in "literal bcb" "literal abbbbba" "literal cc" "regex c[ab]{2,5}c" "regex a(b|c)*a" "regex b{4,}"; do
	set -- $case
	if [ "$1" = literal ]; then opt=--search; else opt=--search-regex; fi
	"$CRIT" mem "$R" --pid 100 $opt "$2" -c 0 --format json > "$TMP/rand.json"
	check "shuffled pages: every $1 match of '$2' and no other, as Python's re finds them" \
		$PY "$TMP/ref.py" "$R/mem.bin" "$2" "$1" < "$TMP/rand.json"
done

# ---- search in chunks: crit reads a stretch of saved bytes 256 KiB at a
# time; markers across every chunk boundary (each at another offset), a
# regex match over several chunks, saved pages of zeros (a hole of the
# sparse pages file), pages not saved (they end a stretch), pagemap entries
# in shuffled file order; every match as Python's re finds them ----
Q=$TMP/chunks
mkdir -p "$Q" && cp "$D/inventory.img" "$X/pstree.img" "$Q/"
$PY - "$Q" <<'EOF2'
import json, random, sys
d = sys.argv[1]
random.seed(11)
B, PS, C, NP = 0x7f2000000000, 4096, 256 << 10, 2048     # 8 MiB
hole = range(1000, 1004)                # not saved: ends a stretch
zeros = range(1500, 1600)               # saved, all zeros (not written: sparse)
alpha = b"abcdefghij klmnop\n"
mem = bytearray(random.randbytes(NP * PS).translate(bytes(alpha[i % len(alpha)] for i in range(256))))
mem[zeros.start * PS:zeros.stop * PS] = bytes(len(zeros) * PS)
stretches = [(0, hole.start * PS), (hole.stop * PS, NP * PS)]
used = [(zeros.start * PS, zeros.stop * PS)]
def put(at, b):
    if any(at < hi and at + len(b) > lo for lo, hi in used):
        return 0
    mem[at:at + len(b)] = b
    used.append((at, at + len(b)))
    return 1
put(zeros.start * PS - 1, b"Z")
put(zeros.stop * PS, b"Z")
put(hole.start * PS - 6, b"HOLE-A")     # across the pages not saved: no match
put(hole.stop * PS, b"HOLE-B")
put(stretches[1][0] + 100, b"CRIMG-RX-" + b"7" * 300000 + b"-END")
N = b"CRIMG-CHUNK-7f3a"
k = 0
for lo, hi in stretches:
    for b in range(lo + C, hi, C):
        k += put(b - k % (len(N) + 1), N)   # 0 to len(N) bytes before the boundary
assert k > len(N)                       # every offset at least once
vma = dict(start=B, end=B + NP * PS, pgoff=0, shmid=0, prot=3, flags=0x22, status=0x201, fd=-1)
mm = {k: 0 for k in ("mm_start_code", "mm_end_code", "mm_start_data", "mm_end_data", "mm_start_stack",
                     "mm_start_brk", "mm_brk", "mm_arg_start", "mm_arg_end", "mm_env_start",
                     "mm_env_end", "exe_file_id")}
mm["vmas"] = [vma]
json.dump({"magic": "MM", "entries": [mm]}, open(d + "/mm.json", "w"))
runs, p = [], 0
while p < NP:
    n = min(1 + random.randrange(64), NP - p)
    runs.append((p, n))
    p += n
pieces = []
for a, n in runs:                       # cut the pages not saved out
    for lo, hi in ((a, min(a + n, hole.start)), (max(a, hole.stop), a + n)):
        if lo < hi:
            pieces.append((lo, hi - lo))
random.shuffle(pieces)
json.dump({"magic": "PAGEMAP", "entries": [{"pages_id": 1}] + [
    {"vaddr": B + a * PS, "compat_nr_pages": 0, "flags": 4, "nr_pages": n} for a, n in pieces]},
    open(d + "/pagemap.json", "w"))
with open(d + "/pages-1.img", "wb") as f:
    for a, n in pieces:
        for q in range(a, a + n):
            if q in zeros:
                f.seek(PS, 1)
            else:
                f.write(mem[q * PS:(q + 1) * PS])
    f.truncate()
open(d + "/mem.bin", "wb").write(mem)
json.dump(stretches, open(d + "/stretches.json", "w"))
EOF2
"$CRIT" encode -i "$Q/mm.json" -o "$Q/mm-100.img" && "$CRIT" encode -i "$Q/pagemap.json" -o "$Q/pagemap-100.img" ||
	fail "could not build the chunks checkpoint"
check "chunks: the pages file is sparse" test $(($(stat -c '%b * %B' "$Q/pages-1.img"))) -lt "$(stat -c %s "$Q/pages-1.img")"
cat > "$TMP/chunkref.py" <<'EOF2'
import base64, json, re, sys
mem = open(sys.argv[1], "rb").read()
stretches = json.load(open(sys.argv[2]))
pat, regex = sys.argv[3].encode(), sys.argv[4] == "regex"
B = 0x7f2000000000
rx = re.compile(pat if regex else re.escape(pat))
want = [(B + m.start(), m.group()) for lo, hi in stretches for m in rx.finditer(mem, lo, hi)]
got = [(int(m["address"], 16), base64.b64decode(m["match"]["base64"]))
       for m in json.load(sys.stdin)["matches"]]
if got != want or len(want) < int(sys.argv[5]):
    print("want %d matches, got %d; first difference: %s" % (len(want), len(got),
          next(((w[0], g[0]) for w, g in zip(want, got) if w != g), None)))
    sys.exit(1)
EOF2
for case in "literal CRIMG-CHUNK-7f3a 25" "regex CRIMG-CHUNK-[0-9a-f]{4} 25" "regex C[A-Z]+-CHUNK-[0-9a-f]+ 25" \
	"regex CRIMG-RX-7+-END 1" "regex \\x00{4096} 100" "regex Z\\x00{10} 1" "regex \\x00{10}Z 1" \
	"literal HOLE-AHOLE-B 0" "regex HOLE-A\\x00*HOLE-B 0"; do
	set -- $case
	if [ "$1" = literal ]; then opt=--search; else opt=--search-regex; fi
	"$CRIT" mem "$Q" --pid 100 $opt "$2" -c 0 --format json > "$TMP/chunks.json"
	check "chunks: every $1 match of '$2' and no other (at least $3), as Python's re finds them" \
		$PY "$TMP/chunkref.py" "$Q/mem.bin" "$Q/stretches.json" "$2" "$1" "$3" < "$TMP/chunks.json"
done

# ---- the same answers from archives, and a pod archive's containers ----
ckpt_outputs() { # SRC OUT: table, searches and hexdumps into OUT
	{
		"$CRIT" mem "$1" --bytes
		"$CRIT" mem "$1" --search-regex 'CRIMG-[A-Z]+' --format json
		"$CRIT" mem "$1" --pid 100
	} > "$2" 2>&1
}
tar -cf "$TMP/demo.tar" -C "$D" . && tar -czf "$TMP/demo.tar.gz" -C "$D" . && tar --zstd -cf "$TMP/demo.tar.zst" -C "$D" .
ckpt_outputs "$D" "$TMP/o.dir"
for a in tar tar.gz tar.zst; do
	ckpt_outputs "$TMP/demo.$a" "$TMP/o.$a"
	same "demo: the same answers from the .$a archive" "$TMP/o.dir" "$TMP/o.$a"
done
mkdir -p "$TMP/pod/ctr-a/checkpoint" "$TMP/pod/ctr-b/checkpoint"
cp "$D"/* "$TMP/pod/ctr-a/checkpoint/" && cp "$X"/* "$TMP/pod/ctr-b/checkpoint/"
tar -czf "$TMP/pod.tar.gz" -C "$TMP/pod" .
expect "pod archive: --container picks the container" 0 "" "$CRIT" mem "$TMP/pod.tar.gz" --container ctr-b --search CRIMG-SPAN-VMA-7f3a -c 0
check "  the match is that container's" test "$(match_field 2)" = 0x7f0000001ff7
expect "pod archive: no such container" 2 "no container 'ctr-c'" "$CRIT" mem "$TMP/pod.tar.gz" --container ctr-c --search x

# ---- incremental: pages left in the parent read as from a full dump ----
I=$TMP/incr
mkdir -p "$I/full" "$I/child"
cp "$D"/* "$I/full/" && cp "$D"/* "$I/child/"
"$CRIT" decode -i "$D/pagemap-100.img" | $PY -c '
import json, sys
d = json.load(sys.stdin)
d["entries"][2]["flags"] = 1        # the two heap pages: in the parent
json.dump(d, sys.stdout)' > "$TMP/pm100.json" && "$CRIT" encode -i "$TMP/pm100.json" -o "$I/child/pagemap-100.img"
{ dd if="$D/pages-1.img" bs=4096 count=1 status=none; dd if="$D/pages-1.img" bs=4096 skip=3 status=none; } > "$I/child/pages-1.img"
ln -s ../full "$I/child/parent"
for vma in 555500000000 555500003000 555500006000 7ffc00000000; do
	"$CRIT" mem "$I/child" --pid 100 --vma $vma -o "$TMP/c.bin" && "$CRIT" mem "$I/full" --pid 100 --vma $vma -o "$TMP/f.bin"
	same "incremental sample: VMA 0x$vma reads the same as the full dump" "$TMP/c.bin" "$TMP/f.bin"
done
# the same in the form of CRIU < 4.0 (count in field 2) and older (in_parent, no flags)
mkdir -p "$I/old" && cp -P "$I/child"/* "$I/old/"
"$CRIT" decode -i "$I/child/pagemap-100.img" | $PY -c '
import json, sys
d = json.load(sys.stdin)
for e in d["entries"][1:]:
    e["compat_nr_pages"] = e.pop("nr_pages")
    e["in_parent"] = e.pop("flags") == 1
json.dump(d, sys.stdout)' > "$TMP/old.json" && "$CRIT" encode -i "$TMP/old.json" -o "$I/old/pagemap-100.img"
"$CRIT" mem "$I/old" --pid 100 --vma 555500006000 -o "$TMP/o.bin" && "$CRIT" mem "$I/full" --pid 100 --vma 555500006000 -o "$TMP/f.bin"
same "old pagemap form (compat_nr_pages, in_parent): the heap reads the same" "$TMP/o.bin" "$TMP/f.bin"
"$CRIT" mem "$I/child" --pid 100 --format json > "$TMP/c.json"
check "  the heap's pages are known to come from the parent (depth 1)" grep -q '"start": "0x555500006000", "end": "0x555500008000", "state": "data", "depth": 1' "$TMP/c.json"

# lazy pages (PE_LAZY without PE_PRESENT: left to a page server) take no
# room in the pages file and read as zeros, and say so
L=$TMP/lazy
cp -r "$D" "$L" && head -c 12288 "$D/pages-1.img" > "$L/pages-1.img"
"$CRIT" decode -i "$D/pagemap-100.img" | $PY -c '
import json, sys
d = json.load(sys.stdin)
d["entries"][3]["flags"] = 2
json.dump(d, sys.stdout)' > "$TMP/lazy.json" && "$CRIT" encode -i "$TMP/lazy.json" -o "$L/pagemap-100.img"
"$CRIT" mem "$L" --pid 100 --vma 7ffc00001000 > "$TMP/lazy.hd"
check "lazy pages: named in the hexdump" grep -q '^# 0x7ffc00001000-0x7ffc00002000: lazy pages, left to a page server' "$TMP/lazy.hd"
"$CRIT" mem "$L" --pid 100 --format json | grep -q '"start": "0x7ffc00001000", "end": "0x7ffc00002000", "state": "lazy"'
check "  a lazy span in the JSON map" test $? = 0
"$CRIT" mem "$L" --pid 100 --vma 555500006000 -o "$TMP/l.bin"
same "  the pages before them are still where they were" "$TMP/l.bin" "$TMP/heap.want"
check "  not counted as saved" grep -qE '^100 +crimg-demo +4 +155648 +12288 +0$' <("$CRIT" mem "$L" --bytes)

# ---- bad input ----
B=$TMP/bad
mkdir -p "$B"
cp -r "$D" "$B/trunc" && truncate -s 8192 "$B/trunc/pages-1.img"
expect "pagemap past the end of the pages file" 1 \
	'^crit: pagemap-100\.img: offset 32: entry 2: pages 0x555500006000-0x555500008000 are bytes 4096-12288 of pages-1\.img, which holds only 8192 bytes$' \
	"$CRIT" mem "$B/trunc"
expect "  the same when searching (exit 2, like grep)" 2 'which holds only 8192 bytes$' "$CRIT" mem "$B/trunc" --search x
cp -r "$D" "$B/nopages" && rm "$B/nopages/pages-2.img"
expect "missing pages file" 1 '^crit: pagemap-101\.img: offset 14: entry 1: pages at 0x555500008000 are in pages-2\.img, which is missing$' \
	"$CRIT" mem "$B/nopages" --pid 101
cp -r "$I/child" "$B/loop" && rm "$B/loop/parent" && ln -s . "$B/loop/parent"
expect "parent link to itself" 1 "^crit: $B/loop/parent: parent chain loops back to " "$CRIT" mem "$B/loop" --pid 100
rm "$B/loop/parent" && printf '../loop\n' > "$B/loop/parent"
expect "parent file naming itself" 1 "parent chain loops back to " "$CRIT" mem "$B/loop"
cp -r "$I/child" "$B/orphan" && rm "$B/orphan/parent"
expect "pages in a parent that is not there" 1 \
	'^crit: pagemap-100\.img: offset 32: entry 2: pages at 0x555500006000 are in the parent dump, but there is no parent link$' \
	"$CRIT" mem "$B/orphan"
cp -r "$D" "$B/overlap"
"$CRIT" decode -i "$D/pagemap-100.img" | $PY -c '
import json, sys
d = json.load(sys.stdin)
d["entries"][2]["vaddr"] = d["entries"][1]["vaddr"]
json.dump(d, sys.stdout)' > "$TMP/ov.json" && "$CRIT" encode -i "$TMP/ov.json" -o "$B/overlap/pagemap-100.img"
expect "overlapping pagemap entries" 1 'entry 2: pages 0x555500003000-0x555500005000 overlap those of entry 1' "$CRIT" mem "$B/overlap"
expect "an address in no VMA" 1 '^crit: address 0x1000 is in no VMA of process 100$' "$CRIT" mem "$D" --pid 100 --vma 1000
expect "-o of a range with a hole" 0 "" "$CRIT" mem "$D" --pid 100 --range 555500003000-555500007000 -o "$TMP/hole.bin"
same "  holds the two VMAs' bytes, the hole left out" "$TMP/hole.bin" \
	<("$CRIT" mem "$D" --pid 100 --range 555500003000-555500004000 -o -; "$CRIT" mem "$D" --pid 100 --range 555500006000-555500007000 -o -)
expect "-o of a range with nothing mapped" 1 '^crit: nothing is mapped at 0x555500004000-0x555500005000 in task 100$' \
	"$CRIT" mem "$D" --pid 100 --range 555500004000-555500005000 -o "$TMP/hole2.bin"
check "  leaves no file" test ! -e "$TMP/hole2.bin"
check "  nor a temporary one" test -z "$(ls -A "$TMP" | grep '^\.hole')"
expect "no such process" 1 '^crit: no task 7 in this checkpoint$' "$CRIT" mem "$D" --pid 7
expect "a bad regular expression" 2 '^crit: regular expression at offset [0-9]+: missing terminating ' "$CRIT" mem "$D" --search-regex '(['
expect "a page size the images do not fit" 1 'is not a range of whole pages \(page size 8192\)' "$CRIT" mem "$D" --page-size 8192
expect_usage() { # NAME MESSAGE CMD...: exit 2, the message, then a pointer to --help
	local name=$1 msg=$2
	shift 2
	"$@" > "$TMP/out" 2> "$TMP/err"
	local rc=$?
	if [ $rc -eq 2 ] && [ "$(head -1 "$TMP/err")" = "crit mem: error: $msg" ] &&
		[ "$(tail -n +2 "$TMP/err")" = "see 'crit mem --help'" ] && [ ! -s "$TMP/out" ]; then
		pass "$name"
	else
		fail "$name: exit $rc, stderr '$(cat "$TMP/err")'"
	fi
}
expect_usage "usage: -o without --vma or --range" "-o needs --vma or --range" "$CRIT" mem "$D" --pid 100 -o x
expect_usage "usage: --pid and --shmem" "give --pid or --shmem, not both" "$CRIT" mem "$D" --pid 100 --shmem 1
expect_usage "usage: a bad --range" "--range wants START-END in hex with START < END, not '5-3'" "$CRIT" mem "$D" --pid 100 --range 5-3
expect_usage "usage: a bad --prot" "--prot wants letters of 'rwx', not 'q'" "$CRIT" mem "$D" --prot q
expect_usage "usage: no SRC" "no SRC given" "$CRIT" mem --pid 1
expect "--help" 0 "" "$CRIT" mem --help
check "  names every option" test "$(grep -cE -- '--(pid|shmem|vma|range|prot|output|search|search-regex|ignore-case|context|max-count|format|bytes|container|page-size)\b' "$TMP/out")" -ge 15

# ----------------------------------------------------------------- corpus ---
if ! have_corpus; then
	skip "corpus markers, incremental chain and archives: no corpus at $CORPUS"
	finish
	exit
fi

# vaddr_of PAGEMAP_JSON MARKER PAGES: the address CRIU's own decoding of the
# pagemap gives the first raw occurrence of MARKER in the pages file
vaddr_of() {
	local off
	off=$(grep -boa -- "$2" "$3" | head -1 | cut -d: -f1)
	$PY -c '
import json, sys
pm = json.load(open(sys.argv[1]))["entries"]
off, cur = int(sys.argv[2]), 0
for e in pm[1:]:
    n = e.get("nr_pages") or e.get("compat_nr_pages") or 0
    if e.get("flags", 4) & 4:
        if cur <= off < cur + n * 4096:
            print(hex(e["vaddr"] + off - cur))
            break
        cur += n * 4096' "$1" "$off"
}
# in_mm_range MM_JSON FIELD_START FIELD_END ADDR
in_mm_range() {
	$PY -c '
import json, sys
e = json.load(open(sys.argv[1]))["entries"][0]
a = int(sys.argv[4], 16)
sys.exit(not (e[sys.argv[2]] <= a < e[sys.argv[3]]))' "$@"
}

K=$CORPUS/kitchen
expect "kitchen: heap marker" 0 "" "$CRIT" mem "$K" --search CRIMG-MARKER-HEAP-7f3a -c 0
check "  once, in [heap]" test "$(awk '{ print $1, $5 }' "$TMP/out")" = "3654 [heap]"
check "  where CRIU's pagemap puts its bytes in pages-2.img" \
	test "$(match_field 2)" = "$(vaddr_of "$K/expected/pagemap-3654.img.json" CRIMG-MARKER-HEAP-7f3a "$K/pages-2.img")"
expect "kitchen: environment marker" 0 "" "$CRIT" mem "$K" --search CRIMG_ENV_MARKER=env-7f3a -c 0
check "  on the stack, between mm_env_start and mm_env_end" \
	in_mm_range "$K/expected/mm-3654.img.json" mm_env_start mm_env_end "$(match_field 2)"
check "  at its address in pages-2.img" \
	test "$(match_field 2)" = "$(vaddr_of "$K/expected/pagemap-3654.img.json" CRIMG_ENV_MARKER=env-7f3a "$K/pages-2.img")"
expect "kitchen: memfd content" 0 "" "$CRIT" mem "$K" --search CRIMG-MEMFD-CONTENT-7f3a -c 0
check "  in the memfd (shared object 219, offset 0) and in a stack buffer" \
	test "$(awk '{ print $1, $2, $5 }' "$TMP/out" | tr '\n' ' ')" = "3654 $(vaddr_of "$K/expected/pagemap-3654.img.json" CRIMG-MEMFD-CONTENT-7f3a "$K/pages-2.img") [stack] shmem:219 0x0 memfd:crimg-memfd "
expect "kitchen: --shmem reads the memfd by itself" 0 "" "$CRIT" mem "$K" --shmem 219 --range 0-18 -o -
check "  its first 0x18 bytes" test "$(cat "$TMP/out")" = "CRIMG-MEMFD-CONTENT-7f3a"
expect "kitchen: --shmem --range past the object's end is narrowed to it" 0 "" "$CRIT" mem "$K" --shmem 219 --range 0-ffffffffffffffff -o "$TMP/memfd.bin"
same "  the whole object" "$TMP/memfd.bin" <("$CRIT" mem "$K" --shmem 219 --vma 0 -o -)
expect "kitchen: --shmem --range wholly past the end" 1 '^crit: offsets 0x7f000000-0x7f001000 are past the end of shared memory object 219$' \
	"$CRIT" mem "$K" --shmem 219 --range 7f000000-7f001000
expect "nsbox: SysV shm marker through the shmem pagemap" 0 "" "$CRIT" mem "$CORPUS/nsbox" --search CRIMG-SYSV-SHM-7f3a -c 0
check "  in segment 0 (key 0x7f3a0001) at offset 0" test "$(awk '{ print $1, $2, $5 }' "$TMP/out")" = "shmem:0 0x0 SYSV7f3a0001"
P=$CORPUS/python
expect "python: bytearray marker" 0 "" "$CRIT" mem "$P" --search CRIMG-PY-MARKER-7f3a -c 0
check "  first where the pages file has it, in anonymous rw memory" \
	test "$(head -1 "$TMP/out" | awk '{ print $2, $4, $5 }')" = "$(vaddr_of "$P/expected/pagemap-3826.img.json" CRIMG-PY-MARKER-7f3a "$P/pages-1.img") rw-p -"
check "  as many times as in the pages file" \
	test "$(wc -l < "$TMP/out")" = "$(grep -oa CRIMG-PY-MARKER-7f3a "$P/pages-1.img" | wc -l)"
expect "tree: the shared region, in all five live tasks" 0 "" "$CRIT" mem "$CORPUS/tree" --search CRIMG-TREE-SHARED-7f3a -c 0
check "  at the start of the /dev/zero memfd mapping in each" \
	test "$(awk '{ print $2, $3, $4, $5 }' "$TMP/out" | sort -u)" = "0x7f4ab35ea000 0x7f4ab35ea000-0x7f4ab35ec000 rw-s /dev/zero"
check "  five of them" test "$(wc -l < "$TMP/out")" = 5
for f in aarch64 s390x x86_64-criu317; do
	F=$CORPUS/foreign/$f-kitchen
	pm=$(ls "$F"/expected/pagemap-[0-9]*.img.json)
	mm=$(ls "$F"/expected/mm-*.img.json)
	for mk in CRIMG-MARKER-HEAP-7f3a CRIMG_ENV_MARKER=env-7f3a; do
		"$CRIT" mem "$F" --search $mk -c 0 > "$TMP/out" 2>&1
		check "foreign $f: $mk where the pages file has it" \
			test "$(match_field 2)" = "$(vaddr_of "$pm" $mk "$F/pages-2.img")"
	done
	"$CRIT" mem "$F" --search CRIMG_ENV_MARKER=env-7f3a -c 0 > "$TMP/out"
	check "foreign $f: environment marker inside mm_env_start..mm_env_end" \
		in_mm_range "$mm" mm_env_start mm_env_end "$(match_field 2)"
done

# incremental chain: 64 marker pages, 8 rewritten (gen=1) in the last dump
expect "incr-dump: the 64 marker pages through the parents" 0 "" \
	"$CRIT" mem "$CORPUS/incr-dump" --search-regex 'CRIMG-DIRTY-7f3a page=\d+ gen=\d' -c 0
cp "$TMP/out" "$TMP/incr.out"
check "  page N at base + N pages, gen=1 for pages 0-7 and gen=0 after" $PY -c '
import re, sys
rows = [l.split() for l in open(sys.argv[1])]
assert len(rows) == 64, len(rows)
base = int(rows[0][1], 16)
for r in rows:
    n, gen = map(int, re.search(r"page=(\d+) gen=(\d)", " ".join(r)).groups())
    assert int(r[1], 16) == base + n * 4096, r
    assert gen == (1 if n < 8 else 0), r
' "$TMP/out"
expect "incr-pre1: a pre-dump (no pstree, no mm) is searched by its pagemap" 0 "" \
	"$CRIT" mem "$CORPUS/incr-pre1" --search-regex 'CRIMG-DIRTY-7f3a page=7 gen=\d' -c 0
check "  page 7 there is still gen=0, at the address where incr-dump has gen=1" \
	test "$(awk '{ print $1, $2, $5, $6, $7, $8 }' "$TMP/out")" = "$(awk '/page=7 / { print $1, $2, "[pre-dump]", $6, $7, $8 }' "$TMP/incr.out" | sed 's/gen=1/gen=0/')"
# a full dump of the same memory, made by Python from CRIU's decoding of the
# three pagemaps and the raw pages files, against our reading of the chain
FULL=$TMP/full
cp -r "$CORPUS/incr-dump" "$FULL" && rm "$FULL/parent" "$FULL/pages-1.img"
$PY - "$CORPUS" "$FULL" <<'EOF'
import json, sys
corpus, out = sys.argv[1], sys.argv[2]
PS = 4096
def pages(dump):
    pm = json.load(open(f"{corpus}/{dump}/expected/pagemap-3729.img.json"))["entries"]
    data = open(f"{corpus}/{dump}/pages-1.img", "rb").read()
    got, off = {}, 0
    for e in pm[1:]:
        n = e.get("nr_pages") or e.get("compat_nr_pages")
        for k in range(n):
            a = e["vaddr"] + k * PS
            if e["flags"] & 4:
                got[a] = data[off:off + PS]
                off += PS
            elif e["flags"] & 1:
                got[a] = "parent"
    return got
chain = [pages(d) for d in ("incr-dump", "incr-pre2", "incr-pre1")]
def page(a, lvl=0):
    p = chain[lvl][a]
    return page(a, lvl + 1) if p == "parent" else p
addrs = sorted(chain[0])
ents, blob = [{"pages_id": 1}], bytearray()
for a in addrs:
    last = ents[-1]
    if len(ents) > 1 and last["vaddr"] + last["nr_pages"] * PS == a:
        last["nr_pages"] += 1
    else:
        ents.append({"vaddr": a, "compat_nr_pages": 0, "flags": 4, "nr_pages": 1})
    blob += page(a)
json.dump({"magic": "PAGEMAP", "entries": ents}, open(out + "/pagemap.json", "w"))
open(out + "/pages-1.img", "wb").write(blob)
EOF
"$CRIT" encode -i "$FULL/pagemap.json" -o "$FULL/pagemap-3729.img" && rm "$FULL/pagemap.json"
"$CRIT" mem "$CORPUS/incr-dump" --pid 3729 --format json > "$TMP/incr.json"
nv=0 nbad=0
for s in $($PY -c 'import json, sys; print(" ".join(v["start"] for v in json.load(open(sys.argv[1]))["vmas"]))' "$TMP/incr.json"); do
	"$CRIT" mem "$CORPUS/incr-dump" --pid 3729 --vma "$s" -o "$TMP/i.bin" &&
		"$CRIT" mem "$FULL" --pid 3729 --vma "$s" -o "$TMP/f.bin" && cmp -s "$TMP/i.bin" "$TMP/f.bin" || nbad=$((nbad + 1))
	nv=$((nv + 1))
done
check "incr-dump reads byte for byte as a full dump of it, over all $nv VMAs" test "$nbad" = 0 -a "$nv" -ge 20
# incr-pre2 holds no page (all PE_PARENT): the bytes are in incr-dump and incr-pre1
check "  pages come from the dump itself and its grandparent (depths 0 and 2)" \
	test "$(grep -o '"depth": [0-9]' "$TMP/incr.json" | sort -u | tr '\n' ' ')" = '"depth": 0 "depth": 2 '
"$CRIT" mem "$FULL" --bytes | awk 'NR == 2 { print $4 }' > "$TMP/full.dumped"
check "  and the full dump holds as much as the chain" test "$(cat "$TMP/full.dumped")" = "$("$CRIT" mem "$CORPUS/incr-dump" --bytes | awk 'NR == 2 { print $4 }')"

# archives of a corpus dump, and the Podman archives against each other
kitchen_outputs() {
	{
		"$CRIT" mem "$1" --bytes
		"$CRIT" mem "$1" --search-regex 'CRIMG[-_A-Z]+[-=a-z0-9]*7f3a' -c 8 --format json
		"$CRIT" mem "$1" --pid 3654 --prot rw
		"$CRIT" mem "$1" --shmem 219
	} > "$2" 2>&1
}
tar -cf "$TMP/k.tar" -C "$K" . && tar -czf "$TMP/k.tar.gz" -C "$K" . && tar --zstd -cf "$TMP/k.tar.zst" -C "$K" .
kitchen_outputs "$K" "$TMP/k.dir"
check "kitchen: the outputs compared hold the markers" grep -q '"printable": "CRIMG-MARKER-HEAP-7f3a"' "$TMP/k.dir"
for a in tar tar.gz tar.zst; do
	kitchen_outputs "$TMP/k.$a" "$TMP/k.out.$a"
	same "kitchen: the same answers from a .$a archive" "$TMP/k.dir" "$TMP/k.out.$a"
done
podman_outputs() {
	{
		"$CRIT" mem "$1" --bytes
		"$CRIT" mem "$1" --search CRIMG-CONTAINER-7f3a --format json
		"$CRIT" mem "$1" --pid 8 --prot rw
	} > "$2" 2>&1
}
# (three checkpoints of one running container: each against its own unpacking)
PA=$CORPUS/archives
for a in podman-busybox-none.tar podman-busybox-gzip.tar.gz podman-busybox-zstd.tar.zst; do
	podman_outputs "$(extract_archive "$PA/$a")" "$TMP/p.dir"
	check "podman $a: the container's marker is in its memory" grep -q '"printable": "CRIMG-CONTAINER-7f3a"' "$TMP/p.dir"
	podman_outputs "$PA/$a" "$TMP/p.$a"
	same "podman: $a gives the answers of its unpacked checkpoint" "$TMP/p.dir" "$TMP/p.$a"
done

finish
