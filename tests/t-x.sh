#!/usr/bin/env bash
# asan-ok
# crit x: ps/fds/mems/rss text equal to CRIU 4.2 crit's on every corpus
# dump that has its output (expected/, foreign/*/expected-4.2/), the same
# from .tar, .tar.gz and .tar.zst archives (the corpus's and ones made here),
# the zombie shown where crit stops, every descriptor of the kitchen
# workload resolved to the right kind and target (JSON), every view's JSON
# valid on every dump, the sample checkpoint against golden files
# (tests/x/, UPDATE=1 rewrites them), and bad input: precise errors, exit 1.
. "$(dirname "$0")/lib.sh"
S=$BUILD/samples/demo
GOLD=$TOP/tests/x
VIEWS="ps fds mems rss sk core env cmdline mounts ns cgroups stats"

# same NAME FILE_A FILE_B
same() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1: differs ($(diff "$2" "$3" | head -4 | tr '\n' ' '))"
	fi
}

# xrun OUT ARGS...: crit x ARGS > OUT; fails the test on a non-zero exit
xrun() {
	local out=$1
	shift
	"$CRIT" x "$@" > "$out" 2> "$TMP/xerr"
	local rc=$?
	if [ $rc -ne 0 ]; then
		fail "crit x $*: exit status $rc ($(head -c 200 "$TMP/xerr"))"
		return 1
	fi
	return 0
}

# ---- the sample checkpoint: golden files, meaningful without the corpus ----
if [ -d "$S" ]; then
	mkdir -p "$GOLD"
	for v in $VIEWS; do
		for fmt in text json; do
			g=$GOLD/demo-$v.$fmt
			xrun "$TMP/out" "$S" "$v" --format "$fmt" || continue
			[ -n "${UPDATE:-}" ] && cp "$TMP/out" "$g"
			same "demo x $v --format $fmt = $(basename "$g")" "$g" "$TMP/out"
		done
	done
	# argv and environment from memory: a copy of the sample whose stack
	# page holds them (pid 100's 4th page, mm_arg_start 0x7ffc00001e00)
	mkdir -p "$TMP/envdemo"
	cp "$S"/* "$TMP/envdemo/"
	python3 - "$TMP/envdemo/pages-1.img" <<-'EOF'
	import sys
	p = sys.argv[1]
	d = bytearray(open(p, 'rb').read())
	args = b'crimg-demo\0--serve\0-v x\0'          # 0x...1e00 .. 0x...1e1b (27 bytes)
	assert len(args) <= 0x1b
	env = b'HOME=/srv\0DEMO_MARKER=env-7f3a\0'
	base = 3 * 4096
	d[base + 0xe00:base + 0xe00 + len(args)] = args
	d[base + 0xe1b:base + 0xe1b + len(env)] = env
	open(p, 'wb').write(bytes(d))
	EOF
	if xrun "$TMP/out" "$TMP/envdemo" cmdline --pid 100; then
		check "demo cmdline from memory" grep -qx "    100  crimg-demo --serve '-v x'" "$TMP/out"
	fi
	if xrun "$TMP/out" "$TMP/envdemo" env --pid 100 --format json; then
		check "demo env from memory (JSON)" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"][0]
assert t["strings"] == ["HOME=/srv", "DEMO_MARKER=env-7f3a"], t["strings"]
assert t["address"] == "0x7ffc00001e1b", t["address"]' "$TMP/out"
	fi
	# unix socket names as a user reads them: a path without the NUL that
	# ends it, cut in the middle to the LOCAL column; an abstract name with
	# "@", other bytes escaped; whole in JSON
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
	if xrun "$TMP/out" "$TMP/skdemo" sk; then
		check "x sk: a long path cut to its column, no NUL" grep -qxF \
			'    100      3  unix/stream  ESTABLISHED      5001  /run/use.../demo-socket.sock 5002 @crimg\x01\xc3\xa9\x00x' "$TMP/out"
		check "x sk: an abstract name with @, bytes escaped" grep -qxF \
			'    101      3  unix/stream  ESTABLISHED      5002  @crimg\x01\xc3\xa9\x00x      5001 /run/use.../demo-socket.sock' "$TMP/out"
		check "x sk: PEER starts at the same column on every line" \
			test "$(awk 'substr($0, 81, 1) != " " || substr($0, 82, 1) == " "' "$TMP/out" | wc -l)" -eq 0
	fi
	if xrun "$TMP/out" "$TMP/skdemo" sk --format json; then
		check "x sk --format json: names whole, no path NUL" python3 -c '
import json, sys
n = sorted(s["name"] for t in json.load(open(sys.argv[1]))["tasks"] for s in t["sockets"] if s["type"] == "UNIXSK")
assert n == ["/run/user/1000/crimg/a-rather-long-directory-name/and-deeper/still/demo-socket.sock",
             "@crimg\x01\u00e9\x00x"], n' "$TMP/out"
	fi
	# pending signals (shared and per thread) and each thread's blocked mask,
	# from raw siginfo_t bytes: the same from a little- and a big-endian dump
	for bo in little big; do
		mkdir -p "$TMP/sig-$bo"
		cp "$S"/* "$TMP/sig-$bo/"
		python3 - "$CRIT" "$TMP/sig-$bo" "$bo" <<-'EOF'
		import base64, json, struct, subprocess, sys
		crit, d, bo = sys.argv[1:4]
		o = "<" if bo == "little" else ">"
		def si(signo, code, union=b"", n=128):      # x86_64 layout: union at 16
		    b = struct.pack(o + "iii", signo, 0, code) + b"\0" * 4 + union
		    return {"siginfo": base64.b64encode((b + b"\0" * 128)[:n]).decode()}
		kill = lambda pid, uid: struct.pack(o + "iI", pid, uid)
		def edit(name, f):
		    p = "%s/%s" % (d, name)
		    j = json.loads(subprocess.run([crit, "decode", "-i", p], capture_output=True, check=True).stdout)
		    f(j["entries"][0])
		    subprocess.run([crit, "encode", "--byte-order", bo, "-o", p], input=json.dumps(j).encode(), check=True)
		def c100(e):
		    e["tc"]["signals_s"] = {"signals": [
		        si(10, -1, kill(4242, 1000) + struct.pack(o + "Q", 0x7f3a)),   # sigqueue
		        si(15, 0, kill(1, 0)),                                          # kill
		        si(17, 1, kill(77, 0) + struct.pack(o + "i", 3)),               # a child exited
		        si(11, 1, struct.pack(o + "Q", 0xdeadbeef000)),                 # a fault
		        si(1, -1, n=12)]}                                               # cut short
		    e["thread_core"]["signals_p"] = {"signals": [si(12, -6, kill(100, 0))]}   # tgkill
		def c102(e):
		    e["thread_core"]["blk_sigset"] = 0x201
		    e["thread_core"]["signals_p"] = {"signals": [
		        si(14, -2, struct.pack(o + "iiQ", 3, 2, 0x99)),                 # a POSIX timer
		        si(29, 1, struct.pack(o + "qi", 1, 5))]}                        # SIGIO, POLL_IN
		edit("core-100.img", c100)
		edit("core-102.img", c102)
		EOF
		xrun "$TMP/sig-$bo.text" "$TMP/sig-$bo" core || continue
		printf '%s\n' \
			'	pending    SIGUSR1 SI_QUEUE pid 4242 uid 1000 value 0x7f3a' \
			'	pending    SIGTERM SI_USER pid 1 uid 0' \
			'	pending    SIGCHLD CLD_EXITED pid 77 uid 0 status 3' \
			'	pending    SIGSEGV SEGV_MAPERR addr 0xdeadbeef000' \
			'	pending    SIGHUP SI_QUEUE (siginfo cut short: 12 bytes)' \
			'	thread     100: pending SIGUSR2 SI_TKILL pid 100 uid 0 value 0x0' \
			'	thread     102: blocked SIGHUP|SIGUSR1' \
			'	thread     102: pending SIGALRM SI_TIMER timer 3 overrun 2 value 0x99' \
			'	thread     102: pending SIGIO POLL_IN band 0x1 fd 5' > "$TMP/sig.want"
		check "x core ($bo-endian): pending signals and thread masks" \
			cmp -s "$TMP/sig.want" <(grep -E '^	(pending|thread +[0-9]+: (blocked|pending))' "$TMP/sig-$bo.text")
		xrun "$TMP/sig-$bo.json" "$TMP/sig-$bo" core --format json &&
			check "x core --format json ($bo-endian): pending signals" python3 -c '
import json, sys
t = {x["pid"]: x for x in json.load(open(sys.argv[1]))["tasks"]}
p = t[100]["pending"]
assert p[0] == {"signo": 10, "signal": "SIGUSR1", "code": -1, "code_name": "SI_QUEUE", "errno": 0,
                "layout": "rt", "pid": 4242, "uid": 1000, "value": "0x7f3a"}, p[0]
assert p[2]["layout"] == "chld" and p[2]["status"] == 3 and p[3]["addr"] == "0xdeadbeef000", p
assert p[4] == {"signo": 1, "signal": "SIGHUP", "code": -1, "code_name": "SI_QUEUE", "errno": 0,
                "layout": "short", "bytes": 12}, p[4]
th = {x["tid"]: x for x in t[101]["threads"]}
assert th[101]["pending"] == [] and th[102]["blocked"] == "0x201", th
assert th[102]["pending"][0]["timerid"] == 3 and th[102]["pending"][1] == {"signo": 29,
    "signal": "SIGIO", "code": 1, "code_name": "POLL_IN", "errno": 0, "layout": "poll", "band": 1, "fd": 5}
assert t[100]["threads"][0]["pending"][0]["code_name"] == "SI_TKILL"' "$TMP/sig-$bo.json"
	done
	check "x core: a big-endian dump's signals read the same" cmp -s "$TMP/sig-little.text" "$TMP/sig-big.text"
	# older dumps keep shared pending signals in signal-s-PID.img
	mkdir -p "$TMP/sig-old"
	cp "$S"/* "$BUILD/samples/extras/signal-s-100.img" "$TMP/sig-old/"
	xrun "$TMP/out" "$TMP/sig-old" core --pid 100 &&
		check "x core: pending signals of signal-s-PID.img" grep -qxF \
			'	pending    SIGUSR1 SI_USER pid 100 uid 0' "$TMP/out"
	# the sample against Debian's crit (3.17: its ps, fds and mems are 4.2's)
	if have_pycrit; then
		for v in ps fds mems; do
			pycrit x "$S" "$v" > "$TMP/ref" 2>/dev/null || { skip "pycrit x demo $v failed"; continue; }
			xrun "$TMP/out" "$S" "$v" && same "demo x $v = Debian's crit" "$TMP/ref" "$TMP/out"
		done
	fi
else
	fail "no sample checkpoint in $S (make builds it)"
fi

# ---- usage and help ----
"$CRIT" x --help > "$TMP/help" 2>&1
check "x --help exits 0" test $? -eq 0
for v in $VIEWS; do
	grep -q "^  $v " "$TMP/help" || { fail "x --help does not describe '$v'"; continue; }
done
pass "x --help describes every view"
# the views the help lists, and the two messages that name them, are all
# the views there are (one table: none forgotten, none extra)
want=$(echo $VIEWS | tr ' ' '\n' | sort | tr '\n' ' ')
got=$(sed -n '/^views /,/^$/p' "$TMP/help" | grep -oE '^  [a-z]+ ' | tr -d ' ' | sort | tr '\n' ' ')
check "x --help lists exactly the views ($got)" test "$got" = "$want"
"$CRIT" x "$S" bogus 2> "$TMP/err"
got=$(sed -n "s/.*unknown view 'bogus' (choose from \(.*\))$/\1/p" "$TMP/err" | tr -d ',' | tr ' ' '\n' | sort | tr '\n' ' ')
check "x SRC bogus names every view ($got)" test "$got" = "$want"
"$CRIT" x "$S" 2> "$TMP/err"
got=$(sed -n 's/.*which view? (\(.*\))$/\1/p' "$TMP/err" | tr -d ',' | tr ' ' '\n' | sort | tr '\n' ' ')
check "x SRC names every view ($got)" test "$got" = "$want"
for args in "" "$S" "$S nosuchview" "--format yaml $S ps" "--pid x $S ps" "$S ps extra" "--bogus $S ps"; do
	# shellcheck disable=SC2086
	"$CRIT" x $args > /dev/null 2> "$TMP/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q "crit x: error:" "$TMP/err"; then
		pass "usage error: x $args"
	else
		fail "usage error: x $args: exit $rc, '$(head -c 200 "$TMP/err")'"
	fi
done

# ---- bad input ----
# expect_fail NAME PATTERN ARGS...: exit 1, one line on stderr matching PATTERN
expect_fail() {
	local name=$1 pat=$2
	shift 2
	"$CRIT" x "$@" > /dev/null 2> "$TMP/err"
	local rc=$?
	if [ $rc -ne 1 ]; then
		fail "$name: exit status $rc, want 1 ($(head -c 200 "$TMP/err"))"
	elif [ "$(wc -l < "$TMP/err")" -ne 1 ]; then
		fail "$name: $(wc -l < "$TMP/err") lines on stderr: $(head -c 300 "$TMP/err")"
	elif ! grep -qE -- "$pat" "$TMP/err"; then
		fail "$name: '$(cat "$TMP/err")' does not match /$pat/"
	else
		pass "$name"
	fi
}
mkdir -p "$TMP/bad"
cp -r "$S" "$TMP/bad/nofdinfo" && rm "$TMP/bad/nofdinfo/fdinfo-3.img"
expect_fail "missing fdinfo image" "^crit: fdinfo-3\.img: no such image in " "$TMP/bad/nofdinfo" fds
cp -r "$S" "$TMP/bad/nofs" && rm "$TMP/bad/nofs/fs-100.img"
expect_fail "missing fs image" "^crit: fs-100\.img: no such image in " "$TMP/bad/nofs" fds
cp -r "$S" "$TMP/bad/nomm" && rm "$TMP/bad/nomm/mm-100.img"
expect_fail "missing mm image" "^crit: mm-100\.img: no such image in " "$TMP/bad/nomm" mems
cp -r "$S" "$TMP/bad/nocore" && rm "$TMP/bad/nocore/core-101.img"
expect_fail "missing core image" "^crit: core-101\.img: no such image in " "$TMP/bad/nocore" ps
cp -r "$S" "$TMP/bad/nofiles" && rm "$TMP/bad/nofiles/files.img"
expect_fail "missing files image" "^crit: files\.img: no such image in " "$TMP/bad/nofiles" fds
cp -r "$S" "$TMP/bad/nopstree" && rm "$TMP/bad/nopstree/pstree.img"
expect_fail "missing pstree image" "^crit: pstree\.img: no such image in " "$TMP/bad/nopstree" ps
cp -r "$S" "$TMP/bad/trunc" && head -c 100 "$S/core-100.img" > "$TMP/bad/trunc/core-100.img"
expect_fail "truncated core image" "^crit: core-100\.img: offset [0-9]+: " "$TMP/bad/trunc" ps
cp -r "$S" "$TMP/bad/wrongkind" && cp "$S/fs-100.img" "$TMP/bad/wrongkind/ids-100.img"
expect_fail "an image of the wrong kind" "^crit: ids-100\.img: .*not a task_kobj_ids_entry" \
	"$TMP/bad/wrongkind" fds
expect_fail "no such task" "^crit: pstree\.img: no task with pid 4242 " "$S" fds --pid 4242
# a pre-dump (memory images only): the views of processes say what it is
# and what to use; those of the dump as a whole still run, as does mem
mkdir -p "$TMP/bad/predump"
cp "$S"/inventory.img "$S"/pagemap-10[01].img "$S"/pages-[12].img "$TMP/bad/predump/"
for v in ps fds mems rss sk core env cmdline ns; do
	expect_fail "pre-dump: x $v" \
		"^crit: $TMP/bad/predump is a pre-dump \(memory only\): use crit mem or crit diff\$" \
		"$TMP/bad/predump" $v
done
expect_fail "pre-dump: x ps --pid" "is a pre-dump \(memory only\)" "$TMP/bad/predump" ps --pid 100
for v in mounts cgroups stats; do
	xrun "$TMP/out" "$TMP/bad/predump" $v && pass "pre-dump: x $v still runs"
done
"$CRIT" mem "$TMP/bad/predump" > "$TMP/out" 2>&1 && grep -q '^100 ' "$TMP/out" &&
	pass "pre-dump: mem still runs" || fail "pre-dump: mem: $(head -c 200 "$TMP/out")"
mkdir -p "$TMP/bad/empty"
expect_fail "not a checkpoint" "not a checkpoint" "$TMP/bad/empty" ps
expect_fail "no such path" "No such file" "$TMP/bad/nothere" ps
# archive members that point outside: refused, nothing written
python3 - "$TMP/bad" "$S" <<-'EOF'
import io, os, sys, tarfile
out, src = sys.argv[1], sys.argv[2]
for name, member in (("dotdot", "../escaped-x.img"), ("abs", "/tmp/crimg-escaped-x.img"),
                     ("deep", "checkpoint/../../escaped-x.img")):
    with tarfile.open(os.path.join(out, name + ".tar"), "w") as t:
        for f in sorted(os.listdir(src)):
            t.add(os.path.join(src, f), arcname="checkpoint/" + f)
        data = b"escaped"
        ti = tarfile.TarInfo(member)
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
EOF
for a in dotdot abs deep; do
	expect_fail "archive member outside ($a)" "points outside the archive" "$TMP/bad/$a.tar" ps
done
[ ! -e "$TMP/escaped-x.img" ] && [ ! -e /tmp/crimg-escaped-x.img ] && [ ! -e "$(dirname "$TMP")/escaped-x.img" ] &&
	pass "no member written outside" || fail "an archive member was written outside"
printf 'not an archive at all\n' > "$TMP/bad/junk.tar"
expect_fail "a file that is no archive" "not a checkpoint directory or archive" "$TMP/bad/junk.tar" ps

# damaged images (bytes changed, cut short): exit 0 or 1, never a crash
# (this suite also runs under ASan+UBSan)
python3 - "$CRIT" "$S" "$TMP/fuzz" > "$TMP/fuzz.out" 2>&1 <<-'EOF'
import os, random, shutil, subprocess, sys
crit, src, work = sys.argv[1:4]
random.seed(11)
imgs = sorted(f for f in os.listdir(src) if f.endswith(".img") and not f.startswith("pages"))
runs = bad = 0
for it in range(25):
    d = os.path.join(work, "d")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(src, d)
    f = random.choice(imgs)
    b = bytearray(open(os.path.join(d, f), "rb").read())
    for _ in range(random.randint(1, 4)):
        i = random.randrange(len(b))
        b[i] = random.randrange(256)
    if random.random() < 0.3:
        b = b[:random.randrange(len(b))]
    open(os.path.join(d, f), "wb").write(b)
    for v in ("ps", "fds", "mems", "rss", "sk", "core", "env", "ns"):
        p = subprocess.run([crit, "x", d, v, "--format", random.choice(("text", "json"))],
                           capture_output=True)
        runs += 1
        err = p.stderr.decode(errors="replace")
        if p.returncode not in (0, 1) or "Sanitizer" in err or "runtime error" in err:
            bad += 1
            print("%s damaged, x %s: exit %d %s" % (f, v, p.returncode, err[:300]))
print("runs %d bad %d" % (runs, bad))
EOF
grep -q '^runs [0-9]* bad 0$' "$TMP/fuzz.out" && pass "damaged images: $(tail -1 "$TMP/fuzz.out")" ||
	fail "damaged images: $(head -3 "$TMP/fuzz.out")"

# ---- the corpus ----
if ! have_corpus; then
	skip "no corpus in $CORPUS: corpus tests"
	finish
	exit
fi

# the corpus's pre-dumps
for d in incr-pre1 incr-pre2; do
	for v in ps fds rss; do
		expect_fail "$d: x $v: a pre-dump" \
			"^crit: $CORPUS/$d is a pre-dump \(memory only\): use crit mem or crit diff\$" \
			"$CORPUS/$d" $v
	done
done

# a missing ids image (CRIU 4.2 keeps the ids nowhere else)
cp -r "$CORPUS/kitchen" "$TMP/bad/noids" && rm "$TMP/bad/noids/ids-3654.img"
expect_fail "missing ids image" "^crit: ids-3654\.img: no such image in " "$TMP/bad/noids" fds
expect_fail "missing ids image (sk)" "^crit: ids-3654\.img: no such image in " "$TMP/bad/noids" sk

# every dump that has crit 4.2's x output
n_ref=0
for exp in "$CORPUS"/*/expected/x-*.txt "$CORPUS"/foreign/*/expected-4.2/x-*.txt; do
	[ -f "$exp" ] || continue
	d=$(dirname "$(dirname "$exp")")
	v=$(basename "$exp" .txt); v=${v#x-}
	xrun "$TMP/out" "$d" "$v" && same "x ${d#$CORPUS/} $v = crit 4.2" "$exp" "$TMP/out"
	n_ref=$((n_ref + 1))
done
[ $n_ref -ge 30 ] && pass "$n_ref reference outputs compared" || fail "only $n_ref reference outputs found"

# the zombie: crit 4.2 stops at it (ids-3683.img); we show it and go on
T=$CORPUS/tree
for v in fds mems rss; do
	xrun "$TMP/$v" "$T" "$v" || continue
	check "tree x $v: all 6 tasks" test "$(grep -c '^[0-9]' "$TMP/$v")" -eq 6
	check "tree x $v: the zombie's exit status" grep -q "zombie.*exited with status 7" "$TMP/$v"
	check "tree x $v: the task after the zombie" grep -qx "3684" "$TMP/$v"
done
awk '/^3683$/ { getline; print; exit }' "$TMP/fds" > "$TMP/zline"
check "tree x fds: zombie has no files" grep -qxF "$(printf '\t zombie: exited with status 7, no files')" "$TMP/zline"
check "tree x fds: the parent's pidfd" grep -qxF "$(printf '\t     11: PIDFD.13')" "$TMP/fds"
xrun "$TMP/ps.json" "$T" ps --format json &&
	check "tree x ps JSON: zombie state and exit status" python3 -c '
import json, sys
t = {x["pid"]: x for x in json.load(open(sys.argv[1]))["tasks"]}
assert t[3683]["state"] == "zombie" and t[3683]["exit_status"] == 7, t[3683]
assert t[3680]["children"] == [3683] and t[3683]["depth"] == 2
assert [x for x in t if t[x]["state"] != "alive"] == [3683]' "$TMP/ps.json"
# the same tree without its zombie: Debian's crit agrees with us on the rest
if have_pycrit; then
	mkdir -p "$TMP/nozombie"
	cp "$T"/* "$TMP/nozombie/" 2>/dev/null
	"$CRIT" decode -i "$T/pstree.img" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d["entries"] = [e for e in d["entries"] if e["pid"] != 3683]
json.dump(d, sys.stdout)' | "$CRIT" encode -o "$TMP/nozombie/pstree.img"
	rm -f "$TMP/nozombie/core-3683.img"
	for v in ps mems; do
		pycrit x "$TMP/nozombie" "$v" > "$TMP/ref" 2>/dev/null || { skip "pycrit x tree-without-zombie $v"; continue; }
		xrun "$TMP/out" "$TMP/nozombie" "$v" && same "tree without its zombie: x $v = Debian's crit" "$TMP/ref" "$TMP/out"
		# and with the zombie, ours is that plus the zombie
		xrun "$TMP/out2" "$T" "$v" && grep -v -e '^3683$' -e 'zombie' "$TMP/out2" |
			grep -v '^ *3683 ' > "$TMP/out3"
		[ "$v" = mems ] && same "tree x $v = the zombie-less output + the zombie" "$TMP/ref" "$TMP/out3"
	done
	# fds: Debian's 3.17 does not know PIDFD (prints its number 20)
	if pycrit x "$TMP/nozombie" fds > "$TMP/ref" 2>/dev/null; then
		xrun "$TMP/out" "$TMP/nozombie" fds && sed 's/PIDFD\./20./' "$TMP/out" > "$TMP/out2" &&
			same "tree without its zombie: x fds = Debian's crit (PIDFD named)" "$TMP/ref" "$TMP/out2"
	else
		skip "Debian's crit x fds on the tree (3.17 cannot read its PIDFD entry)"
	fi
fi

# rss on CRIU 3.17 dumps (crit 4.2 fails: their pagemaps count pages in field 2)
for d in "$CORPUS"/foreign/*-kitchen; do
	xrun "$TMP/out" "$d" rss || continue
	pm=$(ls "$d"/pagemap-[0-9]*.img | head -1)
	"$CRIT" decode -i "$pm" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["entries"][1:]:
    print("\t%x / %d" % (e["vaddr"], e.get("nr_pages", e.get("compat_nr_pages"))))' > "$TMP/want"
	grep -oP '^\t[0-9a-f]+ / [0-9]+' "$TMP/out" > "$TMP/got"
	same "x ${d#$CORPUS/} rss: page runs from pagemap field 2" "$TMP/want" "$TMP/got"
done

# archives: the corpus's, and ours made from directories; same answers
for d in kitchen tree nsbox; do
	src=$CORPUS/$d
	mkdir -p "$TMP/arch-src/$d/checkpoint"
	cp "$src"/*.img "$src"/stats-dump "$TMP/arch-src/$d/checkpoint/"
	tar -C "$TMP/arch-src/$d" -cf "$TMP/$d.tar" checkpoint
	tar -C "$TMP/arch-src/$d" -czf "$TMP/$d.tar.gz" checkpoint
	tar -C "$TMP/arch-src/$d" --zstd -cf "$TMP/$d.tar.zst" checkpoint
	tar -C "$src" -cf "$TMP/$d-flat.tar" $(cd "$src" && ls *.img stats-dump)
	for v in ps fds mems rss sk core env cmdline ns; do
		xrun "$TMP/dir.out" "$src" "$v" --format json || continue
		for a in "$d.tar" "$d.tar.gz" "$d.tar.zst" "$d-flat.tar"; do
			xrun "$TMP/a.out" "$TMP/$a" "$v" --format json &&
				same "x $a $v = the directory's" "$TMP/dir.out" "$TMP/a.out"
		done
	done
	for v in ps fds mems rss; do
		exp=$src/expected/x-$v.txt
		[ -f "$exp" ] || continue
		xrun "$TMP/a.out" "$TMP/$d.tar.zst" "$v" && same "x $d.tar.zst $v = crit 4.2" "$exp" "$TMP/a.out"
	done
done
A=$CORPUS/archives
if [ -d "$A" ]; then
	ext=$(extract_archive "$A/podman-busybox-none.tar")
	for v in $VIEWS; do
		xrun "$TMP/dir.out" "$ext" "$v" --format json || continue
		cp "$TMP/dir.out" "$TMP/podjson-$v.json"
		for a in podman-busybox-none.tar podman-busybox-gzip.tar.gz podman-busybox-zstd.tar.zst; do
			xrun "$TMP/a.out" "$A/$a" "$v" --format json || continue
			# the three checkpoints were taken seconds apart: same tree,
			# different registers and stats; compare what cannot change
			case $v in
			ps | fds | mounts | ns | cgroups | sk | cmdline | env)
				same "$a x $v = unpacked" "$TMP/dir.out" "$TMP/a.out" ;;
			*)
				cp "$TMP/a.out" "$TMP/podjson-$v-$a.json" ;;
			esac
		done
	done
	"$CRIT" x "$A/podman-busybox-zstd.tar.zst" ps > "$TMP/out" &&
		check "podman archive x ps: the container's shell" grep -q ' sh$' "$TMP/out"
	"$CRIT" x "$A/podman-busybox-zstd.tar.zst" stats > "$TMP/out" &&
		check "podman archive x stats (stats-dump beside checkpoint/)" grep -q '^pages written ' "$TMP/out"
	"$CRIT" x "$A/podman-busybox-gzip.tar.gz" cgroups > "$TMP/out" &&
		check "podman archive x cgroups: both tasks in set 2" grep -qx 'set 2: tasks 1, 8' "$TMP/out"
fi

# the older layout, one image per file kind (reg-files.img, pipes.img,
# unixsk.img, eventpoll.img + eventpoll-tfd.img, inotify.img +
# inotify-wd.img, ...): the kitchen's files.img split up, answers unchanged
K=$CORPUS/kitchen
mkdir -p "$TMP/oldfiles/json"
cp "$K"/*.img "$K"/stats-dump "$TMP/oldfiles/"
"$CRIT" decode -i "$K/files.img" > "$TMP/oldfiles/files.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
kinds = {"REG": ("REG_FILES", "reg", "reg-files"), "PIPE": ("PIPES", "pipe", "pipes"),
         "UNIXSK": ("UNIXSK", "usk", "unixsk"), "EVENTFD": ("EVENTFD_FILE", "efd", "eventfd"),
         "EVENTPOLL": ("EVENTPOLL_FILE", "epfd", "eventpoll"), "TIMERFD": ("TIMERFD", "tfd", "timerfd"),
         "SIGNALFD": ("SIGNALFD", "sgfd", "signalfd"), "INOTIFY": ("INOTIFY_FILE", "ify", "inotify")}
imgs, keep = {}, []
tfd, wd = [], []
for e in d["entries"]:
    if e["type"] not in kinds:
        keep.append(e)      # memfd: newer than the per-kind layout
        continue
    magic, field, name = kinds[e["type"]]
    m = e[field]
    if e["type"] == "EVENTPOLL":
        for t in m.pop("tfd"):
            t["id"] = m["id"]
            tfd.append(t)
    if e["type"] == "INOTIFY":
        for w in m.pop("wd"):
            w["id"] = m["id"]
            wd.append(w)
    imgs.setdefault(name, (magic, []))[1].append(m)
imgs["eventpoll-tfd"] = ("EVENTPOLL_TFD", tfd)
imgs["inotify-wd"] = ("INOTIFY_WD", wd)
imgs["files"] = ("FILES", keep)
for name, (magic, entries) in imgs.items():
    json.dump({"magic": magic, "entries": entries}, open("%s/json/%s.json" % (out, name), "w"))
' "$TMP/oldfiles/files.json" "$TMP/oldfiles"
rm "$TMP/oldfiles/files.json"
for j in "$TMP"/oldfiles/json/*.json; do
	"$CRIT" encode -i "$j" -o "$TMP/oldfiles/$(basename "$j" .json).img" || fail "encode $(basename "$j")"
done
check "per-kind layout made (reg-files, pipes, unixsk, eventpoll-tfd, inotify-wd)" \
	test -f "$TMP/oldfiles/reg-files.img" -a -f "$TMP/oldfiles/eventpoll-tfd.img" -a -f "$TMP/oldfiles/inotify-wd.img"
for v in fds mems rss; do
	xrun "$TMP/out" "$TMP/oldfiles" "$v" && same "per-kind file images: x $v = crit 4.2 on files.img" "$K/expected/x-$v.txt" "$TMP/out"
done
xrun "$TMP/a.json" "$K" fds --format json && xrun "$TMP/b.json" "$TMP/oldfiles" fds --format json &&
	same "per-kind file images: x fds JSON = the files.img one" "$TMP/a.json" "$TMP/b.json"
if have_pycrit; then
	pycrit x "$TMP/oldfiles" fds > "$TMP/ref" 2>/dev/null &&
		same "per-kind file images: Debian's crit agrees" "$K/expected/x-fds.txt" "$TMP/ref"
fi

# a pod archive: two containers, one picked with --container
mkdir -p "$TMP/pod/kitchen-ctr/checkpoint" "$TMP/pod/tree-ctr/checkpoint"
cp "$CORPUS"/kitchen/*.img "$TMP/pod/kitchen-ctr/checkpoint/"
cp "$CORPUS"/tree/*.img "$TMP/pod/tree-ctr/checkpoint/"
tar -C "$TMP/pod" --zstd -cf "$TMP/pod.tar.zst" kitchen-ctr tree-ctr
xrun "$TMP/out" "$TMP/pod.tar.zst" ps --container tree-ctr && same "pod archive --container tree-ctr" "$CORPUS/tree/expected/x-ps.txt" "$TMP/out"
xrun "$TMP/out" "$TMP/pod.tar.zst" fds --container kitchen-ctr && same "pod archive --container kitchen-ctr" "$CORPUS/kitchen/expected/x-fds.txt" "$TMP/out"
xrun "$TMP/out" "$TMP/pod.tar.zst" ps && same "pod archive: the first container by default" "$CORPUS/kitchen/expected/x-ps.txt" "$TMP/out"
expect_fail "pod archive: no such container" "no container 'nope'" "$TMP/pod.tar.zst" ps --container nope

# every fd of the kitchen workload, on all four architectures/versions
for d in "$CORPUS"/kitchen "$CORPUS"/foreign/*-kitchen; do
	xrun "$TMP/k.json" "$d" fds --format json || continue
	if python3 - "$TMP/k.json" > "$TMP/kerr" 2>&1 <<-'EOF'
	import json, sys
	t = json.load(open(sys.argv[1]))["tasks"][0]
	fd = {f["fd"]: f for f in t["fds"]}
	F = {n: f["file"] for n, f in fd.items()}
	def eq(a, b, what):
	    assert a == b, "%s: %r != %r" % (what, a, b)
	eq(F[0]["type"], "REG", "fd 0"); eq(F[0]["path"], "/dev/null", "fd 0 path")
	eq(F[1]["path"], F[2]["path"], "fds 1 and 2 share the log")
	eq(F[3]["type"], "REG", "fd 3"); assert F[3]["path"].endswith("/regular.txt"), F[3]
	eq(F[3]["pos"], 8, "regular file offset"); eq(F[3]["access"], "r", "fd 3 read-only")
	assert F[4]["path"].endswith("/ghost.txt"), F[4]
	eq(F[4]["remap"], "ghost", "fd 4 is a ghost file"); eq(F[4]["deleted"], True, "fd 4 deleted")
	eq(F[4]["ghost_size"], 25, "ghost contents")  # "CRIMG-GHOST-CONTENT-7f3a\n"
	eq(F[5]["type"], "PIPE", "fd 5"); eq(F[6]["type"], "PIPE", "fd 6")
	eq(F[5]["pipe_id"], F[6]["pipe_id"], "one pipe")
	eq(F[5]["peers"], [F[6]["id"]], "pipe peers"); eq(F[6]["peers"], [F[5]["id"]], "pipe peers")
	eq(sorted([F[5]["access"], F[6]["access"]]), ["r", "w"], "pipe ends")
	for a, b, kind in ((7, 8, "STREAM"), (9, 10, "DGRAM")):
	    for x, y in ((a, b), (b, a)):
	        eq(F[x]["type"], "UNIXSK", "fd %d" % x); eq(F[x]["sock_type"], kind, "fd %d" % x)
	        eq(F[x]["peer_id"], F[y]["id"], "fd %d peer" % x)
	        eq(F[x]["peer_ino"], F[y]["ino"], "fd %d peer inode" % x)
	        assert fd[x]["text"] == "unix[%d (%d)]" % (F[x]["ino"], F[y]["ino"]), fd[x]["text"]
	eq(F[11]["type"], "EVENTFD", "fd 11"); eq(F[11]["counter"], 42, "eventfd count")
	eq(F[12]["type"], "TIMERFD", "fd 12"); eq(F[12]["interval"], {"sec": 3600, "nsec": 0}, "timerfd 1 h")
	eq(F[13]["type"], "SIGNALFD", "fd 13"); eq(F[13]["signals"], [12], "signalfd SIGUSR2")
	eq(F[14]["type"], "EVENTPOLL", "fd 14")
	tg = {x["fd"]: x["target"] for x in F[14]["targets"]}
	eq(sorted(tg), [5, 8, 11], "epoll target fds")
	eq(tg[5]["type"], "PIPE", "epoll target 5"); eq(tg[11]["type"], "EVENTFD", "epoll target 11")
	eq(tg[8]["type"], "UNIXSK", "epoll target 8"); eq(tg[8]["id"], F[8]["id"], "epoll target 8 id")
	eq(F[15]["type"], "INOTIFY", "fd 15"); eq(len(F[15]["watches"]), 1, "one watch")
	assert F[15]["watches"][0]["path"].endswith("/kitchen.d"), F[15]["watches"]
	eq(F[16]["type"], "MEMFD", "fd 16"); eq(F[16]["name"], "crimg-memfd", "memfd name")
	eq(sorted(fd), list(range(17)), "17 descriptors")
	assert t["cwd"]["file"]["path"].startswith("/"), t["cwd"]
	EOF
	then
		pass "every fd of ${d#$CORPUS/} resolves to its kind and target"
	else
		fail "fds of ${d#$CORPUS/}: $(tail -1 "$TMP/kerr")"
	fi
	xrun "$TMP/c.json" "$d" core --format json &&
		check "${d#$CORPUS/} x core: sigactions, timers (MANIFEST)" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"][0]
sa = {s["signal"]: s for s in t["sigactions"]}
assert "SA_RESTART" in sa["SIGUSR1"]["flags"] and sa["SIGUSR1"]["mask"] == "0x800", sa["SIGUSR1"]
assert "SA_SIGINFO" in sa["SIGTERM"]["flags"] and "SIGALRM" in sa, sa
p = t["posix_timers"][0]
assert p["signo"] == 10 and p["interval_sec"] == 3600, p
assert t["itimer_real"]["interval_sec"] == 7200, t["itimer_real"]
assert len(t["threads"]) == 3 and all(th["pc"] != "0x0" for th in t["threads"])' "$TMP/c.json"
done
xrun "$TMP/env" "$CORPUS/kitchen" env && check "kitchen x env: the marker" grep -qxF "$(printf '\tCRIMG_ENV_MARKER=env-7f3a')" "$TMP/env"
xrun "$TMP/env" "$CORPUS/foreign/s390x-kitchen" env && check "s390x kitchen x env (big-endian)" grep -qxF "$(printf '\tCRIMG_ENV_MARKER=env-7f3a')" "$TMP/env"
xrun "$TMP/sk" "$CORPUS/tcp" sk &&
	check "tcp x sk: the listeners and the connection" python3 -c '
import sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[1:]]
got = {(r[2], r[3], r[5], r[6]) for r in rows}
want = {("tcp", "LISTEN", "127.0.0.1:47311", "*"), ("tcp6", "LISTEN", "[::1]:47311", "*"),
        ("udp", "CLOSE", "127.0.0.1:47312", "*")}
assert want <= got, got
est = [r for r in rows if r[2] == "tcp" and r[3] == "ESTABLISHED"]
assert len(est) == 2 and {est[0][5], est[0][6]} == {est[1][5], est[1][6]}, est' "$TMP/sk"
xrun "$TMP/regs" "$CORPUS/foreign/aarch64-kitchen" core --format json &&
	check "aarch64 registers: x0..x30, pc, sp" python3 -c '
import json, sys
th = json.load(open(sys.argv[1]))["tasks"][0]["threads"][0]
r = th["regs"]
assert [k for k in r if k.startswith("x")] == ["x%d" % i for i in range(31)], list(r)
assert th["pc"] == r["pc"] and th["sp"] == r["sp"] and "pstate" in r' "$TMP/regs"
xrun "$TMP/regs" "$CORPUS/foreign/s390x-kitchen" core --format json &&
	check "s390x registers: psw, r0..r15, a0..a15" python3 -c '
import json, sys
th = json.load(open(sys.argv[1]))["tasks"][0]["threads"][0]
r = th["regs"]
assert ["r%d" % i for i in range(16)] == [k for k in r if k.startswith("r")], list(r)
assert th["pc"] == r["psw_addr"] and th["sp"] == r["r15"] and "a15" in r' "$TMP/regs"
xrun "$TMP/mnt" "$CORPUS/nsbox" mounts &&
	check "nsbox x mounts: the tmpfs on /tmp" grep -q ' crimg-tmp on /tmp type tmpfs (size=1024k)' "$TMP/mnt"
xrun "$TMP/ns" "$CORPUS/nsbox" ns &&
	check "nsbox x ns: the hostname" grep -q 'utsns-12.img: crimg-ns, domain crimg.domain' "$TMP/ns"

# every view's JSON parses, on every dump (one python for all: it starts slowly)
mkdir -p "$TMP/json"
for d in "$CORPUS"/*/ "$CORPUS"/foreign/*/; do
	d=${d%/}
	[ -f "$d/inventory.img" ] || continue
	if [ -f "$d/pstree.img" ]; then views=$VIEWS; else views="stats mounts cgroups"; fi
	bad=
	for v in $views; do
		j=$TMP/json/$(echo "${d#$CORPUS/}" | tr / _)-$v.json
		"$CRIT" x "$d" "$v" --format json > "$j" 2> "$TMP/xerr" ||
			bad="$bad $v(exit: $(head -c 100 "$TMP/xerr"))"
	done
	[ -z "$bad" ] && pass "x ${d#$CORPUS/} --format json: every view runs" || fail "x ${d#$CORPUS/} --format json:$bad"
done
cp "$TMP"/podjson-*.json "$TMP/json/" 2>/dev/null
python3 -c '
import json, os, sys
for f in sorted(os.listdir(sys.argv[1])):
    try:
        json.load(open(os.path.join(sys.argv[1], f)))
    except Exception as e:
        print("%s: %s" % (f, e))' "$TMP/json" > "$TMP/jsonbad"
n=$(ls "$TMP/json" | wc -l)
[ -s "$TMP/jsonbad" ] && fail "invalid JSON: $(head -3 "$TMP/jsonbad")" || pass "$n JSON outputs (every view, every dump, the podman archives) parse"
finish
