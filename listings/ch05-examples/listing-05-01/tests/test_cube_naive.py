"""Listing 5-1, broken on purpose: `cube` is right for ordinary arrays, and
these tests pin down the three inputs it cannot survive, exactly as the
chapter shows them."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import cube_naive


@pytest.mark.parametrize("fn", [cube_naive.cube, cube_naive.cube_zeros])
def test_ordinary_arrays_are_fine(fn):
    a = np.linspace(-2.0, 2.0, 9)
    np.testing.assert_array_equal(fn(a), a**3)
    np.testing.assert_array_equal(fn(a[::-2]), a[::-2] ** 3)
    assert fn(np.zeros(0)).shape == (0,)


def test_huge_view_aborts_the_process():
    # mapv allocates 8 TiB with Vec: Rust's allocator does not return, it
    # prints its message and aborts the whole interpreter (SIGABRT).
    code = "import numpy as np, cube_naive; cube_naive.cube(np.broadcast_to(0.0, 2**40))"
    env = dict(os.environ, RUST_BACKTRACE="0")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert child.returncode == -signal.SIGABRT
    assert child.stderr.startswith("memory allocation of 8796093022208 bytes failed\n")


def test_failed_numpy_allocation_panics(monkeypatch):
    # PyArray1::zeros does not check NumPy's answer (rust-numpy#557): pyo3
    # reports NumPy's MemoryError as unraisable, then panics.
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    huge = np.broadcast_to(0.0, 2**40)
    with pytest.raises(BaseException) as info:
        cube_naive.cube_zeros(huge)
    assert [issubclass(u.exc_type, MemoryError) for u in unraisable] == [True]
    assert type(info.value).__name__ == "PanicException"
    assert not isinstance(info.value, Exception)
    assert str(info.value) == "PyObject pointer is null"


def test_misaligned_input_is_not_refused():
    # as_array() does not check alignment (rust-numpy#523): an ndarray view
    # over this data is undefined behaviour, yet nothing stops the call.
    # (On x86-64 the loads happen to work, so the values come out right.)
    odd = np.frombuffer(bytes(1) + np.array([1.0, 2.0, 3.0]).tobytes(), np.float64, offset=1)
    assert not odd.flags.aligned
    np.testing.assert_array_equal(cube_naive.cube(odd), [1.0, 8.0, 27.0])


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.arange(3), "type mismatch:\n from=int64, to=float64"),
        (np.zeros((2, 2)), "dimensionality mismatch:\n from=2, to=1"),
        ([1.0], "'list' object is not an instance of 'ndarray'"),
    ],
)
def test_argument_type_checks_the_input(bad, message):
    with pytest.raises(TypeError) as info:
        cube_naive.cube(bad)
    assert str(info.value) == message
