"""The linux job of .github/workflows/ci.yml, rehearsed on this machine.

That job cannot run here, so its three conditions that differ from a
contributor's machine are played here:

* the checkout belongs to another user while the steps run as root (GitHub
  bind-mounts it into the container): git refuses it until it is trusted,
  and the scripts that call git must say so clearly; the workflow's own
  safe.directory line (read from ci.yml) must make them work;
* CARGO_HOME is /usr/local/cargo, not ~/.cargo: the link check must find the
  crates' sources there;
* the Rust image has no clippy and no rustfmt: set-up must stop at once,
  in one line that says how to get them.

Each takes a few seconds. Playing the first needs root (to give a copy of
the repository to another user): without root it is skipped, except with
CI=true, where it fails.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml  # PyYAML

ROOT = Path(__file__).resolve().parents[2]
CI_YML = ROOT / ".github" / "workflows" / "ci.yml"
NOBODY = 65534  # the uid of `nobody`: any user but root will do

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="runs git, shellcheck and set-up in child processes: nothing of the listings' own to check")


def needs(what, ok, reason):
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what}: {reason}")
        pytest.skip(f"{what}: {reason}")


def linux_job():
    return yaml.safe_load(CI_YML.read_text())["jobs"]["linux"]


def trust_step():
    """The run: line of the linux job that trusts the checkout."""
    (run,) = [s["run"] for s in linux_job()["steps"] if "safe.directory" in s.get("run", "")]
    return run


def clean_env(home, **extra):
    """The environment of a container step: a HOME of its own, and no git
    configuration but the one this rehearsal writes there."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") and k not in ("XDG_CONFIG_HOME", "HOME")}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


@pytest.fixture(scope="module")
def foreign_checkout(tmp_path_factory):
    """A git repository of the work tree's files (as `git ls-files` lists
    them, uncommitted changes included), owned by `nobody`, with set-up's
    .venv beside it (as when the test command's lint step runs)."""
    needs("the foreign-checkout rehearsal", os.geteuid() == 0, "needs root, to give a copy to another user")
    needs("the foreign-checkout rehearsal", (ROOT / ".venv" / "bin" / "shellcheck").exists(),
          "needs set-up's .venv (shellcheck, actionlint): run ci/setup.sh")
    base = tmp_path_factory.mktemp("hosted")
    repo = base / "__w" / "book" / "book"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        src = ROOT / name
        if src.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / name)
    git = ["git", "-c", "user.name=rehearsal", "-c", "user.email=rehearsal@localhost"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "the checkout"], cwd=repo, check=True)
    for d, dirs, files in os.walk(repo):
        for n in [d, *(os.path.join(d, f) for f in dirs + files)]:
            os.lchown(n, NOBODY, NOBODY)
    # Made by set-up in the real job; here the work tree's own, read only.
    (repo / ".venv").symlink_to(ROOT / ".venv")
    return repo


def test_git_refuses_the_foreign_checkout_and_the_lint_says_why(foreign_checkout, tmp_path):
    env = clean_env(tmp_path / "home", PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}")
    (tmp_path / "home").mkdir()
    p = subprocess.run(["git", "ls-files"], cwd=foreign_checkout, env=env, capture_output=True, text=True)
    assert p.returncode != 0 and "dubious ownership" in p.stderr, (
        "git accepted a repository owned by another user: this rehearsal needs git 2.35.2 or later "
        f"(the container has 2.39): {p.stderr}")
    p = subprocess.run(["bash", "ci/checks/lint-workflows.sh"], cwd=foreign_checkout, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stdout + p.stderr
    assert f"error: lint-workflows: `git ls-files` failed in {foreign_checkout}" in p.stderr, p.stderr
    assert "dubious ownership" in p.stderr
    assert "git config --global --add safe.directory" in p.stderr
    assert "no shell scripts found" not in p.stderr
    # The book's guard over its sources says the same, not a traceback.
    p = subprocess.run([sys.executable, "ci/checks/tree_guard.py", "snapshot", str(tmp_path / "guard.json")],
                       cwd=foreign_checkout, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and "`git status` failed" in p.stderr and "dubious ownership" in p.stderr, p.stderr


def test_the_workflows_safe_directory_line_lets_every_git_user_work(foreign_checkout, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, GITHUB_WORKSPACE=str(foreign_checkout),
                    PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}")
    # The step as the workflow has it, run as GitHub runs a step (bash -e).
    p = subprocess.run(["bash", "-e", "-c", trust_step()], cwd=foreign_checkout, env=env,
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    # It wrote the trust into HOME, which lasts for the whole job.
    assert str(foreign_checkout) in (home / ".gitconfig").read_text()

    # ci/test.sh's step 1: shellcheck and actionlint over what git lists.
    p = subprocess.run(["bash", "ci/checks/lint-workflows.sh"], cwd=foreign_checkout, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"lint-workflows: \d+ shell script\(s\) pass shellcheck", p.stdout)
    # The listings archive (ci/listing-tools/pack-listings.sh) lists files with git.
    p = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                        "listings", "ci/requirements.txt"], cwd=foreign_checkout, env=env, capture_output=True)
    assert p.returncode == 0 and b"ci/requirements.txt" in p.stdout, p.stderr
    # The book's guard over its sources (git status, ci/book.sh and ci/test.sh),
    # and bookrun's dependencies on folders (git ls-files).
    p = subprocess.run([sys.executable, "ci/checks/tree_guard.py", "snapshot", str(tmp_path / "guard.json")],
                       cwd=foreign_checkout, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, 'ci/chapters'); import bookrun; "
                        "print(len(bookrun.git_files()))"], cwd=foreign_checkout, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and int(p.stdout) > 100, p.stderr


def test_the_link_check_finds_crate_sources_under_CARGO_HOME(tmp_path):
    # As in the rust image: the registry is under CARGO_HOME, and ~/.cargo
    # (here an empty HOME) has none.
    sys.path.insert(0, str(ROOT / "ci" / "checks"))
    try:
        from check_links import pinned_versions
    finally:
        sys.path.pop(0)
    crates, _ = pinned_versions()
    (numpy_crate,) = crates["numpy"]
    cargo_home = tmp_path / "usr-local-cargo"
    src = cargo_home / "registry" / "src" / "index.crates.io-0000000000000000" / f"numpy-{numpy_crate}" / "src"
    src.mkdir(parents=True)
    (src / "lib.rs").write_text("pub struct PyArray<T, D>(T, D);\n")
    html = tmp_path / "html"
    html.mkdir()

    def check(item, **env):
        (html / "index.html").write_text(
            f"<a href='https://docs.rs/numpy/{numpy_crate}/numpy/struct.{item}.html'>x</a>")
        return subprocess.run([sys.executable, str(ROOT / "ci" / "checks" / "check_links.py"), str(html)],
                              env=clean_env(tmp_path / "home", **env), capture_output=True, text=True, timeout=60)

    (tmp_path / "home").mkdir()
    p = check("PyArray", CARGO_HOME=str(cargo_home), CI="true")
    assert p.returncode == 0, p.stderr
    p = check("NoSuchArray", CARGO_HOME=str(cargo_home), CI="true")
    assert p.returncode == 1
    assert f"struct NoSuchArray is not defined in numpy {numpy_crate}'s source" in p.stderr
    # Without CARGO_HOME, ~/.cargo is empty: the deep link cannot be checked,
    # which is a note outside CI and an error with CI=true.
    p = check("NoSuchArray", CI="false")
    assert p.returncode == 0, p.stderr
    assert f"note: the source of numpy {numpy_crate} is not in {tmp_path / 'home' / '.cargo'}" in p.stderr
    p = check("NoSuchArray", CI="true")
    assert p.returncode == 1
    assert f"links: the source of numpy {numpy_crate} is not in" in p.stderr


@pytest.mark.parametrize("missing, component", [("clippy", "clippy"), ("fmt", "rustfmt")])
def test_set_up_stops_at_once_without_clippy_or_rustfmt(tmp_path, missing, component):
    cargo = shutil.which("cargo")
    needs("the Rust rehearsal", cargo, "cargo is not on PATH")
    for sub in ("clippy", "fmt"):  # the premise: the real ones work, so the failure below is the stub's
        assert subprocess.run([cargo, sub, "--version"], capture_output=True).returncode == 0, f"cargo {sub}"
    lock = ROOT / "ci" / "requirements.lock"
    stamp = ROOT / ".venv" / ".requirements"
    needs("the Rust rehearsal", stamp.exists() and stamp.read_text().strip()
          == hashlib.sha256(lock.read_bytes()).hexdigest()[:16] and (ROOT / ".tools" / "uv" / "bin" / "uv").exists(),
          "needs set-up's .venv and .tools/uv for the current lock: run ci/setup.sh")
    # A copy of ci/ that reuses the work tree's .venv and .tools, so set-up's
    # Python part finds everything in place and reaches the Rust check in a
    # second; and a cargo that is rustup's minimal profile without `missing`.
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "ci", work / "ci", ignore=shutil.ignore_patterns("__pycache__"))
    (work / ".venv").symlink_to(ROOT / ".venv")
    (work / ".tools").symlink_to(ROOT / ".tools")
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "cargo").write_text(textwrap.dedent(f"""\
        #!/bin/sh
        if [ "$1" = {missing} ]; then
            echo "error: 'cargo-{missing}' is not installed for the toolchain '1.95-x86_64-unknown-linux-gnu'." >&2
            echo "To install, run \\`rustup component add {component}\\`" >&2
            exit 1
        fi
        exec "{cargo}" "$@"
        """))
    (stub / "cargo").chmod(0o755)
    # set-up takes the first python3 on PATH: the one .venv was made from.
    base = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    (stub / "python3").symlink_to(base)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYENV_VERSION")}
    env["PATH"] = f"{stub}:{env['PATH']}"
    t0 = time.monotonic()
    p = subprocess.run(["bash", "ci/setup.sh"], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - t0
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stderr.strip().splitlines()[-1] == f"error: cargo {missing} is missing: rustup component add clippy rustfmt"
    # Early: nothing was installed before it (set-up's steps print "==>").
    assert "==>" not in p.stdout, p.stdout
    assert seconds < 30, f"set-up took {seconds:.0f} s to notice"
