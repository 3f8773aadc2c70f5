# ANCHOR: all
"""Small statistics over float64 arrays, documented and typed."""

import numpy as np
import numpy.typing as npt

__all__ = ["rms", "scale"]

def rms(a: npt.NDArray[np.float64]) -> float:
    """Root mean square of a 1-D float64 array."""

def scale(a: npt.NDArray[np.float64], factor: float = 1.0) -> npt.NDArray[np.float64]:
    """Return a new array: each element of `a` times `factor`."""
# ANCHOR_END: all
