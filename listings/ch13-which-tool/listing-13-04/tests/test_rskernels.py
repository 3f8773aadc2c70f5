"""Listing 13-4: every Rust kernel against NumPy, on random sizes and
layouts, and bad input raising clear exceptions."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rskernels as rk

settings.register_profile("rskernels", max_examples=40, deadline=None)
settings.load_profile("rskernels")

seeds = st.integers(0, 2**32 - 1)
steps = st.sampled_from([1, 1, 2, -1, -3])


def vector(n, step, seed):
    """n values, as a view with that step into a bigger array."""
    return np.random.default_rng(seed).standard_normal(n * abs(step))[::step]


def ewma_loop(x, alpha):
    out, prev = [], None
    for v in x:
        prev = v if prev is None else alpha * v + (1 - alpha) * prev
        out.append(prev)
    return np.array(out, dtype=np.float64)


def counts(x, nbins, lo, hi):
    inside = x[(x >= lo) & (x <= hi)]
    k = ((inside - lo) * (nbins / (hi - lo))).astype(np.intp)
    return np.bincount(np.minimum(k, nbins - 1), minlength=nbins)


@given(st.integers(0, 300), steps, st.floats(0.01, 1.0), seeds)
def test_ewma(n, step, alpha, seed):
    x = vector(n, step, seed)
    np.testing.assert_allclose(rk.ewma(x, alpha), ewma_loop(x, alpha), rtol=1e-12, atol=1e-14)
    # The quick start's loop computes the same numbers, in the same order.
    np.testing.assert_array_equal(rk.ewma_push(x, alpha), rk.ewma(x, alpha))


@pytest.mark.parametrize("f", [rk.morlet, rk.morlet_par])
@given(n=st.integers(0, 300), step=steps, seed=seeds)
def test_morlet(f, n, step, seed):
    x = vector(n, step, seed) * 3
    np.testing.assert_allclose(f(x), np.cos(5 * x) * np.exp(-0.5 * x * x), rtol=1e-13, atol=1e-15)


@given(st.integers(0, 2000), steps, st.integers(1, 64), seeds)
def test_histogram(n, step, nbins, seed):
    x = vector(n, step, seed) * 3
    x[::7] = np.nan
    np.testing.assert_array_equal(rk.histogram(x, nbins, -4.0, 4.0), counts(x, nbins, -4.0, 4.0))


def test_the_checks_raise_valueerror():
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\], got 1.5"):
        rk.ewma(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="nbins must be at least 1, got 0"):
        rk.histogram(np.ones(3), 0, 0.0, 1.0)
    with pytest.raises(ValueError, match="lo and hi must be finite, with lo < hi, got 1 and 0"):
        rk.histogram(np.ones(3), 4, 1.0, 0.0)


@pytest.mark.parametrize("f", [rk.morlet, rk.morlet_par, lambda x: rk.ewma(x, 0.5), lambda x: rk.ewma_push(x, 0.5)])
def test_bad_input(f):
    with pytest.raises(TypeError, match="type mismatch"):
        f(np.arange(4))
    with pytest.raises(TypeError):
        f(None)
    with pytest.raises(ValueError, match="not aligned"):
        f(np.frombuffer(bytearray(33), np.float64, count=4, offset=1))


def test_no_machine_has_the_memory_for_these():
    with pytest.raises(MemoryError, match="cannot allocate"):
        rk.ewma(np.broadcast_to(1.0, (2**40,)), 0.5)
    with pytest.raises(MemoryError, match="cannot allocate"):
        rk.ewma_push(np.broadcast_to(1.0, (2**40,)), 0.5)
    with pytest.raises(MemoryError, match="cannot allocate"):
        rk.histogram(np.ones(3), 2**61, 0.0, 1.0)
