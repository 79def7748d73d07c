#!/usr/bin/env bash
# asan-ok
# Issue 4: crit edit.  The editor is a script (EDITOR/VISUAL), so every case
# runs without a terminal; the "Edit again?" prompt is driven through a
# pseudo-terminal made by script(1).
. "$(dirname "$0")/lib.sh"

SAMPLES=$BUILD/samples
[ -d "$SAMPLES/demo" ] || { fail "no samples in $SAMPLES (make samples)"; finish; exit; }
export TMPDIR=$TMP/tmpdir	# where crit edit makes its JSON file
mkdir -p "$TMPDIR"
W=$TMP/work
mkdir -p "$W"
unset VISUAL EDITOR

# Editors.  Each saves what it leaves in the file, to compare with the image.
cat > "$TMP/ed-sed.sh" <<'EOF'
#!/bin/sh
# ed-sed.sh SED-EXPR FILE: edits FILE and keeps a copy of the result
sed -i "$1" "$2" && cp "$2" "$(dirname "$0")/edited.json"
EOF
cat > "$TMP/ed-twice.sh" <<'EOF'
#!/bin/sh
# first run: breaks the JSON on line 3; later runs: mends it and makes a change
d=$(dirname "$0"); n=$(cat "$d/runs" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$d/runs"
if [ "$n" = 1 ]; then sed -i '3s/"entries"/"entries" "x"/' "$1"
else sed -i '3s/"entries" "x"/"entries"/; s#/srv/demo"#/srv/again"#' "$1"; fi
EOF
cat > "$TMP/ed-args.sh" <<'EOF'
#!/bin/sh
# like "code --wait": an option before the file
[ "$1" = --wait ] || exit 3
sed -i 's#/usr/bin/crimg-demo#/opt/demo#' "$2"
EOF
cat > "$TMP/ed-touch.sh" <<'EOF'
#!/bin/sh
touch "$(dirname "$0")/editor-ran"
EOF
cat > "$TMP/ed-relayout.sh" <<'EOF'
#!/bin/sh
# the same JSON, laid out differently (compact, sorted keys)
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); json.dump(d, open(sys.argv[1],"w"), sort_keys=True)' "$1"
EOF
chmod +x "$TMP"/ed-*.sh

fresh() { # NAME SRC: a fresh copy of an image in $W
	rm -f "$W/$1" "$W/$1.orig"
	cp "$2" "$W/$1"
}
inode() { stat -c %i "$1"; }
no_leftovers() { # nothing left in TMPDIR or beside the image
	[ -z "$(ls -A "$TMPDIR")" ] && [ -z "$(ls -A "$W" | grep -v '\.img$' | grep -v '\.img\.orig$')" ]
}

# --- help and usage ---
"$CRIT" edit --help > "$TMP/help" 2>&1
check "edit --help exits 0" [ $? -eq 0 ]
for w in VISUAL EDITOR IMG.orig "Edit again" --no-backup --force "/bin/sh -c" "FILE.json:LINE:COL"; do
	check "edit --help mentions $w" grep -qF -- "$w" "$TMP/help"
done
check "crit --help lists edit" sh -c '"$0" --help | grep -q "^  edit "' "$CRIT"
"$CRIT" edit > /dev/null 2>&1; check "edit without an image: usage error" [ $? -eq 2 ]
"$CRIT" edit a b > /dev/null 2>&1; check "edit with two images: usage error" [ $? -eq 2 ]
"$CRIT" edit --bogus x > /dev/null 2>&1; check "edit --bogus: usage error" [ $? -eq 2 ]

# --- one field changed through $EDITOR ---
src=$SAMPLES/demo/files.img
fresh files.img "$src"
EDITOR="$TMP/ed-sed.sh 's#\"/srv/demo\"#\"/srv/edited\"#'" "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "edit one field: exit 0" [ $? -eq 0 ]
check "edit one field: says where the original is" grep -q "original is $W/files.img.orig" "$TMP/err"
check "edit one field: IMG.orig is the original" cmp -s "$W/files.img.orig" "$src"
# the image decodes to exactly the JSON the editor left
check "edit one field: image decodes to the edited JSON" \
	cmp -s <("$CRIT" decode --pretty -i "$W/files.img") "$TMP/edited.json"
check "edit one field: the JSON differs from the original in that field only" python3 - \
	<("$CRIT" decode -i "$src") <("$CRIT" decode -i "$W/files.img") <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
diff = [i for i, (x, y) in enumerate(zip(a["entries"], b["entries"])) if x != y]
assert len(a["entries"]) == len(b["entries"]) and diff == [1], diff
x, y = a["entries"][1], b["entries"][1]
assert x["reg"].pop("name") == "/srv/demo" and y["reg"].pop("name") == "/srv/edited", (x, y)
assert x == y
EOF
check "edit one field: nothing left behind" no_leftovers

# --- extras and byte order are kept ---
"$CRIT" decode -i "$SAMPLES/extras/tcp-stream-1773.img" -o "$TMP/tcp.json"
"$CRIT" encode --byte-order big -i "$TMP/tcp.json" -o "$TMP/tcp-big.img"
fresh tcp-stream-1773.img "$TMP/tcp-big.img"
EDITOR="$TMP/ed-sed.sh 's/\"snd_wscale\": \\([0-9]*\\)/\"snd_wscale\": 5/'" "$CRIT" edit "$W/tcp-stream-1773.img" 2> "$TMP/err"
check "edit a big-endian image with extras: exit 0" [ $? -eq 0 ]
check "edit big-endian: still big-endian" sh -c '"$0" info "$1" | grep -q "\"byte_order\": \"big\""' "$CRIT" "$W/tcp-stream-1773.img"
"$CRIT" encode --byte-order big -i "$TMP/edited.json" -o "$TMP/expect.img"
check "edit big-endian: image is the edited JSON encoded big-endian" cmp -s "$TMP/expect.img" "$W/tcp-stream-1773.img"
check "edit big-endian: queues (extra) unchanged" python3 - \
	<("$CRIT" decode -i "$TMP/tcp-big.img") <("$CRIT" decode -i "$W/tcp-stream-1773.img") <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a["entries"][0]["extra"] == b["entries"][0]["extra"]
assert b["entries"][0]["snd_wscale"] == 5 and a["entries"][0]["snd_wscale"] != 5
EOF

# --- nothing to do ---
fresh files.img "$src"
ino=$(inode "$W/files.img")
EDITOR=true "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "unchanged JSON: exit 0" [ $? -eq 0 ]
check "unchanged JSON: says so" grep -q "files.img: no changes" "$TMP/err"
check "unchanged JSON: image untouched (same file)" [ "$(inode "$W/files.img")" = "$ino" ]
check "unchanged JSON: no IMG.orig" [ ! -e "$W/files.img.orig" ]
EDITOR=$TMP/ed-relayout.sh "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "JSON laid out anew, same image: no changes" grep -q "no changes" "$TMP/err"
check "JSON laid out anew: image untouched" [ "$(inode "$W/files.img")" = "$ino" ]
check "nothing to do: nothing left behind" no_leftovers

# --- an invalid edit without a terminal: no second chance ---
fresh files.img "$src"
ino=$(inode "$W/files.img")
rm -f "$TMP/runs"
EDITOR=$TMP/ed-twice.sh "$CRIT" edit "$W/files.img" < /dev/null > "$TMP/out" 2> "$TMP/err"
check "invalid edit, no tty: exit 1" [ $? -eq 1 ]
check "invalid edit: FILE.json:LINE:COL message" \
	grep -qE "^crit edit: $TMPDIR/crit-edit-[A-Za-z0-9]+/files\.img\.json:3:15: expected ':' after member name" "$TMP/err"
check "invalid edit, no tty: not asked again" sh -c '! grep -q "Edit again" "$0" "$1"' "$TMP/err" "$TMP/out"
check "invalid edit, no tty: editor ran once" [ "$(cat "$TMP/runs")" = 1 ]
check "invalid edit: image untouched" cmp -s "$W/files.img" "$src"
check "invalid edit: same file" [ "$(inode "$W/files.img")" = "$ino" ]
check "invalid edit: no IMG.orig" [ ! -e "$W/files.img.orig" ]
kept=$(sed -n 's/.*your edit is in //p' "$TMP/err")
check "invalid edit: the edit is kept where it says" grep -q '"entries" "x"' "$kept"
rm -rf "$TMPDIR"/crit-edit-*
check "invalid edit: no temporary image left" no_leftovers

# --- ... and with a terminal: Edit again? ---
if command -v script > /dev/null; then
	rm -f "$TMP/runs"
	printf 'y\n' | EDITOR=$TMP/ed-twice.sh script -qec "'$CRIT' edit '$W/files.img'" /dev/null > "$TMP/out" 2>&1
	check "invalid edit, tty, answer y: exit 0" [ $? -eq 0 ]
	check "invalid edit, tty: asks Edit again? [Y/n]" grep -qF "Edit again? [Y/n]" "$TMP/out"
	check "invalid edit, tty: line and column shown" grep -q "files.img.json:3:15: " "$TMP/out"
	check "invalid edit, tty: editor ran twice" [ "$(cat "$TMP/runs")" = 2 ]
	check "second chance: the fixed edit is in the image" \
		sh -c '"$0" decode -i "$1" | grep -q "\"/srv/again\""' "$CRIT" "$W/files.img"
	check "second chance: IMG.orig is the original" cmp -s "$W/files.img.orig" "$src"
	fresh files.img "$src"
	rm -f "$TMP/runs"
	printf 'n\n' | EDITOR=$TMP/ed-twice.sh script -qec "'$CRIT' edit '$W/files.img'" /dev/null > "$TMP/out" 2>&1
	check "invalid edit, tty, answer n: exit 1" [ $? -eq 1 ]
	check "answer n: image untouched" cmp -s "$W/files.img" "$src"
	check "answer n: no IMG.orig" [ ! -e "$W/files.img.orig" ]
	rm -rf "$TMPDIR"/crit-edit-*
else
	skip "Edit again? through a terminal (no script(1))"
fi

# --- IMG.orig: refused, --force, --no-backup ---
fresh files.img "$src"
cp "$src" "$W/files.img.orig"
printf 'not the original' > "$W/files.img.orig"
rm -f "$TMP/editor-ran"
EDITOR=$TMP/ed-touch.sh "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "IMG.orig exists: exit 1" [ $? -eq 1 ]
check "IMG.orig exists: refused before the editor runs" [ ! -e "$TMP/editor-ran" ]
check "IMG.orig exists: says --force" grep -q -- "--force" "$TMP/err"
check "IMG.orig exists: left alone" grep -q "not the original" "$W/files.img.orig"
EDITOR="$TMP/ed-sed.sh s#/srv/demo\\\"#/srv/forced\\\"#" "$CRIT" edit -f "$W/files.img" 2> "$TMP/err"
check "--force: exit 0" [ $? -eq 0 ]
check "--force: IMG.orig replaced by the original" cmp -s "$W/files.img.orig" "$src"
rm -f "$W/files.img.orig"
EDITOR="$TMP/ed-sed.sh s#/srv/forced\\\"#/srv/nobackup\\\"#" "$CRIT" edit --no-backup "$W/files.img" 2> "$TMP/err"
check "--no-backup: exit 0" [ $? -eq 0 ]
check "--no-backup: no IMG.orig" [ ! -e "$W/files.img.orig" ]
check "--no-backup: edited" sh -c '"$0" decode -i "$1" | grep -q /srv/nobackup' "$CRIT" "$W/files.img"

# --- which editor, and how it is run ---
fresh files.img "$src"
VISUAL="$TMP/ed-sed.sh s#/srv/demo\\\"#/srv/visual\\\"#" EDITOR=false "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "VISUAL wins over EDITOR" sh -c '"$0" decode -i "$1" | grep -q /srv/visual' "$CRIT" "$W/files.img"
fresh files.img "$src"
EDITOR="$TMP/ed-args.sh --wait" "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "EDITOR with arguments (run through sh -c)" sh -c '"$0" decode -i "$1" | grep -q /opt/demo' "$CRIT" "$W/files.img"
fresh files.img "$src"
EDITOR=false "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "failing editor: exit 1" [ $? -eq 1 ]
check "failing editor: says so" grep -q "exited with status 1" "$TMP/err"
check "failing editor: image untouched, no IMG.orig" sh -c 'cmp -s "$0" "$1" && [ ! -e "$0.orig" ]' "$W/files.img" "$src"
EDITOR="$TMP/no-such-editor" "$CRIT" edit "$W/files.img" 2> "$TMP/err"
check "missing editor: exit 1" [ $? -eq 1 ]
check "failing editor: nothing left behind" no_leftovers

# --- what cannot be edited ---
fresh pipes-data.img "$SAMPLES/extras/pipes-data.img"
EDITOR="$TMP/ed-sed.sh s/PIPES_DATA/FIFO_DATA/" "$CRIT" edit "$W/pipes-data.img" 2> "$TMP/err"
check "another magic: exit 1" [ $? -eq 1 ]
check "another magic: says so" grep -q '"magic" is "FIFO_DATA" where a PIPES_DATA image is expected: an image cannot change kind' "$TMP/err"
check "another magic: image untouched" cmp -s "$W/pipes-data.img" "$SAMPLES/extras/pipes-data.img"
rm -rf "$TMPDIR"/crit-edit-*
# another kind whose entries are other messages: refused at the magic, not
# at the first field the other kind lacks
fresh fs-100.img "$SAMPLES/demo/fs-100.img"
EDITOR="$TMP/ed-sed.sh s/\"FS\"/\"IDS\"/" "$CRIT" edit "$W/fs-100.img" 2> "$TMP/err"
check "magic FS -> IDS: exit 1" [ $? -eq 1 ]
j=$(ls "$TMPDIR"/crit-edit-*/fs-100.img.json 2>/dev/null)
check "magic FS -> IDS: refused at the magic ($(head -1 "$TMP/err"))" test "$(cat "$TMP/err")" = \
"crit edit: $j:2:14: \"magic\" is \"IDS\" where a FS image is expected: an image cannot change kind
crit edit: $W/fs-100.img left untouched; your edit is in $j"
check "magic FS -> IDS: image untouched, no IMG.orig" \
	sh -c 'cmp -s "$0" "$1" && [ ! -e "$0.orig" ]' "$W/fs-100.img" "$SAMPLES/demo/fs-100.img"
check "magic FS -> IDS: nothing beside the image" test -z "$(ls -A "$W" | grep fs-100 | grep -vx fs-100.img)"
rm -rf "$TMPDIR"/crit-edit-*
fresh pages-1.img "$SAMPLES/demo/pages-1.img"
EDITOR=true "$CRIT" edit "$W/pages-1.img" 2> "$TMP/err"
check "raw image: exit 1" [ $? -eq 1 ]
check "raw image: says it is raw" grep -q "raw PAGES image" "$TMP/err"
"$CRIT" edit "$W/missing.img" 2> "$TMP/err"
check "missing image: exit 1" [ $? -eq 1 ]

# --- through a symlink: the file it points to is edited ---
fresh files.img "$src"
ln -sf files.img "$W/link.img"
EDITOR="$TMP/ed-sed.sh s#/srv/demo\\\"#/srv/linked\\\"#" "$CRIT" edit "$W/link.img" 2> "$TMP/err"
check "symlink: still a symlink" [ -L "$W/link.img" ]
check "symlink: its target edited" sh -c '"$0" decode -i "$1" | grep -q /srv/linked' "$CRIT" "$W/files.img"
check "symlink: the target's original kept" cmp -s "$W/files.img.orig" "$src"
rm -f "$W/link.img"

# --- a corpus image, when there is one ---
if have_corpus; then
	c=$CORPUS/tcp/files.img
	fresh files.img "$c"
	EDITOR="$TMP/ed-sed.sh 's/\"src_port\": 47311,/\"src_port\": 47399,/'" "$CRIT" edit "$W/files.img" 2> "$TMP/err"
	check "corpus tcp/files.img: edited" [ $? -eq 0 ]
	check "corpus: the port changed" grep -q '"src_port": 47399,' "$TMP/edited.json"
	check "corpus: decodes to the edited JSON" cmp -s <("$CRIT" decode --pretty -i "$W/files.img") "$TMP/edited.json"
	check "corpus: IMG.orig is the original" cmp -s "$W/files.img.orig" "$c"
else
	skip "corpus image edit (no corpus)"
fi
finish
