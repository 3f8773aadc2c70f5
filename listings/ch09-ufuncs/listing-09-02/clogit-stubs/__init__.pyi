import numpy as np

logit: np.ufunc
