# Installs the module nbkernels.py (pure Python: nothing to compile) and its stub.
from setuptools import setup

setup(
    py_modules=["nbkernels"],
    # The stub (PEP 561: a stub-only package nbkernels-stubs), for type checkers.
    packages=["nbkernels-stubs"],
    package_data={"nbkernels-stubs": ["__init__.pyi"]},
)
