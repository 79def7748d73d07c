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

snap() { find "$BOX" -path "$OUT" -prune -o -printf '%p %s %T@ %m %l\n' | sort; }

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
		REJECTED[$cat]=$((REJECTED[$cat] + 1)); pass "$what"
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
if timeout -s KILL 1200 "$BUILD/tests/hostile-damage" "${dmg[@]}" > "$TMP/damage" 2>&1; then
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
demo_with pstree.img '{"magic": "PSTREE", "entries": [{"pid": 100, "ppid": 101, "pgid": 100, "sid": 100, "threads": [100]}, {"pid": 101, "ppid": 100, "pgid": 100, "sid": 100, "threads": [101, 102]}]}'
# a parent loop is shown, not followed forever: each task on it is a root
timeout -s KILL "$LIMIT" "$CRIT" x "$IN/ck" ps > "$TMP/ps" 2>&1
check "pstree parent loop: x ps ends and shows both tasks" grep -q '^ *101 .*crimg-worker' "$TMP/ps"
demo_with pstree.img '{"magic": "PSTREE", "entries": [{"pid": 100, "ppid": 0, "pgid": 100, "sid": 100, "threads": [100]}, {"pid": 100, "ppid": 0, "pgid": 100, "sid": 100, "threads": [100]}]}'
try type-limits "pstree.img: .*(twice|duplicate|more than once)" x "$IN/ck" ps

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
