#!/usr/bin/env bash
# guest-rootfs.sh DIR: a Debian 12 (bookworm) arm64 root filesystem with
# Debian's CRIU and a kernel, for the cross-architecture proof (proof.sh).
# Needs root, debootstrap and qemu-user-static (binfmt_misc): the second
# stage runs arm64 binaries under emulation and takes 20-30 minutes, once.
# A DIR that already holds a finished build (DIR/.crimg-rootfs-done) is kept.
set -eu
DIR=${1:?usage: guest-rootfs.sh DIR}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PKGS=criu,kmod,linux-image-arm64,initramfs-tools,busybox,procps
if [ -e "$DIR/.crimg-rootfs-done" ]; then
	echo "guest-rootfs: $DIR is already built"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "guest-rootfs: needs root (debootstrap, chroot)" >&2; exit 1; }
for t in debootstrap qemu-aarch64-static; do
	command -v "$t" >/dev/null || { echo "guest-rootfs: $t is missing (apt-get install debootstrap qemu-user-static)" >&2; exit 1; }
done
# the kernel must run arm64 binaries through qemu for the second stage
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
	mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	update-binfmts --enable qemu-aarch64 2>/dev/null || true
fi
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || { echo "guest-rootfs: binfmt_misc has no qemu-aarch64 entry" >&2; exit 1; }
rm -rf "$DIR"
mkdir -p "$DIR"
debootstrap --variant=minbase --arch=arm64 --foreign --include="$PKGS" bookworm "$DIR" "$MIRROR"
chroot "$DIR" /debootstrap/debootstrap --second-stage
echo crimg-xarch >"$DIR/etc/hostname"
printf '/dev/vda / ext4 rw 0 1\n' >"$DIR/etc/fstab"
chroot "$DIR" apt-get clean
touch "$DIR/.crimg-rootfs-done"
echo "guest-rootfs: done in $DIR"
