# Drives zsh's completion system from a script: an interactive zsh -f on a
# pseudo-terminal (zsh/zpty) loads _crit through compinit, each LINE is
# typed followed by TAB, and the words the completion offers are printed.
#
#   zsh -f zsh-complete.zsh FPATHDIR WORKDIR OUTFILE LINE...
#
# prints, per LINE, "== LINE" and then the offered words, sorted, on one
# line.  Every compadd call that does not collect matches itself (-O, -A,
# -D) writes the words it would add to OUTFILE; the TAB key runs a widget
# that completes, lists and inserts nothing, and writes <END> when done.
zmodload zsh/zpty || exit 3
fp=$1 wd=$2 out=$3
shift 3
zpty t zsh -f -i
zpty -w t "PS1='' PS2='' RPS1=''; cd ${(q)wd}; OUT=${(q)out}"
zpty -w t "fpath=(${(q)fp} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w t 'compadd() { if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi; local -a m; builtin compadd -O m "$@"; (( $#m )) && print -rl -- ${m/#/M } >> $OUT; builtin compadd "$@"; }'
zpty -w t '_t_main() { _main_complete; local r=$?; compstate[list]=""; compstate[insert]=""; print -r -- "<END>" >> $OUT; return r; }'
zpty -w t 'zle -C t-complete complete-word _t_main; bindkey "^I" t-complete; print READY > $OUT'
for i in {1..200}; do [[ -s $out ]] && break; sleep 0.05; done
[[ -s $out ]] || { print -u2 "zsh did not start on the pty"; exit 4; }
for line in "$@"; do
	: > $out
	zpty -w -n t $'\C-u'"$line"$'\t'
	for i in {1..200}; do grep -q '<END>' $out 2>/dev/null && break; sleep 0.05; done
	grep -q '<END>' $out || { print -u2 "no completion for: $line"; zpty -d t; exit 5; }
	print -r -- "== $line"
	print -r -- ${(j: :)${(ou)${(f)"$(grep '^M ' $out | cut -c3-)"}}}
done
zpty -d t
