#!/usr/bin/env bash
# asan-ok
# Issue 11: archives are read lazily and nothing is left in $TMPDIR.
# On a checkpoint archive with 1 GiB of page data (ARCHIVE_LAZY_MIB=N for
# another size; tests/archive/make-big.sh) as .tar, .tar.gz and .tar.zst:
#  (a) `x ps` and `inspect` write no page data (bytes written, counted by
#      the kernel; and under a 16 MiB tmpfs $TMPDIR when run as root), `x
#      ps` of the .tar is fast, memory reads give the same on every format
#      and read the .tar in place;
#  (b) a truncated pages member: `x ps` and `inspect` work, a memory read
#      fails with the precise "archive: offset N: member ..." message; cut
#      before later images, the missing image's message says where;
#  (c) `-` reads an archive (or an oci-archive) from standard input: x,
#      inspect, mem, diff and convert give what the file gives;
#  (d) x, inspect, mem and diff killed by SIGINT, SIGTERM and SIGKILL at
#      random moments leave $TMPDIR empty every time;
#  (e) on a terminal the progress line is updated while the archive is read.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples
MIB=${ARCHIVE_LAZY_MIB:-1024}
B=$TMP/big
MARKERS=$(((MIB + 255) / 256))
PAGES1=$(((MIB << 20) + 4 * 4096))	# pages-1.img's size
export TMPDIR=$TMP/tmpdir	# where crit may keep (unnamed) temporary files
mkdir -p "$TMPDIR"
tmpdir_empty() { [ -z "$(ls -A "$TMPDIR")" ]; }
SMALL=$TMP/small
trap 'umount "$SMALL" 2>/dev/null; rm -rf "$TMP"' EXIT

if ! "$TOP/tests/archive/make-big.sh" "$CRIT" "$TOP/samples/demo" "$S/demo" "$B" "$MIB"; then
	fail "tests/archive/make-big.sh"
	finish
	exit
fi
"$CRIT" x "$S/demo" ps > "$TMP/ps.expected"

# wbytes OUT CMD...: runs CMD (stdout to OUT, stderr to OUT.err); prints the
# bytes it wrote to files (the kernel's count of dirtied page cache: what
# would reach a disk) and its exit status
wbytes() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
out = sys.argv[1]
with open(out, "wb") as o, open(out + ".err", "wb") as e:
    r = subprocess.run(sys.argv[2:], stdout=o, stderr=e)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_oublock * 512, r.returncode)
PY
}
# Does this file system count written bytes (tmpfs does not)?
COUNTS=
read -r cal _ < <(wbytes "$TMP/cal" dd if=/dev/zero of="$TMPDIR/cal" bs=1M count=8 status=none)
rm -f "$TMPDIR/cal"
if [ "$cal" -ge $((8 << 20)) ]; then COUNTS=1; else skip "\$TMPDIR's file system counts no written bytes (tmpfs?): byte counts"; fi
MiB=$((1 << 20))

# ---- (a) no page data written; memory read in place or on demand ----
ms() { local s=${EPOCHREALTIME/./}; "$@" > /dev/null 2>&1; echo $(((${EPOCHREALTIME/./} - s) / 1000)); }
for f in big.tar big.tar.gz big.tar.zst; do
	A=$B/$f
	read -r n rc < <(wbytes "$TMP/x.out" "$CRIT" x "$A" ps)
	check "x ps of $f: exit 0" [ "$rc" = 0 ]
	check "x ps of $f = of the demo" cmp -s "$TMP/x.out" "$TMP/ps.expected"
	[ -z "$COUNTS" ] || check "x ps of $f writes no page data ($n bytes)" [ "$n" -lt "$MiB" ]
	read -r n rc < <(wbytes "$TMP/i.$f" "$CRIT" inspect "$A")
	check "inspect $f: exit 0" [ "$rc" = 0 ]
	[ -z "$COUNTS" ] || check "inspect $f writes no page data ($n bytes)" [ "$n" -lt "$MiB" ]
	grep -v 'Archive size' "$TMP/i.$f" > "$TMP/i.$f.cmp"
	read -r n rc < <(wbytes "$TMP/m.$f" "$CRIT" mem "$A" --search CRIMG-BIG-MARKER --context 0)
	check "mem --search on $f: $MARKERS matches" test "$rc" = 0 -a "$(wc -l < "$TMP/m.$f")" = "$MARKERS"
	if [ "$f" = big.tar ] && [ -n "$COUNTS" ]; then
		check "mem --search on big.tar reads the pages in place ($n bytes written)" [ "$n" -lt "$MiB" ]
	fi
	# read from memory, decompressed on first use (the later pass)
	check "x env of $f = of the demo" cmp -s <("$CRIT" x "$A" env) <("$CRIT" x "$S/demo" env)
	check "nothing left in TMPDIR after $f" tmpdir_empty
done
check "inspect: the same on tar, tar.gz, tar.zst" cmp -s "$TMP/i.big.tar.cmp" "$TMP/i.big.tar.gz.cmp"
check "inspect: the same on tar, tar.zst" cmp -s "$TMP/i.big.tar.cmp" "$TMP/i.big.tar.zst.cmp"
check "mem --search: the same on tar and tar.gz" cmp -s "$TMP/m.big.tar" "$TMP/m.big.tar.gz"
check "mem --search: the same on tar and tar.zst" cmp -s "$TMP/m.big.tar" "$TMP/m.big.tar.zst"
check "mem --search finds the first marker" grep -q '^100 0x7f0000000000 .*CRIMG-BIG-MARKER' "$TMP/m.big.tar"
# x ps of the .tar reads headers only: fast however big the pages are
best=999999
for _ in 1 2 3; do t=$(ms "$CRIT" x "$B/big.tar" ps); [ "$t" -lt "$best" ] && best=$t; done
check "x ps of the ${MIB} MiB tar in under a second (${best} ms)" [ "$best" -lt 1000 ]
echo "  x ps, ${MIB} MiB of pages: tar $best ms, tar.gz $(ms "$CRIT" x "$B/big.tar.gz" ps) ms," \
	"tar.zst $(ms "$CRIT" x "$B/big.tar.zst" ps) ms, directory $(ms "$CRIT" x "$S/demo" ps) ms"

# Under a 16 MiB TMPDIR: views without memory work, a memory read of the
# compressed archive fails cleanly, the tar's is read in place.
if [ "$(id -u)" = 0 ] && mkdir -p "$SMALL" && mount -t tmpfs -o size=16m,mode=0700 tmpfs "$SMALL" 2>/dev/null; then
	check "16 MiB TMPDIR: x ps of big.tar.gz" env TMPDIR="$SMALL" "$CRIT" x "$B/big.tar.gz" ps > /dev/null
	check "16 MiB TMPDIR: inspect big.tar.zst" env TMPDIR="$SMALL" "$CRIT" inspect "$B/big.tar.zst" > /dev/null 2>&1
	check "16 MiB TMPDIR: mem --search on big.tar" env TMPDIR="$SMALL" "$CRIT" mem "$B/big.tar" --search CRIMG-BIG-MARKER > /dev/null
	if [ "$MIB" -gt 16 ]; then
		env TMPDIR="$SMALL" "$CRIT" mem "$B/big.tar.gz" --search CRIMG-BIG-MARKER > /dev/null 2> "$TMP/err"
		rc=$?
		check "16 MiB TMPDIR: mem --search on big.tar.gz fails (exit 2), one line" test $rc = 2 -a "$(wc -l < "$TMP/err")" = 1
		check "16 MiB TMPDIR: the message names the member and the cause" \
			grep -qx "crit: $B/big.tar.gz: archive member 'checkpoint/pages-1.img': cannot write it to a temporary file: No space left on device" "$TMP/err"
	fi
	check "16 MiB TMPDIR: empty afterwards" test -z "$(ls -A "$SMALL")" -a "$(df --output=used "$SMALL" | tail -1 | tr -d ' ')" = 0
	umount "$SMALL"
else
	skip "not root or no tmpfs: the 16 MiB TMPDIR checks"
fi

# ---- (b) a truncated pages member ----
C=$TMP/cut
"$TOP/tests/archive/make-big.sh" "$CRIT" "$TOP/samples/demo" "$S/demo" "$C" 64 || fail "make-big.sh 64"
CUTP=$(((64 << 20) + 4 * 4096))
for f in big.tar big.tar.gz big.tar.zst; do
	sz=$(stat -c %s "$C/$f")
	head -c $((sz * 3 / 5)) "$C/$f" > "$C/cut-$f"
	A=$C/cut-$f
	check "cut $f: x ps = of the demo" cmp -s <("$CRIT" x "$A" ps) "$TMP/ps.expected"
	check "cut $f: inspect exit 0" "$CRIT" inspect "$A" > /dev/null 2>&1
	check "cut $f: x mems exit 0" "$CRIT" x "$A" mems > /dev/null
	"$CRIT" mem "$A" --search CRIMG-BIG-MARKER > /dev/null 2> "$TMP/err"
	rc=$?
	case $f in
	*.tar) why="is truncated: the archive ends [0-9]+ bytes into its $CUTP bytes" ;;
	*) why="is truncated or damaged: it gives [0-9]+ of its $CUTP bytes \((truncated gzip input|Truncated zstd input)\)" ;;
	esac
	check "cut $f: mem --search exit 2, one line" test $rc = 2 -a "$(wc -l < "$TMP/err")" = 1
	check "cut $f: precise message ($(head -c 160 "$TMP/err"))" \
		grep -qxE "crit: $A: offset [0-9]+: archive member 'checkpoint/pages-1.img' $why" "$TMP/err"
	check "cut $f from stdin: x ps = of the demo" cmp -s <("$CRIT" x - ps < "$A") "$TMP/ps.expected"
done
# cut in the middle: later images are missing, and the message says why
mkdir -p "$TMP/mid/checkpoint" && cp "$S"/demo/*.img "$TMP/mid/checkpoint/"
(cd "$TMP/mid" && tar -b1 -cf "$TMP/mid.tar" $(ls checkpoint/*.img | grep -v pstree) checkpoint/pstree.img)
head -c $(($(stat -c %s "$TMP/mid.tar") - 9000)) "$TMP/mid.tar" > "$TMP/midcut.tar"
"$CRIT" x "$TMP/midcut.tar" ps > /dev/null 2> "$TMP/err"
rc=$?
check "cut before pstree.img: x ps exit 1" [ $rc = 1 ]
check "cut before pstree.img: the message says where the archive stops ($(head -c 200 "$TMP/err"))" \
	grep -qxE "crit: pstree.img: no such image in $TMP/midcut.tar \(the archive could be read only up to offset [0-9]+: archive member 'checkpoint/pages-2.img' is truncated: the archive ends [0-9]+ bytes into its 16384 bytes\)" "$TMP/err"
check "nothing left in TMPDIR after the cut archives" tmpdir_empty

# ---- (c) standard input ----
ARCH=()
if have_corpus && [ -d "$CORPUS/archives" ]; then
	for a in "$CORPUS"/archives/*.tar*; do ARCH+=("$a"); done
else
	for t in tar tar.gz tar.zst; do
		"$BUILD/bin/crit-convert" -q "$S/demo" "$TMP/demo.$t" && ARCH+=("$TMP/demo.$t")
	done
fi
"$BUILD/bin/crit-convert" -q "$S/demo" "$TMP/demo.oci.tar" --to oci-archive && ARCH+=("$TMP/demo.oci.tar")
for a in "${ARCH[@]}"; do
	n=$(basename "$a")
	for v in ps fds mems; do
		check "stdin $n: x $v = of the file" cmp -s <(cat "$a" | "$CRIT" x - "$v") <("$CRIT" x "$a" "$v")
	done
	check "stdin $n: inspect = of the file" \
		cmp -s <(cat "$a" | "$CRIT" inspect - | tail -n +2 | grep -v 'Archive size') \
			<("$CRIT" inspect "$a" | tail -n +2 | grep -v 'Archive size')
	check "stdin $n: mem = of the file" cmp -s <(cat "$a" | "$CRIT" mem -) <("$CRIT" mem "$a")
	check "stdin $n: diff FILE - finds nothing" "$CRIT" diff -q "$a" - < "$a"
	rm -rf "$TMP/conv1" "$TMP/conv2"
	"$CRIT" convert -q - "$TMP/conv1" < "$a" && "$CRIT" convert -q "$a" "$TMP/conv2"
	check "stdin $n: convert - DIR = convert FILE DIR" diff -r "$TMP/conv1" "$TMP/conv2"
done
check "stdin big.tar.gz: x ps" cmp -s <("$CRIT" x - ps < "$B/big.tar.gz") "$TMP/ps.expected"
"$CRIT" diff - - < /dev/zero > /dev/null 2> "$TMP/err"
rc=$?
check "diff - -: usage error" [ $rc = 2 ]
check "diff - -: says why" grep -q "only one of A and B can be standard input" "$TMP/err"
printf 'not an archive' | "$CRIT" x - ps > /dev/null 2> "$TMP/err"
check "stdin junk: one precise line" grep -qx "crit: stdin: not a checkpoint directory or archive: .*" "$TMP/err"
check "nothing left in TMPDIR after standard input" tmpdir_empty

# ---- (d) interrupted at random moments ----
CMDS=("x $B/big.tar.gz ps" "inspect $B/big.tar.zst" "mem $B/big.tar.gz --search CRIMG-BIG-MARKER"
      "diff $B/big.tar.gz $B/big.tar.zst" "mem $B/big.tar.zst --pid 100" "x - ps")
SIGS=(INT TERM KILL)
N=${KILL_TRIALS:-24}
# each command's run time (ms, at most 4 s): kills fall across it
T=()
for cmd in "${CMDS[@]}"; do
	# shellcheck disable=SC2086
	t=$(ms "$CRIT" $cmd < "$B/big.tar.gz")
	T+=($((t > 4000 ? 4000 : t + 1)))
done
RANDOM=11
killed=0 left=0
for i in $(seq 1 "$N"); do
	k=$((i % ${#CMDS[@]}))
	cmd=${CMDS[$k]}
	sig=${SIGS[$((i % 3))]}
	delay=$((RANDOM % ${T[$k]}))
	# a background job of a script ignores SIGINT: restored for crit
	# shellcheck disable=SC2086
	env --default-signal=INT "$CRIT" $cmd < "$B/big.tar.gz" > /dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	[ $rc -gt 128 ] && killed=$((killed + 1))
	if ! tmpdir_empty; then
		left=$((left + 1))
		fail "SIG$sig after $delay ms of 'crit $cmd' left: $(ls -A "$TMPDIR" | head -3)"
		rm -rf "${TMPDIR:?}"/*
	fi
done
check "interrupted $N times ($killed by the signal): TMPDIR empty every time ($left not)" [ "$left" = 0 ]
check "most runs were interrupted ($killed of $N)" [ "$killed" -ge $((N / 2)) ]

# ---- (e) progress on a terminal, while reading ----
if command -v script > /dev/null 2>&1; then
	mkfifo "$TMP/fifo"
	F=$B/big.tar.gz
	[ "$(stat -c %s "$F")" -ge $((8 << 20)) ] || F=$B/big.tar
	for tool in x inspect; do
		# the archive through a FIFO in about 2.5 s
		python3 - "$F" > "$TMP/fifo" <<'PY' &
import os, sys, time
f = open(sys.argv[1], "rb")
c = max(os.fstat(f.fileno()).st_size // 25, 1)
while True:
    d = f.read(c)
    if not d:
        break
    sys.stdout.buffer.write(d); sys.stdout.flush(); time.sleep(0.1)
f.close()
PY
		arg=ps
		[ $tool = x ] || arg=
		script -qc "$CRIT $tool $TMP/fifo $arg" /dev/null > "$TMP/tty" 2>&1
		wait
		tr '\r' '\n' < "$TMP/tty" | sed -n "s/^crit $tool: reading archive: \([0-9]*\) MiB.*/\1/p" > "$TMP/frames"
		nf=$(sort -un "$TMP/frames" | wc -l)
		check "progress of crit $tool on a terminal: updated while reading ($nf distinct frames)" [ "$nf" -ge 5 ]
		check "progress of crit $tool: never backwards" cmp -s "$TMP/frames" <(sort -n "$TMP/frames")
	done
else
	skip "no script(1): progress on a terminal"
fi
check "nothing left in TMPDIR at the end" tmpdir_empty
finish
