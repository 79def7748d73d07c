#!/usr/bin/env python3
"""Checks a rewritten checkpoint against the original and the report.

usage: check.py CRIT BEFORE AFTER REPORT.json RULE...   (RULE: path:OLD=NEW or ip:OLD=NEW)

1. Both trees hold the same files.  A file no change names is byte for byte
   the same; an image named by the report differs.
2. In a changed image, `crit decode` of before and after differs in exactly
   the fields the report names (entry index and field path), no more, no less,
   and each reported before/after value is what the images hold.
3. Nothing a rule covers still matches it afterwards (completeness), checked
   with a field list of its own, independent of the library's.
A container engine's JSON file (spec.dump, config.dump) is one entry (0): it
is compared as JSON, leaf by leaf, every list walked by index.
Prints one line per problem; exit status 0 when there is none.
"""
import ipaddress
import json
import os
import quopri
import re
import subprocess
import sys

crit, before, after, report_path = sys.argv[1:5]
rules = [r.split(":", 1) for r in sys.argv[5:]]
problems = []


def problem(msg):
    problems.append(msg)
    print("  " + msg)


def files(top):
    out = set()
    for d, dirs, names in os.walk(top):
        for n in names + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            out.add(os.path.relpath(os.path.join(d, n), top))
    return out


def decode(path, pretty):
    args = [crit, "decode", "-i", path] + (["--pretty"] if pretty else [])
    return json.loads(subprocess.run(args, check=True, capture_output=True).stdout)


def diff(a, b, path, out):
    """Leaf paths where a and b differ; lists of objects are walked by index."""
    if type(a) is not type(b):
        out.add(path)
    elif isinstance(a, dict):
        for k in set(a) | set(b):
            p = path + "." + k if path else k
            if k not in a or k not in b:
                out.add(p)
            else:
                diff(a[k], b[k], p, out)
    elif (isinstance(a, list) and len(a) == len(b) and a
          and all(isinstance(x, dict) for x in a + b)):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b:
        out.add(path)


def at(entry, field):
    v = entry
    for part in field.split("."):
        m = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        v = v[m.group(1)][int(m.group(2))] if m else v[part]
    return v


def unix_name(v):
    return quopri.decodestring(v.encode()).decode("utf-8", "surrogateescape")


def same_value(json_value, text, field, magic):
    if isinstance(json_value, list):  # an address, as --pretty writes it
        return ipaddress.ip_address(json_value[0]) == ipaddress.ip_address(text)
    if field.endswith("usk.name") or (magic == "UNIXSK" and field == "name"):
        return unix_name(json_value).rstrip("\0") == text
    return json_value == text


ENGINE_FILES = ("spec.dump", "config.dump")


def leaves(v, path, out):
    """Every scalar of a JSON value by its field path: "mounts[5].source"."""
    if isinstance(v, dict):
        for k, x in v.items():
            leaves(x, path + "." + k if path else k, out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            leaves(x, "%s[%d]" % (path, i), out)
    else:
        out[path] = v
    return out


def check_engine(rel, pb, pa):
    lb, la = leaves(json.load(open(pb)), "", {}), leaves(json.load(open(pa)), "", {})
    if set(lb) != set(la):
        problem("%s: its shape changed" % rel)
        return
    seen = {(0, f) for f in lb if lb[f] != la[f]}
    if seen != by_image[rel]:
        problem("%s: fields changed %s, reported %s" % (rel, sorted(seen), sorted(by_image[rel])))
    for c in (x for x in changes if x["image"] == rel):
        f = c["field"]
        if lb.get(f) != c["before"] or la.get(f) != c["after"]:
            problem("%s: %s is %r -> %r, reported %r -> %r" % (rel, f, lb.get(f), la.get(f), c["before"], c["after"]))


# host paths of the engine files, by pattern ("[]" any index, "*" any key)
SPEC_HOST = [r"root\.path", r"mounts\[\d+\]\.source", r"hooks\.[^.]+\[\d+\]\.path",
             r"linux\.namespaces\[\d+\]\.path"]
CONFIG_HOST = [r"rootfs", r"ShmDir", r"staticDir", r"logPath", r"conmonPidFile", r"pid_file",
               r"secretsPath", r"mounts\[\d+\]", r"overlayVolumes\[\d+\]\.source"] + \
              [r"spec\." + x for x in SPEC_HOST]


def engine_paths(rel, path):
    pats = SPEC_HOST if rel == "spec.dump" else CONFIG_HOST
    return [(f, v) for f, v in leaves(json.load(open(path)), "", {}).items()
            if isinstance(v, str) and v.startswith("/") and "\0" not in v and any(re.fullmatch(p, f) for p in pats)]


report = json.load(open(report_path))
changes = report["changes"]
if report["changed"] != len(changes):
    problem("report says %d changed but lists %d" % (report["changed"], len(changes)))
by_image = {}
for c in changes:
    by_image.setdefault(c["image"], set()).add((c["entry"], c["field"]))
if sum(len(v) for v in by_image.values()) != len(changes):
    problem("a field is reported twice")

fb, fa = files(before), files(after)
if fb != fa:
    problem("file sets differ: only before %s, only after %s" % (sorted(fb - fa), sorted(fa - fb)))
for rel in sorted(fb & fa):
    pb, pa = os.path.join(before, rel), os.path.join(after, rel)
    if os.path.islink(pb) or os.path.islink(pa):
        if os.readlink(pb) != os.readlink(pa):
            problem("%s: symlink changed" % rel)
        continue
    same = open(pb, "rb").read() == open(pa, "rb").read()
    if rel not in by_image:
        if not same:
            problem("%s: changed, but the report names nothing in it" % rel)
        continue
    if same:
        problem("%s: the report names changes but the file is the same" % rel)
        continue
    if rel in ENGINE_FILES:
        check_engine(rel, pb, pa)
        continue
    jb, ja = decode(pb, False), decode(pa, False)
    if jb["magic"] != ja["magic"] or len(jb["entries"]) != len(ja["entries"]):
        problem("%s: magic or entry count changed" % rel)
        continue
    seen = set()
    for i, (eb, ea) in enumerate(zip(jb["entries"], ja["entries"])):
        d = set()
        diff(eb, ea, "", d)
        seen |= {(i, f) for f in d}
    if seen != by_image[rel]:
        problem("%s: fields changed %s, reported %s" % (rel, sorted(seen), sorted(by_image[rel])))
    pbj, paj = decode(pb, True), decode(pa, True)
    for c in (x for x in changes if x["image"] == rel):
        vb = at(pbj["entries"][c["entry"]], c["field"])
        va = at(paj["entries"][c["entry"]], c["field"])
        if not same_value(vb, c["before"], c["field"], pbj["magic"]):
            problem("%s[%d].%s: before is %r, reported %r" % (rel, c["entry"], c["field"], vb, c["before"]))
        if not same_value(va, c["after"], c["field"], paj["magic"]):
            problem("%s[%d].%s: after is %r, reported %r" % (rel, c["entry"], c["field"], va, c["after"]))

# ---- completeness: what the rules cover, found independently ----
PSEUDO = {"PROC", "SYSFS", "DEVTMPFS", "BINFMT_MISC", "TMPFS", "DEVPTS", "PSTORE", "SECURITYFS",
          "FUSECTL", "DEBUGFS", "CGROUP", "MQUEUE", "AUTOFS", "TRACEFS", "CGROUP2",
          1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 14, 18, 19, 23}


def paths_in(magic, e):
    """(field, value) of every path a path rule covers in entry e."""
    out = []
    def reg(r, pre):
        out.append((pre + "name", r.get("name")))
    def usk(u, pre):
        n = unix_name(u.get("name", ""))
        if n.startswith("/"):
            out.append((pre + "name", n.rstrip("\0")))
        out.append((pre + "name_dir", u.get("name_dir")))
    def marks(ms, pre):
        for k, m in enumerate(ms):
            if "me" in m:
                out.append(("%smark[%d].me.path" % (pre, k), m["me"].get("path")))
    if magic == "FILES":
        if "reg" in e: reg(e["reg"], "reg.")
        if "usk" in e: usk(e["usk"], "usk.")
        if "ffy" in e: marks(e["ffy"].get("mark", []), "ffy.")
    elif magic == "REG_FILES":
        reg(e, "")
    elif magic == "UNIXSK":
        usk(e, "")
    elif magic == "MNTS":
        for f in ("mountpoint", "source", "ext_key"):
            out.append((f, e.get(f)))
        if e["fstype"] not in PSEUDO:
            out.append(("root", e["root"]))
        if e["fstype"] in ("OVERLAYFS", 17):
            for o in e["options"].split(","):
                k, _, v = o.partition("=")
                if k in ("lowerdir", "upperdir", "workdir"):
                    out += [("options", p) for p in v.split(":")]
    elif magic == "GHOST_FILE":
        out.append(("symlnk_target", e.get("symlnk_target")))
    elif magic == "IRMAP_CACHE":
        out.append(("path", e.get("path")))
    elif magic == "BINFMT_MISC":
        out.append(("interpreter", e.get("interpreter")))
    elif magic == "FANOTIFY_MARK" and "me" in e:
        out.append(("me.path", e["me"].get("path")))
    return [(f, v) for f, v in out if isinstance(v, str) and v.startswith("/")]


def addrs_in(magic, e):
    s = e.get("isk") if magic == "FILES" else e if magic == "INETSK" else None
    return [(f, s[f][0]) for f in ("src_addr", "dst_addr") if s and s.get(f)]


def path_matches(old, p):
    old = old.rstrip("/") or "/"
    return old == "/" or p == old or p.startswith(old + "/")


def ip_matches(old, a):
    a, old = ipaddress.ip_address(a), ipaddress.ip_address(old)
    return a == old or (a.version == 6 and a.ipv4_mapped == old)


for rel in sorted(fa):
    p = os.path.join(after, rel)
    if rel in ENGINE_FILES and not os.path.islink(p):
        for kind, rule in rules:
            if kind != "path":
                continue
            old = re.split("=(?=/)", rule, 1)[0]
            for f, v in engine_paths(rel, p):
                if path_matches(old, v):
                    problem("%s.%s still matches %s" % (rel, f, old))
        continue
    if os.path.islink(p) or not (rel.endswith(".img") or rel.endswith("irmap-cache")):
        continue
    r = subprocess.run([crit, "decode", "--pretty", "-i", p], capture_output=True)
    if r.returncode:
        continue  # a raw image
    j = json.loads(r.stdout)
    for i, e in enumerate(j["entries"]):
        for kind, rule in rules:
            old, new = rule.split("=", 1) if kind == "ip" else re.split("=(?=/)", rule, 1)
            if kind == "path":
                left = [f for f, v in paths_in(j["magic"], e) if path_matches(old, v)]
            else:
                left = [f for f, v in addrs_in(j["magic"], e) if ip_matches(old, v)]
            for f in left:
                problem("%s[%d].%s still matches %s" % (rel, i, f, old))

sys.exit(1 if problems else 0)
