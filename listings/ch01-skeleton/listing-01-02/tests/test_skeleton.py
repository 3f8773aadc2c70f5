"""Listing 1-2: the Rust skeleton `skeleton`, twin of the C `_extmodule`."""

import numpy as np
import pytest

import skeleton


def test_foo_returns_none():
    assert skeleton.foo() is None


def test_foo_takes_no_arguments():
    with pytest.raises(TypeError, match=r"foo\(\) takes no arguments \(1 given\)$"):
        skeleton.foo(1)


def test_fooerror_is_a_module_exception():
    assert skeleton.FooError.__module__ == "skeleton"
    assert skeleton.FooError.__name__ == "FooError"
    assert skeleton.FooError.__mro__[1:] == (Exception, BaseException, object)


def test_module_has_no_import_array_and_works_before_numpy_is_imported():
    # rust-numpy fetches NumPy's C-API capsule on first use; a fresh
    # interpreter that imports only the extension must still work.
    import subprocess
    import sys

    code = "import skeleton, sys; print('numpy' in sys.modules); import numpy; print(skeleton.mean(numpy.ones(3)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "1.0"]


@pytest.mark.parametrize("values", [[1.0], [1.0, 2.0, 3.0, 4.0], list(np.linspace(-5, 7, 101))])
def test_mean_matches_numpy(values):
    a = np.array(values)
    assert skeleton.mean(a) == pytest.approx(np.mean(a), rel=1e-15)


def test_mean_of_strided_and_reversed_views():
    a = np.arange(20.0)
    assert skeleton.mean(a[::3]) == pytest.approx(np.mean(a[::3]))
    assert skeleton.mean(a[::-1]) == pytest.approx(np.mean(a))
    assert skeleton.mean(np.asfortranarray(np.arange(12.0).reshape(3, 4))[:, 1]) == pytest.approx(5.0)


def test_mean_of_read_only_array():
    a = np.arange(4.0)
    a.flags.writeable = False
    assert skeleton.mean(a) == 1.5


def test_mean_propagates_nan_and_inf():
    assert np.isnan(skeleton.mean(np.array([1.0, np.nan])))
    assert skeleton.mean(np.array([1.0, np.inf])) == np.inf


def test_empty_array_raises_fooerror():
    with pytest.raises(skeleton.FooError, match="^mean of an empty array$"):
        skeleton.mean(np.array([], dtype=np.float64))


def test_misaligned_array_is_refused_before_it_is_read():
    raw = bytes(1) + np.arange(4.0).tobytes()
    a = np.frombuffer(raw, dtype=np.float64, offset=1)
    assert not a.flags.aligned
    with pytest.raises(ValueError, match="^array data is not aligned for float64$"):
        skeleton.mean(a)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.arange(4), "type mismatch:\n from=int64, to=float64"),
        (np.arange(4, dtype=np.float32), "type mismatch:\n from=float32, to=float64"),
        (np.zeros((2, 2)), "dimensionality mismatch:\n from=2, to=1"),
        ([1.0, 2.0], "'list' object is not an instance of 'ndarray'"),
        (None, "'None' is not an instance of 'ndarray'"),
        (3.0, "'float' object is not an instance of 'ndarray'"),
    ],
)
def test_bad_input_raises_type_error(bad, message):
    with pytest.raises(TypeError) as info:
        skeleton.mean(bad)
    assert str(info.value) == message
    # pyo3 names the argument that failed to convert.
    assert info.value.__notes__ == ["while processing 'a'"]
