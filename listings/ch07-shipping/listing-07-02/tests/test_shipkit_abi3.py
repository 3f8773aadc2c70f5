"""Listing 7-2: `shipkit_abi3`."""

from importlib import metadata

import numpy as np
import pytest

import shipkit_abi3 as shipkit


def test_total_matches_numpy():
    a = np.linspace(-1.0, 3.0, 101)
    assert shipkit.total(a) == pytest.approx(np.sum(a), rel=1e-14)


def test_total_of_empty_is_zero():
    assert shipkit.total(np.array([], dtype=np.float64)) == 0.0


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.arange(3), "type mismatch:\n from=int64, to=float64"),
        (np.zeros((2, 2)), "dimensionality mismatch:\n from=2, to=1"),
        ([1.0], "'list' object is not an instance of 'ndarray'"),
    ],
)
def test_bad_input(bad, message):
    with pytest.raises(TypeError) as info:
        shipkit.total(bad)
    assert str(info.value) == message


def test_the_module_says_which_api_the_installed_wheel_was_built_for():
    # The wheel's ABI tags (its WHEEL file: a cp315-abi3.abi3t wheel has two
    # Tag lines, cp315-abi3-... and cp315-abi3t-...) against the module's
    # own answer, which build.rs makes follow pyo3's cfg Py_LIMITED_API.
    wheel = metadata.distribution("shipkit_abi3").read_text("WHEEL")
    abis = {line.split("-")[1] for line in wheel.splitlines() if line.startswith("Tag: ")}
    assert abis, wheel
    stable = abis <= {"abi3", "abi3t"}
    assert shipkit.API == ("limited" if stable else "full"), (abis, shipkit.API)
