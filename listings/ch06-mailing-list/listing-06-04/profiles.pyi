import numpy as np
import numpy.typing as npt

__all__ = ["sum_indexed", "sum_iter"]

def sum_indexed(a: npt.NDArray[np.float64]) -> float: ...
def sum_iter(a: npt.NDArray[np.float64]) -> float: ...
