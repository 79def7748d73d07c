#!/usr/bin/env bash
# asan-ok
# crit check --target-arch: the portability report.  For every corpus dump
# with a process tree (the x86_64 dumps of CRIU 4.2, a Podman archive, the
# aarch64, s390x and CRIU 3.17 x86_64 dumps of foreign/) and the built demo
# sample, for each target (x86_64, aarch64, s390x), the text and JSON
# reports equal the hand-checked golden files of tests/check/portability/
# (UPDATE=1 rewrites them; what was checked by hand is in its README).
# The reports are made from the source's parent directory with a relative
# name, so that no path of this machine is in them.  Every finding's
# evidence is held to crit decode of its image (tests/check/port_evidence.py).
# Also: the JSON's members and counts, what each target pair must say (byte order, the same
# architecture), the exit status, usage errors, a target file system given
# with --root and a target host given with --host, and the other two
# compressions of the Podman archive giving the same report.
. "$(dirname "$0")/lib.sh"
G=$TOP/tests/check/portability
TARGETS="x86_64 aarch64 s390x"
have_jq() { command -v jq > /dev/null; }

# expect_rc NAME RC CMD...: CMD exits with RC
expect_rc() {
	local n=$1 want=$2
	shift 2
	"$@" > "$TMP/out" 2> "$TMP/err"
	local rc=$?
	if [ $rc -eq "$want" ]; then
		pass "$n"
	else
		fail "$n: exit status $rc, not $want ($(head -c 200 "$TMP/err"))"
	fi
}

# ---- usage ----
S=$BUILD/samples/demo
expect_rc "--target-arch of an unknown architecture: exit 2" 2 "$CRIT" check --target-arch mips "$S"
grep -q "x86_64, aarch64 or s390x" "$TMP/err" && pass "an unknown architecture: the known ones named" ||
	fail "an unknown architecture: $(cat "$TMP/err")"
expect_rc "--target-arch without its value: exit 2" 2 "$CRIT" check "$S" --target-arch
expect_rc "--probe with --target-arch: exit 2" 2 "$CRIT" check --probe --target-arch aarch64
expect_rc "--target-arch arm64 (an alias): accepted" 1 "$CRIT" check --target-arch arm64 "$S"
expect_rc "--target-arch with --root and --host: exit 2" 2 "$CRIT" check --target-arch aarch64 --root / --host x.json "$S"
"$CRIT" check --help | grep -q -- '--target-arch ARCH' && pass "--help names --target-arch" ||
	fail "--help lacks --target-arch"

# ---- the golden reports ----
seen=$TMP/seen
: > "$seen"
# report NAME DIR SRC: SRC (relative to DIR) against each target
report() {
	local name=$1 dir=$2 src=$3 t fmt ext out rc
	for t in $TARGETS; do
		for fmt in text json; do
			ext=txt
			[ $fmt = json ] && ext=json
			out=$TMP/$name.$t.$ext
			echo "$name.$t.$ext" >> "$seen"
			(cd "$dir" && "$CRIT" check --target-arch $t --format $fmt "$src") > "$out" 2> "$TMP/err"
			rc=$?
			if [ $rc -gt 1 ] || [ -s "$TMP/err" ]; then
				fail "$name to $t ($fmt): exit $rc, $(head -c 300 "$TMP/err")"
				continue
			fi
			if [ -n "${UPDATE:-}" ]; then
				mkdir -p "$G" && cp "$out" "$G/$name.$t.$ext"
				pass "$name to $t ($fmt): golden written"
			elif [ ! -f "$G/$name.$t.$ext" ]; then
				fail "$name to $t ($fmt): no golden (UPDATE=1 makes it)"
			elif cmp -s "$out" "$G/$name.$t.$ext"; then
				pass "$name to $t ($fmt): as the golden"
			else
				fail "$name to $t ($fmt): differs from the golden: $(diff "$G/$name.$t.$ext" "$out" | head -6 | tr '\n' ' ')"
			fi
			[ $fmt = json ] && have_jq && json_checks "$name to $t" "$out" $rc "$src" $t
			[ $fmt = json ] && evidence "$name to $t" "$dir" "$src" "$out"
		done
	done
}

# evidence WHAT DIR SRC REPORT: every finding's value is what crit decode
# reads at its image, entry and field (tests/check/port_evidence.py)
evidence() {
	local what=$1 images=$2/$3
	case $3 in
	*.tar*) images=$(extract_archive "$2/$3")/checkpoint || { fail "$what: cannot extract $3"; return; } ;;
	esac
	if python3 "$TOP/tests/check/port_evidence.py" "$CRIT" "$images" "$4" > "$TMP/ev" 2>&1; then
		pass "$what: the evidence is what the images hold ($(tail -1 "$TMP/ev"))"
	else
		fail "$what: evidence against crit decode: $(head -3 "$TMP/ev" | tr '\n' ' ')"
	fi
}

# json_checks WHAT FILE RC SRC TARGET: the report's members, its counts,
# its exit status, and what the pair of architectures must give
json_checks() {
	local what=$1 f=$2 rc=$3 src=$4 t=$5
	if jq -e --arg t "$t" '
		(.parts | index("portability")) != null
		and .portability.target_arch == $t
		and (.portability.verdict | IN("same-architecture", "movable-under-contract", "not-movable"))
		and ([.findings[] | select(.part == "portability")] as $p
			| .portability.counts.blocks == ([$p[] | select(.verdict == "blocks")] | length)
			and .portability.counts.convertible == ([$p[] | select(.verdict == "convertible")] | length)
			and .portability.counts.irrelevant == ([$p[] | select(.verdict == "irrelevant")] | length)
			and ([$p[] | (.code | startswith("arch-"))
				and ((.task | type) == "number" or .task == null)
				and (.evidence.target | type) == "string"
				and ({"blocks": "will-fail", "convertible": "may-fail", "irrelevant": "note"}[.verdict] == .severity)] | all))
		and ((.portability.verdict == "not-movable") == (.portability.counts.blocks > 0))' "$f" > /dev/null; then
		pass "$what: the JSON's members and counts"
	else
		fail "$what: the JSON lacks a member or its counts are wrong"
	fi
	local worst
	worst=$(jq -r .worst "$f")
	if { [ "$worst" = will-fail ] && [ $rc -eq 1 ]; } || { [ "$worst" != will-fail ] && [ $rc -eq 0 ]; }; then
		pass "$what: exit $rc for the worst finding ($worst)"
	else
		fail "$what: exit $rc, worst $worst"
	fi
	local src_arch
	src_arch=$(jq -r .portability.source_arch "$f")
	if [ "$src_arch" = "$t" ]; then
		jq -e '[.findings[] | select(.part == "portability") | .code] == ["arch-same"]
			and .portability.verdict == "same-architecture"' "$f" > /dev/null &&
			pass "$what: the same architecture: only arch-same" ||
			fail "$what: the same architecture says more than arch-same"
	elif [ "$src_arch" = s390x ] || [ "$t" = s390x ]; then
		jq -e '[.findings[] | select(.code == "arch-byte-order" and .verdict == "blocks")] | length == 1' "$f" > /dev/null &&
			pass "$what: big- and little-endian: arch-byte-order blocks" ||
			fail "$what: no arch-byte-order between $src_arch and $t"
	else
		jq -e '([.findings[] | select(.code == "arch-byte-order")] | length == 0)
			and ([.findings[] | select(.code == "arch-mtype")] | length > 0)' "$f" > /dev/null &&
			pass "$what: same byte order, each task's mtype judged" ||
			fail "$what: arch-byte-order or arch-mtype wrong for $src_arch to $t"
	fi
}

if [ -d "$S" ]; then
	report demo "$BUILD/samples" demo
else
	skip "no sample checkpoint ($S; make samples)"
fi

if have_corpus; then
	# every dump with a process tree: directories, and one of the Podman
	# archives (the other two hold the same checkpoint: compared below)
	while read -r d; do
		rel=${d#"$CORPUS"/}
		report "$(echo "$rel" | tr / -)" "$CORPUS" "$rel"
	done < <(find "$CORPUS" -mindepth 1 -maxdepth 3 -name pstree.img -printf '%h\n' | sort)
	A=archives/podman-busybox-none.tar
	if [ -f "$CORPUS/$A" ]; then
		report archives-podman-busybox-none.tar "$CORPUS" "$A"
		for other in archives/podman-busybox-gzip.tar.gz archives/podman-busybox-zstd.tar.zst; do
			[ -f "$CORPUS/$other" ] || continue
			(cd "$CORPUS" && "$CRIT" check --target-arch aarch64 --format json "$other") > "$TMP/o.json" 2> /dev/null
			(cd "$CORPUS" && "$CRIT" check --target-arch aarch64 --format json "$A") > "$TMP/n.json" 2> /dev/null
			if cmp -s <(sed "s|$other|SRC|" "$TMP/o.json") <(sed "s|$A|SRC|" "$TMP/n.json"); then
				pass "$other: the report of $A"
			else
				fail "$other: not the report of $A"
			fi
		done
	fi
	# no golden is left that no dump makes (the corpus is all there)
	if [ -z "${UPDATE:-}" ] && [ -d "$G" ]; then
		stale=
		for f in "$G"/*.txt "$G"/*.json; do
			[ -e "$f" ] || continue
			grep -qxF "$(basename "$f")" "$seen" || stale="$stale $(basename "$f")"
		done
		[ -z "$stale" ] && pass "every golden is made by a dump" || fail "goldens no dump makes:$stale"
	fi
else
	skip "no corpus at $CORPUS: only the demo's reports"
fi
local_paths=
for p in "$CORPUS" "$SHARED" "$BUILD" "$TOP" "$TMP"; do
	grep -rlF "$p" "$G" > /dev/null 2>&1 && local_paths="$local_paths $p"
done
[ -z "$local_paths" ] && pass "no golden names a path of this machine" ||
	fail "goldens name paths of this machine:$local_paths"

# ---- the target's file system (--root) and host (--host) ----
# ELF headers of a machine at the paths the demo's tasks run
elf() { # FILE E_MACHINE
	mkdir -p "$(dirname "$1")"
	python3 -c "
import struct, sys
h = b'\x7fELF' + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack('<HHI', 2, $2, 1)
open(sys.argv[1], 'wb').write(h + bytes(64 - len(h)))" "$1"
}
if have_jq && [ -d "$S" ]; then
	R=$TMP/root
	elf "$R/usr/bin/crimg-demo" 183
	"$CRIT" check --target-arch aarch64 --root "$R" --format json "$S" > "$TMP/r.json" 2> "$TMP/err"
	jq -e '[.findings[] | select(.code == "arch-exe")] | length == 2 and all(.verdict == "convertible" and .evidence.target == "EM_AARCH64")' \
		"$TMP/r.json" > /dev/null && pass "--root: a build for the target at the executable's path is convertible" ||
		fail "--root with an aarch64 build: $(jq -c '[.findings[] | select(.code == "arch-exe")]' "$TMP/r.json" | head -c 300)"
	jq -e '.host.source == "none"' "$TMP/r.json" > /dev/null && pass "--root with --target-arch: no host probed" ||
		fail "--root with --target-arch: a host was probed"
	elf "$R/usr/bin/crimg-demo" 62
	"$CRIT" check --target-arch aarch64 --root "$R" --format json "$S" > "$TMP/r.json" 2> "$TMP/err"
	jq -e '[.findings[] | select(.code == "arch-exe")] | all(.verdict == "blocks" and .evidence.target == "EM_X86_64")' \
		"$TMP/r.json" > /dev/null && pass "--root: an x86_64 build at the executable's path blocks" ||
		fail "--root with an x86_64 build: $(jq -c '[.findings[] | select(.code == "arch-exe")][0]' "$TMP/r.json" | head -c 300)"
	rm -f "$R/usr/bin/crimg-demo"
	"$CRIT" check --target-arch aarch64 --root "$R" --format json "$S" > "$TMP/r.json" 2> "$TMP/err"
	jq -e '[.findings[] | select(.code == "arch-exe")] | all(.verdict == "blocks" and .evidence.target == "no such file")' \
		"$TMP/r.json" > /dev/null && pass "--root: no file at the executable's path blocks" ||
		fail "--root without the executable: $(jq -c '[.findings[] | select(.code == "arch-exe")][0]' "$TMP/r.json" | head -c 300)"

	# a target host: its page size, HWCAP words, and files with their machine
	printf '{"crimg_host": 1, "arch": "aarch64", "page_size": 65536, "hwcap": "0xefff", "hwcap2": "0x1", "files": [{"path": "/usr/bin/crimg-demo", "exists": true, "size": 64, "mode": "0100755", "machine": 183}]}' > "$TMP/h64k.json"
	"$CRIT" check --target-arch aarch64 --host "$TMP/h64k.json" --format json "$S" > "$TMP/h.json" 2> "$TMP/err"
	jq -e '.host.source == "json" and ([.findings[] | select(.code == "arch-page-size" and .verdict == "blocks" and .evidence.value == "4096")] | length == 1)' \
		"$TMP/h.json" > /dev/null && pass "--host with 64 KiB pages: arch-page-size blocks" ||
		fail "--host with 64 KiB pages: $(jq -c '[.findings[] | select(.code == "arch-page-size")]' "$TMP/h.json" | head -c 300)"
	jq -e '[.findings[] | select(.code == "arch-auxv")] | all(.evidence.target | startswith("AT_HWCAP 0xefff, AT_HWCAP2 0x1 of the target host"))' \
		"$TMP/h.json" > /dev/null && pass "--host: the target's HWCAP words in the auxv items" ||
		fail "--host: the auxv items lack the host's HWCAP"
	jq -e '[.findings[] | select(.code == "arch-exe")] | all(.verdict == "convertible" and .evidence.target == "EM_AARCH64")' \
		"$TMP/h.json" > /dev/null && pass "--host: its files' ELF machine judges the executable" ||
		fail "--host: the executable not judged by the host's file"
	printf '{"crimg_host": 1, "arch": "x86_64"}' > "$TMP/hx.json"
	expect_rc "--host of another architecture than --target-arch: exit 2" 2 \
		"$CRIT" check --target-arch aarch64 --host "$TMP/hx.json" "$S"
	grep -q 'describes a host of x86_64' "$TMP/err" && pass "the mismatch is named" ||
		fail "the mismatch: $(cat "$TMP/err")"
	printf '{"crimg_host": 1, "page_size": 5000}' > "$TMP/hbad.json"
	expect_rc "--host with a page size that is no power of two: exit 2" 2 \
		"$CRIT" check --target-arch aarch64 --host "$TMP/hbad.json" "$S"
else
	skip "jq or the demo sample missing: --root and --host not checked"
fi
finish
