#!/usr/bin/env bash
# asan-ok
# Issue 16, item 1: crit convert --byte-order.  Every dump of the corpus
# (x86_64, aarch64, big-endian s390x, CRIU 3.17) and the sample go to the
# other byte order and back to the very same bytes (modes and mtimes
# too); the copy in between really is in the other order (its magics'
# bytes), keeps raw images as they were, and gives the same views: crit x
# (every view, text and JSON), crit mem (the table, and a search in every
# process), crit decode --pretty of every image (and compact JSON where no
# IP address is), crit inspect.  A checkpoint with what CRIU copies from
# memory into entries (pending signals of every siginfo_t layout, seccomp
# and socket filters, SysV semaphores and message queues, ghost chunks),
# made once as a little-endian and once as a big-endian CRIU would write
# it, converts into the other byte for byte.  Archives, OCI and JSON
# destinations; --report; the same order (a plain copy); usage errors
# (exit 2) and damaged images (exit 1, the file and offset named, no DST,
# nothing left beside it).
# On the ASan build the corpus loop covers a few dumps (the rest is the same code).
. "$(dirname "$0")/lib.sh"
CONV=$BUILD/bin/crit-convert
H=$TOP/tests/convert
ASAN=
case $BUILD in *asan*) ASAN=1 ;; esac

if [ ! -x "$CONV" ]; then
	fail "crit-convert is not built ($CONV)"
	finish
	exit
fi

# conv NAME ARGS...: crit-convert -q ARGS must succeed
conv() {
	local n=$1
	shift
	"$CONV" -q "$@" > "$TMP/conv.out" 2> "$TMP/conv.err" && return 0
	fail "$n: crit-convert $*: exit $? ($(head -c 300 "$TMP/conv.err"))"
	return 1
}

# same_tree NAME A B: same names, types, bytes, symlinks, modes and mtimes
same_tree() {
	if python3 "$H/same_tree.py" "$2" "$3" > "$TMP/same.out" 2>&1; then
		pass "$1"
	else
		fail "$1: $(head -3 "$TMP/same.out" | tr '\n' ' ')"
	fi
}

# order_of FILE: the byte order its first word is CRIU's magic in
# ("little", "big"; "none" for anything else), read from the bytes
# themselves: the inventory starts with its own magic, the rest with
# IMG_COMMON or IMG_SERVICE
order_of() {
	case $(od -An -tx1 -N4 "$1" | tr -d ' \n') in
	16313158 | 19435654 | 40591055) echo little ;;
	58313116 | 54564319 | 55105940) echo big ;;
	*) echo none ;;
	esac
}

# same_out NAME CMD...: CMD on SRC and on the copy gives the same stdout
# and exit status; @ in CMD stands for the checkpoint
same_out() {
	local n=$1 a b ea eb
	shift
	"${@//@/$X_SRC}" > "$TMP/so.a" 2> /dev/null
	ea=$?
	"${@//@/$X_MID}" > "$TMP/so.b" 2> /dev/null
	eb=$?
	if [ $ea = $eb ] && cmp -s "$TMP/so.a" "$TMP/so.b"; then
		SAME_OK=$((SAME_OK + 1))
	else
		fail "$n: $* (exit $ea and $eb): $(diff "$TMP/so.a" "$TMP/so.b" | head -3 | tr '\n' ' ')"
	fi
	return $ea
}

# ---- every dump: to the other order and back -------------------------------
# same_json NAME A B: the JSON directories A and B (convert --to json-dir)
# hold the same files, the same JSON (crit decode --pretty) of each image,
# and manifests that differ in byte_order only
same_json() {
	if python3 - "$2" "$3" > "$TMP/sj.out" 2>&1 <<-'EOF'
	import json, os, sys
	a, b = sys.argv[1], sys.argv[2]
	na, nb = sorted(os.listdir(a)), sorted(os.listdir(b))
	assert na == nb, (na, nb)
	ma = json.load(open(os.path.join(a, "crimg-json-dir.json")))
	mb = json.load(open(os.path.join(b, "crimg-json-dir.json")))
	assert [(i["image"], i["json"]) for i in ma["images"]] == \
	    [(i["image"], i["json"]) for i in mb["images"]], "the same images"
	for i in ma["images"]:
	    x = open(os.path.join(a, i["json"]), "rb").read()
	    y = open(os.path.join(b, i["json"]), "rb").read()
	    assert x == y, i["json"] + " differs"
	print(len(ma["images"]))
	EOF
	then
		pass "$1: crit decode --pretty gives the same JSON for all $(cat "$TMP/sj.out") images"
	else
		fail "$1: $(tail -2 "$TMP/sj.out" | tr '\n' ' ')"
	fi
}

# same_compact NAME A B: the JSON bundles A and B (crit decode's compact
# JSON of each image) are the same but for the byte order recorded and the
# IP addresses, which compact JSON holds as the words CRIU saved
same_compact() {
	if python3 - "$2" "$3" > "$TMP/sc.out" 2>&1 <<-'EOF'
	import json, sys
	fa = json.load(open(sys.argv[1]))["files"]
	fb = json.load(open(sys.argv[2]))["files"]
	assert [f["path"] for f in fa] == [f["path"] for f in fb]
	same = addr = 0
	for x, y in zip(fa, fb):
	    if x["type"] != "image":
	        continue
	    assert y["type"] == "image" and x["byte_order"] != y["byte_order"], x["path"]
	    if x["image"] == y["image"]:
	        same += 1
	    else:
	        assert "src_addr" in json.dumps(x["image"]), x["path"] + " differs"
	        addr += 1
	print(same, "the same,", addr, "with IP addresses as other words")
	EOF
	then
		pass "$1: crit decode (compact): $(cat "$TMP/sc.out")"
	else
		fail "$1: compact JSON: $(tail -2 "$TMP/sc.out" | tr '\n' ' ')"
	fi
}

# round NAME SRC MID BACK: SRC -> the other order (MID) -> SRC's order (BACK)
round() {
	local n=$1 src=$2 mid=$3 back=$4 from to f bad=0 raw=0 framed=0 v fm
	from=$(order_of "$src/inventory.img")
	[ "$from" = big ] && to=little || to=big
	[ "$from" = "$(byte_order_of "$src")" ] || fail "$n: the inventory is $from-endian"
	"$CONV" --byte-order $to "$src" "$mid" > "$TMP/to.out" 2> "$TMP/to.err" ||
		{ fail "$n: to $to: $(head -c 300 "$TMP/to.err")"; return; }
	conv "$n: back to $from" --byte-order $from "$mid" "$back" || return
	same_tree "$n: $from -> $to -> $from gives the same bytes, modes and mtimes" "$src" "$back"
	X_SRC=$src X_MID=$mid
	# the copy in between: every image in the other order, raw ones as they were
	for f in "$src"/*; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		local b=${f##*/}
		case $(order_of "$f") in
		none)
			cmp -s "$f" "$mid/$b" || { bad=$((bad + 1)); echo "  $n: $b (no framing) changed"; }
			if "$CRIT" info "$f" 2> /dev/null | grep -q '"raw": true'; then
				raw=$((raw + 1))
				grep -q "as the source wrote it: .*$b" "$TMP/to.err" ||
					{ bad=$((bad + 1)); echo "  $n: stderr does not name raw $b"; }
			fi
			;;
		*)
			framed=$((framed + 1))
			[ "$(order_of "$mid/$b")" = $to ] && [ "$(order_of "$f")" = $from ] ||
				{ bad=$((bad + 1)); echo "  $n: $b: magic in $(order_of "$mid/$b") order"; }
			cmp -s "$f" "$mid/$b" && { bad=$((bad + 1)); echo "  $n: $b unchanged"; }
			;;
		esac
	done
	[ $bad = 0 ] && pass "$n: $framed images $to-endian in the copy (their magics' bytes), $raw raw ones as they were" ||
		fail "$n: $bad problems in the $to-endian copy"
	"$CRIT" info "$mid/inventory.img" | grep -q "\"byte_order\": \"$to\"" &&
		pass "$n: crit info says $to" || fail "$n: crit info of the copy's inventory"
	if [ -e "$src/parent" ]; then
		grep -q "note: parent -> .*not converted with it" "$TMP/to.err" &&
			pass "$n: stderr says the parent dumps are not converted" ||
			fail "$n: no note about the parent link"
	fi
	grep -q "byte order: $framed images converted from $from-endian to $to-endian" "$TMP/to.err" &&
		grep -q "not for restoring" "$TMP/to.err" && pass "$n: stderr says what was converted" ||
		fail "$n: stderr: $(head -2 "$TMP/to.err" | tr '\n' ' ')"
	# crit decode of every image, through the JSON formats (their JSON is decode's)
	conv "$n: json-dir" --to json-dir "$src" "$TMP/j-src" && conv "$n: json-dir of the copy" --to json-dir "$mid" "$TMP/j-mid" &&
		same_json "$n" "$TMP/j-src" "$TMP/j-mid"
	conv "$n: json" "$src" "$TMP/b-src.json" && conv "$n: json of the copy" "$mid" "$TMP/b-mid.json" &&
		same_compact "$n" "$TMP/b-src.json" "$TMP/b-mid.json"
	rm -rf "$TMP/j-src" "$TMP/j-mid" "$TMP/b-src.json" "$TMP/b-mid.json"
	# the views
	SAME_OK=0
	local before=$T_FAIL
	local json_views="ps fds mems rss sk core env cmdline mounts ns cgroups stats"
	# the same code reads every dump: JSON of every view for the foreign
	# dumps and the sample, of four for the rest (to keep the test short)
	case $n in foreign/* | samples/*) ;; *) json_views="ps fds mems core" ;; esac
	for v in ps fds mems rss sk core env cmdline mounts ns cgroups stats; do
		same_out "$n: x $v" "$CRIT" x @ $v
	done
	for v in $json_views; do
		same_out "$n: x $v json" "$CRIT" x @ $v --format json
	done
	same_out "$n: mem" "$CRIT" mem @
	same_out "$n: mem json" "$CRIT" mem @ --format json
	local pids p hits=0
	pids=$("$CRIT" x "$src" ps --format json 2> /dev/null |
		python3 -c 'import json,sys; print(" ".join(str(t["pid"]) for t in json.load(sys.stdin)["tasks"] if t["state"] != "zombie"))' 2> /dev/null)
	for p in $pids; do
		same_out "$n: mem --pid $p --search" "$CRIT" mem @ --pid "$p" --search CRIMG- && hits=$((hits + 1))
	done
	# inspect: the same but for the path, the byte order and the total size
	# (an IP address as another word may take another number of bytes)
	same_out "$n: inspect" python3 -c 'import json,subprocess,sys
r = subprocess.run([sys.argv[1], "inspect", "--all", "--format", "json", sys.argv[2]], capture_output=True)
d = json.loads(r.stdout) if r.returncode == 0 else {"exit": r.returncode}
for k in "source", "byte_order":
    d.pop(k, None)
d.get("checkpoint_size", {}).pop("total_size", None)
print(json.dumps(d))
sys.exit(r.returncode)' "$CRIT" @ &&
		{ "$CRIT" inspect --format json "$mid" | grep -q "\"byte_order\": \"$to\"" &&
			"$CRIT" inspect --format json "$src" | grep -q "\"byte_order\": \"$from\"" &&
			pass "$n: inspect says $from, and $to for the copy" || fail "$n: inspect's byte_order"; }
	[ $T_FAIL = "$before" ] && pass "$n: x (12 views as text, $(echo $json_views | wc -w) as JSON), mem (table, search in $hits of $(echo $pids | wc -w) processes found CRIMG-), inspect: $SAME_OK outputs the same on the copy"
	HITS=$((HITS + hits))
}

HITS=0 SAME_OK=0
W=$TMP/w
mkdir -p "$W/mid" "$W/back"
if [ -d "$BUILD/samples/demo" ]; then
	round samples/demo "$BUILD/samples/demo" "$W/mid/demo" "$W/back/demo"
else
	fail "no samples in $BUILD/samples (make samples)"
fi
if have_corpus; then
	dumps=()
	for d in "$CORPUS"/*/ "$CORPUS"/foreign/*/; do
		[ "$d" = "$CORPUS/incr-dump/" ] && continue # after its parents, below
		[ -f "$d/inventory.img" ] && dumps+=("${d%/}")
	done
	[ -f "$CORPUS/incr-dump/inventory.img" ] && dumps+=("$CORPUS/incr-dump")
	nf=$(ls -d "$CORPUS"/foreign/*/ | wc -l)
	[ ${#dumps[@]} -ge 15 ] && [ "$nf" -ge 6 ] && pass "corpus: ${#dumps[@]} dumps, $nf foreign" ||
		fail "corpus: only ${#dumps[@]} dumps ($nf foreign)"
	[ -n "$ASAN" ] && dumps=("$CORPUS/nsbox" "$CORPUS/incr-pre1" "$CORPUS/incr-pre2" "$CORPUS/incr-dump"
		"$CORPUS/foreign/s390x-kitchen" "$CORPUS/foreign/aarch64-tree")
	# an incremental dump's parent link (../incr-pre2) finds its converted
	# parent beside it: the chain is converted as a whole
	for d in "${dumps[@]}"; do
		n=${d#"$CORPUS"/}
		round "$n" "$d" "$W/mid/${n##*/}" "$W/back/${n##*/}"
	done
	[ $HITS -gt 10 ] && pass "searches found CRIMG- in $HITS processes" || fail "searches found CRIMG- in $HITS processes only"
	check "incr-dump's copy reads its pages through its parents" \
		cmp -s <("$CRIT" mem "$CORPUS/incr-dump" --pid 3729 --search 'CRIMG-DIRTY-7f3a page=5 ') \
		<("$CRIT" mem "$W/mid/incr-dump" --pid 3729 --search 'CRIMG-DIRTY-7f3a page=5 ')
else
	skip "corpus round trips (no corpus)"
fi

# ---- what CRIU copies from memory into entries -------------------------------
# A checkpoint made twice from the same JSON, once packed as a little-endian
# CRIU writes it and once as a big-endian one: each converts into the other.
if [ -d "$BUILD/samples/demo" ] && [ -d "$BUILD/samples/extras" ]; then
	K=$TMP/kinds
	for o in little big; do
		mkdir -p "$K/j-$o" "$K/$o"
		cp -p "$BUILD/samples/demo"/* "$BUILD/samples/extras"/* "$K/$o/"
		for f in core-100.img files.img signal-s-100.img; do
			"$CRIT" decode --pretty -i "$K/$o/$f" -o "$K/j-$o/$f.json"
		done
		python3 "$TOP/tests/order/craft.py" "$K/j-$o" "$([ $o = little ] && echo '<' || echo '>')" ||
			fail "craft.py $o"
		for f in "$K/j-$o"/*.json; do
			b=${f##*/}
			"$CRIT" encode --byte-order $o -i "$f" -o "$K/$o/${b%.json}" || fail "encode $b $o"
		done
	done
	# the rest of the big-endian one: each image as 'crit encode --byte-order big' writes it
	for f in "$K/big"/*; do
		b=${f##*/}
		[ -f "$K/j-big/$b.json" ] || ! has_entries "$f" && continue
		"$CRIT" decode --pretty -i "$f" | "$CRIT" encode --byte-order big -o "$f"
	done
	touch -r "$K/little/core-100.img" "$K"/little/* "$K"/big/*
	conv "kinds: to big" --byte-order big "$K/little" "$K/to-big" &&
		same_tree "kinds: little -> big is what a big-endian CRIU writes (siginfo_t of 7 layouts, seccomp and socket filters, SysV sem and msg, ghost chunks)" "$K/big" "$K/to-big"
	conv "kinds: to little" --byte-order little "$K/big" "$K/to-little" &&
		same_tree "kinds: big -> little is what a little-endian CRIU writes" "$K/little" "$K/to-little"
	X_SRC=$K/little X_MID=$K/to-big SAME_OK=0
	same_out "kinds: x core json" "$CRIT" x @ core --format json
	same_out "kinds: x core" "$CRIT" x @ core
	grep -q "SIGSYS code 1 addr 0x401000 syscall 59 arch 0xc000003e" "$TMP/so.b" &&
		grep -q "SIGCHLD CLD_EXITED pid 77 uid 0 status 3" "$TMP/so.b" &&
		pass "kinds: pending signals read the same from the big-endian copy ($SAME_OK views)" ||
		fail "kinds: the big-endian copy's pending signals"
	check "kinds: the semaphores' values read the same" cmp -s \
		<("$CRIT" decode -i "$K/little/ipcns-sem-11.img") <("$CRIT" decode -i "$K/to-big/ipcns-sem-11.img")
	check "kinds: the semaphores' values are big-endian words" \
		bash -c "! cmp -s '$K/little/ipcns-sem-11.img' '$K/to-big/ipcns-sem-11.img'"
else
	fail "no samples in $BUILD/samples (make samples)"
fi

# ---- destinations -------------------------------------------------------------
D=$BUILD/samples/demo
w=$TMP/dst
mkdir -p "$w"
conv "dir big" --byte-order big "$D" "$w/be"
# json and json-dir record each image's order: the way back writes it
conv "json big" --byte-order big "$D" "$w/be.json" && conv "json back" "$w/be.json" "$w/be-json" &&
	same_tree "json: --byte-order big, then back to dir: the big-endian images" "$w/be" "$w/be-json"
grep -q '"byte_order": "little"' "$w/be.json" && fail "json: an image recorded little-endian" ||
	pass "json: every image recorded big-endian"
conv "json-dir big" --byte-order big --to json-dir "$D" "$w/be-jd" && conv "json-dir back" "$w/be-jd" "$w/be-jdb" &&
	same_tree "json-dir: --byte-order big, then back: the big-endian images" "$w/be" "$w/be-jdb"
conv "oci big" --byte-order big "$D" "oci:$w/oci" && conv "oci back" "oci:$w/oci" "$w/be-oci" &&
	same_tree "oci: the layer holds the big-endian images" "$w/be" "$w/be-oci"
conv "tar.gz big" --byte-order big "$D" "$w/be.tar.gz" && mkdir "$w/be-tgz" && tar -xpf "$w/be.tar.gz" -C "$w/be-tgz" &&
	same_tree "tar.gz: GNU tar unpacks the big-endian images" "$w/be" "$w/be-tgz"
# a JSON SRC is made into images first
conv "json to little" --byte-order little "$w/be.json" "$w/le-from-json" &&
	same_tree "json SRC: to little gives the source back" "$D" "$w/le-from-json"
if have_corpus && command -v zstd > /dev/null; then
	a=$CORPUS/archives/podman-busybox-zstd.tar.zst
	conv "podman unpacked" "$a" "$w/pod" &&
		conv "podman big" --byte-order big "$a" "$w/pod-be.tar.zst" &&
		conv "podman back" --byte-order little "$w/pod-be.tar.zst" "$w/pod-back" &&
		same_tree "podman archive -> big-endian tar.zst -> little: the archive's tree (engine files, checkpoint/'s mtime)" "$w/pod" "$w/pod-back"
	mkdir -p "$w/pod-be" && zstd -q -dc "$w/pod-be.tar.zst" | tar -xf - -C "$w/pod-be"
	n=0 bad=0
	for f in "$w/pod/checkpoint"/*; do
		b=${f##*/}
		has_entries "$f" || continue
		n=$((n + 1))
		[ "$(order_of "$w/pod-be/checkpoint/$b")" = big ] || bad=$((bad + 1))
	done
	[ $bad = 0 ] && [ $n -gt 5 ] && pass "podman: the $n images in checkpoint/ are big-endian" || fail "podman: $bad of $n not big-endian"
	check "podman: engine files as they were" cmp -s "$w/pod/config.dump" "$w/pod-be/config.dump"
else
	skip "Podman archive (no corpus or no zstd)"
fi

# ---- --report, and the same order ------------------------------------------------
"$CONV" --byte-order big --report "$w/rep.json" "$D" "$w/rep" 2> "$TMP/rep.err" &&
	python3 - "$w/rep.json" "$D" <<-'EOF' > "$TMP/rep.out" 2>&1 && pass "--report: $(cat "$TMP/rep.out")" || fail "--report: $(tail -2 "$TMP/rep.out" | tr '\n' ' ')"
	import json, os, sys
	r = json.load(open(sys.argv[1]))
	assert set(r) == {"byte_order"}, r.keys()
	b = r["byte_order"]
	names = sorted(n for n in os.listdir(sys.argv[2]))
	assert [i["image"] for i in b["images"]] == names, "every image, in name order"
	raw = [i for i in b["images"] if i["action"] == "raw"]
	assert [i["image"] for i in raw] == [n for n in names if n.startswith("pages-")], raw
	assert all("memory" in i["kept"] for i in raw)
	conv = [i for i in b["images"] if i["action"] == "converted"]
	assert all(i["from"] == "little" for i in conv)
	assert (b["from"], b["to"], b["converted"], b["unchanged"], b["raw"], b["plain_copy"]) == \
	    ("little", "big", len(conv), 0, len(raw), False), b
	print(len(conv), "converted,", len(raw), "raw")
	EOF
[ -s "$TMP/rep.err" ] && fail "--report: stderr not empty: $(head -c 200 "$TMP/rep.err")"
"$CONV" --byte-order little --report - "$D" "$w/same" > "$w/same.json" 2> "$TMP/same.err" &&
	same_tree "same order: a plain copy" "$D" "$w/same" &&
	python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["byte_order"]; assert b["plain_copy"] and b["converted"] == 0 and b["unchanged"] > 10, b' "$w/same.json" &&
	pass "same order: the report says plain_copy" || fail "same order: $(head -c 300 "$TMP/same.err")"
"$CONV" --byte-order little "$D" "$w/same2" 2> "$TMP/same.err" &&
	grep -q "every image is little-endian already: a plain copy" "$TMP/same.err" &&
	pass "same order: stderr says it is a plain copy" || fail "same order: stderr: $(cat "$TMP/same.err")"
"$CONV" --byte-order native -q "$D" "$w/native" &&
	[ "$(order_of "$w/native/core-100.img")" = "$(python3 -c 'import sys; print(sys.byteorder)')" ] &&
	pass "native is this machine's order" || fail "--byte-order native"
if have_corpus; then
	"$CONV" --byte-order big --rewrite-ip 127.0.0.1=10.0.0.9 --report "$w/both.json" "$CORPUS/tcp" "$w/both" &&
		python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["changed"] > 0 and r["byte_order"]["to"] == "big", r' "$w/both.json" &&
		"$CRIT" decode --pretty -i "$w/both/files.img" | grep -q '"10.0.0.9"' &&
		pass "--rewrite-ip and --byte-order together: one report, the new address in big-endian words" ||
		fail "--rewrite-ip with --byte-order"
fi

# ---- errors -----------------------------------------------------------------------
# usage NAME ARGS...: exit 2 and a message
usage() {
	local n=$1
	shift
	"$CONV" "$@" > "$TMP/u.out" 2> "$TMP/u.err"
	local rc=$?
	[ $rc = 2 ] && grep -q "byte-order\|report" "$TMP/u.err" && pass "usage: $n" ||
		fail "usage: $n: exit $rc: $(head -c 200 "$TMP/u.err")"
}
usage "a bad value" --byte-order middle "$D" "$w/u1"
usage "no value" "$D" "$w/u1" --byte-order
usage "an empty value" --byte-order "" "$D" "$w/u1"
[ -e "$w/u1" ] && fail "usage: DST written"
# expect_fail NAME WANT SRC: exit 1, WANT in the message, no DST, nothing beside it
expect_fail() {
	local n=$1 want=$2 src=$3 out=$TMP/ef
	rm -rf "$out"
	mkdir "$out"
	"$CONV" --byte-order big "$src" "$out/dst" > "$TMP/ef.out" 2> "$TMP/ef.err"
	local rc=$?
	if [ $rc = 1 ] && grep -qF -- "$want" "$TMP/ef.err" && [ -z "$(ls -A "$out")" ]; then
		pass "$n: exit 1, '$want', no DST, nothing left"
	else
		fail "$n: exit $rc, $(head -c 300 "$TMP/ef.err"), left: $(ls -A "$out")"
	fi
}
B=$TMP/bad
cp -rp "$D" "$B"
head -c 100 "$D/core-100.img" > "$B/core-100.img"
expect_fail "a truncated core image" "$B/core-100.img: offset 8: entry 0: entry size" "$B"
expect_fail "the same in a tar" "$TMP/bad.tar: core-100.img: offset 8: entry 0" \
	"$(tar -cf "$TMP/bad.tar" -C "$B" . && echo "$TMP/bad.tar")"
cp -p "$D/core-100.img" "$B/"
printf 'XXXX' | dd of="$B/mm-100.img" conv=notrunc status=none
expect_fail "a damaged magic" "$B/mm-100.img: offset 0: unknown magic 0x58585858" "$B"
cp -p "$D/mm-100.img" "$B/"
printf '\x19\x43\x56\x54\x01\x02\x03\x04' > "$B/odd.img"
expect_fail "CRIU's magic, then an unknown kind" "$B/odd.img: offset 4: unknown magic" "$B"
rm "$B/odd.img"
# an entry with a field this schema does not know: the JSON would lose it
python3 - "$D/fs-100.img" "$B/fs-100.img" <<-'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<I", b[8:12])[0]
extra = bytes([99 << 3 & 0x7f | 0x80, 99 >> 4, 42])  # field 99, varint 42
open(sys.argv[2], "wb").write(b[:8] + struct.pack("<I", n + 3) + b[12:12 + n] + extra + b[12 + n:])
EOF
expect_fail "a field unknown to the schema" "$B/fs-100.img: its JSON does not encode back to the same bytes" "$B"
cp -p "$D/fs-100.img" "$B/"
conv "repaired" --byte-order big "$B" "$w/repaired" && pass "the repaired copy converts"
# DST exists: convert's own rule
"$CONV" -q --byte-order big "$D" "$w/be" 2> "$TMP/ex.err"
[ $? = 1 ] && grep -q "exists (use --force" "$TMP/ex.err" && pass "an existing DST is refused" || fail "existing DST: $(cat "$TMP/ex.err")"
conv "--force" --force --byte-order little "$D" "$w/be" && same_tree "--force replaces it" "$D" "$w/be"
finish
