"""Listing 2-2: a thin pyo3 layer over a pure-Rust kernel crate."""

import subprocess
from pathlib import Path

import numpy as np
import pytest

import smooth

HERE = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("n, width", [(5, 1), (5, 2), (5, 5), (1000, 31)])
def test_moving_mean_matches_numpy(n, width):
    a = np.random.default_rng(n * width).normal(size=n)
    expected = np.convolve(a, np.ones(width) / width, mode="valid")
    np.testing.assert_allclose(smooth.moving_mean(a, width), expected, rtol=1e-12, atol=1e-14)


def test_the_bug_of_listing_2_1_is_fixed():
    out = smooth.moving_mean(np.arange(3.0), 5)
    assert out.dtype == np.float64 and out.shape == (0,)
    assert smooth.moving_mean(np.array([], dtype=np.float64), 1).shape == (0,)


def test_core_errors_become_value_errors():
    with pytest.raises(ValueError, match="^width must be at least 1$"):
        smooth.moving_mean(np.arange(3.0), 0)


def test_bad_input():
    with pytest.raises(ValueError, match="^array is not contiguous$"):
        smooth.moving_mean(np.arange(6.0)[::2], 2)
    misaligned = np.frombuffer(bytearray(8 * 4 + 1), dtype=np.float64, offset=1)
    with pytest.raises(ValueError, match="^array data is not aligned for float64$"):
        smooth.moving_mean(misaligned, 2)
    for bad in (np.arange(3), np.zeros((2, 2)), [1.0], None):
        with pytest.raises(TypeError):
            smooth.moving_mean(bad, 1)
    out = smooth.moving_mean(np.array([1.0, np.nan, 3.0]), 2)
    assert np.isnan(out).all()


def test_the_core_crate_has_no_python_dependency():
    meta = (HERE / "smooth-core" / "Cargo.toml").read_text()
    deps = meta.split("[dependencies]", 1)[1]
    assert "pyo3" not in deps and "numpy" not in deps
    # ...and its tests run under plain `cargo test` (ci/listing-tools/book_listings.py cargo-test
    # runs them too; this checks the command the chapter shows).
    p = subprocess.run(["cargo", "test", "--locked", "--quiet", "-p", "smooth-core"], cwd=HERE,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "test result: ok. 3 passed" in p.stdout
