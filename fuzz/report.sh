#!/usr/bin/env bash
# Figures of fuzz runs, from their logs:  fuzz/report.sh [BUILD]
# One line per log (all runs, oldest first): target, start, seconds,
# executions, exec/s, cov, ft, corpus, and how it ended (clean, or the
# finding's kind).
set -u
cd "$(dirname "$0")/.."
F=${1:-build}/fuzz/logs
printf '%-8s %-15s %6s %10s %7s %6s %7s  %s\n' target start secs runs exec/s cov ft result
for log in $(ls "$F"/*-2*.log 2>/dev/null | sort -t- -k2); do
	b=$(basename "$log" .log)
	t=${b%%-*}
	start=${b#*-}
	done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	runs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	secs=$(echo "$done_line" | sed -n 's/.* in \([0-9]*\) second.*/\1/p')
	[ -n "$done_line" ] && runs=$(echo "$done_line" | sed -n 's/^Done \([0-9]*\).*/\1/p')
	rate=$(grep 'average_exec_per_sec' "$log" | awk '{print $2}')
	if [ -n "$done_line" ]; then
		result=clean
	else
		result=$(grep -m1 -oE 'runtime error: .*|ERROR: AddressSanitizer: [a-z-]+|fuzz: [^:]*:[0-9]+: assertion failed.*|ERROR: libFuzzer: [a-z-]+' "$log")
		[ -n "$result" ] || result="stopped"
	fi
	printf '%-8s %-15s %6s %10s %7s %6s %7s  %s\n' "$t" "$start" "${secs:--}" "${runs:--}" "${rate:--}" \
		"${cov:--}" "${ft:--}" "${result:0:90}"
done
