#!/usr/bin/env bash
# tests/archive/make-big.sh CRIT SAMPLES_JSON SAMPLES_IMG OUT MIB
#
# A checkpoint archive with MIB MiB of page data, as OUT/big.tar,
# OUT/big.tar.gz and OUT/big.tar.zst (the tar written once, compressed as
# it goes).  It is the demo sample (SAMPLES_IMG: its images, SAMPLES_JSON:
# its JSON) with one more anonymous VMA of MIB MiB at 0x7f0000000000 in
# task 100, all present in pages-1.img.  Each of those pages holds 64
# pseudo-random bytes and zeros, so gzip and zstd shrink it ~50 times (under
# the 'ratio' limit of 200); the page at each 256 MiB starts with
# CRIMG-BIG-MARKER-NN.  Members are config.dump, the images, pages-2.img
# and pages-1.img last: an archive cut short damages page data only.
set -eu -o pipefail
CRIT=$1 SJ=$2 SI=$3 OUT=$4 MIB=$5
mkdir -p "$OUT"
python3 - "$SJ" "$OUT" "$MIB" <<'PY'
import json, sys
src, out, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
big = 0x7f0000000000
mm = json.load(open(src + "/mm-100.json"))
mm["entries"][0]["vmas"].insert(3, {"start": hex(big), "end": hex(big + (mib << 20)), "pgoff": 0,
    "shmid": 0, "prot": "PROT_READ | PROT_WRITE", "flags": "MAP_PRIVATE | MAP_ANON",
    "status": "VMA_AREA_REGULAR | VMA_ANON_PRIVATE", "fd": -1})
json.dump(mm, open(out + "/mm-100.json", "w"))
pm = json.load(open(src + "/pagemap-100.json"))
pm["entries"].insert(3, {"vaddr": hex(big), "compat_nr_pages": 0, "flags": "PE_PRESENT",
    "nr_pages": (mib << 20) // 4096})
json.dump(pm, open(out + "/pagemap-100.json", "w"))
PY
"$CRIT" encode -i "$OUT/mm-100.json" -o "$OUT/mm-100.img"
"$CRIT" encode -i "$OUT/pagemap-100.json" -o "$OUT/pagemap-100.img"
rm -f "$OUT/zst.fifo"
mkfifo "$OUT/zst.fifo"
zstd -q -1 < "$OUT/zst.fifo" > "$OUT/big.tar.zst" &
ZPID=$!
python3 - "$SI" "$OUT" "$MIB" <<'PY' | tee "$OUT/big.tar" | tee "$OUT/zst.fifo" | gzip -1 > "$OUT/big.tar.gz"
import io, os, random, sys, tarfile
si, out, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])

class Pages(io.RawIOBase):
    """pages-1.img, made as it is read: the sample's 3 first pages, the big
    VMA's pages, the sample's last page (the pagemap's order)"""
    def __init__(self):
        old = open(si + "/pages-1.img", "rb").read()
        self.parts, self.tail = [old[:3 * 4096]], old[3 * 4096:]
        self.n, self.i, self.r = (mib << 20) // 4096, 0, random.Random(7)
    def readable(self):
        return True
    def more(self):
        if self.i == self.n:
            self.parts.append(self.tail)
            self.i += 1
            return
        for _ in range(min(256, self.n - self.i)):
            h = self.r.randbytes(64)
            if self.i % 65536 == 0:
                m = b"CRIMG-BIG-MARKER-%02d" % (self.i // 65536)
                h = m + h[len(m):]
            self.parts.append(h + bytes(4096 - 64))
            self.i += 1
    def readinto(self, b):
        if not self.parts and self.i <= self.n:
            self.more()
        if not self.parts:
            return 0
        p = self.parts[0]
        k = min(len(b), len(p))
        b[:k] = p[:k]
        if k == len(p):
            self.parts.pop(0)
        else:
            self.parts[0] = p[k:]
        return k

t = tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.PAX_FORMAT)
def add(name, data=None, fobj=None, size=0):
    i = tarfile.TarInfo(name)
    i.mtime, i.mode = 1700000000, 0o600
    if data is not None:
        i.size = len(data)
        t.addfile(i, io.BytesIO(data))
    else:
        i.size = size
        t.addfile(i, fobj)
add("config.dump", b'{"a":1}\n')
for f in sorted(os.listdir(si)):
    if f.startswith("pages-"):
        continue
    own = out + "/" + f
    add("checkpoint/" + f, open(own if os.path.exists(own) else si + "/" + f, "rb").read())
add("checkpoint/pages-2.img", open(si + "/pages-2.img", "rb").read())
add("checkpoint/pages-1.img", fobj=io.BufferedReader(Pages(), 1 << 20), size=4 * 4096 + (mib << 20))
t.close()
PY
wait "$ZPID"
rm -f "$OUT/zst.fifo"
