import sys
import numpy as np
import mended
sys.version_info[:2]
builtin = np.zeros(3)  # NumPy's built-in dtype('float64')
before = sys.getrefcount(builtin.dtype)
for _ in range(1000):
    name = mended.dtype_name(builtin)
before, sys.getrefcount(builtin.dtype)
mine = np.zeros(3, dtype=np.dtype(np.float64, metadata={"made": "here"}))
mine.dtype is builtin.dtype
before = sys.getrefcount(mine.dtype)
for _ in range(1000):
    name = mended.dtype_name(mine)
name
sys.getrefcount(mine.dtype) - before
