import numpy as np
import numpy.typing as npt

__all__ = ["API", "total"]

API: str

def total(a: npt.NDArray[np.float64]) -> float: ...
