"""Listing 1-3 is broken on purpose: its module name does not match its library name."""

import importlib.util
import os

import pytest


def test_import_fails_with_missing_init_function():
    with pytest.raises(ImportError, match=r"^dynamic module does not define module export function \(PyInit_renamed\)$"):
        import renamed  # noqa: F401


def test_the_library_exports_the_other_name():
    # The shared library is there; it just exports PyInit_skeleton.
    spec = importlib.util.find_spec("renamed")
    folder = os.path.dirname(spec.origin)
    (lib,) = [f for f in os.listdir(folder) if f.startswith("renamed.") and f.endswith(".so")]
    data = open(os.path.join(folder, lib), "rb").read()
    assert b"PyInit_skeleton" in data
    assert b"PyInit_renamed" not in data
