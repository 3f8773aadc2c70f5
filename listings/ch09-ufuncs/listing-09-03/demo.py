import numpy as np
from rgufunc import dot
dot.signature
a = np.arange(6.0).reshape(2, 3)
dot(a, np.ones(3))
dot(a[:, None, :], a)
dot(np.ones(3), np.ones(4))  # raises
x = np.arange(1.0, 5.0)
dot(x, np.ones(4), out=x)
y = np.arange(1.0, 5.0)
np.vecdot(y, np.ones(4), out=y)
