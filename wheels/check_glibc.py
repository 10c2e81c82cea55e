"""Check what every shared object in a wheel needs from the system, beyond the wheel's tag.

    python wheels/check_glibc.py [--max-glibc 2.17] WHEEL...

For each ``.so`` file in each wheel it lists the versioned symbols it needs (the ELF
``.gnu.version_r`` section: ``GLIBC_2.14`` from ``libc.so.6``, ...), its DT_NEEDED
libraries and any RPATH/RUNPATH, and fails (exit 1) when a file needs a glibc symbol
version newer than ``--max-glibc``, a library outside the manylinux whitelist below, or
carries an RPATH that auditwheel did not put there. Reads the ELF headers itself (standard
library only, so any Python can run it, as in cibuildwheel's containers); nothing is executed.
"""

from __future__ import annotations

import argparse
import re
import struct
import sys
import zipfile

# The libraries a manylinux wheel may take from the system (PEP 599/600's list, glibc part).
SYSTEM_LIBS = {
    "libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libgcc_s.so.1", "libutil.so.1",
    "libnsl.so.1", "libcrypt.so.1", "libstdc++.so.6", "libz.so.1",
}

SHT_DYNAMIC, SHT_GNU_VERNEED = 6, 0x6FFFFFFE
DT_NEEDED, DT_RPATH, DT_RUNPATH = 1, 15, 29


def _version(tag: str) -> tuple[int, ...]:
    return tuple(int(p) for p in tag.split("_", 1)[1].split("."))


def inspect(data: bytes) -> tuple[dict[str, set[str]], list[str], list[str]]:
    """(library -> version tags needed, DT_NEEDED, RPATH/RUNPATH entries) of one ELF file
    (64-bit little-endian: x86_64, aarch64), from its section headers."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]

    def string(strtab: int, offset: int) -> str:
        base = sections[strtab][4] + offset
        return data[base:data.index(b"\0", base)].decode()

    needs: dict[str, set[str]] = {}
    needed: list[str] = []
    paths: list[str] = []
    for _name, kind, _flags, _addr, offset, size, link, info, _align, _entsize in sections:
        if kind == SHT_GNU_VERNEED:
            pos = offset
            for _ in range(info):  # sh_info: number of Verneed entries
                _ver, count, file, aux, nxt = struct.unpack_from("<HHIII", data, pos)
                lib = string(link, file)
                apos = pos + aux
                for _ in range(count):
                    _hash, _fl, _other, name, anext = struct.unpack_from("<IHHII", data, apos)
                    needs.setdefault(lib, set()).add(string(link, name))
                    apos += anext
                pos += nxt
        elif kind == SHT_DYNAMIC:
            for pos in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", data, pos)
                if tag == DT_NEEDED:
                    needed.append(string(link, value))
                elif tag in (DT_RPATH, DT_RUNPATH):
                    paths.append(string(link, value))
    return needs, needed, paths


def check(wheel: str, max_glibc: tuple[int, ...]) -> list[str]:
    problems: list[str] = []
    newest_overall: tuple[int, ...] = (0,)
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if re.search(r"\.so(\.\d+)*$", n)]
        if not names:
            problems.append(f"{wheel}: no shared object inside")
        print(f"{wheel}:")
        for name in sorted(names):
            needs, needed, paths = inspect(zf.read(name))
            glibc = sorted({v for vs in needs.values() for v in vs if v.startswith("GLIBC_")},
                           key=_version)
            newest = _version(glibc[-1]) if glibc else (0,)
            newest_overall = max(newest_overall, newest)
            print(f"  {name}")
            print(f"    glibc versions: {' '.join(glibc) or '-'}")
            rpath = f"; rpath: {':'.join(paths)}" if paths else ""
            print(f"    needs: {' '.join(needed) or '-'}{rpath}")
            if newest > max_glibc:
                problems.append(f"{name} needs {glibc[-1]}")
            grafted = any(p.startswith("$ORIGIN") for p in paths)
            for lib in needed:
                if lib not in SYSTEM_LIBS and not grafted:
                    problems.append(f"{name} needs {lib}, which is not a manylinux system library")
            for p in paths:
                if not p.startswith("$ORIGIN"):
                    problems.append(f"{name} has rpath {p} (a build-machine path)")
        print(f"  newest glibc symbol version needed: GLIBC_{'.'.join(map(str, newest_overall))}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-glibc", default="2.17")
    parser.add_argument("wheels", nargs="+")
    args = parser.parse_args()
    limit = tuple(int(p) for p in args.max_glibc.split("."))
    problems = [p for w in args.wheels for p in check(w, limit)]
    for p in problems:
        print(f"FAIL: {p}", file=sys.stderr)
    if not problems:
        print(f"OK: no shared object needs a glibc symbol newer than {args.max_glibc}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
