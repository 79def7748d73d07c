#!/bin/sh
# guest-init.sh: init (pid 1) of the aarch64 guest in proof.sh.  Restores
# the converted checkpoint with Debian's CRIU, shows the counter going on,
# dumps it again (for the way back), and powers off.  Every line meant for
# proof.sh starts with "crimg-proof:".
P=/crimg-proof
say() { echo "crimg-proof: $*"; }
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /run
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
# CRIU probes TCP repair on loopback before anything else
ip link set lo up 2>/dev/null || busybox ip link set lo up
# the host's pid may be above this kernel's default pid_max
echo 4194304 >/proc/sys/kernel/pid_max
say "machine $(uname -m), kernel $(uname -r), $(criu --version | head -n 1)"
say "state file before restore: $(cat /tmp/crimg-xarch/counter.state)"
# left stopped, to show the registers it was restored with (/proc/PID/syscall:
# -1 when in no syscall, then sp and pc), then let go
criu restore -D $P/dump -d --leave-stopped -o $P/restore.log -v4
rc=$?
pid=$(cat $P/pid)
say "restored, stopped: $(grep -E 'State' /proc/$pid/status 2>&1) syscall line $(cat /proc/$pid/syscall 2>&1)"
cat /proc/$pid/maps 2>&1 | sed 's/^/crimg-proof: restored maps: /'
kill -CONT $pid 2>/dev/null
say "criu restore exit $rc"
if [ $rc -ne 0 ]; then
	grep -E 'Error|error' $P/restore.log | tail -n 20 | sed 's/^/crimg-proof: log: /'
else
	pid=$(cat $P/pid)
	sleep 1
	if [ ! -e /proc/$pid ]; then
		say "pid $pid is gone after the restore"
		dmesg | tail -n 15 | sed 's/^/crimg-proof: dmesg: /'
		tail -n 25 $P/restore.log | sed 's/^/crimg-proof: log: /'
	fi
	for i in 1 2 3 4 5; do
		sleep 2
		say "after ${i}x2 s: $(cat /tmp/crimg-xarch/counter.state)"
	done
	say "pid $pid: $(tr '\0' ' ' </proc/$pid/cmdline) $(cat /proc/$pid/comm) state $(awk '/^State/ {print $2}' /proc/$pid/status)"
	say "maps of pid $pid:"
	sed 's/^/crimg-proof: maps: /' /proc/$pid/maps
	# the way back: dump it here, for proof.sh to convert to x86_64
	mkdir -p $P/back
	criu dump -t "$pid" -D $P/back -o $P/dump.log -v4
	say "criu dump exit $?"
	say "state file at the dump: $(cat /tmp/crimg-xarch/counter.state)"
	cp /tmp/crimg-xarch/counter.state $P/back.state
fi
sync
say done
echo o >/proc/sysrq-trigger
sleep 10
