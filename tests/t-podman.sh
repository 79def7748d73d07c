#!/usr/bin/env bash
# Issue 17: Podman restores what crimg wrote.  A small container (a busybox
# shell counting into an open file, busybox httpd listening on loopback),
# from an image imported from a tarball (no registry), is checkpointed by
# Podman (runc, the shared CRIU) to tar, tar.gz and tar.zst archives; each
# goes through crit convert (a directory, a JSON bundle, a JSON directory
# with the shell's name edited, an OCI image copied in with skopeo) and
# Podman restores it: the counter goes on, the socket answers, the edit
# shows.  Then a bind mount whose host directory moved: the restore fails,
# and succeeds after `crit convert --rewrite-path OLD=NEW`.
#
# Root only; skipped where Podman, runc, conmon, busybox-static or the
# shared CRIU is missing (scripts/deps.sh installs the packages).  Every
# piece of Podman's configuration and storage is in $TMP (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF): the machine's is neither read nor changed.
. "$(dirname "$0")/lib.sh"

CRIU=$SHARED/criu/criu
missing=
[ "$(id -u)" -eq 0 ] || missing=" root"
for t in podman runc conmon skopeo; do
	command -v $t > /dev/null || missing="$missing $t"
done
[ -x /bin/busybox ] && file_is_static=$(ldd /bin/busybox 2>&1 | grep -c 'not a dynamic') &&
	[ "$file_is_static" -gt 0 ] || missing="$missing busybox-static"
[ -x "$CRIU" ] || missing="$missing $CRIU"
if [ -n "$missing" ]; then
	skip "Podman end to end: missing$missing"
	finish
	exit
fi

P=$TMP/pm
mkdir -p "$P/bin" "$P/tmp" "$P/rootfs/bin" "$P/rootfs/tmp" "$P/rootfs/www" "$P/rootfs/data"
# runc runs `criu` from PATH (Podman's go-criu too): the shared build first
ln -s "$CRIU" "$P/bin/criu"
export PATH=$P/bin:$PATH
cat > "$P/containers.conf" << EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
runtime = "runc"
tmp_dir = "$P/tmp"
volume_path = "$P/volumes"
EOF
# vfs: no overlay mount of the storage's own to undo afterwards
cat > "$P/storage.conf" << EOF
[storage]
driver = "vfs"
graphroot = "$P/root"
runroot = "$P/runroot"
EOF
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf

# Everything this test made goes, whatever happens: its containers, its
# images (in its own storage), then $TMP.
cleanup() {
	podman rm -f -t 0 -a > /dev/null 2>&1
	podman rmi -f -a > /dev/null 2>&1
	grep -o " $P[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "  engines: $(podman --version), $(runc --version | head -1), $(conmon --version | head -1)," \
	"$("$CRIU" --version | head -1 | tr -d '\n'), $(skopeo --version)"

# The image: busybox-static into a scratch rootfs, imported from a tarball.
cp /bin/busybox "$P/rootfs/bin/busybox"
for a in sh cat sleep httpd wget tail; do ln -s busybox "$P/rootfs/bin/$a"; done
echo hello-from-httpd > "$P/rootfs/www/index.html"
tar -C "$P/rootfs" -cf "$P/rootfs.tar" .
IMG=localhost/crimg-e2e:1
check "podman import of a busybox rootfs" sh -c 'podman import "$0" "$1" > /dev/null 2>&1' "$P/rootfs.tar" "$IMG"

# A free loopback port for httpd (the containers use the host's network:
# runc's restore of a container's own network namespace leaves its
# loopback down, so a socket in it would not answer)
PORT=
for p in 18431 18433 18437 18439 18443 18449; do
	(exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { PORT=$p; break; }
done
[ -n "$PORT" ] || { fail "no free loopback port"; finish; exit; }

RUNOPTS=(--network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# wait_for SECONDS CMD...: polls CMD until it succeeds (a bound, not a measure)
wait_for() {
	local n=$(($1 * 5))
	shift
	while [ $n -gt 0 ]; do
		"$@" 2> /dev/null && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}
# count NAME: the counter's last value in the container's open file
count() { podman exec "$1" tail -n1 /tmp/count.log 2> /dev/null | sed 's/.* //'; }
count_over() { local v; v=$(count "$1"); [ -n "$v" ] && [ "$v" -gt "$2" ]; }
answers() { [ "$(podman exec "$1" wget -qO- "http://127.0.0.1:$PORT/" 2> /dev/null)" = hello-from-httpd ]; }

podman run -d --name orig "${RUNOPTS[@]}" -e MARK=orig "$IMG" sh -c "exec 3>>/tmp/count.log
httpd -f -p 127.0.0.1:$PORT -h /www & n=0
while :; do n=\$((n+1)); echo \"\$MARK \$n\" >&3; echo \$n; sleep 0.1; done" > /dev/null 2> "$TMP/err" ||
	fail "podman run: $(head -c 300 "$TMP/err")"
check "the container counts" wait_for 20 count_over orig 20
check "its httpd answers" wait_for 20 answers orig

# --- Podman's archives: tar and tar.gz leaving it running, tar.zst stopping it ---
A=$P/archives
mkdir -p "$A"
checkpoint() {
	if podman container checkpoint "$@" > /dev/null 2> "$TMP/err"; then
		pass "podman checkpoint to $(basename "${*: -2:1}")"
	else
		fail "podman checkpoint $*: $(head -c 400 "$TMP/err")"
	fi
}
checkpoint --leave-running --export "$A/c.tar" orig
checkpoint --leave-running --compress gzip --export "$A/c.tar.gz" orig
before=$(count orig)
checkpoint --compress zstd --export "$A/c.tar.zst" orig
podman rm -f -t 0 orig > /dev/null 2>&1

# restored NAME WHAT: the restored container goes on from where it was
restored() {
	local name=$1 what=$2 v
	v=$(count "$name")
	check "$what: the counter goes on from its checkpoint ($v)" [ -n "$v" ] && [ "$v" -ge 20 ]
	check "$what: and on" wait_for 20 count_over "$name" "${v:-0}"
	check "$what: the listening socket answers" wait_for 20 answers "$name"
	check "$what: Podman says it was restored" \
		[ "$(podman inspect --format '{{.State.Restored}}' "$name" 2> /dev/null)" = true ]
}
# restore NAME WHAT ARGS...: podman container restore, the container checked, left running
restore() {
	local name=$1 what=$2
	shift 2
	if podman container restore --name "$name" "$@" > /dev/null 2> "$TMP/err"; then
		pass "$what: podman restore"
		restored "$name" "$what"
	else
		fail "$what: podman restore: $(head -c 400 "$TMP/err")"
	fi
}
gone() { podman rm -f -t 0 "$1" > /dev/null 2>&1; }

C=$CRIT
# archive -> directory -> archive
if $C convert --quiet "$A/c.tar" "$P/c-dir" && $C convert --quiet "$P/c-dir" "$A/c-dir.tar"; then
	restore r-dir "tar -> dir -> tar" --import "$A/c-dir.tar"
	gone r-dir
else
	fail "tar -> dir -> tar: crit convert failed"
fi
# archive -> JSON bundle -> archive
if $C convert --quiet "$A/c.tar.gz" "$P/c.json" && $C convert --quiet "$P/c.json" "$A/c-json.tar.gz"; then
	restore r-json "tar.gz -> JSON bundle -> tar.gz" --import "$A/c-json.tar.gz"
	gone r-json
else
	fail "tar.gz -> JSON bundle -> tar.gz: crit convert failed"
fi
# archive -> JSON directory, the shell's name (core-1's comm) edited -> archive
jd=$P/c-jd
if $C convert --quiet --to json-dir "$A/c.tar.zst" "$jd"; then
	sed -i 's/"comm": "sh",/"comm": "sh-edited",/' "$jd/checkpoint/core-1.img.json"
	check "json-dir: the shell's name edited (task and thread)" \
		[ "$(grep -c '"comm": "sh-edited",' "$jd/checkpoint/core-1.img.json")" -ge 1 ]
	if $C convert --quiet "$jd" "$A/c-jd.tar.zst"; then
		restore r-jd "tar.zst -> edited JSON directory -> tar.zst" --import "$A/c-jd.tar.zst"
		check "edited JSON directory: the restored shell has the edited name" \
			[ "$(podman exec r-jd cat /proc/1/comm 2> /dev/null)" = sh-edited ]
		gone r-jd
	else
		fail "edited JSON directory -> tar.zst: crit convert failed"
	fi
else
	fail "tar.zst -> json-dir: crit convert failed"
fi
# the unedited zstd archive as Podman wrote it, for comparison: the old name
restore r-zst "tar.zst as Podman wrote it" --import "$A/c.tar.zst"
check "tar.zst as Podman wrote it: the shell's own name" \
	[ "$(podman exec r-zst cat /proc/1/comm 2> /dev/null)" = sh ]
gone r-zst

# --- an OCI checkpoint image: crit convert, skopeo into Podman's storage, restore IMAGE ---
if $C convert --quiet "$A/c.tar.zst" "oci-archive:$A/c.oci.tar"; then
	if skopeo copy -q "oci-archive:$A/c.oci.tar" containers-storage:localhost/crimg-e2e-ckpt:1 \
		> /dev/null 2> "$TMP/err"; then
		pass "skopeo copy oci-archive -> containers-storage"
		restore r-oci "OCI image" localhost/crimg-e2e-ckpt:1
		gone r-oci
	else
		fail "skopeo copy: $(head -c 400 "$TMP/err")"
	fi
else
	fail "tar.zst -> oci-archive: crit convert failed"
fi

# --- a bind mount whose host directory moved: --rewrite-path reaches the engine ---
old=$P/host-old new=$P/host-new
mkdir -p "$old"
podman run -d --name bind "${RUNOPTS[@]}" -v "$old:/data" "$IMG" sh -c \
	'exec 3>>/data/count.log; n=0; while :; do n=$((n+1)); echo $n >&3; sleep 0.1; done' > /dev/null 2>&1
host_count_over() { local v; v=$(tail -n1 "$1/count.log" 2> /dev/null); [ -n "$v" ] && [ "$v" -gt "$2" ]; }
check "bind mount: the container counts into the host directory" wait_for 20 host_count_over "$old" 10
checkpoint --export "$A/bind.tar" bind
podman rm -f -t 0 bind > /dev/null 2>&1
mv "$old" "$new"
if podman container restore --import "$A/bind.tar" --name r-bind > /dev/null 2> "$TMP/err"; then
	fail "bind mount moved: restored without the rewrite (it cannot find $old)"
else
	check "bind mount moved: restore fails without the rewrite, on the old path" grep -qF "$old" "$TMP/err"
fi
gone r-bind
if $C convert --quiet --rewrite-path "$old=$new" --report "$P/bind.json" "$A/bind.tar" "$A/bind-moved.tar"; then
	check "rewrite report: spec.dump and config.dump mount sources, and the mount's root" python3 -c '
import json, sys
got = sorted((c["image"].split("/")[0] if c["image"].startswith("checkpoint/") else c["image"], c["field"], c["after"])
             for c in json.load(open(sys.argv[1]))["changes"])
want = sorted([("checkpoint", "root", sys.argv[2]), ("config.dump", "spec.mounts[0].source", sys.argv[2]),
               ("spec.dump", "mounts[0].source", sys.argv[2])])
assert got == want, got' "$P/bind.json" "$new"
	v=$(tail -n1 "$new/count.log")
	if podman container restore --import "$A/bind-moved.tar" --name r-bind > /dev/null 2> "$TMP/err"; then
		pass "bind mount moved: restore succeeds after --rewrite-path"
		check "bind mount moved: the counter goes on in the new host directory" \
			wait_for 20 host_count_over "$new" "$v"
	else
		fail "bind mount moved, rewritten: podman restore: $(head -c 400 "$TMP/err")"
	fi
	gone r-bind
else
	fail "crit convert --rewrite-path failed"
fi

# --- containerd (optional) ---
if command -v ctr > /dev/null; then
	skip "containerd: ctr is installed, but this suite does not start a containerd of its own yet"
else
	skip "containerd: ctr not installed (optional)"
fi
finish
