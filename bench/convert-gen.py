#!/usr/bin/env python3
# bench/convert-gen.py OUT MIB: a deterministic pages file of MIB MiB for
# bench/convert.sh, made of 4 KiB pages the way process memory looks to a
# compressor: a quarter zero pages, a quarter random bytes (already
# compressed data, keys), half low-entropy bytes (text, pointers, tables).
import random
import sys

out, mib = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261123)
low = bytes.maketrans(bytes(range(256)), bytes((b % 16) + 0x40 for b in range(256)))
zero = bytes(4096)
with open(out, "wb") as f:
    for _ in range(mib * 256):
        kind = rng.randrange(4)
        if kind == 0:
            f.write(zero)
        elif kind == 1:
            f.write(rng.randbytes(4096))
        else:
            f.write(rng.randbytes(4096).translate(low))
