#!/usr/bin/env bash
# crit core against gdb, on processes the real CRIU dumped (issue 15,
# points 2 and 3): as root, with the CRIU build in $SHARED/criu (skipped
# with a message otherwise).  tests/core/gdbprog.c, built here with debug
# info, runs four threads parked in functions of their own, globals set at
# run time, a heap and a shared-memory marker.
#  - dumped by CRIU, written as a core by `crit core`: gdb's backtrace
#    names the program's own chain of functions in every thread, the
#    globals print their values, the markers read back at the addresses
#    the program reported (which `crit mem --search` finds too), and gdb
#    warns of nothing but what it warns of for its own gcore of the same
#    program (the shared mapping's file, which no one can open);
#  - the same state dumped incrementally (two pre-dumps, then a dump that
#    leaves the task stopped) and in full (of the stopped task): the two
#    cores have the same PT_LOAD segments, byte for byte
#    (tests/core/segcmp.py), while the incremental one took its pages from
#    the parents (crit mem shows their depth).  Where the kernel has no
#    soft-dirty tracking, CRIU is made to believe it has, in a mount
#    namespace of the test's own (see tests/core/incdump.sh).
# KEEP_GDB=DIR keeps gdb's output, the cores and the program there, for a
# look at a failure.
# Only this test's own processes and files are touched: the programs it
# started, by PID, after checking that they run its program; files under
# its own temporary directory.
. "$(dirname "$0")/lib.sh"
CRIU=$SHARED/criu/criu
LIVE_TIMEOUT=${LIVE_TIMEOUT:-20}

if [ "$(id -u)" -ne 0 ]; then
	skip "not root: CRIU cannot dump (crit core live checks not run)"
	finish
	exit
fi
if [ ! -x "$CRIU" ]; then
	skip "no CRIU build at $CRIU (crit core live checks not run)"
	finish
	exit
fi
for t in cc gdb jq timeout python3 setsid; do
	if ! command -v "$t" > /dev/null; then
		skip "$t missing (crit core live checks not run)"
		finish
		exit
	fi
done
if ldd "$CRIU" 2> /dev/null | grep -q 'not found'; then
	skip "the shared CRIU lacks libraries here: $(ldd "$CRIU" | grep 'not found' | head -3 | tr '\n' ' ')"
	finish
	exit
fi
LIVE=$TMP/live
mkdir -p "$LIVE"
PROG=$LIVE/gdbprog
if ! cc -g -O0 -pthread -o "$PROG" "$TOP/tests/core/gdbprog.c" 2> "$TMP/cc.err"; then
	fail "gdbprog does not build: $(head -3 "$TMP/cc.err")"
	finish
	exit
fi
SEGCMP=$TOP/tests/core/segcmp.py
# gdb fetches nothing and asks nothing (a gdb without debuginfod lacks the
# setting)
GDB_INIT=()
gdb -nx -batch -ex 'show debuginfod enabled' > /dev/null 2>&1 && GDB_INIT=(-iex 'set debuginfod enabled off')

# ours PID: PID runs our program
ours() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2> /dev/null) || return 1
	[ "${exe% (deleted)}" = "$PROG" ]
}
# kill_ours PID...: SIGKILL each PID that runs our program, and wait
kill_ours() {
	local p i
	for p in "$@"; do
		[ -n "$p" ] || continue
		ours "$p" || continue
		kill -KILL "$p" 2> /dev/null
		for i in $(seq 50); do ours "$p" || break; sleep 0.1; done
	done
}
RUNNING=
trap 'kill_ours $RUNNING $(cat "$LIVE"/*/pid 2> /dev/null); [ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT

# start DIR: the program in DIR/run, detached in a session of its own
# (stdin /dev/null, output to a file, reaped by a subshell of ours as soon
# as CRIU kills it); sets PID
start() {
	local run=$1/run i
	mkdir -p "$run"
	(cd "$run" && setsid env -i "$PROG" < /dev/null > out.txt 2>&1 & wait) 2> /dev/null &
	PID=
	for i in $(seq 100); do
		[ -s "$run/ready" ] && PID=$(cat "$run/ready") && break
		sleep 0.1
	done
	[ -n "$PID" ] && ours "$PID" || return 1
	RUNNING="$RUNNING $PID"
}

# info_get DIR KEY...: the value the program wrote for KEY in DIR/run/info
info_get() { local d=$1; shift; awk -v k="$*" '{ v = $NF; $NF = ""; sub(/ $/, ""); if ($0 == k) print v }' "$d/run/info"; }

# gdb_checks NAME DIR CORE: gdb on PROG and CORE (of the program that ran
# in DIR): every thread's backtrace, the globals, the markers, warnings
gdb_checks() {
	local name=$1 dir=$2 core=$3 out=$2/gdb-$1.out
	local heap shm
	heap=$(info_get "$dir" heap)
	shm=$(info_get "$dir" shm)
	timeout -s KILL 120 gdb -nx -batch "${GDB_INIT[@]}" "$PROG" "$core" \
		-ex 'thread apply all bt' -ex 'p global_int' -ex 'p global_str' -ex 'p global_struct' \
		-ex "x/s $heap" -ex "x/s $shm" -ex 'thread 1' -ex 'p $_siginfo.si_signo' \
		-ex 'p $_siginfo._sifields._rt.si_sigval.sival_int' > "$out" 2>&1
	local rc=$?
	[ -z "${KEEP_GDB:-}" ] || { mkdir -p "$KEEP_GDB"; cp "$out" "$core" "$PROG" "$KEEP_GDB/"; }
	[ $rc -eq 0 ] && pass "$name: gdb runs on the core" || fail "$name: gdb exits $rc ($(grep -m1 -i error "$out"))"

	# every thread of the program, by TID, with its own chain, innermost
	# first, and no function of another thread's ("Thread N (LWP T):", or
	# "Thread N (Thread 0x... (LWP T)):" with libthread_db)
	local n_threads
	n_threads=$(grep -cE '^Thread [0-9]+ \(.*LWP [0-9]+\)+:$' "$out")
	[ "$n_threads" -eq 4 ] && pass "$name: gdb shows 4 threads" ||
		fail "$name: gdb shows $n_threads threads, want 4"
	local role chain tid got
	for role in main alpha beta gamma; do
		case $role in
		main) chain="main_wait_here stage_one main" ;;
		alpha) chain="alpha_wait_here alpha_descend worker_alpha" ;;
		beta) chain="beta_wait_here beta_descend worker_beta" ;;
		gamma) chain="gamma_wait_here worker_gamma" ;;
		esac
		tid=$(info_get "$dir" thread "$role")
		# the frames of the thread's block; of their functions, those of
		# the program
		got=$(awk -v tid="$tid" '
			/^Thread [0-9]+ \(.*LWP [0-9]+\)+:$/ { on = ($0 ~ ("LWP " tid "\\)")) ; next }
			/^$/ { on = 0 }
			on && /^#[0-9]+ / {
				f = $0; sub(/^#[0-9]+ +/, "", f); sub(/^0x[0-9a-f]+ in /, "", f)
				sub(/ .*/, "", f)
				if (f ~ /^(main|stage_one|main_wait_here|worker_(alpha|beta|gamma)|alpha_(descend|wait_here)|beta_(descend|wait_here)|gamma_wait_here)$/)
					printf "%s%s", (n++ ? " " : ""), f
			}' "$out")
		[ "$got" = "$chain" ] && pass "$name: thread $role (LWP $tid): bt $chain" ||
			fail "$name: thread $role (LWP $tid): bt names '${got}', want '$chain'"
	done
	if grep -qE '\?\? \(|Cannot access memory|Backtrace stopped' "$out"; then
		fail "$name: gdb could not unwind or read: $(grep -m1 -E '\?\? \(|Cannot access memory|Backtrace stopped' "$out")"
	else
		pass "$name: every frame named, all memory read"
	fi

	# the globals, set at run time (in pages CRIU saved, not in the file)
	check "$name: p global_int" grep -qxE '\$[0-9]+ = 1234567' "$out"
	check "$name: p global_str" grep -qxE '\$[0-9]+ = 0x[0-9a-f]+ "gdbprog global string"' "$out"
	check "$name: p global_struct" grep -qxE '\$[0-9]+ = \{id = 42, weight = -7000000001, tag = "structtag"\}' "$out"
	check "$name: x/s the heap marker at $heap" grep -qxE "$heap:[[:space:]]+\"gdbprog-heap-marker-c0ffee\"" "$out"
	check "$name: x/s the shared-memory marker at $shm" grep -qxE "$shm:[[:space:]]+\"gdbprog-shm-marker-beef42\"" "$out"

	# the signal queued to the process and blocked: NT_SIGINFO and pr_cursig
	check "$name: the pending SIGUSR2 is the core's signal" grep -q "terminated with signal SIGUSR2" "$out"
	check "$name: \$_siginfo.si_signo is SIGUSR2 (12)" grep -qxE '\$[0-9]+ = 12' "$out"
	check "$name: \$_siginfo's sigqueue value (0x5151)" grep -qxE '\$[0-9]+ = 20817' "$out"

	# warnings: only the one gdb gives for its own gcore of this program
	# (NT_FILE names the shared anonymous mapping "/dev/zero (deleted)",
	# as the kernel does, and gdb cannot open that file; the contents
	# come from the core)
	local bad
	bad=$(grep -iE 'warning|error' "$out" |
		grep -vxF "warning: Can't open file /dev/zero (deleted) during file-backed mapping note processing")
	[ -z "$bad" ] && pass "$name: no warning but the shared mapping's file" ||
		fail "$name: gdb warns or errs: $(echo "$bad" | head -3)"
}

# ------------------------------------------------- point 2: bt, globals ---
D2=$LIVE/dump
if ! start "$D2"; then
	fail "gdbprog did not start ($(cat "$D2/run/out.txt" 2> /dev/null))"
else
	IMG=$D2/images
	mkdir -p "$IMG"
	if ! (cd "$D2/run" && timeout -s KILL "$LIVE_TIMEOUT" "$CRIU" dump -t "$PID" -D "$IMG" -o dump.log -v4) \
		> "$D2/dump.out" 2>&1; then
		fail "criu dump failed ($(grep -v RLIMIT_NOFILE "$IMG/dump.log" 2> /dev/null | grep -m1 'Error'))"
		kill_ours "$PID"
	else
		kill_ours "$PID" # CRIU killed it: make sure
		pass "criu dumped gdbprog ($PID)"
		# the markers where the program put them, for crit mem too
		for m in heap:gdbprog-heap-marker-c0ffee shm:gdbprog-shm-marker-beef42; do
			want=$(info_get "$D2" "${m%%:*}")
			got=$("$CRIT" mem "$IMG" --pid "$PID" --search "${m#*:}" --format json 2> "$TMP/mem.err" |
				jq -r '[.matches[].address] | join(" ")')
			[ "$got" = "$want" ] && pass "crit mem --search finds the ${m%%:*} marker at $want" ||
				fail "crit mem --search: the ${m%%:*} marker at '$got', the program put it at $want ($(head -c 200 "$TMP/mem.err"))"
		done
		CORE=$D2/core.$PID
		if "$CRIT" core "$IMG" --pid "$PID" -o "$CORE" --format json > "$D2/core.json" 2> "$D2/core.err"; then
			pass "crit core writes the core"
			check "crit core: 4 threads (x86_64: XCR0 set)" \
				jq -e '.cores[0] | .threads == 4 and (.arch != "x86_64" or .xcr0 != "0x0")' "$D2/core.json" > /dev/null
			gdb_checks full-dump "$D2" "$CORE"
		else
			fail "crit core failed: $(head -c 300 "$D2/core.err")"
		fi
	fi
fi

# ------------------------------------- point 3: incremental equals full ---
D3=$LIVE/inc
mkdir -p "$D3"
if "$CRIU" check --feature mem_dirty_track > /dev/null 2>&1; then
	MODE=real
	INCDUMP=(bash "$TOP/tests/core/incdump.sh")
elif command -v unshare > /dev/null && unshare -m --propagation private true 2> /dev/null; then
	MODE=fake
	INCDUMP=(unshare -m --propagation private bash "$TOP/tests/core/incdump.sh")
else
	MODE=
fi
if [ -z "$MODE" ]; then
	skip "no dirty-page tracking and no mount namespace to make CRIU believe in it: incremental dumps not tested"
else
	"${INCDUMP[@]}" "$CRIU" "$PROG" "$D3" "$MODE" "$LIVE_TIMEOUT" > "$D3/incdump.out" 2>&1
	rc=$?
	P3=$(cat "$D3/pid" 2> /dev/null)
	RUNNING="$RUNNING $P3"
	kill_ours "$P3"
	if [ $rc -eq 77 ]; then
		skip "incremental dumps ($MODE tracking): $(tail -1 "$D3/incdump.out")"
	elif [ $rc -ne 0 ]; then
		fail "incremental dumps ($MODE tracking): $(tail -1 "$D3/incdump.out")"
	else
		pass "criu pre-dump, pre-dump, dump --leave-stopped, dump ($MODE dirty tracking)"
		# the incremental core must take pages from the parents, or the
		# comparison proves nothing
		"$CRIT" mem "$D3/inc" --pid "$P3" --format json > "$D3/mem.json" 2> "$D3/mem.err"
		depths=$(jq -r '[.vmas[].spans[] | select(.state == "data") | .depth] | group_by(.) |
			map("depth \(.[0]): \(length)") | join(", ")' "$D3/mem.json")
		deep=$(jq '[.vmas[].spans[] | select(.state == "data" and .depth >= 1)] | length' "$D3/mem.json")
		[ "${deep:-0}" -ge 1 ] && pass "inc/ reads pages from its parents (spans by depth: $depths)" ||
			fail "inc/ reads no page from a parent (spans by depth: ${depths:-none}; $(head -c 200 "$D3/mem.err"))"
		heapd=$(jq -r '[.vmas[] | select(.file == "[heap]") | .spans[] | select(.state == "data") | .depth] |
			if length == 0 then "none" else (min | tostring) end' "$D3/mem.json")
		[ "$heapd" != none ] && [ "$heapd" -ge 1 ] && pass "inc/: the heap (its marker) is in a parent" ||
			fail "inc/: the heap's saved pages are at depth $heapd, not in a parent"
		if "$CRIT" core "$D3/inc" --pid "$P3" -o "$D3/core.inc" > /dev/null 2> "$D3/inc.err" &&
			"$CRIT" core "$D3/full" --pid "$P3" -o "$D3/core.full" > /dev/null 2> "$D3/full.err"; then
			pass "crit core writes both cores"
			cmpout=$(python3 -B "$SEGCMP" "$D3/core.inc" "$D3/core.full" 2>&1)
			[ $? -eq 0 ] && pass "incremental and full cores: the same segments, byte for byte ($cmpout)" ||
				fail "incremental and full cores: $cmpout"
			gdb_checks incremental "$D3" "$D3/core.inc"
			# segcmp can fail: one byte of a segment with contents changed
			cp "$D3/core.full" "$D3/core.changed"
			spot=$(python3 -B -c '
import sys
sys.path.insert(0, sys.argv[1])
import segcmp
s = segcmp.segments(sys.argv[2])
v = max(v for v in s if s[v][2] >= 4096)
memsz, flags, filesz, off = s[v]
with open(sys.argv[2], "r+b") as f:
    f.seek(off + 100)
    b = f.read(1)
    f.seek(off + 100)
    f.write(bytes([b[0] ^ 0x5a]))
print("0x%x" % (v + 100))' "$TOP/tests/core" "$D3/core.changed")
			cmpout=$(python3 -B "$SEGCMP" "$D3/core.full" "$D3/core.changed" 2>&1)
			[ $? -eq 1 ] && [[ $cmpout == *"bytes at $spot "* ]] &&
				pass "segcmp finds a changed byte at $spot" ||
				fail "segcmp on a core with a byte changed at $spot: $cmpout"
		else
			fail "crit core on inc/ or full/: $(head -c 300 "$D3/inc.err" "$D3/full.err")"
		fi
	fi
fi
finish
