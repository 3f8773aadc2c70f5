"""Listing 11-1: typedstats, its docstrings, signatures and stub."""

import inspect
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import typedstats

HERE = Path(__file__).parent.parent


def test_rms_matches_numpy():
    a = np.linspace(-1.0, 3.0, 101)
    assert typedstats.rms(a) == pytest.approx(np.sqrt(np.mean(a**2)), rel=1e-14)


def test_scale_matches_numpy():
    a = np.linspace(-1.0, 3.0, 11)
    np.testing.assert_array_equal(typedstats.scale(a, 2.5), a * 2.5)
    np.testing.assert_array_equal(typedstats.scale(a), a)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.arange(3), TypeError, "type mismatch:\n from=int64, to=float64"),
        ([1.0], TypeError, "'list' object is not an instance of 'ndarray'"),
        (np.zeros(0), ValueError, "rms of an empty array"),
        (np.zeros(6)[::2], ValueError, "array is not contiguous: pass np.ascontiguousarray(a)"),
        (np.frombuffer(bytearray(17), np.float64, 2, 1), ValueError, "array data is not aligned for float64"),
    ],
)
def test_bad_input(bad, error, message):
    with pytest.raises(error) as info:
        typedstats.rms(bad)
    assert str(info.value) == message


def test_docstrings_and_signatures_reach_python():
    assert inspect.signature(typedstats.scale) == inspect.Signature([
        inspect.Parameter("a", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("factor", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=1.0),
    ])
    assert typedstats.rms.__doc__.startswith("Root mean square of a 1-D float64 array.\n")
    assert typedstats.__doc__.startswith("Small statistics over float64 arrays")
    # The docstring's example shows what the function returns.
    example = typedstats.rms.__doc__.split(">>> ")[1].splitlines()
    assert example == ["typedstats.rms(np.array([3.0, 4.0]))", "3.5355339059327378"]
    assert repr(eval(example[0], {"typedstats": typedstats, "np": np})) == example[1]


def test_the_stub_and_py_typed_are_installed():
    package = Path(typedstats.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "__init__.pyi").read_text() == (HERE / "typedstats.pyi").read_text()


@pytest.mark.skipif(os.environ.get("BOOK_UNDER_VALGRIND") == "1", reason="runs mypy, a heavy subprocess")
def test_mypy_finds_the_deliberate_error_in_the_users_script():
    p = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "report.py"],
                       cwd=HERE / "user", capture_output=True, text=True)
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.splitlines() == [
        'report.py:13: error: Argument 1 to "rms" has incompatible type "list[float]"; '
        'expected "ndarray[tuple[Any, ...], dtype[float64]]"  [arg-type]',
        "Found 1 error in 1 file (checked 1 source file)",
    ]
