# ANCHOR: all
"""Listing 13-1: the chapter's five kernels as a NumPy user writes them,
with whole-array expressions (and SciPy's lfilter for the one loop NumPy
cannot express). Every other tool's version is tested against these."""

import numpy as np
from scipy import signal


# ANCHOR: ewma
def ewma(x, alpha):
    """out[0] = x[0], out[i] = alpha * x[i] + (1 - alpha) * out[i - 1]."""
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x.copy()
    # A first-order recursive filter: y[i] = alpha*x[i] + (1-alpha)*y[i-1],
    # started so that y[0] = x[0].
    y, _ = signal.lfilter([alpha], [1.0, alpha - 1.0], x, zi=[(1.0 - alpha) * x[0]])
    return y
# ANCHOR_END: ewma


# ANCHOR: cube
def cube(a):
    return a * a * a
# ANCHOR_END: cube


# ANCHOR: uniform_filter3
def uniform_filter3(a):
    """The mean of each 3x3 window; outside the image, its edge mirrored
    (scipy.ndimage's mode "reflect": d c b a | a b c d)."""
    n, m = a.shape
    p = np.pad(a, 1, mode="symmetric")
    return sum(p[i:i + n, j:j + m] for i in range(3) for j in range(3)) / 9.0
# ANCHOR_END: uniform_filter3


# ANCHOR: morlet
def morlet(x):
    """The real Morlet wavelet, cos(5x) exp(-x²/2): two transcendental
    functions an element."""
    return np.cos(5.0 * x) * np.exp(-0.5 * x * x)
# ANCHOR_END: morlet


# ANCHOR: histogram
def histogram(x, nbins, lo, hi):
    """Counts of x in nbins equal bins over [lo, hi]; hi itself goes in the
    last bin, values outside (and NaN) are not counted."""
    if nbins < 1:
        raise ValueError(f"nbins must be at least 1, got {nbins}")
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"lo and hi must be finite, with lo < hi, got {lo} and {hi}")
    inside = x[(x >= lo) & (x <= hi)]
    k = ((inside - lo) * (nbins / (hi - lo))).astype(np.intp)
    return np.bincount(np.minimum(k, nbins - 1), minlength=nbins)
# ANCHOR_END: histogram
# ANCHOR_END: all
