import numpy as np
import numpy.typing as npt

__all__ = ["total"]

def total(a: npt.NDArray[np.float64]) -> float: ...
