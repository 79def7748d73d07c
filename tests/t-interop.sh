#!/usr/bin/env bash
# Interop with a second implementation: Debian's CRIU 3.17 Python crit.
#
# For every corpus image (the dump directories, foreign/, and the images in
# the extracted Podman archives) whose kind 3.17 knows, in compact and in
# --pretty JSON:
#   strict, when 3.17 decodes it to the very JSON we do:
#     (a)  our decode -> 3.17 encode  == the image bytes
#     (b)  3.17 decode -> our encode  == the image bytes
#   accounted, when the JSON differs because CRIU 4.2 changed the schema
#   since 3.17 (the table below, checked against 3.17's own descriptors):
#     (c)  3.17's JSON == our JSON with exactly the table applied (the 4.2-only
#          keys dropped, renamed keys renamed, unknown flag names as hex), so
#          the difference is nothing but the table
#     (a') 3.17 encode of our JSON == our encode of our JSON less the 4.2-only
#          keys (== the image itself when the image has none of them, e.g.
#          3.17-written pagemaps where only the name of field 2 differs).
#          3.17 gets our JSON verbatim when the table only drops keys (it must
#          ignore them), our JSON in its own terms when a rename/enum/flag
#          name is involved
#     (b') our encode of 3.17's JSON (renamed to 4.2 names) == 3.17's encode of
#          the same JSON (== the image when 3.17 saw all of it)
#   not representable: a required field holds a value 3.17's schema lacks
#     (files/fdinfo type PIDFD): 3.17 cannot even re-encode its own decoding;
#     asserted that both implementations refuse that JSON, then (a')/(b') run
#     on the image's other entries (implementations compared with each other).
# Big-endian s390x images: 3.17 reads the header words in host (little-endian)
# order and stops with "Unknown magic"; that is asserted, then the image is
# tested through a little-endian copy made by our encode --byte-order little,
# whose 3.17 decoding must equal what the guest's own (big-endian) 3.17 wrote
# in expected/, and 3.17's JSON must encode back to the original with our
# encode --byte-order big.
#
# 3.17 runs in ONE python process (tests/interop/crit317.py calls pycriu's
# cli.decode/encode, the code /usr/bin/crit runs); checked once against a
# real /usr/bin/crit process below.
. "$(dirname "$0")/lib.sh"

if ! have_corpus; then skip "interop: no corpus at $CORPUS"; finish; exit; fi
if ! have_pycrit; then skip "interop: no /usr/bin/crit (Debian criu 3.17)"; finish; exit; fi
if ! /usr/bin/python3 -c 'import pycriu.images' 2>/dev/null; then
	skip "interop: /usr/bin/python3 cannot import pycriu"; finish; exit
fi
HELPER=$TOP/tests/interop/crit317.py

# What CRIU 4.2's schemas have and 3.17's do not, per message (names as in
# 3.17's pycriu).  Every key of our JSON that 3.17's descriptors lack must be
# listed here, or the image fails as "not in the 3.17-vs-4.2 table".
cat > "$TMP/table" <<'EOF'
# drop MSG KEY: 4.2 field with no counterpart in 3.17's MSG
drop   inventory_entry       dump_criu_run_id  # string, field 13
drop   inventory_entry       plugins_entry     # plugins_entry, field 12
drop   pagemap_entry         nr_pages          # uint64 field 5: the page count since CRIU 4.0
drop   thread_core_entry     cg_set            # field 16 (3.17 has only tc.cg_set, field 9)
drop   creds_entry           cap_amb           # repeated uint32, field 19
drop   user_x86_xsave_entry  cet               # user_x86_cet_entry, field 9
drop   ip_opts_entry         ttl               # uint32, field 7
drop   inet_sk_entry         tcp_opts          # tcp_opts_entry, field 20
drop   file_entry            pidfd             # pidfd_entry, field 22
drop   memfd_inode_entry     mode              # uint32, field 9
drop   netns_entry           ipv4_sysctl       # repeated sysctl_entry, field 10
drop   cg_controller_entry   is_threaded       # bool, field 3
# rename MSG KEY42 KEY317: same field number, other name
rename pagemap_entry         compat_nr_pages nr_pages   # field 2: 3.17 "nr_pages"; CRIU >= 4.0 writes 0 there
# enum ENUM NAME: value 3.17's enum lacks (its protobuf keeps it as an unknown field)
enum   fd_types              PIDFD             # 20 (files.img entry type and fdinfo type)
# flag MAP NAME VALUE: pretty flag name 3.17's pb2dict does not know
flag   mmap.status           VMA_AREA_MEMFD 0x4000   # 1 << 14
EOF

# 3.17 in this process == 3.17 as /usr/bin/crit, on one image
one=$CORPUS/kitchen/pipes-data.img
if [ -f "$one" ]; then
	ok=1
	for op in decode decode-pretty; do
		pycrit decode -i "$one" -o "$TMP/cli.json" $([ $op = decode-pretty ] && echo --pretty) &&
			/usr/bin/python3 "$HELPER" one $op "$one" "$TMP/inproc.json" &&
			cmp -s "$TMP/cli.json" "$TMP/inproc.json" || ok=0
	done
	pycrit encode -i "$TMP/cli.json" -o "$TMP/cli.img" &&
		/usr/bin/python3 "$HELPER" one encode "$TMP/cli.json" "$TMP/inproc.img" &&
		cmp -s "$TMP/cli.img" "$TMP/inproc.img" || ok=0
	check "interop: in-process 3.17 == /usr/bin/crit process" [ $ok = 1 ]
fi

roots=()
for d in "$CORPUS"/*/ "$CORPUS"/foreign/*/; do
	d=${d%/}
	case $(basename "$d") in archives|foreign|workloads) continue ;; esac
	[ -d "$d" ] || continue
	roots+=("${d#"$CORPUS"/}=$d")
done
for a in "$CORPUS"/archives/*.tar*; do
	[ -f "$a" ] || continue
	if x=$(extract_archive "$a"); then
		roots+=("archives/$(basename "$x")=$x")
	else
		fail "interop: cannot extract $a"
	fi
done

mkdir -p "$TMP/interop"
/usr/bin/python3 "$HELPER" run "$CRIT" "$TMP/table" "$TMP/interop" "${roots[@]}" > "$TMP/interop.out" 2> "$TMP/interop.err"
rc=$?
[ $rc -eq 0 ] || fail "interop: crit317.py exited $rc: $(tail -3 "$TMP/interop.err")"
while IFS= read -r line; do
	case $line in
	"PASS "*) pass "interop: ${line#PASS }" ;;
	"FAIL "*) fail "interop: ${line#FAIL }" ;;
	"SKIP "*) skip "interop: ${line#SKIP }" ;;
	"INFO "*) echo "  ${line#INFO }" ;;
	*) echo "  $line" ;;
	esac
done < "$TMP/interop.out"
grep -q '^INFO interop summary' "$TMP/interop.out" || fail "interop: crit317.py printed no summary"
finish
