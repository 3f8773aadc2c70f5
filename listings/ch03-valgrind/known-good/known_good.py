"""A run known to be good, for the baseline suppressions of ../valgrind_report.py
(run as `python -m pytest -q known_good.py` in this folder, under valgrind).

It touches what the listings' tests touch (pytest, Hypothesis, NumPy arrays
of several dtypes and shapes, exceptions, subprocess-free), without any
listing's code: whatever valgrind reports here belongs to Python, NumPy or
the loader, not to the book's extensions.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@settings(max_examples=5, deadline=None, database=None)  # no .hypothesis/ folder here
@given(hnp.arrays(np.float64, st.integers(0, 20), elements=st.floats(-1e6, 1e6)))
def test_numpy_sum(a):
    assert np.isclose(a.sum(), sum(a.tolist()), rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.complex128])
def test_views_and_errors(dtype):
    a = np.arange(12).astype(dtype).reshape(3, 4)
    assert a[:, ::2].T.copy().shape == (2, 3)
    with pytest.raises(ValueError, match="cannot reshape"):
        a.reshape(5)


def test_cpython_zero_ints_and_parsed_numbers():
    # CPython 3.11 leaves the digit of a zero int uninitialised, and
    # valgrind follows the small-int 0 it then picks everywhere it goes:
    # make zeros the ways the listings' tests do (JSON, int(), bytes).
    import json

    data = json.loads('{"a": 0, "b": [0, 1, 2], "c": {"d": 0}}')
    assert data["c"]["d"] == int("0") == int.from_bytes(bytes(8), "big") == (5 & 2)
    ns = {}
    exec(compile("x = 0.5\ny = 1e-15\nz = -2.0", "<known-good>", "exec"), ns)
    assert ns["x"] + ns["z"] == -1.5


def test_scipy_ndimage_and_special():
    # Chapter 5's tests compare with scipy.ndimage: importing SciPy loads
    # its C++ ufunc modules (scipy.special), which allocate tables they
    # never free. Whatever that reports belongs to SciPy, not to a listing.
    import scipy.ndimage
    import scipy.special

    a = np.arange(25.0).reshape(5, 5)
    for mode in ("reflect", "nearest", "constant", "mirror"):
        assert scipy.ndimage.uniform_filter(a, size=3, mode=mode).shape == (5, 5)
    assert scipy.special.gammaln(1.0) == 0.0

