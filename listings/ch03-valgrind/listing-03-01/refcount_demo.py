import sys
import numpy as np
import leaky
a = np.zeros(3)
before = sys.getrefcount(a.dtype)
for _ in range(1000):
    name = leaky.dtype_name(a)
sys.getrefcount(a.dtype) - before
