"""The parts of an ELF core file that tests/t-core.sh checks, read here
rather than through readelf: Debian's readelf (binutils 2.40) does not
decode a 64-bit NT_FILE note at all ("Cannot decode 64-bit note in 32-bit
build"), and the test needs the file names gdb may warn about.

Core(path) reads the ELF header, the program headers and the notes, in
the byte order and class the header gives (big-endian s390x too)."""
import struct

NT_PRSTATUS = 1
NT_FILE = 0x46494C45

MACHINES = {"x86_64": 62, "aarch64": 183, "s390x": 22}


class Core:
    def __init__(self, path):
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF":
                raise ValueError("%s: not an ELF file" % path)
            self.elf_class = head[4]  # 2: ELF64
            self.big = head[5] == 2
            e = ">" if self.big else "<"
            self.e = e
            (self.e_type, self.e_machine, _ver, _entry, phoff, _shoff, _flags, _ehsize,
             phentsize, phnum, _shentsize, _shnum, _shstrndx) = struct.unpack(e + "HHIQQQIHHHHHH", head[16:64])
            if phnum == 0xFFFF:
                raise ValueError("%s: PN_XNUM cores are not read by this helper" % path)
            self.phdrs = []
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                p = struct.unpack(e + "IIQQQQQQ", f.read(56))
                self.phdrs.append(dict(type=p[0], flags=p[1], offset=p[2], vaddr=p[3],
                                       filesz=p[5], memsz=p[6], align=p[7]))
            self.notes = []
            for p in self.phdrs:
                if p["type"] != 4:
                    continue
                f.seek(p["offset"])
                self.notes += self._notes(f.read(p["filesz"]))

    def _notes(self, b):
        out, at = [], 0
        while at + 12 <= len(b):
            namesz, descsz, ntype = struct.unpack(self.e + "III", b[at:at + 12])
            at += 12
            name = b[at:at + namesz].rstrip(b"\0").decode("latin-1")
            at += (namesz + 3) & ~3
            desc = b[at:at + descsz]
            if len(desc) != descsz:
                raise ValueError("note %s type 0x%x runs past its segment" % (name, ntype))
            at += (descsz + 3) & ~3
            out.append((name, ntype, desc))
        return out

    def of_type(self, ntype):
        return [d for (_n, t, d) in self.notes if t == ntype]

    def prstatus_pids(self):
        # struct elf_prstatus (64-bit): pr_pid at offset 32
        return [struct.unpack(self.e + "I", d[32:36])[0] for d in self.of_type(NT_PRSTATUS)]

    def file_names(self):
        """The names of NT_FILE: count, page size, count triples, names."""
        names = []
        for d in self.of_type(NT_FILE):
            count, _page = struct.unpack(self.e + "QQ", d[:16])
            raw = d[16 + count * 24:].split(b"\0")
            names += [n.decode("utf-8", "replace") for n in raw[:count]]
        return names
