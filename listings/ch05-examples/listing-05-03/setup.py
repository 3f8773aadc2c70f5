# Builds the C twins of listing 5-2's kernels against NumPy's headers.
import numpy as np
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ccookbook",
            sources=["src/ccookbook.c"],
            include_dirs=[np.get_include()],
            extra_compile_args=["-std=c11", "-O3", "-Wall", "-Wextra", "-Werror"],
        )
    ]
)
