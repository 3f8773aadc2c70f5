# Builds the C twins of listing 13-4's kernels against NumPy's headers.
import numpy as np
from setuptools import Extension, setup

setup(
    # The stub (PEP 561: a stub-only package ckernels-stubs), for type checkers.
    packages=["ckernels-stubs"],
    package_data={"ckernels-stubs": ["__init__.pyi"]},
    ext_modules=[
        Extension(
            "ckernels",
            sources=["src/ckernels.c"],
            include_dirs=[np.get_include()],
            extra_compile_args=["-std=c11", "-O3", "-Wall", "-Wextra", "-Werror"],
            libraries=["m"],
        )
    ]
)
