#!/usr/bin/env bash
# crit-tui on damaged checkpoints: every image of a checkpoint in turn is
# truncated to half, has bytes in its middle overwritten, or is removed,
# and a walk that visits every screen (tree, a task's six tabs, a VMA's
# memory, the images and a JSON tree, the metadata, a memory search)
# must end normally (no crash: the ASan build runs it too, no hang) with
# the damaged part's error shown in place and the rest still browsable.
# asan-ok
. "$(dirname "$0")/lib.sh"

TUI=$BUILD/bin/crit-tui
if have_corpus; then SRC=$CORPUS/kitchen; else SRC=$BUILD/samples/demo; fi
WALK=$TMP/walk
cat > "$WALK" << 'EOF'
:save-screen tree.txt
<Enter>
:save-screen summary.txt
r
:save-screen regs.txt
m
:save-screen maps.txt
<Enter>
:save-screen vma.txt
<Esc>f
:save-screen fds.txt
<Enter>
:save-screen peer.txt
<Esc>k
:save-screen sockets.txt
e
:save-screen env.txt
x
G
:save-screen mem.txt
T
I
jjjj<Enter>
:save-screen json.txt
<Esc>C
:save-screen meta.txt
:search CRIMG
:save-screen search.txt
EOF

# run NAME DIR: the walk on DIR; the screens in $TMP/s/NAME.
run() {
	local name=$1 dir=$2 out=$TMP/s/$1 rc
	mkdir -p "$out"
	CRIMG_TUI_SAVE_DIR=$out timeout -s KILL 60 "$TUI" --script "$WALK" --size 100x30 "$dir" \
		> "$TMP/stdout" 2> "$TMP/stderr" < /dev/null
	rc=$?
	if [ $rc = 137 ]; then
		fail "$name: no answer in 60 s"
	elif [ $rc -gt 128 ] || grep -qE 'Sanitizer|runtime error|Segmentation' "$TMP/stderr"; then
		fail "$name: crashed (rc $rc): $(head -c 300 "$TMP/stderr")"
	elif [ $rc != 0 ] && ! grep -q '^crit tui: ' "$TMP/stderr"; then
		fail "$name: exit $rc without a message: $(head -c 300 "$TMP/stderr")"
	else
		pass "$name: the walk ends normally (rc $rc)"
	fi
}

# shows NAME SCREEN TEXT: screen SCREEN of walk NAME names TEXT.
shows() {
	if grep -qF -- "$3" "$TMP/s/$1/$2" 2> /dev/null; then
		pass "$1: $2 shows $3 in place"
	else
		fail "$1: $2 does not show $3: $(head -c 600 "$TMP/s/$1/$2" 2> /dev/null)"
	fi
}

run intact "$SRC"
n=0
for img in "$SRC"/*.img; do
	b=$(basename "$img")
	for how in half flip gone; do
		d=$TMP/d
		rm -rf "$d"; cp -r "$SRC" "$d"; chmod -R u+w "$d"
		size=$(stat -c %s "$img")
		case $how in
		half) truncate -s $((size / 2)) "$d/$b" ;;
		flip) printf '\377\377\377\377\377\377\377\377' |
			dd of="$d/$b" bs=1 seek=$((size / 2)) conv=notrunc status=none ;;
		gone) rm -f "$d/$b" ;;
		esac
		run "$b-$how" "$d"
		n=$((n + 1))
	done
done
check "damaged $n checkpoints" [ $n -ge 12 ]

# Where each kind of damage must show (the corpus's kitchen: pid 3654).
if have_corpus; then
	shows pstree.img-half tree.txt "pstree.img"
	shows core-3654.img-half tree.txt "core-3654.img"
	shows mm-3654.img-gone maps.txt "mm-3654.img"
	shows fdinfo-2.img-half fds.txt "fdinfo-2.img"
	# the rest stays browsable: the tree still lists the task when its
	# memory map is gone
	shows mm-3654.img-gone tree.txt "3654"
fi
finish
