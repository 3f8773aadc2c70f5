#!/usr/bin/env python3
"""List the DLLs a Windows PE file (.dll, .pyd, .exe) imports, and check
chapter 2's claim about Rust extensions on Windows.

  ci/chapters/pe-imports.py FILE                       print the imported DLL names
  ci/chapters/pe-imports.py --check-release-crt FILE   fail unless FILE imports the
                                              release C runtime and pythonXY.dll,
                                              and no debug CRT or pythonXY_d.dll

Chapter 2 says that rustc links the *release* C runtime even in Cargo's dev
profile, so a Rust extension built without --release still loads in the
ordinary python.exe. The Windows job of .github/workflows/ci.yml builds
listing 2-1 in the dev profile and runs this check on it. It reads the
import table itself (no Windows tools needed), so it is tested on Linux
with the Windows launchers that setuptools ships.
"""

import re
import struct
import sys

DEBUG_CRT = {"vcruntime140d.dll", "vcruntime140_1d.dll", "ucrtbased.dll", "msvcp140d.dll", "msvcrtd.dll"}


def imports(path):
    data = open(path, "rb").read()
    if data[:2] != b"MZ":
        raise ValueError(f"{path}: not a PE file (no MZ header)")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise ValueError(f"{path}: no PE signature")
    nsections, opt_size = struct.unpack_from("<H12xH", data, pe + 6)
    opt = pe + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    dirs = opt + {0x10B: 96, 0x20B: 112}[magic]
    import_rva, _ = struct.unpack_from("<II", data, dirs + 8)  # data directory 1: imports
    sections = []
    for i in range(nsections):
        s = opt + opt_size + 40 * i
        vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", data, s + 8)
        sections.append((va, max(vsize, rawsize), rawptr))

    def offset(rva):
        for va, size, rawptr in sections:
            if va <= rva < va + size:
                return rva - va + rawptr
        raise ValueError(f"{path}: RVA {rva:#x} is in no section")

    names = []
    if import_rva == 0:
        return names
    d = offset(import_rva)
    while True:
        original, _, _, name_rva, first = struct.unpack_from("<IIIII", data, d)
        if not (original or name_rva or first):
            break
        o = offset(name_rva)
        names.append(data[o:data.index(b"\0", o)].decode("ascii"))
        d += 20
    return names


def check_release_crt(names):
    low = [n.lower() for n in names]
    problems = []
    debug = sorted(set(low) & DEBUG_CRT)
    if debug:
        problems.append(f"imports the debug C runtime: {debug}")
    if not any(n.startswith(("vcruntime140", "api-ms-win-crt-", "ucrtbase")) and n not in DEBUG_CRT for n in low):
        problems.append("imports no release C runtime (vcruntime140.dll, api-ms-win-crt-*.dll)")
    if not any(re.fullmatch(r"python3\d*\.dll", n) for n in low):
        problems.append("imports no release pythonXY.dll")
    if any(re.fullmatch(r"python3\d*t?_d\.dll", n) for n in low):
        problems.append("imports a debug pythonXY_d.dll")
    return problems


def main():
    args = sys.argv[1:]
    check = "--check-release-crt" in args
    files = [a for a in args if not a.startswith("--")]
    if len(files) != 1:
        sys.exit(__doc__)
    names = imports(files[0])
    print("\n".join(names))
    if check:
        problems = check_release_crt(names)
        for p in problems:
            print(f"pe-imports: {files[0]}: {p}", file=sys.stderr)
        if problems:
            return 1
        print(f"pe-imports: {files[0]}: release C runtime and release Python DLL only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
