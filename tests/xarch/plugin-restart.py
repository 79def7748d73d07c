#!/usr/bin/env python3
# A stack plug-in program for crit convert --to-arch (docs/xarch.md): it
# answers what the built-in "restart" plug-in does -- the target build's
# crimg_resume_POINT on a fresh frame at the source's stack pointer -- from
# the request alone.  t-xarch uses it to test the interface:
# PLUGIN_WRITE=1 also asks for 16 bytes ("CRIMG-PLUGIN" and padding) at
# sp - 64; PLUGIN_BAD=fail|garbage|pc|sp|write|hex|quiet|hang answers
# wrongly in that way.
import json
import os
import sys
import time

req = json.load(sys.stdin)
assert req["interface"] == "crimg-stack-plugin/1", req["interface"]
bad = os.environ.get("PLUGIN_BAD", "")
src, dst = req["source"], req["target"]
sp = int(src["sp"], 16) & ~15
if dst["arch"] == "x86_64":
    sp -= 8  # a function's entry: SP + 8 on 16 bytes
pc = int(dst["symbols"]["crimg_resume_" + req["point"]], 16)
ans = {"pc": hex(pc), "sp": hex(sp), "lr": "0x0", "args": []}
if os.environ.get("PLUGIN_WRITE"):
    ans["writes"] = [{"addr": hex(sp - 64), "hex": b"CRIMG-PLUGIN\0\0\0\0".hex()}]
if bad == "fail":
    sys.exit(3)
if bad == "hang":
    time.sleep(600)
if bad == "garbage":
    print("this is no JSON")
    sys.exit(0)
if bad == "pc":
    ans["pc"] = hex(0x100)
if bad == "sp":
    ans["sp"] = hex(0x1000)
if bad == "write":
    ans["writes"] = [{"addr": hex(0x1000), "hex": "00"}]
if bad == "hex":
    ans["writes"] = [{"addr": hex(sp - 64), "hex": "zz"}]
if bad == "quiet":
    del ans["pc"]
json.dump(ans, sys.stdout)
