#!/usr/bin/env bash
# Issue 17, point 5: containerd reads the OCI checkpoint images crimg writes.
# Each Podman checkpoint archive of the corpus (tar, tar.gz, tar.zst) is
# made an oci-archive by crit convert (an uncompressed, a gzip and a zstd
# layer), which a private containerd daemon imports with `ctr images
# import`: the image is listed under crimg's reference name with the
# manifest's digest; the manifest, the config and the index containerd keeps
# are byte for byte crimg's; the checkpoint annotations it reports have the
# values of the container's own config.dump; containerd unpacks the layer
# (which checks crimg's diff_id) into a tree that is the checkpoint; `ctr
# images export` gives the same blobs back, and crit converts that export to
# the very files of the original archive.
#
# This is not a restore: ctr has no way to restore a Podman checkpoint (its
# `ctr containers restore` wants a checkpoint image ctr itself made, in its
# own layout); what is proven is that containerd reads crimg's image and keeps
# its annotations.  Podman's restore of such an image is t-podman's.
#
# Root only; skipped where containerd or ctr is missing (scripts/deps.sh
# installs Debian's containerd).  The daemon is the test's own: its root,
# state, temporary directory and sockets are under $TMP and the system's
# containerd (if any) is never contacted; it is stopped by the PID this
# script started.
. "$(dirname "$0")/lib.sh"

missing=
[ "$(id -u)" -eq 0 ] || missing=" root"
for t in containerd ctr jq; do
	command -v $t > /dev/null || missing="$missing $t"
done
have_corpus && ls "$CORPUS"/archives/podman-*.tar* > /dev/null 2>&1 || missing="$missing corpus archives"
if [ -n "$missing" ]; then
	skip "containerd import: missing$missing"
	finish
	exit
fi

D=$TMP/ctd
mkdir -p "$D/root" "$D/state" "$D/tmp" "$D/w"
SOCK=$D/c.sock
# Only what an image import needs: no CRI, no tasks or runtimes, no
# snapshotter but native (its unpack needs no mount of its own); the "opt"
# plugin would create /opt/containerd.
cat > "$D/config.toml" << EOF
version = 2
root = "$D/root"
state = "$D/state"
temp = "$D/tmp"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.overlayfs", "io.containerd.runtime.v1.linux",
  "io.containerd.runtime.v2.task", "io.containerd.service.v1.tasks-service",
  "io.containerd.grpc.v1.tasks", "io.containerd.internal.v1.restart",
  "io.containerd.monitor.v1.cgroups"]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF

CTD_PID=
cleanup() {
	if [ -n "$CTD_PID" ]; then
		kill "$CTD_PID" 2> /dev/null
		wait "$CTD_PID" 2> /dev/null
	fi
	grep -o " $TMP[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$TMP"
}
trap cleanup EXIT

TMPDIR=$D/tmp containerd -c "$D/config.toml" --root "$D/root" --state "$D/state" \
	--address "$SOCK" > "$D/containerd.log" 2>&1 &
CTD_PID=$!
# the socket appears when the daemon serves (bounded: 30 s at most)
for _ in $(seq 150); do
	[ -S "$SOCK" ] && ctr --address "$SOCK" version > /dev/null 2>&1 && break
	kill -0 "$CTD_PID" 2> /dev/null || break
	sleep 0.2
done
if ! ctr --address "$SOCK" version > "$D/version" 2>&1; then
	fail "private containerd did not start: $(tail -3 "$D/containerd.log")"
	finish
	exit
fi
pass "private containerd serves on its own socket"
echo "  engine: $(containerd --version), server $(sed -n '/Server:/,$s/ *Version: *//p' "$D/version")"

ctr_() { ctr --address "$SOCK" -n crimgtest "$@"; }
blob() { echo "$1/blobs/sha256/${2#sha256:}"; }
# Unpacking is for the host's platform: ctr imports only the image of that
# platform unless told otherwise.
host_arch=$(dpkg --print-architecture 2> /dev/null || echo unknown)

for arch in "$CORPUS"/archives/podman-*.tar*; do
	a=$(basename "$arch")
	case $a in
	*.tar.gz) comp=gzip ;;
	*.tar.zst) comp=zstd ;;
	*) comp=none ;;
	esac
	ref=crimgtest/ckpt-$comp:1
	x=$D/w/$comp.oci.tar
	lay=$D/w/$comp-layout
	orig=$D/w/$comp-orig
	mkdir -p "$lay" "$orig"
	if ! "$CRIT" convert -q --ref "$ref" --layer-compression "$comp" "$arch" "oci-archive:$x" ||
		! tar -xf "$x" -C "$lay" || ! tar -xf "$arch" -C "$orig"; then
		fail "$a: crit convert to oci-archive"
		continue
	fi
	mdig=$(jq -r '.manifests[0].digest' "$lay/index.json")
	man=$(blob "$lay" "$mdig")
	cdig=$(jq -r '.config.digest' "$man")
	ldig=$(jq -r '.layers[0].digest' "$man")
	ltype=$(jq -r '.layers[0].mediaType' "$man")
	diffid=$(jq -r '.rootfs.diff_ids[0]' "$(blob "$lay" "$cdig")")
	march=$(jq -r '.manifests[0].platform.architecture' "$lay/index.json")
	echo "  $a: manifest $mdig, layer $ltype"

	unpack=(--snapshotter native)
	[ "$march" = "$host_arch" ] || unpack=(--all-platforms --no-unpack)
	if ! TMPDIR=$D/tmp ctr_ images import "${unpack[@]}" --index-name "$ref-index" "$x" \
		> "$D/w/$comp.import" 2>&1; then
		fail "$a: ctr images import: $(tail -3 "$D/w/$comp.import")"
		continue
	fi
	pass "$a: ctr images import of crimg's oci-archive"

	# listed under crimg's ref name, with the manifest's digest and platform
	check "$a: ctr images ls lists $ref with the manifest's digest" \
		sh -c 'ctr --address "$0" -n crimgtest images ls | awk -v r="$1" -v d="$2" -v p="linux/$3" \
			"\$1 == r && \$3 == d && index(\$0, \" \" p \" \") { f = 1 } END { exit !f }"' "$SOCK" "$ref" "$mdig" "$march"
	idig=sha256:$(sha256sum < "$lay/index.json" | cut -d' ' -f1)
	check "$a: the index kept (--index-name) is crimg's index.json" \
		sh -c 'ctr --address "$0" -n crimgtest images ls | awk -v r="$1" -v d="$2" \
			"\$1 == r && \$3 == d { f = 1 } END { exit !f }"' "$SOCK" "$ref-index" "$idig"

	# the blobs containerd stored are crimg's, byte for byte
	for d in "$idig" "$mdig" "$cdig" "$ldig"; do
		f=$lay/index.json
		[ "$d" = "$idig" ] || f=$(blob "$lay" "$d")
		check "$a: containerd's content $d is crimg's blob" \
			sh -c 'ctr --address "$0" -n crimgtest content get "$1" | cmp -s - "$2"' "$SOCK" "$d" "$f"
	done

	# the annotations, as containerd hands the manifest out, against the
	# container's own config.dump
	ctr_ content get "$mdig" > "$D/w/$comp.manifest"
	ctr_ content get "$cdig" > "$D/w/$comp.config"
	ann() { jq -r --arg k "$1" '.annotations[$k] // "(missing)"' "$D/w/$comp.manifest"; }
	cfg() { jq -r "$1 // \"(missing)\"" "$orig/config.dump"; }
	bad=
	n=0
	for pre in io.podman.annotations.checkpoint. io.kubernetes.cri-o.annotations.checkpoint. \
		org.criu.checkpoint.; do
		for kv in "name=.name" "rawImageName=.RawImageName" "rootfsImageID=.rootfsImageID" \
			"rootfsImageName=.rootfsImageName"; do
			k=${kv%%=*}
			[ "$pre$k" != org.criu.checkpoint.name ] || k=container.name
			want=$(cfg "${kv#*=}")
			got=$(ann "$pre$k")
			n=$((n + 1))
			[ "$got" = "$want" ] || bad="$bad $pre$k=$got(want $want)"
		done
	done
	for kv in "io.podman.annotations.checkpoint.runtime.name=.runtime" \
		"org.criu.checkpoint.runtime.name=.runtime" \
		"org.criu.checkpoint.rootfsImageUserRequested=.RawImageName"; do
		want=$(cfg "${kv#*=}")
		got=$(ann "${kv%%=*}")
		n=$((n + 1))
		[ "$got" = "$want" ] || bad="$bad ${kv%%=*}=$got(want $want)"
	done
	for k in io.podman.annotations.checkpoint.host.arch org.criu.checkpoint.host.arch; do
		n=$((n + 1))
		[ "$(ann $k)" = "$march" ] || bad="$bad $k=$(ann $k)(want $march)"
	done
	n=$((n + 1))
	[ "$(ann org.criu.checkpoint.engine.name)" = podman ] || bad="$bad engine.name=$(ann org.criu.checkpoint.engine.name)"
	if [ -z "$bad" ]; then
		pass "$a: containerd reports the $n checkpoint annotations with config.dump's values"
	else
		fail "$a: annotations:$bad"
	fi
	check "$a: the config's labels (org.criu.checkpoint.*) are the manifest's" \
		bash -c 'cmp -s <(jq -S ".config.Labels" "$0") \
			<(jq -S ".annotations | with_entries(select(.key | startswith(\"org.criu.checkpoint.\")))" "$1")' \
		"$D/w/$comp.config" "$D/w/$comp.manifest"

	# unpacked: containerd's own digest of the uncompressed layer is the
	# config's diff_id (the snapshot is named by it), and the tree is the
	# checkpoint
	if [ "$march" = "$host_arch" ]; then
		check "$a: ctr images check: complete and unpacked" \
			sh -c 'ctr --address "$0" -n crimgtest images check --snapshotter native |
				awk -v r="$1" "\$1 == r && \$4 == \"complete\" && \$NF == \"true\" { f = 1 } END { exit !f }"' \
			"$SOCK" "$ref"
		src=$(ctr_ snapshots --snapshotter native view --mounts "view-$comp" "$diffid" 2> /dev/null |
			jq -r '.[0].Source // empty')
		if [ -n "$src" ] && [ -d "$src" ] && diff -r "$orig" "$src" > "$D/w/$comp.diff" 2>&1; then
			pass "$a: the snapshot of diff_id $diffid is the checkpoint's files"
		else
			fail "$a: unpacked snapshot (${src:-no view}): $(head -3 "$D/w/$comp.diff" 2> /dev/null)"
		fi
	else
		skip "$a: unpack (image is $march, host $host_arch)"
	fi

	# exported back: the same blobs, and crit reads containerd's archive
	# back to the original archive's files
	e=$D/w/$comp.export.tar
	ex=$D/w/$comp-export
	mkdir -p "$ex"
	if ctr_ images export "$e" "$ref" > "$D/w/$comp.export.log" 2>&1 && tar -xf "$e" -C "$ex"; then
		pass "$a: ctr images export"
		for d in "$mdig" "$cdig" "$ldig"; do
			check "$a: exported blob $d is crimg's" cmp -s "$(blob "$ex" "$d")" "$(blob "$lay" "$d")"
		done
		check "$a: crit convert of containerd's export gives the original archive's files" \
			sh -c '"$0" convert -q "oci-archive:$1" "$2" && diff -r "$3" "$2" > /dev/null' \
			"$CRIT" "$e" "$D/w/$comp-back" "$orig"
	else
		fail "$a: ctr images export: $(tail -3 "$D/w/$comp.export.log")"
	fi
done

finish
