#!/usr/bin/env bash
# proof.sh [BUILD]: the cross-architecture proof (xarch/README.md).
#
# Runs the demo counter here (x86_64), dumps it with CRIU, converts the
# checkpoint with crit convert --to-arch aarch64, restores it with Debian's
# CRIU in an emulated aarch64 Debian guest (qemu-system-aarch64, TCG),
# where it goes on counting; the guest dumps it again, and the way back
# (--to-arch x86_64) is restored here.  Needs root, qemu-system-aarch64,
# e2fsprogs, CRIU here ($CRIU, else ../shared/criu/criu beside the
# repository, else criu in PATH) and the guest's root file system
# ($XARCH_CACHE/rootfs-arm64, made by xarch/guest-rootfs.sh when missing).
# Writes everything to $XARCH_OUT (default BUILD/xarch-proof): console.log,
# proof.log, the checkpoints and crit's reports.  Exit 0 when every step
# showed what it should.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CRIT=$BUILD/bin/crit
CACHE=${XARCH_CACHE:-$HOME/.cache/crimg-xarch}
ROOTFS=$CACHE/rootfs-arm64
OUT=${XARCH_OUT:-$BUILD/xarch-proof}
HERE_DIR=/tmp/crimg-xarch # the program's directory, the same on both machines
if [ -z "${CRIU:-}" ]; then
	if [ -x "$ROOT/../shared/criu/criu" ]; then CRIU=$(cd "$ROOT/../shared/criu" && pwd)/criu
	else CRIU=$(command -v criu || true); fi
fi
die() { echo "proof: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (CRIU, the guest's disk)"
[ -n "$CRIU" ] && [ -x "$CRIU" ] || die "no CRIU (set CRIU=...)"
for t in qemu-system-aarch64 mkfs.ext4 debugfs; do
	command -v $t >/dev/null || die "$t is missing (apt-get install qemu-system-arm e2fsprogs)"
done
[ -x "$CRIT" ] && [ -x "$BUILD/xarch/counter-aarch64" ] || die "build first: make all xarch-demo"
"$ROOT/xarch/guest-rootfs.sh" "$ROOTFS"

rm -rf "$OUT"
mkdir -p "$OUT"
LOG=$OUT/proof.log
log() { echo "proof: $*" | tee -a "$LOG"; }
fails=0
check() { # check WHAT CONDITION...
	local what=$1; shift
	if "$@"; then log "ok: $what"; else log "FAILED: $what"; fails=$((fails + 1)); fi
}

# 1. the counter here, dumped by CRIU
pkill -f "^$HERE_DIR/counter" 2>/dev/null || true
rm -rf "$HERE_DIR"
mkdir -p "$HERE_DIR"
install -m 755 "$BUILD/xarch/counter-x86_64" "$HERE_DIR/counter"
(cd "$HERE_DIR" && env -i setsid -f "$HERE_DIR/counter" "$HERE_DIR/counter.state" </dev/null >/dev/null 2>&1)
sleep 3.5
pid=$(pgrep -f "^$HERE_DIR/counter") || die "the counter did not start"
log "x86_64 counter pid $pid: $(cat $HERE_DIR/counter.state)"
mkdir -p "$OUT/dump-x86_64"
"$CRIU" dump -t "$pid" -D "$OUT/dump-x86_64" -o dump.log -v4 || die "criu dump failed: $OUT/dump-x86_64/dump.log"
at_dump=$(cat "$HERE_DIR/counter.state")
cp "$HERE_DIR/counter.state" "$OUT/state-at-dump"
log "dumped; state file: $at_dump"
count0=$(sed -n 's/^count=\([0-9]*\).*/\1/p' "$OUT/state-at-dump")

# 2. the conversion
"$CRIT" check "$OUT/dump-x86_64" --target-arch aarch64 >"$OUT/portability.txt" || true
"$CRIT" convert --to-arch aarch64 --target-exe "$BUILD/xarch/counter-aarch64" \
	--report "$OUT/convert-to-aarch64.json" "$OUT/dump-x86_64" "$OUT/dump-aarch64"
log "converted: $OUT/convert-to-aarch64.json"

# 3. the guest's disk: its root file system, the checkpoint, the aarch64
#    build where the x86_64 one ran, the state file as it was at the dump
G=$ROOTFS/crimg-proof
rm -rf "$G" "$ROOTFS$HERE_DIR"
mkdir -p "$G" "$ROOTFS$HERE_DIR"
cp -a "$OUT/dump-aarch64" "$G/dump"
echo "$pid" >"$G/pid"
install -m 755 "$ROOT/xarch/guest-init.sh" "$G/init.sh"
install -m 755 "$BUILD/xarch/counter-aarch64" "$ROOTFS$HERE_DIR/counter"
cp -p "$OUT/state-at-dump" "$ROOTFS$HERE_DIR/counter.state"
DISK=$OUT/guest.img
truncate -s 2G "$DISK"
mkfs.ext4 -q -F -d "$ROOTFS" "$DISK"
rm -rf "$G" "$ROOTFS$HERE_DIR"

# 4. the guest: restore, count on, dump again
K=$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -n 1)
I=$(ls "$ROOTFS"/boot/initrd.img-* | sort -V | tail -n 1)
log "booting the aarch64 guest (qemu-system-aarch64, TCG; a minute or two)"
start=$(date +%s)
timeout 900 qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 1024 -nographic -no-reboot \
	-net none -kernel "$K" -initrd "$I" \
	-append "root=/dev/vda rw init=/crimg-proof/init.sh console=ttyAMA0 panic=-1 quiet" \
	-drive "file=$DISK,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0 \
	</dev/null >"$OUT/console.log" 2>&1 || true
log "guest ran $(( $(date +%s) - start )) s; its lines:"
grep -a '^crimg-proof:' "$OUT/console.log" | grep -av 'maps:' | tee -a "$LOG" || true
grep -aq '^crimg-proof: criu restore exit 0' "$OUT/console.log"
check "Debian's CRIU restored the converted checkpoint on aarch64" test $? -eq 0
last=$(grep -a '^crimg-proof: after 5x2 s:' "$OUT/console.log" | sed 's/.*: count=/count=/' | tr -d '\r')
count1=$(echo "$last" | sed -n 's/^count=\([0-9]*\).*/\1/p')
check "the counter went on from $count0 on aarch64 (now ${count1:-none})" test "${count1:-0}" -gt "$count0"
check "started on x86_64, running the aarch64 build, heap intact" \
	grep -q 'heap=ok started=x86_64 now=aarch64' <<<"$last"
grep -aq "^crimg-proof: pid $pid:" "$OUT/console.log"
check "the same pid ($pid) on the guest" test $? -eq 0

# 5. the way back: the guest's dump, converted to x86_64, restored here
if grep -aq '^crimg-proof: criu dump exit 0' "$OUT/console.log"; then
	debugfs -R "rdump /crimg-proof/back $OUT" "$DISK" >/dev/null 2>&1
	debugfs -R "dump /crimg-proof/back.state $OUT/state-at-guest-dump" "$DISK" >/dev/null 2>&1
	mv "$OUT/back" "$OUT/dump-guest-aarch64"
	"$CRIT" convert --to-arch x86_64 --source-exe "$BUILD/xarch/counter-aarch64" \
		--target-exe "$BUILD/xarch/counter-x86_64" --report "$OUT/convert-to-x86_64.json" \
		"$OUT/dump-guest-aarch64" "$OUT/dump-back-x86_64"
	count2=$(sed -n 's/^count=\([0-9]*\).*/\1/p' "$OUT/state-at-guest-dump")
	cp "$OUT/state-at-guest-dump" "$HERE_DIR/counter.state"
	for _ in $(seq 100); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
	"$CRIU" restore -D "$OUT/dump-back-x86_64" -d -o restore.log -v4
	check "CRIU restored the guest's dump here after --to-arch x86_64" test $? -eq 0
	sleep 4.5
	back=$(cat "$HERE_DIR/counter.state")
	log "back on x86_64: $back"
	count3=$(sed -n 's/^count=\([0-9]*\).*/\1/p' <<<"$back")
	check "the counter went on from the guest's $count2 here (now ${count3:-none})" test "${count3:-0}" -gt "$count2"
	check "started on x86_64, now the x86_64 build again, heap intact" \
		grep -q 'heap=ok started=x86_64 now=x86_64' <<<"$back"
	pkill -f "^$HERE_DIR/counter" || true
else
	log "FAILED: the guest did not dump the counter (see console.log)"
	fails=$((fails + 1))
fi
[ -n "${XARCH_KEEP_DISK:-}" ] || rm -f "$DISK" # XARCH_KEEP_DISK=1: kept, for debugfs
log "$fails failed; everything is in $OUT"
[ "$fails" -eq 0 ]
