#!/usr/bin/env python3
"""Markers that say where they are, as gdb read them from a core (the
report of tests/core/regs.py), against their addresses.  Prints "ok N" or
what is out of place.

  where.py demo REPORT       "CRIMG-SAMPLE-PAGE pid=P vaddr=A ...": the
                             process and the address it was read at
  where.py incr-dump REPORT  "CRIMG-DIRTY-7f3a page=N gen=G" at the start
                             of page N of the 64-page area; G is 1 for the
                             first 8 pages (rewritten, and saved by the last
                             dump), 0 for the other 56 (in the parents)"""
import json
import re
import sys


def main():
    kind, path = sys.argv[1:3]
    with open(path) as f:
        rep = json.load(f)
    bad, n = [], 0
    if kind == "demo":
        for m in rep:
            g = re.match(r"CRIMG-SAMPLE-PAGE pid=(\d+) vaddr=(0x[0-9a-f]+)", m["gdb"] or "")
            n += 1
            if not g or int(g.group(1)) != m["pid"] or int(g.group(2), 16) != int(m["address"], 16):
                bad.append("%r at %s" % (m["gdb"], m["address"]))
    else:
        pages = {}
        for m in rep:
            g = re.match(r"CRIMG-DIRTY-7f3a page=(\d+) gen=(\d+)$", m["gdb"] or "")
            if g:
                pages[int(g.group(1))] = (int(m["address"], 16), int(g.group(2)))
        n = len(pages)
        if sorted(pages) != list(range(64)):
            bad.append("pages %s, not 0..63" % sorted(pages))
        else:
            base = pages[0][0]
            for p, (a, gen) in sorted(pages.items()):
                if a != base + p * 4096 or gen != (1 if p < 8 else 0):
                    bad.append("page %d at 0x%x gen %d" % (p, a, gen))
    print("; ".join(bad[:5]) if bad or not n else "ok %d" % n)


if __name__ == "__main__":
    main()
