"""The sentences the benchmarks print say only what their numbers show: each
branch of a report is given numbers that take it, and must not claim the
opposite. Nothing is timed: the numbers are made up for each branch. (The
bench scripts import the listings they time, so the listings must be built,
as ci/test.sh does before its pytest run.)"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ModuleNotFoundError as e:  # a listing not built into .venv
        pytest.skip(f"{path} imports {e.name}, which is not built (python ci/listing-tools/book_listings.py build)")
    return module


@pytest.fixture(scope="module")
def ch09():
    return load("bench_ch09", "listings/ch09-ufuncs/listing-09-01/bench.py")


@pytest.mark.parametrize("ratio", [0.66, 1.0, 1.3])
@pytest.mark.parametrize("simd", [True, False])
def test_chapter_9_says_why_numpy_was_faster_or_slower(ch09, ratio, simd):
    text = ch09.numpy_sentence(ratio, ratio, simd)
    assert f"{ratio:.2f}× the Rust ufunc's time" in text
    # The SIMD loop is named only where NumPy has one, on AVX-512 CPUs.
    assert ("is a SIMD loop" in text) == simd
    assert ("no AVX-512" in text) == (not simd)
    if ratio < 1:
        assert "pays for" not in text and "cost more than" not in text  # no reason for a loss it did not suffer
    if ratio > 1:
        assert "outweighs" not in text
    if ratio == 1.0:
        assert "about the same" in text


def test_chapter_9_numbers_name_every_row(ch09):
    rows = {name: [1.0, 1.1] for name in ch09.IMPLS}
    data = {"results": [(label, dict(rows)) for label in ch09.SIZES], "date": "today", "machine": "m",
            "load": [0.1, 0.2], "versions": "v", "simd_log64": False}
    text = ch09.report(data)
    assert '"min.1e7.rust": 1.0' in text and '"med.1.safe": 1.1' in text and '"simd_log64": false' in text


@pytest.fixture(scope="module")
def ch10():
    return load("bench_ch10", "listings/ch10-python-api/listing-10-02/bench.py")


@pytest.mark.parametrize("spread, says", [(1.02, "the work dominates"), (1.5, "still differ by up to 50%")])
def test_chapter_10_says_the_work_dominates_only_when_it_does(ch10, spread, says):
    big = {name: (1e-4, 1e-4) for name in ch10.KEYS}
    big["LeastSquares.predict (Py<PyArray1> field)"] = (spread * 1e-4, spread * 1e-4)
    big["NumPy x @ coef"] = (0.5e-4, 0.5e-4)
    text = ch10.big_rows({"results": [("1 row × 8", {}), ("10000 rows × 8", big)]})
    assert says in text
    assert ("dominates" in text) == (spread < 1.1)
