#!/usr/bin/env python3
"""Holds the evidence of a portability report (crit check --target-arch
--format json) to the images: each finding's image, entry, field and value
are looked up in `crit decode` of that image and must agree.

Usage: port_evidence.py CRIT IMAGES_DIR REPORT.json
Prints one line per disagreement (and per evidence it cannot look up) and
exits 1 when there is any; the last line counts what was checked."""
import base64
import json
import re
import subprocess
import sys

crit, images, report = sys.argv[1:4]
cache = {}


def entries(image):
    if image not in cache:
        out = subprocess.run([crit, 'decode', '-i', images + '/' + image],
                             capture_output=True, check=True).stdout
        cache[image] = json.loads(out)['entries']
    return cache[image]


def walk(obj, path):
    """obj at a dotted path with [i] indexes ("thread_info.gpregs.ip")."""
    for part in path.split('.'):
        m = re.fullmatch(r'([a-z_0-9]+)(?:\[(\d+)\])?', part)
        obj = obj[m.group(1)]
        if m.group(2) is not None:
            obj = obj[int(m.group(2))]
    return obj


MTYPE = {'X86_64': 'x86_64', 'AARCH64': 'aarch64', 'S390': 's390x'}
bad = []
checked = 0
for f in json.load(open(report))['findings']:
    if f['part'] != 'portability':
        continue
    ev = f['evidence']
    img, entry, field, value = ev['image'], ev['entry'], ev['field'], ev['value']
    if not img or entry is None or not field:
        continue
    where = '%s %s entry %s %s = %s' % (f['code'], img, entry, field, value)
    try:
        e = entries(img)[entry]
        if field == 'mtype':
            ok = MTYPE.get(e['mtype']) == value
        elif field == 'mm_saved_auxv':
            ok = value == '%d values' % len(e['mm_saved_auxv'])
        elif field == 'mm_saved_auxv (AT_PAGESZ)':
            a = e['mm_saved_auxv']
            ok = any(a[i] == 6 and a[i + 1] == int(value) for i in range(0, len(a) - 1, 2))
        elif re.fullmatch(r'vmas\[\d+\]', field):
            v = walk(e, field)
            ok = value.startswith('0x%x-0x%x ' % (v['start'], v['end']))
        elif field == 'reg.name':
            ok = e['reg']['name'] == value
        elif field.endswith('.flags') and img == 'files.img':
            ok = int(value.split()[0], 8) == walk(e, field)
        elif re.fullmatch(r'seccomp_filters\[\d+\]\.filter', field):
            n = len(base64.b64decode(walk(e, field)))
            ok = value.startswith('%d instructions;' % (n // 8)) and n % 8 == 0
        elif field == 'ti_s390.gpregs.acrs[0..1]':
            a = e['ti_s390']['gpregs']['acrs']
            ok = int(value, 16) == (a[0] << 32 | a[1])
        elif field == 'thread_core.seccomp_mode':
            ok = e['thread_core']['seccomp_mode'] == value
        elif field == 'ti_aarch64.pac_keys':
            ok = 'pac_keys' in e['ti_aarch64']
        elif field == 'magic':
            ok = value in ('big-endian', 'little-endian')
        else:
            v = walk(e, field)
            if isinstance(v, str):  # an enum ("COMPAT") or a hex string
                ok = v == value or (v.startswith('0x') and int(v, 16) == int(value, 0))
            else:
                ok = v == int(value, 0)
        checked += 1
        if not ok:
            bad.append('differs: ' + where)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as x:
        bad.append('cannot look up (%s: %s): %s' % (type(x).__name__, x, where))
for b in bad:
    print(b)
print('%d evidence values checked, %d wrong' % (checked, len(bad)))
sys.exit(1 if bad else 0)
