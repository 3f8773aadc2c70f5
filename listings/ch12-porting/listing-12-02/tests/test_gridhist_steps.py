"""Listing 12-2: every step of the straight port returns the C's counts
(listing 12-1), bit for bit, on every layout and on the dtypes that the
chapter's benchmark uses; unlike the C, each refuses misaligned data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import cgridhist._core as c_core
import gridhist_steps

STEPS = ["straight", "lanes", "own_fn", "signed", "resliced", "unchecked"]


def views(a):
    yield a
    if a.ndim:
        yield a[(slice(None, None, -1),) * a.ndim]
        big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
        big[(slice(None, None, 2),) * a.ndim] = a
        yield big[(slice(None, None, 2),) * a.ndim]
    if a.ndim >= 2:
        yield np.asfortranarray(a)
        yield a.T


@pytest.mark.parametrize("step", STEPS)
@settings(max_examples=60, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
                    elements=st.floats(-2, 12)),
       dtype=st.sampled_from([np.float64, np.float32, np.int64, np.uint8]),
       bins=st.integers(1, 12))
def test_every_step_returns_the_c_counts(step, x, dtype, bins):
    f = getattr(gridhist_steps, step)
    x = x.astype(dtype)
    for v in views(x):
        np.testing.assert_array_equal(f(v, bins, 0.0, 10.0), c_core._hist1d(v, None, bins, 0.0, 10.0))


@pytest.mark.parametrize("step", STEPS)
def test_edges_nan_and_infinities(step):
    x = np.array([0.0, np.nextafter(10.0, 0.0), 10.0, -0.0, np.nan, np.inf, -np.inf, 5.0, np.nextafter(5.0, 0)])
    expected = c_core._hist1d(x, None, 2, 0.0, 10.0)
    np.testing.assert_array_equal(getattr(gridhist_steps, step)(x, 2, 0.0, 10.0), expected)
    np.testing.assert_array_equal(expected, [3.0, 2.0])


@pytest.mark.parametrize("step", STEPS)
def test_misaligned_data_is_refused_where_the_c_copies_it(step):
    buf = np.zeros(8 * 10 + 1, np.uint8)
    x = np.frombuffer(buf.data, np.float64, count=10, offset=1)
    assert c_core._hist1d(x, None, 2, 0.0, 1.0).tolist() == [10.0, 0.0]
    with pytest.raises(ValueError, match="not aligned"):
        getattr(gridhist_steps, step)(x, 2, 0.0, 1.0)


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("bins,lo,hi,message", [(0, 0.0, 1.0, "bins must be positive"),
                                                (3, 1.0, 0.0, "lo < hi"), (3, 0.0, np.inf, "lo < hi")])
def test_bad_grids(step, bins, lo, hi, message):
    with pytest.raises(ValueError, match=message):
        getattr(gridhist_steps, step)(np.zeros(3), bins, lo, hi)


@pytest.mark.parametrize("step", STEPS)
def test_other_dtypes_are_refused(step):
    with pytest.raises(TypeError, match="expected real numbers, got dtype complex128"):
        getattr(gridhist_steps, step)(np.zeros(3, complex), 3, 0.0, 1.0)
