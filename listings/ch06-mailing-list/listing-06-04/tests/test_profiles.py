"""Listing 6-4: two summing kernels (their speed is measured by bench_profiles.py)."""

import numpy as np
import pytest

import profiles


@pytest.mark.parametrize("f", [profiles.sum_indexed, profiles.sum_iter])
@pytest.mark.parametrize("a", [np.arange(10.0), np.linspace(-1, 1, 1001), np.arange(20.0)[::3], np.array([])])
def test_sums_match_numpy(f, a):
    assert f(a) == pytest.approx(np.sum(a), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("f", [profiles.sum_indexed, profiles.sum_iter])
def test_bad_input(f):
    with pytest.raises(TypeError, match="type mismatch"):
        f(np.arange(3))
    with pytest.raises(TypeError, match="dimensionality mismatch"):
        f(np.zeros((2, 2)))
    odd = np.frombuffer(bytes(1) + np.ones(2).tobytes(), dtype=np.float64, offset=1)
    with pytest.raises(ValueError, match="not aligned"):
        f(odd)
    assert np.isnan(f(np.array([1.0, np.nan])))
