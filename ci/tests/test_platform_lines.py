"""ci/common.sh on the platforms readers have, seen through a `uname` that
says so: a Windows shell (Git Bash, MSYS2, Cygwin) stops with one line
pointing to WSL 2; macOS gets one line, once per run of nested scripts,
naming the chapter outputs that need Linux."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def with_uname(tmp_path, answer, script):
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "uname").write_text(f'#!/bin/sh\n[ "$1" = -s ] && {{ echo "{answer}"; exit 0; }}\nexec /bin/uname "$@"\n')
    (shim / "uname").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "BOOK_PLATFORM_NOTED"}
    env["PATH"] = f"{shim}:{env['PATH']}"
    return subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, env=env)


@pytest.mark.parametrize("answer", ["MINGW64_NT-10.0-19045", "MSYS_NT-10.0-19045", "CYGWIN_NT-10.0-19045"])
def test_a_windows_shell_is_sent_to_wsl(tmp_path, answer):
    p = with_uname(tmp_path, answer, 'source ci/common.sh; echo "not reached"')
    assert p.returncode == 2
    assert p.stdout == ""
    (line,) = p.stderr.splitlines()
    assert line.startswith("error: ") and "WSL 2" in line, line


def test_macos_gets_one_line_for_nested_scripts(tmp_path):
    p = with_uname(tmp_path, "Darwin",
                   'source ci/common.sh; bash -c "source ci/common.sh; echo inner"; echo outer')
    assert p.returncode == 0, p.stderr
    assert p.stdout == "inner\nouter\n"
    (line,) = p.stderr.splitlines()
    assert line.startswith("note: macOS:")
    for chapter in ("chapter 2", "chapter 3", "chapter 7"):
        assert chapter in line, line


def test_linux_says_nothing(tmp_path):
    p = with_uname(tmp_path, "Linux", "source ci/common.sh; echo ok")
    assert p.returncode == 0 and p.stdout == "ok\n" and p.stderr == ""
