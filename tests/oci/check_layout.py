#!/usr/bin/env python3
"""Checks an OCI image layout that crit-convert wrote, independently of it.

usage: check_layout.py LAYOUT TREE ARCH NAME MTIME [REF]

LAYOUT  the image layout directory
TREE    the checkpoint it was made from (an image dir: stored under
        checkpoint/; an unpacked container checkpoint: as it is)
ARCH    the architecture the config and index must name (GOARCH word)
NAME    the container name the checkpoint annotations must carry
MTIME   the image's "created" (seconds), which is also the time of the
        layer's directories; "auto": the checkpoint's time, from TREE
        (config.dump's checkpointedTime, else stats-dump's mtime, else
        inventory.img's); files and symlinks carry their own mtimes
REF     the ref name index.json must give (default: latest)

Checks, per the OCI image spec: oci-layout; index.json (schemaVersion,
mediaType, one manifest descriptor with platform and ref name); every blob's
SHA-256 is its name and its size the descriptors'; the manifest's and the
config's media types; rootfs.diff_ids = SHA-256 of the uncompressed layer;
the annotations where each engine reads them (manifest: Podman, CRI-O and
org.criu.checkpoint.*; index: containerd's org.criu.checkpoint.container.name);
the layer: members in sorted order, 0:0, no user names, the times above, and
exactly the files, directories and symlinks of TREE, byte for byte.
Prints one line per problem; exit status 1 if there was any.
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYERS = {
    "application/vnd.oci.image.layer.v1.tar": None,
    "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
}

problems = []


def bad(msg):
    problems.append(msg)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob(layout, desc, what):
    d = desc.get("digest", "")
    if not d.startswith("sha256:") or len(d) != 71:
        bad(f"{what}: digest {d!r} is not sha256")
        return b""
    data = open(os.path.join(layout, "blobs", "sha256", d[7:]), "rb").read()
    if sha(data) != d:
        bad(f"{what}: blob {d} hashes to {sha(data)}")
    if len(data) != desc.get("size"):
        bad(f"{what}: blob {d} is {len(data)} bytes, descriptor says {desc.get('size')}")
    return data


def tree_entries(root, prefix):
    """path -> ('d'|'f'|'l', bytes or target, permission bits, mtime)"""
    out = {}
    if prefix:
        out[prefix.rstrip("/")] = ("d", None, os.lstat(root).st_mode & 0o7777, None)
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            rel = prefix + os.path.relpath(p, root)
            st = os.lstat(p)
            if os.path.islink(p):
                out[rel] = ("l", os.readlink(p), None, int(st.st_mtime))
            elif os.path.isdir(p):
                out[rel] = ("d", None, st.st_mode & 0o7777, None)
            else:
                out[rel] = ("f", open(p, "rb").read(), st.st_mode & 0o7777,
                            int(st.st_mtime))
        # os.walk does not descend into symlinked directories: fine
    return out


def check_layer(data, comp, tree, mtime):
    if comp == "gzip":
        raw = gzip.decompress(data)
    elif comp == "zstd":
        raw = subprocess.run(["zstd", "-dc"], input=data, capture_output=True,
                             check=True).stdout
    else:
        raw = data
    bare = os.path.exists(os.path.join(tree, "inventory.img"))
    want = tree_entries(tree, "checkpoint/" if bare else "")
    names = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as t:
        for m in t.getmembers():
            names.append(m.name)
            if m.uid or m.gid or m.uname or m.gname:
                bad(f"layer: {m.name}: owner {m.uid}:{m.gid} {m.uname!r}:{m.gname!r}")
            w = want.pop(m.name, None)
            if w is None:
                bad(f"layer: {m.name}: not in the checkpoint")
                continue
            # files and symlinks: their own time; directories: "created"
            when = w[3] if w[3] is not None else mtime
            if int(m.mtime) != when:
                bad(f"layer: {m.name}: mtime {m.mtime}, want {when}")
            kind = "l" if m.issym() else "d" if m.isdir() else "f" if m.isfile() else "?"
            if kind != w[0]:
                bad(f"layer: {m.name}: is {kind}, the checkpoint has {w[0]}")
            elif kind == "f" and t.extractfile(m).read() != w[1]:
                bad(f"layer: {m.name}: content differs")
            elif kind == "l" and m.linkname != w[1]:
                bad(f"layer: {m.name}: -> {m.linkname}, want {w[1]}")
            if kind in "fd" and w[2] is not None and m.mode != w[2]:
                bad(f"layer: {m.name}: mode {m.mode:o}, want {w[2]:o}")
    for n in want:
        bad(f"layer: {n}: missing")
    # sorted: bytewise by path component, each directory before its contents
    key = [n.encode().split(b"/") for n in names]
    if key != sorted(key):
        bad("layer: members are not in sorted order")
    return sha(raw)


def checkpoint_time(tree):
    """When the checkpoint was made, by the rule crit-convert documents."""
    try:
        ck = json.load(open(os.path.join(tree, "config.dump"))).get("checkpointedTime")
    except (OSError, ValueError, AttributeError):
        ck = None
    if isinstance(ck, str) and not ck.startswith("0001-01-01"):
        import datetime
        base = ck.rstrip("Z")
        frac = ""
        zone = "+00:00" if ck.endswith("Z") else base[-6:]
        if not ck.endswith("Z"):
            base = base[:-6]
        if "." in base:
            base, frac = base.split(".", 1)
        t = datetime.datetime.fromisoformat(base + zone)
        return int(t.timestamp())
    images = tree if os.path.exists(os.path.join(tree, "inventory.img")) else \
        os.path.join(tree, "checkpoint")
    for n in ("stats-dump", "inventory.img"):
        p = os.path.join(images, n)
        if os.path.lexists(p):
            return max(int(os.lstat(p).st_mtime), 0)
    return 0


def main():
    layout, tree, arch, name, mtime = sys.argv[1:6]
    ref = sys.argv[6] if len(sys.argv) > 6 else "latest"
    mtime = checkpoint_time(tree) if mtime == "auto" else int(mtime)
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))

    lay = json.load(open(os.path.join(layout, "oci-layout")))
    if lay != {"imageLayoutVersion": "1.0.0"}:
        bad(f"oci-layout: {lay}")
    names = sorted(os.listdir(os.path.join(layout, "blobs", "sha256")))
    for n in names:
        data = open(os.path.join(layout, "blobs", "sha256", n), "rb").read()
        if sha(data) != "sha256:" + n:
            bad(f"blobs/sha256/{n}: content hashes to {sha(data)}")

    idx = json.load(open(os.path.join(layout, "index.json")))
    if idx.get("schemaVersion") != 2 or idx.get("mediaType") != MT_INDEX:
        bad("index.json: schemaVersion/mediaType")
    ms = idx.get("manifests", [])
    if len(ms) != 1:
        bad(f"index.json: {len(ms)} manifests")
        return
    md = ms[0]
    if md.get("mediaType") != MT_MANIFEST:
        bad("index.json: manifest descriptor mediaType")
    if md.get("platform") != {"architecture": arch, "os": "linux"}:
        bad(f"index.json: platform {md.get('platform')}, want {arch}/linux")
    if md.get("annotations", {}).get("org.opencontainers.image.ref.name") != ref:
        bad(f"index.json: ref name {md.get('annotations')}, want {ref}")
    if idx.get("annotations", {}).get("org.criu.checkpoint.container.name") != name:
        bad("index.json: org.criu.checkpoint.container.name (containerd) "
            f"is {idx.get('annotations', {}).get('org.criu.checkpoint.container.name')!r}")

    man = json.loads(blob(layout, md, "manifest"))
    if man.get("schemaVersion") != 2 or man.get("mediaType") != MT_MANIFEST:
        bad("manifest: schemaVersion/mediaType")
    ann = man.get("annotations", {})
    for k in ("io.kubernetes.cri-o.annotations.checkpoint.name",
              "io.podman.annotations.checkpoint.name",
              "org.criu.checkpoint.container.name"):
        if ann.get(k) != name:
            bad(f"manifest: {k} is {ann.get(k)!r}, want {name!r}")
    if ann.get("org.criu.checkpoint.host.arch") != arch:
        bad("manifest: org.criu.checkpoint.host.arch")
    if ann.get("org.opencontainers.image.created") != created:
        bad("manifest: org.opencontainers.image.created")
    if idx.get("annotations") != {k: v for k, v in ann.items()
                                  if k != "org.opencontainers.image.created"}:
        bad("index.json and manifest annotations differ")

    if man.get("config", {}).get("mediaType") != MT_CONFIG:
        bad("manifest: config mediaType")
    cfg = json.loads(blob(layout, man["config"], "config"))
    if cfg.get("architecture") != arch or cfg.get("os") != "linux":
        bad(f"config: {cfg.get('architecture')}/{cfg.get('os')}, want {arch}/linux")
    if cfg.get("created") != created:
        bad(f"config: created {cfg.get('created')}, want {created}")
    layers = man.get("layers", [])
    if len(layers) != 1 or layers[0].get("mediaType") not in MT_LAYERS:
        bad(f"manifest: layers {layers}")
        return
    data = blob(layout, layers[0], "layer")
    diff_id = check_layer(data, MT_LAYERS[layers[0]["mediaType"]], tree, mtime)
    if cfg.get("rootfs") != {"type": "layers", "diff_ids": [diff_id]}:
        bad(f"config: rootfs {cfg.get('rootfs')}, uncompressed layer is {diff_id}")
    used = {md["digest"][7:], man["config"]["digest"][7:], layers[0]["digest"][7:]}
    if set(names) != used:
        bad(f"blobs/sha256: {sorted(set(names) - used)} not referenced")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a missing file, JSON that does not parse...
        bad(f"{type(e).__name__}: {e}")
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
