"""The archive of every listing, as a reader gets it.

ci/listing-tools/pack_listings.py packs it; this test unpacks it into an
empty folder outside the repository, builds every listing there as its
README says (`maturin develop --release`, with --locked, or `pip install
--no-build-isolation .` for a C listing; a listing that fails to compile on
purpose is left to its tests) into a throw-away virtualenv made by uv from
ci/requirements.lock, and runs each listing's own tests there (`python -m
pytest tests` in its folder). The book's .venv is left alone: the
archive's modules have the same names as the book's, and would replace them
there. Nothing of ci/ but ci/requirements.txt is in the unpacked tree, and
the environment leads nowhere near the repository: no PYTHONPATH, no ROOT
or VENV, no path into the repository, and CI=true without
BOOK_REQUIRE_TOOLS, as in a reader's own CI (a missing optional tool skips
there). So a test that reaches into ../../../ci/ fails here, and the
failure names the listing.

This is where ci/test.sh runs the listings' tests: once, from the archive,
not a second time in the repository (the book's .venv still gets every
listing, built from listings/, for the gate, the valgrind suite and the
book). So the book's own CI setting comes along: with BOOK_REQUIRE_TOOLS=1
(CI=true in ci/common.sh) a missing optional tool fails instead of skipping,
and memray, which the lock does not hold, is installed into the virtualenv
at the version the book's set-up installs, as a reader would (`pip install
memray`). BOOK_CPYTHONS, when set, comes along too.

Cost. Compiled dependencies are kept between runs: the unpacked tree's
target/ is a link to target/archive/target of the repository, where cargo
builds every listing (CARGO_TARGET_DIR=target/listings of the tree, as the
repository's own .cargo/config.toml has it) and where the listings' tests
keep what they cache (listing 6-5's cargo build, chapter 7's wheels,
chapter 3's valgrind reports). Chapter 3's baseline suppressions are the
ones the valgrind suite makes beside these tests, handed over
(valgrind_baseline()), not made a second time. The tree and the virtualenv keep one path
from run to run, in the system's temporary folder, because pyo3 builds
again whenever the interpreter's path (PYO3_PYTHON) changes, and cargo keys
each listing by its path: so pyo3 and NumPy compile once, and a listing is
compiled again only when one of its files changed (each file keeps the time
it had in the previous run unless its content changed; see unpack()).
Builds run one after another (cargo locks its target folder); the tests
of a chapter whose listings are built run meanwhile, two chapters at a time
(the listings of one chapter one after another: they may share what the
chapter's tools cache). A listing whose tests fail runs them again, alone,
at the end (timing-sensitive tests on a busy machine). Each step's output
is in target/archive/logs/, and target/archive/progress.log says what ran
when.
"""

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKER = ROOT / "ci" / "listing-tools" / "pack_listings.py"
LOCK = ROOT / "ci" / "requirements.lock"
PREFIX = "numpy-extensions-in-rust"
# Kept between runs (git-ignored, and cached by the hosted CI with target/).
STATE = ROOT / "target" / "archive"
# One stable place per clone, outside it: the unpacked tree and the venv.
OUTSIDE = Path(tempfile.gettempdir()) / f"nerb-archive-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]}"
# Seconds. A warm run takes a few minutes; the first one in a new clone
# compiles pyo3 and NumPy and runs chapter 3's valgrind runs (about ten
# minutes on two cores), all in the set-up of the first test, so the tests
# that use it get a longer limit than ci/pytest.ini's 600.
STEP_TIMEOUT = 900
# Listings' tests run this many at a time, beside the builds.
TEST_WORKERS = 2
FIRST_RUN_TIMEOUT = 2400

spec = importlib.util.spec_from_file_location("book_listings_archive", ROOT / "ci" / "listing-tools" / "book_listings.py")
bl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bl)

LISTINGS = [d.relative_to(ROOT).as_posix() for d in bl.listings()]

pytestmark = pytest.mark.skipif(
    os.environ.get("BOOK_UNDER_VALGRIND") == "1",
    reason="builds and tests every listing in a fresh tree: nothing of a module's own memory use to check",
)


def progress(line, rel=None, log=None):
    """target/archive/progress.log: what the set-up is doing, as it does it;
    each step's output in target/archive/logs/."""
    with open(STATE / "progress.log", "a") as f:
        f.write(f"{time.strftime('%H:%M:%S')} {line}\n")
    if log is not None:
        (STATE / "logs").mkdir(exist_ok=True)
        with open(STATE / "logs" / (rel.replace("/", "__") + ".log"), "a") as f:
            f.write(log)


def pack(out):
    p = subprocess.run([sys.executable, PACKER, "--out", out], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert Path(p.stdout.strip()) == Path(out).resolve()
    return Path(out)


def unpack(archive, dest):
    """Unpack ARCHIVE into DEST (which must be empty), as `tar xzf` would, but
    with file times that let cargo reuse its work safely: a file keeps the
    time it was given in the previous run when its content is the same, and
    gets the current time when it is new or changed (the archive's own time is
    one constant, which would make cargo take an edited file for an old one)."""
    assert dest.is_dir() and not any(dest.iterdir()), dest
    record_path = STATE / "times.json"
    try:
        before = json.loads(record_path.read_text())
    except (OSError, ValueError):
        before = {}
    now = time.time()
    after = {}
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        # The "data" filter (Python 3.11.4 and later) refuses links and paths
        # that leave DEST.
        tar.extractall(dest, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    for m in members:
        if not m.isfile():
            continue
        path = dest / m.name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        old = before.get(m.name)
        stamp = old[1] if old and old[0] == digest else now
        os.utime(path, (stamp, stamp))
        after[m.name] = [digest, stamp]
    STATE.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(after))
    return members


def reader_env(venv, tree):
    """The environment of a reader who unpacked the archive: nothing that
    names the repository, nothing of the book's own settings."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "CONDA_PREFIX",
            "BOOK_UNDER_VALGRIND", "GATE_IN_PROCESS", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_TIMEOUT",
            "CARGO_TARGET_DIR", "VALGRIND_REPORT_CACHE", "VALGRIND_BASELINE"}
    env = {k: v for k, v in os.environ.items()
           if k not in drop and not k.startswith(("PYO3_", "MATURIN_", "BOOKRUN_")) and str(ROOT) not in v}
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and str(ROOT) not in p]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    # Where the repository's .cargo/config.toml would put builds, in the tree.
    env["CARGO_TARGET_DIR"] = str(tree / "target" / "listings")
    # A reader's CI: CI=true. BOOK_REQUIRE_TOOLS=1 stays when the book's
    # CI set it (these are the only runs of the listings' tests there).
    env["CI"] = "true"
    env["CARGO_TERM_COLOR"] = "never"
    return env


def valgrind_baseline(rels):
    """{"VALGRIND_BASELINE": FILE} for chapter 3's listings, where valgrind is
    installed: the baseline suppressions that the book's valgrind suite makes
    (ci/valgrind/suite.sh, beside these tests; this waits for it), copied
    outside the repository. They come from the same Python, NumPy and
    known-good runs, and name functions, not paths: making them a second
    time here would cost some two and a half minutes of valgrind for the
    same file. A reader's run makes its own (valgrind_report.py baseline),
    and the valgrind suite checks that path in the repository."""
    if not any(rel.startswith("listings/ch03-") for rel in rels) or shutil.which("valgrind") is None:
        return {}
    p = subprocess.run([sys.executable, ROOT / "listings" / "ch03-valgrind" / "valgrind_report.py", "baseline"],
                       capture_output=True, text=True, timeout=FIRST_RUN_TIMEOUT)
    assert p.returncode == 0, f"valgrind_report.py baseline (the repository's) failed:\n{p.stdout}{p.stderr}"
    OUTSIDE.mkdir(parents=True, exist_ok=True)
    copy = OUTSIDE / "baseline.supp"
    shutil.copyfile(p.stdout.strip().splitlines()[-1], copy)
    progress(f"chapter 3: the valgrind suite's baseline suppressions handed over ({copy})")
    return {"VALGRIND_BASELINE": str(copy)}


def run(cmd, cwd, env, timeout=None):
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors="replace", timeout=timeout)
        status, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        status, out = "timeout", (e.stdout or b"").decode(errors="replace") + f"\n(stopped after {timeout} s)"
    return status, out, time.monotonic() - start


def build_command(listing):
    if bl.kind(listing) == "c":
        return ["python", "-m", "pip", "install", "--quiet", "--no-build-isolation", "."]
    if bl.fails_to_compile(listing):
        return None  # its tests run the failing build themselves
    # --locked: a Cargo.lock that is not up to date fails, not resolved again.
    return ["maturin", "develop", "--release", "--locked"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return pack(tmp_path_factory.mktemp("dist") / "listings.tar.gz")


@pytest.fixture(scope="module")
def unpacked(archive):
    """The unpacked tree, the virtualenv, the environment; and the results of
    building every listing and running its tests, {listing: (stage, status, log, seconds)}."""
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "progress.log").write_text("")
    shutil.rmtree(STATE / "logs", ignore_errors=True)
    if OUTSIDE.exists():
        shutil.rmtree(OUTSIDE)
    (OUTSIDE / "tree").mkdir(parents=True)
    members = unpack(archive, OUTSIDE / "tree")
    tree = OUTSIDE / "tree" / PREFIX
    names = {m.name for m in members}
    # Build output kept between runs (see the docstring).
    (STATE / "target").mkdir(parents=True, exist_ok=True)
    (tree / "target").symlink_to(STATE / "target", target_is_directory=True)

    venv = OUTSIDE / "venv"
    uv = os.environ.get("UV") or shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    base = os.path.realpath(sys.executable)
    for cmd in ([uv, "venv", "-q", "--python", base, venv],
                [uv, "pip", "sync", "-q", "--require-hashes", "--python", venv / "bin" / "python", LOCK]):
        p = subprocess.run(cmd, capture_output=True, text=True)
        assert p.returncode == 0, f"{cmd}: {p.stdout}{p.stderr}"
    if os.environ.get("BOOK_REQUIRE_TOOLS") == "1":
        # Chapter 3's memray comparison must run, not skip (see the docstring).
        version = re.search(r"^MEMRAY_VERSION=(\S+)$", (ROOT / "ci" / "valgrind" / "suite.sh").read_text(), re.M)
        cmd = [uv, "pip", "install", "-q", "--python", venv / "bin" / "python", f"memray=={version.group(1)}"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        assert p.returncode == 0, f"{cmd}: {p.stdout}{p.stderr}"
    env = reader_env(venv, tree)
    progress(f"unpacked into {tree}, virtualenv {venv} made")

    results, lock = {}, threading.Lock()

    def test_chapter(rels):
        # The listings of one chapter one after another: they may share what
        # the chapter's tools cache (chapter 3's baseline, say).
        cenv = dict(env, **valgrind_baseline(rels))
        for rel in rels:
            # -rs: the reasons of the skips, in the log.
            status, out, secs = run(["python", "-m", "pytest", "tests", "-rs"], tree / rel, cenv, timeout=STEP_TIMEOUT)
            progress(f"{rel}: tests {'passed' if status == 0 else f'FAILED ({status})'} in {secs:.0f}s", rel, out)
            with lock:
                results[rel] = ("tests", status, out, secs)

    chapters = {}
    for rel in LISTINGS:
        chapters.setdefault(rel.split("/")[1], []).append(rel)
    # The chapters whose tests took longest in the previous run are built
    # first, so that their tests start first and the two test processes end
    # together.
    try:
        before = json.loads((STATE / "timings.json").read_text())["tests"]
    except (OSError, ValueError, KeyError):
        before = {}
    chapters = dict(sorted(chapters.items(), key=lambda kv: -sum(before.get(rel, 0) for rel in kv[1])))
    start = time.monotonic()
    builds = {}
    with ThreadPoolExecutor(max_workers=TEST_WORKERS) as pool:
        for rels in chapters.values():
            built = []
            for rel in rels:
                cmd = build_command(ROOT / rel)
                if cmd is not None:
                    status, out, secs = run(cmd, tree / rel, env, timeout=STEP_TIMEOUT)
                    builds[rel] = secs
                    progress(f"{rel}: built in {secs:.0f}s" if status == 0 else f"{rel}: build FAILED ({status})",
                             rel, out)
                    if status != 0:
                        results[rel] = ("build", status, out, secs)
                        continue
                built.append(rel)
            pool.submit(test_chapter, built)
    # Some listings' tests give a process a few seconds to answer (chapter
    # 11's kit: 5 s), which two test runs at once on a busy machine can miss.
    # A listing whose tests failed runs them again, alone: what the archive
    # lacks fails twice, and the failure shows both runs.
    for rel in [r for r, v in results.items() if v[0] == "tests" and v[1] != 0]:
        first = results[rel]
        status, out, secs = run(["python", "-m", "pytest", "tests", "-rs"], tree / rel, env, timeout=STEP_TIMEOUT)
        progress(f"{rel}: tests run again, alone: {'passed' if status == 0 else f'FAILED ({status})'} in {secs:.0f}s",
                 rel, out)
        if status != 0:
            out = f"{first[2][-3000:]}\n--- run again, alone, after the others:\n{out}"
        results[rel] = ("tests", status, out, first[3] + secs)
    total = time.monotonic() - start
    progress(f"all listings built and tested in {total:.0f}s")
    (STATE / "timings.json").write_text(json.dumps(
        {"total": total, "builds": builds, "tests": {k: v[3] for k, v in results.items() if v[0] == "tests"}},
        indent=1))
    yield {"tree": tree, "names": names, "env": env, "venv": venv, "results": results}
    # Kept after a failure, to look into (the failure names the folder).
    if all(r[0] == "tests" and r[1] == 0 for r in results.values()):
        shutil.rmtree(OUTSIDE, ignore_errors=True)


def test_the_archive_is_reproducible_and_holds_what_git_holds(archive, tmp_path):
    again = pack(tmp_path / "again.tar.gz")
    data = archive.read_bytes()
    assert again.read_bytes() == data, "two packs of the same tree differ"
    # Nothing of the time or the machine: gzip's header has no time (bytes
    # 4-7) and no file name (flag 8); every member has one time, owner 0.
    assert data[:3] == b"\x1f\x8b\x08" and data[4:8] == bytes(4) and not data[3] & 8, data[:10]
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "946684800"))
    odd = [(m.name, m.mtime, m.uid, m.gid, m.uname, m.gname, oct(m.mode)) for m in members
           if (m.mtime, m.uid, m.gid, m.uname, m.gname) != (mtime, 0, 0, "", "") or m.mode not in (0o644, 0o755)]
    assert not odd, f"members with a time, owner or mode of this machine: {odd[:5]}"
    git = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "listings",
                          "ci/requirements.txt"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
    expected = sorted(f"{PREFIX}/{n}" for n in set(git.split("\0")) if n and (ROOT / n).exists())
    assert names == expected


def test_the_packer_fails_with_gits_own_error(tmp_path):
    # Not a git checkout: git's message, and a non-zero status.
    code = (f"import importlib.util, sys; spec = importlib.util.spec_from_file_location('p', {str(PACKER)!r}); "
            f"m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); m.git_files({str(tmp_path)!r})")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert p.returncode == 1
    assert "pack_listings: `git ls-files" in p.stderr and "not a git repository" in p.stderr, p.stderr


@pytest.mark.timeout(FIRST_RUN_TIMEOUT)
def test_the_unpacked_tree_holds_no_book_machinery(unpacked):
    tree, names = unpacked["tree"], unpacked["names"]
    ci = sorted(n for n in names if n.startswith(f"{PREFIX}/ci/"))
    assert ci == [f"{PREFIX}/ci/requirements.txt"], f"the archive holds book machinery from ci/: {ci}"
    assert {n.split("/")[1] for n in names} == {"ci", "listings"}
    assert not [n for n in names if n.endswith((".so", ".pyc")) or "/target/" in n or "/.venv/" in n]
    # Every listing of the repository is in it, and the chapters' tools.
    for rel in LISTINGS:
        assert (tree / rel / "README.md").exists(), rel
    for tool in ("ch02-debugging/backtrace.py", "ch02-debugging/gdb-session.py", "ch03-valgrind/valgrind_report.py",
                 "ch03-valgrind/memray_leaks.py", "ch03-valgrind/known-good/cpython.supp",
                 "ch03-valgrind/known-good/ext/Cargo.toml"):
        assert (tree / "listings" / tool).exists(), tool
    # Nothing in the readers' environment leads to the repository.
    env = unpacked["env"]
    assert not [k for k, v in env.items() if str(ROOT) in v]
    assert env.get("BOOK_REQUIRE_TOOLS") == os.environ.get("BOOK_REQUIRE_TOOLS")
    assert "PYTHONPATH" not in env and env["CI"] == "true"
    assert not str(tree).startswith(str(ROOT))


@pytest.mark.timeout(FIRST_RUN_TIMEOUT)
@pytest.mark.parametrize("rel", LISTINGS)
def test_the_listing_builds_and_passes_its_tests_from_the_archive(unpacked, rel):
    stage, status, out, secs = unpacked["results"][rel]
    where = unpacked["tree"] / rel
    if stage == "build":
        pytest.fail(f"{rel} does not build from the archive ({where}, status {status}):\n{out[-6000:]}")
    assert status == 0, (f"{rel}'s tests fail from the archive ({where}, status {status}); a listing must need "
                         f"nothing outside listings/ and ci/requirements.txt:\n{out[-6000:]}")
