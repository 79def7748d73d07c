#!/usr/bin/env bash
# asan-ok
# Issue 16, points 3 and 4 (the parts CI can run): crit convert --to-arch.
#  - tests/xarch/dump-x86_64: the demo counter (xarch/demo) dumped by the
#    real CRIU 4.2 on x86_64, with the two builds that made it.  Converted to
#    aarch64 (and that back to x86_64), every rewritten image decodes to the
#    golden JSON of tests/xarch/golden/, the report too; the images the move
#    does not touch stay byte for byte; the way back gives files.img as it
#    was; the converted checkpoint passes crit check's portability for its
#    new architecture.
#  - tests/xarch/dump-aarch64-guest (when present): the counter as Debian's
#    CRIU dumped it in the aarch64 guest of xarch/proof.sh, converted to
#    x86_64 against its golden JSON.
#  - Refused, exit 1, nothing written: every corpus dump and the sample
#    (the portability report's blocking findings or the contract, each
#    reason said), and the fixture broken one way at a time (the target
#    build for the wrong architecture, stripped, without the migration
#    point, with other data addresses; another source build; the thread
#    elsewhere; a handler; a second thread; a parent link).
#  - The stack plug-in interface: a program answering like the built-in
#    one gives the same checkpoint; its stack writes land at their address
#    (crit mem reads them back); bad answers, a failing, a silent and a
#    hanging plug-in are refused with the reason.
#  - The Makefile's builds of xarch/demo are the fixture's builds, byte for
#    byte (when the cross compiler is there).
#  - Live (root, the shared CRIU): the counter dumped here, moved to
#    aarch64 and back to x86_64, restored by CRIU here, counts on.
. "$(dirname "$0")/lib.sh"
X=$TOP/tests/xarch
G=$X/golden
SRC=$X/dump-x86_64
GUEST=$X/dump-aarch64-guest
CX=$X/counter-x86_64
CA=$X/counter-aarch64

# conv NAME ARGS...: crit convert -q ARGS must succeed
conv() {
	local n=$1
	shift
	"$CRIT" convert -q "$@" > "$TMP/conv.out" 2> "$TMP/conv.err" && return 0
	fail "$n: crit convert $*: exit $? ($(head -c 400 "$TMP/conv.err"))"
	return 1
}

# golden NAME FILE GOLDEN: FILE equals GOLDEN (UPDATE=1 writes it)
golden() {
	if [ -n "${UPDATE:-}" ]; then
		mkdir -p "$(dirname "$3")"
		cp "$2" "$3"
	fi
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1: differs from $(basename "$3"): $(diff "$3" "$2" | head -8)"; fi
}

# decoded NAME DIR PREFIX: every rewritten image of DIR against the golden JSON
decoded() {
	local n=$1 d=$2 p=$3 img
	for img in "$d"/core-*.img "$d"/mm-*.img "$d"/pagemap-*.img "$d"/files.img; do
		"$CRIT" decode -i "$img" --pretty > "$TMP/dec.json" 2> "$TMP/dec.err" ||
			{ fail "$n: decode $(basename "$img"): $(cat "$TMP/dec.err")"; continue; }
		golden "$n: $(basename "$img")" "$TMP/dec.json" "$G/$p-$(basename "$img" .img).json"
	done
	sha256sum < "$d/$(basename "$d"/pages-*.img)" | cut -c1-64 > "$TMP/pages.sha"
	golden "$n: the pages (their digest)" "$TMP/pages.sha" "$G/$p-pages.sha256"
}

# ---- the fixture to aarch64 and back ----
A=$TMP/to-aarch64
if conv "to aarch64" --to-arch aarch64 --target-exe "$CA" --source-exe "$CX" \
	--report "$TMP/report-a.json" "$SRC" "$A"; then
	decoded "x86_64 -> aarch64" "$A" to-aarch64
	golden "x86_64 -> aarch64: --report" "$TMP/report-a.json" "$G/to-aarch64-report.json"
	for f in "$SRC"/*; do
		b=$(basename "$f")
		case $b in core-* | mm-* | pagemap-* | pages-* | files.img) continue ;; esac
		check "x86_64 -> aarch64: $b untouched" cmp -s "$f" "$A/$b"
	done
	"$CRIT" check "$A" --target-arch aarch64 --format json > "$TMP/port.json" 2> /dev/null
	python3 - "$TMP/port.json" > "$TMP/port.txt" << 'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["portability"]
print(p["source_arch"], p["verdict"])
EOF
	check "crit check --target-arch aarch64 on it: of aarch64, the same architecture" \
		test "$(cat "$TMP/port.txt")" = "aarch64 same-architecture"
	"$CRIT" x "$A" mems > "$TMP/mems.txt" 2>&1
	check "crit x mems: no vDSO, no vsyscall, the code mapping kept" \
		bash -c "! grep -q 'vdso\|vsyscall' '$TMP/mems.txt' && grep -q '00400000-00401000 *r-x /tmp/crimg-xarch/counter' '$TMP/mems.txt'"
	B=$TMP/back-x86_64
	if conv "back to x86_64" --to-arch x86_64 --target-exe "$CX" --source-exe "$CA" "$A" "$B"; then
		decoded "aarch64 -> x86_64" "$B" back-x86_64
		check "the way back gives files.img as it was" cmp -s "$SRC/files.img" "$B/files.img"
		check "the way back keeps the data pages" \
			bash -c "'$CRIT' mem '$B' --search rimgdemo | grep -q 0x600000"
	fi
fi

# ---- the guest's own aarch64 dump (xarch/proof.sh) to x86_64 ----
if [ -d "$GUEST" ]; then
	if conv "guest dump to x86_64" --to-arch x86_64 --target-exe "$CX" --source-exe "$CA" \
		--report "$TMP/report-g.json" "$GUEST" "$TMP/guest-x86_64"; then
		decoded "guest aarch64 -> x86_64" "$TMP/guest-x86_64" guest-to-x86_64
		golden "guest aarch64 -> x86_64: --report" "$TMP/report-g.json" "$G/guest-to-x86_64-report.json"
	fi
else
	skip "no tests/xarch/dump-aarch64-guest (made by xarch/proof.sh)"
fi

# ---- refused: exit 1, the reasons said, nothing written ----
# refused NAME WANT SRC ARGS...: exit 1, stderr has WANT, no DST
refused() {
	local n=$1 want=$2 src=$3
	shift 3
	rm -rf "$TMP/no"
	"$CRIT" convert "$@" "$src" "$TMP/no" > "$TMP/r.out" 2> "$TMP/r.err"
	local rc=$?
	if [ $rc -ne 1 ]; then
		fail "$n: exit $rc, not 1 ($(head -c 300 "$TMP/r.err"))"
	elif [ -e "$TMP/no" ] || ls -a "$TMP" | grep -q '^\.no\.'; then
		fail "$n: refused but wrote $TMP/no"
	elif ! grep -q -- "$want" "$TMP/r.err"; then
		fail "$n: no '$want' in: $(head -c 400 "$TMP/r.err")"
	else
		pass "$n"
	fi
}
n_corpus=0
if have_corpus; then
	for d in "$CORPUS"/*/ "$CORPUS"/foreign/*/; do
		[ -f "$d/inventory.img" ] || continue
		n=${d%/}
		n=${n#"$CORPUS"/}
		case $n in *s390x*) to=x86_64 ;; *aarch64*) to=x86_64 ;; *) to=aarch64 ;; esac
		refused "corpus $n -> $to refused" "refused: " "$d" --to-arch $to --target-exe "$CA"
		n_corpus=$((n_corpus + 1))
	done
	check "refusals ran on the corpus ($n_corpus dumps)" test $n_corpus -ge 10
else
	skip "no corpus: refusals on the sample and the fixture only"
fi
refused "the sample demo refused" "refused: " "$BUILD/samples/demo" --to-arch aarch64 --target-exe "$CA"

# the fixture, broken one way at a time
refused "a target build for x86_64" "the target build is for x86_64" "$SRC" \
	--to-arch aarch64 --target-exe "$CX" --source-exe "$CX"
refused "a source build that is not the one that ran" "not the build that ran" "$SRC" \
	--to-arch aarch64 --target-exe "$CA" --source-exe "$CA"
if command -v aarch64-linux-gnu-objcopy > /dev/null; then
	aarch64-linux-gnu-objcopy --strip-all "$CA" "$TMP/stripped"
	refused "a stripped target build" "no symbol table" "$SRC" \
		--to-arch aarch64 --target-exe "$TMP/stripped" --source-exe "$CX"
	aarch64-linux-gnu-objcopy --strip-symbol=crimg_migrate_tick "$CA" "$TMP/nopoint"
	refused "a target build without the migration point" "lacks migration point 'tick'" "$SRC" \
		--to-arch aarch64 --target-exe "$TMP/nopoint" --source-exe "$CX"
	aarch64-linux-gnu-objcopy --strip-symbol=crimg_resume_tick "$CA" "$TMP/noresume"
	refused "a target build without the resume function" "no symbol crimg_resume_tick" "$SRC" \
		--to-arch aarch64 --target-exe "$TMP/noresume" --source-exe "$CX"
	aarch64-linux-gnu-objcopy --change-section-address .data+0x1000 \
		--change-section-address .bss+0x1000 "$CA" "$TMP/moved" 2> /dev/null
	refused "a target build with its data elsewhere" "the data layouts differ" "$SRC" \
		--to-arch aarch64 --target-exe "$TMP/moved" --source-exe "$CX"
else
	skip "no aarch64-linux-gnu-objcopy: the broken target builds not made"
fi
head -c 100 "$CA" > "$TMP/short"
refused "a truncated target build" "program headers outside the file\|not an ELF" "$SRC" \
	--to-arch aarch64 --target-exe "$TMP/short" --source-exe "$CX"
refused "a target build that is no ELF" "not an ELF file" "$SRC" \
	--to-arch aarch64 --target-exe "$SRC/inventory.img" --source-exe "$CX"
refused "no target build" "No such file" "$SRC" --to-arch aarch64 --target-exe "$TMP/none" --source-exe "$CX"

# images edited through JSON: the thread elsewhere, a handler, two threads
edit() { # NAME IMAGE PYTHON: a copy of the fixture with IMAGE's JSON changed
	rm -rf "$TMP/$1"
	cp -a "$SRC" "$TMP/$1"
	"$CRIT" decode -i "$SRC/$2" > "$TMP/e.json"
	python3 -c "import json,sys; d=json.load(open('$TMP/e.json')); e=d['entries']; $3; json.dump(d, open('$TMP/e.json','w'))"
	rm -f "$TMP/$1/$2"
	"$CRIT" encode -i "$TMP/e.json" -o "$TMP/$1/$2"
}
core=$(basename "$SRC"/core-*.img)
edit elsewhere "$core" "e[0]['thread_info']['gpregs']['ip']='0x400100'"
refused "a thread at no migration point" "at no migration point" "$TMP/elsewhere" \
	--to-arch aarch64 --target-exe "$CA" --source-exe "$CX"
edit handler "$core" "e[0]['tc']['sigactions'][9]['sigaction']='0x400130'"
refused "a signal handler" "signal 10 has a handler" "$TMP/handler" \
	--to-arch aarch64 --target-exe "$CA" --source-exe "$CX"
edit tls "$core" "e[0]['thread_info']['gpregs']['fs_base']='0x7f0000001000'"
refused "a thread pointer" "a thread pointer is set" "$TMP/tls" \
	--to-arch aarch64 --target-exe "$CA" --source-exe "$CX"
edit threads pstree.img "e[0]['threads'].append(e[0]['threads'][0]+1)"
cp "$SRC/$core" "$TMP/threads/core-$(( ${core//[!0-9]/} + 1 )).img"
refused "two threads" "2 threads" "$TMP/threads" --to-arch aarch64 --target-exe "$CA" --source-exe "$CX"
rm -rf "$TMP/parent"
cp -a "$SRC" "$TMP/parent"
ln -s ../elsewhere "$TMP/parent/parent"
refused "an incremental dump" "incremental dump" "$TMP/parent" --to-arch aarch64 --target-exe "$CA" --source-exe "$CX"
refused "already aarch64" "of aarch64 already" "$A" --to-arch aarch64 --target-exe "$CA" --source-exe "$CA"

# usage errors: exit 2
usage() { # NAME WANT ARGS...
	local n=$1 want=$2
	shift 2
	"$CRIT" convert "$@" > /dev/null 2> "$TMP/u.err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -q -- "$want" "$TMP/u.err"; then pass "$n"; else fail "$n: exit $rc: $(head -c 300 "$TMP/u.err")"; fi
}
usage "--to-arch s390x" "takes x86_64 or aarch64" --to-arch s390x --target-exe "$CA" "$SRC" "$TMP/u"
usage "--to-arch without --target-exe" "needs --target-exe" --to-arch aarch64 "$SRC" "$TMP/u"
usage "--target-exe without --to-arch" "go with --to-arch" --target-exe "$CA" "$SRC" "$TMP/u"
usage "--target-path relative" "absolute path" --to-arch aarch64 --target-exe "$CA" --target-path x "$SRC" "$TMP/u"

# ---- the stack plug-in interface ----
P=$X/plugin-restart.py
if conv "a plug-in program" --to-arch aarch64 --target-exe "$CA" --source-exe "$CX" \
	--stack-plugin "$P" "$SRC" "$TMP/plug"; then
	for img in "$A"/*; do
		b=$(basename "$img")
		case $b in core-*) continue ;; esac
		check "plug-in: $b as with the built-in one" cmp -s "$img" "$TMP/plug/$b"
	done
	"$CRIT" decode -i "$A/$core" > "$TMP/c1.json"
	"$CRIT" decode -i "$TMP/plug/$core" > "$TMP/c2.json"
	check "plug-in: the same registers as the built-in one" cmp -s "$TMP/c1.json" "$TMP/c2.json"
fi
sp=$(python3 -c "import json; print(json.load(open('$TMP/c1.json'))['entries'][0]['ti_aarch64']['gpregs']['sp'])" 2> /dev/null)
if PLUGIN_WRITE=1 conv "a plug-in writing on the stack" --to-arch aarch64 --target-exe "$CA" \
	--source-exe "$CX" --stack-plugin "$P" "$SRC" "$TMP/plugw"; then
	"$CRIT" mem "$TMP/plugw" --search CRIMG-PLUGIN > "$TMP/pw.txt" 2>&1
	want=$(printf '0x%x' $((sp - 64)))
	check "plug-in: its stack bytes read back at sp - 64 ($want)" grep -q "$want" "$TMP/pw.txt"
fi
for bad in fail:"failed" garbage:"no JSON object" pc:"not in the target build's code" \
	sp:"outside the thread's stack" write:"outside the thread's stack" hex:"bad or missing writes" \
	quiet:"bad or missing pc"; do
	what=${bad%%:*}
	PLUGIN_BAD=$what refused "plug-in answering $what" "${bad#*:}" "$SRC" --to-arch aarch64 \
		--target-exe "$CA" --source-exe "$CX" --stack-plugin "$P"
done
CRIMG_STACK_PLUGIN_TIMEOUT=1 PLUGIN_BAD=hang refused "a hanging plug-in is stopped" "took more than" \
	"$SRC" --to-arch aarch64 --target-exe "$CA" --source-exe "$CX" --stack-plugin "$P"
refused "a plug-in that cannot run" "cannot run the stack plug-in" "$SRC" --to-arch aarch64 \
	--target-exe "$CA" --source-exe "$CX" --stack-plugin "$TMP/none"

# ---- the Makefile's builds are the fixture's ----
if [ -x "$BUILD/xarch/counter-x86_64" ] && [ -x "$BUILD/xarch/counter-aarch64" ]; then
	check "make xarch-demo: counter-x86_64 is the fixture's" cmp -s "$BUILD/xarch/counter-x86_64" "$CX"
	check "make xarch-demo: counter-aarch64 is the fixture's" cmp -s "$BUILD/xarch/counter-aarch64" "$CA"
else
	skip "make xarch-demo not run for $BUILD"
fi

# ---- live: dumped here, to aarch64 and back, restored here ----
CRIU=$SHARED/criu/criu
live_skip=
[ "$(id -u)" -eq 0 ] || live_skip="not root"
[ -n "$live_skip" ] || [ -x "$CRIU" ] || live_skip="no CRIU build at $CRIU"
[ -n "$live_skip" ] || ! ldd "$CRIU" 2> /dev/null | grep -q 'not found' || live_skip="the shared CRIU lacks libraries"
case $BUILD in *asan*) [ -n "$live_skip" ] || live_skip="the ASan build (the live run is the normal build's)" ;; esac
if [ -n "$live_skip" ]; then
	skip "$live_skip: the live move and restore not run"
else
	L=$TMP/live
	mkdir -p "$L/run" "$L/dump"
	install -m 755 "$CX" "$L/run/counter"
	(cd "$L/run" && env -i setsid -f "$L/run/counter" "$L/run/state" < /dev/null > /dev/null 2>&1)
	sleep 2.5
	pid=$(pgrep -f "^$L/run/counter")
	if [ -z "$pid" ]; then
		fail "live: the counter did not start"
	elif "$CRIU" dump -t "$pid" -D "$L/dump" -o dump.log -v4 2> /dev/null; then
		c0=$(sed -n 's/^count=\([0-9]*\).*/\1/p' "$L/run/state")
		conv "live: to aarch64" --to-arch aarch64 --target-exe "$CA" "$L/dump" "$L/arm" &&
			conv "live: back to x86_64" --to-arch x86_64 --target-exe "$CX" --source-exe "$CA" \
				"$L/arm" "$L/back"
		# the dumped process must be gone (reaped) before its pid is free again
		for _ in $(seq 100); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
		if "$CRIU" restore -D "$L/back" -d -o restore.log -v4 2> /dev/null; then
			pass "live: CRIU restores the checkpoint moved to aarch64 and back"
			sleep 2.5
			line=$(cat "$L/run/state")
			c1=$(sed -n 's/^count=\([0-9]*\).*/\1/p' <<< "$line")
			check "live: it counts on from $c0 (now ${c1:-none})" test "${c1:-0}" -gt "$c0"
			check "live: its heap and data came through" grep -q 'heap=ok started=x86_64 now=x86_64' <<< "$line"
			kill -9 "$pid" 2> /dev/null
		else
			fail "live: CRIU restore failed: $(grep Error "$L/back/restore.log" | grep -v RLIMIT | tail -3)"
		fi
	else
		fail "live: CRIU dump failed"
		kill -9 "$pid" 2> /dev/null
	fi
fi
finish
