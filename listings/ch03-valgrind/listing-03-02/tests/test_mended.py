"""Listing 3-2: listing 3-1 fixed. Same answers, and valgrind finds nothing."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mended

LISTING = Path(__file__).resolve().parents[1]
# Chapter 3's tools, beside the listings: valgrind_report.py.
TOOLS = LISTING.parent
# The book's own CI sets BOOK_REQUIRE_TOOLS=1: there a missing valgrind fails
# instead of skipping. (Not CI=true, which every hosted CI sets.)
REQUIRE_TOOLS = os.environ.get("BOOK_REQUIRE_TOOLS") == "1"


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-1e3, 1e3)), st.floats(0.0, 1.0))
def test_interp_matches_numpy(a, frac):
    t = frac * (len(a) - 1)
    expected = np.interp(t, np.arange(len(a)), a)
    assert mended.interp(a, t) == pytest.approx(expected, rel=1e-12, abs=1e-9)


def test_interp_at_both_ends():
    a = np.linspace(0.0, 4.0, 5)
    assert mended.interp(a, 0.0) == 0.0
    assert mended.interp(a, 4.0) == 4.0
    assert mended.interp(np.array([7.0]), 0.0) == 7.0


def test_cumsum_matches_numpy():
    a = np.linspace(-1.0, 3.0, 101)
    np.testing.assert_allclose(mended.cumsum(a), np.cumsum(a), rtol=1e-13)
    assert mended.cumsum(np.array([], dtype=np.float64)).shape == (0,)


def test_dtype_name():
    assert mended.dtype_name(np.zeros(2, dtype=np.float32)) == "float32"
    assert mended.dtype_name(np.zeros(2, dtype=[("x", "<i4")])) == "[('x', '<i4')]"


@pytest.mark.parametrize("dtype", [np.float64, np.dtype(np.float64, metadata={"made": "here"})],
                         ids=["builtin", "own"])
def test_dtype_name_keeps_the_reference_count(dtype):
    # The built-in dtype is immortal from Python 3.13 (chapter 3): the one
    # made here is not, so the test sees a leak on every version.
    a = np.zeros(3, dtype=dtype)
    d = a.dtype
    before = sys.getrefcount(d)
    for _ in range(100):
        assert mended.dtype_name(a) == "float64"
    assert sys.getrefcount(d) == before


@pytest.mark.parametrize(
    "call, exc, message",
    [
        (lambda: mended.interp(np.zeros(3), 2.5), ValueError, "^t is outside the array$"),
        (lambda: mended.interp(np.zeros(3), -0.5), ValueError, "^t is outside the array$"),
        (lambda: mended.interp(np.zeros(3), float("nan")), ValueError, "^t is outside the array$"),
        (lambda: mended.interp(np.zeros(0), 0.0), ValueError, "^t is outside the array$"),
        (lambda: mended.cumsum(np.zeros(6)[::2]), ValueError, "^array is not contiguous$"),
        (lambda: mended.cumsum(np.frombuffer(bytes(17), dtype=np.float64, count=2, offset=1)),
         ValueError, "^array data is not aligned for float64$"),
        (lambda: mended.cumsum(np.arange(3)), TypeError, "type mismatch"),
        (lambda: mended.cumsum(np.zeros((2, 2))), TypeError, "dimensionality mismatch"),
        (lambda: mended.cumsum(None), TypeError, "^'None' is not an instance of 'ndarray'"),
        (lambda: mended.dtype_name([1.0]), TypeError, "^expected an object with a dtype$"),
    ],
)
def test_bad_input_is_a_clear_error(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


def test_read_only_input_is_fine():
    a = np.linspace(0.0, 1.0, 3)
    a.flags.writeable = False
    np.testing.assert_array_equal(mended.cumsum(a), [0.0, 0.5, 1.5])


def test_valgrind_finds_no_error():
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
    report = json.loads(out)
    assert report["status"] == 0, report["program"]
    assert "interp: 4.0" in report["program"]
    assert report["errors"] == []
    assert report["error_count"] == 0
