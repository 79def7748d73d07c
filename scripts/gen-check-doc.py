#!/usr/bin/env python3
"""Rewrites the reason-code sections of docs/check.md from the table
(`crit check --reasons --format json`, i.e. lib/image/check/reasons.def):
everything from the first "## The images part" to the end.
Usage: scripts/gen-check-doc.py BUILD/bin/crit"""
import json, subprocess, sys

crit = sys.argv[1]
doc = 'docs/check.md'
reasons = json.loads(subprocess.check_output([crit, 'check', '--reasons', '--format', 'json']))['reasons']
head = open(doc).read().split('## The images part')[0]
out = [head.rstrip('\n') + '\n']
titles = {'images': 'The images part', 'host': 'The host part', 'log': 'The log part',
          'portability': 'The portability part'}
for part in ('images', 'host', 'log', 'portability'):
    out.append('\n## %s\n' % titles[part])
    for r in reasons:
        if r['part'] != part:
            continue
        t = r['title'][0].upper() + r['title'][1:]
        row = r['catalogue'] if r['catalogue'] else '-'
        if part == 'portability':
            verdict = {'will-fail': 'blocks', 'may-fail': 'convertible', 'note': 'irrelevant'}
            out.append('\n### `%s`\n\n%s.  Verdict **%s** (severity %s), catalogue row %s.\n\n'
                       '- why it ties the checkpoint: %s\n- what makes it movable: %s\n'
                       % (r['code'], t, verdict[r['severity']], r['severity'], row, r['why'],
                          r['fix']))
            continue
        out.append('\n### `%s`\n\n%s.  Severity **%s**, catalogue row %s.\n\n- why: %s\n- fix: %s\n'
                   % (r['code'], t, r['severity'], row, r['why'], r['fix']))
open(doc, 'w').write(''.join(out))
