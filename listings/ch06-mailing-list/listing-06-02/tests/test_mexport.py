"""Listing 6-2: MEX-style column-major code ported to Rust, checked against NumPy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mexport


def layouts(a):
    """The same values in every memory layout a caller might pass."""
    yield "C", a
    yield "F", np.asfortranarray(a)
    big = np.zeros((a.shape[0] * 2, a.shape[1] * 3))
    big[::2, ::3] = a
    yield "strided", big[::2, ::3]
    yield "reversed", a[::-1, ::-1].copy()[::-1, ::-1]  # negative strides, same values


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=7),
                  elements=st.floats(-1e6, 1e6)))
@settings(max_examples=60, deadline=None)
def test_colcumsum_matches_numpy_in_every_layout(a):
    expected = np.cumsum(a, axis=0)
    for name, x in layouts(a):
        out = mexport.colcumsum(x)
        assert out.shape == a.shape, name
        np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-6, err_msg=name)
        assert out.flags.f_contiguous, name


def test_colcumsum_negative_strides_and_views():
    a = np.arange(12.0).reshape(3, 4)
    v = a[::-1, ::2]
    assert v.strides[0] < 0
    np.testing.assert_array_equal(mexport.colcumsum(v), np.cumsum(v, axis=0))
    np.testing.assert_array_equal(mexport.colcumsum(a.T), np.cumsum(a.T, axis=0))


def test_colcumsum_nan_propagates_down_its_column_only():
    a = np.array([[1.0, 1.0], [np.nan, 1.0], [1.0, 1.0]])
    out = mexport.colcumsum(a)
    assert out[0, 0] == 1.0 and np.isnan(out[1:, 0]).all()
    np.testing.assert_array_equal(out[:, 1], [1.0, 2.0, 3.0])


def test_colcumsum_read_only_input():
    a = np.ones((2, 2))
    a.flags.writeable = False
    np.testing.assert_array_equal(mexport.colcumsum(a), [[1, 1], [2, 2]])


@pytest.mark.parametrize(
    "bad, exc, message",
    [
        (np.ones(3), TypeError, "dimensionality mismatch:\n from=1, to=2"),
        (np.ones((2, 2), dtype=np.int64), TypeError, "type mismatch:\n from=int64, to=float64"),
        ([[1.0]], TypeError, "'list' object is not an instance of 'ndarray'"),
        (None, TypeError, "'None' is not an instance of 'ndarray'"),
    ],
)
def test_colcumsum_bad_input(bad, exc, message):
    with pytest.raises(exc) as info:
        mexport.colcumsum(bad)
    assert str(info.value) == message


def test_colcumsum_misaligned():
    raw = np.frombuffer(bytes(1) + np.ones(4).tobytes(), dtype=np.float64, offset=1).reshape(2, 2)
    assert not raw.flags.aligned
    with pytest.raises(ValueError, match="^array data is not aligned for float64$"):
        mexport.colcumsum(raw)


@given(st.lists(st.tuples(st.integers(1, 20), st.floats(-100, 100)), max_size=50))
@settings(max_examples=80, deadline=None)
def test_accumarray_matches_bincount(pairs):
    subs = np.array([p[0] for p in pairs], dtype=np.int64)
    vals = np.array([p[1] for p in pairs], dtype=np.float64)
    out = mexport.accumarray(subs, vals)
    n = int(subs.max()) if len(subs) else 0
    np.testing.assert_allclose(out, np.bincount(subs - 1, weights=vals, minlength=n)[:n] if n else [], atol=1e-9)


def test_accumarray_with_explicit_length_and_strided_input():
    subs = np.array([3, 1, 3, 9, 1], dtype=np.int64)[::2]  # [3, 3, 1]
    vals = np.array([1.0, 0.0, 2.0, 0.0, 4.0])[::2]
    np.testing.assert_array_equal(mexport.accumarray(subs, vals, 5), [4.0, 0.0, 3.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "args, exc, message",
    [
        ((np.array([0, 1]), np.ones(2)), ValueError, r"^subs\[0\] = 0: MATLAB subscripts start at 1$"),
        ((np.array([2, -1]), np.ones(2)), ValueError, r"^subs\[1\] = -1: MATLAB subscripts start at 1$"),
        ((np.array([1]), np.ones(2)), ValueError, "^subs and vals differ in length: 1 and 2$"),
        ((np.array([5]), np.ones(1), 3), ValueError, "^subscript 5 is out of range for n = 3$"),
        ((np.array([2**62]), np.ones(1)), MemoryError, "^cannot allocate 4611686018427387904 float64$"),
        ((np.array([1.0]), np.ones(1)), TypeError, "type mismatch"),
        ((np.array([1]), np.ones(1), -1), OverflowError, "negative"),
    ],
)
def test_accumarray_bad_input(args, exc, message):
    with pytest.raises(exc, match=message):
        mexport.accumarray(*args)
