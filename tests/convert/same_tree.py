#!/usr/bin/env python3
"""same_tree.py A B: the same tree: names, types, bytes, symlink targets,
permission bits and mtimes (seconds) of files, directories and symlinks
(the roots themselves excepted).  Prints the first differences; exit 1."""
import os
import stat
import sys


def scan(root):
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", os.readlink(p), None, None)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", None, stat.S_IMODE(st.st_mode), int(st.st_mtime))
            else:
                with open(p, "rb") as f:
                    data = f.read()
                out[rel] = ("f", data, stat.S_IMODE(st.st_mode), int(st.st_mtime))
    return out


a, b = scan(sys.argv[1]), scan(sys.argv[2])
bad = []
for n in sorted(set(a) | set(b)):
    if n not in a or n not in b:
        bad.append("%s: only in %s" % (n, sys.argv[1] if n in a else sys.argv[2]))
    elif a[n][0] != b[n][0]:
        bad.append("%s: %s vs %s" % (n, a[n][0], b[n][0]))
    elif a[n][1] != b[n][1]:
        bad.append("%s: content differs" % n)
    elif a[n][2] != b[n][2]:
        bad.append("%s: mode %o vs %o" % (n, a[n][2], b[n][2]))
    elif a[n][3] != b[n][3]:
        bad.append("%s: mtime %s vs %s" % (n, a[n][3], b[n][3]))
for line in bad[:5]:
    print(line)
sys.exit(1 if bad else 0)
