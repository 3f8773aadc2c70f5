"""A stand-in for typedstats with one bug planted per function, the way a
real extension goes wrong (test_npkit_selftest.py checks the kit catches
each). Pure Python, so that it needs no build; PanicException is pyo3's."""

import ctypes
import os

import numpy as np


class PanicException(BaseException):
    """Like pyo3's: a BaseException, which `except Exception` misses."""


def _data(a, aligned=True, contiguous=True):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"'{type(a).__name__}' object is not an instance of 'ndarray'")
    if a.dtype != np.float64:
        raise TypeError(f"type mismatch: from={a.dtype}, to=float64")
    if a.ndim != 1:
        raise TypeError(f"dimensionality mismatch: from={a.ndim}, to=1")
    if aligned and not a.flags.aligned:
        raise ValueError("array data is not aligned for float64")
    if contiguous and not a.flags.c_contiguous:
        raise ValueError("array is not contiguous")
    if a.size == 0:
        raise ValueError("rms of an empty array")
    return a


def rms(a):
    """Correct."""
    return float(np.sqrt(np.mean(_data(a) ** 2)))


def rms_no_align_check(a):
    """The alignment check left out: fine on x86, undefined behaviour in Rust."""
    return float(np.sqrt(np.mean(_data(a, aligned=False) ** 2)))


def rms_ignores_strides(a):
    """Reads the buffer as if it were contiguous (a raw pointer walk)."""
    a = _data(a, contiguous=False)
    flat = np.lib.stride_tricks.as_strided(a, strides=(a.itemsize,))
    return float(np.sqrt(np.mean(flat**2)))


def rms_crashes_on_views(a):
    """A pointer walk that goes wrong for a view."""
    a = _data(a, contiguous=False)
    if not a.flags.c_contiguous:
        ctypes.string_at(0)  # SIGSEGV
    return float(np.sqrt(np.mean(a**2)))


def rms_hangs_on_nan(a):
    """A loop that waits for a comparison NaN never satisfies."""
    a = _data(a)
    while np.isnan(a).any():
        pass
    return float(np.sqrt(np.mean(a**2)))


def rms_panics_on_inf(a):
    """An `unwrap()` on a conversion that infinity breaks."""
    a = _data(a)
    if np.isinf(a).any():
        raise PanicException("called `Option::unwrap()` on a `None` value")
    return float(np.sqrt(np.mean(a**2)))


def rms_first_seven(a):
    """Reads at most 7 elements: every fixed-size case passes, Hypothesis does not."""
    a = _data(a)
    return float(np.sqrt(np.mean(a[:7] ** 2)))


class Samples:
    """Keeps its own copy of `a`, made the way Rust's `to_owned()` or
    `Vec::with_capacity` makes it: when the memory is not there (a broadcast
    view of 2**40 elements is a few bytes, its copy 8 TiB), the process ends
    with SIGABRT instead of raising MemoryError."""

    def __init__(self, a):
        a = _data(a, contiguous=False)
        try:
            self._data = np.empty(a.size)
        except MemoryError:
            os.write(2, f"memory allocation of {a.nbytes} bytes failed\n".encode())
            os.abort()
        self._data[...] = a

    @property
    def data(self):
        return self._data



def _total(arrays, weights):
    """A private function (a package's compiled core), correct: the sum of
    every array of a sequence, weighted or not."""
    if not isinstance(arrays, (tuple, list)):
        raise TypeError("arrays must be a sequence of arrays")
    if not 1 <= len(arrays) <= 4:
        raise ValueError(f"arrays must hold 1 to 4 arrays, got {len(arrays)}")
    w = 1.0 if weights is None else _data(weights, contiguous=False)
    return float(sum((_data(a, contiguous=False) * w).sum() for a in arrays))


def _total_first_only(arrays, weights):
    """Reads the first array of the sequence only."""
    return _total(arrays[:1], weights)


def _total_refuses_none(arrays, weights):
    """Takes None for `weights` as an error, where the declaration allows it."""
    if weights is None:
        raise TypeError("weights: expected an array, got None")
    return _total(arrays, weights)


def _total_any_count(arrays, weights):
    """Never checks how many arrays it was given."""
    return _total(arrays[:4], weights) + _total(arrays[4:], weights) if len(arrays) > 4 else _total(arrays, weights)
