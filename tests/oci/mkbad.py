#!/usr/bin/env python3
"""Damages a copy of a good OCI image layout, one way per call.

usage: mkbad.py LAYOUT HOW

LAYOUT is changed in place (a copy made by the caller).  HOW:
  flip          one byte of the layer changed: its digest is wrong
  truncate      the layer blob cut short
  notar         the layer is text (digests made consistent)
  gzip-as-zstd  a gzip layer that the manifest calls zstd
  escape        a layer with a member "../escaped" (digests consistent)
  absolute      a layer with a member "/tmp/absolute"
  via-symlink   a layer with a symlink "ln -> /tmp" and then a member "ln/x"
  symlink-blob  the layer blob replaced by a symlink to a good copy
  diff-id       the config's diff_id names another layer
  manifest      the manifest changed behind the index's back
  sha512        index.json names the manifest by a sha512 digest
  two-layers    the manifest lists the layer twice
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile


def blobpath(layout, digest):
    return os.path.join(layout, "blobs", "sha256", digest[7:])


def put(layout, data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    with open(blobpath(layout, d), "wb") as f:
        f.write(data)
    return {"digest": d, "size": len(data)}


def load(layout):
    idx = json.load(open(os.path.join(layout, "index.json")))
    man = json.load(open(blobpath(layout, idx["manifests"][0]["digest"])))
    cfg = json.load(open(blobpath(layout, man["config"]["digest"])))
    return idx, man, cfg


def save(layout, idx, man, cfg):
    man["config"].update(put(layout, json.dumps(cfg).encode()))
    idx["manifests"][0].update(put(layout, json.dumps(man).encode()))
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(idx, f)


def tar_of(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, data in members:
            ti = tarfile.TarInfo(name)
            if kind == "l":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def new_layer(layout, data, media_type, raw=None):
    """Replaces the layer with data; raw: the uncompressed stream."""
    idx, man, cfg = load(layout)
    man["layers"][0] = dict(put(layout, data), mediaType=media_type)
    raw = data if raw is None else raw
    cfg["rootfs"]["diff_ids"] = ["sha256:" + hashlib.sha256(raw).hexdigest()]
    save(layout, idx, man, cfg)


def main():
    layout, how = sys.argv[1], sys.argv[2]
    idx, man, cfg = load(layout)
    layer = blobpath(layout, man["layers"][0]["digest"])
    tar = "application/vnd.oci.image.layer.v1.tar"
    if how == "flip":
        data = bytearray(open(layer, "rb").read())
        data[len(data) // 2] ^= 0x20
        open(layer, "wb").write(bytes(data))
    elif how == "truncate":
        os.truncate(layer, os.path.getsize(layer) // 2)
    elif how == "notar":
        new_layer(layout, b"this is not a tar archive\n" * 40, tar)
    elif how == "gzip-as-zstd":
        raw = tar_of([("config.dump", "f", b"{}")])
        new_layer(layout, gzip.compress(raw, mtime=0), tar + "+zstd", raw)
    elif how == "escape":
        new_layer(layout, tar_of([("checkpoint/inventory.img", "f", b"x"),
                                  ("../escaped", "f", b"outside")]), tar)
    elif how == "absolute":
        new_layer(layout, tar_of([("checkpoint/inventory.img", "f", b"x"),
                                  ("/tmp/absolute", "f", b"outside")]), tar)
    elif how == "via-symlink":
        new_layer(layout, tar_of([("checkpoint/inventory.img", "f", b"x"),
                                  ("ln", "l", "/tmp"),
                                  ("ln/via-symlink", "f", b"outside")]), tar)
    elif how == "symlink-blob":
        keep = layer + ".copy"
        shutil.move(layer, keep)
        os.symlink(os.path.basename(keep), layer)
    elif how == "diff-id":
        cfg["rootfs"]["diff_ids"] = ["sha256:" + "0" * 64]
        save(layout, idx, man, cfg)
    elif how == "manifest":
        # same size, other bytes: only the digest can tell
        path = blobpath(layout, idx["manifests"][0]["digest"])
        data = open(path, "rb").read()
        open(path, "wb").write(data.replace(b"checkpoint", b"Checkpoint", 1))
    elif how == "sha512":
        idx["manifests"][0]["digest"] = "sha512:" + "ab" * 64
        json.dump(idx, open(os.path.join(layout, "index.json"), "w"))
    elif how == "two-layers":
        man["layers"].append(man["layers"][0])
        save(layout, idx, man, cfg)
    else:
        sys.exit(f"mkbad.py: unknown damage {how!r}")


if __name__ == "__main__":
    main()
