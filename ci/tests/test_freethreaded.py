"""Chapter 8's free-threaded claims, checked under a real free-threaded CPython.

ci/chapters/freethreaded-python.sh makes .tools/venv-ft, a virtualenv of a
free-threaded CPython: the reader's own (FT_PYTHON, e.g. 3.14t from uv or
actions/setup-python) or CPython 3.13 built with --disable-gil from Debian's
source. It holds NumPy and the C listings 1-1 (`_extmodule`, which declares
nothing about the GIL) and 9-2 (`clogit`, which declares `Py_mod_gil` =
`Py_MOD_GIL_NOT_USED`). What is checked here holds on 3.13t and 3.14t alike
(the warning's text is the same in both); the Rust side (PyO3 0.30 refuses
3.13t, builds for 3.14t) is chapter 8's own output.

Without the interpreter these tests are skipped with a reason, except with
CI=true, where they fail.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FT_PYTHON = ROOT / ".tools" / "venv-ft" / "bin" / "python"
WARNING = (
    "RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module "
    "'{}', which has not declared that it can run safely without the GIL. To override "
    "this behavior and keep the GIL disabled (at your own risk), run with PYTHON_GIL=0 "
    "or -Xgil=0."
)

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("BOOK_UNDER_VALGRIND") == "1",
        reason="runs another interpreter in child processes: nothing of the listings' own to check",
    ),
]


@pytest.fixture(scope="module")
def ft():
    if not FT_PYTHON.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{FT_PYTHON} is missing: ci/setup.sh should have built it")
        pytest.skip("no free-threaded CPython: run ci/setup.sh (ci/chapters/freethreaded-python.sh)")

    def run(*args, env=None):
        full_env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_GIL", "PYTHONWARNINGS")}
        full_env.update(env or {})
        p = subprocess.run(
            [str(FT_PYTHON), *args], capture_output=True, text=True, timeout=120, env=full_env, cwd=ROOT
        )
        return p

    return run


def test_the_interpreter_is_free_threaded(ft):
    p = ft("-c", "import sys, sysconfig; print(sysconfig.get_config_var('Py_GIL_DISABLED'), sys._is_gil_enabled(),"
                 " *sys.version_info[:2])")
    assert p.returncode == 0, p.stderr
    gil_disabled, gil_enabled, major, minor = p.stdout.split()
    assert (gil_disabled, gil_enabled) == ("1", "False")
    # sys._is_gil_enabled() and Py_mod_gil came with 3.13.
    assert (int(major), int(minor)) >= (3, 13)
    assert p.stderr == ""


def test_a_module_that_declares_nothing_turns_the_gil_back_on(ft):
    p = ft("-c", "import sys, _extmodule; print(sys._is_gil_enabled())")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "True"
    assert WARNING.format("_extmodule") in p.stderr


def test_the_warning_can_be_an_error(ft):
    p = ft("-W", "error::RuntimeWarning", "-c", "import _extmodule")
    assert p.returncode == 1
    assert "RuntimeWarning: The global interpreter lock (GIL) has been enabled to load module '_extmodule'" in p.stderr


@pytest.mark.parametrize("how", [("-X", "gil=0"), ("env",)])
def test_the_user_can_keep_the_gil_off_at_their_own_risk(ft, how):
    code = "import sys, _extmodule; print(sys._is_gil_enabled(), _extmodule.foo())"
    if how == ("env",):
        p = ft("-c", code, env={"PYTHON_GIL": "0"})
    else:
        p = ft(*how, "-c", code)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split()[0] == "False"
    assert "RuntimeWarning" not in p.stderr


def test_a_module_that_declares_py_mod_gil_not_used_keeps_it_off(ft):
    p = ft("-W", "error", "-c", "import sys, clogit; print(sys._is_gil_enabled())")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"
    assert p.stderr == ""


def test_clogit_from_eight_threads_without_a_gil(ft):
    # Eight threads call the ufunc at once, each on its own data, with no GIL
    # to take turns: every result must equal NumPy's own formula.
    code = """
import sys, threading
import numpy as np
import clogit

results = {}
barrier = threading.Barrier(8)

def work(i):
    rng = np.random.default_rng(i)
    p = rng.uniform(0.001, 0.999, 200_000)
    barrier.wait()
    for _ in range(20):
        got = clogit.logit(p)
    with np.errstate(all="ignore"):
        results[i] = np.max(np.abs(got - np.log(p / (1 - p))))

threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(results), max(results.values()), sys._is_gil_enabled())
"""
    p = ft("-W", "error", "-c", code)
    assert p.returncode == 0, p.stderr
    count, worst, gil = p.stdout.split()
    assert count == "8"
    assert float(worst) < 1e-12
    assert gil == "False"


def test_listing_1_1s_own_tests_pass_under_the_free_threaded_build(ft):
    tests = ROOT / "listings" / "ch01-skeleton" / "listing-01-01" / "tests"
    p = ft("-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::RuntimeWarning", str(tests))
    assert p.returncode == 0, p.stdout + p.stderr
    summary = p.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary

