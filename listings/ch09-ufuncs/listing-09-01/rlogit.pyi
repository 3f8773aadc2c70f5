import numpy as np

__all__ = ["logit"]

logit: np.ufunc
