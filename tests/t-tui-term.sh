#!/usr/bin/env bash
# crit-tui in a real terminal (tmux, on a server of its own): the screen
# tmux shows is the one the scripted mode saves for the same keys, a
# resize redraws at the new size, and the terminal is given back (modes,
# the shell's screen, the cursor) after q, SIGINT, SIGTERM, SIGHUP and an
# injected fatal error, with the exit status each should give.
# asan-ok
. "$(dirname "$0")/lib.sh"

TUI=$BUILD/bin/crit-tui
if ! command -v tmux > /dev/null; then
	skip "tmux is not installed (make deps)"
	finish
fi
if have_corpus; then SRC=$CORPUS/tree; else SRC=$BUILD/samples/demo; fi
SOCK=$TMP/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
fails() { ! "$@"; }
trap 'tm kill-server 2> /dev/null; rm -rf "$TMP"' EXIT

# wait_for WHAT CMD...: polls CMD for up to 10 s.
wait_for() {
	local what=$1 i
	shift
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	echo "  (timed out waiting for $what)"
	return 1
}
pane() { tm capture-pane -p -t t; }
shows() { pane | grep -qF -- "$1"; }
flag() { tm display -p -t t "#{$1}"; }
tui_pid() { pgrep -f "^$TUI " | head -1; }

# start NAME: a shell in a 100x30 pane that runs crit-tui and records its
# status and the terminal's modes before and after.
start() {
	local n=$1
	tm kill-server 2> /dev/null
	tm -f /dev/null new-session -d -s t -x 100 -y 30 \
		"env -i PATH=$PATH TERM=screen HOME=$TMP LANG=C.UTF-8 bash --norc --noprofile"
	tm set -g status off 2> /dev/null
	tm send-keys -t t "PS1='$ '; stty -g > $TMP/before.$n; echo BEFORE-$n" Enter
	# dash runs the rest after crit-tui dies of SIGINT (bash would drop it)
	tm send-keys -t t "CRIMG_TUI_TEST=1 /bin/sh -c '\"\$0\" \"\$1\"; echo \$? > $TMP/rc.$n' $TUI $SRC; stty -g > $TMP/after.$n; echo AFTER-$n" Enter
	wait_for "the first screen" shows "process tree" || wait_for "the first screen" shows "images"
}

# The keys of a walk, typed in tmux and run by the scripted mode, give the
# same screen.
start same
cat > "$TMP/walk" << 'EOF'
j
:save-screen one.txt
j?
:save-screen two.txt
EOF
mkdir -p "$TMP/saved"
CRIMG_TUI_SAVE_DIR=$TMP/saved "$TUI" --script "$TMP/walk" --size 100x30 "$SRC" > /dev/null 2>&1
tm send-keys -t t j
sleep 0.3
pane > "$TMP/tmux-one.txt"
if cmp -s "$TMP/saved/one.txt" "$TMP/tmux-one.txt"; then
	pass "tmux shows the screen the scripted mode saves"
else
	fail "tmux and the scripted mode differ: $(diff "$TMP/saved/one.txt" "$TMP/tmux-one.txt" | head -10)"
fi
tm send-keys -t t j '?'
sleep 0.3
pane > "$TMP/tmux-two.txt"
if cmp -s "$TMP/saved/two.txt" "$TMP/tmux-two.txt"; then
	pass "tmux shows the help overlay the scripted mode saves"
else
	fail "help overlay: tmux and the scripted mode differ: $(diff "$TMP/saved/two.txt" "$TMP/tmux-two.txt" | head -10)"
fi
tm send-keys -t t Escape
# a resize redraws at the new size: the status line is on the new last row
tm resize-window -t t -x 80 -y 24 2> /dev/null
sleep 0.5
last=$(pane | sed -n 24p)
if [[ $last == *"?:help  q:quit"* ]] && [ "$(pane | LC_ALL=C.UTF-8 wc -L)" -le 80 ]; then
	pass "a resize to 80x24 redraws with the status line on row 24"
else
	fail "after a resize, row 24 is: $last"
fi
tm send-keys -t t q
wait_for "the shell" test -s "$TMP/rc.same"
tm kill-server 2> /dev/null

# Every golden walk, typed into tmux at 80x24 and 132x43: each screen it saves must
# be what tmux shows at that moment (the normal build only: it is slow).
# tmux's names for the walks' special keys:
tmux_key() {
	case $1 in
	Up | Down | Left | Right | Home | End | Enter | Tab | BTab | F1 | Space) echo "$1" ;;
	PgUp) echo PPage ;;
	PgDn) echo NPage ;;
	BS) echo BSpace ;;
	Esc) echo Escape ;;
	Del) echo DC ;;
	lt) echo '<' ;;
	C-?) echo "$1" ;;
	*) return 1 ;;
	esac
}
# type_line LINE: sends a walk line's keys, one by one, as typed.
type_line() {
	local l=$1 k
	while [ -n "$l" ]; do
		if [[ $l =~ ^\<([A-Za-z0-9-]+)\>(.*)$ ]] && k=$(tmux_key "${BASH_REMATCH[1]}"); then
			tm send-keys -t t "$k"
			l=${BASH_REMATCH[2]}
		else
			tm send-keys -t t -l -- "${l:0:1}"
			l=${l:1}
		fi
	done
}
# settle: waits until two captures 50 ms apart agree (the screen is drawn).
settle() {
	local a b i
	b=$(pane)
	for i in $(seq 40); do
		sleep 0.05
		a=$b
		b=$(pane)
		[ "$a" = "$b" ] && return 0
	done
}
case $BUILD in
*asan*) ;;
*)
	for size in 80x24 132x43; do
	for w in "$TOP"/tests/tui/walks/*.walk; do
		name=$(basename "$w" .walk)
		s=$(sed -n 's/^# src: *//p' "$w" | head -1)
		src=$(walk_source "$s") || continue
		gold=$TOP/tests/tui/golden/$name/$size
		rm -rf "$TMP/tw/$name"; mkdir -p "$TMP/tw/$name"
		# a new server for each walk, once the last one is gone (a
		# session started while the old server exits dies with it)
		tm kill-server 2> /dev/null
		wait_for "the old tmux server to exit" fails tm has-session 2> /dev/null
		tm -f /dev/null new-session -d -s t -x "${size%x*}" -y "${size#*x}" -c "$(dirname "$src")" \
			"env -i PATH=$PATH TERM=screen HOME=$TMP LANG=C.UTF-8 CRIMG_TUI_SAVE_DIR=$TMP/tw/$name $TUI $(basename "$src"); sleep 60"
		tm set -g status off 2> /dev/null
		settle
		bad=0 n=0
		while IFS= read -r line; do
			case $line in
			'' | '#'*) continue ;;
			':save-screen '*)
				f=${line#:save-screen }
				settle
				n=$((n + 1))
				if ! pane | cmp -s - "$gold/$f"; then
					bad=1
					fail "tmux walk $name at $size: screen $f differs from its golden: $(pane | diff "$gold/$f" - | head -8)"
				fi
				type_line "$line"; tm send-keys -t t Enter ;;
			:*) type_line "$line"; tm send-keys -t t Enter ;;
			*) type_line "$line" ;;
			esac
			settle
		done < "$w"
		[ $bad = 0 ] && [ $n -gt 0 ] && pass "tmux walk $name at $size: its $n screens are the goldens"
	done
	done
	tm kill-server 2> /dev/null
	;;
esac

# Colours by role, none under NO_COLOR; box drawing in UTF-8, ASCII in a
# locale that is not UTF-8.  (capture-pane -e keeps the SGR sequences.)
# look ENV...: the first screen of the demo sample in tmux, with ENV.
look() {
	tm kill-server 2> /dev/null
	wait_for "the old tmux server to exit" fails tm has-session 2> /dev/null
	tm -f /dev/null new-session -d -s t -x 100 -y 30 \
		"env -i PATH=$PATH TERM=screen HOME=$TMP $* $TUI $BUILD/samples/demo; sleep 60"
	tm set -g status off 2> /dev/null
	wait_for "the first screen" shows "process tree"
	settle
}
colours() { tm capture-pane -e -p -t t | grep -cE $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|38|48)[;m]'; }
look LANG=C.UTF-8
check "colours on a colour terminal" [ "$(colours)" -gt 0 ]
check "UTF-8 line drawing in a UTF-8 locale" shows "└─crimg"
look LANG=C.UTF-8 NO_COLOR=1
check "no colour under NO_COLOR" [ "$(colours)" = 0 ]
check "reverse video marks the cursor under NO_COLOR" \
	bash -c "tmux -S '$SOCK' capture-pane -e -p -t t | grep -q $'\\e\\[7m'"
look LANG=C
check "ASCII line drawing in a locale that is not UTF-8" shows '`-crimg'
check "no box drawing characters then" fails shows "│"
tm kill-server 2> /dev/null

# ends NAME ACTION STATUS: crit-tui ended by ACTION exits STATUS and gives
# the terminal back.
ends() {
	local n=$1 action=$2 want=$3 pid
	start "$n" || { fail "$n: crit-tui did not start: $(pane | head -5)"; return; }
	case $action in
	q) tm send-keys -t t q ;;
	fatal) tm send-keys -t t ':fatal-test' Enter ;;
	*)
		pid=$(tui_pid)
		[ -n "$pid" ] && kill "-$action" "$pid"
		;;
	esac
	if ! wait_for "the shell after $n" test -s "$TMP/rc.$n"; then
		fail "$n: crit-tui did not end: $(pane | head -5)"
		return
	fi
	wait_for "AFTER-$n" shows "AFTER-$n"
	check "$n: exit status $want" [ "$(cat "$TMP/rc.$n")" = "$want" ]
	check "$n: terminal modes as before (stty -g)" cmp -s "$TMP/before.$n" "$TMP/after.$n"
	check "$n: the alternate screen is left" [ "$(flag alternate_on)" = 0 ]
	check "$n: the cursor is visible" [ "$(flag cursor_flag)" = 1 ]
	check "$n: the shell's screen is back" shows "BEFORE-$n"
	tm kill-server 2> /dev/null
}
ends quit q 0
ends sigint INT 130
ends sigterm TERM 143
ends sighup HUP 129
ends fatal fatal 134
finish
