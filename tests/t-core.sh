#!/usr/bin/env bash
# asan-ok
# Issue 15, points 1 and 5: `crit core` against readelf and a real gdb.
#
# For every checkpoint with a process tree (the built demo sample, and
# every corpus dump with a pstree.img: x86_64 by CRIU 4.2 and 3.17,
# aarch64, big-endian s390x), every core `crit core -d` writes must
# - pass readelf -a and -n without an error or a warning, and have the
#   ELF header of the dumped machine (class, byte order, machine);
# - load in gdb (gdb-multiarch for the foreign ones) with no warning but
#   "cannot open FILE" of a mapped file this machine lacks, with the
#   threads of pstree.img, every thread's general and FP/vector registers
#   equal to its core-TID.img, and the planted markers readable with x/s
#   at the addresses `crit mem --search` gives (heap, stack, thread
#   stacks, MAP_SHARED memory, and the pages an incremental dump left in
#   its parents); tests/core/regs.py does the comparing.
# The comparisons are shown to fail on a core with one register bit or one
# marker byte flipped.  Then damaged images (truncated, a length bit
# flipped, registers missing or short, VMAs and page runs that make no
# sense): crit core fails naming the image (and the offset where the
# framing is at fault), leaves no file and an existing one untouched, and
# neither crashes nor hangs; and the command line's own errors.
. "$(dirname "$0")/lib.sh"
HELP=$TOP/tests/core
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || echo python3)
# one run of crit core may take this long at most (a hang is a failure)
T=120
# The ASan build writes the cores of every checkpoint and meets every
# damaged image, but only the dumps of QUICK go on to readelf and gdb (which
# run no code of ours), to keep the run short.
QUICK=
case $BUILD in *asan*) QUICK=" demo incr-dump foreign/s390x-kitchen " ;; esac

for tool in readelf "$PY"; do
	if ! command -v "$tool" > /dev/null; then
		skip "$tool is not installed: crit core not checked"
		finish
		exit
	fi
done
# gdb-multiarch reads every architecture; a plain gdb only this machine's
GDB=$(command -v gdb-multiarch || command -v gdb || true)
GDB_ALL=$(command -v gdb-multiarch || true)
[ -n "$GDB" ] || skip "gdb is not installed: cores checked with readelf only"

# run NAME CMD...: runs CMD with a timeout, stdout to $TMP/out, stderr to
# $TMP/err; sets rc.  A hang, or a death by a signal, fails NAME.
run() {
	local name=$1
	shift
	timeout -s KILL $T "$@" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ $rc -ge 124 ]; then
		fail "$name: exit status $rc (a crash or a hang): $(head -c 300 "$TMP/err")"
		return 1
	fi
	return 0
}

# readelf_clean NAME CORE: readelf -a and -n exit 0 with nothing on stderr
# and no error or warning on stdout.  Tolerated: binutils 2.40's readelf
# (Debian 12) prints "Cannot decode 64-bit note in 32-bit build" under every
# 64-bit NT_FILE note, whoever wrote the core (gdb's gcore of a live
# process gets it too), on a 64-bit host: it decodes nothing of the note,
# which tests/core/elfnotes.py reads instead.
readelf_clean() {
	local name=$1 core=$2 opt bad
	for opt in -a -n; do
		readelf $opt "$core" > "$TMP/re.out" 2> "$TMP/re.err"
		local r=$?
		bad=$(grep -v '^    Cannot decode 64-bit note in 32-bit build$' "$TMP/re.out" |
			grep -iE '^readelf: |error|warning|cannot|corrupt|invalid' | head -3)
		if [ $r -ne 0 ] || [ -s "$TMP/re.err" ] || [ -n "$bad" ]; then
			fail "$name: readelf $opt: exit $r: $(head -c 300 "$TMP/re.err") $bad"
		else
			pass "$name: readelf $opt is clean"
		fi
	done
}

# header NAME CORE ARCH: readelf -h shows the dumped machine's ELF header
header() {
	local name=$1 core=$2 arch=$3 data machine
	case $arch in
	x86_64) data=little machine='Advanced Micro Devices X86-64' ;;
	aarch64) data=little machine=AArch64 ;;
	s390x) data=big machine='IBM S/390' ;;
	*) fail "$name: the summary's architecture is '$arch'"; return ;;
	esac
	readelf -h "$core" > "$TMP/h.out" 2>&1
	if grep -qE '^ +Class: +ELF64$' "$TMP/h.out" &&
		grep -qE "^ +Data: +2's complement, $data endian$" "$TMP/h.out" &&
		grep -qE "^ +Machine: +$machine$" "$TMP/h.out" &&
		grep -qE '^ +Type: +CORE ' "$TMP/h.out"; then
		pass "$name: readelf -h: ELF64, $data endian, $machine, a core"
	else
		fail "$name: readelf -h: $(grep -E 'Class|Data|Machine|Type' "$TMP/h.out" | tr -s ' ' | tr '\n' ';')"
	fi
}

# The markers the workloads planted (MANIFEST.md of the corpus) in memory
# the core holds: process memory, not only an image's own payload.  A
# marker listed here must be read back by gdb in at least one core of the
# dump; --everywhere: in every core.
markers_for() {
	case $1 in
	demo) echo "--everywhere=CRIMG-SAMPLE-PAGE" ;;
	kitchen | *-kitchen)
		# heap, the initial environment (stack), the two threads' own
		# stacks, and the stack copies of the memfd's and the socket's data
		printf '%s\n' --marker=CRIMG-MARKER-HEAP-7f3a --marker=CRIMG_ENV_MARKER=env-7f3a \
			--marker=CRIMG-THREAD-1 --marker=CRIMG-THREAD-2 \
			--marker=CRIMG-MEMFD-CONTENT-7f3a --marker=CRIMG-UNIX-QUEUED-MSG ;;
	tree | *-tree)
		# MAP_SHARED|MAP_ANONYMOUS memory, inherited by every process
		# (its pages are in the shared memory's own pagemap)
		printf '%s\n' --everywhere=CRIMG-TREE-SHARED-7f3a \
			"--marker=child1->gchild1 unread" "--marker=child2->parent unread" ;;
	incr-dump)
		# 56 of its 64 pages are in the parents' images
		echo "--everywhere=CRIMG-DIRTY-7f3a page=" ;;
	nsbox) printf '%s\n' --marker=CRIMG-SYSV-MSG-ONE --marker=CRIMG-TMPFS-CONTENT-7f3a ;;
	python) printf '%s\n' --marker=CRIMG-PY-MARKER-7f3a --marker=CRIMG-PY-SOCKET-QUEUED ;;
	tcp) printf '%s\n' --marker=CRIMG-TCP-CLIENT-TO-SERVER-7f3a --marker=CRIMG-TCP-SERVER-TO-CLIENT-7f3a ;;
	esac
}

# gdb_check NAME SRC SUMMARY [regs.py options]: tests/core/regs.py's
# verdicts, one assertion a line
gdb_check() {
	local name=$1 src=$2 summary=$3 gdb=$GDB
	shift 3
	"$PY" "$HELP/regs.py" --crit "$CRIT" --gdb "$gdb" --src "$src" --name "$name" \
		--summary "$summary" "$@" > "$TMP/regs.out" 2>&1
	local r=$? line
	while IFS= read -r line; do
		case $line in
		"ok: "*) pass "${line#ok: }" ;;
		"FAIL: "*) fail "${line#FAIL: }" ;;
		"note: "*) [ -z "${VERBOSE:-}" ] || echo "  $line" ;;
		*) fail "$name: regs.py: $line" ;;
		esac
	done < "$TMP/regs.out"
	[ $r -eq 0 ] || fail "$name: regs.py exited $r"
}

# ------------------------------------------------------------ the sources ---
# The demo sample, made from JSON: its cores as built (a copy, so that
# the hostile cases below can damage it).
DEMO=$TMP/demo
if [ -d "$BUILD/samples/demo" ]; then
	cp -r "$BUILD/samples/demo" "$DEMO" && chmod -R u+w "$DEMO"
	SOURCES=("demo:$DEMO")
else
	fail "no demo sample in $BUILD/samples (make samples)"
	SOURCES=()
fi
if have_corpus; then
	while IFS= read -r p; do
		d=${p%/pstree.img}
		SOURCES+=("${d#"$CORPUS"/}:$d")
	done < <(find "$CORPUS" -name pstree.img -not -path '*/expected*' | sort)
else
	skip "no corpus in $CORPUS: only the demo sample's cores checked"
fi

# ------------------------------------------------- cores of every process ---
ZOMBIES=()
for s in "${SOURCES[@]}"; do
	name=${s%%:*} src=${s#*:}
	base=$(basename "$name")
	out=$TMP/cores/$name
	mkdir -p "$(dirname "$out")"
	run "$name: crit core" "$CRIT" core "$src" -d "$out" --format json || continue
	cp "$TMP/out" "$TMP/summary.json"
	if [ $rc -ne 0 ] || [ -s "$TMP/err" ]; then
		fail "$name: crit core -d: exit $rc: $(head -c 300 "$TMP/err")"
		continue
	fi
	# one core per process of pstree.img, none for a zombie (and each
	# zombie named in "skipped"); the files the summary names are there
	"$PY" "$HELP/summary.py" "$CRIT" "$src" "$TMP/summary.json" > "$TMP/tree.out" 2>&1
	if grep -q '^ok ' "$TMP/tree.out"; then
		pass "$name: $(cat "$TMP/tree.out")"
		# the zombies, for the command line's checks below
		while read -r z; do ZOMBIES+=("$name:$z"); done < <("$PY" -c 'import json,sys
for k in json.load(open(sys.argv[1]))["skipped"]: print(k["pid"])' "$TMP/summary.json")
	else
		fail "$name: $(cat "$TMP/tree.out")"
	fi
	case $QUICK in "" | *" $name "*) ;; *) continue ;; esac
	arch=
	while read -r pid file a; do
		arch=$a
		readelf_clean "$name pid $pid" "$file"
		header "$name pid $pid" "$file" "$a"
	done < <("$PY" -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cores"]: print(c["pid"], c["file"], c["arch"])' "$TMP/summary.json")

	if [ -z "$GDB" ]; then
		continue
	elif [ "$arch" != x86_64 ] && [ -z "$GDB_ALL" ]; then
		skip "$name: no gdb-multiarch for $arch cores"
		continue
	fi
	mapfile -t opts < <(markers_for "$base")
	gdb_check "$name" "$src" "$TMP/summary.json" "${opts[@]}" --report "$TMP/report.json"

	# markers that say where they are: the demo's name their process and
	# address; the incremental dump's their page (gen=1 for the 8 pages the
	# last dump saved, gen=0 for the 56 in the parents' images)
	case $base in
	demo | incr-dump)
		"$PY" "$HELP/where.py" "$base" "$TMP/report.json" > "$TMP/where.out" 2>&1
		if grep -q '^ok ' "$TMP/where.out"; then
			pass "$name: the $(cut -d' ' -f2 "$TMP/where.out") markers gdb reads are where they say they are"
		else
			fail "$name: markers out of place: $(cat "$TMP/where.out")"
		fi
		;;
	esac
done

# ------------------------------------ the comparisons fail when they should ---
# One bit of the first thread's first register, and one byte of a marker,
# flipped in a copy of a demo core: regs.py must say so.
if [ -n "$GDB" ] && [ -f "$TMP/cores/demo/core.100" ]; then
	cp "$TMP/cores/demo/core.100" "$TMP/bad.core"
	"$PY" "$HELP/tamper.py" "$TMP/bad.core" reg &&
		"$PY" "$HELP/tamper.py" "$TMP/bad.core" mem 555500006000
	"$CRIT" core "$DEMO" --pid 100 -o "$TMP/good.core" --format json > "$TMP/s.json"
	"$PY" -c 'import json,sys
s = json.load(open(sys.argv[1])); s["cores"][0]["file"] = sys.argv[2]
json.dump(s, open(sys.argv[1], "w"))' "$TMP/s.json" "$TMP/bad.core"
	"$PY" "$HELP/regs.py" --crit "$CRIT" --gdb "$GDB" --src "$DEMO" --name tampered \
		--summary "$TMP/s.json" --marker "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x555500006000" > "$TMP/t.out" 2>&1
	check "a flipped register bit is caught (thread 100 register r15)" \
		grep -q '^FAIL: tampered pid 100: thread 100 register r15: gdb 0x1, image 0x0$' "$TMP/t.out"
	check "a flipped marker byte is caught" grep -q '^FAIL: tampered pid 100: x/s 0x555500006000: .*BRIMG-SAMPLE-PAGE' "$TMP/t.out"
	check "  and nothing else differs" test "$(grep -c '^FAIL' "$TMP/t.out")" = 3
fi

# ------------------------------------------------------- hostile images ---
# hostile NAME BASE PID PATTERN CMD...: in a fresh copy $TMP/h of BASE,
# CMD damages it; crit core --pid PID -o must then fail with one line on
# stderr matching PATTERN, leave no core and no temporary file, and leave
# an existing file byte for byte as it was.
hostile() {
	local name=$1 base=$2 pid=$3 pat=$4
	shift 4
	rm -rf "$TMP/h" "$TMP/o" && mkdir -p "$TMP/o" && cp -r "$base" "$TMP/h" && chmod -R u+w "$TMP/h"
	if ! (cd "$TMP/h" && "$@") > "$TMP/setup.err" 2>&1; then
		fail "$name: cannot damage the copy: $(head -c 300 "$TMP/setup.err")"
		return
	fi
	run "$name" "$CRIT" core "$TMP/h" --pid "$pid" -o "$TMP/o/core" || return
	if [ $rc -ne 1 ] || [ "$(wc -l < "$TMP/err")" -ne 1 ] || ! grep -qE -- "^crit: $pat" "$TMP/err"; then
		fail "$name: exit $rc, stderr '$(head -c 400 "$TMP/err")', want 1 and /crit: $pat/"
	elif [ -n "$(ls -A "$TMP/o")" ]; then
		fail "$name: left $(ls -A "$TMP/o")"
	else
		pass "$name: exit 1, '$(cat "$TMP/err")', no file left"
	fi
	head -c 10000 /dev/urandom > "$TMP/o/core"
	cp "$TMP/o/core" "$TMP/o.before"
	run "$name, over an existing file" "$CRIT" core "$TMP/h" --pid "$pid" -o "$TMP/o/core" || return
	if [ $rc -eq 1 ] && cmp -s "$TMP/o/core" "$TMP/o.before" && [ "$(ls -A "$TMP/o")" = core ]; then
		pass "$name: an existing file is left as it was"
	else
		fail "$name: over an existing file: exit $rc, $(cmp "$TMP/o/core" "$TMP/o.before" 2>&1) $(ls -A "$TMP/o" | tr '\n' ' ')"
	fi
}
flip() { # FILE OFFSET BYTE: writes BYTE (octal escape) at OFFSET
	printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
edit() { "$PY" "$HELP/edit.py" "$CRIT" "$@"; }
# Framing: an image's entry length is at offset 8 (after its two magics).
OFF='offset [0-9]+: entry [0-9]+: '
if [ -d "$DEMO" ]; then
	D=$DEMO
	hostile "demo: core-101.img truncated" "$D" 101 "core-101.img: ${OFF}entry size [0-9]+ exceeds the [0-9]+ bytes left" \
		truncate -s 200 core-101.img
	hostile "demo: the second thread's core-102.img truncated" "$D" 101 "core-102.img: ${OFF}entry size" \
		truncate -s 100 core-102.img
	hostile "demo: core-101.img's entry length, a bit flipped" "$D" 101 "core-101.img: offset 8: entry 0: entry size [0-9]+ exceeds" \
		flip core-101.img 11 100
	hostile "demo: core-101.img empty" "$D" 101 "core-101.img: " truncate -s 0 core-101.img
	hostile "demo: core-102.img missing" "$D" 101 "core-102.img: no such image" rm core-102.img
	hostile "demo: mm-101.img truncated" "$D" 101 "mm-101.img: ${OFF}entry size" truncate -s 100 mm-101.img
	hostile "demo: mm-101.img's entry length, a bit flipped" "$D" 101 "mm-101.img: offset 8: entry 0: entry size" \
		flip mm-101.img 10 100
	hostile "demo: mm-101.img missing" "$D" 101 "mm-101.img: no such image" rm mm-101.img
	hostile "demo: pagemap-101.img truncated" "$D" 101 "pagemap-101.img: ${OFF}entry size" truncate -s 30 pagemap-101.img
	hostile "demo: pagemap-101.img's entry length, a bit flipped" "$D" 101 "pagemap-101.img: offset 8: entry 0: entry size" \
		flip pagemap-101.img 11 020
	hostile "demo: pages-2.img truncated" "$D" 101 "pagemap-101.img: ${OFF}pages 0x[0-9a-f]+-0x[0-9a-f]+ are bytes [0-9]+-[0-9]+ of pages-2.img, which holds only 5000 bytes" \
		truncate -s 5000 pages-2.img
	hostile "demo: pages-2.img missing" "$D" 101 "pagemap-101.img: ${OFF}pages at 0x[0-9a-f]+ are in pages-2.img, which is missing" \
		rm pages-2.img
	hostile "demo: the main thread's registers missing" "$D" 101 "core-101.img: entry 0: thread 101 has no registers" \
		edit core-101.img no-regs
	hostile "demo: the second thread's registers missing" "$D" 101 "core-102.img: entry 0: thread 102 has no registers" \
		edit core-102.img no-regs
	hostile "demo: xmm_space one word short" "$D" 101 "core-102.img: entry 0: thread 102: fpregs hold 32 st_space and 63 xmm_space words" \
		edit core-102.img short-fp
	hostile "demo: a 32-bit task" "$D" 100 "core-100.img: entry 0: thread 100 is a 32-bit \(compat\) task" \
		edit core-100.img compat
	hostile "demo: a thread of another architecture" "$D" 101 "core-102.img: entry 0: thread 102 is of another architecture" \
		edit core-102.img other-arch
	hostile "demo: a VMA that ends before it starts" "$D" 101 "mm-101.img: entry 0: vma 1: 0x[0-9a-f]+-0x[0-9a-f]+ is empty or reversed" \
		edit mm-101.img vma-reversed
	hostile "demo: overlapping VMAs" "$D" 101 "mm-101.img: entry 0: vma 2: .* VMAs overlap or are out of order" \
		edit mm-101.img vma-overlap
	hostile "demo: a VMA of part of a page" "$D" 101 "mm-101.img: entry 0: vma 1: .* is not a range of whole pages" \
		edit mm-101.img vma-unaligned
	hostile "demo: a run of 2^40 pages" "$D" 101 "pagemap-101.img: ${OFF}pages .* of pages-2.img, which holds only" \
		edit pagemap-101.img pages-huge
	hostile "demo: a run 3 bytes into a page" "$D" 101 "pagemap-101.img: ${OFF}address 0x[0-9a-f]+ is not a multiple of the page size" \
		edit pagemap-101.img pages-unaligned
	hostile "demo: overlapping runs" "$D" 101 "pagemap-101.img: ${OFF}pages .* overlap those of entry" \
		edit pagemap-101.img pages-overlap
	hostile "demo: xsave larger than its component" "$D" 100 "core-100.img: entry 0: thread 100: xsave component 2 holds 74 words" \
		edit core-100.img long-xsave
fi
if have_corpus; then
	A=$CORPUS/foreign/aarch64-kitchen Z=$CORPUS/foreign/s390x-kitchen TR=$CORPUS/tree
	hostile "aarch64: x0..x30 one short" "$A" 211 "core-215.img: entry 0: thread 215: 30 general registers, not x0..x30" \
		edit core-215.img short-gp
	hostile "aarch64: vregs one word short" "$A" 211 "core-211.img: entry 0: thread 211: fpsimd holds 63 words" \
		edit core-211.img short-fp
	hostile "aarch64: a thread's registers missing" "$A" 211 "core-216.img: entry 0: thread 216 has no registers" \
		edit core-216.img no-regs
	hostile "s390x: gprs one short" "$Z" 200 "core-200.img: entry 0: thread 200: 15 general and 16 access registers" \
		edit core-200.img short-gp
	hostile "s390x: fprs one short" "$Z" 200 "core-205.img: entry 0: thread 205: 15 floating-point registers, not 16" \
		edit core-205.img short-fp
	hostile "s390x: vxrs_high one word short" "$Z" 200 "core-204.img: entry 0: thread 204: vxrs_high holds 31 words" \
		edit core-204.img short-vx
	# big-endian framing: the length's high byte is its first
	hostile "s390x: core-200.img truncated" "$Z" 200 "core-200.img: ${OFF}entry size [0-9]+ exceeds the [0-9]+ bytes left" \
		truncate -s 700 core-200.img
	hostile "s390x: mm-200.img's entry length, a bit flipped" "$Z" 200 "mm-200.img: offset 8: entry 0: entry size [0-9]+ exceeds" \
		flip mm-200.img 8 177
	hostile "s390x: pagemap-200.img truncated" "$Z" 200 "pagemap-200.img: ${OFF}entry size" truncate -s 40 pagemap-200.img
	# the shared memory's own pagemap and pages
	hostile "tree: pagemap-shmem truncated" "$TR" 3676 "pagemap-shmem-224.img: ${OFF}entry size" \
		truncate -s 18 pagemap-shmem-224.img
	hostile "tree: the shared memory's pages truncated" "$TR" 3676 "pagemap-shmem-224.img: ${OFF}pages .* of pages-1.img, which holds only 100 bytes" \
		truncate -s 100 pages-1.img
	# the incremental chain: a parent's pages file
	rm -rf "$TMP/chain" && mkdir "$TMP/chain" && cp -r "$CORPUS/incr-pre1" "$CORPUS/incr-pre2" "$CORPUS/incr-dump" "$TMP/chain/" &&
		chmod -R u+w "$TMP/chain" && truncate -s 20000 "$TMP/chain/incr-pre1/pages-1.img"
	run "incremental: a parent's pages truncated" "$CRIT" core "$TMP/chain/incr-dump" --pid 3729 -o "$TMP/chain/core" &&
		if [ $rc -eq 1 ] && grep -qE "^crit: [^ ]*/incr-pre1/pagemap-3729.img: ${OFF}pages .* of pages-1.img, which holds only 20000 bytes" "$TMP/err" &&
			[ ! -e "$TMP/chain/core" ]; then
			pass "incremental: a parent's truncated pages file is named: $(cat "$TMP/err")"
		else
			fail "incremental: a parent's pages truncated: exit $rc, '$(cat "$TMP/err")', $(ls "$TMP/chain")"
		fi
fi

# ------------------------------------------------------ the command line ---
# cli NAME STATUS PATTERN CMD...: exit status and one stderr line
cli() {
	local name=$1 want=$2 pat=$3
	shift 3
	run "$name" "$@" || return
	# a usage error adds "see 'crit core --help'"
	if [ $rc -ne "$want" ] || [ "$(grep -cvx "see 'crit core --help'" "$TMP/err")" -ne 1 ] ||
		! grep -qE -- "$pat" "$TMP/err"; then
		fail "$name: exit $rc (want $want), stderr '$(head -c 300 "$TMP/err")', want /$pat/"
	else
		pass "$name: exit $rc, '$(head -1 "$TMP/err")'"
	fi
}
if [ -d "$DEMO" ]; then
	mkdir -p "$TMP/adir/sub"
	cli "-o a directory" 1 "adir" "$CRIT" core "$DEMO" --pid 100 -o "$TMP/adir"
	check "  the directory is as it was" test "$(ls -A "$TMP/adir")" = sub
	cli "-o in a missing directory" 1 "no-dir" "$CRIT" core "$DEMO" --pid 100 -o "$TMP/no-dir/core"
	check "  nothing made" test ! -e "$TMP/no-dir"
	cli "a missing SRC" 1 "no-such-ckpt" "$CRIT" core "$TMP/no-such-ckpt" -d "$TMP/cl"
	check "  no directory made" test ! -e "$TMP/cl"
	cli "--pid abc" 2 "--pid abc: not a process id" "$CRIT" core "$DEMO" --pid abc -o "$TMP/c1"
	cli "--pid 0" 2 "--pid 0: not a process id" "$CRIT" core "$DEMO" --pid 0 -o "$TMP/c1"
	cli "--pid of no process of the checkpoint" 1 "4242" "$CRIT" core "$DEMO" --pid 4242 -o "$TMP/c1"
	cli "-o with two pids" 2 "-o names one file" "$CRIT" core "$DEMO" --pid 100 --pid 101 -o "$TMP/c1"
	cli "-o and a checkpoint of two processes" 2 "-o names one file" "$CRIT" core "$DEMO" -o "$TMP/c1"
	cli "-o and -d" 2 "not both" "$CRIT" core "$DEMO" --pid 100 -o "$TMP/c1" -d "$TMP/c2"
	cli "--all and --pid" 2 "do not go together" "$CRIT" core "$DEMO" --all --pid 100 -d "$TMP/c2"
	cli "--format xml" 2 "--format xml" "$CRIT" core "$DEMO" --format xml -d "$TMP/c2"
	check "  no core from the refused commands" test ! -e "$TMP/c1" -a ! -e "$TMP/c2"
	# one bad pid among good ones: the others are still written, exit 1
	cli "--pid 100 --pid 4242 -d" 1 "4242" "$CRIT" core "$DEMO" --pid 100 --pid 4242 -d "$TMP/c3"
	check "  core.100 written, no core.4242" test -s "$TMP/c3/core.100" -a ! -e "$TMP/c3/core.4242"
fi
if have_corpus; then
	# the zombies of the tree dumps: refused when asked for by --pid
	[ ${#ZOMBIES[@]} -ge 4 ] || fail "only ${#ZOMBIES[@]} zombies in the corpus's tree dumps (${ZOMBIES[*]}), not 4"
	for z in "${ZOMBIES[@]}"; do
		src=$CORPUS/${z%%:*} pid=${z#*:}
		cli "${z%%:*}: --pid $pid, a zombie" 1 "process $pid is a zombie" "$CRIT" core "$src" --pid "$pid" -o "$TMP/z"
		check "  no core of the zombie" test ! -e "$TMP/z"
	done
	# a pre-dump has no registers
	cli "a pre-dump" 1 "pre-dump" "$CRIT" core "$CORPUS/incr-pre1" -d "$TMP/pre"
fi
finish
