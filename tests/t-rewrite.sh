#!/usr/bin/env bash
# asan-ok
# Issue 4, item 3: --rewrite-path and --rewrite-ip change exactly the fields
# they name and nothing else.  Each case converts a checkpoint directory to a
# directory with rewrites (crit-convert), then tests/rewrite/check.py
# compares `crit decode` of every image before and after with the report:
# the differing fields are exactly the reported ones, their values are the
# reported ones, every other file is byte for byte the same, and no field a
# rule covers still matches it.
. "$(dirname "$0")/lib.sh"

CONVERT=$BUILD/bin/crit-convert
CHECK=$TOP/tests/rewrite/check.py
SAMPLES=$BUILD/samples
[ -x "$CONVERT" ] || { fail "no $CONVERT"; finish; exit; }
[ -d "$SAMPLES/demo" ] || { fail "no samples in $SAMPLES (make samples)"; finish; exit; }

n_case=0
# rewrite_case NAME SRC EXPECTED-COUNT RULE...   (RULE: path:OLD=NEW or ip:OLD=NEW)
# Leaves the result in $TMP/NAME and the report in $TMP/NAME.json.
rewrite_case() {
	local name=$1 src=$2 want=$3 r args=()
	shift 3
	for r in "$@"; do
		case $r in
		path:*) args+=(--rewrite-path "${r#path:}") ;;
		ip:*) args+=(--rewrite-ip "${r#ip:}") ;;
		esac
	done
	n_case=$((n_case + 1))
	if ! "$CONVERT" --quiet --to dir --report "$TMP/$name.json" "${args[@]}" "$src" "$TMP/$name" 2> "$TMP/err"; then
		fail "$name: crit-convert failed: $(head -c 300 "$TMP/err")"
		return
	fi
	local got
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["changed"])' "$TMP/$name.json")
	check "$name: $want fields changed (report says $got)" [ "$got" = "$want" ]
	if python3 "$CHECK" "$CRIT" "$src" "$TMP/$name" "$TMP/$name.json" "$@" > "$TMP/check.out" 2>&1; then
		pass "$name: exactly the reported fields changed, nothing else"
	else
		fail "$name: $(head -c 1500 "$TMP/check.out")"
	fi
}

# fields NAME: the report's changes as IMAGE[ENTRY].FIELD, sorted, one a line
fields() {
	python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["changes"]:
    if c["field"]: print("%s[%d].%s" % (c["image"], c["entry"], c["field"]))' "$TMP/$1.json" | sort
}
# expect_fields NAME FIELD...: the report names exactly these fields
expect_fields() {
	local name=$1
	shift
	if diff <(printf '%s\n' "$@" | sort) <(fields "$name") > "$TMP/fields.diff"; then
		pass "$name: the expected fields"
	else
		fail "$name: fields differ from the expected ones: $(cat "$TMP/fields.diff")"
	fi
}

# --- every field kind a rule covers, on images made from tests/rewrite/*.json ---
syn=$TMP/syn-src
mkdir -p "$syn"
for j in "$TOP"/tests/rewrite/*.json; do
	n=$(basename "$j" .json)
	case $n in irmap-cache) img=$n ;; *) img=$n.img ;; esac
	bo=little
	[ "$n" = inetsk ] && bo=big	# addresses are stored in the dumping host's order
	"$CRIT" encode --byte-order $bo -i "$j" -o "$syn/$img" || fail "encode $j"
done
cp "$SAMPLES/demo/inventory.img" "$SAMPLES/extras/tcp-stream-1773.img" "$SAMPLES/extras/pipes-data.img" "$syn/"
rewrite_case synthetic "$syn" 23 path:/x=/y ip:10.0.0.5=10.0.0.6 ip:2001:db8::5=2001:db8::6
expect_fields synthetic \
	'files.img[0].reg.name' 'files.img[2].reg.name' 'files.img[3].usk.name' \
	'files.img[4].isk.src_addr' 'files.img[4].isk.dst_addr' 'files.img[5].ffy.mark[1].me.path' \
	'reg-files.img[0].name' 'unixsk.img[0].name' 'unixsk.img[2].name_dir' 'unixsk.img[3].name' \
	'inetsk.img[0].src_addr' 'inetsk.img[1].src_addr' 'inetsk.img[1].dst_addr' \
	'mountpoints-1.img[0].options' 'mountpoints-1.img[2].mountpoint' 'mountpoints-1.img[2].source' \
	'mountpoints-1.img[3].root' 'mountpoints-1.img[3].mountpoint' 'mountpoints-1.img[3].ext_key' \
	'ghost-file-9.img[0].symlnk_target' 'irmap-cache[0].path' 'binfmt-misc.img[0].interpreter' \
	'fanotify-mark.img[0].me.path'
# the longest OLD wins (and a value is rewritten once: tests/unit/t_rewrite.c)
rewrite_case synthetic2 "$syn" 18 path:/x=/y path:/x/bin=/usr/libexec path:/x/mnt=/media/m
check "longest OLD wins" python3 -c 'import json, sys
c = {"%s[%d].%s" % (x["image"], x["entry"], x["field"]): x["after"] for x in json.load(open(sys.argv[1]))["changes"]}
assert c["files.img[0].reg.name"] == "/usr/libexec/app", c
assert c["binfmt-misc.img[0].interpreter"] == "/usr/libexec/qemu", c
assert c["mountpoints-1.img[3].mountpoint"] == "/media/m" and c["fanotify-mark.img[0].me.path"] == "/media/m", c
assert c["files.img[5].ffy.mark[1].me.path"] == "/y/data", c' "$TMP/synthetic2.json"
check "overlay options: every directory of the three rewritten, the rest kept" \
	sh -c '"$0" decode -i "$1" | grep -qF "\"options\": \"lowerdir=/y/l1:/y/l2:/other/l3,upperdir=/y/u,workdir=/y/w,index=off\""' \
	"$CRIT" "$TMP/synthetic/mountpoints-1.img"
check "unix name with a NUL at the end keeps it" \
	sh -c '"$0" decode -i "$1" | grep -qF "\"name\": \"/y/nul-ended=00\""' "$CRIT" "$TMP/synthetic/unixsk.img"
check "big-endian inetsk.img: still big-endian" \
	sh -c '"$0" info "$1" | grep -q "\"byte_order\": \"big\""' "$CRIT" "$TMP/synthetic/inetsk.img"
check "big-endian inetsk.img: addresses read back right" \
	sh -c '"$0" decode --pretty -i "$1" | tr -d " \n" | grep -qF "\"src_addr\":[\"::ffff:a00:6\"],\"dst_addr\":[\"2001:db8::6\"]"' \
	"$CRIT" "$TMP/synthetic/inetsk.img"
rewrite_case synthetic-none "$syn" 0 path:/xylo=/z path:/nowhere=/else ip:192.0.2.1=192.0.2.2 ip:fe80::99=fe80::98

# --- a container checkpoint's engine files (spec.dump, config.dump) ---
# Host paths are rewritten (bind mount sources, the rootfs, hooks, a joined
# namespace, Podman's own paths), container paths and other strings are not
# (destinations, annotations, the command line), and every other byte stays:
# the result is compared with a hand-made expected file.
ct=$TMP/ct-src
mkdir -p "$ct/checkpoint"
cp "$syn/inventory.img" "$syn/mountpoints-1.img" "$ct/checkpoint/"
# $1: the prefix of the host paths in it; $2: one of them as a JSON string,
# with escapes (the engine's writer may escape '/' and non-ASCII; crimg
# writes a changed string as Go's encoder does, which escapes neither)
engine_spec() {
	printf '{"ociVersion":"1.0.2-dev","process":{"cwd":"/x","env":["HOME=/x"]},\n'
	printf '  "root" : {"path": "%s/root"},\n' "$1"
	printf '  "mounts":[{"destination":"/proc","type":"proc","source":"proc"},\n'
	printf '    {"destination":"/x/data","type":"bind","source":"%s/data","options":["rbind"]},\n' "$1"
	printf '    {"destination":"/y","type":"bind","source":%s},\n' "$2"
	printf '    {"destination":"/z","type":"bind","source":"/xylophone"},\n'
	printf '    {"destination":"/n","type":"bind","source":"/x/nul\\u0000"}],\n'
	printf '  "hooks":{"prestart":[{"path":"%s/hook","args":["/x/hook"]}]},\n' "$1"
	printf '  "annotations":{"io.example.path":"/x/keep"},\n'
	printf '  "linux":{"namespaces":[{"type":"network","path":"%s/netns"},{"type":"pid"}],\n' "$1"
	printf '    "resources":{"memory":{"limit":18446744073709551615,"swappiness":-1e0}},"x":[true,false,null,0.5E+2]}}\n'
}
engine_config() {
	printf '{"spec":%s,"ShmDir":"%s/shm","staticDir":"/var/lib/other","mounts":["%s/m1","/elsewhere"],\n' \
		"$(engine_spec "$1" "$2" | tr -d '\n')" "$1" "$1"
	printf ' "CreateCommand":["podman","run","-v","/x/data:/x/data"],"userVolumes":["/x/data"],\n'
	printf ' "overlayVolumes":[{"dest":"/o","source":"%s/ov"}],"logPath":"%s/ctr.log"}\n' "$1" "$1"
}
esc_x='"\/x\/esc\u00e9 \"q\""' esc_y='"/y/escé \"q\""'
engine_spec /x "$esc_x" > "$ct/spec.dump"
engine_config /x "$esc_x" > "$ct/config.dump"
echo keep > "$ct/rootfs-diff.tar"
rewrite_case engine "$ct" 20 path:/x=/y
expect_fields engine \
	'checkpoint/mountpoints-1.img[0].options' 'checkpoint/mountpoints-1.img[2].mountpoint' \
	'checkpoint/mountpoints-1.img[2].source' 'checkpoint/mountpoints-1.img[3].root' \
	'checkpoint/mountpoints-1.img[3].mountpoint' 'checkpoint/mountpoints-1.img[3].ext_key' \
	'spec.dump[0].root.path' 'spec.dump[0].mounts[1].source' 'spec.dump[0].mounts[2].source' \
	'spec.dump[0].hooks.prestart[0].path' 'spec.dump[0].linux.namespaces[0].path' \
	'config.dump[0].spec.root.path' 'config.dump[0].spec.mounts[1].source' \
	'config.dump[0].spec.mounts[2].source' 'config.dump[0].spec.hooks.prestart[0].path' \
	'config.dump[0].spec.linux.namespaces[0].path' 'config.dump[0].ShmDir' 'config.dump[0].mounts[0]' \
	'config.dump[0].overlayVolumes[0].source' 'config.dump[0].logPath'
engine_spec /y "$esc_y" > "$TMP/spec.want"
engine_config /y "$esc_y" > "$TMP/config.want"
check "engine: spec.dump is the expected file, byte for byte (escapes as the engine writes them)" \
	cmp -s "$TMP/spec.want" "$TMP/engine/spec.dump"
check "engine: config.dump is the expected file, byte for byte" cmp -s "$TMP/config.want" "$TMP/engine/config.dump"
check "engine: the report shows the decoded path" \
	grep -qF '"after": "/y/escé \"q\""' "$TMP/engine.json"
rewrite_case engine-none "$ct" 0 path:/xyl=/z path:/nowhere=/else
# the same through a tar archive, as crit convert takes Podman's
tar -C "$ct" -cf "$TMP/ct.tar" . &&
	"$CONVERT" --quiet --rewrite-path /x=/y "$TMP/ct.tar" "$TMP/ct-out.tar" 2> "$TMP/err" &&
	mkdir -p "$TMP/ct-out" && tar -C "$TMP/ct-out" -xf "$TMP/ct-out.tar"
check "engine, tar -> tar: spec.dump and config.dump rewritten" \
	sh -c 'cmp -s "$0/spec.want" "$0/ct-out/spec.dump" && cmp -s "$0/config.want" "$0/ct-out/config.dump"' "$TMP"
# broken engine files: exit 1, one line naming the file, no DST
bad_engine() {
	local what=$1 want=$2
	rm -rf "$TMP/ct-bad" "$TMP/ct-bad-out"
	cp -r "$ct" "$TMP/ct-bad"
	cat > "$TMP/ct-bad/spec.dump"
	if "$CONVERT" --quiet --to dir --rewrite-path /x=/y "$TMP/ct-bad" "$TMP/ct-bad-out" 2> "$TMP/err"; then
		fail "engine, $what: accepted"
	else
		check "engine, $what: one line naming spec.dump ($(head -1 "$TMP/err"))" \
			sh -c '[ "$(wc -l < "$0")" -eq 1 ] && grep -q "spec.dump.*$1" "$0"' "$TMP/err" "$want"
		check "engine, $what: no DST" [ ! -e "$TMP/ct-bad-out" ]
	fi
}
printf '{"mounts":[{"source":"/x/a"}' | bad_engine "cut short" "not JSON: it ends before a value\|not JSON: expected"
printf '{"mounts":[{"source":"/x/a\x01"}]}' | bad_engine "control byte" "not JSON: a control byte inside a string"
printf '{"a":"\\q"}' | bad_engine "unknown escape" "not JSON: an unknown escape"
printf '{"a":1} {}' | bad_engine "two values" "not JSON: more after the object"
printf '{"a":01}' | bad_engine "a number with a leading zero" "not JSON"
printf '[]' | bad_engine "not an object" "not JSON: expected an object"
python3 -c 'print("{\"a\":" + "[" * 100000 + "]" * 100000 + "}")' | bad_engine "100,000 deep" "deeper than the limit"

# --- samples/demo ---
rewrite_case demo "$SAMPLES/demo" 3 path:/srv/demo=/srv/elsewhere ip:2001:db8::1=2001:db8::2
expect_fields demo 'files.img[1].reg.name' 'files.img[3].reg.name' 'files.img[8].isk.src_addr'
rewrite_case demo-none "$SAMPLES/demo" 0 path:/srv/dem=/x ip:2001:db8::2=2001:db8::3

# --- a unix socket name too long for a socket address: refused, nothing written ---
long=/$(printf 'd%.0s' $(seq 1 120))
if "$CONVERT" --quiet --to dir --rewrite-path "/x=$long" "$syn" "$TMP/too-long" 2> "$TMP/err"; then
	fail "a unix socket name over 108 bytes was accepted"
else
	check "long unix socket name: says why" grep -q "more than the 108 a socket address holds" "$TMP/err"
	check "long unix socket name: no DST" [ ! -e "$TMP/too-long" ]
fi
"$CONVERT" --quiet --to dir --rewrite-path "x=/y" "$syn" "$TMP/bad-rule" 2> "$TMP/err"
check "relative OLD: a usage error" [ $? -eq 2 ] && [ ! -e "$TMP/bad-rule" ]
"$CONVERT" --quiet --to dir --rewrite-ip "10.0.0.5=::1" "$syn" "$TMP/bad-rule" 2> "$TMP/err"
check "IPv4 to IPv6: refused" grep -q "must be IPv4 or both IPv6" "$TMP/err"

# --- the corpus ---
if have_corpus; then
	rewrite_case tcp "$CORPUS/tcp" 12 path:/tmp/crimg=/srv/moved ip:127.0.0.1=10.1.2.3 ip:::1=fd00::7
	expect_fields tcp 'files.img[0].reg.name' 'files.img[4].reg.name' 'files.img[11].reg.name' \
		'files.img[5].isk.src_addr' 'files.img[6].isk.src_addr' \
		'files.img[7].isk.src_addr' 'files.img[7].isk.dst_addr' \
		'files.img[8].isk.src_addr' 'files.img[8].isk.dst_addr' 'files.img[9].isk.src_addr' \
		'files.img[10].isk.src_addr' 'files.img[10].isk.dst_addr'
	check "tcp: the TCP stream images (queues after the entry) are untouched" \
		sh -c 'for f in "$0"/tcp-stream-*.img; do cmp -s "$f" "$1/${f##*/}" || exit 1; done' \
		"$CORPUS/tcp" "$TMP/tcp"
	rewrite_case tcp-ip-only "$CORPUS/tcp" 1 ip:::1=2001:db8::1
	rewrite_case nsbox "$CORPUS/nsbox" 3 path:/tmp/crimg/nsroot=/var/lib/nsroot path:/dev/vda=/dev/vdb \
		path:/bin=/usr/bin ip:127.0.0.1=10.0.0.1
	expect_fields nsbox 'files.img[0].reg.name' 'mountpoints-13.img[2].root' 'mountpoints-13.img[2].source'
	check "nsbox: the raw ifaddr image holding 127.0.0.1 is named in a note" \
		grep -q '"holds 127.0.0.1, not rewritten: a raw IFADDR image is restored as saved"' "$TMP/nsbox.json"
	"$CONVERT" --to dir --rewrite-ip 127.0.0.1=10.0.0.1 "$CORPUS/nsbox" "$TMP/nsbox-text" 2> "$TMP/err"
	check "nsbox: the note as crit convert prints it" grep -qx \
		"crit convert: note: ifaddr-10.img: holds 127.0.0.1, not rewritten: a raw IFADDR image is restored as saved" "$TMP/err"
	rewrite_case kitchen "$CORPUS/kitchen" 2 path:/tmp/crimg/kitchen.d=/home/k
	expect_fields kitchen 'files.img[5].reg.name' 'files.img[6].reg.name'
	rewrite_case s390x-kitchen "$CORPUS/foreign/s390x-kitchen" 5 path:/tmp/crimg=/mnt/c path:/opt=/usr/local
	check "s390x: files.img still big-endian" \
		sh -c '"$0" info "$1" | grep -q "\"byte_order\": \"big\""' "$CRIT" "$TMP/s390x-kitchen/files.img"
	for d in tcp nsbox kitchen python tree sleep incr-dump; do
		rewrite_case "$d-none" "$CORPUS/$d" 0 path:/nonexistent=/x path:/tmp/crim=/y \
			ip:192.0.2.99=192.0.2.1 ip:fe80::1:2=fe80::1:3
	done
	# a Podman checkpoint: images in checkpoint/, engine files beside them
	arch=$(extract_archive "$CORPUS/archives/podman-busybox-none.tar")
	rewrite_case podman "$arch" 18 path:/run/containers/storage=/srv/cs \
		path:/var/lib/containers/storage=/srv/storage path:/etc/hosts=/etc/hosts.moved
	mnt=$(cd "$arch/checkpoint" && ls mountpoints-*.img)
	fields podman > "$TMP/podman.fields"
	# the images: bind mount roots, /etc/hosts, overlay options; the engine
	# files: the rootfs, the bind mounts' sources (hosts, hostname, shm,
	# .containerenv), Podman's own paths; /etc/hosts as a destination stays
	check "podman: bind mount roots, /etc/hosts, overlay options and the engine's host paths rewritten" \
		diff <(printf '%s\n' "checkpoint/$mnt[19].root" "checkpoint/$mnt[21].ext_key" \
			"checkpoint/$mnt[21].mountpoint" "checkpoint/$mnt[21].root" \
			"checkpoint/$mnt[22].root" "checkpoint/$mnt[28].options" \
			'config.dump[0].ShmDir' 'config.dump[0].conmonPidFile' 'config.dump[0].logPath' \
			'config.dump[0].mounts[0]' 'config.dump[0].pid_file' 'config.dump[0].secretsPath' \
			'config.dump[0].staticDir' 'spec.dump[0].mounts[5].source' 'spec.dump[0].mounts[6].source' \
			'spec.dump[0].mounts[7].source' 'spec.dump[0].mounts[8].source' 'spec.dump[0].root.path' |
			sort) "$TMP/podman.fields"
	check "podman: the rootfs diff untouched" cmp -s "$arch/rootfs-diff.tar" "$TMP/podman/rootfs-diff.tar"
	# the same through archives: .tar.zst in, .tar.zst out, then unpacked
	if "$CONVERT" --quiet --rewrite-path /run/containers/storage=/srv/cs \
		--rewrite-path /var/lib/containers/storage=/srv/storage --rewrite-path /etc/hosts=/etc/hosts.moved \
		"$CORPUS/archives/podman-busybox-zstd.tar.zst" "$TMP/moved.tar.zst" 2> "$TMP/err" &&
	   "$CONVERT" --quiet "$TMP/moved.tar.zst" "$TMP/moved" 2>> "$TMP/err"; then
		zarch=$(extract_archive "$CORPUS/archives/podman-busybox-zstd.tar.zst")
		: > "$TMP/podman-zst.json"
		python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"))' \
			"$TMP/podman.json" "$TMP/podman-zst.json"
		if python3 "$CHECK" "$CRIT" "$zarch" "$TMP/moved" "$TMP/podman-zst.json" \
			path:/run/containers/storage=/srv/cs path:/var/lib/containers/storage=/srv/storage \
			path:/etc/hosts=/etc/hosts.moved > "$TMP/check.out" 2>&1; then
			pass "podman .tar.zst -> .tar.zst with rewrites: the same fields, nothing else"
		else
			fail "podman .tar.zst: $(head -c 1500 "$TMP/check.out")"
		fi
	else
		fail "podman .tar.zst with rewrites: $(head -c 300 "$TMP/err")"
	fi
else
	skip "corpus rewrites (no corpus)"
fi

# --- the report as crit convert prints it ---
"$CONVERT" --to dir --rewrite-path /srv/demo=/srv/elsewhere --rewrite-ip 2001:db8::1=2001:db8::2 \
	"$SAMPLES/demo" "$TMP/printed" 2> "$TMP/printed.err" < /dev/null
check "printed report: exit 0" [ $? -eq 0 ]
printf '%s\n' \
	'crit convert: files.img: entry 1: reg.name: /srv/demo -> /srv/elsewhere' \
	'crit convert: files.img: entry 3: reg.name: /srv/demo/input "quoted" été.txt -> /srv/elsewhere/input "quoted" été.txt' \
	'crit convert: files.img: entry 8: isk.src_addr: 2001:db8::1 -> 2001:db8::2' \
	'crit convert: 3 fields rewritten' > "$TMP/printed.want"
check "printed report: one line per field, then the count" cmp -s "$TMP/printed.want" "$TMP/printed.err"
"$CONVERT" --quiet --to dir --rewrite-path /srv/demo=/srv/elsewhere "$SAMPLES/demo" "$TMP/quiet" 2> "$TMP/quiet.err"
check "--quiet: no report" [ ! -s "$TMP/quiet.err" ]
echo "  $n_case rewrite cases"
finish
