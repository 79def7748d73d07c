#!/usr/bin/env bash
# asan-ok
# Issue 6: hostile input.  Every category below is a set of inputs that
# must each be rejected with a one-line message ("crit: FILE: ...", exit 1)
# - never a crash (ASan/UBSan on the asan build), never a hang (each run is
# bounded by a timeout), never a write outside its target (the sandbox is
# listed before and after every run, and archive extraction must leave
# nothing behind).  Damaged images (every truncation, bit flips) are run
# in-process by hostile-damage.  Counts per category are printed at the end.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples
BOX=$TMP/box		# inputs and outputs; nothing else may change in it
IN=$BOX/in
OUT=$BOX/out		# the one place a command may write
mkdir -p "$IN" "$OUT" "$BOX/tmp"
export TMPDIR=$BOX/tmp	# where archives are extracted: empty after each run
LIMIT=${HOSTILE_TIMEOUT:-60}
cats=()
declare -A TRIED=() REJECTED=() CRASHED=() HUNG=() OUTSIDE=() OTHER=() ACCEPTED_NOTE=()

snap() { find "$BOX" \( -path "$OUT" -o -path "$BOX/tmp" \) -prune -o -printf '%p %s %T@ %m %l\n' | sort; }

# try CATEGORY PATTERN CRIT-ARGS...: one hostile input.  PATTERN is an
# extended regular expression the single line of error must match.
try() {
	local cat=$1 pat=$2 rc
	shift 2
	[ -n "${TRIED[$cat]+x}" ] || { cats+=("$cat"); TRIED[$cat]=0 REJECTED[$cat]=0 CRASHED[$cat]=0 HUNG[$cat]=0 OUTSIDE[$cat]=0 OTHER[$cat]=0; }
	TRIED[$cat]=$((TRIED[$cat] + 1))
	rm -rf "$OUT" && mkdir "$OUT"
	snap > "$TMP/before"
	(cd "$OUT" && exec timeout -s KILL "$LIMIT" "$CRIT" "$@") > "$TMP/stdout" 2> "$TMP/stderr" < /dev/null
	rc=$?
	snap > "$TMP/after"
	local what="$cat: crit $*"
	what=${what:0:200}
	if [ $rc -eq 137 ]; then
		HUNG[$cat]=$((HUNG[$cat] + 1)); fail "$what: no answer in $LIMIT s"
	elif [ $rc -gt 128 ] || grep -qE 'Sanitizer|runtime error|Segmentation' "$TMP/stderr"; then
		CRASHED[$cat]=$((CRASHED[$cat] + 1)); fail "$what: crashed (rc $rc): $(head -c 300 "$TMP/stderr")"
	elif ! cmp -s "$TMP/before" "$TMP/after" || [ -n "$(ls -A "$BOX/tmp")" ]; then
		OUTSIDE[$cat]=$((OUTSIDE[$cat] + 1))
		fail "$what: wrote outside its target: $(diff "$TMP/before" "$TMP/after" | head -5) $(ls -A "$BOX/tmp")"
		rm -rf "${BOX:?}/tmp" && mkdir "$BOX/tmp"
	elif [ $rc -eq 1 ] && [ "$(wc -l < "$TMP/stderr")" -eq 1 ] && grep -q '^crit: ' "$TMP/stderr" &&
	     grep -qE -- "$pat" "$TMP/stderr"; then
		REJECTED[$cat]=$((REJECTED[$cat] + 1)); pass "$what: $(cat "$TMP/stderr")"
	else
		OTHER[$cat]=$((OTHER[$cat] + 1))
		fail "$what: exit $rc, want 1 and /$pat/: $(head -c 400 "$TMP/stderr")"
	fi
}

# le32 N, le64 N, varint N: binary numbers for hand-made images
le32() { python3 -c "import sys; sys.stdout.buffer.write(($1).to_bytes(4, 'little'))"; }
# pb FIELD=VALUE...: a protobuf message of varint fields (VALUE may be an
# expression, e.g. 2**64-1)
pb() { python3 - "$@" <<'PY'
import sys
def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7f
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)
msg = b''
for a in sys.argv[1:]:
    f, v = a.split('=', 1)
    if v.startswith('raw:'):		# raw bytes after the key, wire type 2
        msg += varint(int(f) << 3 | 2) + bytes.fromhex(v[4:])
    else:
        msg += varint(int(f) << 3) + varint(eval(v))
sys.stdout.buffer.write(msg)
PY
}
# image OUT HEADER-FROM PAYLOAD-FILE [TRAILER-FILE]: header of an existing
# image, then SIZE + payload (+ trailer bytes)
image() {
	local out=$1 from=$2 pl=$3
	{ head -c 8 "$from"; le32 "$(stat -c %s "$pl")"; cat "$pl"; [ -z "${4:-}" ] || cat "$4"; } > "$out"
}

# ---- damaged images, in-process ----
dmg=("$S")
if have_corpus; then dmg+=("$CORPUS"); fi
# the ASan build takes the quick pass (every offset of the first 4 KiB, not
# 64 KiB; fewer flips): the normal build does the whole one
quick=
case $BUILD in *asan*) quick=-q ;; esac
if timeout -s KILL 1200 "$BUILD/tests/hostile-damage" $quick "${dmg[@]}" > "$TMP/damage" 2>&1; then
	pass "hostile-damage: every truncation and bit flip rejected with a message or decoded"
else
	fail "hostile-damage exited $?: $(grep -v '^damage' "$TMP/damage" | head -5)"
fi
while read -r _ cat _ tried _ rej _ acc _ bad; do
	[ "$cat" = images ] && continue
	cats+=("$cat")
	# a truncation between entries or a flip inside a value gives a valid
	# image: "accepted" counts those, each decoded without fault
	TRIED[$cat]=$tried REJECTED[$cat]=$rej OTHER[$cat]=$bad CRASHED[$cat]=0 HUNG[$cat]=0 OUTSIDE[$cat]=0
	ACCEPTED_NOTE[$cat]=$acc
done < <(grep '^damage [a-z]* tried' "$TMP/damage")
grep '^damage images' "$TMP/damage" | sed 's/^/  /'

# ---- sizes and counts at their type limits ----
core=$S/demo/core-101.img
for size in 0xffffffff 0x80000000 0x7fffffff 0x04000001; do
	{ head -c 8 "$core"; le32 $size; tail -c +13 "$core"; } > "$IN/core-1.img"
	try type-limits "core-1.img: offset 8: entry 0: entry size [0-9]+ exceeds the limit of 67108864 \(the 'entry' limit; raise it with crit --limit entry=N" decode -i "$IN/core-1.img"
done
{ head -c 8 "$core"; le32 0x03ffffff; tail -c +13 "$core"; } > "$IN/core-1.img"
try type-limits "core-1.img: offset 8: entry 0: entry size 67108863 exceeds the [0-9]+ bytes left" decode -i "$IN/core-1.img"
# length-delimited fields claiming 2^32, 2^63, 2^64-1 bytes; an 11-byte varint
for len in ffffffff0f ffffffffffffffff7f ffffffffffffffffff01 ffffffffffffffffffff01; do
	pb 1=1 2=raw:$len > "$TMP/pl"
	image "$IN/core-1.img" "$core" "$TMP/pl"
	try type-limits "core-1.img: offset 12: entry 0: invalid protobuf data for core_entry" decode -i "$IN/core-1.img"
done
# a uint64 varint of 2^64 (overflow in the 10th byte)
printf '\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f' > "$TMP/pl"
image "$IN/core-1.img" "$core" "$TMP/pl"
try type-limits "core-1.img: offset 12: entry 0: invalid protobuf data" decode -i "$IN/core-1.img"
# extra payload lengths at their type's limit, with no data after them
X=$S/extras
pb 1=1 2=2**32-1 > "$TMP/pl"; image "$IN/pipes-data.img" "$X/pipes-data.img" "$TMP/pl"
try type-limits "pipes-data.img: offset [0-9]+: entry 0: extra payload of 4294967295 bytes exceeds the 0 bytes left" decode -i "$IN/pipes-data.img"
pb 1=1 2=2**32-1 > "$TMP/pl"; image "$IN/sk-queues.img" "$X/sk-queues.img" "$TMP/pl"
try type-limits "sk-queues.img: offset [0-9]+: entry 0: extra payload of 4294967295 bytes exceeds" decode -i "$IN/sk-queues.img"
pb 1=2**32-1 2=0 3=2**32-1 4=0 5=0 6=0 7=0 > "$TMP/pl"; image "$IN/tcp-stream-1.img" "$X/tcp-stream-1773.img" "$TMP/pl"
try type-limits "tcp-stream-1.img: offset [0-9]+: entry 0: extra payload of 4294967295 bytes exceeds" decode -i "$IN/tcp-stream-1.img"
pb 1=1 2=2**32-1 3=2**32-1 4=1 > "$TMP/pl"; image "$IN/bpfmap-data.img" "$X/bpfmap-data.img" "$TMP/pl"
try type-limits "bpfmap-data.img: offset [0-9]+: entry 0: extra payload of 8589934590 bytes exceeds the limit of 4294967296 \(the 'extra' limit" decode -i "$IN/bpfmap-data.img"
desc=0801100118012001280130013801	# ipc_desc_entry, every field 1
pb 1=raw:0e$desc 2=2**32-1 > "$TMP/pl"; image "$IN/ipcns-sem-1.img" "$X/ipcns-sem-11.img" "$TMP/pl"
try type-limits "ipcns-sem-1.img: offset [0-9]+: entry 0: semaphore values of 8589934590 bytes exceeds the limit of 4294967296 \(the 'extra' limit" decode -i "$IN/ipcns-sem-1.img"
pb 1=raw:0e$desc 2=0 3=2**32-1 > "$TMP/pl"; image "$IN/ipcns-msg-1.img" "$X/ipcns-msg-11.img" "$TMP/pl"
try type-limits "ipcns-msg-1.img: offset [0-9]+: entry 0: (qnum 4294967295 is beyond any image|message queue ends)" decode -i "$IN/ipcns-msg-1.img"
pb 1=raw:0e$desc 2=2**64-1 > "$TMP/pl"; image "$IN/ipcns-shm-1.img" "$X/ipcns-shm-11.img" "$TMP/pl"
try type-limits "ipcns-shm-1.img: offset [0-9]+: entry 0: shared memory contents of 18446744073709551615 bytes exceeds the limit" decode -i "$IN/ipcns-shm-1.img"
# a ghost file in chunks whose chunk says 2^64-1 bytes
{ head -c 8 "$X/ghost-file-1.img"; pb 1=0 2=0 3=0o100644 9=1 > "$TMP/g0"; le32 "$(stat -c %s "$TMP/g0")"; cat "$TMP/g0";
  pb 1=2**64-1 2=0 > "$TMP/g1"; le32 "$(stat -c %s "$TMP/g1")"; cat "$TMP/g1"; } > "$IN/ghost-file-1.img"
try type-limits "ghost-file-1.img: offset [0-9]+: entry 1: ghost chunk of 18446744073709551615 bytes exceeds the limit" decode -i "$IN/ghost-file-1.img"
# the extra limit itself, lowered: the sample's 28 bytes of pipe data
try type-limits "pipes-data.img: offset [0-9]+: entry 0: extra payload of 28 bytes exceeds the limit of 16 \(the 'extra' limit" --limit extra=16 decode -i "$X/pipes-data.img"

# ---- counts and addresses at their limits, through the model and memory ----
# a copy of the demo checkpoint whose images are replaced one at a time
demo_with() { # NAME JSON: demo checkpoint in $IN/ck with image NAME from JSON
	rm -rf "$IN/ck" && cp -r "$S/demo" "$IN/ck"
	printf '%s' "$2" > "$TMP/j.json"
	"$CRIT" encode -i "$TMP/j.json" -o "$IN/ck/$1" || fail "encode of $1 for the model tests"
}
pm='{"magic": "PAGEMAP", "entries": [{"pages_id": 1}, '
demo_with pagemap-101.img "$pm"'{"vaddr": 18446744073709547520, "compat_nr_pages": 0, "nr_pages": 18446744073709551615, "flags": 4}]}'
try type-limits "pagemap-101.img: .*(past|beyond|overflow|wraps)" mem "$IN/ck" --pid 101
demo_with pagemap-101.img "$pm"'{"vaddr": 4096, "compat_nr_pages": 0, "nr_pages": 4294967296, "flags": 4}]}'
try type-limits "pagemap-101.img: .*(past the end|beyond|holds)" mem "$IN/ck" --pid 101
demo_with pagemap-101.img "$pm"'{"vaddr": 1, "compat_nr_pages": 0, "nr_pages": 1, "flags": 4}]}'
try type-limits "pagemap-101.img: .*(aligned|page)" mem "$IN/ck" --pid 101
demo_with pagemap-101.img "$pm"'{"vaddr": 4096, "compat_nr_pages": 0, "nr_pages": 1, "flags": 4}, {"vaddr": 4096, "compat_nr_pages": 0, "nr_pages": 1, "flags": 4}]}'
try type-limits "pagemap-101.img: .*(overlap|order)" mem "$IN/ck" --pid 101
demo_with mm-101.img '{"magic": "MM", "entries": [{"mm_start_code": 0, "mm_end_code": 0, "mm_start_data": 0, "mm_end_data": 0, "mm_start_stack": 0, "mm_start_brk": 0, "mm_brk": 0, "mm_arg_start": 0, "mm_arg_end": 18446744073709551615, "mm_env_start": 0, "mm_env_end": 0, "exe_file_id": 0, "vmas": [{"start": 18446744073709547520, "end": 4096, "pgoff": 0, "shmid": 0, "prot": 3, "flags": 34, "status": 513, "fd": -1}]}]}'
try type-limits "mm-101.img: .*(VMA|vma)" mem "$IN/ck" --pid 101
vma() { printf '{"start": %s, "end": %s, "pgoff": 0, "shmid": 0, "prot": 3, "flags": 34, "status": 513, "fd": -1}' "$1" "$2"; }
mmj() { printf '{"magic": "MM", "entries": [{"mm_start_code": 0, "mm_end_code": 0, "mm_start_data": 0, "mm_end_data": 0, "mm_start_stack": 0, "mm_start_brk": 0, "mm_brk": 0, "mm_arg_start": 0, "mm_arg_end": 0, "mm_env_start": 0, "mm_env_end": 0, "exe_file_id": 0, "vmas": [%s]}]}' "$1"; }
demo_with mm-101.img "$(mmj "$(vma 8192 16384), $(vma 4096 12288)")"
try type-limits "mm-101.img: entry 0: vma 1: 0x1000-0x3000 does not follow vma 0 \(0x2000-0x4000\): VMAs overlap or are out of order" x "$IN/ck" mems
demo_with mm-101.img "$(mmj "$(vma 8192 8192)")"
try type-limits "mm-101.img: entry 0: vma 0: 0x2000-0x2000 is empty or reversed" x "$IN/ck" mems
demo_with pstree.img '{"magic": "PSTREE", "entries": [{"pid": 100, "ppid": 101, "pgid": 100, "sid": 100, "threads": [100]}, {"pid": 101, "ppid": 100, "pgid": 100, "sid": 100, "threads": [101, 102]}]}'
# a parent loop is shown, not followed forever: each task on it is a root
timeout -s KILL "$LIMIT" "$CRIT" x "$IN/ck" ps > "$TMP/ps" 2>&1
check "pstree parent loop: x ps ends and shows both tasks" grep -q '^ *101 .*crimg-worker' "$TMP/ps"
demo_with pstree.img '{"magic": "PSTREE", "entries": [{"pid": 100, "ppid": 0, "pgid": 100, "sid": 100, "threads": [100]}, {"pid": 100, "ppid": 0, "pgid": 100, "sid": 100, "threads": [100]}]}'
try type-limits "pstree.img: .*(twice|duplicate|more than once)" x "$IN/ck" ps

# ---- JSON: nesting, numbers at and past their limits, structure ----
J=$IN/j.json
pst() { printf '{"magic": "PSTREE", "entries": [{"pid": %s, "ppid": 0, "pgid": 1, "sid": 1}]}' "$1" > "$J"; }
for v in 1e400 1e-400 18446744073709551616 -9223372036854775809 4294967296 -1 1.5 0.0e0 \
	 '"0x1_0000_0000_0000_0000"' '"99999999999999999999999"' NaN Infinity -Infinity '"\ud800"' \
	 '"\udfff"' '"\ud800\u0041"' 01 '+1' '.5' '1.' '1e' '--1' '0x10' null '[1]' '{}'; do
	pst "$v"
	try json "j.json: line 1 column [0-9]+: " encode -i "$J" -o "$OUT/o.img"
done
# the same values in a uint64 field (sigactions' masks reach 2^64-1)
for v in 18446744073709551616 -1 1e400 '"0x10000000000000000"'; do
	printf '{"magic": "SIGACT", "entries": [{"sigaction": 0, "flags": 0, "restorer": 0, "mask": %s}]}' "$v" > "$J"
	try json "j.json: line 1 column [0-9]+: mask: " encode -i "$J" -o "$OUT/o.img"
done
python3 -c "print('{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": ' + '9' * 100000 + '}]}')" > "$J"
try json "j.json: line 1 column 41: number too long" encode -i "$J" -o "$OUT/o.img"
python3 -c "print('{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": \"' + '9' * 100000 + '\"}]}')" > "$J"
try json "j.json: line 1 column 41: pid: value \"9{64}\.\.\.\" out of range" encode -i "$J" -o "$OUT/o.img"
python3 -c "print('{\"magic\": \"PSTREE\", \"entries\": [{\"pid\": -' + '0' * 100000 + '1}]}')" > "$J"
try json "j.json: line 1 column 41: number too long" encode -i "$J" -o "$OUT/o.img"
# nested 100,000 deep: at the top, in an entry, in an extra, as the entries
deep() { python3 -c "import sys; o, c = sys.argv[1], sys.argv[2]; print(sys.argv[3] + o * 100000 + c * 100000 + sys.argv[4])" "$@" > "$J"; }
deep '[' ']' '{"magic": "PSTREE", "x": ' ', "entries": []}'
try json "j.json: line 1 column [0-9]+: JSON nested deeper than 512 levels \(the 'depth' limit" encode -i "$J" -o "$OUT/o.img"
deep '{"a": ' '}' '{"magic": "PSTREE", "x": ' ', "entries": []}'
try json "j.json: line 1 column [0-9]+: JSON nested deeper than 512 levels" encode -i "$J" -o "$OUT/o.img"
deep '[' ']' '{"entries": ' ', "magic": "PSTREE"}'
try json "j.json: line 1 column [0-9]+: JSON nested deeper than 512 levels" encode -i "$J" -o "$OUT/o.img"
deep '[' ']' '{"magic": "PIPES_DATA", "entries": [{"pipe_id": 1, "bytes": 0, "extra": ' '}]}'
try json "j.json: line 1 column [0-9]+: JSON nested deeper than 512 levels" encode -i "$J" -o "$OUT/o.img"
deep '[' ']' '{"magic": "PSTREE", "entries": [{"pid": 1, "ppid": 0, "pgid": 1, "sid": 1, "threads": ' '}]}'
try json "j.json: line 1 column [0-9]+: threads: " encode -i "$J" -o "$OUT/o.img"
deep '{"a": ' '}' '{"magic": "CORE", "entries": [{"mtype": "X86_64", "tc": ' '}]}'
try json "j.json: line 1 column [0-9]+: " encode -i "$J" -o "$OUT/o.img"
# the depth limit raised to its cap: refused there, without running out of stack
deep '[' ']' '{"magic": "PSTREE", "x": ' ', "entries": []}'
try json "j.json: line 1 column [0-9]+: JSON nested deeper than 4096 levels" --limit depth=4096 encode -i "$J" -o "$OUT/o.img"
# structure
for t in '' '[]' '"PSTREE"' '{"magic": "PSTREE"}' '{"entries": []}' '{"magic": "PSTREE", "magic": "CORE", "entries": []}' \
	 '{"magic": "PSTREE", "entries": [], "entries": []}' '{"magic": "PSTREE", "entries": []} x' \
	 '{"magic": "PSTREE", "entries": [{}]}' '{"magic": "PSTREE", "entries": [1]}' '{"magic": "PSTREE", "entries": {}}' \
	 '{"magic": "PSTREE", "entries": [' '{"magic": "PSTREE", "entries": ["\' '{"magic": 7, "entries": []}' \
	 '{"magic": "PAGES", "entries": []}' '{"magic": "PSTREE" "entries": []}'; do
	printf '%s' "$t" > "$J"
	try json "j.json: line [0-9]+ column [0-9]+: " encode -i "$J" -o "$OUT/o.img"
done

# ---- archives: names and links leaving the tree, duplicates, bombs ----
A=$IN/arch
mkdir -p "$A"
# mkarch OUT SPEC...: a tar (OUT's suffix: .tar, .tar.gz, .tar.zst) of the
# demo checkpoint under checkpoint/, plus members NAME=reg|NAME=sym:TARGET|
# NAME=hard:TARGET|NAME=zeros:BYTES|NAME=size:BYTES (a header claiming a
# size, nothing after it)
mkarch() {
	local out=$1
	shift
	python3 - "$S/demo" "$@" > "$TMP/a.tar" <<'PY'
import io, os, sys, tarfile
demo, specs = sys.argv[1], sys.argv[2:]
class Zeros(io.RawIOBase):
    def __init__(self, n): self.n = n
    def readable(self): return True
    def readinto(self, b):
        k = min(len(b), self.n); b[:k] = bytes(k); self.n -= k; return k
out = io.BytesIO()
t = tarfile.open(fileobj=out, mode='w', format=tarfile.GNU_FORMAT)
for f in sorted(os.listdir(demo)):
    t.add(os.path.join(demo, f), 'checkpoint/' + f)
for s in specs:
    name, kind = s.split('=', 1)
    i = tarfile.TarInfo(name); i.mtime = 1700000000
    if kind == 'reg':
        data = b'data'; i.size = len(data); t.addfile(i, io.BytesIO(data))
    elif kind.startswith('sym:'):
        i.type = tarfile.SYMTYPE; i.linkname = kind[4:]; t.addfile(i)
    elif kind.startswith('hard:'):
        i.type = tarfile.LNKTYPE; i.linkname = kind[5:]; t.addfile(i)
    elif kind.startswith('zeros:'):
        i.size = int(kind[6:]); t.addfile(i, Zeros(i.size))
    elif kind.startswith('size:'):
        # the header alone, where the archive would end: no data follows
        i.size = int(kind[5:])
        sys.stdout.buffer.write(out.getvalue()[:t.offset] + i.tobuf(t.format, t.encoding, t.errors))
        sys.exit(0)
t.close()
sys.stdout.buffer.write(out.getvalue())
PY
	case $out in
	*.tar.gz) gzip -9 -c "$TMP/a.tar" > "$out" ;;
	*.tar.zst) zstd -q -c "$TMP/a.tar" > "$out" ;;
	*) cp "$TMP/a.tar" "$out" ;;
	esac
	rm -f "$TMP/a.tar"
}
arch_try() { # PATTERN ARCHIVE [CRIT-OPTIONS...]
	local pat=$1 a=$2
	shift 2
	try archives "$(basename "$a"): .*$pat" "$@" x "$a" ps
}
mkarch "$A/dotdot.tar" '../evil=reg'
arch_try "archive member '../evil' points outside the archive" "$A/dotdot.tar"
mkarch "$A/dotdot2.tar.gz" 'checkpoint/../../evil=reg'
arch_try "points outside the archive" "$A/dotdot2.tar.gz"
mkarch "$A/abs.tar.zst" '/etc/evil=reg'
arch_try "archive member '/etc/evil' points outside the archive" "$A/abs.tar.zst"
mkarch "$A/sym-abs.tar" 'checkpoint/pages-9.img=sym:/etc/passwd'
arch_try "'checkpoint/pages-9.img' is a symbolic link to '/etc/passwd', outside the archive" "$A/sym-abs.tar"
mkarch "$A/sym-up.tar.gz" 'checkpoint/evil=sym:../../../etc/passwd'
arch_try "is a symbolic link to '../../../etc/passwd', outside the archive" "$A/sym-up.tar.gz"
mkarch "$A/hard-abs.tar" 'checkpoint/evil=hard:/etc/passwd'
arch_try "'checkpoint/evil' is a hard link to '/etc/passwd', outside the archive" "$A/hard-abs.tar"
mkarch "$A/hard-up.tar.zst" 'checkpoint/evil=hard:../outside'
arch_try "is a hard link to '../outside', outside the archive" "$A/hard-up.tar.zst"
mkarch "$A/dup.tar" 'checkpoint/pstree.img=reg'
arch_try "archive member 'checkpoint/pstree.img' appears more than once" "$A/dup.tar"
mkarch "$A/dup2.tar.gz" './checkpoint/core-101.img=reg'
arch_try "archive member 'checkpoint/core-101.img' appears more than once" "$A/dup2.tar.gz"
mkarch "$A/bomb.tar.gz" 'checkpoint/pages-7.img=zeros:134217728'
arch_try "archive expands more than 200 times .*a decompression bomb\? \(the 'ratio' limit; raise it with crit --limit ratio=N" "$A/bomb.tar.gz"
mkarch "$A/bomb.tar.zst" 'config.dump=zeros:134217728'
arch_try "archive expands more than 200 times .*\(the 'ratio' limit" "$A/bomb.tar.zst"
# a sparse member: 16 GiB of holes (and one byte) in a few KiB of tar
mkdir -p "$TMP/sp/checkpoint" && cp "$S"/demo/*.img "$TMP/sp/checkpoint/"
truncate -s 16G "$TMP/sp/checkpoint/pages-5.img" && printf x >> "$TMP/sp/checkpoint/pages-5.img"
tar --sparse -cf "$A/sparse.tar" -C "$TMP/sp" checkpoint && rm -rf "$TMP/sp"
arch_try "archive expands more than 200 times .*\(the 'ratio' limit" "$A/sparse.tar"
mkarch "$A/huge-header.tar" 'checkpoint/pages-8.img=size:1099511627776'
arch_try "archive member 'checkpoint/pages-8.img' is larger than the limit of 68719476736 bytes \(the 'member' limit" "$A/huge-header.tar"
mkarch "$A/plain.tar.gz"
arch_try "archive member 'checkpoint/[a-z0-9-]+.img' is larger than the limit of 1024 bytes \(the 'member' limit" "$A/plain.tar.gz" --limit member=1K
head -c $(($(stat -c %s "$A/plain.tar.gz") / 2)) "$A/plain.tar.gz" > "$A/cut.tar.gz"
arch_try "(broken archive|truncated|archive member holds)" "$A/cut.tar.gz"
printf 'not an archive at all' > "$A/junk.tar"
arch_try "not a checkpoint directory or archive" "$A/junk.tar"

# ---- incremental dumps: parent loops and broken parents ----
# a demo checkpoint whose pages of task 101 are all in its parent
P=$IN/incr
mkdir -p "$TMP/incr"
cp "$S"/demo/*.img "$TMP/incr/"
"$CRIT" decode -i "$S/demo/pagemap-101.img" | sed 's/"flags": [0-9]*/"flags": 1/g' > "$TMP/pm.json"
"$CRIT" encode -i "$TMP/pm.json" -o "$TMP/incr/pagemap-101.img"
rm -f "$TMP/incr"/pages-*.img
: > "$TMP/incr/pages-2.img"
parent_dump() { # DIR: a demo copy whose pagemap-101 says "in the parent"
	mkdir -p "$1"
	cp "$TMP"/incr/*.img "$1/"
}
parent_dump "$P/self" && ln -s . "$P/self/parent"
try parents "parent: parent chain loops back to" mem "$P/self" --pid 101
parent_dump "$P/a" && parent_dump "$P/b" && ln -s ../b "$P/a/parent" && ln -s ../a "$P/b/parent"
try parents "parent: parent chain loops back to" mem "$P/a" --pid 101
for i in $(seq 0 66); do parent_dump "$P/c$i"; [ "$i" -eq 0 ] || ln -s "../c$i" "$P/c$((i - 1))/parent"; done
try parents "parent: parent chain longer than 64 \(the 'parents' limit" mem "$P/c0" --pid 101
try parents "parent: parent chain longer than 3 \(the 'parents' limit" --limit parents=3 mem "$P/c60" --pid 101
parent_dump "$P/root" && ln -s / "$P/root/parent"
try parents "root/parent: parent /: not a checkpoint" mem "$P/root" --pid 101
parent_dump "$P/gone" && ln -s ../no-such "$P/gone/parent"
try parents "parent.*No such file or directory" mem "$P/gone" --pid 101
parent_dump "$P/fifo" && mkfifo "$P/fifo/parent"
try parents "parent is neither a link nor a path" mem "$P/fifo" --pid 101
parent_dump "$P/blob" && head -c 5000 /dev/urandom > "$P/blob/parent"
try parents "parent" mem "$P/blob" --pid 101
parent_dump "$P/empty" && : > "$P/empty/parent"
try parents "parent" mem "$P/empty" --pid 101

# ---- crit check on hostile checkpoints: findings, never a crash ----
# check_one NAME CRIT-ARGS...: exit 0 or 1 (findings) or 2 with one line of
# message, no crash or hang; counted under "check".
check_one() {
	local name=$1 rc
	shift
	local cat=check
	[ -n "${TRIED[$cat]+x}" ] || { cats+=("$cat"); TRIED[$cat]=0 REJECTED[$cat]=0 CRASHED[$cat]=0 HUNG[$cat]=0 OUTSIDE[$cat]=0 OTHER[$cat]=0; }
	TRIED[$cat]=$((TRIED[$cat] + 1))
	timeout -s KILL "$LIMIT" "$CRIT" check "$@" > "$TMP/stdout" 2> "$TMP/stderr" < /dev/null
	rc=$?
	if [ $rc -eq 137 ]; then
		HUNG[$cat]=$((HUNG[$cat] + 1)); fail "check $name: no answer in $LIMIT s"
	elif [ $rc -gt 128 ] || grep -qE 'Sanitizer|runtime error|Segmentation' "$TMP/stderr"; then
		CRASHED[$cat]=$((CRASHED[$cat] + 1)); fail "check $name: crashed (rc $rc): $(head -c 300 "$TMP/stderr")"
	elif [ $rc -le 2 ]; then
		REJECTED[$cat]=$((REJECTED[$cat] + 1)); pass "check $name: rc $rc"
	else
		OTHER[$cat]=$((OTHER[$cat] + 1)); fail "check $name: exit $rc"
	fi
}
"$CRIT" check --probe > "$TMP/host.json" 2> /dev/null || : > "$TMP/host.json"
# the damaged and looping checkpoints above, the images part and a host
for d in "$IN/ck" "$P"/self "$P"/a "$P"/c0 "$P"/root "$P"/gone "$P"/fifo "$P"/blob "$P"/empty; do
	[ -d "$d" ] || continue
	check_one "--offline $(basename "$d")" --offline "$d"
	[ -s "$TMP/host.json" ] && check_one "--host $(basename "$d")" --host "$TMP/host.json" "$d"
done
# every image of the demo sample truncated to half, overwritten in its
# middle, or removed
for img in "$S"/demo/*.img; do
	b=$(basename "$img")
	for how in half flip gone; do
		rm -rf "$TMP/cd" && cp -r "$S/demo" "$TMP/cd" && chmod -R u+w "$TMP/cd"
		size=$(stat -c %s "$img")
		case $how in
		half) truncate -s $((size / 2)) "$TMP/cd/$b" ;;
		flip) printf '\377\377\377\377\377\377\377\377' | dd of="$TMP/cd/$b" bs=1 seek=$((size / 2)) conv=notrunc status=none ;;
		gone) rm -f "$TMP/cd/$b" ;;
		esac
		check_one "$b $how" --host "$TMP/host.json" "$TMP/cd"
		check_one "$b $how --target-arch" --offline --target-arch aarch64 "$TMP/cd"
	done
done
# the portability part on hand-made images: each gives a finding that says
# precisely what is wrong (never a crash, never an error of the command)
# port_case NAME PATTERN [IMAGE PYTHON]...: the demo with each IMAGE's JSON
# changed by its PYTHON (j: the image's JSON, e: its entries; an IMAGE the
# demo lacks starts empty), checked --target-arch aarch64; a finding's
# message must match PATTERN
port_case() {
	local name=$1 pat=$2 img
	shift 2
	rm -rf "$IN/pk" && cp -r "$S/demo" "$IN/pk" && chmod -R u+w "$IN/pk"
	while [ $# -ge 2 ]; do
		img=$1
		if [ -f "$IN/pk/$img" ]; then
			"$CRIT" decode -i "$IN/pk/$img" > "$TMP/pj.json"
		else
			printf '{"magic": "%s", "entries": []}' "$(echo "${img%%.*}" | tr a-z A-Z)" > "$TMP/pj.json"
		fi
		python3 - "$TMP/pj.json" "$2" << 'PY'
import base64, json, sys
j = json.load(open(sys.argv[1]))
e = j['entries']
exec(sys.argv[2])
json.dump(j, open(sys.argv[1], 'w'))
PY
		"$CRIT" encode -i "$TMP/pj.json" -o "$IN/pk/$img" || { fail "port $name: cannot make $img"; return; }
		shift 2
	done
	check_one "port $name" --offline --target-arch aarch64 --format json "$IN/pk"
	grep -qE -- "\"message\": \"[^\"]*$pat" "$TMP/stdout" && pass "port $name: the finding says: $pat" ||
		fail "port $name: no finding matches /$pat/: $(grep -o '"message": "[^"]*' "$TMP/stdout" | grep -v 'open with\|pages;' | head -3 | tr '\n' ' ')"
}
filter_of() { # seccomp.img of one filter of BYTES, prev PREV (or none)
	printf "e.append({'seccomp_filters': [{'filter': base64.b64encode(%s).decode(), 'flags': 1%s}]})" "$1" "${2:+, 'prev': $2}"
}
in_filter="e[0]['thread_core']['seccomp_mode'] = 'filter'; e[0]['thread_core']['seccomp_filter'] = 0"
port_case "a filter of 7 bytes" "filter 0 is not a valid program: 7 bytes is not a whole number of 8-byte instructions" \
	core-100.img "$in_filter" seccomp.img "$(filter_of "b'1234567'")"
port_case "a filter jumping past its end" "instruction 0 jumps 255 or 0 ahead, past the end \\(1 instructions\\)" \
	core-100.img "$in_filter" seccomp.img "$(filter_of "bytes([0x15, 0, 255, 0, 0, 0, 0, 0])")"
port_case "filters whose prev links loop" "the prev links of seccomp.img's filters loop" \
	core-100.img "$in_filter" seccomp.img "$(filter_of "bytes([6, 0, 0, 0, 0, 0, 0xff, 0x7f])" 0)"
port_case "a thread naming a filter seccomp.img lacks" "names seccomp filter 0, and seccomp.img holds 0" \
	core-100.img "$in_filter" seccomp.img "e.append({})"
port_case "a thread in filter mode, no seccomp.img" "seccomp.img: no such image" core-100.img "$in_filter"
port_case "a core of an unknown machine" "is of unknown: the report and crit convert know" \
	core-100.img "e[0]['mtype'] = 'UNKNOWN'"
port_case "a PC at the top of the address space" "stopped at 0xffffffffffffffff, which no mapping holds" \
	core-100.img "e[0]['thread_info']['gpregs']['ip'] = 2**64 - 1"
port_case "an auxv with an odd count and AT_PLATFORM at 2^64-1" \
	"7 saved values; AT_HWCAP 0x1 \\(bits of the x86_64 CPU\\); AT_PLATFORM at 0xffffffffffffffff \\(not in the checkpoint\\)" \
	mm-100.img "e[0]['mm_saved_auxv'] = [15, 2**64 - 1, 6, 4096, 16, 1, 26]"
rm -rf "$IN/pk" && cp -r "$S/demo" "$IN/pk" && chmod -R u+w "$IN/pk"
truncate -s 40 "$IN/pk/core-101.img"
check_one "port a truncated core" --offline --target-arch aarch64 --format json "$IN/pk"
grep -qE '"message": "core-101.img: offset [0-9]+: .*nothing in it can be judged' "$TMP/stdout" &&
	pass "port a truncated core: arch-unknown names the image and offset" ||
	fail "port a truncated core: $(grep -o '"message": "[^"]*' "$TMP/stdout" | grep 101 | head -2 | tr '\n' ' ')"
# hostile logs and host descriptions
head -c 300000 /dev/urandom > "$TMP/garbage.log"
check_one "a log of random bytes" --offline --log "$TMP/garbage.log" "$S/demo"
{ printf '(00.000001) Error (criu/x.c:1): '; head -c 2000000 /dev/zero | tr '\0' 'A'; printf '\n'; } > "$TMP/long.log"
check_one "a log with a 2 MB error line" --offline --log "$TMP/long.log" "$S/demo"
printf '{"crimg_host": 1, "pids": [%s1]}' "$(seq -s, 1 200000 | sed 's/,/, /g'), " > "$TMP/big.json"
check_one "a host with 200,000 PIDs" --host "$TMP/big.json" "$S/demo"
for j in '' '{' '[]' '{"crimg_host": 2}' '{"crimg_host": 1, "pids": "x"}' '{"crimg_host": 1, "files": [{"path": 5}]}' \
	"$(printf '{"crimg_host": 1, "kernel": "%s"}' "$(head -c 100000 /dev/zero | tr '\0' k)")"; do
	printf '%s' "$j" > "$TMP/bad.json"
	check_one "host JSON ${j:0:30}" --host "$TMP/bad.json" "$S/demo"
	grep -q '^crit: .*bad.json: ' "$TMP/stderr" ||
		fail "host JSON ${j:0:30}: no one-line message naming the file: $(head -c 200 "$TMP/stderr")"
done

finish_counts() {
	echo "  hostile input, per category: tried / rejected with a message / crashes / hangs / writes outside / other"
	local c t=0 r=0 k=0 h=0 o=0 x=0
	for c in "${cats[@]}"; do
		printf '  %-14s %8d %8d %4d %4d %4d %4d%s\n' "$c" "${TRIED[$c]}" "${REJECTED[$c]}" "${CRASHED[$c]}" \
			"${HUNG[$c]}" "${OUTSIDE[$c]}" "${OTHER[$c]}" \
			"${ACCEPTED_NOTE[$c]:+  (+${ACCEPTED_NOTE[$c]} still valid, decoded)}"
		t=$((t + TRIED[$c])); r=$((r + REJECTED[$c])); k=$((k + CRASHED[$c])); h=$((h + HUNG[$c]))
		o=$((o + OUTSIDE[$c])); x=$((x + OTHER[$c]))
	done
	printf '  %-14s %8d %8d %4d %4d %4d %4d\n' total $t $r $k $h $o $x
}
finish_counts
finish
