"""The set-up scripts under the Bash that macOS ships, 3.2.57.

No registry this project reaches ships a Bash 3.2 (Debian has 5.2; PyPI,
npm and crates.io have none), so the one these tests use comes from
BOOK_BASH32 (a path) or from the tool cache, bash-3.2.57/bin/bash (built on
this machine from Apple's bash-3.2 source). Without one they are skipped.

They check what ci/checks/portable_shell.py assumes about Bash 3.2 (an
empty "${arr[@]}" under set -u is an error, the guarded form is not,
mapfile does not exist), and run ci/setup.sh --python-only in a scratch
checkout, the helpers of ci/common.sh, and the whole of ci/setup.sh where
set-up has already run (each part then checks and finds what it needs).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def setup_root(tmp_path):
    """A scratch checkout with ci/setup.sh, ci/common.sh, a lock holding only
    the real lock's uv entry, and the real .tools/uv: quick, and the real
    .venv is never touched (as in test_tooling.py)."""
    lines = (ROOT / "ci" / "requirements.lock").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("uv=="))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("#"))
    root = tmp_path / "root"
    (root / "ci").mkdir(parents=True)
    for f in ("setup.sh", "common.sh"):
        (root / "ci" / f).write_text((ROOT / "ci" / f).read_text())
    (root / "ci" / "requirements.lock").write_text("\n".join(lines[start:end]) + "\n")
    (root / ".tools").mkdir()
    (root / ".tools" / "uv").symlink_to(ROOT / ".tools" / "uv")
    return root


def find_bash32():
    if os.environ.get("BOOK_BASH32"):
        return Path(os.environ["BOOK_BASH32"])
    p = subprocess.run(["bash", "-c", "source ci/common.sh; tool_cache"], cwd=ROOT, capture_output=True, text=True)
    cached = Path(p.stdout.strip()) / "bash-3.2.57" / "bin" / "bash"
    return cached if p.returncode == 0 and cached.exists() else None


BASH32 = find_bash32()
pytestmark = pytest.mark.skipif(BASH32 is None, reason="no Bash 3.2 here (BOOK_BASH32, or bash-3.2.57 in the tool cache)")


def bash32(*args, **kw):
    return subprocess.run([str(BASH32), *map(str, args)], capture_output=True, text=True, **kw)


def test_it_is_bash_3_2():
    p = bash32("-c", 'echo "$BASH_VERSION"')
    assert p.stdout.startswith("3.2."), p.stdout


def test_what_the_portability_check_assumes():
    empty = bash32("-c", 'set -u; a=(); printf "[%s]" "${a[@]}"')
    assert empty.returncode != 0 and "a[@]: unbound variable" in empty.stderr
    guarded = bash32("-c", 'set -u; a=(); printf "[%s]" ${a[@]+"${a[@]}"}; echo ok')
    assert guarded.returncode == 0 and guarded.stdout == "[]ok\n", guarded.stderr  # no argument: the format once
    no_args = bash32("-c", 'set -u; f() { printf "<%s>" "$@"; }; f; echo ok')
    assert no_args.stdout == "<>ok\n", no_args.stderr
    for bash4 in ("mapfile -t x < /dev/null", "declare -A m", 'x=A; echo "${x,,}"'):
        assert bash32("-c", f"set -e; {bash4}").returncode != 0, bash4


def test_common_sh_helpers():
    script = r"""
source ci/common.sh
[ "$(printf abc | sha256)" = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ]
[ "$(sha256 ci/common.sh)" = "$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' ci/common.sh)" ]
[ "$(cpu_count)" -ge 1 ]
[ -d "$(tool_cache)" ]
(optional_missing "a tool" "its check" "how to get it") 2>&1
(CI=true optional_missing "a tool" "its check" "how to get it") 2>&1 || echo "status $?"
"""
    p = bash32("-c", script, cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "CI"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.splitlines() == [
        "note: a tool is missing: its check will be skipped; how to get it",
        "error: a tool is missing (how to get it); CI=true needs it for its check",
        "status 1",
    ]


def test_setup_python_only(tmp_path):
    root = setup_root(tmp_path)
    env = dict(os.environ, PATH=f"{Path(BASE_PYTHON).parent}:{os.environ['PATH']}")
    first = bash32(root / "ci" / "setup.sh", "--python-only", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Creating the virtualenv .venv" in first.stdout
    assert (root / ".venv" / "bin" / "python").exists()
    again = bash32(root / "ci" / "setup.sh", "--python-only", env=env)
    assert again.returncode == 0 and "Creating" not in again.stdout, again.stdout + again.stderr


def test_the_chapter_scripts_list_their_packages():
    for script in ("ci/chapters/debug-tools.sh", "ci/chapters/freethreaded-python.sh"):
        p = bash32(script, "--packages", cwd=ROOT)
        assert p.returncode == 0, script + p.stderr


@pytest.mark.skipif(not (ROOT / ".tools" / "bin" / ".book-tools").exists(), reason="set-up has not run in this checkout")
def test_the_whole_setup_once_it_has_run():
    p = bash32("ci/setup.sh", cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "CI"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "error" not in p.stderr and "unbound variable" not in p.stderr, p.stderr
    assert "syntax error" not in p.stderr, p.stderr
