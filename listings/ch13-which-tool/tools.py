"""Chapter 13's tools and kernels: which module holds each tool's version
of each kernel, shared by bench.py and kit.py.

Every tool's version of a kernel has the same name and arguments:
ewma(x, alpha), cube(a), uniform_filter3(a), morlet(x) and
histogram(x, nbins, lo, hi). Rust's and C's cube and 3×3 filter are
chapter 5's (listings 5-2 and 5-3: `cookbook.uniform_filter(a)` is the 3×3
filter with its default size), the rest are this chapter's listings.
"""

import importlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
LISTINGS = HERE.parent

KERNELS = ["ewma", "cube", "uniform_filter3", "morlet", "histogram"]
TOOLS = ["NumPy", "Numba", "Cython", "C", "Rust"]
MODULES = {"NumPy": "npkernels", "Numba": "nbkernels", "Cython": "cykernels", "C": "ckernels", "Rust": "rskernels"}
# Where a kernel lives in chapter 5's modules instead: (module, name).
CHAPTER5 = {
    ("Rust", "cube"): ("cookbook", "cube"),
    ("Rust", "uniform_filter3"): ("cookbook", "uniform_filter"),
    ("C", "cube"): ("ccookbook", "cube"),
    ("C", "uniform_filter3"): ("ccookbook", "uniform_filter"),
}
# The parallel variants, where a tool has one: (module, name).
PARALLEL = {
    ("Numba", "cube"): ("nbkernels", "cube_par"),
    ("Numba", "uniform_filter3"): ("nbkernels", "uniform_filter3_par"),
    ("Numba", "morlet"): ("nbkernels", "morlet_par"),
    ("Cython", "cube"): ("cykernels", "cube_par"),
    ("Cython", "uniform_filter3"): ("cykernels", "uniform_filter3_par"),
    ("Cython", "morlet"): ("cykernels", "morlet_par"),
    ("Rust", "cube"): ("cookbook", "cube_par"),
    ("Rust", "uniform_filter3"): ("cookbook", "uniform_filter_par"),
    ("Rust", "morlet"): ("rskernels", "morlet_par"),
}
# The folders of the listings that hold the versions (the bench's cache key).
FOLDERS = {
    "NumPy": [HERE / "listing-13-01"], "Numba": [HERE / "listing-13-02"], "Cython": [HERE / "listing-13-03"],
    "Rust": [HERE / "listing-13-04", LISTINGS / "ch05-examples" / "listing-05-02"],
    "C": [HERE / "listing-13-05", LISTINGS / "ch05-examples" / "listing-05-03"],
}


def where(tool, kernel, parallel=False):
    """(module, function name) of a tool's version of a kernel, or None.
    ("ewma_push" is Rust's other ewma, the quick start's loop.)"""
    if parallel:
        return PARALLEL.get((tool, kernel))
    return CHAPTER5.get((tool, kernel), (MODULES[tool], kernel))


def function(tool, kernel, parallel=False):
    """The function itself (imported), or None."""
    place = where(tool, kernel, parallel)
    if place is None:
        return None
    return getattr(importlib.import_module(place[0]), place[1])


def shim(tool):
    """The source of a module that exports a tool's five kernels under the
    common names (for the test kit, which calls module.NAME)."""
    lines = [f'"""{tool}\'s versions of chapter 13\'s kernels, under one name each."""',
             "from functools import partial"]
    for kernel in KERNELS:
        module, name = where(tool, kernel)
        if name == "uniform_filter":  # chapter 5's filter, with its size fixed at 3
            lines.append(f"from {module} import {name}")
            lines.append(f"{kernel} = partial({name}, size=3)")
        else:
            lines.append(f"from {module} import {name} as {kernel}  # noqa: F401")
    return "\n".join(lines) + "\n"
