"""The gate must fail what it is meant to catch.

ci/gate/fixtures/gate_fixture.py is `cube` with one bug planted per
function; each test runs the gate's own worker on it and asserts that the
case fails, and why. A gate that passed these would be a check that cannot
fail.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import gate  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
LISTING = str(FIXTURES.relative_to(gate.ROOT))


@pytest.fixture(scope="module")
def worker():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")]))
    w = gate.Worker("gate_fixture", env=env, timeout=5)
    yield w
    w.close()


@pytest.mark.parametrize(
    "function,case,says",
    [
        ("cube_no_align_check", "misaligned:a", "misaligned data"),
        ("cube_ignores_strides", "strided:a", "different result than for a contiguous copy"),
        ("cube_ignores_strides", "reversed:a", "different result than for a contiguous copy"),
        ("cube_segfaults_on_views", "strided:a", "CRASH: the process died (signal SIGSEGV)"),
        ("cube_hangs_on_empty", "empty0:a", "HANG: no answer in 5 s"),
        ("cube_panics_on_nan", "nan:a", "raised PanicException"),
        ("cube_inplace_ignores_readonly", "readonly:a", "expected an exception"),
        ("cube_wrong_for_nan", "nan:a", "values differ"),
        ("spacing_any_dtype", "uncastable:x", "expected an exception"),
        ("SloppyScaler.factor", "dtype:value", "dtype int64, expected float64"),
        ("SloppyScaler.factor", "ndim+1:value", "expected an exception"),
        # Rust's allocator in a constructor and in methods: the huge view
        # (2**40 elements), a method's huge view that keeps its fixed 3
        # columns (so it passes the shape check), and sizes no machine has.
        ("AbortingModel.__new__", "huge:coef", "CRASH: the process died (signal SIGABRT)"),
        ("AbortingModel.predict", "huge:x", "CRASH: the process died (signal SIGABRT)"),
        ("AbortingModel.tiled", "toomuch:times", "CRASH: the process died (signal SIGABRT)"),
        ("AbortingModel.tiled", "huge:times", "raised PanicException: capacity overflow"),
        # A private core's functions, gated because they are declared.
        ("_cubes_of_the_first", "valid", "values differ"),
        ("_cubes_segfault_without_weights", "none:weights", "CRASH: the process died (signal SIGSEGV)"),
    ],
)
def test_gate_fails_a_planted_bug(worker, function, case, says):
    ok, detail = worker.run(LISTING, function, case)
    assert not ok, f"the gate passed {function} [{case}]: {detail}"
    assert says in detail, detail


def test_the_correct_function_passes_every_case(worker):
    decl = gate.load(FIXTURES)
    results = {c.name: worker.run(LISTING, "cube", c.name) for c in gate.cases(decl.functions["cube"])}
    failed = {k: d for k, (ok, d) in results.items() if not ok}
    assert not failed, failed
    assert len(results) >= 15


def test_a_correct_private_function_passes_every_case(worker):
    decl = gate.load(FIXTURES)
    results = {c.name: worker.run(LISTING, "_cubes", c.name) for c in gate.cases(decl.functions["_cubes"])}
    failed = {k: d for k, (ok, d) in results.items() if not ok}
    assert not failed, failed
    assert {"none:weights", "aslist:arrays", "few:arrays", "many:arrays", "notseq:arrays"} <= set(results)


def test_a_correct_ufunc_passes_every_case(worker):
    decl = gate.load(FIXTURES)
    results = {c.name: worker.run(LISTING, "spacing", c.name) for c in gate.cases(decl.functions["spacing"])}
    failed = {k: d for k, (ok, d) in results.items() if not ok}
    assert not failed, failed
    assert {"out", "where", "alias-out:x", "overlap-out:x", "broadcast:x", "uncastable:x"} <= set(results)


def test_a_ufunc_declaration_is_checked_against_the_object():
    sys.path.insert(0, str(FIXTURES))
    import gate_fixture

    decl = gate.load(FIXTURES)
    decl.functions["spacing"].types = ["d->d"]
    assert "declare `types = ['e->e', 'f->f', 'd->d', 'g->g']`" in gate.problems(decl, gate_fixture)[0]
    decl.functions["spacing"].kind = "ufunc"
    decl.functions["cube"].kind = "ufunc"
    assert any("kind = \"ufunc\", but it is a function" in p for p in gate.problems(decl, gate_fixture))


def test_a_correct_class_passes_every_case(worker):
    decl = gate.load(FIXTURES)
    for name in ("Scaler.factor", "Scaler.apply", "Model.__new__", "Model.predict", "Model.tiled"):
        results = {c.name: worker.run(LISTING, name, c.name) for c in gate.cases(decl.functions[name])}
        failed = {k: d for k, (ok, d) in results.items() if not ok}
        assert not failed, failed
        assert len(results) >= 8
    # The unallocatable cases reach the constructor and the methods.
    cases = {f: {c.name for c in gate.cases(decl.functions[f])} for f in decl.functions}
    assert "huge:coef" in cases["Model.__new__"] and "huge:x" in cases["Model.predict"]
    assert {"huge:times", "toomuch:times"} <= cases["Model.tiled"]


def test_an_undeclared_member_fails_the_declaration_check():
    sys.path.insert(0, str(FIXTURES))
    import gate_fixture

    decl = gate.load(FIXTURES)
    del decl.functions["Scaler.apply"]
    assert gate.problems(decl, gate_fixture) == [f"{LISTING}/gate.toml does not declare ['Scaler.apply']"]
    decl = gate.load(FIXTURES)
    decl.functions["Scaler.factor"].setter = False
    assert "declares a method, the class has a property" in gate.problems(decl, gate_fixture)[0]


def test_a_constructor_that_takes_input_must_be_declared():
    """Model(coef) copies what it is given: leaving [Model.__new__] out of
    the declaration fails, and its arguments are checked like a method's."""
    sys.path.insert(0, str(FIXTURES))
    import gate_fixture

    decl = gate.load(FIXTURES)
    del decl.functions["Model.__new__"]
    assert gate.problems(decl, gate_fixture) == [f"{LISTING}/gate.toml does not declare ['Model.__new__']"]
    decl = gate.load(FIXTURES)
    decl.functions["Model.__new__"].args[0].name = "c"
    assert "declares ['c'], the signature is ['coef']" in gate.problems(decl, gate_fixture)[0]
    # Scaler() takes nothing: there is no constructor to declare.
    assert "Scaler.__new__" not in gate.gated(decl, gate_fixture)


def test_an_undeclared_function_fails_the_declaration_check():
    sys.path.insert(0, str(FIXTURES))
    import gate_fixture

    decl = gate.load(FIXTURES)
    assert gate.problems(decl, gate_fixture) == []
    del decl.functions["cube_wrong_for_nan"]
    assert gate.problems(decl, gate_fixture) == [
        f"{LISTING}/gate.toml does not declare ['cube_wrong_for_nan']"
    ]
    decl = gate.load(FIXTURES)
    decl.functions["cube"].args[0].name = "x"
    assert "declares ['x'], the signature is ['a']" in gate.problems(decl, gate_fixture)[0]


def test_a_listing_without_a_declaration_fails(tmp_path):
    with pytest.raises(FileNotFoundError):
        gate.load(tmp_path)
