"""Listing 11-1: typedstats through the test kit (npkit.py, beside this file).

The declaration is ../gate.toml (the book's name for it; npkit reads any
TOML file in that format). Each bad-input case runs in a child process, so a
crash or a hang fails one case and names it.

In your project, `pytest_plugins = ["npkit"]` in tests/conftest.py registers
the kit's fixture (the last test checks that). The book runs every listing's
tests in one pytest session, where a nested conftest.py cannot register
plugins, so this file imports the fixture instead.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so that `import npkit` finds the copy here
import npkit  # noqa: E402
from npkit import npkit_run  # noqa: E402, F401 - the kit's fixture

if os.environ.get("BOOK_UNDER_VALGRIND") == "1":
    pytest.skip("starts a child process per module and runs Hypothesis: the gate's "
                "in-process run covers these cases under valgrind", allow_module_level=True)

# ANCHOR: kit
DECL = npkit.load(Path(__file__).parent.parent / "gate.toml")


@pytest.mark.parametrize("function,case", npkit.matrix(DECL))
def test_bad_input(function, case, npkit_run):  # noqa: F811 - the fixture
    ok, detail = npkit_run(DECL, function, case)
    assert ok, detail


@pytest.mark.parametrize("function", npkit.with_reference(DECL))
def test_matches_numpy(function):
    assert npkit.check_reference(DECL, function) > 0


def test_every_export_is_declared():
    import typedstats

    assert npkit.problems(DECL, typedstats) == []
# ANCHOR_END: kit


def test_the_matrix_covers_what_the_chapter_lists():
    names = {c.name for c in npkit.cases(DECL.functions["rms"])}
    assert {"dtype:a", "list:a", "none:a", "empty0:a", "nan:a", "inf:a", "reversed:a",
            "strided:a", "misaligned:a", "readonly:a", "huge:a", "ndim+1:a"} <= names
    names = {c.name for c in npkit.cases(DECL.functions["scale"])}
    assert {"nan:factor", "notfloat:factor", "extra-arg"} <= names


def test_the_kit_works_as_a_plugin_in_a_fresh_project(tmp_path):
    """What the chapter tells readers: copy npkit.py into tests/, put the
    declaration beside it, one line in tests/conftest.py, and run pytest."""
    import shutil
    import subprocess

    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(Path(__file__).parent / "npkit.py", tests)
    shutil.copy(Path(__file__).parent.parent / "gate.toml", tests / "npkit.toml")
    (tests / "conftest.py").write_text('pytest_plugins = ["npkit"]\n')
    (tests / "test_mine.py").write_text(
        "from pathlib import Path\n"
        "import pytest\n"
        "import npkit\n"
        "DECL = npkit.load(Path(__file__).parent / 'npkit.toml')\n"
        "@pytest.mark.parametrize('function,case', npkit.matrix(DECL))\n"
        "def test_bad_input(function, case, npkit_run):\n"
        "    ok, detail = npkit_run(DECL, function, case)\n"
        "    assert ok, detail\n"
    )
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"{len(npkit.matrix(DECL))} passed" in p.stdout
