#!/usr/bin/env bash
# Seed corpora for the fuzz targets, generated (not committed) from the
# samples and ../shared/corpus:  fuzz/make-seeds.sh [BUILD [OUTDIR]]
# BUILD (default build) must have been built with `make all samples`;
# OUTDIR defaults to BUILD/fuzz/corpus, one directory per target.
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${2:-$BUILD/fuzz/corpus}
GEN=$BUILD/tests/fuzz-seedgen
SAMPLES=$BUILD/samples
CORPUS=${SHARED:-../shared}/corpus
CRIT=$BUILD/bin/crit
[ -x "$GEN" ] && [ -d "$SAMPLES" ] || { echo "make-seeds: run 'make all samples' first" >&2; exit 1; }
for t in image encode ckpt mem archive oci; do mkdir -p "$OUT/$t"; done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crimg-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Image directories: the samples, every corpus dump, the archives unpacked.
dirs=("$SAMPLES/demo" "$SAMPLES/extras")
if [ -d "$CORPUS" ]; then
	for d in "$CORPUS"/*/ "$CORPUS"/foreign/*/; do
		[ -e "$d/inventory.img" ] && dirs+=("${d%/}")
	done
	for a in "$CORPUS"/archives/*.tar*; do
		n=$(basename "$a"); n=${n%%.tar*}
		mkdir -p "$tmp/$n" && tar -xf "$a" -C "$tmp/$n" 2>/dev/null && dirs+=("$tmp/$n")
	done
fi

# image: every image of 64 KiB or less, plain and --pretty
for d in "${dirs[@]}"; do
	tag=$(basename "$d")
	for f in "$d"/* "$d"/checkpoint/*; do
		[ -f "$f" ] || continue
		case $f in *.log|*.json|*.dump|*.tar|*.status) continue ;; esac
		[ "$(stat -c %s "$f")" -le 65536 ] || continue
		b=$(basename "$f")
		"$GEN" image "$f" "$OUT/image/$tag-$b" 0
		"$GEN" image "$f" "$OUT/image/$tag-$b-pretty" 1
	done
done

# encode: the JSON of every sample image, compact and pretty; the JSON
# crit 4.2 wrote for the corpus (its expected/ files) of 64 KiB or less
for f in "$SAMPLES"/demo/*.img "$SAMPLES"/extras/*.img; do
	b=$(basename "$f" .img)
	"$CRIT" decode -i "$f" -o "$OUT/encode/sample-$b.json" 2>/dev/null || rm -f "$OUT/encode/sample-$b.json"
	"$CRIT" decode --pretty -i "$f" -o "$OUT/encode/sample-$b.pretty.json" 2>/dev/null ||
		rm -f "$OUT/encode/sample-$b.pretty.json"
done
if [ -d "$CORPUS" ]; then
	find "$CORPUS" -path '*/expected/*.json' -size -65k | while read -r f; do
		d=$(basename "$(dirname "$(dirname "$f")")")
		cp "$f" "$OUT/encode/$d-$(basename "$f")"
	done
fi

# ckpt and mem: each dump packed (members of 64 KiB at most; mem keeps the
# images memory reading needs); archive: each dump as tar, tar.gz and
# tar.zst, under checkpoint/, and the corpus archives as they are
for d in "${dirs[@]}"; do
	tag=$(basename "$d")
	SEED_MEMBER_MAX=8192 "$GEN" pack "$d" "$OUT/ckpt/$tag"
	mkdir -p "$tmp/mem-$tag" "$tmp/arch-$tag/checkpoint"
	for f in "$d"/* "$d"/checkpoint/*; do
		[ -f "$f" ] || continue
		case $(basename "$f") in
		inventory.img|pstree.img|core-*|mm-*|pagemap-*|pages-*|memfd.img|files.img|ipcns-shm-*|ids-*)
			cp "$f" "$tmp/mem-$tag/" ;;
		esac
	done
	[ -e "$d/parent" ] && ln -s "$(realpath "$d/parent")" "$tmp/mem-$tag/parent"
	SEED_MEMBER_MAX=32768 "$GEN" pack "$tmp/mem-$tag" "$OUT/mem/$tag" 2>/dev/null || true
	rm -rf "$tmp/mem-$tag"
done
for d in "$SAMPLES/demo" "$CORPUS/sleep"; do
	[ -d "$d" ] || continue
	tag=$(basename "$d")
	mkdir -p "$tmp/arch-$tag/checkpoint"
	cp "$d"/*.img "$tmp/arch-$tag/checkpoint/" 2>/dev/null || true
	printf '{"id":"0123456789ab","name":"fuzz"}' > "$tmp/arch-$tag/config.dump"
	"$GEN" pack "$tmp/arch-$tag" "$OUT/archive/$tag-tar" $((0x30))
	"$GEN" pack "$tmp/arch-$tag" "$OUT/archive/$tag-gz" $((0x31))
	"$GEN" pack "$tmp/arch-$tag" "$OUT/archive/$tag-zst" $((0x32))
done
if [ -d "$CORPUS/archives" ]; then
	for a in "$CORPUS"/archives/*.tar*; do
		{ printf '\x33'; cat "$a"; } > "$OUT/archive/raw-$(basename "$a")"
	done
fi
# oci: oci-archives of the demo, with an uncompressed and a gzip layer,
# each opened as a checkpoint (MODE 1) and extracted (MODE 0)
CONVERT=$BUILD/bin/crit-convert
if [ -x "$CONVERT" ]; then
	for comp in none gzip; do
		"$CONVERT" -q "$SAMPLES/demo" "$tmp/demo-$comp.oci.tar" --to oci-archive --layer-compression "$comp"
		for mode in 0 1 3; do
			{ printf "\\x$mode"; cat "$tmp/demo-$comp.oci.tar"; } > "$OUT/oci/demo-$comp-$mode"
		done
	done
fi
for t in image encode ckpt mem archive oci; do
	echo "seeds: $t: $(ls "$OUT/$t" | wc -l) inputs, $(du -sh "$OUT/$t" | cut -f1)"
done
