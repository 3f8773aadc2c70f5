import sys
import numpy as np
import mended
a = np.zeros(3)
before = sys.getrefcount(a.dtype)
for _ in range(1000):
    name = mended.dtype_name(a)
sys.getrefcount(a.dtype) - before
