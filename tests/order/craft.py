#!/usr/bin/env python3
"""Adds to the JSON of the demo checkpoint what CRIU copies from its
machine's memory into entries, packed in one byte order ('<' little, '>'
big), as a CRIU on a machine of that order would write it: pending signals
of every siginfo_t layout (core-100.img), a seccomp filter (seccomp.img)
and a socket filter on the inet socket (files.img); and, when DIR holds
signal-s-100.img.json (an image of CRIU 2.x and 3.x), a signal there.

usage: craft.py DIR ORDER    DIR holds core-100.img.json and files.img.json
(crit decode --pretty); they are changed in place and seccomp.img.json is
written beside them."""
import os
import base64
import json
import struct
import sys

d, o = sys.argv[1], sys.argv[2]
assert o in "<>"


def b64(b):
    return base64.encodebytes(b).decode()


def si(signo, code, union):
    # x86_64: three ints, padded to 16, then the union; 128 bytes in all
    b = struct.pack(o + "iii", signo, 0, code) + b"\0" * 4 + union
    return b + b"\0" * (128 - len(b))


signals = [
    si(10, 0, struct.pack(o + "iI", 1234, 1000)),  # kill()
    si(34, -1, struct.pack(o + "iIQ", 55, 1001, 0x1122334455667788)),  # sigqueue()
    si(17, 1, struct.pack(o + "iIi", 77, 0, 3) + b"\0" * 4 + struct.pack(o + "qq", 5, 6)),  # CLD_EXITED
    si(14, -2, struct.pack(o + "iiQ", 3, 2, 0xDEADBEEF)),  # SI_TIMER
    si(29, 1, struct.pack(o + "qi", -5, 9)),  # POLL_IN
    si(11, 1, struct.pack(o + "Q", 0x7F0012345678)),  # SEGV_MAPERR
    si(31, 1, struct.pack(o + "QiI", 0x401000, 59, 0xC000003E)),  # SIGSYS
]
insns = [(0x20, 0, 0, 4), (0x15, 1, 0, 0xC000003E), (0x06, 0, 0, 0x7FFF0000), (0x06, 0, 0, 0)]


def prog():
    return b"".join(struct.pack(o + "HBBI", *i) for i in insns)


def load(name):
    with open(f"{d}/{name}") as f:
        return json.load(f)


def save(name, doc):
    with open(f"{d}/{name}", "w") as f:
        json.dump(doc, f, indent=4)


core = load("core-100.img.json")
e = core["entries"][0]
e["tc"]["signals_s"] = {"signals": [{"siginfo": b64(s)} for s in signals[:4]]}
e["thread_core"]["signals_p"] = {"signals": [{"siginfo": b64(s)} for s in signals[4:]]}
save("core-100.img.json", core)

files = load("files.img.json")
isk = [f for f in files["entries"] if f["type"] == "INETSK"]
assert isk, "the demo has an inet socket"
isk[0]["isk"]["opts"]["so_filter"] = [
    struct.unpack(o + "Q", struct.pack(o + "HBBI", *i))[0] for i in insns
]
save("files.img.json", files)

if os.path.exists(f"{d}/signal-s-100.img.json"):
    # the 24 bytes CRIU 2.x kept of a kill(): signo, errno, code, pad, pid, uid
    save("signal-s-100.img.json", {"magic": "SIGNAL", "entries": [{"siginfo": b64(si(10, 0, struct.pack(o + "iI", 100, 0))[:24])}]})

save("seccomp.img.json", {"magic": "SECCOMP", "entries": [{"seccomp_filters": [{"filter": b64(prog())}]}]})
