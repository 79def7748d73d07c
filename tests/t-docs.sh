#!/usr/bin/env bash
# asan-ok
# The manual pages (man/), `crit help`, the shell completions (completions/)
# and `make install`: every page renders with man -l and is clean under
# mandoc -T lint and groff -ww; every command of `crit --help` has a page,
# whose OPTIONS list exactly the options of the command's --help; the
# completions offer exactly the commands, each command's options, the views
# of tools/crit/x.c, diff's categories and convert's formats (bash by
# calling the completion function, zsh by typing TAB on a pseudo-terminal).
# The documents (README.md, docs/*.md): every relative link names a file
# that exists, and a heading there when it has a #anchor; the README's
# commands table has every command with its page, docs/tests.md every
# suite, and the make targets they name exist.
. "$(dirname "$0")/lib.sh"

MAN=$TOP/man
COMP=$TOP/completions
export MANPAGER=cat PAGER=cat MANWIDTH=80 LC_ALL=C.UTF-8
unset MANPATH

# ---- the truth: the tables in the code and the commands' --help ----

# `crit CMD --help` (or crit --help): the options of its "options:" list,
# one a line, as "OPT" or "OPT ARG" (takes a value) or "OPT OPTARG"
# (an optional value after '=').  A line is "  -x, --xx META  description";
# the description starts after two spaces, or after the first word that
# follows the metavariable.
help_opts() {
	awk '
	/^options:$/ { on = 1; next }
	on && /^$/ { on = 0 }
	on && /^  -/ {
		spec = $0; sub(/^  +/, "", spec); sub(/  .*/, "", spec)
		n = split(spec, t, /[ ,]+/); k = 0; arg = ""; words = 0
		for (i = 1; i <= n; i++) {
			if (t[i] ~ /^-/) {
				o = t[i]
				if (o ~ /\[=/) arg = "OPTARG"
				sub(/[[=].*/, "", o); opt[++k] = o; words = 0
			} else if (t[i] != "") {
				if (++words > 1) break
				if (arg == "") arg = "ARG"
			}
		}
		for (i = 1; i <= k; i++) print opt[i] (arg != "" ? " " arg : "")
	}' | sort -u
}

# The options a man page lists in OPTIONS (".It Fl x , Fl -xx Ar ..."),
# one a line.
man_opts() {
	awk '
	/^\.Sh / { on = ($2 == "OPTIONS") ; next }
	on && /^\.It Fl / {
		for (i = 2; i < NF; i++) if ($i == "Fl") print "-" $(i + 1)
	}' "$1" | sort -u
}

# The names of a static C table of strings: NAME is the line that opens it.
c_table() {
	sed -n "/$2/,/^};/p" "$1" | grep -o '"[^"]*"' | tr -d '"'
}

VIEWS=$(sed -n '/} views\[\] = {/,/^};/p' "$TOP/tools/crit/x.c" | grep -o '{ "[a-z]*"' | cut -d'"' -f2 | sort)
CATEGORIES=$(c_table "$TOP/lib/image/diff/diff.c" 'cat_names\[.*= {' | sort)
FORMATS=$(c_table "$TOP/lib/image/convert/format.c" 'names\[\] = {' | sort)
check "x view table read from x.c" [ "$(echo "$VIEWS" | wc -l)" -ge 12 ]
check "diff categories read from diff.c" [ "$(echo "$CATEGORIES" | wc -l)" -ge 12 ]
check "convert formats read from format.c" [ "$(echo "$FORMATS" | wc -l)" -ge 8 ]

# The commands of `crit --help`: "  NAME     what it does", NAME and help aside.
COMMANDS=$("$CRIT" --help | sed -n '/^commands:$/,/^$/p' | awk '/^  [a-z]/ { print $1 }' |
	grep -vx 'NAME\|help' | sort)
check "crit --help lists the commands" [ "$(echo "$COMMANDS" | wc -l)" -ge 10 ]

# The views as crit x --help lists them ("  NAME     what", up to "options:").
HELP_VIEWS=$("$CRIT" x --help | sed -n '/^views/,/^options:$/p' | awk '/^  [a-z]/ { print $1 }' | sort)
check "crit x --help lists every view of the table" [ "$HELP_VIEWS" = "$VIEWS" ]
HELP_CATS=$("$CRIT" diff --help | sed -n '/^categories:$/,/^$/p' | awk '/^  [a-z]/ { print $1 }' | sort)
check "crit diff --help lists every category" [ "$HELP_CATS" = "$CATEGORIES" ]

# ---- the manual pages ----
have() { command -v "$1" > /dev/null 2>&1; }
fails() { ! "$@"; }
# What does not depend on the build (rendering, lint, zsh) runs once, on
# the normal build.
case $BUILD in *asan*) once='' ;; *) once=1 ;; esac
pages=("$MAN"/*.1)
check "man/ holds crit.1 and one page per command" [ ${#pages[@]} -eq $(($(echo "$COMMANDS" | wc -l) + 1)) ]
check "crit.1 exists" [ -f "$MAN/crit.1" ]
for c in $COMMANDS; do
	check "man page for crit $c" [ -f "$MAN/crit-$c.1" ]
done
for p in "${pages[@]}"; do
	n=$(basename "$p" .1)
	[ "$n" = crit ] || echo "$COMMANDS" | grep -qx "${n#crit-}" || fail "$n.1: no such command in crit --help"
done

if [ -z "$once" ]; then
	:
elif have man; then
	for p in "${pages[@]}"; do
		n=$(basename "$p" .1)
		if man -l "$p" > "$TMP/rendered" 2> "$TMP/man.err" && [ ! -s "$TMP/man.err" ] &&
			head -1 "$TMP/rendered" | grep -q "^${n^^}(1) " &&
			grep -q "^     $n — " "$TMP/rendered"; then
			pass "man -l renders $n.1"
		else
			fail "man -l $n.1: $(head -3 "$TMP/man.err") $(head -1 "$TMP/rendered")"
		fi
		# every section the brief asks for
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -qx "$s" "$TMP/rendered" || fail "$n.1 has no $s section"
		done
	done
else
	skip "man -l (man-db not installed: make deps)"
fi

if [ -z "$once" ]; then
	:
elif have mandoc; then
	for p in "${pages[@]}"; do
		# "referenced manual not found" depends on the pages installed on
		# this machine, and mandoc.db on its index: not the page's faults
		mandoc -T lint -W all "$p" 2>&1 | grep -v 'referenced manual not found\|mandoc\.db' > "$TMP/lint"
		check "mandoc -T lint clean: $(basename "$p") $(head -3 "$TMP/lint")" [ ! -s "$TMP/lint" ]
	done
else
	skip "mandoc -T lint (mandoc not installed: make deps)"
fi
if [ -z "$once" ]; then
	:
elif have groff; then
	for p in "${pages[@]}"; do
		out=$(groff -ww -mandoc -Tutf8 -z "$p" 2>&1)
		check "groff -ww clean: $(basename "$p") $out" [ -z "$out" ]
	done
else
	skip "groff -ww (groff not installed)"
fi

# Every option of --help in the page's OPTIONS, and nothing else.
opts_match() {	# NAME PAGE HELP-COMMAND...
	local name=$1 page=$2
	shift 2
	"$@" --help | help_opts | cut -d' ' -f1 > "$TMP/h"
	man_opts "$page" > "$TMP/m"
	if [ -s "$TMP/h" ] && cmp -s "$TMP/h" "$TMP/m"; then
		pass "$name: OPTIONS = --help's options"
	else
		fail "$name: options in --help only: $(comm -23 "$TMP/h" "$TMP/m" | tr '\n' ' ')in the page only: $(comm -13 "$TMP/h" "$TMP/m" | tr '\n' ' ')"
	fi
}
opts_match crit "$MAN/crit.1" "$CRIT"
for c in $COMMANDS; do
	opts_match "crit $c" "$MAN/crit-$c.1" "$CRIT" "$c"
done
# the test of the test: an option missing from a page is seen
sed '/^\.It Fl -nopl$/d' "$MAN/crit-decode.1" > "$TMP/crit-decode.1"
"$CRIT" decode --help | help_opts | cut -d' ' -f1 > "$TMP/h"
man_opts "$TMP/crit-decode.1" > "$TMP/m"
check "a page without --nopl differs from decode --help" fails cmp -s "$TMP/h" "$TMP/m"
check "help_opts reads a metavariable after one space (mem -r RE search...)" \
	grep -qx -- '-r ARG' <("$CRIT" mem --help | help_opts)
check "help_opts reads an optional value (diff --color[=WHEN])" \
	grep -qx -- '--color OPTARG' <("$CRIT" diff --help | help_opts)

# Lists in the pages: the views in crit-x.1, the categories in crit-diff.1.
page_list() {	# PAGE FROM TO: the ".It Cm NAME" items between two lines
	sed -n "/^$2/,/^$3/p" "$1" | sed -n 's/^\.It Cm \([^ ]*\)$/\1/p' | sort
}
check "crit-x.1 describes exactly the views of x.c" \
	[ "$(page_list "$MAN/crit-x.1" '\.Sh DESCRIPTION' '\.Ss JSON')" = "$VIEWS" ]
check "crit-diff.1 describes exactly the categories" \
	[ "$(page_list "$MAN/crit-diff.1" '\.Ss Categories' '\.Ss Paths')" = "$CATEGORIES" ]
check "crit-convert.1 describes exactly the formats" \
	[ "$(sed -n '/^\.Ss Formats/,/^\.Ss /p' "$MAN/crit-convert.1" |
		sed -n 's/^\.It Cm //p' | tr -d ',' | tr ' ' '\n' | grep . | sort)" = "$FORMATS" ]

# ---- crit help ----
mkdir -p "$TMP/manpath/man1" "$TMP/nomanpath"
cp "$MAN"/*.1 "$TMP/manpath/man1/"
"$CRIT" --help > "$TMP/crit-help"
"$CRIT" help > "$TMP/out"
check "crit help = crit --help" cmp -s "$TMP/out" "$TMP/crit-help"
for c in x decode diff convert; do
	"$CRIT" "$c" --help > "$TMP/cmd-help"
	MANPATH=$TMP/nomanpath "$CRIT" help "$c" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	check "crit help $c without its page = crit $c --help" \
		eval '[ $rc -eq 0 ] && cmp -s "$TMP/out" "$TMP/cmd-help" && [ ! -s "$TMP/err" ]'
	if have man; then
		MANPATH=$TMP/manpath "$CRIT" help "$c" > "$TMP/out" 2> "$TMP/err"
		rc=$?
		check "crit help $c shows crit-$c(1) found through MANPATH" \
			eval '[ $rc -eq 0 ] && head -1 "$TMP/out" | grep -q "^CRIT-${c^^}(1) " && [ ! -s "$TMP/err" ]'
	fi
done
# no man at all: --help
mkdir -p "$TMP/noman-bin"
PATH=$TMP/noman-bin MANPATH=$TMP/manpath "$CRIT" help x > "$TMP/out" 2> "$TMP/err"
"$CRIT" x --help > "$TMP/cmd-help"
check "crit help x without man = crit x --help" cmp -s "$TMP/out" "$TMP/cmd-help"
MANPATH=$TMP/nomanpath "$CRIT" help bogus > "$TMP/out" 2> "$TMP/err"
rc=$?
check "crit help bogus: exit 2, not a command" \
	eval '[ $rc -eq 2 ] && grep -q "'"'"'bogus'"'"' is not a crit command" "$TMP/err" && [ ! -s "$TMP/out" ]'
MANPATH=$TMP/manpath "$CRIT" help -l /etc/passwd > "$TMP/out" 2> "$TMP/err"
check "crit help -l FILE does not hand FILE to man" fails grep -q root "$TMP/out"

# ---- bash completion ----
BASH_COMP=$COMP/crit.bash
check "crit.bash parses" bash -n "$BASH_COMP"
mkdir -p "$TMP/cw/ckpt" "$TMP/cw/sub"
: > "$TMP/cw/core-1.img"; : > "$TMP/cw/.hidden.img"; : > "$TMP/cw/a.tar.zst"; : > "$TMP/cw/b.json"; : > "$TMP/cw/notes.txt"
# bcomp WORD...: COMPREPLY (sorted, one line) for the words, the last one
# being completed, in a non-interactive bash with only crit.bash loaded
bcomp() {
	(cd "$TMP/cw" && PATH=/usr/bin:/bin bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
		_crit
		printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "' bash "$BASH_COMP" "$@")
}
bcheck() {	# NAME EXPECTED WORD...
	local name=$1 want=$2 got
	shift 2
	got=$(bcomp "$@")
	got=${got% }
	if [ "$got" = "$want" ]; then pass "bash: $name"; else fail "bash: $name: got '$got', want '$want'"; fi
}
sorted() { echo "$@" | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ' | sed 's/ $//'; }
bcheck "crit x DIR <TAB> = the views of x.c" "$(sorted $VIEWS)" crit x ckpt ''
bcheck "crit x -p 1 --format json DIR <TAB> = the views" "$(sorted $VIEWS)" crit x -p 1 --format json ckpt ''
bcheck "crit --limit entry=1M x DIR <TAB> = the views" "$(sorted $VIEWS)" crit --limit entry = 1M x ckpt ''
bcheck "crit x DIR c<TAB>" "$(sorted $(echo "$VIEWS" | grep '^c'))" crit x ckpt c
bcheck "crit <TAB> = the commands and help" "$(sorted $COMMANDS help)" crit ''
bcheck "crit help <TAB> = the commands" "$(sorted $COMMANDS)" crit help ''
bcheck "crit decode --<TAB> = decode's long options" \
	"$(sorted $("$CRIT" decode --help | help_opts | cut -d' ' -f1 | grep -- '^--'))" crit decode --
bcheck "crit x <TAB>: directories and archives" "a.tar.zst b.json ckpt sub" crit x ''
bcheck "crit diff <TAB>: also images" "a.tar.zst b.json ckpt core-1.img sub" crit diff ''
bcheck "crit info <TAB>: images and directories" "ckpt core-1.img sub" crit info ''
bcheck "crit x oci:<TAB>: directories" "ckpt sub" crit x oci : ''
bcheck "crit x --format=<TAB>" "json text" crit x --format = ''
bcheck "crit inspect --format <TAB>" "json tree" crit inspect --format ''
bcheck "crit diff --only task,c<TAB>" "task,cgroup task,creds" crit diff --only task,c
bcheck "crit diff --only <TAB> = the categories" "$(sorted $CATEGORIES)" crit diff --only ''
bcheck "crit convert --to <TAB> = the formats" "$(sorted $FORMATS)" crit convert --to ''
bcheck "crit-convert -t <TAB> = the formats" "$(sorted $FORMATS)" crit-convert -t ''
bcheck "crit encode --byte-order <TAB>" "big little native" crit encode --byte-order ''
bcheck "crit --limit <TAB>" "depth= entry= extra= member= parents= ratio=" crit --limit ''
# every command's options, and those taking a value, as --help has them
for c in '' $COMMANDS; do
	"$CRIT" $c --help | help_opts > "$TMP/h"
	bash -c '. "$1"; for o in $(_crit_opts "$2"); do
			case " $(_crit_argopts "$2") " in *" $o "*) echo "$o ARG" ;; *) echo "$o" ;; esac
		done' bash "$BASH_COMP" "$c" | sort -u > "$TMP/b"
	sed 's/ OPTARG$//' "$TMP/h" > "$TMP/h2"	# optional values only after '='
	check "bash: options of crit${c:+ $c} = its --help's $(diff "$TMP/h2" "$TMP/b" | grep '^[<>]' | tr '\n' ' ')" \
		cmp -s "$TMP/h2" "$TMP/b"
	want=$(sorted $(cut -d' ' -f1 "$TMP/h"))
	bcheck "crit${c:+ $c} -<TAB> = every option" "$want" crit $c -
done
for v in views categories formats; do
	case $v in views) want=$VIEWS ;; categories) want=$CATEGORIES ;; formats) want=$FORMATS ;; esac
	got=$(bash -c '. "$1"; eval echo \$_crit_$2' bash "$BASH_COMP" "$v" | tr ' ' '\n' | sort)
	check "bash: the $v list = the code's" [ "$got" = "$want" ]
done

# ---- zsh completion ----
if [ -z "$once" ]; then
	:
elif have zsh; then
	check "_crit parses" zsh -n "$COMP/_crit"
	# the lists it carries
	zlist() { sed -n "/^_crit_$1=(/,/^)/p" "$COMP/_crit" | sed '1d;$d' | sed "s/^ *'\{0,1\}\([^:']*\).*/\1/" | sort; }
	check "zsh: the views list = x.c's" [ "$(zlist views)" = "$VIEWS" ]
	check "zsh: the categories list = diff.c's" [ "$(zlist categories)" = "$CATEGORIES" ]
	check "zsh: the formats list = format.c's" [ "$(zlist formats)" = "$FORMATS" ]
	mkdir -p "$TMP/zfpath"
	cp "$COMP/_crit" "$TMP/zfpath/"
	lines=('crit x ckpt ' 'crit ' 'crit help ' 'crit x ' 'crit diff ' 'crit info '
		'crit diff --only task,c' 'crit convert --to ' 'crit x --format=' 'crit --limit e'
		'crit --limit entry=1M x ckpt ' 'crit-diff --ma')
	for c in '' $COMMANDS; do lines+=("crit${c:+ $c} -"); done
	timeout 120 zsh -f "$TOP/tests/docs/zsh-complete.zsh" "$TMP/zfpath" "$TMP/cw" "$TMP/zout" \
		"${lines[@]}" > "$TMP/zres" 2> "$TMP/zerr"
	check "zsh: completion ran on a pty $(head -3 "$TMP/zerr")" [ ! -s "$TMP/zerr" ]
	zcheck() {	# NAME EXPECTED LINE
		local got
		got=$(awk -v l="== $3" '$0 == l { getline; print; exit }' "$TMP/zres")
		if [ "$got" = "$2" ]; then pass "zsh: $1"; else fail "zsh: $1: got '$got', want '$2'"; fi
	}
	zcheck "crit x DIR <TAB> = the views of x.c" "$(sorted $VIEWS)" 'crit x ckpt '
	zcheck "crit <TAB> = the commands and help" "$(sorted $COMMANDS help)" 'crit '
	zcheck "crit help <TAB> = the commands" "$(sorted $COMMANDS)" 'crit help '
	zcheck "crit x <TAB>: directories, archives, oci prefixes" "a.tar.zst b.json ckpt oci-archive: oci: sub" 'crit x '
	zcheck "crit diff <TAB>: also images" "a.tar.zst b.json ckpt core-1.img oci-archive: oci: sub" 'crit diff '
	zcheck "crit info <TAB>: images and directories" "ckpt core-1.img sub" 'crit info '
	zcheck "crit diff --only task,c<TAB>" "cgroup creds" 'crit diff --only task,c'
	zcheck "crit convert --to <TAB> = the formats" "$(sorted $FORMATS)" 'crit convert --to '
	zcheck "crit x --format=<TAB>" "json text" 'crit x --format='
	zcheck "crit --limit e<TAB>" "entry extra" 'crit --limit e'
	zcheck "crit --limit entry=1M x DIR <TAB> = the views" "$(sorted $VIEWS)" 'crit --limit entry=1M x ckpt '
	zcheck "crit-diff --ma<TAB>" "--match" 'crit-diff --ma'
	for c in '' $COMMANDS; do
		zcheck "crit${c:+ $c} -<TAB> = every option of its --help" \
			"$(sorted $("$CRIT" $c --help | help_opts | cut -d' ' -f1))" "crit${c:+ $c} -"
	done
else
	skip "zsh completion (zsh not installed: make deps)"
fi

# ---- make install ----
INST=$TMP/inst
# -o all: install what this build holds, never rebuild it (with other
# flags); run from make check, the outer make's flags are not for this one
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -C "$TOP" -o all install \
	BUILD="$BUILD" PREFIX=/usr DESTDIR="$INST" > "$TMP/install.log" 2>&1; then
	pass "make install DESTDIR PREFIX=/usr"
else
	fail "make install: $(tail -3 "$TMP/install.log")"
fi
for p in "${pages[@]}"; do
	check "installed: share/man/man1/$(basename "$p")" cmp -s "$p" "$INST/usr/share/man/man1/$(basename "$p")"
done
check "installed: bash completion as share/bash-completion/completions/crit" \
	cmp -s "$BASH_COMP" "$INST/usr/share/bash-completion/completions/crit"
check "installed: zsh completion as share/zsh/vendor-completions/_crit" \
	cmp -s "$COMP/_crit" "$INST/usr/share/zsh/vendor-completions/_crit"
for c in $COMMANDS; do
	[ -x "$INST/usr/bin/crit-$c" ] || continue
	check "installed: bash completion for crit-$c" \
		cmp -s "$BASH_COMP" "$INST/usr/share/bash-completion/completions/crit-$c"
done
check "installed: crit" [ -x "$INST/usr/bin/crit" ]
if have man; then
	# the installed crit finds its own pages beside its bin directory
	MANPATH=$TMP/nomanpath "$INST/usr/bin/crit" help mem > "$TMP/out" 2> "$TMP/err"
	check "installed crit help mem shows crit-mem(1) from share/man" \
		eval 'head -1 "$TMP/out" | grep -q "^CRIT-MEM(1) " && [ ! -s "$TMP/err" ]'
	check "man -w finds the installed pages" \
		eval '[ "$(MANPATH=$INST/usr/share/man man -w crit-diff)" = "$INST/usr/share/man/man1/crit-diff.1" ]'
fi


# ---- the documents: README.md and docs/ ----
# md_links FILE: the targets of FILE's inline links [text](target), one a
# line, outside fenced code blocks and code spans
md_links() {
	awk '
	/^```/ { code = !code; next }
	code { next }
	{
		line = $0
		gsub(/`[^`]*`/, "", line)
		while (match(line, /\]\([^) \t]+/)) {
			print substr(line, RSTART + 2, RLENGTH - 2)
			line = substr(line, RSTART + RLENGTH)
		}
	}' "$1"
}
# md_anchors FILE: the anchors of FILE's headings, as GitHub makes them
# (lower case, punctuation dropped, spaces as '-', "-N" on repeats)
md_anchors() {
	awk '
	/^```/ { code = !code; next }
	code { next }
	/^#+ / {
		h = $0; sub(/^#+ +/, "", h); sub(/ +#+ *$/, "", h)
		h = tolower(h); gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h)
		if (h in seen) print h "-" seen[h]++; else { seen[h] = 1; print h }
	}' "$1"
}
# bad_links FILE...: "FILE: TARGET: what is wrong" for each relative link
# that names no file, or a heading its Markdown file does not have
bad_links() {
	local f t path anchor target
	for f in "$@"; do
		while IFS= read -r t; do
			case $t in *://* | mailto:*) continue ;; esac
			path=${t%%#*} anchor=
			case $t in *'#'*) anchor=${t#*#} ;; esac
			target=$(dirname "$f")/$path
			[ -n "$path" ] || target=$f
			if [ ! -e "$target" ]; then
				echo "$(basename "$f"): $t: no such file"
			elif [ -n "$anchor" ] && [[ $target == *.md ]] &&
				! md_anchors "$target" | grep -qxF -- "$anchor"; then
				echo "$(basename "$f"): $t: no heading #$anchor in $(basename "$target")"
			fi
		done < <(md_links "$f")
	done
}
if [ -n "$once" ]; then
	DOCS=("$TOP/README.md" "$TOP"/docs/*.md)
	for d in bundle json-dir oci limits performance tests; do
		check "docs/$d.md exists" [ -f "$TOP/docs/$d.md" ]
	done
	n=$(for f in "${DOCS[@]}"; do md_links "$f"; done | grep -cv '://')
	check "README.md and docs/ hold relative links ($n)" [ "$n" -ge 40 ]
	bad_links "${DOCS[@]}" > "$TMP/badlinks"
	check "every relative link of README.md and docs/*.md resolves$([ ! -s "$TMP/badlinks" ] || echo ":" $(head -5 "$TMP/badlinks"))" \
		[ ! -s "$TMP/badlinks" ]
	for f in "$TOP"/docs/*.md; do
		check "README links docs/$(basename "$f")" grep -qF "(docs/$(basename "$f"))" "$TOP/README.md"
	done
	# the test of the test: a missing file and a missing heading are seen,
	# a link in code is not a link, a good anchor passes
	mkdir -p "$TMP/lt/sub"
	printf '# Top\n## The JSON codec'"'"'s paths\n## Top\n' > "$TMP/lt/sub/b.md"
	printf '%s\n' '# A' '[1](sub/b.md) [2](sub/b.md#the-json-codecs-paths) [3](sub/b.md#top-1)' \
		'[4](#a) [5](https://example.org/x) [6](gone.md) [7](sub/b.md#nowhere)' \
		'`[8](code-span.md)`' '```' '[9](fenced.md)' '```' > "$TMP/lt/a.md"
	check "bad_links names exactly the missing file and the missing heading" \
		[ "$(bad_links "$TMP/lt/a.md")" = "$(printf '%s\n' 'a.md: gone.md: no such file' \
			'a.md: sub/b.md#nowhere: no heading #nowhere in b.md')" ]

	# the README's commands table: every command, each with its page
	for c in $COMMANDS; do
		check "README's commands table: crit $c and crit-$c(1)" \
			grep -q "^| \`crit $c.*(man/crit-$c\.1) |$" "$TOP/README.md"
	done
	check "README keeps the Quick start commands" \
		eval 'grep -q "^make deps demo " "$TOP/README.md" && grep -q "^make deps check " "$TOP/README.md"'
	# docs/tests.md: a row for every suite
	for t in "$TOP"/tests/t-*.sh; do
		t=$(basename "$t" .sh)
		check "docs/tests.md describes $t" grep -q "^| $t |" "$TOP/docs/tests.md"
	done
	# every `make TARGET` the documents name is a target of the Makefile
	# (in code spans and code blocks: prose may say "make crit ...")
	for t in $({ cat "${DOCS[@]}" | grep -o '`make [a-z][a-z-]*'
		awk '/^```/ { code = !code; next } code' "${DOCS[@]}" | grep -o '^make [a-z][a-z-]*'
		} | sed 's/.* //' | sort -u); do
		check "make $t (named in the documents) is a Makefile target" \
			grep -Eq "^([^#:=]* )?$t( [^:=]*)?:" "$TOP/Makefile"
	done
	check "docs/performance.md marks its figures (BEGIN FIGURES ... END FIGURES)" \
		eval '[ "$(grep -c "BEGIN FIGURES\|END FIGURES" "$TOP/docs/performance.md")" = 2 ]'
fi

finish
