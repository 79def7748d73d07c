#!/usr/bin/env bash
# Part of tests/t-core-live.sh: one state of tests/core/gdbprog.c dumped
# twice by CRIU, incrementally and in full.
#
# usage: incdump.sh CRIU PROG DIR MODE [TIMEOUT]
#   starts PROG in DIR/run (detached: its own session, stdin /dev/null,
#   output to DIR/run/out.txt), then
#     criu pre-dump --track-mem                               -> DIR/pre1
#     criu pre-dump --track-mem --prev-images-dir ../pre1     -> DIR/pre2
#     criu dump --track-mem --prev-images-dir ../pre2 --leave-stopped -> DIR/inc
#     criu dump (of the task the last one left stopped)        -> DIR/full
#   so that inc/ and full/ hold exactly the same state, inc/ mostly in its
#   parents.  Writes PROG's PID to DIR/pid as soon as it runs.
#   MODE real: the kernel tracks dirty pages (soft-dirty), CRIU as is.
#   MODE fake: it does not (no CONFIG_MEM_SOFT_DIRTY), and CRIU refuses
#   --track-mem.  This script must then run in a mount namespace of its own
#   (unshare -m --propagation private): it mounts a tmpfs on /run there,
#   lets CRIU write its cache of kernel features (/run/criu.kdat) into it,
#   and sets the cache's has_dirty_track, the way the corpus's incr-* dumps
#   were made with a CRIU patched to force it.  CRIU then sees no page as
#   changed since the pre-dump and takes every saved page of a readable
#   private mapping from the parent; that is true here only because PROG
#   changes no memory once parked, and it runs with glibc's rseq off: the
#   kernel writes the CPU number into a thread's rseq area whenever the
#   thread goes back to user space (it does after CRIU's parasite), a change
#   real tracking would catch and this cannot.
# Exit status: 0 done, 77 cannot be done here (the reason on stdout), 1 a
# step failed (the reason on stdout).  The workload is killed (by its PID,
# after checking that it runs PROG) whatever happens.
set -u
CRIU=$1 PROG=$2 DIR=$3 MODE=$4 LIMIT=${5:-20}
PID=

ours() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2> /dev/null) || return 1
	[ "${exe% (deleted)}" = "$PROG" ]
}
cleanup() {
	local i
	[ -n "$PID" ] || return 0
	ours "$PID" || return 0
	kill -KILL "$PID" 2> /dev/null
	for i in $(seq 50); do ours "$PID" || break; sleep 0.1; done
}
trap cleanup EXIT
# step NAME DIR ARGS...: criu ARGS -D DIR, its log DIR/NAME.log
step() {
	local name=$1 dir=$2 why
	shift 2
	mkdir -p "$dir"
	if ! timeout -s KILL "$LIMIT" "$CRIU" "$@" -D "$dir" -o "$name.log" -v4 > "$dir/$name.out" 2>&1; then
		# every CRIU run here logs an RLIMIT_NOFILE error that is harmless
		why=$(grep -v RLIMIT_NOFILE "$dir/$name.log" 2> /dev/null | grep -m1 'Error')
		echo "criu $name into $(basename "$dir") failed: ${why:-$(head -c 200 "$dir/$name.out")}"
		exit 1
	fi
}

env=()
if [ "$MODE" = fake ]; then
	if ! mount -t tmpfs -o size=1m,mode=0755 crimg-kdat /run 2> "$DIR/mount.err"; then
		echo "no tmpfs on /run in a mount namespace of its own: $(head -c 200 "$DIR/mount.err")"
		exit 77
	fi
	"$CRIU" check > "$DIR/check.out" 2>&1
	# struct kerndat_s starts u32 magic1, magic2; dev_t shmem_dev;
	# int last_cap; u64 zero_page_pfn; bool has_dirty_track: the layout
	# is accepted only when last_cap is the kernel's and the flag is off
	if ! out=$(python3 - /run/criu.kdat /proc/sys/kernel/cap_last_cap << 'EOF'
import struct, sys
k = bytearray(open(sys.argv[1], "rb").read())
cap = int(open(sys.argv[2]).read())
if len(k) < 64 or struct.unpack_from("<i", k, 16)[0] != cap or k[32] != 0:
    print("the kdat cache is not laid out as expected (last_cap %d, flag %d)" % (
        struct.unpack_from("<i", k, 16)[0] if len(k) >= 20 else -1, k[32] if len(k) > 32 else -1))
    sys.exit(1)
k[32] = 1
open(sys.argv[1], "r+b").write(bytes(k))
EOF
	); then
		echo "cannot make CRIU believe in dirty tracking: ${out:-no /run/criu.kdat}"
		exit 77
	fi
	if ! "$CRIU" check --feature mem_dirty_track > "$DIR/feature.out" 2>&1; then
		echo "CRIU still says no dirty tracking with has_dirty_track set: $(tail -1 "$DIR/feature.out")"
		exit 77
	fi
	env=(GLIBC_TUNABLES=glibc.pthread.rseq=0)
fi

run=$DIR/run
mkdir -p "$run"
# reaped by a subshell as soon as CRIU kills it, in a session of its own
(cd "$run" && setsid env -i "${env[@]}" "$PROG" < /dev/null > out.txt 2>&1 & wait) 2> /dev/null &
for i in $(seq 100); do
	[ -s "$run/ready" ] && PID=$(cat "$run/ready") && break
	sleep 0.1
done
if [ -z "$PID" ] || ! ours "$PID"; then
	echo "the program did not start: $(head -c 200 "$run/out.txt" 2> /dev/null)"
	exit 1
fi
echo "$PID" > "$DIR/pid"

step pre-dump "$DIR/pre1" pre-dump -t "$PID" --track-mem
step pre-dump "$DIR/pre2" pre-dump -t "$PID" --track-mem --prev-images-dir ../pre1
step dump "$DIR/inc" dump -t "$PID" --track-mem --prev-images-dir ../pre2 --leave-stopped
# the task stays stopped until the full dump has it
state=$(awk '/^State:/ { print $2 }' "/proc/$PID/status" 2> /dev/null)
if [ "$state" != T ]; then
	echo "the task is not stopped after dump --leave-stopped (state ${state:-gone})"
	exit 1
fi
step dump "$DIR/full" dump -t "$PID"
exit 0
