import numpy as np

__all__ = ["dot"]

dot: np.ufunc
