#!/usr/bin/env bash
# asan-ok
# Issue 5, crit diff: a checkpoint diffed with itself and with its archive
# forms (and its OCI form, once crit-convert exists) reports nothing, exit 0;
# a copy of the sample changed through JSON shows exactly what was changed
# (golden text, JSON, --stat, --only, --ignore, --mem-bytes in tests/diff/,
# UPDATE=1 rewrites them); pids remapped pair by command line; one field
# changed in an image shows that field and nothing else, at checkpoint and
# image level; every extra-payload kind compares its payload; on the corpus
# the pre-dump/dump pair shows the dirtied pages where the workload wrote
# them (checked against the pages files themselves), and dumps of different
# workloads show the tasks, fds and VMAs they differ by; bad input exits 2
# with one precise line.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples
D=$S/demo
GOLD=$TOP/tests/diff
PY=/usr/bin/python3
export NO_COLOR=1

# expect NAME STATUS PATTERN CMD...: exit status, and one line on stderr
# matching PATTERN (nothing on stderr when PATTERN is empty); output in $TMP/out
expect() {
	local name=$1 want=$2 pat=$3
	shift 3
	"$@" > "$TMP/out" 2> "$TMP/err"
	local rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$name: exit status $rc, want $want ($(head -c 300 "$TMP/err"))"
	elif [ -z "$pat" ] && [ -s "$TMP/err" ]; then
		fail "$name: unexpected stderr: $(head -c 300 "$TMP/err")"
	elif [ -n "$pat" ] && { [ "$(grep -vc '^see ' "$TMP/err")" -ne 1 ] || ! grep -qE -- "$pat" "$TMP/err"; }; then
		fail "$name: stderr '$(cat "$TMP/err")' is not one line matching /$pat/"
	else
		pass "$name"
	fi
}
# golden NAME: $TMP/out equals tests/diff/NAME (UPDATE=1 rewrites it)
golden() {
	[ -n "${UPDATE:-}" ] && cp "$TMP/out" "$GOLD/$1"
	if cmp -s "$GOLD/$1" "$TMP/out"; then
		pass "  output = tests/diff/$1"
	else
		fail "  output differs from tests/diff/$1: $(diff "$GOLD/$1" "$TMP/out" | head -6 | tr '\n' ' ')"
	fi
}
# nothing NAME A B [OPTS]: no difference, no output, exit 0 (text and JSON)
nothing() {
	local name=$1 a=$2 b=$3
	shift 3
	expect "$name: exit 0" 0 "" "$CRIT" diff "$a" "$b" "$@"
	check "  prints nothing" test ! -s "$TMP/out"
	expect "  --format json: exit 0" 0 "" "$CRIT" diff "$a" "$b" --format json "$@"
	check "  an empty list" test "$(cat "$TMP/out")" = "[]"
}
# pyjson CODE: runs CODE with d = the JSON list in $TMP/out
pyjson() { $PY -c "import json, sys; d = json.load(open(sys.argv[1])); $1" "$TMP/out"; }
# tarball SRC OUT FLAG: an archive of SRC's files (no directory in the names)
tarball() { (cd "$1" && tar "$3" -cf "$2" ./*); }
mkdir -p "$GOLD"

# ------------------------------------------------- the sample checkpoint ---
if [ ! -d "$D" ]; then
	fail "no samples (make samples)"
	finish
	exit
fi
nothing "demo diffed with itself" "$D" "$D"
tarball "$D" "$TMP/demo.tar" ""
nothing "demo vs its .tar" "$D" "$TMP/demo.tar"
tarball "$D" "$TMP/demo.tar.gz" -z
nothing "demo vs its .tar.gz" "$D" "$TMP/demo.tar.gz"
nothing "its .tar.gz vs its .tar" "$TMP/demo.tar.gz" "$TMP/demo.tar"
if command -v zstd > /dev/null; then
	tarball "$D" "$TMP/demo.tar.zst" --zstd
	nothing "demo vs its .tar.zst" "$D" "$TMP/demo.tar.zst"
else
	skip "no zstd: .tar.zst form not tested"
fi
# OCI form: crit-convert is another tool's work; once it exists, this runs
if [ -x "$BUILD/bin/crit-convert" ]; then
	if "$BUILD/bin/crit-convert" "$D" "$TMP/demo-oci" --to oci > "$TMP/conv.out" 2>&1; then
		nothing "demo vs its OCI form (crit-convert --to oci)" "$D" "$TMP/demo-oci"
	else
		fail "crit-convert $D X --to oci failed: $(head -c 300 "$TMP/conv.out")"
	fi
else
	skip "OCI form: $BUILD/bin/crit-convert not built yet"
fi

# ---- A: the sample with a signal table; B: A changed through JSON ----
# Both are encoded here from the sample's JSON by our crit encode.
$PY - "$TOP/samples/demo" "$TMP/ja" "$TMP/jb" <<'EOF'
import copy, json, os, sys
src, ja, jb = sys.argv[1:]
os.makedirs(ja)
os.makedirs(jb)
imgs = {n[:-5]: json.load(open(os.path.join(src, n))) for n in os.listdir(src) if n.endswith('.json')}
# A: core-100 gets a signal table (64 SIG_DFL entries)
sa = {"sigaction": "0x0", "flags": "0x0", "restorer": "0x0", "mask": "0x0"}
imgs["core-100"]["entries"][0]["tc"]["sigactions"] = [dict(sa) for _ in range(64)]
a = imgs
b = copy.deepcopy(imgs)
core = b["core-100"]["entries"][0]
core["thread_core"]["creds"]["uid"] = 1000                 # creds
core["thread_core"]["creds"]["groups"] = [0, 27]
core["thread_info"]["gpregs"]["ip"] = "0x7f0000577600"     # regs
core["tc"]["sigactions"][9] = {"sigaction": "0x555500001230", "flags": "0x4000000",
                               "restorer": "0x7f0000401000", "mask": "0x0"}  # SIGUSR1
core["tc"]["rlimits"]["rlimits"][1]["cur"] = 4096          # task
# a new task 103, child of 100: a copy of thread 102's core
b["pstree"]["entries"].append({"pid": 103, "ppid": 100, "pgid": 100, "sid": 100, "threads": [103]})
b["core-103"] = copy.deepcopy(b["core-102"])
# memory map of 100: heap grows, data loses PROT_WRITE, a new anonymous VMA
v = b["mm-100"]["entries"][0]["vmas"]
v[1]["prot"] = "PROT_READ"
v[2]["end"] = "0x555500030000"
v.insert(3, {"start": "0x7f0000000000", "end": "0x7f0000004000", "pgoff": 0, "shmid": 0,
             "prot": "PROT_READ | PROT_WRITE", "flags": "MAP_PRIVATE | MAP_ANON",
             "status": "VMA_AREA_REGULAR | VMA_ANON_PRIVATE", "fd": -1})
# fds of 100 (fdinfo-2): fd 4 (a socket) closed, fd 7 a new pipe end;
# file 6 (fd 0 of 100 and 101) read further
fi = b["fdinfo-2"]["entries"]
b["fdinfo-2"]["entries"] = [e for e in fi if e["fd"] != 4] + [{"id": 7, "flags": 0, "type": "PIPE", "fd": 7}]
for f in b["files"]["entries"]:
    if f["id"] == 6:
        f["reg"]["pos"] = 4096
b["fs-100"]["entries"][0]["umask"] = 63
for d, imgs in ((ja, a), (jb, b)):
    for n, j in imgs.items():
        json.dump(j, open(os.path.join(d, n + ".json"), "w"))
EOF
mkimg() { # JSONDIR OUTDIR: encode every image, copy the pages files of the sample
	mkdir -p "$2"
	for j in "$1"/*.json; do
		n=$(basename "$j" .json)
		"$CRIT" encode -i "$j" -o "$2/$n.img" || fail "encode $j"
	done
	cp "$D"/pages-*.img "$2/"
}
mkimg "$TMP/ja" "$TMP/A"
mkimg "$TMP/jb" "$TMP/B"
# B's heap page 0x555500007000 (page 3 of pages-1.img): 10 bytes rewritten
printf 'CHANGED!!!' | dd of="$TMP/B/pages-1.img" bs=1 seek=$((2 * 4096 + 100)) conv=notrunc status=none

nothing "A (the sample with a signal table) vs its own copy" "$TMP/A" "$TMP/A"
expect "A vs B: differences, exit 1" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B"
golden demo.txt
expect "A vs B --format json: exit 1" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --format json
golden demo.json
check "  the JSON is a list of {category, op, path, before, after}" pyjson '
assert isinstance(d, list) and d
for x in d:
    assert {"category", "op", "path", "before", "after"} <= set(x), x
    assert x["op"] in ("changed", "added", "removed")
    assert (x["before"] is None) == (x["op"] == "added") and (x["after"] is None) == (x["op"] == "removed"), x'
check "  exactly the changes made, by path" pyjson '
p = {x["path"]: x for x in d}
want = {
 "task[103]": "added",
 "task[100].creds.uid": "changed", "task[100].creds.groups": "changed", "task[100].regs.ip": "changed",
 "task[100].sigaction[SIGUSR1].sigaction": "changed", "task[100].sigaction[SIGUSR1].flags": "changed",
 "task[100].sigaction[SIGUSR1].restorer": "changed", "task[100].tc.rlimits.rlimits[1].cur": "changed",
 "task[100].vma[0x555500003000].prot": "changed", "task[100].vma[0x555500006000].end": "changed",
 "task[100].vma[0x7f0000000000]": "added",
 "task[100].fd[0].pos": "changed", "task[100].fd[4]": "removed", "task[100].fd[7]": "added",
 "task[100].umask": "changed", "task[101].fd[0].pos": "changed",
 "task[100].mem[0x555500007000-0x555500008000]": "changed",
}
assert {k: v["op"] for k, v in p.items()} == want, sorted(set(p) ^ set(want))
assert p["task[100].creds.uid"]["before"] == 0 and p["task[100].creds.uid"]["after"] == 1000
assert p["task[100].regs.ip"]["after"] == "0x7f0000577600"
assert p["task[100].vma[0x555500003000].prot"]["before"] == "PROT_READ | PROT_WRITE"
assert p["task[100].vma[0x555500003000].prot"]["after"] == "PROT_READ"
assert p["task[100].fd[4]"]["category"] == "socket" and p["task[100].fd[7]"]["after"].startswith("PIPE")
m = p["task[100].mem[0x555500007000-0x555500008000]"]
# 10 bytes written where the page held zeros
assert m["category"] == "memory" and m["pages"] == 1 and m["bytes"] == 10 and m["vma"]["file"] == "[heap]", m'
expect "--stat" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --stat
golden demo-stat.txt
expect "--stat --format json" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --stat --format json
check "  counts per category, and the page bytes compared" pyjson '
assert d["total"] == 17 and d["creds"] == 2 and d["regs"] == 1 and d["sigaction"] == 3
assert d["vma"] == 3 and d["fd"] == 4 and d["socket"] == 1 and d["memory"] == 1 and d["task"] == 2
assert d["memory_pages"] == 1 and d["memory_bytes"] == 10
# both tasks: every saved page of A and B compared once (4 + 4 pages a side)
assert d["compared_bytes"] == 2 * 8 * 4096, d'
expect "--only memory --mem-bytes" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --only memory --mem-bytes
golden demo-mem-bytes.txt
expect "--only memory --mem-bytes --format json" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --only memory --mem-bytes --format json
check "  the differing row, before and after in hex" pyjson '
(m,) = d
assert m["rows"] == [{"addr": "0x555500007060", "before": "00" * 16,
                      "after": (b"\0" * 4 + b"CHANGED!!!" + b"\0" * 2).hex()}], m["rows"]
assert m["rows_left_out"] == 0'
expect "--only creds,regs --only sigaction" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --only creds,regs --only sigaction
golden demo-only.txt
expect "--ignore: a subtree, a glob, a category left" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" \
	--ignore 'task[100].sigaction' --ignore 'task[*].fd[0]' --ignore '*.mem[*]' --ignore 'task[103]' --only task,sigaction,fd,memory
golden demo-ignore.txt
expect "-q: nothing printed, exit 1" 1 "" "$CRIT" diff -q "$TMP/A" "$TMP/B"
check "  prints nothing" test ! -s "$TMP/out"
expect "-q on equal checkpoints: exit 0" 0 "" "$CRIT" diff -q "$TMP/A" "$TMP/A"
expect "--color=always colours the text" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --color=always --only creds
check "  header bold" grep -qF $'\e[1mtask 100 crimg-demo\e[m' "$TMP/out"
check "  before red, after green" grep -qF $'\e[31m0\e[m -> \e[32m1000\e[m' "$TMP/out"
expect "--color=auto is off on a pipe" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --only creds --color
check "  (--color alone is always)" grep -qF $'\e[' "$TMP/out"
NO_COLOR= expect "  auto, not a terminal: no colour" 1 "" "$CRIT" diff "$TMP/A" "$TMP/B" --only creds --color=auto
check "  no escape sequences" bash -c "! grep -qF \$'\\e[' '$TMP/out'"

# ---- an image only on one side is an image difference, whatever it holds ----
X=$TMP/extra-images
mkdir -p "$X"
cp "$D"/* "$X/"
cp "$S/extras/tcp-stream-1773.img" "$S/extras/ipcns-msg-11.img" "$X/"
nothing "images only in B: nothing under --only socket,ns,task" "$D" "$X" --only socket,ns,task
expect "images only in B: --only image" 1 "" "$CRIT" diff "$D" "$X" --only image
check "  both added, as images" test "$(cat "$TMP/out")" = "+ image ipcns-msg-11.img: IPCNS_MSG image, $(stat -c %s "$X/ipcns-msg-11.img") bytes
+ image tcp-stream-1773.img: TCP_STREAM image, $(stat -c %s "$X/tcp-stream-1773.img") bytes"
expect "images only in B: --stat" 1 "" "$CRIT" diff "$D" "$X" --stat --format json
check "  counted under image only" pyjson "assert d['image'] == 2 and d['total'] == 2, d"

# ---- pids remapped: pairs by command line (and by place in the tree) ----
R=$TMP/remapped
mkdir -p "$R"
cp "$TMP/A"/* "$R/"
for pid in 100 101 102; do
	for k in core fs ids mm pagemap; do
		[ -f "$R/$k-$pid.img" ] && mv "$R/$k-$pid.img" "$R/$k-$((pid + 100)).img"
	done
done
"$CRIT" decode -i "$R/pstree.img" | sed 's/\b10\([012]\)\b/20\1/g' > "$TMP/pstree.json"
"$CRIT" encode -i "$TMP/pstree.json" -o "$R/pstree.img"
expect "pids remapped, --match pid: tasks removed and added" 1 "" "$CRIT" diff "$TMP/A" "$R" --only task
check "  2 removed, 2 added" test "$(grep -c '^- task' "$TMP/out") $(grep -c '^+ task' "$TMP/out")" = "2 2"
nothing "pids remapped, --match cmd: the same checkpoint" "$TMP/A" "$R" --match cmd
nothing "pids remapped, --match tree: the same checkpoint" "$TMP/A" "$R" --match tree
expect "  --match cmd still sees what changed" 1 "" "$CRIT" diff "$TMP/B" "$R" --match cmd --only creds
check "  named by both pids" grep -qx '  ~ creds.uid: 1000 -> 0' "$TMP/out"
check "  the group names both pids" grep -qx 'task 100 -> 200 crimg-demo' "$TMP/out"

# ---- one field changed through JSON shows that field and nothing else ----
one_field() { # IMAGE PYTHON-EDIT EXPECTED-PATH-IN-CHECKPOINT
	local img=$1 edit=$2 want=$3 C=$TMP/one
	rm -rf "$C"
	mkdir -p "$C"
	cp "$TMP/A"/* "$C/"
	"$CRIT" decode -i "$C/$img" > "$TMP/one.json"
	$PY -c "import json, sys; d = json.load(open(sys.argv[1])); e = d['entries']; $edit; json.dump(d, open(sys.argv[1], 'w'))" "$TMP/one.json"
	"$CRIT" encode -i "$TMP/one.json" -o "$C/$img"
	expect "$img: one field edited, checkpoint level" 1 "" "$CRIT" diff "$TMP/A" "$C" --format json
	check "  exactly one difference: $want" pyjson "assert [x['path'] for x in d] == ['$want'], d"
	expect "$img: the same, image level" 1 "" "$CRIT" diff "$TMP/A/$img" "$C/$img" --format json
	check "  exactly one difference in the image" pyjson "assert len(d) == 1 and d[0]['category'] == 'image' and d[0]['op'] == 'changed', d"
	cp "$TMP/out" "$TMP/one.out"
}
one_field core-101.img "e[0]['thread_core']['creds']['euid'] = 7" 'task[101].creds.euid'
check "  image path" grep -q '"path": "core-101.img\[0\].thread_core.creds.euid", "before": 0, "after": 7' "$TMP/one.out"
one_field mm-101.img "e[0]['vmas'][3]['prot'] = 1" 'task[101].vma[0x7ffc00000000].prot'
check "  image path: the VMA by its start address" grep -q '"path": "mm-101.img\[0\].vmas\[start=0x7ffc00000000\].prot", "before": "PROT_READ | PROT_WRITE", "after": "PROT_READ"' "$TMP/one.out"
one_field pstree.img "e[1]['sid'] = 77" 'task[101].sid'
check "  image path: the task by its pid" grep -q '"path": "pstree.img\[pid=101\].sid"' "$TMP/one.out"
one_field files.img "[f for f in e if f['id'] == 9][0]['usk']['backlog'] = 5" 'task[100].fd[3].backlog'
one_field inventory.img "e[0]['img_version'] = 3" 'inventory.img[0].img_version'
expect "image level, text" 1 "" "$CRIT" diff "$TMP/A/core-100.img" "$TMP/B/core-100.img"
golden image-core.txt
nothing "an image diffed with its own copy" "$TMP/A/core-101.img" "$TMP/B/core-101.img"
expect "an image diffed with another of its kind" 1 "" "$CRIT" diff "$D/core-100.img" "$D/core-101.img"
golden image-core-100-101.txt

# ---- every extra-payload kind: the payload is compared ----
X=$S/extras
if [ -d "$X" ]; then
	for img in "$X"/*.img; do
		n=$(basename "$img")
		expect "$n diffed with itself" 0 "" "$CRIT" diff "$img" "$img"
	done
	mkdir -p "$TMP/ex"
	"$CRIT" decode -i "$X/pipes-data.img" > "$TMP/pd.json"
	$PY -c "
import base64, json, sys
d = json.load(open(sys.argv[1]))
e = d['entries'][0]
e['extra'] = base64.encodebytes(b'X' + base64.decodebytes(e['extra'].encode())[1:]).decode()
json.dump(d, open(sys.argv[1], 'w'))" "$TMP/pd.json"
	"$CRIT" encode -i "$TMP/pd.json" -o "$TMP/ex/pipes-data.img"
	expect "pipes-data.img: one byte of pipe data changed" 1 "" "$CRIT" diff "$X/pipes-data.img" "$TMP/ex/pipes-data.img" --format json
	check "  the entry's extra, nothing else" pyjson 'assert [x["path"] for x in d] == ["pipes-data.img[pipe_id=%s].extra" % d[0]["path"].split("=")[1].split("]")[0]] and d[0]["category"] == "image", d'
	"$CRIT" decode -i "$X/ipcns-sem-11.img" > "$TMP/sem.json"
	$PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
d['entries'][0]['extra'][1] += 1
json.dump(d, open(sys.argv[1], 'w'))" "$TMP/sem.json"
	"$CRIT" encode -i "$TMP/sem.json" -o "$TMP/ex/ipcns-sem-11.img"
	expect "ipcns-sem: one semaphore value changed" 1 "" "$CRIT" diff "$X/ipcns-sem-11.img" "$TMP/ex/ipcns-sem-11.img" --format json
	check "  the entry's extra" pyjson 'assert len(d) == 1 and d[0]["path"].endswith(".extra"), d'
else
	fail "no samples/extras"
fi

# ---- raw images: block by block ----
expect "two pages images" 1 "" "$CRIT" diff "$TMP/A/pages-1.img" "$TMP/B/pages-1.img" --mem-bytes
golden raw-pages.txt
mkdir -p "$TMP/short"
head -c 5000 "$TMP/A/pages-1.img" > "$TMP/short/pages-1.img"
expect "a pages image and a shorter one" 1 "" "$CRIT" diff "$TMP/A/pages-1.img" "$TMP/short/pages-1.img" --format json
check "  the common part equal, the rest only in A" pyjson '
assert [(x["start"], x["end"], x["before"], x["after"]) for x in d] == [("0x1388", "0x4000", "data", "none")], d
assert d[0]["bytes"] == 0x4000 - 5000'

# ---- bad input: exit 2, one line saying what is wrong ----
expect "a missing directory" 2 "^crit: $TMP/nope: No such file or directory$" "$CRIT" diff "$D" "$TMP/nope"
expect "a missing image" 2 "^crit: $TMP/nope.img: No such file or directory$" "$CRIT" diff "$D/core-100.img" "$TMP/nope.img"
expect "images of different kinds" 2 "^crit: $D/core-100.img \(CORE\) and $D/mm-100.img \(MM\) are images of different kinds: nothing to compare$" \
	"$CRIT" diff "$D/core-100.img" "$D/mm-100.img"
expect "an image and a raw image" 2 "\(CORE\) and .*pages-1.img \(PAGES\) are images of different kinds" \
	"$CRIT" diff "$D/core-100.img" "$D/pages-1.img"
expect "a checkpoint and an image" 2 "^crit: $D is a checkpoint, $D/core-100.img is a single image: compare two checkpoints or two images$" \
	"$CRIT" diff "$D" "$D/core-100.img"
mkdir -p "$TMP/empty"
expect "a directory that is no checkpoint" 2 "^crit: $TMP/empty" "$CRIT" diff "$D" "$TMP/empty"
printf 'not an archive' > "$TMP/junk.tar.gz"
expect "a file that is neither image nor archive" 2 "junk.tar.gz" "$CRIT" diff "$TMP/junk.tar.gz" "$D"
cp -r "$TMP/A" "$TMP/broken"
head -c 40 "$TMP/A/mm-100.img" > "$TMP/broken/mm-100.img"
expect "a damaged image" 2 "^crit: mm-100.img: " "$CRIT" diff "$TMP/A" "$TMP/broken"
expect "one argument" 2 "^crit diff: error: expected two checkpoints or images, A and B$" "$CRIT" diff "$D"
expect "an unknown category" 2 "unknown category 'mem'" "$CRIT" diff --only mem "$D" "$D"
expect "a bad --match" 2 "'name' is not pid, cmd or tree" "$CRIT" diff --match name "$D" "$D"
expect "a bad --color" 2 "'sometimes' is not auto, always or never" "$CRIT" diff --color=sometimes "$D" "$D"
expect "an unknown option" 2 "unknown option '--frobnicate'" "$CRIT" diff --frobnicate "$D" "$D"
expect "--help" 0 "" "$CRIT" diff --help
check "  says what it compares, the categories and the exit status" \
	bash -c "grep -q '^usage: crit diff \[options\] A B' '$TMP/out' && grep -q '^categories:' '$TMP/out' && grep -q '^Exit status: 0 when A and B are the same, 1 when they differ, 2 on' '$TMP/out'"
expect "crit-diff runs on its own too" 0 "" "$BUILD/bin/crit-diff" "$D" "$D"

# ------------------------------------------------------------- the corpus ---
if ! have_corpus; then
	skip "corpus not found ($CORPUS): corpus checks"
	finish
	exit
fi
C=$CORPUS
# every dump diffed with itself
for dir in "$C"/*/ "$C"/foreign/*/; do
	dir=${dir%/}
	[ -f "$dir/inventory.img" ] || continue
	expect "$(basename "$dir") diffed with itself: nothing, exit 0" 0 "" "$CRIT" diff "$dir" "$dir"
	check "  prints nothing" test ! -s "$TMP/out"
done
# a dump and its archive forms
for f in "" -z --zstd; do
	[ "$f" = --zstd ] && ! command -v zstd > /dev/null && continue
	tarball "$C/kitchen" "$TMP/kitchen.tar$f" "$f"
	nothing "kitchen vs its archive (tar $f)" "$C/kitchen" "$TMP/kitchen.tar$f"
done
nothing "a Podman archive diffed with itself" "$C/archives/podman-busybox-zstd.tar.zst" "$C/archives/podman-busybox-zstd.tar.zst"

# The pre-dump and the dump: the 8 pages the workload rewrote with gen=1
# (dirty.c; MANIFEST.md), where incr-dump's pagemap has its one PE_PRESENT
# run; nothing else.  Bytes counted here from the pages files themselves.
"$CRIT" decode -i "$C/incr-dump/pagemap-3729.img" > "$TMP/pm-dump.json"
"$CRIT" decode -i "$C/incr-pre1/pagemap-3729.img" > "$TMP/pm-pre1.json"
$PY - "$TMP/pm-dump.json" "$TMP/pm-pre1.json" "$C/incr-dump/pages-1.img" "$C/incr-pre1/pages-1.img" > "$TMP/dirty.want" <<'EOF'
import json, sys
dump, pre1 = (json.load(open(p))["entries"][1:] for p in sys.argv[1:3])
(run,) = [e for e in dump if e["flags"] & 4]                 # PE_PRESENT
start, n = run["vaddr"], run["nr_pages"]
new = open(sys.argv[3], "rb").read()[:n * 4096]
old, off = None, 0
for e in pre1:                                             # pre1 holds every page
    if e["vaddr"] <= start < e["vaddr"] + e["nr_pages"] * 4096:
        at = off + start - e["vaddr"]
        old = open(sys.argv[4], "rb").read()[at:at + n * 4096]
    off += e["nr_pages"] * 4096 if e["flags"] & 4 else 0
assert len(old) == len(new) == n * 4096
for p in range(n):
    assert old[p * 4096:].startswith(b"CRIMG-DIRTY-7f3a page=%d gen=0" % p)
    assert new[p * 4096:].startswith(b"CRIMG-DIRTY-7f3a page=%d gen=1" % p)
print("0x%x 0x%x %d %d" % (start, start + n * 4096, n, sum(a != b for a, b in zip(old, new))))
EOF
read -r dstart dend dpages dbytes < "$TMP/dirty.want"
for pre in incr-pre1 incr-pre2; do
	expect "$pre vs incr-dump, memory: exit 1" 1 "" "$CRIT" diff "$C/$pre" "$C/incr-dump" --only memory --format json
	check "  one range: the $dpages rewritten pages at $dstart, $dbytes bytes" pyjson "
(m,) = d
assert (m['path'], m['start'], m['end'], m['pages'], m['bytes']) == ('task[3729].mem[$dstart-$dend]', '$dstart', '$dend', $dpages, $dbytes), m
assert m['vma']['perms'] == '---p', m"
done
expect "incr-pre1 vs incr-dump, everything" 1 "" "$CRIT" diff "$C/incr-pre1" "$C/incr-dump"
golden corpus-incr.txt
nothing "incr-pre1 vs incr-pre2 (every page left in the parent): same memory" "$C/incr-pre1" "$C/incr-pre2" --only memory
# seccomp.img is new in the dump: an image added, not a task difference
nothing "incr-pre2 vs incr-dump, --only task" "$C/incr-pre2" "$C/incr-dump" --only task
expect "incr-pre2 vs incr-dump, --only image" 1 "" "$CRIT" diff "$C/incr-pre2" "$C/incr-dump" --only image
check "  + image seccomp.img" grep -qx '+ image seccomp.img: SECCOMP image, 12 bytes' "$TMP/out"
expect "incr-dump vs incr-pre2, the other way round" 1 "" "$CRIT" diff "$C/incr-dump" "$C/incr-pre2" --only memory --stat --format json
check "  the same $dpages pages" pyjson "assert d['memory'] == 1 and d['memory_pages'] == $dpages and d['memory_bytes'] == $dbytes, d"

# Different workloads: tree (CRIU 4.2) and tree-nopidfd (the same program
# without the pidfd, CRIU 3.17): the 6 tasks pair by command, and of the
# descriptors only the parent's pidfd differs.
expect "tree vs foreign tree-nopidfd, --match cmd" 1 "" "$CRIT" diff "$C/tree" "$C/foreign/x86_64-criu317-tree" --match cmd --format json
check "  every task paired (none added or removed), the pidfd the only descriptor gone" pyjson '
assert not [x for x in d if x["category"] == "task" and x["op"] != "changed"], "unpaired tasks"
fds = [(x["path"], x["op"], x["after"] or x["before"]) for x in d if x["category"] in ("fd", "socket") and x["op"] != "changed"]
assert fds == [("task[3676->253].fd[11]", "removed", "PIDFD pid 3679")], fds
# (the zombie, 3683 -> 261, pairs too and shows no difference)
pairs = sorted({x["path"].split("]")[0] + "]" for x in d if x["path"].startswith("task[")})
assert pairs == ["task[3676->253]", "task[3679->257]", "task[3680->258]", "task[3682->260]", "task[3684->259]"], pairs'
# sleep and tcp, paired by place in the tree: tcp's six sockets appear, the
# program and its mappings change
expect "sleep vs tcp, --match tree" 1 "" "$CRIT" diff "$C/sleep" "$C/tcp" --match tree --only fd,socket
golden corpus-sleep-tcp-fds.txt
expect "sleep vs tcp, the memory map" 1 "" "$CRIT" diff "$C/sleep" "$C/tcp" --match tree --only vma --format json
check "  the executable, and its VMAs gone and added" pyjson '
p = {x["path"]: x for x in d}
assert p["task[3635->3703].mm.exe"]["before"] == "/usr/bin/sleep" and p["task[3635->3703].mm.exe"]["after"] == "/tmp/crimg/tcp"
gone = [x["before"] for x in d if x["op"] == "removed" and x["before"].endswith("/usr/bin/sleep")]
new = [x["after"] for x in d if x["op"] == "added" and x["after"].endswith("/tmp/crimg/tcp")]
assert len(gone) == 5 and len(new) == 5, (gone, new)'
expect "sleep vs tcp without pairing: one task gone, one new" 1 "" "$CRIT" diff "$C/sleep" "$C/tcp" --only task
check "  exactly" test "$(cat "$TMP/out")" = "- task 3635 sleep: sleep (pid 3635, ppid 0, 1 thread)
+ task 3703 tcp: tcp (pid 3703, ppid 0, 1 thread)"
# one field of a corpus image changed through JSON
rm -rf "$TMP/sleep2"
cp -r "$C/sleep" "$TMP/sleep2"
"$CRIT" decode -i "$C/sleep/core-3635.img" > "$TMP/c.json"
$PY -c "import json, sys; d = json.load(open(sys.argv[1])); d['entries'][0]['thread_core']['creds']['uid'] = 1000; json.dump(d, open(sys.argv[1], 'w'))" "$TMP/c.json"
"$CRIT" encode -i "$TMP/c.json" -o "$TMP/sleep2/core-3635.img"
expect "sleep with creds.uid edited: that field and nothing else" 1 "" "$CRIT" diff "$C/sleep" "$TMP/sleep2"
check "  exactly" test "$(cat "$TMP/out")" = "task 3635 sleep
  ~ creds.uid: 0 -> 1000"
finish
