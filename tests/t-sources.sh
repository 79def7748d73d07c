#!/usr/bin/env bash
# asan-ok
# Every kind of SRC for every command that takes one (x, mem, inspect, diff,
# convert): OCI images named as skopeo names them (oci:DIR[:REF],
# oci-archive:FILE[:REF]), made here by crit-convert from the sample and the
# corpus, give the same output as the directory they came from; a wrong or
# missing REF is a precise error; convert to oci:DIR:REF makes the layout DIR
# with that ref; JSON bundles and JSON directories open as checkpoints (the
# same output again), an edited JSON directory diffs as exactly its edit,
# and nothing is left in $TMPDIR, even after SIGKILL; OCI images keep the
# checkpoint's times (members, created, inspect) and stay reproducible; the
# help of each command names the sources; `x ps` on a many-process
# checkpoint does no stat per file of the directory (strace).
. "$(dirname "$0")/lib.sh"
CONV=$BUILD/bin/crit-convert
DIFF=$BUILD/bin/crit-diff
if [ ! -x "$CONV" ] || [ ! -x "$DIFF" ]; then
	skip "crit-convert or crit-diff is not built"
	finish
	exit
fi

# same NAME FILE_A FILE_B
same() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1: differs ($(diff "$2" "$3" | head -4 | tr '\n' ' '))"
	fi
}

# run OUT CMD...: CMD > OUT (stderr to OUT.err); its exit status
run() {
	local out=$1
	shift
	"$@" > "$out" 2> "$out.err"
}

# conv ARGS...: crit-convert -q ARGS, which must succeed
conv() {
	if "$CONV" -q "$@" > "$TMP/conv.out" 2> "$TMP/conv.err"; then
		return 0
	fi
	fail "crit-convert $*: exit $? ($(head -c 300 "$TMP/conv.err"))"
	return 1
}

# inspect's first line names SRC and an archive shows its own size: the rest
# must be the directory's
insp() {
	"$CRIT" inspect "$@" 2>&1 | sed 1d | grep -v 'Archive size:'
}

# ---- the checkpoints: the sample, and from the corpus a dump and a Podman archive ----
SRCS=()
[ -d "$BUILD/samples/demo" ] && SRCS+=("demo|$BUILD/samples/demo")
if have_corpus; then
	[ -d "$CORPUS/kitchen" ] && SRCS+=("kitchen|$CORPUS/kitchen")
	if [ -f "$CORPUS/archives/podman-busybox-none.tar" ]; then
		d=$(extract_archive "$CORPUS/archives/podman-busybox-none.tar") &&
			SRCS+=("podman|$d")
	fi
else
	skip "no corpus: sources checked on the sample checkpoint only"
fi
if [ ${#SRCS[@]} -eq 0 ]; then
	skip "no checkpoint (build the samples)"
	finish
	exit
fi

mkdir -p "$TMP/s"
for s in "${SRCS[@]}"; do
	IFS='|' read -r n dir <<< "$s"
	o=$TMP/s/$n
	mkdir -p "$o"
	conv "$dir" "oci:$o/lay:v1" || continue
	conv "$dir" "oci-archive:$o/img.oci.tar:v2" || continue
	conv "$dir" "$o/bundle.json" || continue
	conv --to json-dir "$dir" "$o/jdir" || continue

	# convert's DST oci:DIR:REF: the layout DIR, REF in index.json
	check "$n: convert to oci:DIR:v1 makes the layout DIR (no 'DIR:v1')" \
		test -f "$o/lay/index.json" -a ! -e "$o/lay:v1"
	refs=$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(",")' \
		"$o/lay/index.json" 2>&1)
	check "$n: index.json of oci:DIR:v1 names the image v1 (got '$refs')" test "$refs" = v1
	mkdir -p "$o/arc" && tar -xf "$o/img.oci.tar" -C "$o/arc"
	refs=$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(",")' \
		"$o/arc/index.json" 2>&1)
	check "$n: index.json of oci-archive:FILE:v2 names the image v2 (got '$refs')" test "$refs" = v2

	# every command on every name of the same checkpoint: the directory's output
	NAMES=("oci:$o/lay" "oci:$o/lay:v1" "$o/lay" "oci-archive:$o/img.oci.tar"
		"oci-archive:$o/img.oci.tar:v2" "$o/img.oci.tar" "$o/bundle.json" "$o/jdir")
	for v in ps fds mems rss sk core; do
		run "$TMP/want" "$CRIT" x "$dir" $v
		for src in "${NAMES[@]}"; do
			if run "$TMP/got" "$CRIT" x "$src" $v; then
				same "$n: x $v on ${src#"$o"/} = on the directory" "$TMP/want" "$TMP/got"
			else
				fail "$n: x $v on ${src#"$o"/}: exit $? ($(head -c 200 "$TMP/got.err"))"
			fi
		done
	done
	insp --all "$dir" > "$TMP/want"
	run "$TMP/mwant" "$CRIT" mem "$dir"
	for src in "${NAMES[@]}"; do
		insp --all "$src" > "$TMP/got"
		same "$n: inspect --all on ${src#"$o"/} = on the directory" "$TMP/want" "$TMP/got"
		if run "$TMP/got" "$CRIT" mem "$src"; then
			same "$n: mem on ${src#"$o"/} = on the directory" "$TMP/mwant" "$TMP/got"
		else
			fail "$n: mem on ${src#"$o"/}: exit $? ($(head -c 200 "$TMP/got.err"))"
		fi
		run "$TMP/got" "$DIFF" "$dir" "$src"
		rc=$?
		check "$n: diff of the directory and ${src#"$o"/}: the same (exit $rc: $(head -c 200 "$TMP/got" "$TMP/got.err"))" \
			test $rc -eq 0 -a ! -s "$TMP/got"
	done
	pid=$("$CRIT" x "$dir" ps --format json | jq '.tasks[0].pid')
	run "$TMP/want" "$CRIT" mem "$dir" --pid "$pid" --range 0-ffffffffffff
	run "$TMP/got" "$CRIT" mem "$o/jdir" --pid "$pid" --range 0-ffffffffffff
	same "$n: mem --pid $pid hexdump of the JSON directory = of the directory" "$TMP/want" "$TMP/got"
	run "$TMP/got" "$CRIT" mem "oci-archive:$o/img.oci.tar:v2" --pid "$pid" --range 0-ffffffffffff
	same "$n: mem --pid $pid hexdump of oci-archive:FILE:v2 = of the directory" "$TMP/want" "$TMP/got"

	# a wrong REF: exit 1, the names the image has
	for cmd in "x @ ps" "mem @" "inspect @" "diff $dir @"; do
		for src in "oci:$o/lay:v9" "oci-archive:$o/img.oci.tar:v9"; do
			what=${src%%:*}
			set -- ${cmd/@/$src}
			if [ "$1" = diff ]; then shift; set -- "$DIFF" "$@"; else set -- "$CRIT" "$@"; fi
			run "$TMP/got" "$@"
			rc=$?
			has=v1
			[ "$what" = oci-archive ] && has=v2
			want="index.json: no image named 'v9' (org.opencontainers.image.ref.name); it holds: $has"
			if [ "$cmd" = "diff $dir @" ]; then wrc=2; else wrc=1; fi
			if [ $rc -eq $wrc ] && grep -qF "$want" "$TMP/got.err" && [ ! -s "$TMP/got" ]; then
				pass "$n: ${cmd%% *} on $what:...:v9: exit $wrc, '$want'"
			else
				fail "$n: ${cmd%% *} on $what:...:v9: exit $rc, $(head -c 300 "$TMP/got.err")"
			fi
		done
	done
	# a prefix that does not fit the path, a bad REF: precise errors
	run "$TMP/got" "$CRIT" x "oci:$o/img.oci.tar" ps
	check "$n: oci: on an oci-archive says so: $(head -c 200 "$TMP/got.err")" \
		grep -q "not an OCI image layout directory.*oci-archive:PATH" "$TMP/got.err"
	run "$TMP/got" "$CRIT" x "oci-archive:$o/lay" ps
	check "$n: oci-archive: on a layout says so: $(head -c 200 "$TMP/got.err")" \
		grep -q "not an oci-archive.*name it oci:PATH" "$TMP/got.err"
	run "$TMP/got" "$CRIT" x "oci:$o/lay:bad ref" ps
	check "$n: a REF outside the ref grammar: exit 1, said: $(head -c 200 "$TMP/got.err")" \
		grep -q "'bad ref' is not a valid image reference name" "$TMP/got.err"

	# convert from oci:DIR:REF; a wrong one writes nothing
	conv "oci:$o/lay:v1" "$o/back" && check "$n: convert oci:DIR:v1 -> dir gives the checkpoint" \
		diff -r --no-dereference "$dir" "$o/back"
	"$CONV" -q "oci:$o/lay:v9" "$o/back9" 2> "$TMP/c.err"
	rc=$?
	check "$n: convert oci:DIR:v9: exit 1, nothing written ($(head -c 200 "$TMP/c.err"))" \
		test $rc -eq 1 -a ! -e "$o/back9"
	"$CONV" -q --ref v3 "$dir" "oci:$o/lay3:v4" 2> "$TMP/c.err"
	rc=$?
	check "$n: convert --ref v3 to oci:DIR:v4: usage error ($(head -c 200 "$TMP/c.err"))" \
		test $rc -eq 2 -a ! -e "$o/lay3"
done

# ---- a layout of two images: REF picks one, none is an error naming both ----
if [ ${#SRCS[@]} -ge 2 ]; then
	IFS='|' read -r n1 d1 <<< "${SRCS[0]}"
	IFS='|' read -r n2 d2 <<< "${SRCS[1]}"
	# made as with skopeo: a second image copied into the layout under another name
	m=$TMP/s/multi
	conv "$d1" "oci:$m:v1" && conv "$d2" "oci:$m:v2"
	refs=$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(",")' \
		"$m/index.json" 2>&1)
	check "convert to an existing layout oci:DIR:v2 adds the image (refs: $refs)" \
		test "$refs" = v1,v2
	conv "$d2" "oci:$m:v1"
	refs=$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | join(",")' \
		"$m/index.json" 2>&1)
	check "the same ref again replaces the image of that name (refs: $refs)" test "$refs" = v2,v1
	run "$TMP/want" "$CRIT" x "$d2" ps
	run "$TMP/got" "$CRIT" x "oci:$m:v1" ps
	same "the replaced v1 is the new image" "$TMP/want" "$TMP/got"
	conv "$d1" "oci:$m:v1"
	check "nothing is left beside the layout: $(ls -A "$TMP/s" | grep -v '^[a-z]*$' | tr '\n' ' ')" \
		test -z "$(ls -A "$TMP/s" | grep -v '^[a-z]*$')"
	check "nothing is left in the layout but blobs, index.json and oci-layout" \
		test "$(ls -A "$m" | tr '\n' ' ')" = "blobs index.json oci-layout "
	run "$TMP/want" "$CRIT" x "$d1" ps
	run "$TMP/got" "$CRIT" x "oci:$m:v1" ps
	same "two images: oci:DIR:v1 is the first ($n1)" "$TMP/want" "$TMP/got"
	run "$TMP/want" "$CRIT" x "$d2" ps
	run "$TMP/got" "$CRIT" x "oci:$m:v2" ps
	same "two images: oci:DIR:v2 is the second ($n2)" "$TMP/want" "$TMP/got"
	run "$TMP/got" "$DIFF" "oci:$m:v1" "$d1"
	check "two images: diff oci:DIR:v1 $n1: the same" test $? -eq 0
	for cmd in x inspect mem; do
		if [ $cmd = x ]; then run "$TMP/got" "$CRIT" x "oci:$m" ps; else run "$TMP/got" "$CRIT" $cmd "oci:$m"; fi
		rc=$?
		check "two images: $cmd on oci:DIR without REF: exit 1, lists v1 and v2 ($(head -c 200 "$TMP/got.err"))" \
			eval "[ $rc -eq 1 ] && grep -qF 'index.json: holds 2 images (v2, v1): name one as oci:DIR:REF' '$TMP/got.err'"
	done
	if command -v skopeo > /dev/null 2>&1; then
		check "two images: skopeo reads the same layout by ref" \
			skopeo inspect "oci:$m:v2" > /dev/null 2>&1
	fi
fi

# ---- an edited JSON directory: diff shows exactly the edit ----
IFS='|' read -r n dir <<< "${SRCS[0]}"
jd=$TMP/s/$n/jdir
pid=$("$CRIT" x "$dir" ps --format json | jq '.tasks[0].pid')
core=$jd/core-$pid.img.json
[ -f "$core" ] || core=$jd/checkpoint/core-$pid.img.json
cp -a "$jd" "$TMP/s/edited"
ecore=$TMP/s/edited/${core#"$jd"/}
# by hand, as a user would (jq would round the 64-bit numbers)
sed '0,/"exit_code": 0,/s//"exit_code": 77,/' "$core" > "$ecore"
run "$TMP/got" "$DIFF" --format json "$dir" "$TMP/s/edited"
rc=$?
items=$(jq -c '[.[] | [.op, .path, .before, .after]]' "$TMP/got" 2>&1)
check "edited JSON directory vs the directory: exit 1, one change, the edit ($items)" \
	test $rc -eq 1 -a "$items" = "[[\"changed\",\"task[$pid].tc.exit_code\",0,77]]"
run "$TMP/got2" "$DIFF" --format json "$jd" "$TMP/s/edited"
same "edited JSON directory vs the JSON directory: the same difference" "$TMP/got" "$TMP/got2"

# ---- nothing in $TMPDIR, however the command ends ----
mkdir -p "$TMP/tmpd"
for src in "$TMP/s/$n/bundle.json" "$TMP/s/$n/jdir"; do
	TMPDIR=$TMP/tmpd "$CRIT" x "$src" ps > /dev/null 2>&1
	TMPDIR=$TMP/tmpd "$CRIT" mem "$src" > /dev/null 2>&1
	TMPDIR=$TMP/tmpd "$DIFF" "$dir" "$src" > /dev/null 2>&1
done
check "JSON sources leave nothing in TMPDIR: $(ls -A "$TMP/tmpd" | head -3 | tr '\n' ' ')" \
	test -z "$(ls -A "$TMP/tmpd")"
# a bundle whose reading takes a while: SIGKILL in the middle
big=$TMP/s/big
cp -a "$BUILD/samples/demo" "$big" 2> /dev/null || cp -a "$dir" "$big"
head -c $((48 << 20)) /dev/urandom > "$big/zz-big.bin"
conv "$big" "$TMP/s/big.json"
rm -rf "$big"
left=
for delay in 0.05 0.2 0.4; do
	TMPDIR=$TMP/tmpd "$CRIT" x "$TMP/s/big.json" ps > /dev/null 2>&1 &
	p=$!
	sleep $delay
	kill -KILL $p 2> /dev/null
	wait $p 2> /dev/null
	left+=$(ls -A "$TMP/tmpd")
done
check "SIGKILL while a bundle is read leaves nothing in TMPDIR ($left)" test -z "$left"
run "$TMP/want" "$CRIT" x "$dir" ps
run "$TMP/got" env TMPDIR=$TMP/tmpd "$CRIT" x "$TMP/s/big.json" ps
same "a bundle with a 48 MiB file: x ps = the directory's" "$TMP/want" "$TMP/got"
rm -f "$TMP/s/big.json"

# ---- OCI images keep the checkpoint's time ----
for s in "${SRCS[@]}"; do
	IFS='|' read -r n dir <<< "$s"
	o=$TMP/s/$n
	conv "$dir" "oci:$o/lay2:v1" && check "$n: two conversions give the same layout" \
		diff -r "$o/lay" "$o/lay2"
	conv "$dir" "oci-archive:$o/img2.oci.tar:v2" && check "$n: two conversions give the same oci-archive" \
		cmp -s "$o/img.oci.tar" "$o/img2.oci.tar"
	man=$(jq -r '.manifests[0].digest[7:]' "$o/lay/index.json")
	cfg=$(jq -r '.config.digest[7:]' "$o/lay/blobs/sha256/$man")
	layer=$(jq -r '.layers[0].digest[7:]' "$o/lay/blobs/sha256/$man")
	imgs=$dir
	[ -f "$dir/inventory.img" ] || imgs=$dir/checkpoint
	if [ -f "$imgs/stats-dump" ]; then
		ck=$(date -u -d "@$(stat -c %Y "$imgs/stats-dump")" +%Y-%m-%dT%H:%M:%SZ)
		from=stats-dump
	else
		ck=$(date -u -d "@$(stat -c %Y "$imgs/inventory.img")" +%Y-%m-%dT%H:%M:%SZ)
		from=inventory.img
	fi
	got=$(jq -r .created "$o/lay/blobs/sha256/$cfg")
	check "$n: the config's created is the checkpoint's time ($from: $ck, got $got)" test "$got" = "$ck"
	got=$(jq -r '.annotations["org.opencontainers.image.created"]' "$o/lay/blobs/sha256/$man")
	check "$n: the manifest's created is the checkpoint's time ($ck, got $got)" test "$got" = "$ck"
	# every file and symlink of the layer: the checkpoint's own mtime
	bad=$(python3 - "$o/lay/blobs/sha256/$layer" "$dir" <<-'EOF'
	import os, sys, tarfile
	layer, tree = sys.argv[1:]
	bare = os.path.exists(os.path.join(tree, "inventory.img"))
	n = 0
	with tarfile.open(layer) as t:
	    for m in t.getmembers():
	        if m.isdir():
	            continue
	        rel = m.name[len("checkpoint/"):] if bare else m.name
	        want = int(os.lstat(os.path.join(tree, rel)).st_mtime)
	        n += 1
	        if int(m.mtime) != want:
	            print(f"{m.name}: {m.mtime} != {want}")
	if n == 0:
	    print("no member")
	EOF
	)
	check "$n: the layer's files keep the checkpoint's mtimes ($(echo "$bad" | head -2))" test -z "$bad"
	want=$("$CRIT" inspect "$dir" | grep 'Checkpointed:')
	got=$("$CRIT" inspect "oci:$o/lay" | grep 'Checkpointed:')
	# (a dump without stats-dump, like the sample, shows none either)
	[ -f "$imgs/stats-dump" ] || [ -f "$dir/config.dump" ] && [ -z "$want" ] &&
		fail "$n: inspect of the directory shows no checkpoint time"
	check "$n: inspect of the OCI image shows the checkpoint time ('$want', got '$got')" \
		test "$got" = "$want"
	got=$("$CRIT" inspect "oci-archive:$o/img.oci.tar:v2" | grep 'Checkpointed:')
	check "$n: inspect of the oci-archive shows the checkpoint time ('$want', got '$got')" \
		test "$got" = "$want"
done

# ---- every command's help names the sources ----
for cmd in x mem inspect diff; do
	if [ $cmd = diff ]; then h=$("$DIFF" --help); else h=$("$CRIT" $cmd --help); fi
	missing=
	for w in "oci:DIR[:REF]" "oci-archive:FILE[:REF]" "JSON bundle" "JSON" ".tar.zst" "'-'"; do
		grep -qF -- "$w" <<< "$h" || missing+=" $w"
	done
	check "$cmd --help names every kind of SRC (missing:$missing)" test -z "$missing"
done

# ---- x ps lists the directory without a stat per file ----
if command -v strace > /dev/null 2>&1 && [ -d "$BUILD/samples/demo" ] &&
	strace -f -c -o /dev/null true 2> /dev/null; then
	N=400
	g=$TMP/s/many
	mkdir -p "$g"
	S=$BUILD/samples/demo
	cp "$S/inventory.img" "$g/"
	"$CRIT" decode -i "$S/pstree.img" | jq --argjson n $N \
		'.entries = [range(1; $n + 1) | {pid: ., ppid: (if . == 1 then 0 else 1 end), pgid: 1, sid: 1}]' \
		> "$TMP/pstree.json"
	"$CRIT" encode -i "$TMP/pstree.json" -o "$g/pstree.img"
	for i in $(seq 1 $N); do
		# four files a process, as a dump has (core, fs, ids, mm)
		cp "$S/core-100.img" "$g/core-$i.img"
		cp "$S/fs-100.img" "$g/fs-$i.img"
		cp "$S/ids-100.img" "$g/ids-$i.img"
		cp "$S/mm-100.img" "$g/mm-$i.img"
	done
	if run "$TMP/got" "$CRIT" x "$g" ps && [ "$(wc -l < "$TMP/got")" -eq $((N + 1)) ]; then
		strace -f -c -o "$TMP/strace" -e trace=stat,lstat,fstat,newfstatat,statx "$CRIT" x "$g" ps > /dev/null 2>&1
		stats=$(awk '$NF ~ /stat/ && $1 ~ /^[0-9.]+$/ {n += $4} END {print n + 0}' "$TMP/strace")
		# one fstat per image opened (the $N cores) and a few for the
		# directory; before, also one lstat for each of its 4N+ files
		check "x ps on $N processes ($((4 * N + 2)) files): $stats stat calls, < N + 32" \
			test "$stats" -gt 0 -a "$stats" -lt $((N + 32))
	else
		fail "x ps on $N generated processes: $(head -c 200 "$TMP/got.err")"
	fi
else
	skip "strace is not installed or cannot trace here: no syscall count"
fi

finish
