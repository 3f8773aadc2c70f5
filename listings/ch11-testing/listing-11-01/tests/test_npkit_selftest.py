"""The kit must fail what it is meant to catch: planted.py is `rms` with one
bug planted per function; each test asserts that the kit fails it, and why.
A checker that passed these would be a check that cannot fail.

Run as a script, it prints what the kit says about each planted bug.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import npkit  # noqa: E402

if __name__ != "__main__" and os.environ.get("BOOK_UNDER_VALGRIND") == "1":
    pytest.skip("starts child processes that crash and hang on purpose",
                allow_module_level=True)

# ANCHOR: planted
RMS = {"args": {"a": "float64[n]"}, "reference": "np.sqrt(np.mean(a ** 2))",
       "raises": {"empty0": "ValueError: empty array"}}
PLANTED = npkit.declare("planted", {
    "rms": RMS,
    "rms_no_align_check": RMS,
    "rms_ignores_strides": RMS,
    "rms_crashes_on_views": RMS,
    "rms_hangs_on_nan": RMS,
    "rms_panics_on_inf": RMS,
    "rms_first_seven": RMS,
    "Samples": {  # a class: its constructor, Samples(a), and its one property
        "__new__": {"args": {"a": "float64[n]"}, "returned": "r.data", "reference": "a",
                    "raises": {"empty0": "ValueError: empty array"}},
        "data": {"construct": "Samples(np.arange(3.0))", "reference": "np.arange(3.0)"},
    },
    "not_functions": {"PanicException": "a stand-in for pyo3's exception"},
})
# ANCHOR_END: planted

CAUGHT = [  # (function, the case that catches it, what the kit says)
    ("rms_no_align_check", "misaligned:a", "for misaligned data"),
    ("rms_ignores_strides", "strided:a", "different result than for a contiguous copy"),
    ("rms_crashes_on_views", "strided:a", "CRASH: the process died (signal SIGSEGV)"),
    ("rms_hangs_on_nan", "nan:a", "HANG: no answer in 5 s"),
    ("rms_panics_on_inf", "inf:a", "raised PanicException"),
    ("Samples.__new__", "huge:a", "CRASH: the process died (signal SIGABRT)"),
]


@pytest.fixture(scope="module")
def worker():
    w = npkit.Worker("planted", timeout=5)
    yield w
    w.close()


@pytest.mark.parametrize("function,case,says", CAUGHT)
def test_the_kit_fails_a_planted_bug(worker, function, case, says):
    ok, detail = worker.run(PLANTED.functions[function], case)
    assert not ok, f"the kit passed {function} [{case}]: {detail}"
    assert says in detail, detail


def test_the_correct_function_passes_every_case(worker):
    results = {c.name: worker.run(PLANTED.functions["rms"], c.name)
               for c in npkit.cases(PLANTED.functions["rms"])}
    assert len(results) >= 15
    assert not {k: d for k, (ok, d) in results.items() if not ok}


def test_hypothesis_catches_what_fixed_sizes_miss(worker):
    f = PLANTED.functions["rms_first_seven"]
    assert all(worker.run(f, c.name)[0] for c in npkit.cases(f))  # 7 elements: all pass
    with pytest.raises(AssertionError, match="values differ"):
        npkit.check_reference(PLANTED, "rms_first_seven")


def test_an_undeclared_function_fails_the_declaration_check():
    import planted

    assert npkit.problems(PLANTED, planted) == []
    partial = npkit.declare("planted", {"rms": RMS, "not_functions": {"PanicException": "-"}})
    assert "does not declare ['Samples.__new__', 'Samples.data', 'rms_crashes_on_views'," in \
        npkit.problems(partial, planted)[0]


# A package's private core (`_` names, gated because they are declared), a
# sequence of arrays, an argument that may be None, and a reference that
# calls a helper: each with its planted bug.
TOTAL = {"args": {"arrays": "sequence 1..4 of float64[n]", "weights": "float64[n] or None"},
         "reference": "total(arrays, weights)", "raises": {"empty0": "ValueError: empty array"},
         "helpers": "import numpy as np\n"
                    "def total(arrays, weights):\n"
                    "    return sum(float((a * (1.0 if weights is None else weights)).sum()) for a in arrays)\n"}
PRIVATE = npkit.declare("planted", {name: TOTAL for name in (
    "_total", "_total_first_only", "_total_refuses_none", "_total_any_count")})


@pytest.mark.parametrize("function,case,says", [
    ("_total_first_only", "valid", "values differ"),
    ("_total_refuses_none", "none:weights", "None is a valid value of weights"),
    ("_total_any_count", "many:arrays", "expected an exception"),
])
def test_the_kit_fails_a_planted_bug_in_a_private_function(worker, function, case, says):
    ok, detail = worker.run(PRIVATE.functions[function], case)
    assert not ok, f"the kit passed {function} [{case}]: {detail}"
    assert says in detail, detail


def test_a_correct_private_function_passes_every_case(worker):
    f = PRIVATE.functions["_total"]
    results = {c.name: worker.run(f, c.name) for c in npkit.cases(f)}
    assert {"none:weights", "aslist:arrays", "notseq:arrays", "few:arrays", "many:arrays",
            "strided:arrays", "misaligned:arrays"} <= set(results)
    assert not {k: d for k, (ok, d) in results.items() if not ok}
    assert npkit.check_reference(PRIVATE, "_total") > 0


def test_private_functions_are_gated_only_when_declared():
    import planted

    assert "_total" not in npkit.gated(PLANTED, planted) and npkit.problems(PLANTED, planted) == []
    assert {"_total", "_total_any_count"} <= set(npkit.gated(PRIVATE, planted))
    typo = npkit.declare("planted", {"_totl": TOTAL})
    assert "declares ['_totl'], which planted does not export" in " ".join(npkit.problems(typo, planted))


def show(title: str, detail: str) -> None:
    import textwrap

    print(title)
    lines = [l for l in detail.splitlines() if l.strip() and not l.startswith(
        ("---", "Fatal", "Current", "Extension", "  File")) or "planted.py" in l]
    for line in lines[:3]:
        if "planted.py" in line:  # a path: keep it whole
            print("    " + line.strip())
            continue
        print(textwrap.fill(line.strip(), 76, initial_indent="    ", subsequent_indent="      ",
                            break_long_words=False, break_on_hyphens=False))


if __name__ == "__main__":  # what the chapter shows
    w = npkit.Worker("planted", timeout=5)
    for function, case, _ in CAUGHT:
        ok, detail = w.run(PLANTED.functions[function], case)
        show(f"{function} [{case}]: {'passed' if ok else 'FAILED'}", detail)
    w.close()
    try:
        npkit.check_reference(PLANTED, "rms_first_seven")
    except AssertionError as e:
        show("rms_first_seven, Hypothesis: FAILED", str(e))
