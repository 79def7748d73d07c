#!/usr/bin/env python3
"""mkhostile.py DIR: writes hostile archives into DIR, one per line of
output as "NAME EXPECTED-MESSAGE-PART".  Each starts with a harmless
inventory.img so that only the attack makes it fail.  OUTSIDE names a
directory beside the target that an escape would reach: it must stay empty."""
import io
import os
import sys
import tarfile

out = sys.argv[1]


def mk(name, members, expect):
    with tarfile.open(os.path.join(out, name), "w", format=tarfile.GNU_FORMAT) as t:
        for m in [("f", "inventory.img")] + members:
            ti = tarfile.TarInfo(m[1])
            ti.mtime = 1700000000
            if m[0] == "f":
                data = m[2] if len(m) > 2 else b"x"
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
                continue
            if m[0] == "l":
                ti.type, ti.linkname = tarfile.SYMTYPE, m[2]
            elif m[0] == "h":
                ti.type, ti.linkname = tarfile.LNKTYPE, m[2]
            elif m[0] == "c":
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
            elif m[0] == "p":
                ti.type = tarfile.FIFOTYPE
            elif m[0] == "d":
                ti.type = tarfile.DIRTYPE
            t.addfile(ti)
    print(name, expect)


mk("dotdot.tar", [("f", "../OUTSIDE/evil")], "'..' in the path")
mk("dotdot-deep.tar", [("f", "checkpoint/../../OUTSIDE/evil")], "'..' in the path")
mk("absolute.tar", [("f", "/tmp/crimg-convert-absolute-evil")], "absolute path")
mk("symlink-dir-out.tar", [("l", "esc", "../OUTSIDE"), ("f", "esc/evil")], "points outside the target")
mk("symlink-abs.tar", [("l", "esc", "/etc/passwd")], "points outside the target")
mk("symlink-through.tar", [("l", "esc", "."), ("f", "esc/evil")], "is a symlink: refusing to write through it")
mk("symlink-chain.tar", [("l", "a", "."), ("l", "b", "a/..")], "leads outside the target")
mk("hardlink-abs.tar", [("h", "hl", "/etc/passwd")], "points outside the target")
mk("hardlink-out.tar", [("h", "hl", "../OUTSIDE/x")], "points outside the target")
mk("hardlink-later.tar", [("h", "hl", "later"), ("f", "later")], "not an earlier file")
mk("duplicate.tar", [("f", "core-1.img"), ("f", "core-1.img", b"y")], "duplicate member")
mk("duplicate-dir.tar", [("d", "checkpoint"), ("d", "checkpoint/")], "duplicate member")
mk("file-over-dir.tar", [("d", "checkpoint"), ("f", "checkpoint")], "duplicate member")
mk("device.tar", [("c", "null")], "device nodes are not extracted")
mk("fifo.tar", [("p", "fifo")], "fifos are not extracted")
