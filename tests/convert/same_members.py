#!/usr/bin/env python3
"""same_members.py A B: two tar archives (plain or gzip; zstd ones are
decompressed by the caller) hold the same members: names (a leading "./"
and a trailing "/" aside), types, contents and symlink targets.  The order
of members may differ.  Prints the differences; exit 1."""
import hashlib
import sys
import tarfile


def members(path):
    out = {}
    with tarfile.open(path) as t:
        for m in t:
            n = m.name
            while n.startswith("./"):
                n = n[2:]
            n = n.rstrip("/")
            if n in ("", "."):
                continue
            data = hashlib.sha256(t.extractfile(m).read()).hexdigest() if m.isfile() else None
            kind = "f" if m.isfile() else "d" if m.isdir() else "l" if m.issym() else m.type
            out[n] = (kind, data, m.linkname if m.issym() else None)
    return out


a, b = members(sys.argv[1]), members(sys.argv[2])
bad = []
for n in sorted(set(a) | set(b)):
    if n not in a or n not in b:
        bad.append("%s: only in %s" % (n, sys.argv[1] if n in a else sys.argv[2]))
    elif a[n] != b[n]:
        bad.append("%s: differs" % n)
for line in bad[:5]:
    print(line)
print("%d members" % len(a))
sys.exit(1 if bad else 0)
