#!/usr/bin/env python3
"""The JSON summary of `crit core -d` against the checkpoint (for
tests/t-core.sh): one core per process of pstree.img but the zombies, each
zombie in "skipped", nothing failed, every file named there of the size
the summary gives, and of the architecture of the process's core-PID.img.
Prints "ok ..." or what is wrong.

  summary.py CRIT SRC SUMMARY"""
import json
import os
import subprocess
import sys


def main():
    crit, src, summary = sys.argv[1:4]
    with open(summary) as f:
        s = json.load(f)

    def entries(img):
        r = subprocess.run([crit, "decode", "-i", os.path.join(src, img)], capture_output=True, check=True)
        return json.loads(r.stdout)["entries"]

    pids = [t["pid"] for t in entries("pstree.img")]
    cores = {p: entries("core-%d.img" % p)[0] for p in pids}
    # a zombie's core-PID.img has a task_state of 2 (TASK_DEAD is 3)
    zombies = [p for p in pids if (cores[p].get("tc") or {}).get("task_state") in (2, 3)]
    arches = {"X86_64": "x86_64", "AARCH64": "aarch64", "S390": "s390x"}
    got = [c["pid"] for c in s["cores"]]
    skipped = [(k["pid"], k["reason"]) for k in s["skipped"]]
    bad = []
    if sorted(got) != sorted(set(pids) - set(zombies)):
        bad.append("cores of %s, pstree.img has %s (zombies %s)" % (got, pids, zombies))
    if sorted(skipped) != sorted((z, "zombie") for z in zombies):
        bad.append("skipped %s, zombies %s" % (skipped, zombies))
    if s["failed"] != 0:
        bad.append("failed %s" % s["failed"])
    for c in s["cores"]:
        if not os.path.isfile(c["file"]) or os.path.getsize(c["file"]) != c["bytes"]["core_file"]:
            bad.append("%s: missing, or not of the %d bytes the summary says" % (c["file"], c["bytes"]["core_file"]))
        want = arches.get(cores.get(c["pid"], {}).get("mtype"))
        if c["arch"] != want or c["byte_order"] != ("big" if want == "s390x" else "little"):
            bad.append("pid %d: %s %s-endian, the images' %s" % (c["pid"], c["arch"], c["byte_order"], want))
    print("; ".join(bad) if bad else "ok %d cores, zombies skipped: %s" % (len(got), zombies))


if __name__ == "__main__":
    main()
