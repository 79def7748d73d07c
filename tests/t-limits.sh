#!/usr/bin/env bash
# asan-ok
# Issue 11: the limits, in one place for real.  Every command (decode,
# encode, info, show, x, inspect, mem, diff, convert, edit, and crit-convert
# and crit-diff run directly) runs under tight limits, set through
# crit --limit, $CRIMG_LIMITS and the crit-NAME tools' own --limit, and must
# fail with the message naming the limit; under raised limits the same
# input goes through.  A malformed limit is a usage error (exit 2) of every
# tool before it does anything.  crit --help and docs/limits.md list the same
# limits with the same defaults.  Also convert --level: the range of each
# compressor, refused before any work, and DST suffixes in any case.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples
D=$S/demo
X=$S/extras
CONV=$BUILD/bin/crit-convert
DIFF=$BUILD/bin/crit-diff
[ -d "$D" ] || { fail "no samples in $S (make samples)"; finish; exit; }
W=$TMP/w
mkdir -p "$W"
export TMPDIR=$TMP/tmpdir	# where archives are unpacked: counted at the end
mkdir -p "$TMPDIR"
unset CRIMG_LIMITS VISUAL EDITOR

# run CMD...: stdout in $TMP/out, stderr in $TMP/err, exit status in $rc
run() { "$@" > "$TMP/out" 2> "$TMP/err" < /dev/null; rc=$?; }
# tight NAME LIMIT RC CMD...: exit RC, and the message names the limit
tight() {
	local n=$1 lim=$2 want=$3
	shift 3
	run "$@"
	if [ "$rc" -eq "$want" ] &&
		grep -qF "(the '$lim' limit; raise it with crit --limit $lim=N or CRIMG_LIMITS=$lim=N)" "$TMP/err"; then
		pass "$n"
	else
		fail "$n: exit $rc (want $want, naming '$lim'): $(head -c 400 "$TMP/err")"
	fi
}
# raised NAME RC CMD...: exit RC (0, or 1 for a diff that finds differences), no limit named
raised() {
	local n=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ] && ! grep -q "limit; raise it" "$TMP/err"; then
		pass "$n"
	else
		fail "$n: exit $rc (want $want): $(head -c 400 "$TMP/err")"
	fi
}
# usage NAME PATTERN CMD...: exit 2 with PATTERN on stderr
usage() {
	local n=$1 pat=$2
	shift 2
	run "$@"
	if [ "$rc" -eq 2 ] && grep -qF -- "$pat" "$TMP/err"; then
		pass "$n"
	else
		fail "$n: exit $rc (want 2, '$pat'): $(head -c 400 "$TMP/err")"
	fi
}

# ---- inputs ----
# bomb.py OUT CKPT MIB: a tar.gz checkpoint archive whose first member is
# MIB MiB of zeros: gzip members of 1 MiB each, concatenated (a gzip stream
# may hold several), so a 1 GiB bomb is made in a second and weighs ~1 MB
cat > "$TMP/bomb.py" <<'EOF'
import gzip, io, sys, tarfile
out, ckpt, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
ti = tarfile.TarInfo("checkpoint/zeros.bin"); ti.size = mib << 20
rest = io.BytesIO()
with tarfile.open(fileobj=rest, mode="w", format=tarfile.USTAR_FORMAT) as t:
    t.add(ckpt, arcname="checkpoint")
zero = gzip.compress(bytes(1 << 20), 9, mtime=0)
with open(out, "wb") as f:
    f.write(gzip.compress(ti.tobuf(format=tarfile.USTAR_FORMAT), 9, mtime=0))
    for _ in range(mib):
        f.write(zero)
    f.write(gzip.compress(rest.getvalue(), 9, mtime=0))
EOF
python3 "$TMP/bomb.py" "$W/bomb.tar.gz" "$D" 1024	# 1 GiB from ~1 MB
python3 "$TMP/bomb.py" "$W/small-bomb.tar.gz" "$D" 80	# past the 64 MiB the ratio waits for
[ "$(stat -c %s "$W/bomb.tar.gz")" -lt 2000000 ] && pass "the 1 GiB bomb weighs about 1 MB" ||
	fail "bomb: $(stat -c %s "$W/bomb.tar.gz") bytes"
tar -czf "$W/demo.tar.gz" -C "$S" --transform 's,^demo,checkpoint,' demo
"$CRIT" decode -i "$D/core-100.img" -o "$W/core.json" || fail "decode core-100.img"
"$CONV" -q "$D" "$W/demo.json" && "$CONV" -q --to json-dir "$D" "$W/demo-jd" &&
	"$CONV" -q "$D" "oci:$W/demo-oci" || fail "convert the demo to json, json-dir and oci"
# an unpacked container checkpoint with engine files, one of them 4 KiB of JSON
mkdir -p "$W/ctr" && cp -r "$D" "$W/ctr/checkpoint"
python3 -c 'import json; print(json.dumps({"name": "big", "pad": "x" * 4096}))' > "$W/ctr/config.dump"
echo '{"annotations": {"io.container.manager": "libpod"}}' > "$W/ctr/spec.dump"
# a tree with directories nested 6 deep, as an archive and as a JSON bundle
mkdir -p "$W/deep/checkpoint" "$W/deep/rootfs/a/b/c/d/e" && cp "$D"/*.img "$W/deep/checkpoint/"
echo deep > "$W/deep/rootfs/a/b/c/d/e/f"
tar -czf "$W/deep.tar.gz" -C "$W/deep" . && "$CONV" -q "$W/deep" "$W/deep.json" ||
	fail "deep tree archives"
# an incremental chain from the demo: c3 -> c2 -> c1, the pages of task 101
# all in the first (pagemap flags PE_PARENT, its pages-2.img empty), so
# reading them takes 2 parents
mkdir -p "$W/chain/c1" "$W/chain/c2" "$W/chain/c3"
cp "$D"/*.img "$W/chain/c1/"
"$CRIT" decode -i "$D/pagemap-101.img" | sed 's/"flags": [0-9]*/"flags": 1/g' > "$TMP/pm.json"
for c in c2 c3; do
	cp "$D"/*.img "$W/chain/$c/" && : > "$W/chain/$c/pages-2.img"
	"$CRIT" encode -i "$TMP/pm.json" -o "$W/chain/$c/pagemap-101.img"
done
ln -s ../c1 "$W/chain/c2/parent" && ln -s ../c2 "$W/chain/c3/parent"
C3=$W/chain/c3

# ---- decode, show, info, encode: entry, extra, depth ----
tight "decode: entry" entry 1 "$CRIT" --limit entry=16 decode -i "$D/core-100.img"
tight "decode: entry from CRIMG_LIMITS" entry 1 env CRIMG_LIMITS=entry=16 "$CRIT" decode -i "$D/core-100.img"
raised "decode: entry raised" 0 env CRIMG_LIMITS=entry=16 "$CRIT" --limit entry=64M decode -i "$D/core-100.img"
tight "decode: extra (28 bytes of pipe data)" extra 1 "$CRIT" --limit extra=16 decode -i "$X/pipes-data.img"
raised "decode: extra raised" 0 "$CRIT" --limit extra=28 decode -i "$X/pipes-data.img"
tight "show: entry" entry 1 "$CRIT" --limit entry=16 show "$D/core-100.img"
raised "show: entry raised" 0 "$CRIT" --limit entry=1K show "$D/core-100.img"
tight "info: entry" entry 1 "$CRIT" --limit entry=16 info "$D/core-100.img"
raised "info: entry raised" 0 "$CRIT" --limit entry=1K info "$D/core-100.img"
tight "encode: depth" depth 1 "$CRIT" --limit depth=3 encode -i "$W/core.json" -o "$W/core.img"
[ -e "$W/core.img" ] && fail "encode over a limit left its output" || pass "encode over a limit wrote nothing"
raised "encode: depth raised" 0 "$CRIT" --limit depth=3,depth=40 encode -i "$W/core.json" -o "$W/core.img"
cmp -s "$W/core.img" "$D/core-100.img" && pass "encode raised: the same bytes" || fail "encode raised: bytes differ"

# ---- x, inspect, mem: every archive limit, entry, args, json, parents ----
for v in "x ps" "inspect" "mem --pid 101"; do
	set -- $v
	cmd=$1
	shift
	tight "$cmd: ratio (80 MiB from 80 KiB)" ratio 1 "$CRIT" "$cmd" "$W/small-bomb.tar.gz" "$@"
	raised "$cmd: ratio raised" 0 "$CRIT" --limit ratio=100000 "$cmd" "$W/small-bomb.tar.gz" "$@"
	tight "$cmd: member" member 1 "$CRIT" --limit ratio=100000,member=64M "$cmd" "$W/small-bomb.tar.gz" "$@"
	tight "$cmd: unpacked" unpacked 1 env CRIMG_LIMITS=unpacked=1K "$CRIT" "$cmd" "$W/demo.tar.gz" "$@"
	tight "$cmd: members" members 1 "$CRIT" --limit members=3 "$cmd" "$W/demo.tar.gz" "$@"
	raised "$cmd: archive limits raised" 0 "$CRIT" --limit members=100,unpacked=1M "$cmd" "$W/demo.tar.gz" "$@"
	tight "$cmd: entry" entry 1 "$CRIT" --limit entry=16 "$cmd" "$D" "$@"
	tight "$cmd: json (OCI index.json)" json 1 "$CRIT" --limit json=64 "$cmd" "$W/demo-oci" "$@"
	raised "$cmd: json raised" 0 "$CRIT" --limit json=64K "$cmd" "$W/demo-oci" "$@"
done
tight "x cmdline: args" args 1 "$CRIT" --limit args=8 x "$D" cmdline
raised "x cmdline: args raised" 0 "$CRIT" --limit args=1K x "$D" cmdline
tight "x env: args" args 1 "$CRIT" --limit args=8 x "$D" env
tight "inspect --ps-tree-cmd: args" args 1 "$CRIT" --limit args=8 inspect --ps-tree-cmd "$D"
raised "inspect --ps-tree-cmd: args raised" 0 "$CRIT" --limit args=1K inspect --ps-tree-cmd "$D"
# inspect reports an engine file over the json limit as a problem, as a damaged one
raised "inspect: config.dump under the json limit" 0 "$CRIT" inspect "$W/ctr"
grep -q "big" "$TMP/out" && pass "inspect: the container's name from config.dump" ||
	fail "inspect: no name from config.dump: $(head -c 300 "$TMP/out")"
tight "inspect: config.dump over the json limit (a warning)" json 0 "$CRIT" --limit json=1K inspect "$W/ctr"
tight "mem: parents" parents 1 "$CRIT" --limit parents=1 mem "$C3" --pid 101
raised "mem: parents raised" 0 "$CRIT" --limit parents=2 mem "$C3" --pid 101
tight "mem: parents=0 follows none" parents 1 "$CRIT" --limit parents=0 mem "$W/chain/c2" --pid 101

# ---- diff, as crit diff and crit-diff: both sides and their parents ----
tight "diff: ratio (the issue's case)" ratio 2 "$CRIT" diff "$W/small-bomb.tar.gz" "$D"
raised "diff: ratio raised by crit --limit" 0 "$CRIT" --limit ratio=100000 diff "$W/small-bomb.tar.gz" "$D"
raised "crit-diff: ratio raised by CRIMG_LIMITS" 0 env CRIMG_LIMITS=ratio=100000 "$DIFF" "$W/small-bomb.tar.gz" "$D"
raised "crit-diff: ratio raised by --limit" 0 "$DIFF" --limit ratio=100000 "$W/small-bomb.tar.gz" "$D"
tight "diff: ratio on side B" ratio 2 "$CRIT" diff "$D" "$W/small-bomb.tar.gz"
tight "diff: parents" parents 2 "$CRIT" --limit parents=1 diff "$C3" "$D"
raised "diff: parents raised" 0 "$CRIT" --limit parents=2 diff --only memory "$C3" "$D"
tight "crit-diff: parents from CRIMG_LIMITS" parents 2 env CRIMG_LIMITS=parents=1 "$DIFF" "$D" "$C3"
tight "crit-diff: parents from --limit" parents 2 "$DIFF" --limit parents=1 "$D" "$C3"
tight "diff: entry (checkpoints)" entry 2 "$CRIT" --limit entry=16 diff "$D" "$W/demo.tar.gz"
tight "diff: entry (images)" entry 2 "$CRIT" --limit entry=16 diff "$D/core-100.img" "$D/core-101.img"
raised "diff: entry raised (images)" 1 "$CRIT" --limit entry=1K diff "$D/core-100.img" "$D/core-101.img"
tight "diff: members" members 2 "$CRIT" --limit members=3 diff "$D" "$W/demo.tar.gz"
tight "crit-diff: json (OCI)" json 2 "$DIFF" --limit json=64 "$W/demo-oci" "$D"
raised "diff: archive and json limits raised" 0 "$CRIT" --limit members=100,json=64K diff "$W/demo-oci" "$W/demo.tar.gz"

# ---- convert, as crit convert and crit-convert ----
# the issue's case: 1 GiB from 1 MB was written out in full; now it stops
# where the ratio is judged, and leaves nothing beside DST or in $TMPDIR
start=$(date +%s)
tight "convert: a 1 GiB tar.gz bomb stops at the ratio" ratio 1 "$CRIT" convert -q "$W/bomb.tar.gz" "$W/no1"
[ $(($(date +%s) - start)) -lt 60 ] && pass "convert: the bomb stopped early" || fail "convert: the bomb took $(($(date +%s) - start)) s"
left=$(ls -A "$W" | grep -c crimg)
[ ! -e "$W/no1" ] && [ "$left" -eq 0 ] && pass "convert: the bomb left nothing" || fail "convert: bomb left $(ls -A "$W")"
raised "convert: ratio raised" 0 "$CRIT" --limit ratio=100000 convert -q "$W/small-bomb.tar.gz" "$W/sb"
[ "$(stat -c %s "$W/sb/checkpoint/zeros.bin" 2>/dev/null)" = $((80 << 20)) ] && pass "convert raised: all 80 MiB" ||
	fail "convert raised: zeros.bin missing or short"
rm -rf "$W/sb"
tight "crit-convert: ratio from CRIMG_LIMITS" ratio 1 env CRIMG_LIMITS=ratio=10 "$CONV" -q "$W/small-bomb.tar.gz" "$W/no3"
tight "crit-convert: member from --limit" member 1 "$CONV" -q --limit ratio=100000,member=1M "$W/small-bomb.tar.gz" "$W/no4"
tight "convert: unpacked" unpacked 1 "$CRIT" --limit unpacked=1K convert -q "$W/demo.tar.gz" "$W/no5"
tight "convert: members" members 1 "$CRIT" --limit members=3 convert -q "$W/demo.tar.gz" "$W/no6"
raised "convert: archive limits raised" 0 "$CRIT" --limit members=100,unpacked=1M,member=1M convert -q "$W/demo.tar.gz" "$W/d1"
tight "convert: json (OCI index.json)" json 1 "$CRIT" --limit json=64 convert -q "$W/demo-oci" "$W/no7"
raised "convert: json raised (OCI)" 0 "$CRIT" --limit json=64K convert -q "$W/demo-oci" "$W/d2"
tight "convert: json (a JSON directory's list)" json 1 "$CRIT" --limit json=64 convert -q "$W/demo-jd" "$W/no8"
raised "convert: json raised (json-dir)" 0 "$CRIT" --limit json=1M convert -q "$W/demo-jd" "$W/d3"
tight "convert: json (config.dump, writing OCI)" json 1 "$CRIT" --limit json=1K convert -q "$W/ctr" "oci:$W/no-oci"
raised "convert: json raised (config.dump)" 0 "$CRIT" --limit json=8K convert -q "$W/ctr" "oci:$W/o2"
tight "convert: dirs (archive)" dirs 1 "$CRIT" --limit dirs=5 convert -q "$W/deep.tar.gz" "$W/no9"
raised "convert: dirs raised (archive)" 0 "$CRIT" --limit dirs=6 convert -q "$W/deep.tar.gz" "$W/d4"
tight "convert: dirs (JSON bundle)" dirs 1 "$CONV" -q --limit dirs=5 "$W/deep.json" "$W/no10"
raised "convert: dirs (JSON bundle) default" 0 "$CONV" -q "$W/deep.json" "$W/d5"
tight "convert: entry (images to JSON)" entry 1 "$CRIT" --limit entry=16 convert -q "$D" "$W/no11.json"
raised "convert: entry raised" 0 "$CRIT" --limit entry=1K convert -q "$D" "$W/d6.json"
tight "convert: depth (JSON bundle)" depth 1 "$CRIT" --limit depth=4 convert -q "$W/demo.json" "$W/no12"
tight "convert: depth (JSON directory)" depth 1 env CRIMG_LIMITS=depth=4 "$CONV" -q "$W/demo-jd" "$W/no13"
raised "convert: depth raised" 0 "$CRIT" --limit depth=4,depth=20 convert -q "$W/demo.json" "$W/d7"
[ -z "$(ls -d "$W"/no* 2>/dev/null)" ] && pass "convert: no DST from any run over a limit" ||
	fail "convert: a run over a limit left DST"

# ---- edit: decode and encode ----
# (an edit that cannot be used is kept for the user: in a TMPDIR of its own)
mkdir -p "$TMP/edit-tmp"
export TMPDIR=$TMP/edit-tmp
cp "$D/files.img" "$W/files.img"
cat > "$TMP/ed.sh" <<'EOF'
#!/bin/sh
sed -i 's#"/srv/demo"#"/srv/edited"#' "$1"
EOF
chmod +x "$TMP/ed.sh"
tight "edit: entry" entry 1 env EDITOR="$TMP/ed.sh" "$CRIT" --limit entry=16 edit --no-backup "$W/files.img"
tight "edit: depth (the edited JSON)" depth 1 env EDITOR="$TMP/ed.sh" "$CRIT" --limit depth=3 edit --no-backup "$W/files.img"
cmp -s "$W/files.img" "$D/files.img" && pass "edit over a limit: the image untouched" || fail "edit over a limit changed the image"
raised "edit: raised" 0 env EDITOR="$TMP/ed.sh" "$CRIT" --limit depth=20,entry=1K edit --no-backup "$W/files.img"
"$CRIT" decode -i "$W/files.img" | grep -q /srv/edited && pass "edit raised: the edit is in" || fail "edit raised: no edit"
export TMPDIR=$TMP/tmpdir

# ---- the corpus: incr-dump has two parents ----
if have_corpus && [ -d "$CORPUS/incr-dump" ]; then
	tight "corpus diff: --limit parents=1 stops at the second parent" parents 2 \
		"$CRIT" --limit parents=1 diff "$CORPUS/incr-dump" "$CORPUS/incr-pre2"
	grep -qF "incr-pre2/parent: parent chain longer than 1" "$TMP/err" && pass "corpus diff: the first parent was followed" ||
		fail "corpus diff: $(head -c 300 "$TMP/err")"
	raised "corpus diff: parents=2" 1 "$CRIT" --limit parents=2 diff "$CORPUS/incr-dump" "$CORPUS/incr-pre2"
	tight "corpus crit-diff: parents from CRIMG_LIMITS" parents 2 env CRIMG_LIMITS=parents=1 \
		"$DIFF" --only memory "$CORPUS/incr-dump" "$CORPUS/incr-pre1"
	tight "corpus mem: parents" parents 1 "$CRIT" --limit parents=1 mem "$CORPUS/incr-dump" --pid 3729
	raised "corpus mem: parents raised" 0 "$CRIT" --limit parents=2 mem "$CORPUS/incr-dump" --pid 3729
else
	skip "corpus incr-dump (no $CORPUS)"
fi

# ---- a malformed limit: a usage error of every tool, before any work ----
bad_env() { # NAME CMD...
	local n=$1
	shift
	usage "$n: malformed CRIMG_LIMITS" "CRIMG_LIMITS: limit 'bogus=1': expected NAME=VALUE, NAME one of entry," \
		env CRIMG_LIMITS=bogus=1 "$@"
	usage "$n: CRIMG_LIMITS out of range" "CRIMG_LIMITS: limit 'dirs=513': dirs takes a number from 1 to 512" \
		env CRIMG_LIMITS=dirs=513 "$@"
}
bad_opt() { # NAME CMD...: the option goes before the command's own arguments
	local n=$1 tool=$2
	shift 2
	usage "$n: malformed --limit" "--limit: limit 'entry=': entry takes a size" "$tool" --limit entry= "$@"
	usage "$n: --limit with no name" "--limit: limit '12': expected NAME=VALUE" "$tool" --limit 12 "$@"
}
cp "$D/files.img" "$W/e.img"
export EDITOR="$TMP/ed.sh"
for c in "decode -i $D/core-100.img -o $W/n1.json" "encode -i $W/core.json -o $W/n2.img" \
	"info $D/core-100.img" "show $D/core-100.img" "x $D ps" "inspect $D" "mem $D --pid 101" \
	"edit --no-backup $W/e.img" "convert $D $W/n3" "diff $D $D"; do
	set -- $c
	bad_env "crit $1" "$CRIT" "$@"
	bad_opt "crit $1" "$CRIT" "$@"
done
unset EDITOR
bad_env "crit-convert" "$CONV" -q "$D" "$W/n4"
bad_opt "crit-convert" "$CONV" -q "$D" "$W/n4"
bad_env "crit-diff" "$DIFF" "$D" "$D"
bad_opt "crit-diff" "$DIFF" "$D" "$D"
usage "crit --limit with no value" "option '--limit' needs a value" "$CRIT" --limit
ok=1
for f in n1.json n2.img n3 n4; do [ -e "$W/$f" ] && ok=0; done
cmp -s "$W/e.img" "$D/files.img" || ok=0
[ $ok = 1 ] && pass "a malformed limit: nothing written, nothing edited" || fail "a malformed limit: work was done"

# ---- crit --help and docs/limits.md: every limit with its default ----
"$CRIT" --help > "$TMP/help"
sed -n '/^    [a-z]*=[0-9]/s/^    \([a-z]*=[0-9]*[KMGT]\{0,1\}\) .*/\1/p' "$TMP/help" > "$TMP/help-limits"
sed -n '/^| name | default | what |$/,/^$/s/^| \([a-z]*\) | \([0-9]*[KMGT]\{0,1\}\) | .*/\1=\2/p' "$TOP/docs/limits.md" > "$TMP/readme-limits"
[ "$(wc -l < "$TMP/help-limits")" -eq 11 ] && pass "crit --help lists 11 limits" || fail "crit --help: $(cat "$TMP/help-limits")"
cmp -s "$TMP/help-limits" "$TMP/readme-limits" && pass "docs/limits.md's table is crit --help's" ||
	fail "docs/limits.md and --help differ: $(diff "$TMP/help-limits" "$TMP/readme-limits" | head -5)"

# ---- convert --level: each compressor's range, before any work ----
level() { # NAME PATTERN ARGS...: a usage error, no DST and nothing beside it
	local n=$1 pat=$2
	shift 2
	mkdir -p "$W/lv" && rm -rf "$W/lv"/*
	usage "$n" "$pat" "$CRIT" convert "$@"
	[ -z "$(ls -A "$W/lv")" ] && pass "$n: nothing made" || fail "$n: made $(ls -A "$W/lv")"
}
level "--level 15 for gzip" "--level 15: gzip levels are 0 to 9" --level 15 "$D" "$W/lv/x.tar.gz"
level "--level 10 for a gzip OCI layer" "--level 10: gzip levels are 0 to 9" --level 10 --layer-compression gzip "$D" "oci:$W/lv/o"
level "--level 0 for zstd" "--level 0: zstd levels are 1 to 19" --level 0 "$D" "$W/lv/x.tar.zst"
level "--level 20 for zstd" "--level 20: zstd levels are 1 to 19" -l 20 --to tar.zst "$D" "$W/lv/x"
level "--level for tar" "--level 3: DST's format tar is not compressed" --level 3 "$D" "$W/lv/x.tar"
level "--level for a directory" "--level 3: DST's format dir is not compressed" --level 3 "$D" "$W/lv/x"
level "--level for json" "--level 1: DST's format json is not compressed" --level 1 "$D" "$W/lv/x.json"
level "--level for an uncompressed OCI layer" "--level 5: the layer of oci-archive is not compressed" --level 5 "$D" "$W/lv/x.oci.tar"
level "--level not a number" "--level needs a number (gzip 0-9, zstd 1-19), got 'x'" --level x "$D" "$W/lv/x.tar.gz"
raised "--level 0 for gzip" 0 "$CRIT" convert -q --level 0 "$D" "$W/l0.tar.gz"
raised "--level 9 for gzip" 0 "$CRIT" convert -q --level 9 "$D" "$W/l9.tar.gz"
raised "--level 1 for zstd" 0 "$CRIT" convert -q --level 1 "$D" "$W/l1.tar.zst"
raised "--level 19 for zstd" 0 "$CRIT" convert -q --level 19 "$D" "$W/l19.tar.zst"
raised "--level 9 for a gzip OCI layer" 0 "$CRIT" convert -q --level 9 --layer-compression gzip "$D" "oci:$W/l9oci"
# names in any case: X.TAR.GZ is a tar.gz, not a directory
magic() { od -An -tx1 -N4 "$1" | tr -d ' \n'; }
for n in X.TAR.GZ Y.Tgz Z.Tar.Zst V.TZST; do
	raised "DST $n" 0 "$CRIT" convert -q "$D" "$W/$n"
	case $n in *[Gg][Zz]) want=1f8b ;; *) want=28b52ffd ;; esac
	[ -f "$W/$n" ] && [ "$(magic "$W/$n" | cut -c1-${#want})" = "$want" ] && pass "DST $n: a $( [ $want = 1f8b ] && echo gzip || echo zstd ) file" ||
		fail "DST $n: not a compressed file ($(ls -ld "$W/$n"))"
done
raised "DST U.TAR" 0 "$CRIT" convert -q "$D" "$W/U.TAR"
[ -f "$W/U.TAR" ] && tar -tf "$W/U.TAR" > /dev/null 2>&1 && pass "DST U.TAR: a tar file" || fail "DST U.TAR: not a tar"
raised "DST W.JSON" 0 "$CRIT" convert -q "$D" "$W/W.JSON"
[ -f "$W/W.JSON" ] && head -c 1 "$W/W.JSON" | grep -q '{' && pass "DST W.JSON: a JSON bundle" || fail "DST W.JSON: not JSON"
level "--level 15 for X.TAR.GZ" "--level 15: gzip levels are 0 to 9" --level 15 "$D" "$W/lv/X.TAR.GZ"

# nothing of any run is left where archives are unpacked
[ -z "$(ls -A "$TMPDIR")" ] && pass "nothing left in TMPDIR" || fail "TMPDIR holds $(ls -A "$TMPDIR" | head -5)"
finish
