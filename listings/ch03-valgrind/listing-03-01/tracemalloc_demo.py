import tracemalloc
import numpy as np
import leaky
a = np.ones(1000)
tracemalloc.start()
kept = [np.cumsum(a) for _ in range(1000)]  # NumPy's arrays: 8 MB, kept
print(f"traced: {tracemalloc.get_traced_memory()[0] / 1e6:.1f} MB")
del kept
for _ in range(1000):  # leaky.cumsum leaks 8 kB each call: 8 MB lost
    _ = leaky.cumsum(a)
del _
print(f"traced: {tracemalloc.get_traced_memory()[0] / 1e6:.1f} MB")
