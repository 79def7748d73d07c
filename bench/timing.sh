# bench/timing.sh, sourced by the bench scripts: RUNONE, the program that
# times one run of a command (bench/runone.c: wall time from spawn to
# wait4, peak RSS, user and system time), built into BUILD/bench once.
RUNONE=$BUILD/bench/runone
if [ ! -x "$RUNONE" ] || [ "$HERE/runone.c" -nt "$RUNONE" ]; then
	mkdir -p "$BUILD/bench" &&
		${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$RUNONE.tmp" "$HERE/runone.c" &&
		mv "$RUNONE.tmp" "$RUNONE" || { echo "bench: cannot build $RUNONE" >&2; exit 1; }
fi
# timeit TIMEFILE CMD...: one run; TIME_WALL TIME_KB TIME_CPU (user + system)
# in microseconds and KiB afterwards; the command's status is returned.
timeit() {
	local tf=$1 rc
	shift
	"$RUNONE" "$tf" "$@"
	rc=$?
	read -r TIME_WALL TIME_KB TIME_U TIME_S < "$tf" || { TIME_WALL=0 TIME_KB=0 TIME_U=0 TIME_S=0; }
	TIME_CPU=$((TIME_U + TIME_S))
	return $rc
}
