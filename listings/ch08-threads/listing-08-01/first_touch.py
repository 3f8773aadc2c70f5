"""How long it takes to write an output as large as a big input: 1.6 GB
written once into fresh memory (what a function that returns a new array
does) and once more into the same memory. Prints one sentence, and the
numbers for the claims of the chapter's prose (ch08_touch.*, see
listings/benchkit.py's `numbers`)."""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # listings/, for benchkit
import benchkit as bk

N = 200_000_000  # float64: 1.6 GB

load = bk.load()
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
print()
print(bk.numbers("ch08_touch", {"first": first, "again": again, "bytes": N * 8}, load))
