"""Listing 1-4: a panic reaches Python as PanicException, a BaseException."""

import re
import subprocess
import sys

import numpy as np
import pytest

import panicky


def panic_exception():
    try:
        panicky.get_or_panic(np.zeros(1), 1)
    except BaseException as e:  # noqa: BLE001
        return e
    raise AssertionError("no panic")


def test_panic_is_a_base_exception_not_an_exception():
    e = panic_exception()
    assert type(e).__name__ == "PanicException"
    assert type(e).__module__ == "pyo3_runtime"
    assert not isinstance(e, Exception)
    assert isinstance(e, BaseException)
    assert str(e) == "index out of bounds: the len is 1 but the index is 1"


def test_except_exception_does_not_catch_a_panic():
    caught = []
    with pytest.raises(BaseException) as info:
        try:
            panicky.get_or_panic(np.zeros(3), 5)
        except Exception:  # noqa: BLE001 - the point of the test
            caught.append(True)
    assert not caught
    assert type(info.value).__name__ == "PanicException"


def test_the_panic_message_names_the_rust_source_line():
    code = "import numpy, panicky\ntry: panicky.get_or_panic(numpy.zeros(3), 5)\nexcept BaseException: pass"
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
    # rustc writes the path with the host's separator: src\lib.rs on Windows.
    assert re.search(r"panicked at src[/\\]lib\.rs:\d+:\d+", err), err
    assert "index out of bounds: the len is 3 but the index is 5" in err


def test_get_in_range():
    assert panicky.get(np.array([1.0, 2.0, 3.0]), 2) == 3.0
    assert panicky.get_or_panic(np.array([1.0, 2.0, 3.0]), 0) == 1.0


def test_get_out_of_range_is_an_index_error():
    with pytest.raises(IndexError, match="^index 3 is out of bounds for length 3$"):
        panicky.get(np.array([1.0, 2.0, 3.0]), 3)
    with pytest.raises(IndexError, match="^index 0 is out of bounds for length 0$"):
        panicky.get(np.array([], dtype=np.float64), 0)


def test_negative_index_is_an_overflow_error():
    with pytest.raises(OverflowError, match="can't convert negative int to unsigned"):
        panicky.get(np.zeros(3), -1)


def test_non_contiguous_is_a_value_error():
    with pytest.raises(ValueError, match="^array is not contiguous and aligned$"):
        panicky.get(np.zeros(6)[::2], 0)
    with pytest.raises(ValueError, match="^array is not contiguous and aligned$"):
        panicky.get_or_panic(np.zeros(6)[::2], 0)


def test_misaligned_is_a_value_error():
    # as_slice refuses misaligned data too; the message must not blame
    # contiguity alone (the robustness gate found that it did).
    m = np.frombuffer(bytes(1) + np.arange(3.0).tobytes(), dtype=np.float64, offset=1)
    assert m.flags.c_contiguous and not m.flags.aligned
    with pytest.raises(ValueError, match="^array is not contiguous and aligned$"):
        panicky.get(m, 0)


@pytest.mark.parametrize("bad", [np.arange(3), np.zeros((1, 3)), [1.0], None])
def test_bad_input_is_a_type_error(bad):
    with pytest.raises(TypeError):
        panicky.get(bad, 0)
