# Builds the C twin of listing 9-1's ufunc against NumPy's headers.
import numpy as np
from setuptools import Extension, setup

setup(
    # The stub (PEP 561: a stub-only package clogit-stubs), for type checkers.
    packages=["clogit-stubs"],
    package_data={"clogit-stubs": ["__init__.pyi"]},
    ext_modules=[
        Extension(
            "clogit",
            sources=["src/clogit.c"],
            include_dirs=[np.get_include()],
            extra_compile_args=["-std=c11", "-O3", "-Wall", "-Wextra", "-Werror"],
            libraries=["m"],
        )
    ]
)
