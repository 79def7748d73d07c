#!/usr/bin/env python3
"""Compares the memory segments of two ELF core files.

usage: segcmp.py A B

The PT_LOAD segments of A and B, keyed by p_vaddr, must be the same set,
each with the same p_memsz, p_flags and p_filesz, and the same bytes where
they have contents (the first p_filesz bytes).  Other program headers (the
notes) and the layout of the files (offsets, the order of the segments)
are not compared.  Either byte order, ELF32 or ELF64, PN_XNUM.

Prints one line: what was compared, or the first difference (the lowest
differing virtual address).  Exit status 0 equal, 1 different, 2 not
readable as ELF core files.
"""
import struct
import sys

PT_LOAD = 1
PN_XNUM = 0xFFFF
CHUNK = 1 << 20


class Bad(Exception):
    pass


def segments(path):
    """{vaddr: (memsz, flags, filesz, offset)} of the PT_LOADs of path."""
    with open(path, "rb") as f:
        ident = f.read(16)
        if len(ident) < 16 or ident[:4] != b"\x7fELF":
            raise Bad(f"{path}: not an ELF file")
        cls, data = ident[4], ident[5]
        if cls not in (1, 2) or data not in (1, 2):
            raise Bad(f"{path}: unknown ELF class {cls} or byte order {data}")
        bo = "<" if data == 1 else ">"
        if cls == 2:
            ehdr = struct.Struct(bo + "HHIQQQIHHHHHH")
        else:
            ehdr = struct.Struct(bo + "HHIIIIIHHHHHH")
        raw = f.read(ehdr.size)
        if len(raw) < ehdr.size:
            raise Bad(f"{path}: short ELF header")
        (e_type, _mach, _ver, _entry, phoff, shoff, _flags, _ehsize, phentsize, phnum,
         shentsize, _shnum, _shstrndx) = ehdr.unpack(raw)
        if e_type != 4:
            raise Bad(f"{path}: e_type {e_type}, not ET_CORE")
        if phnum == PN_XNUM:
            # the real count is section 0's sh_info
            if not shoff:
                raise Bad(f"{path}: PN_XNUM without a section header")
            f.seek(shoff + (28 if cls == 1 else 44))
            phnum = struct.unpack(bo + "I", f.read(4))[0]
        if cls == 2:
            ph = struct.Struct(bo + "IIQQQQQQ")
        else:
            ph = struct.Struct(bo + "IIIIIIII")
        if phentsize < ph.size:
            raise Bad(f"{path}: e_phentsize {phentsize}")
        out = {}
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            raw = f.read(ph.size)
            if len(raw) < ph.size:
                raise Bad(f"{path}: program header {i} is cut short")
            if cls == 2:
                p_type, p_flags, off, vaddr, _pa, filesz, memsz, _al = ph.unpack(raw)
            else:
                p_type, off, vaddr, _pa, filesz, memsz, p_flags, _al = ph.unpack(raw)
            if p_type != PT_LOAD:
                continue
            if vaddr in out:
                raise Bad(f"{path}: two PT_LOADs at 0x{vaddr:x}")
            out[vaddr] = (memsz, p_flags, filesz, off)
        return out


def first_diff(fa, fb, offa, offb, n):
    """Offset of the first differing byte of two ranges, or None."""
    done = 0
    while done < n:
        k = min(CHUNK, n - done)
        fa.seek(offa + done)
        fb.seek(offb + done)
        a, b = fa.read(k), fb.read(k)
        if len(a) < k or len(b) < k:
            raise Bad("a segment's contents run past the end of its file")
        if a != b:
            for i in range(k):
                if a[i] != b[i]:
                    return done + i
        done += k
    return None


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    pa, pb = argv[1], argv[2]
    try:
        sa, sb = segments(pa), segments(pb)
    except (OSError, Bad, struct.error) as e:
        print(f"segcmp: {e}", file=sys.stderr)
        return 2
    diffs = []
    for v in sorted(set(sa) ^ set(sb)):
        diffs.append((v, f"a PT_LOAD at 0x{v:x} only in {pa if v in sa else pb}"))
    compared = 0
    try:
        with open(pa, "rb") as fa, open(pb, "rb") as fb:
            for v in sorted(set(sa) & set(sb)):
                ma, fla, fsa, oa = sa[v]
                mb, flb, fsb, ob = sb[v]
                if (ma, fla, fsa) != (mb, flb, fsb):
                    diffs.append((v, f"the PT_LOAD at 0x{v:x}: memsz/flags/filesz "
                                     f"0x{ma:x}/{fla}/0x{fsa:x} in {pa}, 0x{mb:x}/{flb}/0x{fsb:x} in {pb}"))
                    continue
                d = first_diff(fa, fb, oa, ob, fsa)
                compared += fsa
                if d is not None:
                    diffs.append((v + d, f"the bytes at 0x{v + d:x} (segment 0x{v:x}) differ"))
    except (OSError, Bad) as e:
        print(f"segcmp: {e}", file=sys.stderr)
        return 2
    if diffs:
        diffs.sort()
        print(f"differ: {diffs[0][1]} ({len(diffs)} difference(s))")
        return 1
    print(f"equal: {len(sa)} segments, {compared} bytes of contents")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
