# Builds listing 13-3 with Cython: cythonize translates src/cykernels.pyx to
# C, then setuptools compiles that against Python's and NumPy's headers.
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

# prange runs its loop on OpenMP threads when the compiler has OpenMP
# (GCC on Linux, MSVC on Windows); Apple's clang has none, and without it
# prange runs the loop on the calling thread.
if sys.platform.startswith("linux"):
    openmp = {"extra_compile_args": ["-O3", "-fopenmp"], "extra_link_args": ["-fopenmp"]}
elif sys.platform == "win32":
    openmp = {"extra_compile_args": ["/openmp"]}
else:
    openmp = {"extra_compile_args": ["-O3"]}

# libc.math's functions come from the C maths library: link it by name, as
# the C twins do. Without -lm, the module's `exp` binds to glibc's oldest
# version of it, a compatibility wrapper kept for old programs.
if sys.platform != "win32":
    openmp["libraries"] = ["m"]

setup(
    # The stub (PEP 561: a stub-only package cykernels-stubs), for type checkers.
    packages=["cykernels-stubs"],
    package_data={"cykernels-stubs": ["__init__.pyi"]},
    ext_modules=cythonize(
        [Extension("cykernels", ["src/cykernels.pyx"], **openmp)],
        # Cython's own build folder, inside the copy that book_listings.py builds.
        build_dir="build/cython",
    ),
)
