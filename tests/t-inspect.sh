#!/usr/bin/env bash
# asan-ok
# crit inspect: the container view of the corpus's Podman archives (name,
# image, engine, runtime, sizes, dump statistics, process tree, command
# lines and environment read from memory, files, mounts) checked against
# the archives' own files and the MANIFEST, the same from .tar, .tar.gz,
# .tar.zst and the unpacked directory; the process tree of every plain
# corpus dump against the reference crit's `x ps` (the zombie shown as one);
# the sample checkpoint against golden files (tests/inspect/, UPDATE=1
# rewrites them); engines told apart (Podman, CRI-O, containerd); and bad
# input: damaged engine files noted while the CRIU part still shows, a
# missing pstree.img a precise error and exit 1, a pre-dump named as one;
# unix socket names as ss shows them; inventory.img's restore options, and
# a connected TCP socket without its tcp-stream image flagged.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples/demo
GOLD=$TOP/tests/inspect
A=$CORPUS/archives
CMD="/bin/sh -c 'echo CRIMG-CONTAINER-7f3a >/tmp/marker; i=0; while :; do i=\$((i+1)); sleep 1; done'"

# irun OUT ARGS...: crit inspect ARGS > OUT (stderr in $TMP/ierr); fails
# the test on a non-zero exit
irun() {
	local out=$1
	shift
	"$CRIT" inspect "$@" > "$out" 2> "$TMP/ierr"
	local rc=$?
	if [ $rc -ne 0 ]; then
		fail "crit inspect $*: exit status $rc ($(head -c 200 "$TMP/ierr"))"
		return 1
	fi
	return 0
}

# has NAME FILE TEXT: FILE holds the line fragment TEXT (fixed string)
has() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: no '$3' in $(basename "$2")"; fi
}
hasnt() {
	if grep -qF -- "$3" "$2"; then fail "$1: '$3' in $(basename "$2")"; else pass "$1"; fi
}
valid_json() {
	if python3 -m json.tool "$2" > /dev/null 2>&1; then pass "$1"; else fail "$1: invalid JSON"; fi
}
# q NAME EXPR: queue a Python assertion, run with the others by pychecks in
# one interpreter (python's start-up is most of this script's time).  In
# EXPR: J(FILE) is a file's JSON, P(FILE) its process_tree by pid, S(FILE)
# a file's size, G(PATTERN) glob, XPS(FILE) a reference `crit x ps` as
# (pid, pgid, sid, depth, comm) and TREE(FILE) ours from inspect's JSON.
q() { printf '%s\t%s\n' "$1" "$2" >> "$TMP/checks"; }
pychecks() {
	[ -s "$TMP/checks" ] || return 0
	local line
	python3 - "$TMP/checks" > "$TMP/checks.out" 2>&1 <<-'EOF'
	import glob, json, os, sys
	_c = {}
	def J(p):
	    if p not in _c:
	        _c[p] = json.load(open(p))
	    return _c[p]
	def P(p): return {x['pid']: x for x in J(p).get('process_tree', [])}
	def S(p): return os.path.getsize(p)
	def R(p): return open(p, encoding='utf-8').read()
	def G(p): return glob.glob(p)
	def XPS(p):
	    out = []
	    for line in open(p).read().splitlines()[1:]:
	        pid, pgid, sid = (int(v) for v in line[:21].split())
	        rest = line[24:]
	        out.append((pid, pgid, sid, (len(rest) - len(rest.lstrip(' '))) // 4, rest.strip()))
	    return out
	def TREE(p): return [(x['pid'], x['pgid'], x['sid'], x['depth'], x['command']) for x in J(p)['process_tree']]
	def SAME_BUT_SOURCE(a, b):
	    a, b = dict(J(a)), dict(J(b))
	    for d in (a, b):
	        d.pop('source'); d.pop('format')
	        d['checkpoint_size'] = dict(d['checkpoint_size'], archive_size=None)
	    return a == b
	for line in open(sys.argv[1]).read().splitlines():
	    name, expr = line.split('\t', 1)
	    try:
	        ok = eval(expr)
	        print(('ok\t%s' % name) if ok else ('FAIL\t%s: false: %s' % (name, expr)))
	    except Exception as e:
	        print('FAIL\t%s: %s: %s' % (name, type(e).__name__, e))
	EOF
	while IFS= read -r line; do
		case $line in
		ok$'\t'*) pass "${line#ok?}" ;;
		FAIL$'\t'*) fail "${line#FAIL?}" ;;
		*) fail "pychecks: $line" ;;
		esac
	done < "$TMP/checks.out"
	: > "$TMP/checks"
}

# ---- the sample checkpoint: golden files, meaningful without the corpus ----
if [ -d "$S" ]; then
	mkdir -p "$GOLD"
	for args in "tree:" "tree-all:--all" "json-all:--all --format json" "json:--format json"; do
		name=${args%%:*} opts=${args#*:}
		g=$GOLD/demo-$name.out
		# shellcheck disable=SC2086  # opts are words
		(cd "$BUILD/samples" && "$CRIT" inspect $opts demo) > "$TMP/out" 2> "$TMP/ierr" ||
			{ fail "demo inspect $opts: exit status $? ($(head -c 200 "$TMP/ierr"))"; continue; }
		[ -n "${UPDATE:-}" ] && cp "$TMP/out" "$g"
		if cmp -s "$g" "$TMP/out"; then
			pass "demo inspect $opts = $(basename "$g")"
		else
			fail "demo inspect $opts differs from $(basename "$g") ($(diff "$g" "$TMP/out" | head -4 | tr '\n' ' '))"
		fi
	done
	irun "$TMP/demo.json" --all --format json "$S" && {
		valid_json "demo --all json is JSON" "$TMP/demo.json"
		f=$TMP/demo.json
		q "demo: no engine, no container" "J('$f')['engine'] is None and J('$f')['container_name'] is None"
		q "demo: process tree" "sorted(P('$f')) == [100, 101] and P('$f')[101]['ppid'] == 100 and P('$f')[100]['children'] == [101]"
	}
	# argv and environment from memory: a copy of the sample whose stack
	# page holds them (pid 100's 4th page, mm_arg_start 0x7ffc00001e00)
	mkdir -p "$TMP/envdemo"
	cp "$S"/* "$TMP/envdemo/"
	python3 - "$TMP/envdemo/pages-1.img" <<-'EOF'
	import sys
	p = sys.argv[1]
	d = bytearray(open(p, 'rb').read())
	base = 3 * 4096
	args = b'crimg-demo\0--serve\0-v x\0'
	env = b'HOME=/srv\0DEMO_MARKER=env-7f3a\0'
	d[base + 0xe00:base + 0xe00 + len(args)] = args
	d[base + 0xe1b:base + 0xe1b + len(env)] = env
	open(p, 'wb').write(bytes(d))
	EOF
	irun "$TMP/demo-env" --ps-tree-cmd --ps-tree-env --pid 100 "$TMP/envdemo" && {
		has "demo --ps-tree-cmd: argv from memory, quoted" "$TMP/demo-env" "└── [100]  crimg-demo --serve '-v x'"
		has "demo --ps-tree-env: from memory" "$TMP/demo-env" "└── DEMO_MARKER=env-7f3a"
	}
	irun "$TMP/demo-env.json" --ps-tree-cmd --ps-tree-env --format json "$TMP/envdemo" && {
		f=$TMP/demo-env.json
		q "demo JSON cmdline from memory" "P('$f')[100]['cmdline'] == ['crimg-demo', '--serve', '-v x']"
		q "demo JSON environment from memory" "P('$f')[100]['environment'] == ['HOME=/srv', 'DEMO_MARKER=env-7f3a']"
	}
	irun "$TMP/demo-pid" --pid 101 "$S" && {
		has "demo --pid 101 shows 101" "$TMP/demo-pid" "[101]  crimg-worker"
		hasnt "demo --pid 101 leaves out its parent" "$TMP/demo-pid" "[100]"
	}
	"$CRIT" inspect --pid 4242 "$S" > "$TMP/out" 2> "$TMP/ierr"
	rc=$?
	check "demo --pid 4242 (none): exit 1" [ $rc -eq 1 ]
	has "demo --pid 4242: says which pid" "$TMP/ierr" "4242"
	check "demo --pid 4242: nothing on stdout" [ ! -s "$TMP/out" ]
	# unix socket names: a path without its ending NUL, cut in the middle in
	# the tree, whole in JSON; an abstract name with "@", control bytes escaped
	mkdir -p "$TMP/skdemo"
	cp "$S"/* "$TMP/skdemo/"
	"$CRIT" decode -i "$S/files.img" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for e in d["entries"]:
    u = e.get("usk", {})
    if u.get("ino") == 5001:
        u["name"] = "/run/user/1000/crimg/a-rather-long-directory-name/and-deeper/still/demo-socket.sock=00"
    if u.get("ino") == 5002:
        u["name"] = "=00crimg=01=C3=A9=00x"
json.dump(d, sys.stdout)' > "$TMP/skdemo/files.json"
	"$CRIT" encode -i "$TMP/skdemo/files.json" -o "$TMP/skdemo/files.img"
	irun "$TMP/sk.out" --sockets "$TMP/skdemo" && {
		has "--sockets: a long path cut, no NUL" "$TMP/sk.out" \
			"[UNIX (STREAM, ESTABLISHED)]  /run/user/1000/…nd-deeper/still/demo-socket.sock -> socket:[5002] (↑"
		has "--sockets: an abstract name, bytes escaped" "$TMP/sk.out" \
			"[UNIX (STREAM, ESTABLISHED)]  @crimg\x01é\x00x -> socket:[5001] (↑"
		hasnt "--sockets: no NUL shown after a path" "$TMP/sk.out" 'sock\x00'
	}
	irun "$TMP/sk.json" --sockets --format json "$TMP/skdemo" && {
		f=$TMP/sk.json
		q "--sockets JSON: the path whole, no NUL" "[s['address'] for s in P('$f')[100]['sockets'] if s['type'] == 'UNIXSK'] == ['/run/user/1000/crimg/a-rather-long-directory-name/and-deeper/still/demo-socket.sock -> socket:[5002]']"
		q "--sockets JSON: name members" "[s['name'] for t in (100, 101) for s in P('$f')[t]['sockets'] if s['type'] == 'UNIXSK'] == ['/run/user/1000/crimg/a-rather-long-directory-name/and-deeper/still/demo-socket.sock', '@crimg\\x01\\u00e9\\x00x']"
	}
	# the inventory's restore options; a connected TCP socket without its
	# tcp-stream image is a problem (not with --tcp-close, not when present)
	# edit DIR IMAGE PYTHON: a copy's image changed through its JSON
	edit() {
		"$CRIT" decode -i "$1/$2" | python3 -c "import json, sys
d = json.load(sys.stdin)
$3
json.dump(d, sys.stdout)" > "$TMP/edit.json" && "$CRIT" encode -i "$TMP/edit.json" -o "$1/$2"
	}
	for v in opts est est-stream est-close; do
		mkdir -p "$TMP/rst-$v"
		cp "$S"/* "$TMP/rst-$v/"
	done
	edit "$TMP/rst-opts" inventory.img 'e = d["entries"][0]
e.update(tcp_close=True, lsmtype="APPARMOR", allow_uprobes=True, network_lock_method=1,
         plugins_entry={"plugins": ["amdgpu", "cuda"]})'
	for v in est est-stream est-close; do
		edit "$TMP/rst-$v" files.img 'for e in d["entries"]:
    if e["type"] == "INETSK":
        e["isk"].update(state="ESTABLISHED", dst_addr=["2001:db8::2"], dst_port=40000)'
	done
	cp "$BUILD/samples/extras/tcp-stream-1773.img" "$TMP/rst-est-stream/tcp-stream-1771.img"
	edit "$TMP/rst-est-close" inventory.img 'd["entries"][0]["tcp_close"] = True'
	irun "$TMP/rst.out" "$TMP/rst-opts" && {
		sed -n '/^├── Restore options/,/^├── Process\|^└── Process/p' "$TMP/rst.out" > "$TMP/rst.part"
		printf '%s\n' '├── Restore options (inventory.img)' \
			'│   ├── TCP close: yes (connections were not saved: restored closed)' \
			'│   ├── Network lock: nftables' '│   ├── LSM: APPARMOR' '│   ├── Uprobes allowed: yes' \
			'│   ├── Plugins' '│   │   ├── amdgpu' '│   │   └── cuda' '│   ├── Image version: 2' \
			'│   └── CRIU run ID: 00000000-c71e-4d6d-8000-000000000001' '└── Process tree' > "$TMP/rst.want"
		check "restore options from inventory.img ($(head -3 "$TMP/rst.part" | tail -1))" cmp -s "$TMP/rst.want" "$TMP/rst.part"
	}
	irun "$TMP/rst.json" --format json "$TMP/rst-opts" && {
		f=$TMP/rst.json
		q "restore options JSON" "J('$f')['restore'] == {'img_version': 2, 'tcp_close': True, 'network_lock_method': 'nftables', 'lsmtype': 'APPARMOR', 'allow_uprobes': True, 'plugins': ['amdgpu', 'cuda'], 'dump_criu_run_id': '00000000-c71e-4d6d-8000-000000000001', 'missing_tcp_streams': []}"
	}
	lost='tcp-stream-1771.img is missing: the ESTABLISHED TCP connection [2001:db8::1]:8080 -> [2001:db8::2]:40000 (socket 6001, pid 100 fd 4) cannot be restored'
	irun "$TMP/est.out" --sockets "$TMP/rst-est" && {
		has "missing tcp-stream: a problem" "$TMP/est.out" "└── $lost"
		has "missing tcp-stream: warned on stderr" "$TMP/ierr" "crit: warning: $lost"
		has "missing tcp-stream: marked on the socket" "$TMP/est.out" \
			"[TCPv6 (ESTABLISHED)]  [2001:db8::1]:8080 -> [2001:db8::2]:40000 (↑ 208.0 KiB ↓ 208.0 KiB) [tcp-stream-1771.img missing]"
	}
	irun "$TMP/est.json" --format json "$TMP/rst-est" && {
		f=$TMP/est.json
		q "missing tcp-stream: JSON" "J('$f')['problems'] == ['$lost'] and J('$f')['restore']['missing_tcp_streams'] == [{'image': 'tcp-stream-1771.img', 'ino': 6001, 'state': 'ESTABLISHED', 'src': '2001:db8::1', 'src_port': 8080, 'dst': '2001:db8::2', 'dst_port': 40000, 'pid': 100, 'fd': 4}]"
	}
	for v in est-stream est-close; do
		irun "$TMP/$v.out" --sockets "$TMP/rst-$v" && {
			hasnt "$v: no problem" "$TMP/$v.out" "Problems"
			check "$v: no warning" [ ! -s "$TMP/ierr" ]
		}
	done
	# a pre-dump (memory images only) has no process tree: said so, exit 1
	mkdir -p "$TMP/predump"
	cp "$S"/inventory.img "$S"/pagemap-10[01].img "$S"/pages-[12].img "$TMP/predump/"
	"$CRIT" inspect "$TMP/predump" > "$TMP/out" 2> "$TMP/ierr"
	check "demo pre-dump: exit 1" [ $? -eq 1 ]
	check "demo pre-dump: said so ($(cat "$TMP/ierr"))" \
		[ "$(cat "$TMP/ierr")" = "crit: $TMP/predump is a pre-dump (memory only): use crit mem or crit diff" ]
	check "demo pre-dump: nothing on stdout" [ ! -s "$TMP/out" ]
else
	skip "sample checkpoint $S not built"
fi

# ---- usage ----
"$CRIT" inspect --help > "$TMP/help" 2>&1
check "--help: exit 0" [ $? -eq 0 ]
for w in --ps-tree-cmd --ps-tree-env --files --sockets --mounts --all --pid --format \
	process_tree checkpoint_size statistics "Exit status"; do
	has "--help documents $w" "$TMP/help" "$w"
done
for bad in "" "--format xml x" "--pid abc x" "--bogus x" "a b"; do
	# shellcheck disable=SC2086
	"$CRIT" inspect $bad > /dev/null 2>&1
	check "usage error '$bad': exit 2" [ $? -eq 2 ]
done

if ! have_corpus; then
	skip "corpus not found at $CORPUS"
	finish
	exit
fi

# ---- the Podman archives, and each unpacked ----
i=0
for arch in "$A"/podman-busybox-*.tar*; do
	i=$((i + 1))
	an=$(basename "$arch")
	d=$(extract_archive "$arch") || { fail "$an: cannot extract"; continue; }
	t=$TMP/a$i.tree
	irun "$t" "$arch" || continue
	irun "$TMP/d$i.tree" "$d" || continue
	check "$an: root is the container name" [ "$(head -1 "$t")" = "crimg-ctr1" ]
	has "$an: image" "$t" "├── Image: localhost/crimg-busybox:1"
	has "$an: engine" "$t" "├── Engine: Podman"
	has "$an: runtime" "$t" "├── Runtime: runc"
	q "$an: ID = config.dump's" "'├── ID: ' + J('$d/config.dump')['id'] + '\n' in R('$t')"
	has "$an: created" "$t" "├── Created: 2026-11-23T02:47:32Z"
	has "$an: checkpointed" "$t" "├── Checkpointed: 2026-11-23T02:47:"
	has "$an: rootfs diff size" "$t" "├── Root FS diff size: 2.0 KiB"
	has "$an: archive size" "$t" "├── Archive size: "
	has "$an: process 1" "$t" "    └── [1]  sh"
	has "$an: process 8 under 1" "$t" "        └── [8]  sleep"
	# the statistics are stats-dump's (each archive is its own checkpoint)
	st=$TMP/stats$i.json
	"$CRIT" decode -i "$d/stats-dump" > "$st" || fail "$an: cannot decode stats-dump"
	for k in pages_scanned pages_written; do
		w=$([ $k = pages_scanned ] && echo "Pages scanned" || echo "Pages written")
		q "$an: tree: stats-dump's $k" "'$w: %d\n' % J('$st')['entries'][0]['dump']['$k'] in R('$t')"
	done
	# the unpacked directory says the same, but for the archive's own size
	if diff <(grep -v "Archive size" "$t") "$TMP/d$i.tree" > /dev/null; then
		pass "$an: tree from the archive = from the unpacked directory"
	else
		fail "$an: archive and directory differ ($(diff <(grep -v "Archive size" "$t") "$TMP/d$i.tree" | head -4 | tr '\n' ' '))"
	fi

	aj=$TMP/a$i.json dj=$TMP/d$i.json
	irun "$aj" --all --format json "$arch" || continue
	irun "$dj" --all --format json "$d" || continue
	valid_json "$an: --all --format json is JSON" "$aj"
	q "$an: JSON container" "(J('$aj')['container_name'], J('$aj')['image'], J('$aj')['engine'], J('$aj')['runtime']) == ('crimg-ctr1', 'localhost/crimg-busybox:1', 'Podman', 'runc')"
	q "$an: JSON rootfs diff size" "J('$aj')['checkpoint_size']['root_fs_diff_size'] == 2048"
	q "$an: JSON archive size" "J('$aj')['checkpoint_size']['archive_size'] == S('$arch')"
	for k in freezing_time frozen_time memdump_time memwrite_time pages_scanned pages_written; do
		q "$an: JSON statistics $k = stats-dump's" "J('$aj')['statistics']['$k'] == J('$st')['entries'][0]['dump']['$k']"
	done
	q "$an: JSON process tree" "[(p['pid'], p['command']) for p in J('$aj')['process_tree']] == [(1, 'sh'), (8, 'sleep')]"
	q "$an: JSON 8 is 1's child" "P('$aj')[8]['ppid'] == 1 and P('$aj')[1]['children'] == [8]"
	q "$an: JSON no problems" "J('$aj')['problems'] == []"
	q "$an: total size = the files of checkpoint/" "J('$aj')['checkpoint_size']['total_size'] == sum(S(p) for p in G('$d/checkpoint/*'))"
	q "$an: pages size = its pages-*.img" "J('$aj')['checkpoint_size']['memory_pages_size'] == sum(S(p) for p in G('$d/checkpoint/pages-*.img'))"
	# argv and environment from memory = what the engine started it with
	q "$an: cmdline of 1 (memory) = config.dump's args" "P('$aj')[1]['cmdline'] == J('$d/config.dump')['spec']['process']['args']"
	q "$an: cmdline of 8 (memory)" "P('$aj')[8]['cmdline'] == ['sleep', '1']"
	q "$an: environment of 1 (memory) holds config.dump's" "set(J('$d/config.dump')['spec']['process']['env']) <= set(P('$aj')[1]['environment'])"
	q "$an: JSON from the archive = from the directory" "SAME_BUT_SOURCE('$aj', '$dj')"

	irun "$TMP/cmd" --ps-tree-cmd "$arch" && {
		has "$an: --ps-tree-cmd: the container's command line" "$TMP/cmd" "[1]  $CMD"
		has "$an: --ps-tree-cmd: sleep's" "$TMP/cmd" "[8]  sleep 1"
	}
	irun "$TMP/env" --ps-tree-env "$arch" && {
		has "$an: --ps-tree-env: branch" "$TMP/env" "├── Environment variables"
		has "$an: --ps-tree-env: container=podman" "$TMP/env" "container=podman"
		has "$an: --ps-tree-env: PATH" "$TMP/env" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	irun "$TMP/files" --files --pid 8 "$arch" && {
		"$CRIT" x "$arch" fds > "$TMP/xfds"
		has "$an: --files: stdin" "$TMP/files" "[REG 0]  /dev/null"
		p1=$(sed -n 's/^.* 1: pipe\[\([0-9]*\)\]$/\1/p' "$TMP/xfds" | head -1)
		has "$an: --files: stdout = crit x fds's pipe" "$TMP/files" "[PIPE 1]  pipe:[$p1]"
		has "$an: --files: cwd" "$TMP/files" "[cwd]  /"
		hasnt "$an: --pid 8 leaves out 1" "$TMP/files" "[1]  sh"
	}
	irun "$TMP/mounts" --mounts "$arch" && {
		has "$an: --mounts: from spec.dump" "$TMP/mounts" "└── Mounts (spec.dump)"
		has "$an: --mounts: /proc" "$TMP/mounts" "[proc]  /proc from proc (nosuid,noexec,nodev)"
	}
done

# ---- plain CRIU dumps: the process tree is the reference crit's x ps ----
i=0
for x in "$CORPUS"/*/expected/x-ps.txt "$CORPUS"/foreign/*/expected-4.2/x-ps.txt; do
	i=$((i + 1))
	dir=$(dirname "$(dirname "$x")")
	dn=${dir#"$CORPUS"/}
	pj=$TMP/p$i.json
	irun "$pj" --all --format json "$dir" || continue
	q "$dn: process tree = crit x ps" "TREE('$pj') == XPS('$x')"
	q "$dn: no engine" "J('$pj')['engine'] is None and J('$pj')['container_name'] is None"
	irun "$TMP/p.tree" --all "$dir" && {
		check "$dn: --all: root is the path" [ "$(head -1 "$TMP/p.tree")" = "$dir" ]
		hasnt "$dn: no container fields" "$TMP/p.tree" "Engine:"
	}
done

t=$CORPUS/tree
irun "$TMP/tree" "$t" && {
	has "tree: the zombie shown as one" "$TMP/tree" "[3683 (zombie)]  crimg-child2"
	has "tree: how it exited" "$TMP/tree" "Exit: exited with status 7"
	has "tree: its parent" "$TMP/tree" "├── [3680]  crimg-child2"
}
irun "$TMP/tree.json" --all --format json "$t" && {
	f=$TMP/tree.json
	q "tree: zombie in JSON" "P('$f')[3683]['state'] == 'zombie' and P('$f')[3683]['exit_status'] == 7"
	q "tree: a zombie has no files" "'files' not in P('$f')[3683] and 'files' in P('$f')[3680]"
}
irun "$TMP/k" --all "$CORPUS/kitchen" && {
	has "kitchen: env marker from memory" "$TMP/k" "CRIMG_ENV_MARKER=env-7f3a"
	has "kitchen: the ghost file" "$TMP/k" "/tmp/crimg/kitchen.d/ghost.txt (deleted)"
	has "kitchen: the memfd" "$TMP/k" "/memfd:crimg-memfd"
	has "kitchen: a unix stream pair" "$TMP/k" "[UNIX (STREAM, ESTABLISHED)]"
	has "kitchen: a unix dgram pair" "$TMP/k" "[UNIX (DGRAM, ESTABLISHED)]"
	has "kitchen: the eventfd" "$TMP/k" "anon_inode:[eventfd]"
	has "kitchen: no mount namespace dumped" "$TMP/k" "└── Mounts: none in the checkpoint"
}
irun "$TMP/ns" --mounts "$CORPUS/nsbox" && {
	has "nsbox: CRIU's mounts" "$TMP/ns" "└── Mounts (mountpoints-13.img)"
	has "nsbox: its /proc" "$TMP/ns" "[proc]  /proc from proc"
	has "nsbox: its tmpfs" "$TMP/ns" "[tmpfs]  /tmp from crimg-tmp (size=1024k)"
}
irun "$TMP/tcp" --sockets "$CORPUS/tcp" && {
	has "tcp: IPv4 listener" "$TMP/tcp" "[TCP (LISTEN)]  127.0.0.1:47311 -> "
	has "tcp: IPv6 listener" "$TMP/tcp" "[TCPv6 (LISTEN)]  [::1]:47311 -> "
	has "tcp: established" "$TMP/tcp" "[TCP (ESTABLISHED)]  127.0.0.1:47311 -> 127.0.0.1:"
	has "tcp: bound UDP" "$TMP/tcp" "127.0.0.1:47312 -> "
}

# ---- engines told apart, from crafted metadata ----
src=$(extract_archive "$A/podman-busybox-none.tar")
mk() {	# mk NAME: a copy of the unpacked archive to edit
	rm -rf "$TMP/$1"
	mkdir -p "$TMP/$1"
	cp -r "$src"/. "$TMP/$1/"
	chmod -R u+w "$TMP/$1"
	echo "$TMP/$1"
}
e=$(mk crio)
cat > "$e/spec.dump" <<-'EOF'
{"annotations": {"io.kubernetes.cri-o.Metadata": "{\"name\":\"counter\"}",
 "io.kubernetes.cri-o.ImageName": "quay.io/x/counter:latest",
 "io.kubernetes.cri-o.IP.0": "10.0.0.70", "io.kubernetes.cri-o.Created": "2025-05-22T14:31:24.818422898Z",
 "io.kubernetes.pod.name": "counters", "io.kubernetes.pod.namespace": "default"}}
EOF
echo '{"id": "29ed106ef467", "name": "k8s_counter", "runtime": "runc", "checkpointedTime": "2025-05-22T14:31:35Z"}' > "$e/config.dump"
rm -f "$e/network.status"
irun "$TMP/crio.out" "$e" && {
	check "CRI-O: name from its metadata annotation" [ "$(head -1 "$TMP/crio.out")" = "counter" ]
	has "CRI-O: engine" "$TMP/crio.out" "Engine: CRI-O"
	has "CRI-O: IP" "$TMP/crio.out" "IP: 10.0.0.70"
	has "CRI-O: pod" "$TMP/crio.out" "Pod: counters"
	has "CRI-O: image" "$TMP/crio.out" "Image: quay.io/x/counter:latest"
	has "CRI-O: checkpointed from config.dump" "$TMP/crio.out" "Checkpointed: 2025-05-22T14:31:35Z"
}
e=$(mk containerd)
echo '{"annotations": {"io.kubernetes.cri.container-name": "web", "io.kubernetes.cri.sandbox-name": "webpod"}}' > "$e/spec.dump"
echo '{"id": "abc", "rootfsImageName": "docker.io/library/nginx:1", "runtime": "io.containerd.runc.v2"}' > "$e/config.dump"
echo '{"CreatedAt": 1700000000000000000, "Pid": 1}' > "$e/status"
rm -f "$e/network.status"
irun "$TMP/ctrd" "$e" && {
	check "containerd: name from its annotation" [ "$(head -1 "$TMP/ctrd")" = "web" ]
	has "containerd: engine" "$TMP/ctrd" "Engine: containerd"
	has "containerd: created from status" "$TMP/ctrd" "Created: 2023-11-14T22:13:20Z"
}
e=$(mk podnet)
echo '{"podman": {"interfaces": {"eth0": {"subnets": [{"ipnet": "10.88.0.5/16", "gateway": "10.88.0.1"}], "mac_address": "2a:bb:cc:dd:ee:ff"}}}}' > "$e/network.status"
irun "$TMP/net" "$e" && {
	has "Podman network.status: IP" "$TMP/net" "IP: 10.88.0.5/16"
	has "Podman network.status: MAC" "$TMP/net" "MAC: 2a:bb:cc:dd:ee:ff"
}
e=$(mk unknown)
echo '{"annotations": {"vendor": "x"}}' > "$e/spec.dump"
echo '{"name": "mystery"}' > "$e/config.dump"
irun "$TMP/unk" "$e" && has "unrecognised files: engine unknown" "$TMP/unk" "Engine: unknown"

# ---- bad input ----
e=$(mk badcfg)
printf '{"name": "crimg-ctr1", "rootfsImageName": ' > "$e/config.dump"
(cd "$e" && tar -cf "$TMP/badcfg.tar" .)
for s in "$e" "$TMP/badcfg.tar"; do
	sn=$(basename "$s")
	irun "$TMP/bad" "$s" && {
		has "$sn: invalid config.dump: still the process tree" "$TMP/bad" "[8]  sleep"
		has "$sn: invalid config.dump: still the statistics" "$TMP/bad" "CRIU dump statistics"
		has "$sn: invalid config.dump: noted" "$TMP/bad" "config.dump: line 1 column"
		has "$sn: invalid config.dump: warned on stderr" "$TMP/ierr" "warning: config.dump:"
		has "$sn: engine still from spec.dump" "$TMP/bad" "Engine: Podman"
	}
	f=$TMP/bad-$sn.json
	irun "$f" --all --format json "$s" && {
		valid_json "$sn: invalid config.dump: JSON still JSON" "$f"
		q "$sn: invalid config.dump: problems[]" "len(J('$f')['problems']) == 1 and J('$f')['problems'][0].startswith('config.dump: line 1')"
		q "$sn: invalid config.dump: processes" "sorted(P('$f')) == [1, 8]"
	}
done
e=$(mk types)
echo '{"name": 42, "rootfsImageName": ["x"], "runtime": {}, "createdTime": null, "spec": 7}' > "$e/config.dump"
echo '{"annotations": {"io.container.manager": 5}, "mounts": [3, {"destination": 7, "options": "ro"}]}' > "$e/spec.dump"
echo '[1, 2, {"ips": "x"}]' > "$e/network.status"
irun "$TMP/types.out" --all "$e" && {
	has "wrong types: .name" "$TMP/types.out" "config.dump: .name is a number, not a string"
	has "wrong types: .rootfsImageName" "$TMP/types.out" "config.dump: .rootfsImageName is an array, not a string"
	has "wrong types: annotation" "$TMP/types.out" "spec.dump: .annotations[\"io.container.manager\"] is a number, not a string"
	has "wrong types: mounts[0]" "$TMP/types.out" "spec.dump: .mounts[0] is a number, not an object"
	has "wrong types: mounts[1].destination" "$TMP/types.out" "spec.dump: .mounts[1].destination is a number"
	has "wrong types: network.status" "$TMP/types.out" "network.status: [2].ips is a string, not an array"
	has "wrong types: still the command lines" "$TMP/types.out" "[1]  $CMD"
	check "wrong types: root falls back to 'Container'" [ "$(head -1 "$TMP/types.out")" = "Container" ]
}
e=$(mk garbage)
head -c 3000 /dev/urandom > "$e/spec.dump"
printf '[]' > "$e/config.dump"
irun "$TMP/garb" "$e" && {
	has "binary spec.dump: noted" "$TMP/garb" "spec.dump: line"
	has "config.dump not an object: noted" "$TMP/garb" "config.dump: is an array, not an object"
	has "binary spec.dump: still the tree" "$TMP/garb" "[1]  sh"
}
e=$(mk badstats)
head -c 20 "$src/stats-dump" > "$e/stats-dump"
irun "$TMP/bst" "$e" && {
	has "truncated stats-dump: noted" "$TMP/bst" "stats-dump: offset 8: entry 0: entry size"
	hasnt "truncated stats-dump: no statistics" "$TMP/bst" "CRIU dump statistics"
	has "truncated stats-dump: still the tree" "$TMP/bst" "[8]  sleep"
}
# a missing pstree.img: a precise error, exit 1, nothing on stdout
e=$(mk nopstree)
rm "$e/checkpoint/pstree.img"
(cd "$e" && tar -czf "$TMP/nopstree.tar.gz" .)
for s in "$e" "$TMP/nopstree.tar.gz"; do
	sn=$(basename "$s")
	"$CRIT" inspect "$s" > "$TMP/out" 2> "$TMP/ierr"
	rc=$?
	check "$sn: no pstree.img: exit 1" [ $rc -eq 1 ]
	has "$sn: no pstree.img: named" "$TMP/ierr" "crit: pstree.img: no such image in"
	check "$sn: no pstree.img: nothing on stdout" [ ! -s "$TMP/out" ]
done
# the tcp dump: its options, and both connections' streams; without one
# of them, that connection is named
irun "$TMP/tcp.json" --format json "$CORPUS/tcp" && {
	f=$TMP/tcp.json
	q "tcp: restore options" "J('$f')['restore'] == {'img_version': 2, 'tcp_close': False, 'network_lock_method': 'iptables', 'lsmtype': 'NO_LSM', 'allow_uprobes': False, 'plugins': [], 'dump_criu_run_id': '723b43a3-8122-4d2b-bedd-a64e56fb3b25', 'missing_tcp_streams': []} and J('$f')['problems'] == []"
}
mkdir -p "$TMP/tcp-lost"
cp -r "$CORPUS/tcp/." "$TMP/tcp-lost/"
rm "$TMP/tcp-lost/tcp-stream-14f83.img"
irun "$TMP/tcp-lost.out" "$TMP/tcp-lost" &&
	has "tcp without tcp-stream-14f83.img: named" "$TMP/tcp-lost.out" \
		"└── tcp-stream-14f83.img is missing: the ESTABLISHED TCP connection 127.0.0.1:36138 -> 127.0.0.1:47311 (socket 85891, pid 3703 fd 5) cannot be restored"
# a pre-dump has no process tree by design: said so, exit 1
for s in "$CORPUS/incr-pre1" "$CORPUS/incr-pre2"; do
	sn=$(basename "$s")
	"$CRIT" inspect "$s" > "$TMP/out" 2> "$TMP/ierr"
	check "$sn: a pre-dump: exit 1" [ $? -eq 1 ]
	check "$sn: a pre-dump: said so" [ "$(cat "$TMP/ierr")" = "crit: $s is a pre-dump (memory only): use crit mem or crit diff" ]
	check "$sn: a pre-dump: nothing on stdout" [ ! -s "$TMP/out" ]
done
# a damaged core image: the same, even when found half-way through the tree
e=$(mk badcore)
head -c 20 "$src/checkpoint/core-8.img" > "$e/checkpoint/core-8.img"
"$CRIT" inspect "$e" > "$TMP/out" 2> "$TMP/ierr"
check "truncated core-8.img: exit 1" [ $? -eq 1 ]
has "truncated core-8.img: named" "$TMP/ierr" "core-8.img"
check "truncated core-8.img: nothing on stdout" [ ! -s "$TMP/out" ]
"$CRIT" inspect /nonexistent/ckpt > /dev/null 2> "$TMP/ierr"
check "no such SRC: exit 1" [ $? -eq 1 ]
has "no such SRC: named" "$TMP/ierr" "/nonexistent/ckpt"

pychecks
finish
