# Installs the module npkernels.py (pure Python: nothing to compile) and its stub.
from setuptools import setup

setup(
    py_modules=["npkernels"],
    # The stub (PEP 561: a stub-only package npkernels-stubs), for type checkers.
    packages=["npkernels-stubs"],
    package_data={"npkernels-stubs": ["__init__.pyi"]},
)
