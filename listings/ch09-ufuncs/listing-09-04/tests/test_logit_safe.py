"""Listing 9-4: the safe alternative, `#[pyfunction]`s that broadcast with
ndarray, against scipy.special.logit; and what they do not do."""

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from logit_safe import log_odds_ratio, logit_array

ATOL = 4 * 2.0**-52  # log(p / (1 - p)) near p = 1/2: see listing 9-1's tests


@pytest.fixture(autouse=True)
def quiet():
    with np.errstate(all="ignore"):
        yield


def test_values_and_array_likes():
    p = np.linspace(0, 1, 101)
    np.testing.assert_allclose(logit_array(p), scipy.special.logit(p), rtol=1e-14, atol=ATOL)
    np.testing.assert_allclose(logit_array(p.tolist()), logit_array(p), rtol=0)
    assert logit_array(0.25).shape == ()


def test_layouts():
    p = np.random.default_rng(0).random((20, 30))
    for v in (p[::-1, ::3], p.T, np.broadcast_to(p[0], (4, 30))):
        np.testing.assert_array_equal(logit_array(v), logit_array(v.copy()))


def test_everything_becomes_float64():
    assert logit_array(np.array([0.25], np.float32)).dtype == np.float64
    assert logit_array(np.array([0, 1])).tolist() == [-np.inf, np.inf]


def test_broadcasting():
    p, q = np.linspace(0.1, 0.9, 5)[:, None], np.linspace(0.2, 0.8, 3)
    got = log_odds_ratio(p, q)
    assert got.shape == (5, 3)
    np.testing.assert_allclose(got, scipy.special.logit(p) - scipy.special.logit(q), rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError, match=r"operands could not be broadcast together with shapes \[3\] \[4\]"):
        log_odds_ratio(np.ones(3), np.ones(4))


def test_what_it_gives_up():
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'out'"):
        logit_array(np.ones(3), out=np.empty(3))
    for bad, dtype in ((np.ones(3, complex), "complex128"), (None, "object"), (["a"], "<U1")):
        with pytest.raises(TypeError, match=f"^expected real numbers, got an array of dtype {dtype}$"):
            logit_array(bad)
    assert not hasattr(logit_array, "reduce")
    with pytest.raises(MemoryError, match="Unable to allocate 8.00 TiB"):
        logit_array(np.broadcast_to(np.zeros(1), (2**40,)))


@settings(max_examples=80, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=5), st.data())
def test_property_broadcasts_like_numpy(shapes, data):
    el = st.floats(0, 1)
    p = data.draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=el))
    q = data.draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=el))
    got = log_odds_ratio(p, q)
    assert got.shape == shapes.result_shape
    want = scipy.special.logit(p) - scipy.special.logit(q)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, equal_nan=True)
