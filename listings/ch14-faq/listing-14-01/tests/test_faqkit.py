"""Listing 14-1: `faqkit`, the answers of the page "Questions readers ask"."""

import contextlib
import io
import logging
import math

import numpy as np
import pytest

import faqkit

RNG = np.random.default_rng(14)


def misaligned(n=8):
    return np.frombuffer(bytes(8 * n + 1), dtype=np.float64, count=n, offset=1)


# --- println! and log::info! ---------------------------------------------------


def test_mean_matches_numpy():
    a = RNG.standard_normal(1001)
    assert faqkit.mean(a) == pytest.approx(np.mean(a), rel=0, abs=1e-12)
    with pytest.raises(ValueError, match="mean of an empty array"):
        faqkit.mean(np.array([]))


def test_println_writes_to_the_file_descriptor_not_to_sys_stdout(capfd):
    # A notebook's kernel replaces sys.stdout, as redirect_stdout does:
    # Python's print follows it, Rust's println! writes to fd 1 all the same.
    page = io.StringIO()
    with contextlib.redirect_stdout(page):
        print("from Python")
        faqkit.mean(np.arange(4.0))
    assert page.getvalue() == "from Python\n"
    assert capfd.readouterr().out == "println!: the mean of 4 values\n"


def test_log_records_reach_python_logging(caplog):
    with caplog.at_level(logging.INFO):
        faqkit.mean(np.arange(3.0))
    [record] = [r for r in caplog.records if r.name.startswith("faqkit")]
    assert record.levelno == logging.INFO
    assert record.getMessage() == "log::info!: the mean of 3 values"


def test_a_level_set_after_the_import_counts(caplog):
    # Caching::Loggers: pyo3-log keeps the Python logger, not its level, so
    # the level is read on every record.
    caplog.set_level(logging.INFO)
    logger = logging.getLogger("faqkit")
    before = logger.level
    try:
        logger.setLevel(logging.WARNING)
        faqkit.mean(np.arange(3.0))
        logger.setLevel(logging.INFO)
        faqkit.mean(np.arange(5.0))
    finally:
        logger.setLevel(before)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("faqkit")] == [
        "log::info!: the mean of 5 values"]


# --- A Python callback, called from Rust ----------------------------------------


def test_mapper_sums_the_callbacks_results():
    a = RNG.standard_normal(1000)
    assert faqkit.Mapper(lambda x: 2.0 * x + 1.0).sum(a) == pytest.approx(np.sum(2.0 * a + 1.0), abs=1e-9)
    assert faqkit.Mapper(math.exp).sum(a) == pytest.approx(np.sum(np.exp(a)), rel=1e-12)
    assert faqkit.Mapper(math.exp).sum(np.array([])) == 0.0


def test_mapper_keeps_its_function():
    assert faqkit.Mapper(abs).f is abs
    with pytest.raises(AttributeError):
        faqkit.Mapper(abs).f = min  # frozen


def test_mapper_calls_once_per_element_in_order():
    seen = []
    faqkit.Mapper(lambda x: seen.append(x) or 0.0).sum(np.array([3.0, 1.0, 2.0]))
    assert seen == [3.0, 1.0, 2.0]


def test_an_exception_in_the_callback_comes_out_unchanged():
    def bad(x):
        if x > 1:
            raise ZeroDivisionError(f"no {x}")
        return x

    with pytest.raises(ZeroDivisionError, match="no 2.0"):
        faqkit.Mapper(bad).sum(np.array([0.0, 1.0, 2.0, 3.0]))


def test_mapper_refuses_what_it_cannot_call_or_read():
    with pytest.raises(TypeError, match="Mapper needs a callable, got int"):
        faqkit.Mapper(3).sum(np.ones(2))
    with pytest.raises(TypeError, match="must be real number, not str"):
        faqkit.Mapper(str).sum(np.ones(2))
    with pytest.raises(TypeError, match="type mismatch"):
        faqkit.Mapper(abs).sum(np.arange(3))
    with pytest.raises(ValueError, match="not contiguous"):
        faqkit.Mapper(abs).sum(np.ones(6)[::2])


def test_affine_sum_is_the_same_work_without_the_calls():
    a = RNG.standard_normal(1000)
    assert faqkit.affine_sum(a) == pytest.approx(faqkit.Mapper(lambda x: 2.0 * x + 1.0).sum(a), abs=1e-9)
    assert faqkit.affine_sum(a, 0.5, -3.0) == pytest.approx(np.sum(0.5 * a - 3.0), abs=1e-9)


# --- A C function, compiled by build.rs with the cc crate --------------------------


def test_sum_squares_c_matches_numpy():
    a = RNG.standard_normal(10_000)
    assert faqkit.sum_squares_c(a) == pytest.approx(np.sum(a * a), rel=1e-12)
    assert faqkit.sum_squares_c(np.array([])) == 0.0
    with pytest.raises(ValueError, match="not contiguous"):
        faqkit.sum_squares_c(a[::2])
    with pytest.raises(ValueError, match="not aligned"):
        faqkit.sum_squares_c(misaligned())
    with pytest.raises(TypeError, match="type mismatch"):
        faqkit.sum_squares_c(np.arange(3, dtype=np.float32))


# --- Strings, datetimes, objects -----------------------------------------------------


def test_fixed_width_strings_of_the_declared_width():
    words = np.array(["rust", "numpy", "", "ünïcödé"], dtype="U8")
    assert faqkit.describe(words) == list(words)
    raw = np.array([b"abc", b"", b"12345678"], dtype="S8")
    assert faqkit.describe(raw) == [b.decode() for b in raw]


def test_another_width_is_refused_naming_the_dtype():
    with pytest.raises(TypeError, match="not <U5 with 1 dimension"):
        faqkit.describe(np.array(["rust", "numpy"]))
    with pytest.raises(TypeError, match=r"not \|S3 with 1 dimension"):
        faqkit.describe(np.array([b"abc"]))
    # The fix, when no string is longer than 8: convert to the width Rust reads.
    assert faqkit.describe(np.array(["rust", "numpy"]).astype("U8")) == ["rust", "numpy"]


def test_datetime64_in_seconds_and_nat():
    t = np.array(["1970-01-01T00:00:00", "2026-12-07T12:00:00", "NaT"], dtype="datetime64[s]")
    got = faqkit.describe(t)
    assert got[:2] == [f"{int(s)} s after 1970-01-01T00:00:00" for s in t[:2].astype(np.int64)]
    assert got[2] == "NaT"
    with pytest.raises(TypeError, match=r"not datetime64\[ms\]"):
        faqkit.describe(t.astype("datetime64[ms]"))


def test_object_arrays_are_python_objects():
    objs = np.array([1, "two", None, 3.5, [4]], dtype=object)
    assert faqkit.describe(objs) == [str(o) for o in objs]
    assert faqkit.describe(np.array([0.5, -2.0, np.inf])) == ["0.5", "-2.0", "inf"]


def test_describe_refuses_the_rest():
    with pytest.raises(TypeError, match="not int64 with 1 dimension"):
        faqkit.describe(np.arange(3))
    with pytest.raises(TypeError, match="not <U8 with 2 dimension"):
        faqkit.describe(np.zeros((2, 2), dtype="U8"))
    with pytest.raises(TypeError, match="a NumPy array .*, not list"):
        faqkit.describe(["rust"])
    with pytest.raises(ValueError, match="not aligned"):
        faqkit.describe(misaligned())
