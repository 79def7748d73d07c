#!/usr/bin/env bash
# crit check against real restores: as root, with the CRIU build in
# $SHARED/criu (skipped with a message otherwise), a small workload
# (tests/check/workload.c, built here with cc) is dumped, a fault applied
# (or none), `crit check` run, then a real `criu restore` (with a timeout):
# the prediction (will fail or not) must agree with the restore's outcome.
# Only this test's own processes and files are touched: the workloads it
# started and the tasks it restored, by PID, after checking that they run
# its workload; files under its own temporary directory.
. "$(dirname "$0")/lib.sh"
CRIU_DIR=$SHARED/criu
CRIU=$CRIU_DIR/criu
LIVE_TIMEOUT=${LIVE_TIMEOUT:-20}

if [ "$(id -u)" -ne 0 ]; then
	skip "not root: CRIU cannot dump or restore (live checks not run)"
	finish
	exit
fi
if [ ! -x "$CRIU" ]; then
	skip "no CRIU build at $CRIU (live checks not run)"
	finish
	exit
fi
if ! command -v cc > /dev/null || ! command -v jq > /dev/null || ! command -v timeout > /dev/null; then
	skip "cc, jq or timeout missing (live checks not run)"
	finish
	exit
fi
if ldd "$CRIU" 2> /dev/null | grep -q 'not found'; then
	skip "the shared CRIU lacks libraries here: $(ldd "$CRIU" | grep 'not found' | head -3 | tr '\n' ' ')"
	finish
	exit
fi
LIVE=$TMP/live
mkdir -p "$LIVE"
WL=$LIVE/workload
if ! cc -O1 -o "$WL" "$TOP/tests/check/workload.c" 2> "$TMP/cc.err"; then
	fail "the workload does not build: $(head -3 "$TMP/cc.err")"
	finish
	exit
fi

# ours PID: PID runs our workload (its exe is $WL, possibly deleted)
ours() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2> /dev/null) || return 1
	case ${exe% (deleted)} in
	"$WL" | "$LIVE"/*/run/wl) return 0 ;;
	esac
	return 1
}
# kill_ours PID...: SIGKILL each PID that runs our workload, and wait
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
trap 'kill_ours $RUNNING; [ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT

# start NAME ARGS...: the workload in $LIVE/NAME/run, detached in a
# session of its own; sets PID
start() {
	local name=$1 i
	shift
	local run=$LIVE/$name/run
	mkdir -p "$run/sub"
	printf 'the data of %s\n' "$name" > "$run/data.txt"
	mkdir -p "$run/g" && printf 'a file deleted while open\n' > "$run/g/ghost.txt"
	# reaped by a subshell of ours as soon as CRIU has killed it (a zombie
	# would keep its PID busy), in a session of its own (setsid does not
	# fork: a background job is no group leader), with no descriptor of
	# ours but 0, 1, 2
	# each run from its own copy of the program (the exe fault changes it)
	cp "$WL" "$run/wl" || return 1
	(cd "$run" && setsid env -i ./wl "$@" < /dev/null > out.txt 2>&1 255<&- & wait) 2> /dev/null &
	PID=
	for i in $(seq 100); do
		[ -s "$run/ready" ] && PID=$(cat "$run/ready") && break
		sleep 0.1
	done
	[ -n "$PID" ] || return 1
	RUNNING="$RUNNING $PID"
	return 0
}

# scenario NAME "WORKLOAD ARGS" "DUMP OPTS" "RESTORE OPTS" FAULT
#   FAULT: none, size, delete, mode, pid-busy, cwd, lock, port, exe, ghostdir,
#   unixpeer, tcp
scenario() {
	local name=$1 wargs=$2 dopts=$3 ropts=$4 fault=$5 limit=()
	# RESTORE_NOFILE=N: crit check and criu restore run with RLIMIT_NOFILE N
	[ -n "${RESTORE_NOFILE:-}" ] && limit=(prlimit --nofile="$RESTORE_NOFILE" --)
	local dir=$LIVE/$name run=$LIVE/$name/run img=$LIVE/$name/images
	mkdir -p "$img"
	# shellcheck disable=SC2086
	if ! start "$name" $wargs; then
		fail "$name: the workload did not start ($(cat "$run/out.txt" 2> /dev/null))"
		return
	fi
	local leave=
	[ "$fault" = pid-busy ] && leave=--leave-running
	# shellcheck disable=SC2086
	if ! (cd "$run" && timeout "$LIVE_TIMEOUT" "$CRIU" dump -t "$PID" -D "$img" -o dump.log -v4 $dopts $leave) \
		> "$dir/dump.out" 2>&1; then
		fail "$name: criu dump failed ($(grep -m1 'Error' "$img/dump.log" 2> /dev/null))"
		kill_ours "$PID"
		return
	fi
	[ -z "$leave" ] && kill_ours "$PID" # CRIU killed it: make sure
	case $fault in
	size) printf 'more data\n' >> "$run/data.txt" ;;
	delete) rm -f "$run/data.txt" ;;
	mode) chmod 600 "$run/data.txt" ;;
	cwd) rmdir "$run/sub" ;;
	port)
		# another process listens on the port the dumped task listened on
		"$WL" -P "$PORTARG" > "$dir/holder.out" 2>&1 &
		HOLDER=$!
		local j
		for j in $(seq 50); do
			grep -q listening "$dir/holder.out" 2> /dev/null && break
			sleep 0.1
		done
		RUNNING="$RUNNING $HOLDER"
		;;
	unixpeer)
		# the process outside the tree that the socket was connected to
		# is gone, and its socket file with it
		kill_holder "$UHOLDER"
		rm -f "$UPATH" ;;
	ghostdir)
		# the directory a deleted open file is recreated in is gone
		rmdir "$run/g" ;;
	exe)
		# the program the task runs is rebuilt bigger at the same path
		printf 'more code' >> "$run/wl" ;;
	lock)
		# another process takes a write lock on the file the dumped task
		# held an OFD read lock on, and keeps it over the restore
		"$WL" -W "$run/data.txt" > "$dir/holder.out" 2>&1 &
		HOLDER=$!
		local i
		for i in $(seq 50); do
			grep -q locked "$dir/holder.out" 2> /dev/null && break
			sleep 0.1
		done
		RUNNING="$RUNNING $HOLDER"
		;;
	esac
	# the prediction: this host, the options the restore will have
	# shellcheck disable=SC2086
	"${limit[@]}" "$CRIT" check "$img" $ropts --format json > "$dir/check.json" 2> "$dir/check.err"
	local prc=$?
	if [ $prc -gt 1 ]; then
		fail "$name: crit check: exit $prc ($(head -c 200 "$dir/check.err"))"
	fi
	# the restore
	# shellcheck disable=SC2086
	"${limit[@]}" timeout -s KILL "$LIVE_TIMEOUT" "$CRIU" restore -D "$img" -o "$dir/restore.log" -v4 -d $ropts \
		> "$dir/restore.out" 2>&1
	local rrc=$?
	local restored
	restored=$(jq -r '[.entries[] | .pid] | join(" ")' < <("$CRIT" show "$img/pstree.img" 2> /dev/null))
	# the restored tasks (ours, by their PIDs), and the original left running
	[ $rrc -eq 0 ] && kill_ours $restored
	[ "$fault" = pid-busy ] && kill_ours "$PID"
	case $fault in lock | port) kill_ours "$HOLDER" ;; esac
	local failed=0
	[ $rrc -ne 0 ] && failed=1
	local predicted=0
	[ $prc -eq 1 ] && predicted=1
	local codes
	codes=$(jq -r '[.findings[] | select(.severity == "will-fail") | .code] | join(",")' "$dir/check.json" 2> /dev/null)
	if [ $prc -le 1 ] && [ $predicted -eq $failed ]; then
		pass "$name: crit check predicted $([ $failed -eq 1 ] && echo "the failure (${codes})" || echo "the restore")"
	else
		fail "$name: crit check said $([ $predicted -eq 1 ] && echo "will fail (${codes})" || echo "no will-fail") but the restore $([ $failed -eq 1 ] && echo "failed (rc $rrc: $(grep -v 'RLIMIT_NOFILE' "$dir/restore.log" 2> /dev/null | grep -m1 'Error'))" || echo succeeded)"
	fi
	# tcp-established: a failed restore without the flag leaves CRIU's
	# lock on the connection; the fixed restore removes it
	if [ "$fault" = tcp ] && [ $failed -eq 1 ]; then
		# the tasks of the failed restore and the dumped one must be gone
		# (reaped) before their PIDs can be given again
		local p i
		for p in $restored; do
			for i in $(seq 100); do
				[ -e "/proc/$p" ] || break
				sleep 0.1
			done
		done
		timeout -s KILL "$LIVE_TIMEOUT" "$CRIU" restore -D "$img" -o "$dir/fix-restore.log" -v4 -d --tcp-established \
			> /dev/null 2>&1 && pass "$name: restores with --tcp-established" ||
			fail "$name: does not restore with --tcp-established either"
		kill_ours $restored
	fi
}

PORT=$((40000 + RANDOM % 20000))
scenario ok-baseline "-f data.txt" "" "" none
scenario file-size "-f data.txt" "" "" size
scenario file-deleted "-f data.txt" "" "" delete
scenario file-mode "-f data.txt" "" "" mode
scenario pid-busy "-f data.txt" "" "" pid-busy
scenario cwd-removed "-f data.txt -C sub" "" "" cwd
scenario lock-held "-f data.txt -L" "--file-locks" "--file-locks" lock
scenario ok-lock "-f data.txt -L" "--file-locks" "--file-locks" none
scenario exe-changed "-f data.txt" "" "" exe
scenario ok-ghost-dir-gone "-f g/ghost.txt -U" "" "" ghostdir
scenario ok-ghost "-f g/ghost.txt -U" "" "" none
# a descriptor above the limit the restore runs with (root here lacks
# CAP_SYS_RESOURCE, so CRIU cannot raise it); the same under a high limit
# a unix socket connected to one outside the tree (--ext-unix-sk): its
# peer gone, or still there
# hold_unix NAME: a process of ours bound at LIVE/NAME/peer.sock
hold_unix() {
	UPATH=$LIVE/$1/peer.sock
	mkdir -p "$LIVE/$1"
	"$WL" -B "$UPATH" > "$LIVE/$1/holder.out" 2>&1 &
	UHOLDER=$!
	local i
	for i in $(seq 50); do
		grep -q bound "$LIVE/$1/holder.out" 2> /dev/null && break
		sleep 0.1
	done
}
kill_holder() { kill -KILL "$1" 2> /dev/null; wait "$1" 2> /dev/null; }
hold_unix unix-peer-gone
scenario unix-peer-gone "-u $UPATH" "--ext-unix-sk" "--ext-unix-sk" unixpeer
hold_unix ok-unix-peer-there
scenario ok-unix-peer-there "-u $UPATH" "--ext-unix-sk" "--ext-unix-sk" none
kill_holder "$UHOLDER"
RESTORE_NOFILE=512 scenario fd-over-limit "-f data.txt -H 900" "" "" none
RESTORE_NOFILE=4096 scenario ok-fd-under-limit "-f data.txt -H 900" "" "" none
PORTARG=$((PORT + 2))
scenario port-taken "-e $PORTARG" "--tcp-established" "--tcp-established" port
scenario tcp-close-missing "-e $((PORT + 3))" "--tcp-close" "" none
scenario tcp-no-flag "-e $PORT" "--tcp-established" "" tcp
scenario ok-tcp-flag "-e $((PORT + 1))" "--tcp-established" "--tcp-established" none
finish
