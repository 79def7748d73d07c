#!/usr/bin/python3
# Interop driver for tests/t-interop.sh: runs Debian's CRIU 3.17 crit (the
# pycriu package in /usr/lib/python3/dist-packages, the reference we test
# against) in this one process, and our crit as a subprocess, on every corpus
# image under the given roots.  It prints one line per assertion:
#   PASS name | FAIL name: why | SKIP name: why | INFO text
# and t-interop.sh turns them into pass/fail/skip.
#
# 3.17 is called through pycriu.cli.decode()/encode(), i.e. the very code
# /usr/bin/crit runs (t-interop.sh checks that against a real /usr/bin/crit
# process once, via "one").
#
# Usage:
#   crit317.py run CRIT TABLE WORKDIR LABEL=DIR...
#   crit317.py one decode|decode-pretty|encode IN OUT
import sys
import os
import io
import json
import struct
import subprocess
import contextlib
import collections

sys.path.insert(0, '/usr/lib/python3/dist-packages')
from pycriu import cli                                  # noqa: E402
from pycriu.images import images as pimages            # noqa: E402
from pycriu.images import pb, pb2dict, magic as pmagic  # noqa: E402
from google.protobuf.descriptor import FieldDescriptor as FD  # noqa: E402

IMG_COMMON, IMG_SERVICE, INVENTORY = 0x54564319, 0x55105940, 0x58313116


# ---- 3.17, in process ------------------------------------------------------

def dec317(src, dst, pretty):
    """crit decode [--pretty] -i src -o dst; returns None or an error text."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            cli.decode({'in': src, 'out': dst, 'pretty': pretty, 'nopl': False})
        return None
    except SystemExit:
        return err.getvalue().strip().splitlines()[0] if err.getvalue() else 'exit'
    except Exception as e:  # 3.17 raising is a result, not a crash of ours
        return '%s: %s' % (type(e).__name__, e)


def enc317(src, dst):
    """crit encode -i src -o dst; returns None or an error text."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            cli.encode({'in': src, 'out': dst})
        return None
    except SystemExit:
        return err.getvalue().strip() or 'exit'
    except Exception as e:
        return '%s: %s' % (type(e).__name__, e)


# ---- ours, as a subprocess -------------------------------------------------

CRIT = None


def ours(*args):
    r = subprocess.run([CRIT] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode:
        return (r.stderr.decode(errors='replace').strip().splitlines() or ['rc %d' % r.returncode])[-1]
    return None


def ourdec(src, dst, pretty):
    return ours('decode', '-i', src, '-o', dst, *(['--pretty'] if pretty else []))


def ourenc(src, dst, byte_order=None):
    return ours('encode', '-i', src, '-o', dst,
                *(['--byte-order', byte_order] if byte_order else []))


def read(p):
    with open(p, 'rb') as f:
        return f.read()


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return 'sizes %d vs %d, first difference at byte %d' % (len(a), len(b), i)
    return 'sizes %d vs %d (one is a prefix of the other)' % (len(a), len(b))


# ---- the table of 3.17-vs-4.2 differences ----------------------------------

class Table:
    """Parsed from t-interop.sh.  Lines (message/enum names as in 3.17's pycriu):
         drop   MSG KEY        key of our (4.2) JSON that 3.17's MSG has no field for
         rename MSG KEY42 KEY317  same field number, different name
         enum   ENUM NAME      enum value 3.17 does not have (its parser keeps the
                               field as an unknown field, so the key is absent)
         flag   MAP NAME VALUE pretty flag name 3.17's pb2dict does not know
    """

    def __init__(self, path):
        self.drops, self.ren42, self.ren317 = set(), {}, {}
        self.enums, self.flags = set(), {}
        self.entries = []
        with open(path) as f:
            for ln in f:
                ln = ln.split('#', 1)[0].split()
                if not ln:
                    continue
                kind = ln[0]
                if kind == 'drop' and len(ln) == 3:
                    self.drops.add((ln[1], ln[2]))
                    label = '%s.%s' % (ln[1], ln[2])
                elif kind == 'rename' and len(ln) == 4:
                    self.ren42[(ln[1], ln[2])] = ln[3]
                    self.ren317[(ln[1], ln[3])] = ln[2]
                    label = '%s.%s (3.17: %s)' % (ln[1], ln[2], ln[3])
                elif kind == 'enum' and len(ln) == 3:
                    self.enums.add((ln[1], ln[2]))
                    label = '%s %s' % (ln[1], ln[2])
                elif kind == 'flag' and len(ln) == 4:
                    self.flags[(ln[1], ln[2])] = int(ln[3], 0)
                    label = '%s %s' % (ln[1], ln[2])
                else:
                    raise SystemExit('crit317.py: bad table line: %s' % ' '.join(ln))
                self.entries.append((kind, label))

    def verify(self):
        """Every drop/rename must name a key that 3.17 cannot see under that
        name/number: checked against 3.17's own descriptors where possible."""
        bad = []
        msgs = {}

        def collect(d):
            if d.name in msgs:
                return
            msgs[d.name] = d
            for f in d.fields:
                if f.message_type:
                    collect(f.message_type)
        for n in dir(pb):
            o = getattr(pb, n)
            if hasattr(o, 'DESCRIPTOR') and hasattr(o.DESCRIPTOR, 'fields'):
                collect(o.DESCRIPTOR)
        for m, k in self.drops:
            d = msgs.get(m)
            if d is None:
                bad.append('drop %s %s: 3.17 has no message %s' % (m, k, m))
            elif k in d.fields_by_name and (m, k) not in self.ren317:
                bad.append('drop %s %s: 3.17 knows this key' % (m, k))
        for (m, k42), k317 in self.ren42.items():
            d = msgs.get(m)
            if d is None or k317 not in d.fields_by_name or k42 in d.fields_by_name:
                bad.append('rename %s %s %s does not match 3.17' % (m, k42, k317))
        return bad


class Walker:
    """Rewrites a decoded image (as a JSON object) with 3.17's descriptors:
       to317:   our JSON -> the same data in 3.17's vocabulary, minus what 3.17
                cannot hold (what 3.17's decode of the image should be)
       strip:   our JSON minus what 3.17 cannot hold, in 4.2 vocabulary
                (what our encoder should turn into 3.17's bytes)
       from317: 3.17's JSON -> 4.2 vocabulary (renames only)"""

    def __init__(self, table, mode):
        self.t, self.mode = table, mode
        self.used = collections.Counter()   # table labels applied
        self.lossy = set()                  # labels of data 3.17 cannot hold
        self.unaccounted = []
        self.translated = False             # a rename/enum/flag was applied
        self.unrep_entries = set()          # entries whose required field 3.17 cannot hold
        self.cur = None

    def image(self, obj):
        m = obj['magic']
        out = collections.OrderedDict()
        for k, v in obj.items():
            out[k] = v
        ents = []
        for i, e in enumerate(obj['entries']):
            self.cur = i
            if m == 'PAGEMAP':
                desc = (pb.pagemap_head if i == 0 else pb.pagemap_entry).DESCRIPTOR
            elif m == 'GHOST_FILE':
                desc = (pb.ghost_file_entry if i == 0 else pb.ghost_chunk_entry).DESCRIPTOR
            else:
                desc = pimages.handlers[m].payload.DESCRIPTOR
            ents.append(self.msg(e, desc, m, top=True))
        out['entries'] = ents
        return out

    def msg(self, d, desc, path, top=False):
        res = collections.OrderedDict()
        mn = desc.name
        for k, v in d.items():
            if top and k == 'extra':
                if isinstance(v, list):  # IPCNS_MSG: [ipc_msg, data, ...]
                    v = [self.msg(x, pb.ipc_msg.DESCRIPTOR, path + '.extra')
                         if isinstance(x, dict) else x for x in v]
                res[k] = v
                continue
            if self.mode != 'from317' and (mn, k) in self.t.drops:
                self.used['%s.%s' % (mn, k)] += 1
                self.lossy.add('%s.%s' % (mn, k))
                continue
            if self.mode == 'from317':
                k317 = k
                kout = self.t.ren317.get((mn, k), k)
            else:
                k317 = self.t.ren42.get((mn, k), k)
                kout = k317 if self.mode == 'to317' else k
            if k317 != k or kout != k:
                self.translated = True
                self.used['%s.%s (3.17: %s)' % (mn, self.t.ren317.get((mn, k317), k), k317)] += 1
            fd = desc.fields_by_name.get(k317)
            if fd is None:
                self.unaccounted.append('%s.%s (in %s)' % (mn, k, path))
                continue
            if fd.type == FD.TYPE_MESSAGE:
                if isinstance(v, list):
                    v = [self.msg(x, fd.message_type, path + '.' + k) for x in v]
                else:
                    v = self.msg(v, fd.message_type, path + '.' + k)
            elif fd.type == FD.TYPE_ENUM and self.mode != 'from317':
                et = fd.enum_type
                vals = v if isinstance(v, list) else [v]
                unknown = [x for x in vals if x not in et.values_by_name]
                if unknown:
                    for x in unknown:
                        if (et.name, x) in self.t.enums:
                            self.used['%s %s' % (et.name, x)] += 1
                            self.lossy.add('%s %s' % (et.name, x))
                            self.translated = True
                            if fd.label == FD.LABEL_REQUIRED:
                                self.unrep_entries.add(self.cur)
                        else:
                            self.unaccounted.append('%s %s (value of %s.%s)' % (et.name, x, mn, k))
                    continue  # 3.17's parser cannot see the field at all
            elif (self.mode == 'to317' and isinstance(v, str)
                  and pb2dict._marked_as_flags(fd)):
                v = self.flags(v, pb2dict._marked_as_flags(fd), mn, k)
            res[kout] = v
        return res

    def flags(self, v, mapname, mn, k):
        fmap = pb2dict.flags_maps.get(mapname)
        if fmap is None or v == '':
            return v
        known = dict(fmap)
        total, changed = 0, False
        for tok in [x.strip() for x in v.split('|')]:
            if tok in known:
                total |= known[tok]
            elif (mapname, tok) in self.t.flags:
                total |= self.t.flags[(mapname, tok)]
                self.used['%s %s' % (mapname, tok)] += 1
                changed = True
                self.translated = True
            else:
                try:
                    total |= int(tok, 0)
                except ValueError:
                    self.unaccounted.append('%s flag %s (in %s.%s)' % (mapname, tok, mn, k))
                    return v
        return pb2dict.map_flags(total, fmap) if changed else v


# ---- the run ---------------------------------------------------------------

def find_images(label, root):
    """(name, path, byte order) of every file under root that starts with a
    CRIU image magic; expected*/ and symlinks (parent) are not images."""
    out = []
    for dp, dn, fn in os.walk(root):
        dn[:] = sorted(d for d in dn if not d.startswith('expected'))
        for f in sorted(fn):
            p = os.path.join(dp, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            with open(p, 'rb') as fh:
                b = fh.read(4)
            if len(b) < 4:
                continue
            rel = os.path.relpath(p, root)
            name = label + '/' + rel
            if struct.unpack('<I', b)[0] in (IMG_COMMON, IMG_SERVICE, INVENTORY):
                out.append((name, p, 'little'))
            elif struct.unpack('>I', b)[0] in (IMG_COMMON, IMG_SERVICE, INVENTORY):
                out.append((name, p, 'big'))
    return out


def kind_of(path, bo):
    """3.17's name for the image's magic, or None."""
    with open(path, 'rb') as f:
        b = f.read(8)
    fmt = '<i' if bo == 'little' else '>i'
    m, = struct.unpack(fmt, b[:4])
    if m in (IMG_COMMON, IMG_SERVICE) and len(b) == 8:
        m, = struct.unpack(fmt, b[4:8])
    return pmagic.by_val.get(m), m


class Run:
    def __init__(self, crit, table, work):
        global CRIT
        CRIT = crit
        self.t, self.work = table, work
        self.seq = 0
        self.res = {}            # name -> {mode: category}
        self.kinds = collections.Counter()
        self.skipped = collections.OrderedDict()   # name -> reason
        self.causes = collections.defaultdict(set)  # table label -> images
        self.lossy_imgs = set()
        self.unrep = {}
        self.used = collections.Counter()

    def tmp(self, suffix):
        self.seq += 1
        return os.path.join(self.work, '%05d%s' % (self.seq, suffix))

    def ok(self, name):
        print('PASS %s' % name)

    def bad(self, name, why):
        print('FAIL %s: %s' % (name, why))

    def check(self, name, cond, why):
        (self.ok(name) if cond else self.bad(name, why))
        return cond

    def same_bytes(self, name, got, want, what):
        if got == want:
            self.ok(name)
            return True
        self.bad(name, '%s (%s)' % (what, first_diff(got, want)))
        return False

    def dumpjson(self, obj, pretty):
        p = self.tmp('.json')
        with open(p, 'w') as f:
            json.dump(obj, f, indent=4 if pretty else None)
        return p

    def one_mode(self, name, orig, pretty, be_orig=None, anchor=None):
        """All assertions for one image in one JSON style.  orig: the image
        bytes' file (little-endian); be_orig: the big-endian original when
        orig is our little-endian copy of it; anchor: JSON the guest's own
        3.17 wrote for the big-endian original."""
        tag = '%s [%s]' % (name, 'pretty' if pretty else 'compact')
        o = read(orig)
        j3, j4 = self.tmp('.317.json'), self.tmp('.our.json')
        e = dec317(orig, j3, pretty)
        if e and be_orig:
            self.bad(tag + ' 3.17 decode of our little-endian copy', e)
            return 'fail'
        if e:
            self.skipped[tag] = '3.17 cannot decode it: ' + e
            print('SKIP %s: 3.17 cannot decode it: %s' % (tag, e))
            return 'skip'
        e = ourdec(orig, j4, pretty)
        if e:
            self.bad(tag + ' our decode', e)
            return 'fail'
        t3, t4 = read(j3), read(j4)
        if anchor and os.path.exists(anchor):
            self.check(tag + ' 3.17 on our little-endian copy == guest 3.17 on the big-endian original',
                       t3 == read(anchor), 'JSON differs from ' + anchor)
        if t3 == t4:
            # strict: same JSON, so both encoders must give back the image
            b = self.tmp('.img')
            e = enc317(j4, b)
            if e:
                self.bad(tag + ' (a) 3.17 encode of our JSON', e)
            else:
                self.same_bytes(tag + ' (a) 3.17 encode of our JSON == image', read(b), o,
                                '3.17 encode of our JSON differs from the image')
            b = self.tmp('.img')
            e = ourenc(j3, b)
            if e:
                self.bad(tag + ' (b) our encode of 3.17 JSON', e)
            else:
                self.same_bytes(tag + ' (b) our encode of 3.17 JSON == image', read(b), o,
                                'our encode of 3.17 JSON differs from the image')
            if be_orig:
                b = self.tmp('.img')
                e = ourenc(j3, b, 'big')
                if e:
                    self.bad(tag + ' (b) our encode --byte-order big of 3.17 JSON', e)
                else:
                    self.same_bytes(tag + ' (b) our encode --byte-order big of 3.17 JSON == big-endian original',
                                    read(b), read(be_orig), 'differs')
            return 'strict'

        # accounted: the JSONs differ; the difference must be exactly the
        # table's 3.17-vs-4.2 entries, and both sides must still agree.
        J3 = json.loads(t3, object_pairs_hook=collections.OrderedDict)
        J4 = json.loads(t4, object_pairs_hook=collections.OrderedDict)
        w_to, w_st, w_fr = Walker(self.t, 'to317'), Walker(self.t, 'strip'), Walker(self.t, 'from317')
        to317, strip, from317 = w_to.image(J4), w_st.image(J4), w_fr.image(J3)
        if w_to.unaccounted or w_fr.unaccounted:
            self.bad(tag + ' difference accounted for',
                     'not in the 3.17-vs-4.2 table: ' + ', '.join(sorted(set(w_to.unaccounted + w_fr.unaccounted))))
            return 'fail'
        if not w_to.used:
            self.bad(tag + ' difference accounted for',
                     'our JSON text differs from 3.17\'s but no 3.17-vs-4.2 difference applies (%s)'
                     % first_diff(t4, t3))
            return 'fail'
        for lab in w_to.used:
            self.causes[lab].add(name)
        self.used.update(w_to.used)
        lossy = w_to.lossy
        if lossy:
            self.lossy_imgs.add(name)
        # (c) 3.17's JSON == ours translated to 3.17's schema
        c = json.dumps(to317, indent=4 if pretty else None).encode()
        self.check(tag + ' (c) 3.17 JSON == our JSON less the 4.2-only fields (' +
                   ', '.join(sorted(w_to.used)) + ')', c == t3,
                   'JSON still differs after the table: %s' % first_diff(c, t3))
        p_to, p_st, p_fr = self.dumpjson(to317, pretty), self.dumpjson(strip, pretty), self.dumpjson(from317, pretty)

        b3own = self.tmp('.img')
        e3own = enc317(j3, b3own)
        if w_to.unrep_entries:
            # A required field holds a value 3.17's schema lacks (fd type
            # PIDFD): 3.17's decoding has no "type" there, so 3.17 cannot
            # re-encode its own decoding.  Both implementations must refuse
            # that JSON; the other entries are then compared as above.
            bad = sorted(w_to.unrep_entries)
            self.unrep[tag] = '%s; entry #%s (of %d) left out of the byte comparison' % (
                e3own, ',#'.join(str(i) for i in bad), len(J4['entries']))
            self.check(tag + " (a') 3.17 cannot encode its own decoding", e3own is not None,
                       '3.17 encoded JSON that lacks a required field')
            self.check(tag + " (a') 3.17 cannot encode our JSON either", enc317(j4, self.tmp('.img')) is not None,
                       '3.17 encoded it')
            self.check(tag + " (b') our encode refuses 3.17's JSON too", ourenc(p_fr, self.tmp('.img')) is not None,
                       'our encode accepted JSON with a required field missing')
            if J4['magic'] in ('PAGEMAP', 'GHOST_FILE') or len(bad) == len(J4['entries']):
                return 'unrep'

            def without(J):
                J = collections.OrderedDict(J)
                J['entries'] = [e for i, e in enumerate(J['entries']) if i not in bad]
                return J
            J4, J3 = without(J4), without(J3)
            j4, j3 = self.dumpjson(J4, pretty), self.dumpjson(J3, pretty)
            w_to, w_st, w_fr = Walker(self.t, 'to317'), Walker(self.t, 'strip'), Walker(self.t, 'from317')
            to317, strip, from317 = w_to.image(J4), w_st.image(J4), w_fr.image(J3)
            p_to, p_st, p_fr = self.dumpjson(to317, pretty), self.dumpjson(strip, pretty), self.dumpjson(from317, pretty)
            b3own = self.tmp('.img')
            e3own = enc317(j3, b3own)
            # the image minus entries is no image we have: compare the two
            # implementations with each other only
            self.agree(tag + ' other entries', None, j4, p_to, p_st, p_fr, w_to, b3own, e3own, None)
            return 'unrep'
        self.agree(tag, o, j4, p_to, p_st, p_fr, w_to, b3own, e3own, be_orig)
        return 'acct'

    def agree(self, tag, o, j4, p_to, p_st, p_fr, w_to, b3own, e3own, be_orig):
        lossy = w_to.lossy or o is None
        # (a') 3.17 encode of our JSON == our encode of our JSON less the
        # 4.2-only data (== the image itself when nothing was lost).  When the
        # table only drops keys, 3.17 gets our JSON verbatim (it must ignore
        # the keys it has no field for); a rename, an enum value or a flag
        # name 3.17 lacks needs our JSON in 3.17's terms (to317).
        src = p_to if w_to.translated else j4
        b3 = self.tmp('.img')
        e = enc317(src, b3)
        want = o
        if lossy:
            want_p = self.tmp('.img')
            e2 = ourenc(p_st, want_p)
            if e2:
                self.bad(tag + " (a') our encode of our JSON less the 4.2-only fields", e2)
                return
            want = read(want_p)
        if e:
            self.bad(tag + " (a') 3.17 encode of our JSON", e)
        else:
            self.same_bytes(tag + " (a') 3.17 encode of our JSON%s == %s" % (
                ' (in 3.17 terms)' if w_to.translated else '',
                'our encode of it less the 4.2-only fields' if lossy else 'image'), read(b3), want, 'differs')
        # (b') our encode of 3.17's JSON (4.2 names) == 3.17's own encode of
        # it (== the image when 3.17 saw all of it)
        b4 = self.tmp('.img')
        e = ourenc(p_fr, b4)
        if lossy:
            if e3own:
                self.bad(tag + " (b') 3.17 encode of its own JSON", e3own)
                return
            want = read(b3own)
        else:
            want = o
        if e:
            self.bad(tag + " (b') our encode of 3.17 JSON", e)
        else:
            self.same_bytes(tag + " (b') our encode of 3.17 JSON == " + ("3.17's encode of it" if lossy else 'image'),
                            read(b4), want, 'differs')
        if be_orig and not lossy and not e:
            b = self.tmp('.img')
            e = ourenc(p_fr, b, 'big')
            if e:
                self.bad(tag + " (b') our encode --byte-order big of 3.17 JSON", e)
            else:
                self.same_bytes(tag + " (b') our encode --byte-order big of 3.17 JSON == big-endian original",
                                read(b), read(be_orig), 'differs')

    def image(self, name, path, bo):
        kind, mval = kind_of(path, bo)
        if kind is None or kind not in pimages.handlers:
            ours_kind = subprocess.run([CRIT, 'info', path], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL).stdout.decode()
            try:
                ours_kind = json.loads(ours_kind)['magic']
            except Exception:
                ours_kind = '0x%x' % mval
            why = '3.17 has no %s for %s' % ('magic' if kind is None else 'handler', ours_kind)
            self.skipped[name] = why
            self.kinds['(unknown to 3.17) ' + ours_kind] += 1
            print('SKIP %s: %s' % (name, why))
            return
        self.kinds[kind] += 1
        modes = {}
        if bo == 'big':
            # 3.17 reads the header words in host (little-endian) order
            e = dec317(path, self.tmp('.json'), False)
            self.check(name + ' 3.17 rejects the big-endian image', e is not None and 'Unknown magic' in e,
                       '3.17 said: %r' % e)
            j = self.tmp('.json')
            le = self.tmp('.le.img')
            e = ourdec(path, j, False) or ourenc(j, le, 'little')
            if e:
                self.bad(name + ' our little-endian copy', e)
                return
            d, f = os.path.split(path)
            for pretty in (False, True):
                anchor = os.path.join(d, 'expected', f + ('.pretty.json' if pretty else '.json'))
                modes[pretty] = self.one_mode(name + ' (LE copy)', le, pretty, be_orig=path, anchor=anchor)
        else:
            for pretty in (False, True):
                modes[pretty] = self.one_mode(name, path, pretty)
        self.res[name] = (modes, bo)

    def summary(self):
        n = len(self.res)
        cats = collections.Counter()
        for name, (modes, bo) in self.res.items():
            v = set(modes.values())
            if v == {'strict'}:
                cats['strict'] += 1
            elif 'fail' in v:
                cats['fail'] += 1
            elif 'unrep' in v:
                cats['unrep'] += 1
            elif 'skip' in v:
                cats['skip'] += 1
            elif v == {'acct'}:
                cats['acct'] += 1
            else:
                cats['acct-pretty' if modes[True] == 'acct' else 'acct-compact'] += 1
        be = sum(1 for m, bo in self.res.values() if bo == 'big')
        print('INFO interop summary (%d images 3.17 knows, %d of them big-endian s390x, each in compact and --pretty JSON):' % (n, be))
        print('INFO   strict (same JSON; both encoders give back the image bytes): %d' % cats['strict'])
        print('INFO   with 3.17-vs-4.2 accounting in both styles: %d; in --pretty only: %d; in compact only: %d'
              % (cats['acct'], cats['acct-pretty'], cats['acct-compact']))
        print('INFO     of these, %d hold data 3.17 cannot store (compared with our encode of the JSON less that data); what made the JSON differ:'
              % len([x for x in self.lossy_imgs if x in self.res and 'unrep' not in self.res[x][0].values()]))
        for lab in sorted(self.causes):
            print('INFO     %-48s %3d images' % (lab, len(self.causes[lab])))
        print('INFO   not representable in 3.17 (3.17 cannot encode even its own decoding): %d%s'
              % (cats['unrep'], ''.join('\nINFO     %s: %s' % (k, v) for k, v in sorted(self.unrep.items()))))
        print('INFO   skipped: %d image kinds 3.17 does not know, %d runs 3.17 cannot decode'
              % (sum(1 for k in self.skipped if '[' not in k), sum(1 for k in self.skipped if '[' in k)))
        if cats['fail']:
            print('INFO   FAILED: %d images' % cats['fail'])
        print('INFO   big-endian s390x: 3.17 reads the header words in host order ("Unknown magic");'
              ' tested via a little-endian copy made with our encode --byte-order little,'
              ' anchored to the guest 3.17 JSON in expected/ and back with --byte-order big')
        print('INFO   image kinds: ' + ', '.join('%s %d' % kv for kv in sorted(self.kinds.items())))
        unused = [lab for kind, lab in self.t.entries if lab not in self.used]
        if unused:
            print('INFO   table entries not met in this corpus: ' + ', '.join(unused))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == 'one':
        op, src, dst = sys.argv[2:5]
        e = enc317(src, dst) if op == 'encode' else dec317(src, dst, op == 'decode-pretty')
        if e:
            print(e, file=sys.stderr)
            sys.exit(1)
        return
    if len(sys.argv) < 6 or sys.argv[1] != 'run':
        sys.exit('usage: crit317.py run CRIT TABLE WORKDIR LABEL=DIR... | one OP IN OUT')
    crit, tablef, work = sys.argv[2:5]
    table = Table(tablef)
    bad = table.verify()
    for b in bad:
        print('FAIL 3.17-vs-4.2 table: ' + b)
    if not bad:
        print('PASS 3.17-vs-4.2 table matches 3.17\'s descriptors')
    r = Run(crit, table, work)
    for arg in sys.argv[5:]:
        label, root = arg.split('=', 1)
        for name, path, bo in find_images(label, root):
            r.image(name, path, bo)
    r.summary()


if __name__ == '__main__':
    main()
