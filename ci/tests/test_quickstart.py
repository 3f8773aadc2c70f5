"""The quick start (src/quick-start.md), run as a reader runs it.

ci/chapters/quickstart.py executes listings/ch00-quick-start/steps.sh in an
empty folder (target/quickstart/work, emptied first: a fixed path keeps the
shared cargo target dirs warm), with the book's virtualenv off PATH. This test
runs the same steps afresh, stores the transcript for the book, and checks
what each step must have done.
"""

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LISTING = ROOT / "listings" / "ch00-quick-start"


def load_runner():
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "ci" / "chapters" / "quickstart.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def result():
    return load_runner().cached(fresh=True)


def output(result, prefix):
    """The output of the one command that starts with `prefix`."""
    found = [o for _, c, o in result["steps"] if c.startswith(prefix)]
    assert len(found) == 1, f"{len(found)} commands start with {prefix!r}"
    return found[0]


def test_every_step_ran(result):
    assert result["ok"], f"failed at {result['failed']!r}:\n" + load_runner().transcript(result)
    shown = [c for _, c, _ in result["steps"]]
    expected = [c for _, cs in load_runner().blocks() for c in cs]
    assert shown == expected


def test_pins_match_the_book():
    """The versions the reader installs are the ones the book tests."""
    steps = (LISTING / "steps.sh").read_text()
    reqs = dict(re.findall(r"^([\w-]+)==(\S+)", (ROOT / "ci" / "requirements.txt").read_text(), re.M))
    for name, version in re.findall(r"\b(maturin|numpy|pytest)==(\S+)", steps):
        assert reqs[name] == version, f"steps.sh installs {name} {version}, ci/requirements.txt pins {reqs[name]}"
    with open(ROOT / "listings/ch01-skeleton/listing-01-02/Cargo.toml", "rb") as f:
        deps = tomllib.load(f)["dependencies"]
    for name in ("pyo3", "numpy"):
        assert f"{name}@{deps[name]}" in steps, f"steps.sh should `cargo add {name}@{deps[name]}`"


def test_init_generates_what_the_page_says(result):
    """The page fixes the pyo3 version maturin writes and says it adds no
    extension-module feature: if a new maturin changes that, rewrite the page."""
    cargo = output(result, "cat Cargo.toml")
    assert re.search(r'^pyo3 = "0\.29\.\d+"$', cargo, re.M), cargo
    assert "extension-module" not in cargo


def test_dependencies_fixed(result):
    deps = output(result, "grep -A3")
    assert 'pyo3 = "0.30.1"' in deps and 'numpy = "0.30.0"' in deps, deps
    assert "extension-module" not in deps


def test_develop_build_and_values(result):
    assert "🛠 Installed ewma-0.1.0" in output(result, "maturin develop --release")
    assert output(result, "python -c").strip() == "[1.    1.5   2.25  3.125]"


def test_pytest_passes(result):
    out = output(result, "python -m pytest")
    assert re.search(r"^5 passed\b", out, re.M) and "failed" not in out, out


def test_rust_beats_the_python_loop(result):
    """timeit prints "N loops, best of 5: T usec per loop"."""
    scale = {"nsec": 1e-9, "usec": 1e-6, "msec": 1e-3, "sec": 1.0}

    def seconds(out):
        m = re.search(r"best of \d+: ([\d.]+) (nsec|usec|msec|sec) per loop", out)
        assert m, out
        return float(m[1]) * scale[m[2]]

    rust = seconds(output(result, 'python -m timeit -s "import numpy as np, ewma'))
    python = seconds(output(result, 'python -m timeit -s "import numpy as np; from tests'))
    assert python > 10 * rust, (rust, python)


def test_pip_install_into_a_fresh_venv(result):
    assert output(result, "fresh/bin/python -c").strip() == "[0.         0.25       0.6875     1.265625   1.94921875]"
    # The isolated build really built a wheel, in the fresh virtualenv.
    site = list((ROOT / "target/quickstart/work/fresh/lib").glob("python3*/site-packages"))
    assert site and list(site[0].glob("ewma/ewma.*.so")), "no compiled ewma in the fresh virtualenv"


def test_page_shows_every_step_and_file():
    """Each block of steps.sh is embedded by the page, and each file the
    reader writes is included by it: the page cannot skip a step."""
    page = (ROOT / "src" / "quick-start.md").read_text()
    shown = set(re.findall(r"quickstart\.py show (\w+) -->", page))
    for name, lines in load_runner().blocks():
        commands = [c for c in lines if not c.startswith("#: ")]
        writes = [c.split()[-1] for c in lines if c.startswith("#: ")]
        assert not commands or name in shown, f"block {name!r} of steps.sh is not shown by src/quick-start.md"
        for source in writes:
            assert f"{{{{#include ../listings/ch00-quick-start/{source}}}}}" in page, f"{source} is not included"
