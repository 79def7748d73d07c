#!/usr/bin/env bash
# Builds the sample checkpoints from the JSON in samples/ with our own
# `crit encode`, plus the raw page data their pagemaps point to.
# Usage: samples/make-samples.sh CRIT OUTDIR
set -eu
crit=$1
out=$2
src=$(cd "$(dirname "$0")" && pwd)
tmp=$out.tmp.$$
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
for set in demo extras; do
	mkdir -p "$tmp/$set"
	for j in "$src/$set"/*.json; do
		name=$(basename "$j" .json)
		case $name in stats-dump) img=$name ;; *) img=$name.img ;; esac
		"$crit" encode -i "$j" -o "$tmp/$set/$img"
	done
done
# Raw page data (no header): one 4 KiB page per pagemap page, in order.
page() { # text
	printf '%s' "$1" | head -c 4096
	head -c $((4096 - ${#1})) /dev/zero
}
{
	page "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x555500003000 data"
	page "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x555500006000 heap"
	page "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x555500007000 heap"
	page "CRIMG-SAMPLE-PAGE pid=100 vaddr=0x7ffc00001000 stack"
} > "$tmp/demo/pages-1.img"
{
	page "CRIMG-SAMPLE-PAGE pid=101 vaddr=0x555500008000 heap"
	page "CRIMG-SAMPLE-PAGE pid=101 vaddr=0x555500009000 heap"
	page "CRIMG-SAMPLE-PAGE pid=101 vaddr=0x55550000a000 heap"
	page "CRIMG-SAMPLE-PAGE pid=101 vaddr=0x7ffc00001000 stack"
} > "$tmp/demo/pages-2.img"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp" "$out"
trap - EXIT
