"""Chapter 7: what a binary built for a newer CPU does on this one.

Compiles cpu/unchecked.rs and cpu/checked.rs with rustc (into target/, by
default no -C target-cpu) and runs both, printing a console transcript. On a
CPU without AVX-512F the first dies with SIGILL; on one with it, it runs, and
the transcript says so. Exits non-zero only if something unexpected happens."""

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def has(flag):
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return flag in line.split(":", 1)[1].split()
    except OSError:
        pass
    return None


def main():
    if os.uname().machine != "x86_64":
        print(f"(this machine is {os.uname().machine}, not x86-64: nothing to show)")
        return
    avx512 = has("avx512f")
    print("$ grep -c avx512f /proc/cpuinfo")
    print(sum("avx512f" in line for line in Path("/proc/cpuinfo").read_text().splitlines()))
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("unchecked", "checked"):
            exe = Path(tmp) / name
            subprocess.run(["rustc", "-O", "--edition", "2024", str(HERE / "cpu" / f"{name}.rs"), "-o", str(exe)],
                           check=True, capture_output=True)
            print(f"$ rustc -O --edition 2024 {name}.rs && ./{name}")
            r = subprocess.run([str(exe)], capture_output=True, text=True)
            if r.returncode < 0:
                sig = signal.Signals(-r.returncode).name
                print("Illegal instruction" if sig == "SIGILL" else f"killed by {sig}")
                print("$ echo $?")
                print(128 - r.returncode)
                if name == "checked" or sig != "SIGILL" or avx512:
                    sys.exit(f"unexpected: {name} killed by {sig} (avx512f: {avx512})")
            else:
                print(r.stdout, end="")
                if r.returncode != 0 or (name == "unchecked" and not avx512):
                    sys.exit(f"unexpected: {name} exited {r.returncode} (avx512f: {avx512})")


if __name__ == "__main__":
    main()
