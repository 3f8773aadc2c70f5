"""Listing 7-1's sigill.py, whose transcript chapter 7 shows: a binary built
for AVX-512F dies with SIGILL on a CPU without it; the same code behind
`is_x86_feature_detected!` runs everywhere."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(os.uname().machine != "x86_64", reason="x86-64 instructions"),
    pytest.mark.skipif(os.environ.get("BOOK_UNDER_VALGRIND") == "1",
                       reason="compiles and runs two small programs: nothing of the module's memory use to check"),
]


def has_avx512f():
    return any("avx512f" in l.split() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("flags"))


def test_sigill_transcript():
    r = subprocess.run([sys.executable, HERE / "sigill.py"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    unchecked = lines.index("$ rustc -O --edition 2024 unchecked.rs && ./unchecked")
    checked = lines.index("$ rustc -O --edition 2024 checked.rs && ./checked")
    if has_avx512f():
        assert lines[unchecked + 1] == "24"
        assert lines[checked + 1] == "24 (AVX-512F path)"
    else:
        assert lines[unchecked + 1 : unchecked + 4] == ["Illegal instruction", "$ echo $?", "132"]
        assert lines[checked + 1] == "24 (baseline path)"
