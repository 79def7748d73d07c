#!/usr/bin/python3
# bench/refcheck.py: check that the reference (Debian's CRIU 3.17 pycriu, the
# library behind /usr/bin/crit) decodes every generated image, in one process
# (a process per image would take ~80 ms each).  Reads lines
#   PATH ENTRIES [VMAS]
# from stdin; loads PATH exactly as `crit decode` does and checks the number of
# entries (and, for MM images, of vmas in the first entry).  Prints one line
# per bad image and exits 1 if there was any.
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import pycriu  # noqa: E402

bad = 0
for line in sys.stdin:
    f = line.split()
    if not f:
        continue
    path, want = f[0], int(f[1])
    want_vmas = int(f[2]) if len(f) > 2 and f[2] != "-" else None
    try:
        with open(path, "rb") as fh:
            img = pycriu.images.load(fh)
        n = len(img["entries"])
        if n != want:
            raise ValueError("%d entries, expected %d" % (n, want))
        if want_vmas is not None:
            v = len(img["entries"][0].get("vmas", []))
            if v != want_vmas:
                raise ValueError("%d vmas, expected %d" % (v, want_vmas))
    except Exception as e:  # report every failure, keep going
        bad += 1
        print("refcheck: %s: %s: %s" % (path, type(e).__name__, e))
sys.exit(1 if bad else 0)
