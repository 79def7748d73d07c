#!/usr/bin/env bash
# asan-ok
# Issue 4: crit-convert between checkpoint directories, JSON bundles, JSON
# directories and tar/tar.gz/tar.zst container archives.  Shown: the way
# back is byte for byte (with permission bits and mtimes) for every dump of
# the corpus and the sample checkpoint; Podman archives keep every member
# through archive -> dir -> archive; tar and zstd read what we write; the
# JSON is what crit decode writes; the same tree gives the same archive;
# hostile and damaged input (members escaping the target by '..', absolute
# names, symlinks and hard links, duplicates, devices, truncated archives,
# blobs that are not gzip or zstd, broken bundles) fails with a precise
# message, exit 1, nothing written outside and no partial DST; DST is only
# replaced with --force, atomically; an interrupted run leaves nothing.
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

# no_leftovers NAME DIR: no temporary file or directory of ours in DIR
no_leftovers() {
	local left
	left=$(find "$2" -maxdepth 1 \( -name '.*.crimg-*' -o -name '*.layout-*' -o -name '*.oci-*' \) | head -3)
	if [ -z "$left" ]; then pass "$1: nothing left beside DST"; else fail "$1: left behind: $left"; fi
}

# ---- round trips: dir -> FORMAT -> dir, for every dump ----------------------
FORMATS="json json-dir tar tar.gz tar.zst"
rt_dump() { # NAME DIR
	local n=$1 src=$2 f w=$TMP/rt
	for f in $FORMATS; do
		rm -rf "$w"
		mkdir "$w"
		conv "$n $f" --to "$f" "$src" "$w/x" && conv "$n $f back" "$w/x" "$w/back" || continue
		same_tree "$n: dir -> $f -> dir, byte for byte with modes and mtimes" "$src" "$w/back"
		[ "$(ls -A "$w" | tr '\n' ' ')" = "back x " ] || fail "$n $f: stray files: $(ls -A "$w")"
	done
}

SAMPLES=$BUILD/samples
if [ -d "$SAMPLES/demo" ]; then
	rt_dump "samples/demo" "$SAMPLES/demo"
else
	fail "no samples in $SAMPLES (make samples)"
fi

dumps=()
if have_corpus; then
	for d in "$CORPUS"/*/ "$CORPUS"/foreign/*/; do
		[ -f "$d/inventory.img" ] && dumps+=("${d%/}")
	done
	[ ${#dumps[@]} -ge 10 ] && pass "corpus: ${#dumps[@]} dumps" || fail "corpus: only ${#dumps[@]} dumps found"
	[ -n "$ASAN" ] && dumps=("$CORPUS/kitchen" "$CORPUS/incr-dump" "$CORPUS/foreign/s390x-tree")
	for d in "${dumps[@]}"; do rt_dump "${d#"$CORPUS"/}" "$d"; done
else
	skip "corpus round trips (no corpus)"
fi

# ---- Podman archives: archive -> dir -> archive keeps every member ----------
plain_tar() { # ARCHIVE OUT: OUT is ARCHIVE without zstd (python's tarfile reads tar and gzip)
	case $1 in
	*.zst) zstd -q -dc "$1" > "$2" ;;
	*) cp "$1" "$2" ;;
	esac
}
if have_corpus && command -v zstd > /dev/null; then
	for a in "$CORPUS"/archives/*.tar*; do
		n=archives/$(basename "$a")
		ext=${a##*/}
		ext=${ext#*.}
		w=$TMP/arch
		rm -rf "$w"
		mkdir "$w"
		conv "$n to dir" "$a" "$w/dir" || continue
		check "$n: unpacked like tar does it" diff -r <(tar -tf "$a" | sed 's|^\./||; s|/$||' | sort) \
			<(cd "$w/dir" && find . -mindepth 1 | sed 's|^\./||' | sort)
		for via in dir json; do
			src=$w/dir
			if [ $via = json ]; then
				conv "$n to json" "$a" "$w/b.json" && conv "$n json to dir" "$w/b.json" "$w/jdir" || continue
				src=$w/jdir
			fi
			conv "$n back ($via)" "$src" "$w/back-$via.$ext" || continue
			plain_tar "$a" "$w/a.tar" && plain_tar "$w/back-$via.$ext" "$w/b.tar"
			if python3 "$H/same_members.py" "$w/a.tar" "$w/b.tar" > "$TMP/mem.out" 2>&1; then
				pass "$n -> $via -> $ext: every member, byte for byte ($(tail -1 "$TMP/mem.out"))"
			else
				fail "$n -> $via -> $ext: $(head -3 "$TMP/mem.out" | tr '\n' ' ')"
			fi
		done
		same_tree "$n: dir from the archive == dir from its json" "$w/dir" "$w/jdir"
	done
else
	skip "Podman archives (no corpus or no zstd)"
fi

# ---- what we write is what other tools read ---------------------------------
D=$SAMPLES/demo
w=$TMP/tools
mkdir -p "$w"
if conv "tar for tar" "$D" "$w/d.tar" && conv "tar.gz for tar" "$D" "$w/d.tar.gz" &&
   conv "tar.zst for tar" "$D" "$w/d.tar.zst"; then
	for f in d.tar d.tar.gz d.tar.zst; do
		mkdir "$w/x-$f"
		if tar -xpf "$w/$f" -C "$w/x-$f" 2> "$TMP/tar.err"; then
			same_tree "GNU tar unpacks our $f to the same tree" "$D" "$w/x-$f"
		else
			fail "GNU tar cannot read our $f: $(head -c 200 "$TMP/tar.err")"
		fi
	done
	check "gzip -t accepts our tar.gz" gzip -t "$w/d.tar.gz"
	check "zstd -t accepts our tar.zst" zstd -q -t "$w/d.tar.zst"
	check "members owned by 0:0 without names" \
		test "$(tar -tvf "$w/d.tar" | awk '{ print $2 }' | sort -u)" = "0/0"
	# reproducible: the same tree gives the same bytes, whatever the thread count
	conv "again tar.gz" "$D" "$w/e.tar.gz" && check "tar.gz is reproducible" cmp -s "$w/d.tar.gz" "$w/e.tar.gz"
	conv "again tar.zst" -T 2 "$D" "$w/e.tar.zst" &&
		check "tar.zst is reproducible (and --threads 2 gives the same bytes)" cmp -s "$w/d.tar.zst" "$w/e.tar.zst"
	# levels
	conv "zstd level 19" --level 19 "$D" "$w/l19.tar.zst" && conv "zstd 19 back" "$w/l19.tar.zst" "$w/l19" &&
		same_tree "--level 19 round trip" "$D" "$w/l19"
	conv "gzip level 1" --level 1 "$D" "$w/l1.tar.gz" && check "--level 1 differs from the default" \
		bash -c "! cmp -s '$w/l1.tar.gz' '$w/d.tar.gz'"
	conv "--to overrides the name" --to tar "$D" "$w/named.json" &&
		check "--to tar writes a tar whatever the name" bash -c "tar -tf '$w/named.json' > /dev/null"
	check "crit convert runs crit-convert" "$CRIT" convert -q "$D" "$w/git-style.tar"
fi

# ---- the JSON is crit decode's -----------------------------------------------
w=$TMP/json
mkdir -p "$w"
if conv "json-dir" --to json-dir "$D" "$w/jd" && conv "bundle" "$D" "$w/b.json"; then
	bad=0
	for img in "$D"/*.img; do
		n=$(basename "$img")
		has_entries "$img" || continue
		"$CRIT" decode --pretty -i "$img" -o "$TMP/pretty.json"
		cmp -s "$TMP/pretty.json" "$w/jd/$n.json" || { bad=$((bad + 1)); echo "  $n.json differs"; }
		[ -e "$w/jd/$n" ] && { bad=$((bad + 1)); echo "  $n is also in the json-dir"; }
	done
	[ $bad = 0 ] && pass "json-dir: each image is NAME.json, as crit decode --pretty writes it" ||
		fail "json-dir: $bad images differ"
	check "json-dir keeps raw page data as it is" cmp -s "$D/pages-1.img" "$w/jd/pages-1.img"
	if python3 - "$w/b.json" "$D" "$CRIT" > "$TMP/py.out" 2>&1 <<-'EOF'
	import json, os, subprocess, sys
	b = json.load(open(sys.argv[1]))
	assert b["format"] == "crimg-bundle" and b["version"] == 1, "format/version"
	files = {f["path"]: f for f in b["files"]}
	for n in sorted(os.listdir(sys.argv[2])):
	    f = files[n]
	    ref = subprocess.run([sys.argv[3], "decode", "-i", os.path.join(sys.argv[2], n)],
	                         capture_output=True)
	    if ref.returncode == 0:
	        assert f["type"] == "image", n + ": not an image"
	        assert f["image"] == json.loads(ref.stdout), n + ": JSON differs from crit decode"
	    else:
	        assert f["type"] == "file" and f["size"] == os.path.getsize(os.path.join(sys.argv[2], n)), n
	print(len(files), "entries")
	EOF
	then
		pass "bundle: valid JSON, images as crit decode writes them ($(cat "$TMP/py.out"))"
	else
		fail "bundle: $(tail -2 "$TMP/py.out" | tr '\n' ' ')"
	fi
	# edit the JSON, convert back: the change is in the image
	sed -i 's/"umask": [0-9]*/"umask": 63/' "$w/jd/fs-100.img.json"
	conv "edited json-dir back" "$w/jd" "$w/edited" &&
		check "an edit in the json-dir reaches the image" \
			bash -c "'$CRIT' decode -i '$w/edited/fs-100.img' | grep -q '\"umask\": 63'"
fi

# ---- hostile archives -------------------------------------------------------
# expect_fail NAME WANT ARGS...: exit 1, WANT in the message, no DST
# (the last argument), nothing left beside it
expect_fail() {
	local n=$1 want=$2 rc
	shift 2
	local dst=${*: -1}
	"$CONV" -q "$@" > "$TMP/f.out" 2> "$TMP/f.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$want" "$TMP/f.err" && [ "$(wc -l < "$TMP/f.err")" -eq 1 ]; then
		pass "$n: exit 1, '$want'"
	else
		fail "$n: exit $rc, wanted 1 and '$want': $(head -c 300 "$TMP/f.err")"
	fi
	[ -e "$dst" ] && [ -z "${KEEP_DST:-}" ] && fail "$n: DST $dst exists"
	no_leftovers "$n" "$(dirname "$dst")"
}

h=$TMP/hostile
mkdir -p "$h/work/OUTSIDE"
python3 "$H/mkhostile.py" "$h" > "$h/list"
[ "$(wc -l < "$h/list")" -ge 15 ] && pass "hostile archives made" || fail "mkhostile.py: $(cat "$h/list")"
while read -r name want; do
	expect_fail "hostile $name" "$want" "$h/$name" "$h/work/out"
	for c in gz zst; do	# the same through a compressor
		[ "$name" = dotdot.tar ] || [ "$name" = symlink-dir-out.tar ] || continue
		if [ $c = gz ]; then gzip -c "$h/$name" > "$h/$name.$c"; else zstd -q -c "$h/$name" > "$h/$name.$c"; fi
		expect_fail "hostile $name.$c" "$want" "$h/$name.$c" "$h/work/out"
	done
done < "$h/list"
check "nothing was written outside the target" test -z "$(ls -A "$h/work/OUTSIDE")"
check "no absolute member was written" test ! -e /tmp/crimg-convert-absolute-evil
check "only OUTSIDE in the work directory" test "$(ls -A "$h/work")" = OUTSIDE
# CRIU's parent link of an incremental dump may point out: allowed
python3 - "$h/parent.tar" <<-'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for n in ("inventory.img",):
        ti = tarfile.TarInfo(n); ti.size = 1; t.addfile(ti, io.BytesIO(b"x"))
    ti = tarfile.TarInfo("parent"); ti.type = tarfile.SYMTYPE; ti.linkname = "../dump-1"; t.addfile(ti)
EOF
conv "parent link" "$h/parent.tar" "$h/work/parent" &&
	check "CRIU's 'parent' symlink to the previous dump is kept" test "$(readlink "$h/work/parent/parent")" = ../dump-1

# ---- damaged archives and blobs ---------------------------------------------
b=$TMP/bad
mkdir -p "$b/work"
conv "demo.tar" "$D" "$b/d.tar" && conv "demo.tar.gz" "$D" "$b/d.tar.gz" && conv "demo.tar.zst" "$D" "$b/d.tar.zst"
for f in d.tar d.tar.gz d.tar.zst; do
	s=$(stat -c %s "$b/$f")
	head -c $((s / 2)) "$b/$f" > "$b/half-$f"
done
expect_fail "truncated tar" "Truncated tar archive" "$b/half-d.tar" "$b/work/out"
expect_fail "truncated tar.gz" "truncated gzip input" "$b/half-d.tar.gz" "$b/work/out"
expect_fail "truncated tar.zst" "Truncated zstd input" "$b/half-d.tar.zst" "$b/work/out"
# cut exactly between two members (after inventory.img): only the missing end blocks tell
cut=$(python3 -c "import tarfile, sys; print(tarfile.open(sys.argv[1]).getmember('mm-100.img').offset)" "$b/d.tar")
head -c "$cut" "$b/d.tar" > "$b/cut.tar"
expect_fail "tar cut between members" "truncated archive: it ends after member" "$b/cut.tar" "$b/work/out"
head -c 4096 /dev/urandom > "$b/random.tar.gz"
printf 'not an archive\n' > "$b/text.tar.zst"
expect_fail "random bytes named .tar.gz" "neither tar, gzip, zstd nor JSON" "$b/random.tar.gz" "$b/work/out"
expect_fail "text named .tar.zst" "neither tar, gzip, zstd nor JSON" "$b/text.tar.zst" "$b/work/out"
{ printf '\037\213'; head -c 2000 /dev/urandom; } > "$b/fake.tar.gz"
expect_fail "gzip magic, then junk" "cannot read the archive" "$b/fake.tar.gz" "$b/work/out"
{ printf '\050\265\057\375'; head -c 2000 /dev/urandom; } > "$b/fake.tar.zst"
expect_fail "zstd magic, then junk" "cannot read the archive" "$b/fake.tar.zst" "$b/work/out"
gzip -c < "$b/random.tar.gz" > "$b/gz-not-tar.tar.gz"
expect_fail "gzip of something that is not a tar" "cannot read the archive" "$b/gz-not-tar.tar.gz" "$b/work/out"
: > "$b/empty.tar"
expect_fail "empty file" "empty file" "$b/empty.tar" "$b/work/out"
mkdir "$b/notckpt" && echo hi > "$b/notckpt/hello"
expect_fail "a directory that is no checkpoint" "not a checkpoint: no inventory.img" "$b/notckpt" "$b/work/out"

# ---- damaged bundles and JSON directories ----------------------------------
if conv "bundle for damage" "$D" "$b/d.json"; then
	s=$(stat -c %s "$b/d.json")
	head -c $((s * 3 / 4)) "$b/d.json" > "$b/cut.json"
	expect_fail "truncated bundle" "line " "$b/cut.json" "$b/work/out"
	sed 's/"data": "\([A-Za-z0-9+/]\{10\}\)/"data": "\1*/' "$b/d.json" > "$b/b64.json"
	expect_fail "bad base64" "invalid character in base64" "$b/b64.json" "$b/work/out"
	sed '0,/"path": "core-100.img"/s//"path": "..\/OUTSIDE\/core-100.img"/' "$b/d.json" > "$b/dotdot.json"
	expect_fail "bundle path with .." "'..' in the path" "$b/dotdot.json" "$b/work/out"
	sed '0,/"path": "core-100.img"/s//"path": "\/tmp\/crimg-convert-absolute-evil"/' "$b/d.json" > "$b/abs.json"
	expect_fail "bundle with an absolute path" "absolute path" "$b/abs.json" "$b/work/out"
	sed '0,/"mtype": "X86_64"/s//"mtype": "NO_SUCH_ARCH"/' "$b/d.json" > "$b/badimg.json"
	expect_fail "bundle with a bad image" "line 2 column" "$b/badimg.json" "$b/work/out"
	sed '0,/"size": \([0-9]*\), "data"/s//"sise": \1, "data"/' "$b/d.json" > "$b/unknown.json"
	expect_fail "bundle with an unknown member" "unknown member \"sise\"" "$b/unknown.json" "$b/work/out"
	sed '0,/"crimg-bundle"/s//"something-else"/' "$b/d.json" > "$b/format.json"
	expect_fail "not a crimg bundle" "\"format\" is \"something-else\"" "$b/format.json" "$b/work/out"
	python3 -c "
import sys
s = open(sys.argv[1]).read().split('\n')
s.insert(2, s[1] + ',')
open(sys.argv[2], 'w').write('\n'.join(s))" "$b/d.json" "$b/dup.json"
	expect_fail "bundle with a duplicate path" "duplicate member" "$b/dup.json" "$b/work/out"
	check "no bundle wrote outside" test -z "$(ls -A "$h/work/OUTSIDE")"
fi
if conv "json-dir for damage" --to json-dir "$D" "$b/jd"; then
	cp -a "$b/jd" "$b/jd2"
	sed -i '3s/.*/    "entries": [ oops/' "$b/jd/pstree.img.json"
	expect_fail "json-dir with a broken image" "pstree.img.json: line 3 column" "$b/jd" "$b/work/out"
	rm "$b/jd2/core-100.img.json"
	expect_fail "json-dir missing a listed image" "lists core-100.img.json, which is missing" "$b/jd2" "$b/work/out"
fi

# ---- DST: refused if it exists, replaced atomically with --force ------------
w=$TMP/dst
mkdir -p "$w"
conv "first" "$D" "$w/out.tar"
KEEP_DST=1 expect_fail "DST exists" "exists (use --force to replace it)" "$D" "$w/out.tar"
cp "$w/out.tar" "$w/before.tar"
KEEP_DST=1 expect_fail "--force with a broken SRC" "Truncated tar archive" --force "$b/half-d.tar" "$w/out.tar"
check "a failed --force leaves the old DST as it was" cmp -s "$w/before.tar" "$w/out.tar"
conv "--force replaces a file by a directory" --force "$D" "$w/out.tar" --to dir
same_tree "--force: the new DST is complete" "$D" "$w/out.tar"
no_leftovers "--force" "$w"
conv "a dir for DST inside SRC" "$D" "$w/src"
KEEP_DST=1 expect_fail "DST inside SRC" "is inside SRC" "$w/src" "$w/src/x.tar"
expect_fail "SRC missing" "No such file or directory" "$w/nothing" "$w/out2"

# ---- usage errors: exit 2 ---------------------------------------------------
usage() { # NAME WANT ARGS...
	local n=$1 want=$2 rc
	shift 2
	"$CONV" "$@" > /dev/null 2> "$TMP/u.err"
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$want" "$TMP/u.err"; then pass "usage: $n"; else
		fail "usage: $n: exit $rc: $(head -c 200 "$TMP/u.err")"; fi
}
usage "no arguments" "expected SRC and DST"
usage "unknown format" "unknown format 'zip'" --to zip "$D" "$w/x"
usage "bad level" "--level needs a number" --level high "$D" "$w/x"
usage "bad threads" "--threads needs a number" -T 0 "$D" "$w/x"
usage "bad rewrite" "--rewrite-path takes OLD=NEW" --rewrite-path /a "$D" "$w/x"
usage "unknown option" "unknown option '--nope'" --nope "$D" "$w/x"
usage "three paths" "unrecognized arguments" "$D" "$w/x" "$w/y"
"$CONV" --help > "$TMP/help" 2>&1
check "--help: exit 0, formats, options, safety, exit status" \
	bash -c "grep -q '^usage: crit convert' '$TMP/help' && grep -q 'tar.zst' '$TMP/help' && \
		grep -q -- '--level' '$TMP/help' && grep -q '^Safety' '$TMP/help' && grep -q '^exit status' '$TMP/help'"

# ---- progress, --quiet, and an interrupted run -------------------------------
w=$TMP/big
mkdir -p "$w/ckpt"
cp "$D"/*.img "$w/ckpt/"
python3 -c "
import random, sys
r = random.Random(4)
t = bytes.maketrans(bytes(range(256)), bytes(b % 7 + 65 for b in range(256)))
open(sys.argv[1], 'wb').write(b''.join(r.randbytes(1 << 20).translate(t) for _ in range(48)))" "$w/ckpt/pages-1.img"
"$CONV" "$D" "$w/quiet.tar.zst" 2> "$TMP/q.err"
check "a quick conversion prints nothing" test ! -s "$TMP/q.err"
"$CONV" --progress "$w/ckpt" "$w/fast.tar.zst" 2> "$TMP/p.err"
check "--progress: a line on stderr" grep -q '^crit convert: writing tar.zst: .* of .* MiB' "$TMP/p.err"
# zstd -19 on 48 MiB takes long: SIGTERM stops it midway
"$CONV" --progress --level 19 "$w/ckpt" "$w/slow.tar.zst" 2> "$TMP/p.err" &
pid=$!
for _ in $(seq 40); do grep -q 'writing tar.zst' "$TMP/p.err" 2> /dev/null && break; sleep 0.25; done
kill -TERM $pid 2> /dev/null
wait $pid
rc=$?
check "SIGTERM ends the run (status $rc)" test $rc -eq 143
check "an interrupted run leaves no DST" test ! -e "$w/slow.tar.zst"
no_leftovers "interrupted run" "$w"
finish
