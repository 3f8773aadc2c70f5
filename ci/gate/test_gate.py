"""The robustness gate's tests: declarations, the bad-input matrix, and
hypothesis property tests against each function's NumPy/SciPy reference.

Run it with `python -m pytest -c ci/pytest.ini --rootdir . ci/gate`
(ci/test.sh does, after building the listings).
"""

import importlib
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import gate  # noqa: E402

CASE_TIMEOUT = float(os.environ.get("GATE_CASE_TIMEOUT", "30"))
# GATE_IN_PROCESS=1 runs the cases in this process instead of a worker: a
# crash then ends the run, but valgrind, run on this process, sees them all.
IN_PROCESS = os.environ.get("GATE_IN_PROCESS") == "1"
# GATE_EXCLUDE="PATH ...": listings left out (the valgrind suite's: listings
# whose code is not compiled by the book, ci/valgrind/suite.sh says why).
EXCLUDE = set(os.environ.get("GATE_EXCLUDE", "").split())
LISTINGS = [l for l in gate.listings() if not l["broken"] and l["path"] not in EXCLUDE]
DECLS = {}
for _l in LISTINGS:
    if (gate.ROOT / _l["path"] / "gate.toml").exists():
        DECLS[_l["path"]] = gate.load(gate.ROOT / _l["path"])
if gate.QUICK_START in DECLS:
    gate.quick_start()  # no listing build makes its module: the gate does (gate_decl.py)


# ---------------------------------------------------------------- declarations


# The id names the module too, so that `-k cookbook` runs its declaration
# check along with its cases.
@pytest.mark.parametrize("listing", [
    pytest.param(l["path"], id=f"{DECLS[l['path']].module}:{l['path']}" if l["path"] in DECLS else l["path"])
    for l in LISTINGS
])
def test_every_export_is_declared(listing, request):
    """A listing without gate.toml, or a function it does not declare, fails."""
    stats = request.config.gate_stats
    path = gate.ROOT / listing / "gate.toml"
    assert path.exists(), f"{listing} has no gate.toml: declare what its functions take (CONTRIBUTING.md)"
    decl = DECLS[listing]
    module = importlib.import_module(decl.module)
    funcs = gate.gated(decl, module)
    stats["listings"] += 1
    stats["exported"] += len(funcs)
    stats["declared"] += len(set(funcs) & set(decl.functions))
    found = gate.problems(decl, module)
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- the matrix


WORKERS = {}


@pytest.fixture(scope="session", autouse=True)
def _close_workers():
    yield
    for w in WORKERS.values():
        w.close()


MATRIX = [
    pytest.param(path, decl.module, f.name, c.name, id=f"{decl.module}.{f.name}[{c.name}]")
    for path, decl in DECLS.items()
    for f in decl.functions.values()
    for c in gate.cases(f)
]
# GATE_SHARD=K/N keeps every N-th case from the K-th, counting from 1
# (1 <= K <= N): the valgrind suite runs the matrix in two processes side by
# side, half each (ci/valgrind/suite.sh). Every case is in exactly one shard.
# Counted from 1, not 0, for memcheck's sake: CPython 3.11's int("0") tests
# a digit it never wrote (harmless: it is multiplied by the size, 0), and
# memcheck then flags every later use of the 0 it returns (run r12: four
# "uninitialised value" errors in Py_INCREF, all in the shard that read "0").
if os.environ.get("GATE_SHARD"):
    _k, _n = (int(x) for x in os.environ["GATE_SHARD"].split("/"))
    assert 1 <= _k <= _n, f"GATE_SHARD={os.environ['GATE_SHARD']}: want K/N with 1 <= K <= N"
    MATRIX = MATRIX[_k - 1::_n]


@pytest.mark.parametrize("listing,module,function,case", MATRIX)
def test_bad_input(listing, module, function, case, request):
    if IN_PROCESS:  # under valgrind (ci/valgrind/suite.sh): memcheck sees every case
        import numpy as np

        f = DECLS[listing].functions[function]
        ok, detail = gate.judge(np, importlib.import_module(module), f, case)
    else:
        worker = WORKERS.setdefault(module, gate.Worker(module, timeout=CASE_TIMEOUT))
        ok, detail = worker.run(listing, function, case)
    request.config.gate_stats["cases"][(module, function, case)] = ok
    assert ok, f"{module}.{function} [{case}]: {detail}"
