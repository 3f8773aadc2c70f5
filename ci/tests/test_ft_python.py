"""ci/chapters/freethreaded-python.sh with the reader's own interpreter
(FT_PYTHON): .tools/venv-ft is made from it, remembered, made again when
the lock changes; FT_PYTHON=none skips with a note (an error with CI=true);
an interpreter that is not free-threaded is refused in one line.

Runs in a scratch checkout (the script, ci/common.sh, the lock, listings
1-1 and 9-2, the real .tools/uv), with the free-threaded interpreter that
the real .tools/venv-ft was made from as "the reader's own"; skipped when
set-up made none here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_FT = ROOT / ".tools" / "venv-ft" / "bin" / "python"
LISTINGS = ("listings/ch01-skeleton/listing-01-01", "listings/ch09-ufuncs/listing-09-02")


def base_of(python):
    p = subprocess.run([python, "-c", "import os, sys; print(os.path.realpath(sys._base_executable))"],
                       capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


FT = base_of(VENV_FT) if VENV_FT.exists() else None
pytestmark = pytest.mark.skipif(FT is None, reason="no free-threaded CPython here (set-up makes .tools/venv-ft)")


@pytest.fixture
def scratch(tmp_path):
    root = tmp_path / "root"
    (root / "ci" / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "ci" / "common.sh", root / "ci")
    shutil.copy(ROOT / "ci" / "requirements.lock", root / "ci")
    shutil.copy(ROOT / "ci" / "chapters" / "freethreaded-python.sh", root / "ci" / "chapters")
    for listing in LISTINGS:
        shutil.copytree(ROOT / listing, root / listing, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    (root / ".tools").mkdir()
    (root / ".tools" / "uv").symlink_to(ROOT / ".tools" / "uv")
    return root


def ft_script(root, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("CI", "FT_PYTHON")}
    full.update(env)
    return subprocess.run(["bash", root / "ci" / "chapters" / "freethreaded-python.sh"], capture_output=True,
                          text=True, env=full)


def test_the_readers_own_interpreter_is_used_and_remembered(scratch):
    first = ft_script(scratch, FT_PYTHON=FT)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Making .tools/venv-ft for the free-threaded Python" in first.stdout
    assert "Building free-threaded CPython" not in first.stdout
    venv = scratch / ".tools" / "venv-ft"
    assert (venv / ".origin").read_text() == f"FT_PYTHON={FT}\n"
    assert base_of(venv / "bin" / "python") == FT
    p = subprocess.run([venv / "bin" / "python", "-c", "import sys, clogit, _extmodule, numpy, pytest; "
                        "print(sys._is_gil_enabled())"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout == "True\n", p.stderr  # _extmodule turned the GIL on
    # Nothing the build wrote is left in the listings.
    for listing in LISTINGS:
        assert not list((scratch / listing).glob("*.egg-info")) and not (scratch / listing / "build").exists()
    # Later runs, without FT_PYTHON: the same interpreter, nothing made again.
    again = ft_script(scratch)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == "", again.stdout + again.stderr
    # A changed lock: the virtualenv is made again, from the remembered interpreter.
    lock = scratch / "ci" / "requirements.lock"
    lock.write_text("# changed\n" + lock.read_text())
    changed = ft_script(scratch)
    assert changed.returncode == 0 and "Making .tools/venv-ft" in changed.stdout, changed.stdout + changed.stderr
    assert (venv / ".origin").read_text() == f"FT_PYTHON={FT}\n"


def test_an_interpreter_with_the_gil_is_refused_in_one_line(scratch):
    p = ft_script(scratch, FT_PYTHON=sys.executable)
    assert p.returncode == 1
    (line,) = p.stderr.splitlines()
    assert line.startswith("error: ") and "is not a free-threaded CPython 3.13 or newer" in line, line
    assert not (scratch / ".tools" / "venv-ft").exists()
    missing = ft_script(scratch, FT_PYTHON=str(scratch / "no-such-python"))
    assert missing.returncode == 1 and missing.stderr.startswith("error: FT_PYTHON=") and "does not run" in missing.stderr


def test_none_is_a_note_and_an_error_under_ci(scratch):
    p = ft_script(scratch, FT_PYTHON="none")
    assert p.returncode == 0
    (line,) = p.stderr.splitlines()
    assert line.startswith("note: a free-threaded CPython is missing:") and "FT_PYTHON=none" in line, line
    ci = ft_script(scratch, FT_PYTHON="none", CI="true")
    assert ci.returncode == 1 and ci.stderr.startswith("error: a free-threaded CPython is missing"), ci.stderr
