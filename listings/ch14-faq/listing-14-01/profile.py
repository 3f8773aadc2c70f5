"""Keeps two of faqkit's functions busy for about three seconds, for a
sampling profiler to look at: `Mapper.sum`, Rust calling a Python function
once an element, and `sum_squares_c`, Rust calling C."""

import time

import numpy as np

import faqkit


def f(x):
    return 2.0 * x + 1.0


a = np.random.default_rng(0).standard_normal(2_000_000)
mapper = faqkit.Mapper(f)
end = time.perf_counter() + 3.0
while time.perf_counter() < end:
    mapper.sum(a[:20_000])
    faqkit.sum_squares_c(a)
