#!/usr/bin/env python3
"""gdb's view of the cores `crit core` wrote for one checkpoint, against
the checkpoint's images (for tests/t-core.sh).

For each core of the JSON summary: gdb opens it (-c CORE, no executable),
lists the threads, and for every thread prints the general registers
(`info registers`) and the floating-point/vector registers; it reads each
planted marker with x/s at the address `crit mem --search` gives.  The
values are compared with the thread's core-TID.img and with pstree.img as
CRIU's own crit decoded them, where the corpus keeps that
(SRC/expected/IMG.json: for the foreign dumps, the dumping machine's crit),
else as `crit decode` does: the images, not the core, are the reference.

Prints one line per assertion, "ok: WHAT" or "FAIL: WHAT", and "note: WHAT"
for what was tolerated; the shell counts them.  --report FILE gets the
markers as gdb read them (JSON), for checks of their addresses."""
import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elfnotes import MACHINES, Core  # noqa: E402

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def crit_json(crit, *args):
    r = subprocess.run([crit, *args], capture_output=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("crit %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()[:300]))
    return json.loads(r.stdout)


def image(a, img):
    """An image's JSON: CRIU's crit's decoding kept with the corpus, else
    ours."""
    kept = os.path.join(a.src, "expected", img + ".json")
    if os.path.exists(kept):
        with open(kept) as f:
            return json.load(f)
    return crit_json(a.crit, "decode", "-i", os.path.join(a.src, img))


def u128(lo, hi):
    return (lo & M64) | (hi & M64) << 64


def words128(w, i):
    """Register i of a list of 32-bit words, four to a register, the
    lowest first (FXSAVE's xmm_space, XSAVE's ymmh_space)."""
    v = 0
    for k in range(4):
        v |= (w[4 * i + k] & M32) << (32 * k)
    return v


# ---- the registers each architecture's images hold, by gdb's names ----
# Each returns two dicts name -> value: the general registers (read with
# `info registers`) and the FP/vector ones (read with `output/x EXPR`,
# keyed by EXPR).

X86_GP = [("rax", "ax"), ("rbx", "bx"), ("rcx", "cx"), ("rdx", "dx"), ("rsi", "si"),
          ("rdi", "di"), ("rbp", "bp"), ("rsp", "sp"), ("r8", "r8"), ("r9", "r9"),
          ("r10", "r10"), ("r11", "r11"), ("r12", "r12"), ("r13", "r13"), ("r14", "r14"),
          ("r15", "r15"), ("rip", "ip"), ("eflags", "flags"), ("cs", "cs"), ("ss", "ss"),
          ("ds", "ds"), ("es", "es"), ("fs", "fs"), ("gs", "gs"), ("fs_base", "fs_base"),
          ("gs_base", "gs_base"), ("orig_rax", "orig_ax")]
# gdb's amd64-linux eflags and segment registers are 32 bits wide: it reads
# the low half of user_regs_struct's 64-bit slots
X86_NARROW = {"eflags", "cs", "ss", "ds", "es", "fs", "gs"}


def x86_expected(entry):
    ti = entry.get("thread_info") or {}
    g = ti.get("gpregs")
    if g is None:
        return None, None
    gp = {}
    for name, field in X86_GP:
        v = g[field] & M64
        gp[name] = v & M32 if name in X86_NARROW else v
    vec = {}
    f = ti.get("fpregs")
    if f:
        x = f.get("xsave")
        bv = x.get("xstate_bv", 0) if x else None

        # with an XSAVE area gdb takes the registers from NT_X86_XSTATE,
        # where a component whose XSTATE_BV bit is clear is in its initial
        # state (zeros), whatever the area holds
        def live(bit):
            return x is None or (bv >> bit) & 1

        xmm = f["xmm_space"]
        for i in range(16):
            vec["$xmm%d.uint128" % i] = words128(xmm, i) if live(1) else 0
        if x and x.get("ymmh_space"):
            for i in range(16):
                hi = words128(x["ymmh_space"], i) if live(2) else 0
                lo = vec["$xmm%d.uint128" % i]
                vec["$ymm%d.v2_int128" % i] = [lo, hi]
        if x and x.get("pkru"):
            vec["$pkru"] = x["pkru"][0] & M32 if live(9) else 0
        vec["$mxcsr"] = f["mxcsr"] & M32
    return gp, vec


def a64_expected(entry):
    ti = entry.get("ti_aarch64") or {}
    g = ti.get("gpregs")
    if g is None:
        return None, None
    gp = {"x%d" % i: v & M64 for i, v in enumerate(g["regs"])}
    gp["sp"] = g["sp"] & M64
    gp["pc"] = g["pc"] & M64
    # gdb's cpsr is 32 bits wide, the kernel's pstate 64: the low half
    gp["cpsr"] = g["pstate"] & M32
    vec = {}
    f = ti.get("fpsimd")
    if f:
        # user_fpsimd_state's __uint128_t vregs[32], saved as 64 words,
        # the low half of each register first (little-endian)
        for i in range(32):
            vec["$v%d.q.u" % i] = [u128(f["vregs"][2 * i], f["vregs"][2 * i + 1])]
        vec["$fpsr"] = f["fpsr"] & M32
        vec["$fpcr"] = f["fpcr"] & M32
    vec["$tpidr"] = ti.get("tls", 0) & M64
    return gp, vec


def s390_expected(entry):
    ti = entry.get("ti_s390") or {}
    g = ti.get("gpregs")
    if g is None:
        return None, None
    gp = {"pswm": g["psw_mask"] & M64, "pswa": g["psw_addr"] & M64,
          "orig_r2": g["orig_gpr2"] & M64, "system_call": g.get("system_call", 0) & M32}
    for i in range(16):
        gp["r%d" % i] = g["gprs"][i] & M64
        gp["acr%d" % i] = g["acrs"][i] & M32
    vec = {}
    fp = ti.get("fpregs")
    if fp:
        vec["$fpc"] = fp["fpc"] & M32
        for i in range(16):
            vec["$f%d" % i] = fp["fprs"][i] & M64
    low = ti.get("vxrs_low")
    if fp and low:
        # v0..v15: f0..f15 are their high halves, vxrs_low the low ones
        for i in range(16):
            vec["$v%d.uint128" % i] = u128(low["regs"][i], fp["fprs"][i])
    high = ti.get("vxrs_high")
    if high:
        # __vector128 v16..v31, big-endian: the high word first
        for i in range(16):
            vec["$v%d.uint128" % (16 + i)] = u128(high["regs"][2 * i + 1], high["regs"][2 * i])
    return gp, vec


ARCHES = {"x86_64": x86_expected, "aarch64": a64_expected, "s390x": s390_expected}


# ---- gdb ----

def gdb_script(tids_n, gp_names, vec_exprs, markers):
    ex = ["set pagination off", "set width 0", "set height 0", "set confirm off",
          "set print elements unlimited", "set print repeats unlimited",
          "set architecture auto", "echo @@THREADS\\n", "info threads"]
    for n in range(1, tids_n + 1):
        ex += ["echo @@THREAD %d\\n" % n, "thread %d" % n,
               "echo @@GP\\n", "info registers " + " ".join(gp_names)]
        for e in vec_exprs:
            ex += ["echo @@V %s=" % e, "output/x " + e, "echo \\n"]
    for i, (_pid, addr, _text) in enumerate(markers):
        ex += ["echo @@M %d\\n" % i, "x/s 0x%x" % addr]
    ex += ["echo @@END\\n"]
    return ex


def parse_num(s):
    s = s.strip()
    if s.startswith("{"):
        return [int(x.strip(), 16) for x in s.strip("{}").split(",") if x.strip()]
    return int(s, 16)


def parse_gdb(out):
    """Sections of gdb's stdout: the thread list, per thread (gdb's id)
    its registers, and the markers' x/s lines."""
    threads, regs, marks = [], {}, {}
    cur, sect = None, None
    for line in out.splitlines():
        if line.startswith("@@THREADS"):
            sect = "threads"
        elif line.startswith("@@THREAD "):
            cur = int(line.split()[1])
            regs[cur] = {"gp": {}, "vec": {}}
            sect = "thread"
        elif line.startswith("@@GP"):
            sect = "gp"
        elif line.startswith("@@V "):
            k, _, v = line[4:].partition("=")
            try:
                regs[cur]["vec"][k] = parse_num(v)
            except ValueError:
                regs[cur]["vec"][k] = v
        elif line.startswith("@@M "):
            cur, sect = int(line.split()[1]), "mark"
        elif line.startswith("@@END"):
            sect = None
        elif sect == "threads":
            m = re.match(r"^\*?\s+(\d+)\s+LWP (\d+)", line)
            if m:
                threads.append((int(m.group(1)), int(m.group(2))))
        elif sect == "gp":
            m = re.match(r"^(\w+)\s+(0x[0-9a-f]+)", line)
            if m:
                regs[cur]["gp"][m.group(1)] = int(m.group(2), 16)
        elif sect == "mark":
            marks[cur] = marks.get(cur, "") + line + "\n"
    return threads, regs, marks


def gdb_string(xs):
    """The string of an x/s line: 0xADDR:<TAB>"TEXT" (gdb's escapes
    undone for the characters the markers can hold)."""
    m = re.match(r'^0x[0-9a-f]+(?: <[^>]*>)?:\s+"(.*)"\s*$', xs.strip().splitlines()[0] if xs.strip() else "")
    if not m:
        return None
    return m.group(1).replace('\\"', '"').replace("\\\\", "\\")


TOLERATED = re.compile(r"^warning: Can't open file (.*) during file-backed mapping note processing$")


def check_core(a, core_sum, pstree, report, found_markers):
    pid = core_sum["pid"]
    path = core_sum["file"]
    arch = core_sum["arch"]
    tag = "%s pid %d" % (a.name, pid)

    def ok(what):
        print("ok: %s: %s" % (tag, what))

    def bad(what):
        print("FAIL: %s: %s" % (tag, what))

    try:
        core = Core(path)
    except (OSError, ValueError) as e:
        bad("cannot read the core: %s" % e)
        return
    # the ELF header against the summary and the architecture
    want_big = arch == "s390x"
    if (core.elf_class == 2 and core.big == want_big and core.e_type == 4
            and core.e_machine == MACHINES.get(arch) == core_sum["e_machine"]):
        ok("ELF64 %s-endian ET_CORE, e_machine %d" % ("big" if want_big else "little", core.e_machine))
    else:
        bad("ELF header: class %d big %s type %d machine %d, want ELF64 big=%s ET_CORE %s" %
            (core.elf_class, core.big, core.e_type, core.e_machine, want_big, MACHINES.get(arch)))
    files = core.file_names()
    if len(files) == core_sum["file_mappings"]:
        ok("NT_FILE lists %d mappings, as the summary says" % len(files))
    else:
        bad("NT_FILE lists %d mappings, the summary %d" % (len(files), core_sum["file_mappings"]))

    # threads the images hold: pstree.img's of this pid, the main one first
    task = [t for t in pstree if t["pid"] == pid]
    if len(task) != 1:
        bad("pid not in pstree.img")
        return
    tids = task[0].get("threads") or [pid]
    pp = core.prstatus_pids()
    if sorted(pp) == sorted(tids) and pp and pp[0] == pid:
        ok("NT_PRSTATUS of threads %s, the main thread first" % tids)
    else:
        bad("NT_PRSTATUS pids %s, pstree.img threads %s" % (pp, tids))

    expected = {}
    for tid in tids:
        try:
            expected[tid] = ARCHES[arch](image(a, "core-%d.img" % tid)["entries"][0])
        except (RuntimeError, KeyError, IndexError, ValueError) as e:
            bad("core-%d.img: %s" % (tid, e))
            return
    gp_names = list(expected[tids[0]][0].keys())
    vec_exprs = list(expected[tids[0]][1].keys())

    # markers: every address crit mem finds them at in this process
    marks = []
    for text in a.marker + a.everywhere:
        r = subprocess.run([a.crit, "mem", a.src, "--pid", str(pid), "--search", text,
                            "--format", "json", "-c", "0"], capture_output=True, timeout=120)
        if r.returncode == 1 and not r.stderr:
            continue  # not in this process
        if r.returncode != 0:
            bad("crit mem --search %r: exit %d: %s" % (text, r.returncode, r.stderr.decode()[:200]))
            continue
        for m in json.loads(r.stdout)["matches"]:
            marks.append((pid, int(m["address"], 16), text))

    argv = [a.gdb, "-nx", "-batch"]
    for e in gdb_script(len(tids), gp_names, vec_exprs, marks):
        argv += ["-ex", e]
    argv += ["-c", path]
    try:
        r = subprocess.run(argv, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        bad("gdb did not finish within 300 s")
        return
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode < 0 or r.returncode >= 128:
        bad("gdb died (status %d): %s" % (r.returncode, err[-300:]))
        return

    # warnings: only "cannot open FILE" of a file NT_FILE names that this
    # machine does not have (the dumped machine's executable and libraries)
    bad_lines = []
    for line in (out + "\n" + err).splitlines():
        if "warning" not in line.lower() and "error" not in line.lower():
            continue
        m = TOLERATED.match(line)
        if m and m.group(1) in files and not os.path.exists(m.group(1)):
            print("note: %s: tolerated: %s" % (tag, line))
            continue
        bad_lines.append(line)
    if bad_lines:
        for line in bad_lines:
            bad("gdb printed: %s" % line)
    else:
        ok("gdb loads the core without a warning of its own")

    threads, regs, xs = parse_gdb(out)
    gdb_tids = [t for (_n, t) in threads]
    if len(threads) == len(tids) == core_sum["threads"] and sorted(gdb_tids) == sorted(tids):
        ok("gdb shows %d threads %s = the summary's = pstree.img's" % (len(threads), sorted(gdb_tids)))
    else:
        bad("gdb shows threads %s, the summary %d, pstree.img %s" % (gdb_tids, core_sum["threads"], tids))
    if threads and threads[0][1] != pid:
        bad("gdb's first thread is LWP %d, not the main thread %d" % (threads[0][1], pid))

    for n, tid in threads:
        if tid not in expected or n not in regs:
            continue
        gp, vec = expected[tid]
        got = regs[n]
        diffs = []
        for name, want in gp.items():
            have = got["gp"].get(name)
            if have != want:
                diffs.append("%s: gdb %s, image %s" % (name, "missing" if have is None else hex(have), hex(want)))
        if diffs:
            for d in diffs:
                bad("thread %d register %s" % (tid, d))
        else:
            ok("thread %d: %d general registers equal the image's" % (tid, len(gp)))
        diffs = []
        for expr, want in vec.items():
            have = got["vec"].get(expr)
            if have != want:
                fmt = (lambda v: [hex(x) for x in v] if isinstance(v, list) else
                       hex(v) if isinstance(v, int) else repr(v))
                diffs.append("%s: gdb %s, image %s" % (expr, fmt(have) if have is not None else "missing", fmt(want)))
        if not vec:
            bad("thread %d: the image holds no FP/vector registers to compare" % tid)
        elif diffs:
            for d in diffs:
                bad("thread %d register %s" % (tid, d))
        else:
            ok("thread %d: %d FP/vector registers equal the image's (%s ...)" % (tid, len(vec), ", ".join(list(vec)[:2])))

    here = set()
    for i, (mpid, addr, text) in enumerate(marks):
        s = gdb_string(xs.get(i, ""))
        report.append({"pid": mpid, "address": "0x%x" % addr, "marker": text, "gdb": s})
        if s is not None and s.startswith(text):
            found_markers.setdefault(text, 0)
            found_markers[text] += 1
            here.add(text)
            ok("x/s 0x%x reads %r" % (addr, text))
        else:
            bad("x/s 0x%x: %r, not the marker %r (gdb stderr: %s)" %
                (addr, xs.get(i, "").strip(), text, err.strip()[-200:]))
    for text in a.everywhere:
        if text not in here:
            bad("marker %r: not read back in this process" % text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--crit", required=True)
    ap.add_argument("--gdb", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--marker", action="append", default=[],
                    help="a marker gdb must read in at least one core")
    ap.add_argument("--everywhere", action="append", default=[],
                    help="a marker gdb must read in every core")
    ap.add_argument("--report")
    a = ap.parse_args()
    with open(a.summary) as f:
        summary = json.load(f)
    pstree = image(a, "pstree.img")["entries"]
    report, found = [], {}
    for c in summary["cores"]:
        check_core(a, c, pstree, report, found)
    for text in a.marker + a.everywhere:
        if found.get(text):
            print("ok: %s: marker %r read back by gdb at %d addresses" % (a.name, text, found[text]))
        else:
            print("FAIL: %s: marker %r: no address where gdb reads it" % (a.name, text))
    if a.report:
        with open(a.report, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
