# Builds the package cgridhist: its Python code and its C core, cgridhist._core.
import numpy as np
from setuptools import Extension, setup

setup(
    packages=["cgridhist"],
    package_dir={"": "src"},
    # The core's stub and the marker that the package ships types (PEP 561).
    package_data={"cgridhist": ["_core.pyi", "py.typed"]},
    ext_modules=[
        Extension(
            "cgridhist._core",
            sources=["src/cgridhist/_core.c"],
            include_dirs=[np.get_include()],
            extra_compile_args=["-std=c11", "-O3", "-Wall", "-Wextra", "-Werror"],
        )
    ],
)
