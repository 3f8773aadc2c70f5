"""Listing 3-1, broken on purpose: the bugs are there, and found.

Its three functions give the right answers, which is the point: the tests
below that check values pass. What is wrong is what they do to memory, and
the other tests assert exactly that: valgrind finds an invalid read in
`interp` and a definite leak in `cumsum`, and nothing else; the reference
leak of `dtype_name`, which valgrind cannot see, shows in sys.getrefcount
(on a dtype that is not immortal).
If a bug stops happening, a test fails, so the chapter cannot show a report
that is no longer true.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import leaky

LISTING = Path(__file__).resolve().parents[1]
# Chapter 3's tools, beside the listings: valgrind_report.py (with the
# baseline's known-good runs) and memray_leaks.py.
TOOLS = LISTING.parent
# The book's own CI sets BOOK_REQUIRE_TOOLS=1: there a missing valgrind or
# memray fails instead of skipping. (Not CI=true, which every hosted CI sets:
# in your CI, a missing tool skips.)
REQUIRE_TOOLS = os.environ.get("BOOK_REQUIRE_TOOLS") == "1"


def test_values_are_right_despite_the_bugs():
    a = np.linspace(0.0, 4.0, 5)
    assert leaky.interp(a, 1.25) == pytest.approx(1.25)
    assert leaky.interp(a, 4.0) == 4.0  # reads a[5], times 0.0
    np.testing.assert_array_equal(leaky.cumsum(a), np.cumsum(a))
    assert leaky.dtype_name(a) == "float64"


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="^t is outside the array$"):
        leaky.interp(np.zeros(3), 2.5)
    with pytest.raises(ValueError, match="^array is not contiguous$"):
        leaky.cumsum(np.zeros(6)[::2])
    with pytest.raises(TypeError, match="^expected an object with a dtype$"):
        leaky.dtype_name([1.0])


def own_dtype():
    """A float64 dtype that is not NumPy's built-in one: an ordinary, mortal object."""
    return np.dtype(np.float64, metadata={"made": "here"})


def test_dtype_name_leaks_one_reference_per_call():
    a = np.zeros(3, dtype=own_dtype())
    d = a.dtype
    assert d is not np.dtype(np.float64)
    before = sys.getrefcount(d)
    for _ in range(100):
        assert leaky.dtype_name(a) == "float64"
    assert sys.getrefcount(d) - before == 100


def test_the_builtin_dtype_is_immortal_from_python_3_13():
    """What the chapter says of dtype('float64'): the leak shows on it up to
    3.12; from 3.13 its reference count is pinned and shows nothing."""
    a = np.zeros(3)
    d = a.dtype
    before = sys.getrefcount(d)
    for _ in range(100):
        leaky.dtype_name(a)
    if sys.version_info >= (3, 13):
        assert sys.getrefcount(d) == before > 2**30
    else:
        assert sys.getrefcount(d) - before == 100


def valgrind_report():
    """The errors valgrind reports for exercise.py (cached by ../valgrind_report.py)."""
    if shutil.which("valgrind") is None:
        if REQUIRE_TOOLS:
            pytest.fail("valgrind is not installed (BOOK_REQUIRE_TOOLS=1; the book's ci/valgrind/suite.sh --install)")
        pytest.skip("valgrind is not installed (Debian and Ubuntu: apt-get install valgrind)")
    p = subprocess.run(
        [sys.executable, TOOLS / "valgrind_report.py", "json", "--baseline", "--inputs", LISTING,
         "--", "python", "exercise.py"],
        cwd=LISTING, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    return json.loads(out)


def pyfunction(error):
    """The listing's #[pyfunction] in the error's stack (pyo3 names it __pyfunction_NAME)."""
    for f in error["stack"]:
        m = re.fullmatch(r"leaky::leaky::__pyfunction_(\w+)", f["fn"] or "")
        if m:
            return m.group(1)
    return None


def test_valgrind_finds_exactly_the_two_planted_errors():
    report = valgrind_report()
    assert report["status"] == 99, report["program"]  # valgrind's --error-exitcode
    assert "interp: 4.0" in report["program"]
    kinds = sorted((e["kind"], pyfunction(e)) for e in report["errors"])
    assert kinds == [("InvalidRead", "interp"), ("Leak_DefinitelyLost", "cumsum")], report["errors"]


def test_the_invalid_read_is_the_get_unchecked_of_the_kernel():
    (err,) = [e for e in valgrind_report()["errors"] if e["kind"] == "InvalidRead"]
    # 8 bytes, or 16 when the optimiser loads x[i] and x[i + 1] together.
    assert re.fullmatch(r"Invalid read of size (8|16)", err["what"])
    source = (LISTING / "src" / "kernel.rs").read_text().splitlines()
    line = next(n for n, l in enumerate(source, 1) if "x.get_unchecked(i + 1)" in l)
    assert {"file": "kernel.rs", "line": str(line)}.items() <= next(
        f for f in err["stack"] if f["file"] == "kernel.rs").items()


def test_the_leak_is_the_scratch_buffer_of_cumsum():
    (err,) = [e for e in valgrind_report()["errors"] if e["kind"] == "Leak_DefinitelyLost"]
    # exercise.py calls cumsum once on 5 float64: one block of 40 bytes.
    assert err["what"].startswith("40 bytes in 1 blocks are definitely lost")
    assert pyfunction(err) == "cumsum"


def test_memray_puts_the_cumsum_buffer_first():
    p = subprocess.run([sys.executable, TOOLS / "memray_leaks.py", "memray_demo.py"],
                       cwd=LISTING, capture_output=True, text=True)
    # Without memray the script prints a note (and with BOOK_REQUIRE_TOOLS=1 fails).
    assert p.returncode == 0, p.stdout + p.stderr
    if re.fullmatch(r"\(memray is not installed.*\)\n", p.stdout):
        pytest.skip(p.stdout.strip("()\n"))
    out = p.stdout.splitlines()
    source = (LISTING / "src" / "lib.rs").read_text().splitlines()
    line = next(n for n, l in enumerate(source, 1) if "Box::leak(vec![0.0; x.len()]" in l)
    # 1000 calls, each leaking 1000 float64.
    assert out[1].split() == ["8,000,000", "1,000", "CALLOC", f"lib.rs:{line}"]
    # PYTHONMALLOC=malloc: no pymalloc arena (an mmap) shows up as a leak.
    assert not any(" MMAP " in l for l in out), out
