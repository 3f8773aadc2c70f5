"""The tests of cgridhist, as its own repository would keep them (listing
12-1). Listing 12-3, the Rust port, runs this file unchanged against itself:
the port must pass every test the C passed."""

import numpy as np
import pytest

import cgridhist
from cgridhist import _core, histogram, histogramdd

RNG = np.random.default_rng(2006)
X = RNG.random(10_000)
Y = RNG.random(10_000)
W = RNG.random(10_000)


def test_counts_match_numpy_inside_the_range():
    expected, _ = np.histogram(X, bins=30, range=(0.0, 1.0))
    got = histogram(X, 30, (0.0, 1.0))
    assert got.dtype == np.float64 and got.shape == (30,)
    np.testing.assert_array_equal(got, expected)


def test_weights_are_summed():
    expected, _ = np.histogram(X, bins=30, range=(0.0, 1.0), weights=W)
    np.testing.assert_allclose(histogram(X, 30, (0.0, 1.0), weights=W), expected, rtol=1e-12)


def test_nan_outside_and_the_upper_edge_are_left_out():
    x = np.array([np.nan, -1.0, 0.0, 0.25, 0.5, 0.75, 1.0, 2.0, np.inf, -np.inf])
    np.testing.assert_array_equal(histogram(x, 2, (0.0, 1.0)), [2.0, 2.0])


def test_a_value_just_below_hi_lands_in_the_last_bin():
    x = np.nextafter(1.0, 0.0)
    np.testing.assert_array_equal(histogram([x], 3, (0.0, 1.0)), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int64", "float16", "float32", ">f8", "<f4", "bool"])
def test_every_dtype_that_casts_safely_is_accepted(dtype):
    x = (np.arange(12) % 4).astype(dtype)
    np.testing.assert_array_equal(histogram(x, 4, (0, 4)), histogram(x.astype(np.float64), 4, (0, 4)))


def test_lists_and_scalars_are_accepted():
    np.testing.assert_array_equal(histogram([0.5, 1.5, 1.5], 2, (0, 2)), [1.0, 2.0])
    np.testing.assert_array_equal(histogram(0.5, 2, (0, 2)), [1.0, 0.0])


@pytest.mark.parametrize("dtype", ["complex128", "longdouble", "datetime64[s]", "U3", "object"])
def test_other_dtypes_are_refused_by_numpys_casting_rule(dtype):
    x = np.zeros(3, dtype=dtype)
    if np.dtype(dtype) == np.dtype(np.float64):  # long double is double on some platforms
        pytest.skip("long double is float64 here")
    with pytest.raises(TypeError, match=r"could not be cast from dtype\(.*\) to dtype\('float64'\) "
                                        r"according to the rule 'safe'"):
        histogram(x, 3, (0, 1))


def test_weights_broadcast_against_x():
    np.testing.assert_array_equal(histogram(X, 10, (0, 1), weights=2.0), 2 * histogram(X, 10, (0, 1)))
    x = X.reshape(100, 100)
    np.testing.assert_allclose(histogram(x, 10, (0, 1), weights=W[:100]),
                               histogram(x, 10, (0, 1), weights=np.broadcast_to(W[:100], (100, 100))))


def test_shapes_that_do_not_broadcast_are_refused():
    with pytest.raises(ValueError, match=r"operands could not be broadcast together with shapes \(3,\) \(4,\)"):
        histogram(np.zeros(3), 2, (0, 1), weights=np.ones(4))


@pytest.mark.parametrize("bins", [0, -3])
def test_bins_must_be_positive(bins):
    with pytest.raises(ValueError, match="bins must be positive"):
        histogram(X, bins, (0, 1))


@pytest.mark.parametrize("lo,hi", [(1.0, 0.0), (0.0, 0.0), (0.0, np.inf), (np.nan, 1.0)])
def test_the_range_must_be_finite_and_increasing(lo, hi):
    with pytest.raises(ValueError, match="the range must be finite, with lo < hi"):
        histogram(X, 10, (lo, hi))


def test_every_layout_gives_the_same_counts():
    a = RNG.random((60, 50))
    expected = histogram(a.copy(), 7, (0.1, 0.9))
    for view in (np.asfortranarray(a), a[::-1, ::-1], a.T, np.repeat(a, 2, axis=1)[:, ::2]):
        np.testing.assert_array_equal(histogram(view, 7, (0.1, 0.9)), expected)


def test_misaligned_data_is_accepted():
    buf = np.zeros(X.nbytes + 1, np.uint8)
    x = np.frombuffer(buf.data, np.float64, count=X.size, offset=1)
    x[...] = X
    assert not x.flags.aligned
    np.testing.assert_array_equal(histogram(x, 30, (0, 1)), histogram(X, 30, (0, 1)))


def test_empty_input_gives_zeros():
    np.testing.assert_array_equal(histogram(np.array([]), 4, (0, 1)), np.zeros(4))


def test_histogramdd_matches_numpy():
    expected, _ = np.histogramdd((X, Y), bins=(8, 8), range=((0, 1), (0, 1)), weights=W)
    got = histogramdd((X, Y), 8, (0.0, 1.0), weights=W)
    assert got.shape == (8, 8)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_histogramdd_takes_the_rows_of_an_array():
    points = np.stack([X, Y, W])
    np.testing.assert_array_equal(histogramdd(points, 4, (0, 1)), histogramdd([X, Y, W], 4, (0, 1)))


def test_histogramdd_refuses_no_coords():
    with pytest.raises(ValueError, match="coords must hold 1 to 32 arrays"):
        histogramdd([], 4, (0, 1))


def test_the_core_takes_positional_arguments_only():
    _core._hist1d(X, None, 4, 0.0, 1.0)
    with pytest.raises(TypeError):
        _core._hist1d(X, None, 4, 0.0, hi=1.0)


def test_the_package_exports_two_functions():
    assert cgridhist.__all__ == ["histogram", "histogramdd"]
