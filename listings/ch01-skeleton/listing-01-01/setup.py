# Builds the C extension _extmodule against NumPy's headers.
import numpy as np
from setuptools import Extension, setup

setup(
    # The stub (PEP 561: a stub-only package _extmodule-stubs), for type checkers.
    packages=["_extmodule-stubs"],
    package_data={"_extmodule-stubs": ["__init__.pyi"]},
    ext_modules=[
        Extension(
            "_extmodule",
            sources=["src/extmodule.c", "src/mean.c"],
            include_dirs=[np.get_include()],
            extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror"],
        )
    ]
)
