#!/usr/bin/env python3
"""Damages a copy of a core file the way a wrong writer would, so that
tests/t-core.sh can show its comparisons fail when they should.

  tamper.py CORE reg        flips a bit of the first thread's first
                            general register (pr_reg[0] of NT_PRSTATUS)
  tamper.py CORE mem ADDR   flips a bit of the byte at address ADDR (hex)
                            in the PT_LOAD that holds it"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elfnotes import NT_PRSTATUS, Core  # noqa: E402


def flip(path, off):
    with open(path, "r+b") as f:
        f.seek(off)
        b = f.read(1)
        f.seek(off)
        f.write(bytes([b[0] ^ 0x01]))


def note_desc_offsets(core, path):
    """(type, file offset of the descriptor) of every note."""
    out = []
    with open(path, "rb") as f:
        for p in core.phdrs:
            if p["type"] != 4:
                continue
            f.seek(p["offset"])
            b = f.read(p["filesz"])
            at = 0
            while at + 12 <= len(b):
                namesz = int.from_bytes(b[at:at + 4], "big" if core.big else "little")
                descsz = int.from_bytes(b[at + 4:at + 8], "big" if core.big else "little")
                ntype = int.from_bytes(b[at + 8:at + 12], "big" if core.big else "little")
                desc = at + 12 + ((namesz + 3) & ~3)
                out.append((ntype, p["offset"] + desc))
                at = desc + ((descsz + 3) & ~3)
    return out


def main():
    path, what = sys.argv[1], sys.argv[2]
    core = Core(path)
    if what == "reg":
        off = [o for (t, o) in note_desc_offsets(core, path) if t == NT_PRSTATUS][0]
        # pr_reg starts at 112; its first slot's least significant byte
        flip(path, off + 112 + (7 if core.big else 0))
    elif what == "mem":
        addr = int(sys.argv[3], 16)
        for p in core.phdrs:
            if p["type"] == 1 and p["vaddr"] <= addr < p["vaddr"] + p["filesz"]:
                flip(path, p["offset"] + addr - p["vaddr"])
                return
        sys.exit("0x%x is in no PT_LOAD with contents" % addr)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
