"""Calls each function of the listing once, for valgrind to watch."""

import sys

import numpy as np

import leaky as m

a = np.linspace(0.0, 4.0, 5)
print("interp:", m.interp(a, 4.0))
print("cumsum:", m.cumsum(a))
print("dtype_name:", m.dtype_name(a))
sys.exit(0)
