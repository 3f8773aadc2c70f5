"""How long it takes to write an output as large as a big input: 1.6 GB
written once into fresh memory (what a function that returns a new array
does) and once more into the same memory. Prints one sentence."""

import time

import numpy as np

N = 200_000_000  # float64: 1.6 GB

out = np.empty(N)
t = time.perf_counter()
out.fill(1.0)  # the first write: every page is faulted in
first = time.perf_counter() - t
t = time.perf_counter()
out.fill(2.0)  # the same pages again
again = time.perf_counter() - t
print(
    f"On the machine that built this page, the first write of {N * 8 / 1e9:.1f} GB "
    f"took {first:.1f} s ({N * 8 / 1e9 / first:.1f} GB/s, page faults included); "
    f"writing the same memory again took {again:.2f} s."
)
