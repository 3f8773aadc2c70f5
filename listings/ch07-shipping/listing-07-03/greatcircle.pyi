"""Great-circle distances in float32 (listing 7-3 of NumPy Extensions in Rust).

Each function takes the latitudes and longitudes, in degrees, of n points and
of m points, and returns the (n, m) distances in kilometres on a sphere of
radius 6371 km.
"""

import numpy as np
import numpy.typing as npt

__all__ = ["distance_hoisted", "distance_par", "distance_port", "distance_simd"]

def distance_port(
    lat1: npt.NDArray[np.float32],
    lon1: npt.NDArray[np.float32],
    lat2: npt.NDArray[np.float32],
    lon2: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """A straight port of the NumPy expression, element by element."""

def distance_hoisted(
    lat1: npt.NDArray[np.float32],
    lon1: npt.NDArray[np.float32],
    lat2: npt.NDArray[np.float32],
    lon2: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """Every sine and cosine computed once per point."""

def distance_simd(
    lat1: npt.NDArray[np.float32],
    lon1: npt.NDArray[np.float32],
    lat2: npt.NDArray[np.float32],
    lon2: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """As distance_hoisted, with an asin the compiler vectorises."""

def distance_par(
    lat1: npt.NDArray[np.float32],
    lon1: npt.NDArray[np.float32],
    lat2: npt.NDArray[np.float32],
    lon2: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """distance_simd on all cores, with the GIL released (large inputs only)."""
