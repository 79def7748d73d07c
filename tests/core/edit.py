#!/usr/bin/env python3
"""Edits an image the way tests/t-core.sh's hostile cases need: `crit
decode`, one named change to the JSON, `crit encode` back in place.  The
images stay well-formed protobuf; what they say is wrong.  (jq is not used:
it turns 64-bit values into doubles.)

  edit.py CRIT IMAGE EDIT

core-TID.img:  no-regs       the thread's registers (thread_info,
                             ti_aarch64 or ti_s390) dropped
               short-fp      one word short: x86 xmm_space, aarch64
                             fpsimd.vregs, s390 fpregs.fprs
               short-gp      one short: aarch64 x0..x30, s390 gprs
               short-vx      s390 vxrs_high one word short
               long-xsave    x86 ymmh_space 10 words longer than YMM_Hi128
               compat        x86 gpregs mode COMPAT (a 32-bit task)
               other-arch    mtype of another architecture than the rest
mm-PID.img:    vma-reversed  a VMA that ends before it starts
               vma-overlap   a VMA that starts inside the one before
               vma-unaligned a VMA that ends 5 bytes into a page
pagemap-*.img: pages-huge    a run of 2^40 pages
               pages-unaligned  a run that starts 3 bytes into a page
               pages-overlap a run that starts where the one before does"""
import json
import subprocess
import sys


def regs_of(e):
    for k in ("thread_info", "ti_aarch64", "ti_s390"):
        if k in e:
            return k, e[k]
    sys.exit("no registers to edit")


def data_runs(entries):
    return [i for i, e in enumerate(entries) if "vaddr" in e and (e.get("nr_pages") or e.get("compat_nr_pages"))]


def main():
    crit, img, edit = sys.argv[1:4]
    r = subprocess.run([crit, "decode", "-i", img], capture_output=True, check=True)
    d = json.loads(r.stdout)
    e = d["entries"]
    if edit == "no-regs":
        del e[0][regs_of(e[0])[0]]
    elif edit == "short-fp":
        k, ti = regs_of(e[0])
        if k == "thread_info":
            ti["fpregs"]["xmm_space"] = ti["fpregs"]["xmm_space"][:-1]
        elif k == "ti_aarch64":
            ti["fpsimd"]["vregs"] = ti["fpsimd"]["vregs"][:-1]
        else:
            ti["fpregs"]["fprs"] = ti["fpregs"]["fprs"][:-1]
    elif edit == "short-gp":
        k, ti = regs_of(e[0])
        key = "regs" if k == "ti_aarch64" else "gprs"
        ti["gpregs"][key] = ti["gpregs"][key][:-1]
    elif edit == "short-vx":
        ti = e[0]["ti_s390"]
        ti["vxrs_high"]["regs"] = ti["vxrs_high"]["regs"][:-1]
    elif edit == "long-xsave":
        x = e[0]["thread_info"]["fpregs"].setdefault("xsave", {"xstate_bv": 7})
        x["ymmh_space"] = x.get("ymmh_space", []) + [1] * (64 + 10 - len(x.get("ymmh_space", [])))
    elif edit == "compat":
        e[0]["thread_info"]["gpregs"]["mode"] = "COMPAT"
    elif edit == "other-arch":
        e[0]["mtype"] = "AARCH64" if e[0]["mtype"] != "AARCH64" else "X86_64"
    elif edit in ("vma-reversed", "vma-overlap", "vma-unaligned"):
        v = e[0]["vmas"]
        if edit == "vma-reversed":
            v[1]["end"] = v[1]["start"] - 4096
        elif edit == "vma-overlap":
            v[2]["start"] = v[1]["start"]
        else:
            v[1]["end"] += 5
    elif edit in ("pages-huge", "pages-unaligned", "pages-overlap"):
        runs = data_runs(e)
        if edit == "pages-huge":
            e[runs[0]]["nr_pages"] = 1 << 40
        elif edit == "pages-unaligned":
            e[runs[0]]["vaddr"] += 3
        else:
            e[runs[1]]["vaddr"] = e[runs[0]]["vaddr"]
    else:
        sys.exit("unknown edit %s\n%s" % (edit, __doc__))
    subprocess.run([crit, "encode", "-o", img], input=json.dumps(d).encode(), check=True)


if __name__ == "__main__":
    main()
