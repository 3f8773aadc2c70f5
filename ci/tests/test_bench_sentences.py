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


# ---- chapter 13: the same kernels in five tools ------------------------------

@pytest.fixture(scope="module")
def ch13():
    return load("bench_ch13", "listings/ch13-which-tool/bench.py")


def ch13_table(ch13, serial):
    """Made-up minima: NumPy 1 s everywhere, each serial tool `serial[key]`
    seconds at 1e6 (and at the other sizes), the parallel ones half that."""
    results = {}
    for kernel in ch13.tools.KERNELS:
        results[kernel] = {}
        for size in ch13.SIZES:
            row = {"numpy": (1.0, 1.0)}
            for key, _, tool, par in ch13.IMPLS[1:]:
                if ch13.tools.where(tool, kernel, par) is not None:
                    t = serial[key.removesuffix("_par")] / (2 if par else 1)
                    row[key] = (t, t)
            if kernel in ch13.EXTRA:
                row[ch13.EXTRA[kernel][0]] = (2.0, 2.0)
            results[kernel][size] = row
    return {"results": results, "date": "today", "machine": "m", "load": [0.1, 0.2], "flags": {},
            "versions": "v"}


def test_chapter_13_says_close_only_when_the_serial_versions_are_close(ch13):
    def said(serial):
        data = ch13_table(ch13, serial)
        return ch13.sentences(data, ch13.speedups(data))
    close = said(dict(numba=0.5, cython=0.52, c=0.55, rust=0.5))
    apart = said(dict(numba=0.2, cython=0.5, c=0.3, rust=0.25))
    for line in close[:5]:
        assert "within 25% of each other" in line and "NumPy's own loop was faster" not in line, line
    for line in apart[:5]:
        assert "within 25%" not in line, line
        assert "Numba the fastest" in line and "ran at 2.00× to 5.00×" in line, line


def test_chapter_13_says_numpy_was_faster_only_when_it_was(ch13):
    data = ch13_table(ch13, dict(numba=2.0, cython=1.5, c=3.0, rust=2.5))
    for line in ch13.sentences(data, ch13.speedups(data))[:5]:
        assert "NumPy's own loop was faster than every serial one" in line, line


def test_chapter_13_summary_repeats_the_numbers_of_the_table_and_the_first_calls(ch13):
    table = ch13_table(ch13, dict(numba=0.5, cython=0.25, c=0.2, rust=0.4))
    times = {"import_numpy": 0.1, "import": 0.01, "first": dict.fromkeys(ch13.tools.KERNELS, 0.001), "second": {"cube": 1e-5}}
    first = {"first": {t: dict(times) for t in [*ch13.tools.TOOLS, "Numba, cache=True"]}, "load": [0.1, 0.2],
             "date": "today", "machine": "m", "flags": {}, "versions": "v"}
    first["first"]["Numba"] = dict(times, first=dict.fromkeys(ch13.tools.KERNELS, 0.5))
    text = ch13.summary(table, first)
    assert "- `cube`: Numba 2.00×, Cython 4.00×, C 5.00×, Rust 2.50×; fastest, C." in text
    assert "took 2.5 s to import Numba's module" in text
    # The same numbers lines as the sections, so claims.py sees one run, not two.
    assert ch13.numbers_table(table, ch13.speedups(table)) in text
    assert ch13.first(first).split("<!-- numbers")[1] == text.split("<!-- numbers")[2]
