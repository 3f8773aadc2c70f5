"""Listing 13-1: the NumPy versions against independent references: a
Python loop for the EWMA, scipy.ndimage for the filter, np.histogram for
the counts."""

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given, settings, strategies as st

import npkernels as k

settings.register_profile("npkernels", max_examples=40, deadline=None)
settings.load_profile("npkernels")

seeds = st.integers(0, 2**32 - 1)


def ewma_loop(x, alpha):
    out, prev = [], None
    for v in x:
        prev = v if prev is None else alpha * v + (1 - alpha) * prev
        out.append(prev)
    return np.array(out, dtype=np.float64)


@given(st.integers(0, 300), st.floats(0.01, 1.0), seeds)
def test_ewma(n, alpha, seed):
    x = np.random.default_rng(seed).standard_normal(n)
    np.testing.assert_allclose(k.ewma(x, alpha), ewma_loop(x, alpha), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("alpha", [0.0, -0.5, 1.5, float("nan")])
def test_ewma_refuses_alpha_outside_0_1(alpha):
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\]"):
        k.ewma(np.ones(3), alpha)


@given(st.integers(0, 50), seeds)
def test_cube(n, seed):
    a = np.random.default_rng(seed).standard_normal(n)
    np.testing.assert_allclose(k.cube(a), a**3, rtol=1e-15)


@given(st.integers(1, 30), st.integers(1, 30), seeds)
def test_uniform_filter3_is_scipys(n, m, seed):
    a = np.random.default_rng(seed).standard_normal((n, m))
    np.testing.assert_allclose(k.uniform_filter3(a), ndi.uniform_filter(a, 3), rtol=1e-12, atol=1e-14)


def test_morlet():
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(k.morlet(x), [np.cos(5 * v) * np.exp(-v * v / 2) for v in x], rtol=1e-14)


@given(st.integers(0, 2000), st.integers(1, 64), seeds)
def test_histogram_is_nps_away_from_the_edges(n, nbins, seed):
    # Random values almost never fall on a bin edge, where np.histogram
    # decides by comparing with its edges and this kernel by rounding.
    x = np.random.default_rng(seed).standard_normal(n) * 3
    np.testing.assert_array_equal(k.histogram(x, nbins, -4.0, 4.0), np.histogram(x, nbins, (-4.0, 4.0))[0])


def test_histogram_counts_hi_in_the_last_bin_and_skips_nan_and_outside():
    x = np.array([-4.0, 4.0, np.nan, -np.inf, 4.5, 0.0])
    assert k.histogram(x, 2, -4.0, 4.0).tolist() == [1, 2]


@pytest.mark.parametrize("nbins,lo,hi", [(0, 0.0, 1.0), (3, 1.0, 1.0), (3, 0.0, float("inf")), (3, float("nan"), 1.0)])
def test_histogram_refuses_bad_bins(nbins, lo, hi):
    with pytest.raises(ValueError, match="nbins must be at least 1|must be finite, with lo < hi"):
        k.histogram(np.ones(3), nbins, lo, hi)
