# ANCHOR: all
"""Listing 13-2: the chapter's five kernels in Numba. Each is the plain
Python loop, compiled to machine code by @numba.njit on its first call for each
new combination of argument types; `parallel=True` with `numba.prange` runs the
loops that can be split over the cores.

nogil=True lets other Python threads run while a kernel runs (Numba keeps
the GIL by default). No cache=True here: the chapter measures the first
call, compilation included, and then the on-disk cache separately."""

import numpy as np
import numba


# ANCHOR: ewma
@numba.njit(nogil=True)
def ewma(x, alpha):
    if not 0.0 < alpha <= 1.0:
        # (Numba cannot format a float into a string: the value goes in as
        # a second argument, and str(error) shows both.)
        raise ValueError("alpha must be in (0, 1], got", alpha)
    out = np.empty(x.shape[0])
    if x.shape[0] == 0:
        return out
    prev = x[0]
    out[0] = prev
    for i in range(1, x.shape[0]):
        prev = alpha * x[i] + (1.0 - alpha) * prev
        out[i] = prev
    return out
# ANCHOR_END: ewma


# ANCHOR: cube
@numba.njit(nogil=True)
def cube(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = a[i] * a[i] * a[i]
    return out


@numba.njit(nogil=True, parallel=True)
def cube_par(a):
    out = np.empty_like(a)
    for i in numba.prange(a.shape[0]):
        out[i] = a[i] * a[i] * a[i]
    return out
# ANCHOR_END: cube


# ANCHOR: uniform_filter3
@numba.njit(nogil=True)
def _filter_rows(a, out, first, last):
    """Rows first..last of the 3x3 mean, edges mirrored (scipy's "reflect")."""
    n, m = a.shape
    for i in range(first, last):
        up, down = max(i - 1, 0), min(i + 1, n - 1)
        for j in range(m):
            left, right = max(j - 1, 0), min(j + 1, m - 1)
            s = (a[up, left] + a[up, j] + a[up, right]
                 + a[i, left] + a[i, j] + a[i, right]
                 + a[down, left] + a[down, j] + a[down, right])
            out[i, j] = s / 9.0


@numba.njit(nogil=True)
def uniform_filter3(a):
    out = np.empty(a.shape)
    _filter_rows(a, out, 0, a.shape[0])
    return out


@numba.njit(nogil=True, parallel=True)
def uniform_filter3_par(a):
    out = np.empty(a.shape)
    for i in numba.prange(a.shape[0]):
        _filter_rows(a, out, i, i + 1)
    return out
# ANCHOR_END: uniform_filter3


# ANCHOR: morlet
@numba.njit(nogil=True)
def morlet(x):
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = np.cos(5.0 * x[i]) * np.exp(-0.5 * x[i] * x[i])
    return out


@numba.njit(nogil=True, parallel=True)
def morlet_par(x):
    out = np.empty(x.shape[0])
    for i in numba.prange(x.shape[0]):
        out[i] = np.cos(5.0 * x[i]) * np.exp(-0.5 * x[i] * x[i])
    return out
# ANCHOR_END: morlet


# ANCHOR: histogram
@numba.njit(nogil=True)
def histogram(x, nbins, lo, hi):
    if nbins < 1:
        raise ValueError("nbins must be at least 1, got", nbins)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError("lo and hi must be finite, with lo < hi, got", lo, hi)
    counts = np.zeros(nbins, dtype=np.int64)
    scale = nbins / (hi - lo)
    for i in range(x.shape[0]):
        v = x[i]
        if v >= lo and v <= hi:
            counts[min(int((v - lo) * scale), nbins - 1)] += 1
    return counts
# ANCHOR_END: histogram
# ANCHOR_END: all
