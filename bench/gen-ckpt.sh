# bench/gen-ckpt.sh, sourced by bench/x.sh and bench/tui.sh:
# gen_ckpt DIR N [memory]: DIR/ becomes bench/gen.awk's kind=ckpt
# checkpoint of N processes, its images encoded in parallel by our crit
# ($CRIT); without "memory", the memory maps and pagemaps are left out
# (x ps and fds do not read them).  Cached: DIR/.ok marks a finished one.
gen_ckpt() {
	local d=$1 n=$2 mem=${3:-}
	[ -f "$d/.ok" ] && return 0
	echo "  generating $n processes (cached in $d) ..."
	rm -rf "$d"; mkdir -p "$d" || return 1
	awk -v kind=ckpt -v n="$n" -v dir="$d" -v tmpl="$HERE/templates" \
		-f "$HERE/gen.awk" > "$d/manifest" || return 1
	[ "$mem" = memory ] || rm -f "$d"/mm-*.json "$d"/pagemap-*.json
	# stdout, not -o: no fsync per image
	( cd "$d" && ls -- *.json | sed 's/\.json$//' |
		xargs -P "$(nproc)" -I{} sh -c "'$CRIT' encode -i {}.json > {}.img" ) || return 1
	rm -f "$d"/*.json
	touch "$d/.ok"
}
