"""Listing 1-1: the C skeleton `_extmodule`, modernised for Python 3."""

import numpy as np
import pytest

import _extmodule as m


def test_foo_returns_none():
    assert m.foo() is None


def test_foo_takes_no_arguments():
    with pytest.raises(TypeError, match=r"takes no arguments \(1 given\)"):
        m.foo(1)


def test_fooerror_is_a_module_exception():
    assert m.FooError.__module__ == "_extmodule"
    assert m.FooError.__name__ == "FooError"
    assert issubclass(m.FooError, Exception)


@pytest.mark.parametrize("values", [[1.0], [1.0, 2.0, 3.0, 4.0], list(np.linspace(-5, 7, 101))])
def test_mean_matches_numpy(values):
    a = np.array(values)
    assert m.mean(a) == pytest.approx(np.mean(a), rel=1e-15)


def test_mean_of_strided_and_reversed_views():
    a = np.arange(20.0)
    assert m.mean(a[::3]) == pytest.approx(np.mean(a[::3]))
    assert m.mean(a[::-1]) == pytest.approx(np.mean(a))
    assert m.mean(np.asfortranarray(np.arange(12.0).reshape(3, 4))[:, 1]) == pytest.approx(5.0)


def test_mean_of_misaligned_data_is_correct():
    # memcpy reads doubles at any address: the C twin gives the right answer.
    raw = bytes(1) + np.arange(4.0).tobytes()
    a = np.frombuffer(raw, dtype=np.float64, offset=1)
    assert not a.flags.aligned
    assert m.mean(a) == 1.5


def test_mean_of_read_only_array():
    a = np.arange(4.0)
    a.flags.writeable = False
    assert m.mean(a) == 1.5


def test_mean_propagates_nan_and_inf():
    assert np.isnan(m.mean(np.array([1.0, np.nan])))
    assert m.mean(np.array([1.0, np.inf])) == np.inf


def test_empty_array_raises_fooerror():
    with pytest.raises(m.FooError, match="^mean of an empty array$"):
        m.mean(np.array([], dtype=np.float64))


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.arange(4), "expected a float64 array, got numpy.int64"),
        (np.arange(4, dtype=np.float32), "expected a float64 array, got numpy.float32"),
        (np.zeros((2, 2)), "expected a 1-D array, got 2-D"),
        (np.array(3.0), "expected a 1-D array, got 0-D"),
        ([1.0, 2.0], "expected a numpy.ndarray, got list"),
        (None, "expected a numpy.ndarray, got NoneType"),
        (3.0, "expected a numpy.ndarray, got float"),
    ],
)
def test_bad_input_raises_type_error(bad, message):
    with pytest.raises(TypeError, match="^" + message.replace(".", r"\.") + "$"):
        m.mean(bad)
