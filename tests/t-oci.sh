#!/usr/bin/env bash
# asan-ok
# OCI images through crit-convert: every corpus dump (directories and the
# Podman archives) and the sample checkpoint, to an image layout and to an
# oci-archive, and back.  Checked: the layout by an independent reader
# (tests/oci/check_layout.py: digests, sizes, media types, diff_id, the
# annotations where Podman, CRI-O and containerd read them, the layer's
# members byte for byte), skopeo and umoci reading it (when installed; the
# skopeo/umoci checks run on the normal build only, the output is the same),
# the same digests from a second conversion, the way back byte for byte, the
# layer compressions, --ref and SOURCE_DATE_EPOCH, and damaged images:
# exit 1, a precise message, no DST and nothing left beside it.
. "$(dirname "$0")/lib.sh"
CONV=$BUILD/bin/crit-convert
CHECK=$TOP/tests/oci/check_layout.py
MKBAD=$TOP/tests/oci/mkbad.py

if [ ! -x "$CONV" ]; then
	skip "crit-convert is not built"
	finish
	exit
fi
have_tool() { command -v "$1" >/dev/null 2>&1; }
EXTERNAL=1
case $BUILD in *asan*) EXTERNAL= ;; esac
if [ -n "$EXTERNAL" ]; then
	have_tool skopeo || skip "skopeo is not installed (make deps): skopeo checks"
	have_tool umoci || skip "umoci is not installed (make deps): umoci checks"
fi
skopeo_ok() { [ -n "$EXTERNAL" ] && have_tool skopeo; }
umoci_ok() { [ -n "$EXTERNAL" ] && have_tool umoci; }

# conv NAME ARGS...: crit-convert -q ARGS must succeed
conv() {
	local n=$1
	shift
	if "$CONV" -q "$@" > "$TMP/conv.out" 2> "$TMP/conv.err"; then
		return 0
	fi
	fail "$n: crit-convert $*: exit $? ($(head -c 300 "$TMP/conv.err"))"
	return 1
}

# same_tree NAME A B: the same files, directories and symlinks, byte for byte
# layer_root DIR REF: where the checkpoint sits in an unpacked layer: a bare
# CRIU dump (inventory.img at its top) is laid under checkpoint/, as Podman
# lays its own; a container checkpoint is the layer's root.
layer_root() { if [ -f "$2/inventory.img" ]; then echo "$1/checkpoint"; else echo "$1"; fi; }
same_tree() {
	if diff -r --no-dereference "$2" "$3" > "$TMP/diff.out" 2>&1; then
		pass "$1"
	else
		fail "$1: $(head -3 "$TMP/diff.out" | tr '\n' ' ')"
	fi
}

# layout_ok NAME LAYOUT TREE ARCH CNAME MTIME [REF]
layout_ok() {
	local n=$1
	shift
	if python3 "$CHECK" "$@" > "$TMP/check.out" 2>&1; then
		pass "$n"
	else
		fail "$n: $(head -5 "$TMP/check.out" | tr '\n' ' ')"
	fi
}

# The name the annotations must carry: config.dump's for a container
# checkpoint, else the root task's (pstree's first pid, its core's comm).
expected_name() {
	python3 - "$1" <<-'EOF'
	import json, os, subprocess, sys
	t = sys.argv[1]
	if os.path.exists(os.path.join(t, "config.dump")):
	    print(json.load(open(os.path.join(t, "config.dump")))["name"])
	    sys.exit()
	crit = os.environ["CRIT"]
	def dec(p):
	    return json.loads(subprocess.run([crit, "decode", "-i", p], capture_output=True,
	                                      check=True).stdout)
	try:
	    pid = dec(os.path.join(t, "pstree.img"))["entries"][0]["pid"]
	    print(dec(os.path.join(t, "core-%d.img" % pid))["entries"][0]["tc"]["comm"])
	except (FileNotFoundError, subprocess.CalledProcessError):
	    print("checkpoint")
	EOF
}
export CRIT

arch_of() {
	case $1 in
	*aarch64*) echo arm64 ;;
	*s390x*) echo s390x ;;
	*) echo amd64 ;;
	esac
}

# ---- the sources: name, what to convert, the tree it must give back ----
SRCS=()
add_src() { SRCS+=("$1|$2|$3"); }
[ -d "$BUILD/samples/demo" ] && add_src demo "$BUILD/samples/demo" "$BUILD/samples/demo"
if have_corpus; then
	for d in "$CORPUS"/*/ "$CORPUS"/foreign/*/; do
		d=${d%/}
		[ -f "$d/inventory.img" ] || continue
		n=${d#"$CORPUS"/}
		add_src "${n//\//-}" "$d" "$d"
	done
	for a in "$CORPUS"/archives/*.tar*; do
		ref=$(extract_archive "$a") || { fail "$a: tar cannot extract it"; continue; }
		add_src "$(basename "$a")" "$a" "$ref"
	done
else
	skip "no corpus: OCI checks on the sample checkpoint only"
fi
[ ${#SRCS[@]} -gt 0 ] || skip "no checkpoint to convert (build the samples)"

mkdir -p "$TMP/o" "$TMP/b" "$TMP/u"
for s in "${SRCS[@]}"; do
	IFS='|' read -r n src ref <<< "$s"
	arch=$(arch_of "$n")
	cname=$(expected_name "$ref")
	lay=$TMP/o/$n.oci
	arc=$TMP/o/$n.oci.tar

	conv "$n -> oci" "$src" "$lay" --to oci || continue
	conv "$n -> oci-archive" "$src" "$arc" --to oci-archive || continue
	layout_ok "$n: OCI layout valid, annotations, layer = checkpoint" "$lay" "$ref" \
		"$arch" "$cname" auto
	# the archive holds the same layout
	mkdir -p "$TMP/o/$n.unpacked"
	if tar -xf "$arc" -C "$TMP/o/$n.unpacked"; then
		same_tree "$n: oci-archive = the layout" "$lay" "$TMP/o/$n.unpacked"
	else
		fail "$n: tar cannot read the oci-archive"
	fi

	# reproducible: a second run gives the same bytes
	if conv "$n -> oci again" "$src" "$TMP/o/$n.again" --to oci &&
		conv "$n -> oci-archive again" "$src" "$TMP/o/$n.again.tar" --to oci-archive; then
		same_tree "$n: converting twice gives the same layout" "$lay" "$TMP/o/$n.again"
		check "$n: converting twice gives the same oci-archive" \
			cmp -s "$arc" "$TMP/o/$n.again.tar"
	fi

	# and back: OCI -> dir
	conv "$n: oci -> dir" "$lay" "$TMP/b/$n" --to dir &&
		same_tree "$n: oci -> dir gives back the checkpoint" "$ref" "$TMP/b/$n"
	conv "$n: oci-archive -> dir" "$arc" "$TMP/b/$n.a" --to dir &&
		same_tree "$n: oci-archive -> dir gives back the checkpoint" "$ref" "$TMP/b/$n.a"

	if skopeo_ok; then
		for t in "oci:$lay" "oci-archive:$arc"; do
			if skopeo inspect "$t" > "$TMP/sk.json" 2> "$TMP/sk.err" &&
				skopeo inspect --raw "$t" > "$TMP/sk.raw" 2>> "$TMP/sk.err"; then
				python3 - "$TMP/sk.json" "$TMP/sk.raw" "$arch" "$cname" > "$TMP/sk.out" <<-'EOF'
				import json, sys
				i, raw = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
				arch, name = sys.argv[3], sys.argv[4]
				assert i["Architecture"] == arch and i["Os"] == "linux", i
				assert i["Labels"]["org.criu.checkpoint.container.name"] == name, i
				assert len(i["Layers"]) == 1, i
				a = raw["annotations"]
				for k in ("io.kubernetes.cri-o.annotations.checkpoint.name",
				          "io.podman.annotations.checkpoint.name",
				          "org.criu.checkpoint.container.name"):
				    assert a[k] == name, (k, a)
				EOF
				check "$n: skopeo inspect $t shows the image and its annotations" \
					test $? -eq 0
			else
				fail "$n: skopeo inspect $t: $(head -c 300 "$TMP/sk.err")"
			fi
		done
	fi
	if umoci_ok; then
		if umoci unpack --image "$lay" "$TMP/u/$n" > "$TMP/umoci.err" 2>&1; then
			same_tree "$n: umoci unpack gives back the checkpoint files" "$ref" \
				"$(layer_root "$TMP/u/$n/rootfs" "$ref")"
		else
			fail "$n: umoci unpack: $(tail -c 300 "$TMP/umoci.err")"
		fi
	fi
	rm -rf "$TMP/o/$n.again" "$TMP/o/$n.again.tar" "$TMP/o/$n.unpacked" "$TMP/u/$n"
done

# ---- options: layer compression, --ref, SOURCE_DATE_EPOCH ----
# one container checkpoint (the corpus's Podman archive) or the sample
first=${SRCS[0]}
for s in "${SRCS[@]}"; do case $s in *podman-busybox-none*) first=$s ;; esac; done
IFS='|' read -r n src ref <<< "$first"
arch=$(arch_of "$n")
cname=$(expected_name "$ref")
for c in gzip zstd; do
	lay=$TMP/o/opt-$c
	conv "$n -> oci, $c layer" "$src" "$lay" --to oci --layer-compression "$c" || continue
	layout_ok "$n: $c layer valid, diff_id of the uncompressed layer" "$lay" "$ref" \
		"$arch" "$cname" auto
	conv "$n: $c oci -> dir" "$lay" "$TMP/b/opt-$c" &&
		same_tree "$n: $c layer -> dir gives back the checkpoint" "$ref" "$TMP/b/opt-$c"
	if skopeo_ok && have_tool zstd; then
		# skopeo copy to a dir: transport, then the layer by hand
		rm -rf "$TMP/sc"
		mkdir -p "$TMP/sc.x"
		if skopeo copy -q "oci:$lay" "dir:$TMP/sc" > "$TMP/sk.err" 2>&1; then
			l=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"][7:])' "$TMP/sc/manifest.json")
			if [ $c = gzip ]; then gzip -dc "$TMP/sc/$l"; else zstd -qdc "$TMP/sc/$l"; fi |
				tar -x -C "$TMP/sc.x"
			same_tree "$n: skopeo copy oci: dir:, $c layer extracted = checkpoint" \
				"$ref" "$(layer_root "$TMP/sc.x" "$ref")"
		else
			fail "$n: skopeo copy oci:$lay: $(head -c 300 "$TMP/sk.err")"
		fi
		rm -rf "$TMP/sc" "$TMP/sc.x"
	fi
done
if umoci_ok; then
	umoci unpack --image "$TMP/o/opt-gzip" "$TMP/u/gz" > "$TMP/umoci.err" 2>&1 &&
		same_tree "$n: umoci unpack of a gzip layer" "$ref" "$(layer_root "$TMP/u/gz/rootfs" "$ref")" ||
		fail "$n: umoci unpack of a gzip layer: $(tail -c 300 "$TMP/umoci.err")"
fi

lay=$TMP/o/opt-ref
if SOURCE_DATE_EPOCH=1700000000 conv "$n -> oci --ref" "$src" "$lay" --to oci \
	--ref localhost/checkpoint-test:v1; then
	layout_ok "$n: --ref and SOURCE_DATE_EPOCH: index ref name, times" "$lay" "$ref" \
		"$arch" "$cname" 1700000000 localhost/checkpoint-test:v1
	if skopeo_ok; then
		check "$n: skopeo finds the image by its --ref name" \
			skopeo inspect "oci:$lay:localhost/checkpoint-test:v1" > /dev/null 2>&1
	fi
fi

"$CONV" -q --ref 'not a ref' "$src" "$TMP/o/badref" --to oci 2> "$TMP/ref.err"
rc=$?
check "--ref that is not a ref name: usage error (exit 2), nothing written: $(head -c 100 "$TMP/ref.err")" \
	test $rc -eq 2 -a ! -e "$TMP/o/badref"

# OCI -> container checkpoint archive: the same members
if conv "$n: oci -> tar.gz" "$TMP/o/$n.oci" "$TMP/b/from-oci.tar.gz"; then
	mkdir -p "$TMP/b/from-oci"
	tar -xzf "$TMP/b/from-oci.tar.gz" -C "$TMP/b/from-oci" &&
		same_tree "$n: oci -> tar.gz holds the checkpoint" "$ref" "$TMP/b/from-oci"
fi

# an image another tool wrote: skopeo's own index.json, its gzip of the layer
if skopeo_ok; then
	if skopeo copy -q --dest-compress --dest-compress-format gzip "oci:$TMP/o/$n.oci" \
		"oci-archive:$TMP/o/skopeo.tar" > "$TMP/sk.err" 2>&1; then
		conv "$n: skopeo's oci-archive -> dir" "$TMP/o/skopeo.tar" "$TMP/b/from-skopeo" &&
			same_tree "$n: an oci-archive skopeo rewrote (gzip layer) gives back the checkpoint" \
				"$ref" "$TMP/b/from-skopeo"
	else
		fail "skopeo copy to oci-archive: $(head -c 300 "$TMP/sk.err")"
	fi
fi

# ---- damaged images: exit 1, a precise message, nothing written ----
# bad HOW PATTERN [archive]: a copy of a good layout, damaged by mkbad.py
good=$TMP/o/opt-gzip
[ -d "$good" ] || good=$TMP/o/$n.oci
bad() {
	local how=$1 pat=$2 as=${3:-}
	local d=$TMP/bad/$how
	rm -rf "$TMP/bad" "$TMP/badout"
	mkdir -p "$TMP/bad" "$TMP/badout"
	cp -r "$good" "$d"
	if ! python3 "$MKBAD" "$d" "$how"; then
		fail "mkbad.py $how"
		return
	fi
	local src=$d
	if [ "$as" = archive ]; then
		tar -cf "$d.tar" -C "$d" . && src=$d.tar
	fi
	"$CONV" -q "$src" "$TMP/badout/dst" > /dev/null 2> "$TMP/bad.err"
	local rc=$?
	local left
	left=$(ls -A "$TMP/badout")
	if [ $rc -eq 1 ] && grep -q -- "$pat" "$TMP/bad.err" && [ -z "$left" ] &&
		[ ! -e "$TMP/escaped" ] && [ ! -e /tmp/absolute ] && [ ! -e /tmp/via-symlink ]; then
		pass "damaged image ($how${as:+, $as}) refused: $(head -c 160 "$TMP/bad.err")"
	else
		fail "damaged image ($how${as:+, $as}): exit $rc, left [$left], message: $(head -c 300 "$TMP/bad.err")"
	fi
}
if [ -d "$good" ]; then
	bad flip "layer: blob sha256:[0-9a-f]*: wrong digest: its content hashes to sha256:"
	bad flip "wrong digest" archive
	bad truncate "layer: blob sha256:[0-9a-f]* is truncated: [0-9]* bytes, the descriptor says"
	bad notar "layer: blob sha256:[0-9a-f]*: not a tar, gzip or zstd stream"
	bad gzip-as-zstd "is gzip data, the manifest says zstd"
	bad escape "\.\./escaped"
	bad escape "\.\./escaped" archive
	bad absolute "/tmp/absolute"
	bad via-symlink "ln"
	bad symlink-blob "layer: blob sha256:[0-9a-f]*: is a symlink"
	bad diff-id "uncompressed hashes to sha256:[0-9a-f]*, the config's diff_id is sha256:0000"
	bad manifest "manifest: blob sha256:[0-9a-f]*: wrong digest"
	bad sha512 "only sha256 digests are supported"
	bad two-layers "2 layers; a checkpoint image has one"
fi

# The OCI forms open as checkpoints themselves: crit x, inspect and diff
# read them as they read the directory (the layer is verified first).
D=$BUILD/samples/demo
if [ -d "$D" ] && "$BUILD/bin/crit-convert" -q "$D" "$TMP/open.oci.tar" --to oci-archive &&
   "$BUILD/bin/crit-convert" -q "$D" "$TMP/open-oci" --to oci; then
	mkdir -p "$TMP/ocitmp"
	export TMPDIR=$TMP/ocitmp	# where the extracted trees go, and must leave
	for f in "$TMP/open.oci.tar" "$TMP/open-oci"; do
		check "crit x ps of $(basename "$f") = of the directory" \
			cmp -s <("$CRIT" x "$D" ps) <("$CRIT" x "$f" ps)
		check "crit x fds of $(basename "$f") = of the directory" \
			cmp -s <("$CRIT" x "$D" fds) <("$CRIT" x "$f" fds)
		check "crit diff finds no difference with $(basename "$f")" "$BUILD/bin/crit-diff" -q "$D" "$f"
	done
	check "no extracted OCI tree left behind" test -z "$(ls -A "$TMP/ocitmp")"
	export TMPDIR=${TMP%/*}
else
	fail "crit-convert of the demo to OCI"
fi

finish
