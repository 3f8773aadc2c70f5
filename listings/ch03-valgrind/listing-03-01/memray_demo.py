"""Calls leaky.cumsum 1000 times on 1000 float64: 8 MB leaked, for memray."""

import numpy as np

import leaky

a = np.ones(1000)
for _ in range(1000):
    leaky.cumsum(a)
