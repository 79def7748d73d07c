# bash completion for crit (crimg): the commands, each command's options and
# their values, the views of `crit x`, and for file arguments CRIU images,
# directories and checkpoint archives.  Installed as
# PREFIX/share/bash-completion/completions/crit; needs nothing else.
#
# The lists below follow the commands' --help (tests/t-docs.sh checks them
# against it, against the view table of tools/crit/x.c, diff's categories
# and convert's formats).

_crit_commands='decode encode info show x inspect mem edit check core convert diff tui help'
_crit_views='ps fds mems rss sk core env cmdline mounts ns cgroups stats'
_crit_categories='task creds regs sigaction vma fd socket mount ns cgroup memory image'
_crit_formats='dir json json-dir tar tar.gz tar.zst oci oci-archive'
_crit_limits='entry= extra= depth= member= ratio= parents='

# _crit_opts CMD: every option of CMD; _crit_argopts CMD: those that take a
# value (in the next word or after '='); optional values only after '='.
_crit_opts() {
	case $1 in
	'') echo '-h --help --version --limit' ;;
	decode) echo '-h --help --pretty --nopl -i --in -o --out' ;;
	encode) echo '-h --help -i --in -o --out --byte-order' ;;
	info) echo '-h --help' ;;
	show) echo '-h --help --nopl' ;;
	x) echo '-h --help --format -p --pid --container --tls-key' ;;
	inspect) echo '-h --help --format --ps-tree-cmd --ps-tree-env --files --sockets' \
		'--mounts --metadata --all -p --pid --container' ;;
	mem) echo '-h --help -p --pid --shmem --vma --range --prot -o --output -s --search' \
		'-r --search-regex -i --ignore-case -c --context -m --max-count --format' \
		'--bytes --container --page-size' ;;
	edit) echo '-h --help --no-backup -f --force' ;;
	check) echo '-h --help --host --root --offline --log --format --probe --reasons' \
		'--container --limit --tcp-established --tcp-close --shell-job --ext-unix-sk' \
		'--file-locks --skip-file-rwx-check --allow-uprobes --new-pidns --ext-mount-map' \
		'--target-arch' ;;
	core) echo '-h --help -p --pid --all -o --output -d --dir --format --container' ;;
	convert) echo '-h --help -t --to -l --level -T --threads -f --force -q --quiet' \
		'--progress --rewrite-path --rewrite-ip --report --ref --layer-compression' \
		'--byte-order --limit --to-arch --target-exe --source-exe --target-path' \
		'--stack-plugin' ;;
	diff) echo '-h --help --match --only --ignore --stat --format --color --mem-bytes' \
		'-q --quiet --container --page-size --limit' ;;
	tui) echo '-h --help --container --ascii --no-color --script --size --limit' ;;
	esac
}
_crit_argopts() {
	case $1 in
	'') echo '--limit' ;;
	decode) echo '-i --in -o --out' ;;
	encode) echo '-i --in -o --out --byte-order' ;;
	x) echo '--format -p --pid --container --tls-key' ;;
	inspect) echo '--format -p --pid --container' ;;
	check) echo '--host --root --log --format --container --limit --ext-mount-map --target-arch' ;;
	core) echo '-p --pid -o --output -d --dir --format --container' ;;
	mem) echo '-p --pid --shmem --vma --range --prot -o --output -s --search' \
		'-r --search-regex -c --context -m --max-count --format --container --page-size' ;;
	convert) echo '-t --to -l --level -T --threads --rewrite-path --rewrite-ip --report' \
		'--ref --layer-compression --byte-order --limit --to-arch --target-exe' \
		'--source-exe --target-path --stack-plugin' ;;
	diff) echo '--match --only --ignore --format --container --page-size --limit' ;;
	tui) echo '--container --script --size --limit' ;;
	esac
}

# Adds to COMPREPLY the directories and the files whose names match one of
# the patterns ('*' for any file) that start with $1, each prefixed by $2.
_crit_paths() {
	local cur=$1 pre=$2 p f
	shift 2
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	local hidden=''	# dot files only when asked for, as readline does
	[[ ${cur##*/} == .* ]] && hidden=1
	for f in $(compgen -d -- "$cur"); do
		[[ -z $hidden && ${f##*/} == .* ]] || COMPREPLY+=("$pre$f")
	done
	for p in "$@"; do
		for f in $(compgen -f -X "!$p" -- "$cur"); do
			[[ -d $f || (-z $hidden && ${f##*/} == .*) ]] || COMPREPLY+=("$pre$f")
		done
	done
}

# A checkpoint source: a directory, an archive, an OCI image, a JSON bundle.
_crit_source() {
	local cur=$1
	case $cur in
	oci:*) _crit_paths "${cur#oci:}" oci: ;;
	oci-archive:*) _crit_paths "${cur#oci-archive:}" oci-archive: '*.tar' ;;
	*)
		_crit_paths "$cur" '' '*.tar' '*.tar.gz' '*.tgz' '*.tar.zst' '*.tzst' '*.json' "$@"
		local w
		for w in oci: oci-archive:; do
			[[ $w == "$cur"* && -n $cur ]] && COMPREPLY+=("$w")
		done
		;;
	esac
}

# Candidates that start with $1 and are given as words after it; for a list
# of NAME,NAME values, $2 is the separator.
_crit_words() {
	local cur=$1 words=$2 sep=${3:-} pre='' w
	if [ -n "$sep" ] && [[ $cur == *"$sep"* ]]; then
		pre=${cur%"$sep"*}$sep
		cur=${cur##*"$sep"}
	fi
	for w in $words; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
	done
}

# The value of option $2 of command $1, starting with $3.
_crit_value() {
	local cmd=$1 opt=$2 cur=$3
	case $cmd:$opt in
	*:--format) [ "$cmd" = inspect ] && _crit_words "$cur" 'tree json' || _crit_words "$cur" 'text json' ;;
	encode:--byte-order | convert:--byte-order) _crit_words "$cur" 'little big native' ;;
	convert:-t | convert:--to) _crit_words "$cur" "$_crit_formats" ;;
	convert:--layer-compression) _crit_words "$cur" 'none gzip zstd' ;;
	convert:--to-arch) _crit_words "$cur" 'x86_64 aarch64' ;;
	tui:--script) _crit_paths "$cur" '' '*' ;;
	check:--host) _crit_paths "$cur" '' '*.json' ;;
	check:--log) _crit_paths "$cur" '' '*.log' ;;
	check:--root | core:-d | core:--dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
	core:-o | core:--output) _crit_paths "$cur" '' '*' ;;
	check:--target-arch) _crit_words "$cur" 'x86_64 aarch64 s390x' ;;
	convert:--report | mem:-o | mem:--output | decode:-o | decode:--out | encode:-o | encode:--out)
		_crit_paths "$cur" '' '*' ;;
	decode:-i | decode:--in) _crit_paths "$cur" '' '*.img' ;;
	encode:-i | encode:--in) _crit_paths "$cur" '' '*.json' ;;
	diff:--match) _crit_words "$cur" 'pid cmd tree' ;;
	diff:--only) _crit_words "$cur" "$_crit_categories" , ;;
	diff:--color) _crit_words "$cur" 'auto always never' ;;
	diff:--mem-bytes) _crit_words "$cur" 'all' ;;
	mem:--prot) _crit_words "$cur" 'r w x rw rx rwx' ;;
	:--limit | check:--limit) compopt -o nospace 2>/dev/null; _crit_words "$cur" "$_crit_limits" , ;;
	esac
}

_crit() {
	local i w
	# The words as the user sees them: bash splits at '=' and ':'
	# (COMP_WORDBREAKS), so '--format=json' and 'oci:DIR' are glued back.
	local -a words=()
	local cword=-1 rawcur=${COMP_WORDS[COMP_CWORD]}
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((i > 0)) && { [[ $w == [=:] ]] || [[ ${COMP_WORDS[i - 1]} == [=:] ]]; } && ((${#words[@]})); then
			words[${#words[@]} - 1]+=$w
		else
			words+=("$w")
		fi
	done
	cword=$((${#words[@]} - 1))
	local cur=${words[cword]}
	COMPREPLY=()

	# The command: crit [--limit X]... CMD, or crit-CMD run directly.
	local cmd='' ci=0 base=${words[0]##*/}
	case $base in
	crit-*) cmd=${base#crit-} ;;
	esac
	if [ -z "$cmd" ]; then
		for ((i = 1; i < cword; i++)); do
			case ${words[i]} in
			--limit) ((i + 1 == cword)) && { _crit_value '' --limit "$cur"; break; }
				i=$((i + 1)) ;;
			-*) ;;
			*) cmd=${words[i]}; ci=$i; break ;;
			esac
		done
		if [ -z "$cmd" ]; then
			if ((i < cword)); then
				:	# the value of --limit, done above
			elif [[ $cur == --limit=* ]]; then
				_crit_value '' --limit "${cur#--limit=}"
				COMPREPLY=("${COMPREPLY[@]/#/--limit=}")
			elif [[ $cur == -* ]]; then
				_crit_words "$cur" "$(_crit_opts '')"
			else
				local ext
				ext=$(compgen -c crit- 2>/dev/null | sed 's/^crit-//' | sort -u)
				_crit_words "$cur" "$(echo $_crit_commands $ext | tr ' ' '\n' | sort -u)"
			fi
			_crit_trim "$cur" "$rawcur"
			return 0
		fi
	fi

	# Options and positional arguments after the command.
	local argopts npos=0 after_dd=''
	argopts=" $(_crit_argopts "$cmd") "
	for ((i = ci + 1; i < cword; i++)); do
		w=${words[i]}
		if [ -n "$after_dd" ] || [[ $w != -?* ]]; then
			npos=$((npos + 1))
		elif [ "$w" = -- ]; then
			after_dd=1
		elif [[ $argopts == *" $w "* ]]; then
			i=$((i + 1))
		fi
	done
	local prev=${words[cword - 1]}
	if ((cword - 1 > ci)) && [ -z "$after_dd" ] && [[ $argopts == *" $prev "* ]]; then
		_crit_value "$cmd" "$prev" "$cur"
	elif [ -z "$after_dd" ] && [[ $cur == --*=* ]]; then
		local opt=${cur%%=*}
		_crit_value "$cmd" "$opt" "${cur#*=}"
		COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
	elif [ -z "$after_dd" ] && [[ $cur == -* ]]; then
		_crit_words "$cur" "$(_crit_opts "$cmd")"
	else
		case $cmd:$npos in
		info:0 | show:0 | edit:0) _crit_paths "$cur" '' '*.img' ;;
		x:0 | inspect:0 | mem:0 | convert:0 | tui:0 | check:0 | core:0) _crit_source "$cur" ;;
		diff:0 | diff:1) _crit_source "$cur" '*.img' ;;
		convert:1) _crit_paths "$cur" '' '*' ;;
		x:1) _crit_words "$cur" "$_crit_views" ;;
		help:0) _crit_words "$cur" "${_crit_commands% help}" ;;
		esac
	fi
	_crit_trim "$cur" "$rawcur"
	return 0
}

# Bash replaces only the last piece of a word split at '=' or ':': cut what
# comes before it off every candidate.
_crit_trim() {
	local cur=$1 rawcur=$2 i
	[ "$cur" = "$rawcur" ] && return
	local pre=${cur%"$rawcur"}
	[[ $rawcur == [=:] ]] && pre=${cur%?}
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
	done
}

complete -F _crit crit crit-convert crit-diff crit-tui
