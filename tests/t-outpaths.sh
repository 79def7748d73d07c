#!/usr/bin/env bash
# asan-ok
# Issue 11: output paths.  Every command that writes a named output (decode
# -o, encode -o, mem -o, convert --report, convert DST, edit) is run on
# every kind of thing a path can name: a new file, existing files with
# their mode, owner and group, symlinks (chains, dangling, loops), a FIFO,
# a character device node of our own, a unix socket, a directory, a block
# device node, '-', /dev/stdout and /proc/self/fd/1.  As root, then the
# same as an unprivileged user (setpriv).  The real /dev/null is never an
# output here; it must still be a character device at the end.
. "$(dirname "$0")/lib.sh"

S=$BUILD/samples
cd "$TMP" || exit 1	# a build that takes '-' for a file name makes it here
[ -d "$S/demo" ] || { fail "no samples in $S (make samples)"; finish; exit; }
umask 022
PY=$(command -v python3)
unset VISUAL EDITOR
export TMPDIR=$TMP/tmpdir	# convert's staging for a direct DST, edit's JSON
mkdir -p "$TMPDIR"
chmod 1777 "$TMPDIR"

# Inputs anyone can read (the unprivileged part uses them too).
chmod 0711 "$TMP"
IN=$TMP/in
mkdir -p "$IN"
cp -r "$S/demo" "$IN/demo"
cp "$S/demo/pstree.img" "$S/demo/files.img" "$IN/"
"$CRIT" decode -i "$IN/pstree.img" -o "$IN/pstree.json" || fail "decode of the input JSON"
chmod -R a+rX "$IN"

cat > "$TMP/listen.py" <<'EOF'
# listen.py SOCKET OUT: takes one stream connection on a unix socket,
# saves what arrives
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.listen(1)
c, _ = s.accept()
data = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    data += b
open(sys.argv[2], "wb").write(data)
EOF
cat > "$TMP/ed.sh" <<'EOF'
#!/bin/sh
sed -i 's#"/srv/demo"#"/srv/edited"#' "$1"
EOF
chmod a+rx "$TMP/ed.sh" "$TMP/listen.py"

AS=()		# the command prefix: nothing as root, setpriv for the user part
DEMO=$IN/demo	# the checkpoint read (the user's own copy for the user part)

# out CMD TARGET [--force]: CMD writing its output to TARGET (stdout and
# stderr of crit as the caller redirects them)
out() {
	local cmd=$1 t=$2 force=${3:-}
	case $cmd in
	decode) timeout 60 "${AS[@]}" "$CRIT" decode -i "$IN/pstree.img" -o "$t" ;;
	encode) timeout 60 "${AS[@]}" "$CRIT" encode -i "$IN/pstree.json" -o "$t" ;;
	mem) timeout 60 "${AS[@]}" "$CRIT" mem "$DEMO" --pid 100 --vma 555500006000 -o "$t" ;;
	report)
		timeout 60 "${AS[@]}" "$CRIT" convert -q --rewrite-path /srv/demo=/srv/x \
			--report "$t" "$DEMO" "$(mktemp -u "$D/report-dst-XXXXXX.tar")" ;;
	convert) timeout 60 "${AS[@]}" "$CRIT" convert -q --to tar $force "$DEMO" "$t" ;;
	esac
}
# force CMD: the option an existing target needs (convert's DST only)
force() { [ "$1" = convert ] && echo --force; }
# The reference outputs, written to new files by root.
D=$TMP/ref
mkdir -p "$D"
for c in decode encode mem report convert; do
	out $c "$TMP/ref.$c" 2> "$TMP/err" || fail "$c: reference output: $(cat "$TMP/err")"
done
cmp -s "$TMP/ref.encode" "$IN/pstree.img" || fail "encode: the reference is not the sample image"
grep -q '"/srv/x"' "$TMP/ref.report" || fail "report: the reference lists no change"
# decode ends stdout with a newline (as crit does), a named file without
{ cat "$TMP/ref.decode"; echo; } > "$TMP/ref.decode.stdout"
stdout_ref() { [ "$1" = decode ] && echo "$TMP/ref.decode.stdout" || echo "$TMP/ref.$1"; }

# attrs FILE: "MODE USER:GROUP"
attrs() { stat -c '%a %U:%G' "$1"; }
# nothing_left DIR NAME: no temporary file of ours in DIR
nothing_left() {
	local left
	left=$(find "$1" -maxdepth 1 \( -name '.*tmp-*' -o -name '.*crimg-*' \) | head -3)
	[ -z "$left" ] || fail "$2: temporary files left: $left"
}
# mkfile_as WHO PATH MODE [OWNER]: an existing file with old contents
mkfile_as() {
	rm -f "$2"
	if [ "$1" = user ]; then "${AS[@]}" sh -c 'echo old > "$1"' sh "$2"; else echo old > "$2"; fi
	[ -z "${4:-}" ] || chown "$4" "$2"
	chmod "$3" "$2"
}

# cases WHO: the whole matrix in $D (writable by WHO); ME is WHO's user:group
cases() {
	local who=$1 c t rc pid ref sref
	for c in decode encode mem report convert; do
		ref=$TMP/ref.$c
		sref=$(stdout_ref $c)

		# a new file: the usual mode of a new file
		t=$D/$c.new
		if out $c "$t" 2> "$TMP/err" && cmp -s "$ref" "$t" && [ "$(attrs "$t")" = "644 $ME" ]; then
			pass "$who $c: new file"
		else
			fail "$who $c: new file: $(attrs "$t" 2>&1) $(cat "$TMP/err")"
		fi

		# an existing 0600 file of ours keeps 0600 (extracted memory stays private)
		t=$D/$c.600
		mkfile_as "$who" "$t" 600
		if out $c "$t" "$(force $c)" 2> "$TMP/err" && cmp -s "$ref" "$t" &&
		   [ "$(attrs "$t")" = "600 $ME" ]; then
			pass "$who $c: existing 0600 file keeps its mode"
		else
			fail "$who $c: existing 0600 file: $(attrs "$t") $(cat "$TMP/err")"
		fi

		# an existing file of root:daemon: as root everything is kept; as a
		# user the file becomes the user's, and its group (not the user's)
		# gets what others get
		t=$D/$c.daemon
		if [ "$who" = root ]; then
			mkfile_as root "$t" 640 root:daemon
			want="640 root:daemon"
		elif [ "$who" = user ]; then
			mkfile_as root "$t" 664 root:daemon
			want="644 $ME"
		fi
		if [ "$who" = self ]; then
			skip "$who $c: existing root:daemon file: needs root"
		elif out $c "$t" "$(force $c)" 2> "$TMP/err" && cmp -s "$ref" "$t" &&
		   [ "$(attrs "$t")" = "$want" ]; then
			pass "$who $c: existing root:daemon file: $want"
		else
			fail "$who $c: existing root:daemon file: $(attrs "$t"), want $want $(cat "$TMP/err")"
		fi

		# a chain of relative symlinks: the links stay, the file they name is replaced
		mkdir -p "$D/sub"
		chmod 777 "$D/sub"
		ln -sfn "sub/$c.l2" "$D/$c.l1"
		ln -sfn "../$c.target" "$D/sub/$c.l2"
		mkfile_as "$who" "$D/$c.target" 600
		if out $c "$D/$c.l1" "$(force $c)" 2> "$TMP/err" && cmp -s "$ref" "$D/$c.target" &&
		   [ "$(readlink "$D/$c.l1")" = "sub/$c.l2" ] &&
		   [ "$(readlink "$D/sub/$c.l2")" = "../$c.target" ] &&
		   [ "$(attrs "$D/$c.target")" = "600 $ME" ]; then
			pass "$who $c: symlink chain followed, links kept, target replaced"
		else
			fail "$who $c: symlink chain: $(ls -l "$D/$c.l1" "$D/$c.target" 2>&1) $(cat "$TMP/err")"
		fi
		nothing_left "$D/sub" "$who $c: symlink chain"

		# a dangling symlink creates its target
		ln -sfn "$c.made" "$D/$c.dangling"
		if out $c "$D/$c.dangling" 2> "$TMP/err" && [ -L "$D/$c.dangling" ] &&
		   cmp -s "$ref" "$D/$c.made"; then
			pass "$who $c: dangling symlink creates its target"
		else
			fail "$who $c: dangling symlink: $(ls -l "$D/$c.dangling" 2>&1) $(cat "$TMP/err")"
		fi

		# a loop: an error, nothing written
		ln -sfn "$c.loop2" "$D/$c.loop1"
		ln -sfn "$c.loop1" "$D/$c.loop2"
		ls -A "$D" > "$TMP/before"
		out $c "$D/$c.loop1" 2> "$TMP/err"
		rc=$?
		ls -A "$D" | grep -v "^report-dst-" > "$TMP/after"
		grep -v "^report-dst-" "$TMP/before" > "$TMP/before2"
		if [ $rc = 1 ] && grep -q "$c.loop1: Too many levels of symbolic links" "$TMP/err" &&
		   cmp -s "$TMP/before2" "$TMP/after" && [ -L "$D/$c.loop1" ] && [ -L "$D/$c.loop2" ]; then
			pass "$who $c: symlink loop refused"
		else
			fail "$who $c: symlink loop: rc $rc $(cat "$TMP/err") $(diff "$TMP/before2" "$TMP/after")"
		fi

		# a FIFO: its reader gets the bytes, it stays a FIFO
		t=$D/$c.fifo
		rm -f "$t" "$t.got"
		mkfifo -m 666 "$t"
		timeout 20 cat "$t" > "$t.got" &
		pid=$!
		out $c "$t" 2> "$TMP/err"
		rc=$?
		[ $rc = 0 ] || kill $pid 2> /dev/null	# a reader still waiting
		wait $pid
		if [ $rc = 0 ] && cmp -s "$ref" "$t.got" && [ -p "$t" ]; then
			pass "$who $c: FIFO written directly"
		else
			fail "$who $c: FIFO: rc $rc $(ls -l "$t") $(cat "$TMP/err")"
		fi

		# a character device node of our own (what /dev/null is): written,
		# still the same device, in a writable directory and in one the
		# caller cannot write to (where no temporary file can be made)
		local dir
		for dir in "$D" "$RO"; do
			t=$dir/$c.null
			if [ ! -c "$t" ]; then
				skip "$who $c: character device: mknod needs root"
			elif out $c "$t" 2> "$TMP/err" && [ -c "$t" ] &&
			   [ "$(stat -c '%t:%T %a' "$t")" = "1:3 666" ]; then
				pass "$who $c: character device written directly (in ${dir##*/})"
			else
				fail "$who $c: character device in ${dir##*/}: $(ls -l "$t") $(cat "$TMP/err")"
			fi
		done

		# a unix socket: connected to, written as a stream, still a socket
		t=$D/$c.sock
		rm -f "$t" "$t.got"
		timeout 60 "$PY" "$TMP/listen.py" "$t" "$t.got" &
		pid=$!
		for _ in $(seq 100); do [ -S "$t" ] && [ "$(stat -c %a "$t")" = 777 ] && break; sleep 0.05; done
		out $c "$t" 2> "$TMP/err"
		rc=$?
		[ $rc = 0 ] || kill $pid 2> /dev/null
		wait $pid
		if [ $rc = 0 ] && cmp -s "$ref" "$t.got" && [ -S "$t" ]; then
			pass "$who $c: unix socket written as a stream"
		else
			fail "$who $c: unix socket: rc $rc $(cat "$TMP/err")"
		fi
		# ... and one nobody listens on: an error, the socket left alone
		out $c "$t" 2> "$TMP/err"
		rc=$?
		if [ $rc = 1 ] && grep -q "$c.sock: cannot connect to the socket: Connection refused" "$TMP/err" &&
		   [ -S "$t" ]; then
			pass "$who $c: socket without a listener refused"
		else
			fail "$who $c: socket without a listener: rc $rc $(cat "$TMP/err")"
		fi

		# a directory: refused, left empty
		t=$D/$c.dir
		mkdir -p "$t"
		chmod 777 "$t"
		out $c "$t" "$(force $c)" 2> "$TMP/err"
		rc=$?
		if [ $rc = 1 ] && grep -q "$c.dir: is a directory" "$TMP/err" && [ -z "$(ls -A "$t")" ]; then
			pass "$who $c: directory refused"
		else
			fail "$who $c: directory: rc $rc $(cat "$TMP/err") $(ls -A "$t")"
		fi

		# a block device node: refused, still a block device
		if [ -b "$BLK" ]; then
			out $c "$BLK" 2> "$TMP/err"
			rc=$?
			if [ $rc = 1 ] && grep -q "is a block device" "$TMP/err" && [ -b "$BLK" ]; then
				pass "$who $c: block device refused"
			else
				fail "$who $c: block device: rc $rc $(cat "$TMP/err") $(ls -l "$BLK")"
			fi
		fi

		# stdout four ways, with stdout a file of ours.  Our own link to
		# /proc/self/fd/1 comes first: a build that replaces it would replace
		# the machine's /dev/stdout too, which is then not tried
		ln -sfn /proc/self/fd/1 "$D/$c.fd1"
		for t in - "$D/$c.fd1" /dev/stdout /proc/self/fd/1; do
			if [ "$t" = /dev/stdout ] && [ "$(readlink "$D/$c.fd1")" != /proc/self/fd/1 ]; then
				fail "$who $c: our link to /proc/self/fd/1 was replaced: /dev/stdout not tried"
				continue
			fi
			rm -f "$D/$c.stdout"
			out $c "$t" > "$D/$c.stdout" 2> "$TMP/err"
			rc=$?
			local want=$ref
			[ "$t" = - ] && want=$sref
			if [ $rc = 0 ] && cmp -s "$want" "$D/$c.stdout" && [ ! -e "$D/-" ] &&
			   { [ "$t" != "$D/$c.fd1" ] || [ -L "$t" ]; }; then
				pass "$who $c: -o ${t#$D/} goes to stdout"
			else
				fail "$who $c: -o $t: rc $rc $(cat "$TMP/err")"
			fi
		done
		# ... and a pipe
		rm -f "$D/$c.piped"
		out $c "$D/$c.fd1" 2> "$TMP/err" | cat > "$D/$c.piped"
		if cmp -s "$ref" "$D/$c.piped"; then
			pass "$who $c: a link to /proc/self/fd/1 on a pipe"
		else
			fail "$who $c: a link to /proc/self/fd/1 on a pipe: $(cat "$TMP/err")"
		fi

		# a missing directory: the message names it, nothing is made
		t=$D/nodir/$c.x
		out $c "$t" 2> "$TMP/err"
		rc=$?
		if [ $rc = 1 ] && grep -qF "$t: cannot create a temporary file in $D/nodir/: No such file or directory" "$TMP/err" &&
		   [ ! -e "$D/nodir" ]; then
			pass "$who $c: a missing directory is named"
		else
			fail "$who $c: missing directory: rc $rc $(cat "$TMP/err")"
		fi
		nothing_left "$D" "$who $c"
	done
	edit_cases "$who"
	convert_cases "$who"
	nothing_left "$D" "$who"
}

# crit edit: IMG is rewritten in place, IMG.orig kept
edit_cases() {
	local who=$1 t rc
	ed() { TMPDIR=$D/edtmp EDITOR=$TMP/ed.sh timeout 60 "${AS[@]}" "$CRIT" edit "$@"; }
	mkdir -p "$D/edtmp"
	chmod 777 "$D/edtmp"

	# an image of ours, 0600: edited, mode kept, the original kept with it
	t=$D/e600.img
	rm -f "$t" "$t.orig"
	if [ "$who" = user ]; then "${AS[@]}" cp "$IN/files.img" "$t"; else cp "$IN/files.img" "$t"; fi
	chmod 600 "$t"
	if ed "$t" 2> "$TMP/err" && cmp -s "$TMP/ref.edit" "$t" && [ "$(attrs "$t")" = "600 $ME" ] &&
	   cmp -s "$IN/files.img" "$t.orig" && [ "$(attrs "$t.orig")" = "600 $ME" ]; then
		pass "$who edit: 0600 image keeps its mode, IMG.orig too"
	else
		fail "$who edit: 0600 image: $(attrs "$t") $(cat "$TMP/err")"
	fi

	# root:daemon
	t=$D/edaemon.img
	rm -f "$t" "$t.orig"
	cp "$IN/files.img" "$t"
	chown root:daemon "$t" 2> /dev/null
	if [ "$who" = root ]; then chmod 640 "$t"; want="640 root:daemon"; else chmod 664 "$t"; want="644 $ME"; fi
	if [ "$who" = self ]; then
		skip "$who edit: root:daemon image: needs root"
	elif ed --no-backup "$t" 2> "$TMP/err" && cmp -s "$TMP/ref.edit" "$t" && [ "$(attrs "$t")" = "$want" ]; then
		pass "$who edit: root:daemon image: $want"
	else
		fail "$who edit: root:daemon image: $(attrs "$t"), want $want $(cat "$TMP/err")"
	fi

	# a symlink: the file it names is edited, the link stays
	mkdir -p "$D/edsub"
	chmod 777 "$D/edsub"
	cp "$IN/files.img" "$D/edsub/real.img"
	chmod 666 "$D/edsub/real.img"
	rm -f "$D/edsub/real.img.orig"
	ln -sfn edsub/real.img "$D/elink.img"
	if ed "$D/elink.img" 2> "$TMP/err" && [ "$(readlink "$D/elink.img")" = edsub/real.img ] &&
	   cmp -s "$TMP/ref.edit" "$D/edsub/real.img" && cmp -s "$IN/files.img" "$D/edsub/real.img.orig" &&
	   [ "$(attrs "$D/edsub/real.img")" = "666 $ME" ]; then
		pass "$who edit: symlink followed, link kept, target edited"
	else
		fail "$who edit: symlink: $(ls -l "$D/elink.img" "$D/edsub" 2>&1) $(cat "$TMP/err")"
	fi

	# what is not a regular file is refused and left as it was
	ln -sfn enothing.img "$D/edangling.img"
	ln -sfn eloop2.img "$D/eloop1.img"
	ln -sfn eloop1.img "$D/eloop2.img"
	rm -f "$D/efifo"
	mkfifo -m 666 "$D/efifo"
	mkdir -p "$D/edir"
	for t in edangling.img:"No such file or directory" eloop1.img:"Too many levels of symbolic links" \
		 efifo:"not a regular file" edir:"not a regular file" decode.null:"not a regular file"; do
		local name=${t%%:*} msg=${t#*:}
		[ -e "$D/$name" ] || [ -L "$D/$name" ] || { skip "$who edit: $name: mknod needs root"; continue; }
		ls -lA "$D" > "$TMP/before"
		ed "$D/$name" 2> "$TMP/err"
		rc=$?
		ls -lA "$D" > "$TMP/after"
		if [ $rc = 1 ] && grep -q "$name: $msg" "$TMP/err" && cmp -s "$TMP/before" "$TMP/after"; then
			pass "$who edit: $name refused"
		else
			fail "$who edit: $name: rc $rc $(cat "$TMP/err") $(diff "$TMP/before" "$TMP/after")"
		fi
	done

	# an IMG.orig that is a link is not an earlier edit's: never replaced
	cp "$IN/files.img" "$D/eo.img"
	chmod 666 "$D/eo.img"
	ln -sfn "$D/eo-elsewhere" "$D/eo.img.orig"
	ed --force "$D/eo.img" 2> "$TMP/err"
	rc=$?
	if [ $rc = 1 ] && grep -q "eo.img.orig exists and is not a regular file" "$TMP/err" &&
	   cmp -s "$IN/files.img" "$D/eo.img" && [ ! -e "$D/eo-elsewhere" ]; then
		pass "$who edit: a symlink as IMG.orig is refused"
	else
		fail "$who edit: symlink IMG.orig: rc $rc $(cat "$TMP/err")"
	fi
	nothing_left "$D/edsub" "$who edit"
}

# crit convert: DST beyond the single-file cases above
convert_cases() {
	local who=$1 f rc t
	cv() { timeout 120 "${AS[@]}" "$CRIT" convert -q "$@"; }

	# every single-file format to stdout and through a FIFO equals the file
	for f in tar tar.gz tar.zst oci-archive json; do
		rm -f "$D/f.$f" "$D/f.$f.out" "$D/f.$f.fifo"
		cv --to $f "$DEMO" "$D/f.$f" 2> "$TMP/err" || fail "$who convert --to $f: $(cat "$TMP/err")"
		if cv --to $f "$DEMO" - > "$D/f.$f.out" 2> "$TMP/err" && cmp -s "$D/f.$f" "$D/f.$f.out"; then
			pass "$who convert --to $f to stdout"
		else
			fail "$who convert --to $f to stdout: $(cat "$TMP/err")"
		fi
		mkfifo -m 666 "$D/f.$f.fifo"
		timeout 20 cat "$D/f.$f.fifo" > "$D/f.$f.got" &
		local pid=$!
		cv --to $f "$DEMO" "$D/f.$f.fifo" 2> "$TMP/err"
		rc=$?
		[ $rc = 0 ] || kill $pid 2> /dev/null
		wait $pid
		if [ $rc = 0 ] && cmp -s "$D/f.$f" "$D/f.$f.got" && [ -p "$D/f.$f.fifo" ]; then
			pass "$who convert --to $f into a FIFO"
		else
			fail "$who convert --to $f into a FIFO: rc $rc $(cat "$TMP/err")"
		fi
	done
	# oci-archive: as a prefix too
	rm -f "$D/prefixed.out"
	if cv "$DEMO" oci-archive:- > "$D/prefixed.out" 2> "$TMP/err" && cmp -s "$D/f.oci-archive" "$D/prefixed.out"; then
		pass "$who convert to oci-archive:-"
	else
		fail "$who convert to oci-archive:-: $(cat "$TMP/err")"
	fi

	# '-' for a directory format, or with no format: a usage error, no file named '-'
	for f in "" "--to dir" "--to json-dir" "--to oci"; do
		(cd "$D" && cv $f "$DEMO" - > "$TMP/out" 2> "$TMP/err")
		rc=$?
		if [ $rc = 2 ] && grep -q "DST '-' is stdout" "$TMP/err" && [ ! -e "$D/-" ] && [ ! -s "$TMP/out" ]; then
			pass "$who convert ${f:-(no --to)} to '-': usage error"
		else
			fail "$who convert ${f:-(no --to)} to '-': rc $rc $(cat "$TMP/err")"
		fi
	done
	(cd "$D" && cv --to tar --rewrite-path /srv/demo=/srv/x --report - "$DEMO" - > "$TMP/out" 2> "$TMP/err")
	rc=$?
	if [ $rc = 2 ] && grep -q "cannot both be stdout" "$TMP/err"; then
		pass "$who convert: --report - with DST -: usage error"
	else
		fail "$who convert: --report - with DST -: rc $rc $(cat "$TMP/err")"
	fi
	# '-' on a terminal: refused before any work
	if command -v script > /dev/null; then
		script -qec "$(printf '%q ' "${AS[@]}" "$CRIT" convert -q --to tar "$DEMO" -)" \
			"$D/typescript" > "$TMP/out" 2>&1
		rc=$?
		if [ $rc = 1 ] && grep -q "stdout: is a terminal" "$TMP/out"; then
			pass "$who convert to '-' on a terminal refused"
		else
			fail "$who convert to '-' on a terminal: rc $rc $(head -c 300 "$TMP/out")"
		fi
	else
		skip "$who convert on a terminal: no script(1)"
	fi

	# an existing file without --force: refused, through a link too, untouched
	for t in convert.600 convert.l1; do
		cv --to tar "$DEMO" "$D/$t" 2> "$TMP/err"
		rc=$?
		if [ $rc = 1 ] && grep -q "$t: exists (use --force to replace it)" "$TMP/err" &&
		   cmp -s "$TMP/ref.convert" "$D/convert.600" && cmp -s "$TMP/ref.convert" "$D/convert.target"; then
			pass "$who convert: existing $t without --force refused"
		else
			fail "$who convert: existing $t without --force: rc $rc $(cat "$TMP/err")"
		fi
	done

	# directory formats: a link to a directory is followed (--force), the
	# link stays; a dangling one makes its target; a FIFO is refused
	rm -rf "$D/dirs"
	mkdir -p "$D/dirs/old"
	chmod -R 777 "$D/dirs"
	touch "$D/dirs/old/stale"
	ln -sfn old "$D/dirs/link"
	if cv --force --to dir "$DEMO" "$D/dirs/link" 2> "$TMP/err" && [ "$(readlink "$D/dirs/link")" = old ] &&
	   [ -f "$D/dirs/old/inventory.img" ] && [ ! -e "$D/dirs/old/stale" ]; then
		pass "$who convert --to dir through a symlink: target replaced, link kept"
	else
		fail "$who convert --to dir through a symlink: $(ls -l "$D/dirs") $(cat "$TMP/err")"
	fi
	ln -sfn new "$D/dirs/dangling"
	if cv --to json-dir "$DEMO" "$D/dirs/dangling" 2> "$TMP/err" && [ -L "$D/dirs/dangling" ] &&
	   [ -f "$D/dirs/new/crimg-json-dir.json" ]; then
		pass "$who convert --to json-dir through a dangling symlink makes its target"
	else
		fail "$who convert --to json-dir through a dangling symlink: $(cat "$TMP/err")"
	fi
	mkfifo -m 666 "$D/dirs/fifo"
	cv --to dir "$DEMO" "$D/dirs/fifo" 2> "$TMP/err"
	rc=$?
	if [ $rc = 1 ] && grep -q "dirs/fifo: is a FIFO: dir is a directory and cannot be written there" "$TMP/err" &&
	   [ -p "$D/dirs/fifo" ]; then
		pass "$who convert --to dir into a FIFO refused"
	else
		fail "$who convert --to dir into a FIFO: rc $rc $(cat "$TMP/err")"
	fi
	nothing_left "$D/dirs" "$who convert dirs"
}

# The reference edit, by root on a new copy.
cp "$IN/files.img" "$TMP/ref.edit"
EDITOR=$TMP/ed.sh TMPDIR=$TMP "$CRIT" edit --no-backup "$TMP/ref.edit" 2> "$TMP/err" ||
	fail "edit: reference: $(cat "$TMP/err")"
cmp -s "$TMP/ref.edit" "$IN/files.img" && fail "edit: the reference edit changed nothing"

if [ "$(id -u)" != 0 ]; then
	# what a user can do alone: no device nodes, no other owners
	skip "output paths as root and as another user: not root (only the cases a user can set up run)"
	D=$TMP/self
	RO=$TMP/self-ro
	mkdir -p "$D" "$RO"
	ME=$(id -un):$(id -gn)
	BLK=
	cases self
	check "/dev/null is still a character device" test -c /dev/null
	finish
	exit
fi

# A block device node that names no device (major 0): never opened.
BLK=$TMP/blk
mknod "$BLK" b 0 0 2> /dev/null || BLK=

# ---- as root ----
D=$TMP/root
RO=$TMP/root-ro
mkdir -p "$D" "$RO"
ME=root:root
for c in decode encode mem report convert; do
	mknod -m 666 "$D/$c.null" c 1 3
	mknod -m 666 "$RO/$c.null" c 1 3
done
cases root

# ---- as an unprivileged user, in a directory it can write ----
if command -v setpriv > /dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2> /dev/null; then
	AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	D=$TMP/user
	RO=$TMP/user-ro		# root's, read-only to the user but for its nodes
	mkdir -p "$D" "$RO"
	chmod 777 "$D"
	chmod 755 "$RO"
	ME=$(id -nu 65534):$(getent group 65534 | cut -d: -f1)
	# the user's own copy: convert --rewrite-path links SRC's files into
	# its staging directory, which the kernel's protected_hardlinks allows
	# only for files the user owns
	mkdir "$TMP/user-in"
	chown 65534:65534 "$TMP/user-in"
	"${AS[@]}" cp -rp "$IN/demo" "$TMP/user-in/demo"
	DEMO=$TMP/user-in/demo
	# crit runs crit-NAME from its own directory when the user may: a
	# clone under a directory closed to others (root's home) is not, so
	# the user gets a copy of the tools where it can reach them
	if ! "${AS[@]}" test -x "$BUILD/bin/crit-convert"; then
		mkdir -p "$TMP/user-bin"
		cp -p "$BUILD"/bin/crit* "$TMP/user-bin/"
		chmod -R a+rX "$TMP/user-bin"
		[ "$CRIT" = "$BUILD/bin/crit" ] && CRIT=$TMP/user-bin/crit
	fi
	for c in decode encode mem report convert; do
		mknod -m 666 "$D/$c.null" c 1 3
		mknod -m 666 "$RO/$c.null" c 1 3
	done
	cases user
else
	skip "output paths as an unprivileged user: setpriv cannot switch to 65534"
fi

# The machine's own /dev/null was never an output, and is still a device;
# /dev/stdout is still the link it was.
check "/dev/null is still a character device" test -c /dev/null
check "/dev/stdout is still a link to /proc/self/fd/1" test "$(readlink /dev/stdout)" = /proc/self/fd/1
finish
