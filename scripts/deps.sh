#!/usr/bin/env bash
# Installs the Debian packages crimg needs to build, test and benchmark.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Set CRIMG_DEPS=build for the build-only set (no reference tools).
set -eu
build=(gcc make pkg-config protobuf-c-compiler libprotobuf-c-dev libprotobuf-dev
       libjansson-dev libarchive-dev libzstd-dev libncurses-dev libpcre2-dev)
# Tests and benchmarks: the reference crit (Debian's criu 3.17, run by
# python3), /usr/bin/time for t-streaming's memory figures, tar/gzip/zstd for archives,
# skopeo and umoci to read the OCI images crit-convert writes; valgrind for
# `make valgrind` (CI); man-db, mandoc and zsh for the man pages and the
# completions (t-docs); jq for the JSON checks of t-sources, strace to
# count x's system calls, util-linux for setpriv and script (t-outpaths,
# t-archive-lazy), bsdextrautils for hexdump, clang-format (14 in Debian 12)
# for t-format's check of the house style, tmux for crit-tui in a real
# terminal (t-tui-term), gdb and gdb-multiarch (binutils for readelf) to
# open the cores crit core writes, of every architecture (t-core, t-core-live).
# podman, runc, conmon and busybox-static (a local image, no registry) for
# t-podman, Podman restoring what crimg wrote; it uses the shared CRIU 4.2
# (Debian's criu 3.17 cannot restore on this kernel).
# containerd (its ctr) for t-containerd: containerd imports the OCI checkpoint
# images crit-convert writes and keeps their annotations (no restore: ctr
# cannot restore a Podman checkpoint).
# gcc-aarch64-linux-gnu (with its binutils) builds the aarch64 demo of
# xarch/ (make xarch-demo, which make check runs when it is there) and the
# broken builds t-xarch refuses.
# CRIMG_DEPS=fuzz adds clang, for `make fuzz` (libFuzzer).
test=(criu python3 python3-protobuf time tar gzip zstd skopeo umoci valgrind
      man-db mandoc zsh jq strace util-linux bsdextrautils clang-format tmux gdb gdb-multiarch binutils
      podman runc conmon busybox-static containerd gcc-aarch64-linux-gnu)
want=("${build[@]}")
[ "${CRIMG_DEPS:-all}" = build ] || want+=("${test[@]}")
[ "${CRIMG_DEPS:-all}" != fuzz ] || want+=(clang)

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#want[@]} packages are installed"
	exit 0
fi
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
