# ANCHOR: all
# cython: language_level=3, boundscheck=False, wraparound=False
# cython: freethreading_compatible=True
"""Listing 13-3: the chapter's five kernels in Cython 3. Typed memoryviews
give the loops C speed; `nogil` blocks let other Python threads run; prange
splits a loop over OpenMP threads where setup.py could turn OpenMP on.
boundscheck and wraparound are off, as Cython's NumPy tutorial does once
the code is right: an index out of range is then undefined behaviour, as
in C. The module keeps no state, so it declares itself safe for
free-threaded CPython (the second directive)."""

import numpy as np

from cython.parallel cimport prange
from libc.math cimport cos, exp, isfinite


# ANCHOR: ewma
def ewma(const double[:] x, double alpha):
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    cdef Py_ssize_t i, n = x.shape[0]
    out = np.empty(n)
    cdef double[::1] y = out
    cdef double prev
    if n == 0:
        return out
    with nogil:
        prev = x[0]
        y[0] = prev
        for i in range(1, n):
            prev = alpha * x[i] + (1.0 - alpha) * prev
            y[i] = prev
    return out
# ANCHOR_END: ewma


# ANCHOR: cube
def cube(const double[::1] a):
    out = np.empty(a.shape[0])
    cdef double[::1] y = out
    cdef Py_ssize_t i
    with nogil:
        for i in range(a.shape[0]):
            y[i] = a[i] * a[i] * a[i]
    return out


def cube_par(const double[::1] a):
    out = np.empty(a.shape[0])
    cdef double[::1] y = out
    cdef Py_ssize_t i
    for i in prange(a.shape[0], nogil=True):
        y[i] = a[i] * a[i] * a[i]
    return out
# ANCHOR_END: cube


# ANCHOR: uniform_filter3
cdef void filter_row(const double[:, ::1] a, double[:, ::1] out, Py_ssize_t i) noexcept nogil:
    """Row i of the 3x3 mean, edges mirrored (scipy's "reflect")."""
    cdef Py_ssize_t n = a.shape[0], m = a.shape[1], j, left, right
    cdef Py_ssize_t up = i - 1 if i > 0 else 0
    cdef Py_ssize_t down = i + 1 if i + 1 < n else n - 1
    for j in range(m):
        left = j - 1 if j > 0 else 0
        right = j + 1 if j + 1 < m else m - 1
        out[i, j] = (a[up, left] + a[up, j] + a[up, right]
                     + a[i, left] + a[i, j] + a[i, right]
                     + a[down, left] + a[down, j] + a[down, right]) / 9.0


def uniform_filter3(const double[:, ::1] a):
    out = np.empty((a.shape[0], a.shape[1]))
    cdef double[:, ::1] y = out
    cdef Py_ssize_t i
    with nogil:
        for i in range(a.shape[0]):
            filter_row(a, y, i)
    return out


def uniform_filter3_par(const double[:, ::1] a):
    out = np.empty((a.shape[0], a.shape[1]))
    cdef double[:, ::1] y = out
    cdef Py_ssize_t i
    for i in prange(a.shape[0], nogil=True):
        filter_row(a, y, i)
    return out
# ANCHOR_END: uniform_filter3


# ANCHOR: morlet
def morlet(const double[::1] x):
    out = np.empty(x.shape[0])
    cdef double[::1] y = out
    cdef Py_ssize_t i
    with nogil:
        for i in range(x.shape[0]):
            y[i] = cos(5.0 * x[i]) * exp(-0.5 * x[i] * x[i])
    return out


def morlet_par(const double[::1] x):
    out = np.empty(x.shape[0])
    cdef double[::1] y = out
    cdef Py_ssize_t i
    for i in prange(x.shape[0], nogil=True):
        y[i] = cos(5.0 * x[i]) * exp(-0.5 * x[i] * x[i])
    return out
# ANCHOR_END: morlet


# ANCHOR: histogram
def histogram(const double[:] x, Py_ssize_t nbins, double lo, double hi):
    if nbins < 1:
        raise ValueError(f"nbins must be at least 1, got {nbins}")
    if not (isfinite(lo) and isfinite(hi) and lo < hi):
        raise ValueError(f"lo and hi must be finite, with lo < hi, got {lo} and {hi}")
    counts = np.zeros(nbins, dtype=np.int64)
    cdef long long[::1] c = counts
    cdef double scale = nbins / (hi - lo), v
    cdef Py_ssize_t i, k
    with nogil:
        for i in range(x.shape[0]):
            v = x[i]
            if v >= lo and v <= hi:
                k = <Py_ssize_t>((v - lo) * scale)
                c[k if k < nbins else nbins - 1] += 1
    return counts
# ANCHOR_END: histogram
# ANCHOR_END: all
