# Builds the C twins of listing 5-2's kernels against NumPy's headers.
import numpy as np
from setuptools import Extension, setup

setup(
    # The stub (PEP 561: a stub-only package ccookbook-stubs), for type checkers.
    packages=["ccookbook-stubs"],
    package_data={"ccookbook-stubs": ["__init__.pyi"]},
    ext_modules=[
        Extension(
            "ccookbook",
            sources=["src/ccookbook.c"],
            include_dirs=[np.get_include()],
            extra_compile_args=["-std=c11", "-O3", "-Wall", "-Wextra", "-Werror"],
        )
    ]
)
