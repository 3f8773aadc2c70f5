"""The hosted workflows, read as data: what actionlint cannot see.

actionlint (ci/checks/lint-workflows.sh) checks syntax, expressions and the
shell of `run:` blocks. It cannot know that a runner image was retired, that
an action has a newer major, that a cache names a folder the job never
writes, that git refuses a checkout owned by another user, that a Rust
image comes without clippy, or that a "successful run" never exists while
one matrix job is red. Those are checked here, on every workflow file:
.github/workflows/*.yml and the ones listings give readers to copy.
ci/tests/test_hosted_rehearsal.py runs the linux job's conditions on this
machine.

When GitHub retires an image or an action publishes a new major, update the
tables below (with the date you checked) and the workflows together.
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml  # PyYAML

ROOT = Path(__file__).resolve().parents[2]
CI_YML = ROOT / ".github" / "workflows" / "ci.yml"
LINKS_YML = ROOT / ".github" / "workflows" / "links.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml")) + sorted(
    ROOT.glob("listings/*/*/.github/workflows/*.y*ml"))

# The newest major of every action the workflows use, read from each
# action's repository (its tags) on 2026-12-06. A `uses:` must name exactly
# this ref; an action missing here fails until it is added, with its date.
ACTIONS_CHECKED = "2026-12-06"
NEWEST_MAJOR = {
    "actions/checkout": "v7",                    # v7.0.1, 2026-07-17
    "actions/setup-python": "v7",                # v7.0.0, 2026-07-19
    "actions/cache": "v5",                       # v5.0.5, 2026-04-13
    "actions/upload-artifact": "v7",             # v7.0.0, 2026-02-25
    "actions/download-artifact": "v8",           # v8.0.1, 2026-03-11
    "actions/upload-pages-artifact": "v5",       # v5.0.0, 2026-04-08
    "actions/deploy-pages": "v5",                # v5.0.0, 2026-03-24
    "lycheeverse/lychee-action": "v2",           # v2.8.0, 2026-02-17
    "PyO3/maturin-action": "v1",                 # v1.51.0, 2026-04-09
    "pypa/gh-action-pypi-publish": "release/v1",  # the branch its README names
    "Swatinem/rust-cache": "v2",                 # v2.9.2, 2026-08-06
}

# GitHub-hosted runner labels, from actions/runner-images (README's table of
# available images, and its announcements), checked on 2026-12-06.
RUNNERS_CHECKED = "2026-12-06"
SUPPORTED_RUNNERS = {
    "ubuntu-latest", "ubuntu-24.04", "ubuntu-24.04-arm",
    "macos-latest", "macos-26", "macos-15",      # Apple silicon
    "macos-15-intel",                            # the last x86-64 image: until August 2027 (#13046)
    "windows-latest", "windows-2025", "windows-2022",
}
RETIRED_RUNNERS = {
    "macos-14": "retired on 2026-11-02 (actions/runner-images#13518): use macos-15 or macos-latest",
    "macos-14-large": "retired on 2026-11-02 (actions/runner-images#13518): use macos-15-intel",
    "macos-13": "retired in December 2025 (actions/runner-images#13046): use macos-15-intel or macos-15",
    "windows-2019": "retired on 2025-06-30 (actions/runner-images#12045): use windows-2022 or windows-2025",
    "ubuntu-20.04": "retired on 2025-04-15 (actions/runner-images#11101): use ubuntu-24.04",
}

# Where cargo keeps its registry when a job does not say (CARGO_HOME):
# the official rust images set CARGO_HOME=/usr/local/cargo; the hosted
# images install rustup into the user's ~/.cargo and set no CARGO_HOME
# (runner-images: images/*/scripts/build/install-rust.*).
RUST_IMAGE_CARGO_HOME = "/usr/local/cargo"
HOSTED_CARGO_HOME = "~/.cargo"

PR_ONLY = re.compile(r"^\$\{\{\s*github\.event_name\s*==\s*'pull_request'\s*\}\}$")


def load(path):
    data = yaml.safe_load(path.read_text())
    # PyYAML reads YAML 1.1, where the bare key `on` is the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def rel(path):
    return path.relative_to(ROOT)


def jobs():
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            yield path, name, job


def runs(job):
    return [s.get("run", "") for s in job.get("steps", [])]


def test_every_workflow_is_found_and_read():
    names = {str(rel(p)) for p in WORKFLOWS}
    assert {".github/workflows/ci.yml", ".github/workflows/links.yml",
            "listings/ch07-shipping/listing-07-02/.github/workflows/release.yml"} <= names
    ci = load(CI_YML)
    assert set(ci["jobs"]) == {"linux", "pages", "listings"}
    assert "push" in ci["on"] and "pull_request" in ci["on"]


# ---- actions ---------------------------------------------------------------

def uses():
    for path, name, job in jobs():
        for step in job.get("steps", []):
            if "uses" in step and not step["uses"].startswith(("./", "docker://")):
                yield path, name, step["uses"]


def test_every_action_is_at_its_newest_major():
    problems = []
    for path, job, ref in uses():
        action, _, version = ref.partition("@")
        if action not in NEWEST_MAJOR:
            problems.append(f"{rel(path)}: job {job} uses {ref}: {action} is not in NEWEST_MAJOR "
                            f"(ci/tests/test_workflows.py): add its newest major, with the date you checked")
        elif version != NEWEST_MAJOR[action]:
            problems.append(f"{rel(path)}: job {job} uses {ref}, but {action}'s newest major is "
                            f"{NEWEST_MAJOR[action]} (checked {ACTIONS_CHECKED})")
    assert not problems, "\n".join(problems)


# ---- runner images ---------------------------------------------------------

def matrix_values(matrix, path):
    """Every value the matrix gives to `path` (like ["os"] or ["platform", "runner"])."""
    out = []

    def walk(value, rest):
        if isinstance(value, list):
            for v in value:
                walk(v, rest)
        elif not rest:
            out.append(value)
        elif isinstance(value, dict) and rest[0] in value:
            walk(value[rest[0]], rest[1:])

    walk(matrix.get(path[0]), path[1:])
    for entry in matrix.get("include", []):
        walk(entry.get(path[0]), path[1:])
    return out


def runner_labels(job):
    value = job.get("runs-on")
    m = re.fullmatch(r"\$\{\{\s*matrix\.([\w.-]+)\s*\}\}", str(value))
    if m:
        return matrix_values(job["strategy"]["matrix"], m.group(1).split("."))
    return value if isinstance(value, list) else [value]


def test_runner_labels_are_supported_images():
    problems = []
    seen = set()
    for path, name, job in jobs():
        labels = runner_labels(job)
        assert labels, f"{rel(path)}: job {name}: no runner label found"
        for label in labels:
            seen.add(label)
            if label in RETIRED_RUNNERS:
                problems.append(f"{rel(path)}: job {name} runs on {label}, {RETIRED_RUNNERS[label]}")
            elif label not in SUPPORTED_RUNNERS:
                problems.append(f"{rel(path)}: job {name} runs on {label}, which is not among the supported "
                                f"labels of ci/tests/test_workflows.py (checked {RUNNERS_CHECKED}): check "
                                f"actions/runner-images and add it")
    assert not problems, "\n".join(problems)
    # The matrix was expanded: the book's own CI runs on all three systems.
    assert {"ubuntu-24.04", "macos-15", "windows-2022"} <= seen, seen


def test_the_runner_label_check_sees_a_retired_image():
    job = {"runs-on": "${{ matrix.os }}",
           "strategy": {"matrix": {"os": ["ubuntu-24.04"], "include": [{"os": "macos-14", "python": "3.14"}]}}}
    labels = runner_labels(job)
    assert labels == ["ubuntu-24.04", "macos-14"]
    assert "2026-11-02" in RETIRED_RUNNERS[labels[1]]


# ---- concurrency -----------------------------------------------------------

def cancels(value, event):
    """What `cancel-in-progress: value` means for a run triggered by `event`."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and PR_ONLY.match(value.strip()):
        return event == "pull_request"
    raise AssertionError(f"cancel-in-progress: {value!r}: write false, or "
                         "${{ github.event_name == 'pull_request' }}, which this test can evaluate")


def test_only_pull_requests_cancel_a_run_in_progress():
    problems = []
    for path in WORKFLOWS:
        wf = load(path)
        events = list(wf["on"]) if isinstance(wf["on"], (dict, list)) else [wf["on"]]
        groups = [("the workflow", wf.get("concurrency"))] + [
            (f"job {n}", j.get("concurrency")) for n, j in wf["jobs"].items()]
        for where, conc in groups:
            if not isinstance(conc, dict):
                continue  # a bare group name never cancels
            for event in events:
                if event != "pull_request" and cancels(conc.get("cancel-in-progress", False), event):
                    problems.append(f"{rel(path)}: {where}: a {event} run cancels the one in progress "
                                    "(on main that is the run that publishes the book)")
    assert not problems, "\n".join(problems)
    ci = load(CI_YML)
    assert cancels(ci["concurrency"]["cancel-in-progress"], "pull_request")
    assert not cancels(ci["concurrency"]["cancel-in-progress"], "push")


def test_the_concurrency_check_sees_a_push_cancelling():
    assert cancels(True, "push")
    with pytest.raises(AssertionError, match="which this test can evaluate"):
        cancels("${{ github.ref != 'refs/heads/main' }}", "push")


# ---- the linux job: container, git, clippy, caches -----------------------

SCRIPT = re.compile(r"(^|[\s/])(\.ci/run|ci/[\w./-]+)|\bcargo\b|\bbook_listings\b")


def test_container_jobs_trust_the_checkout_before_any_script():
    found = 0
    for path, name, job in jobs():
        if "container" not in job:
            continue
        found += 1
        steps = job["steps"]
        trust = [i for i, s in enumerate(steps)
                 if re.search(r"git config --(global|system) --add safe\.directory "
                              r"(\"\$GITHUB_WORKSPACE\"|'\*'|\"\*\")", s.get("run", ""))]
        assert trust, (f"{rel(path)}: container job {name} never trusts its checkout: git refuses a repository "
                       "owned by another user. Add `git config --global --add safe.directory \"$GITHUB_WORKSPACE\"` "
                       "right after actions/checkout")
        checkout = [i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/checkout@")]
        first_script = [i for i, s in enumerate(steps) if SCRIPT.search(s.get("run", ""))]
        assert checkout and checkout[0] < trust[0], f"{rel(path)}: {name}: trust the checkout after making it"
        assert first_script and trust[0] < first_script[0], (
            f"{rel(path)}: {name}: step {first_script[0]} runs the repository's scripts before step {trust[0]} "
            "trusts the checkout")
    assert found, "no container job: the linux job of ci.yml runs in rust:1.95-bookworm"


def components(job):
    """The rustup components a job installs before each step, by step index."""
    have, out = set(), []
    for step in job.get("steps", []):
        out.append(set(have))
        run = step.get("run", "")
        for m in re.finditer(r"rustup component add ([\w -]+)", run):
            have.update(m.group(1).split())
        for m in re.finditer(r"--component[= ]([\w,-]+)", run):
            have.update(m.group(1).split(","))
    return out


LINTS = re.compile(r"ci/test\.sh|\.ci/run|cargo clippy|cargo fmt|book_listings\.py\"? lint")


def test_jobs_that_lint_install_clippy_and_rustfmt_first():
    linting = 0
    for path, name, job in jobs():
        before = components(job)
        for i, step in enumerate(job.get("steps", [])):
            if LINTS.search(step.get("run", "")):
                linting += 1
                assert {"clippy", "rustfmt"} <= before[i], (
                    f"{rel(path)}: job {name} step {i} ({step.get('name', step['run'][:40])!r}) runs clippy or "
                    f"rustfmt, but only {sorted(before[i]) or 'no components'} were installed before it: "
                    "rustup's minimal profile (the rust images) has neither: `rustup component add clippy rustfmt`")
    assert linting, "no job runs the test command"


def cargo_home(job):
    env = job.get("env", {}).get("CARGO_HOME")
    if env:
        return env
    image = job.get("container", {})
    image = image.get("image") if isinstance(image, dict) else image
    if image and re.match(r"(docker\.io/)?(library/)?rust:", image):
        return RUST_IMAGE_CARGO_HOME
    return HOSTED_CARGO_HOME


def gitignored(folder):
    # The trailing slash: .gitignore's folder patterns (/target/) match folders only.
    p = subprocess.run(["git", "check-ignore", "-q", "--no-index", folder.rstrip("/") + "/"], cwd=ROOT,
                       capture_output=True, text=True)
    assert p.returncode in (0, 1), f"git check-ignore failed: {p.stderr}"
    return p.returncode == 0


def sets_uv_cache_dir(job, leaf):
    """Does the job point UV_CACHE_DIR at a folder called `leaf`?"""
    texts = [f"UV_CACHE_DIR={job.get('env', {}).get('UV_CACHE_DIR', '')}"] + runs(job)
    return any(leaf in line for t in texts for line in t.splitlines() if "UV_CACHE_DIR" in line)


def cache_problems(path, name, job):
    home = cargo_home(job)
    linux_only = "container" in job or str(job.get("runs-on", "")).startswith("ubuntu")
    problems = []
    for step in job.get("steps", []):
        if not step.get("uses", "").startswith("actions/cache@"):
            continue
        for p in str(step["with"]["path"]).split("\n"):
            p = p.strip()
            if not p:
                continue
            where = f"{rel(path)}: job {name} caches {p}"
            leaf = p.rstrip("/").split("/")[-1]
            if ".cargo" in p or "cargo/" in p:
                if not (p == home or p.startswith(home.rstrip("/") + "/")):
                    problems.append(f"{where}, but cargo's home in this job is {home} (CARGO_HOME): "
                                    f"cache {home}/registry instead")
            elif p.endswith("/uv") or leaf.startswith("uv-"):
                if p == "~/.cache/uv" and not linux_only:
                    problems.append(f"{where}: uv's cache is there on Linux and macOS only (Windows: "
                                    "%LOCALAPPDATA%): set UV_CACHE_DIR in the job and cache that")
                elif p != "~/.cache/uv" and not sets_uv_cache_dir(job, leaf):
                    problems.append(f"{where}, but nothing in the job sets UV_CACHE_DIR to it")
            elif p.startswith(("~", "/", "$")):
                continue  # an absolute folder (pyenv's /opt/pyenv): the job's own step fills it
            elif not gitignored(p):
                problems.append(f"{where}, which is not a git-ignored folder that the build makes")
    return problems


def test_caches_name_folders_the_job_really_uses():
    problems = []
    for path, name, job in jobs():
        problems += cache_problems(path, name, job)
    assert not problems, "\n".join(problems)
    linux = load(CI_YML)["jobs"]["linux"]
    cached = " ".join(str(s["with"]["path"]) for s in linux["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert f"{cargo_home(linux)}/registry" in cached, "the linux job does not cache cargo's registry"


def test_the_cache_check_sees_the_home_registry_in_a_rust_container():
    job = {"container": {"image": "rust:1.95-bookworm"},
           "steps": [{"uses": "actions/cache@v5", "with": {"path": ".tools\n~/.cargo/registry\n~/.cache/uv"}}]}
    (problem,) = cache_problems(CI_YML, "linux", job)
    assert "caches ~/.cargo/registry, but cargo's home in this job is /usr/local/cargo" in problem
    job["steps"][0]["with"]["path"] = "~/.cache/uv"
    job.pop("container")
    job["runs-on"] = "${{ matrix.os }}"  # maybe Windows: ~/.cache/uv is not uv's cache there
    assert cache_problems(CI_YML, "listings", job)
    job["steps"][0]["with"]["path"] = "no-such-folder"
    assert "not a git-ignored folder" in cache_problems(CI_YML, "listings", job)[0]


def test_pyenv_is_cloned_at_a_tag_and_checked():
    linux = load(CI_YML)["jobs"]["linux"]
    (step,) = [s for s in linux["steps"] if "github.com/pyenv/pyenv" in s.get("run", "")]
    assert re.search(r"git clone --depth 1 --branch \"\$PYENV_TAG\"", step["run"]), \
        "pyenv must be cloned at a release tag (--branch \"$PYENV_TAG\"), not its newest commit"
    assert re.fullmatch(r"v\d+\.\d+\.\d+", step["env"]["PYENV_TAG"])
    assert re.fullmatch(r"[0-9a-f]{40}", step["env"]["PYENV_COMMIT"])
    assert 'rev-parse HEAD)" != "$PYENV_COMMIT"' in step["run"]
    # The cache of the built CPython is keyed by the tag, so a new tag builds it again.
    (cache,) = [s for s in linux["steps"] if s.get("with", {}).get("path") == "/opt/pyenv"]
    assert step["env"]["PYENV_TAG"] in cache["with"]["key"]


# ---- the free-threaded job -----------------------------------------------

FT_IF = re.compile(r"^(\$\{\{\s*)?(!?)endsWith\(matrix\.python, 't'\)(\s*\}\})?$")


def step_runs_for(step, python):
    """Does the listings job run `step` for `python` (on ubuntu)? Only the
    conditions the free-threaded steps use are understood."""
    cond = str(step.get("if", "")).strip()
    if not cond or "runner.os" in cond:
        return cond != "runner.os == 'Windows'"
    m = FT_IF.match(cond)
    assert m, f"step {step.get('name')!r}: if: {cond}: write endsWith(matrix.python, 't') or its negation"
    return str(python).endswith("t") != bool(m.group(2))


def test_the_free_threaded_job_imports_each_module_on_its_own():
    listings = load(CI_YML)["jobs"]["listings"]
    matrix = listings["strategy"]["matrix"]
    (entry,) = [e for e in matrix["include"] if str(e["python"]).endswith("t")]
    assert entry["experimental"] is True and listings["continue-on-error"] == "${{ matrix.experimental }}"
    ft = [s for s in listings["steps"] if s.get("if") == "endsWith(matrix.python, 't')"]
    assert [s["run"].strip() for s in ft] == ["python ci/checks/freethreaded_tests.py",
                                               "python ci/checks/freethreaded_imports.py"], ft
    # The one-process version, which the first C module made meaningless, is gone.
    assert "import_module" not in CI_YML.read_text()


ONE_PROCESS = "python -m pytest -c ci/pytest.ini --rootdir . listings"


def test_the_free_threaded_job_runs_the_listings_tests_in_two_processes_and_the_others_in_one():
    listings = load(CI_YML)["jobs"]["listings"]
    steps = listings["steps"]
    (one,) = [s for s in steps if s.get("run", "").strip() == ONE_PROCESS]
    (two,) = [s for s in steps if s.get("run", "").strip() == "python ci/checks/freethreaded_tests.py"]
    pythons = matrix_values(listings["strategy"]["matrix"], ["python"])
    assert "3.14t" in pythons and "3.11" in pythons
    for python in pythons:
        # The GIL jobs run every listing's tests in one process, as before;
        # the free-threaded job runs them in the script's two, never in one.
        assert step_runs_for(one, python) == (not python.endswith("t")), (python, one)
        assert step_runs_for(two, python) == python.endswith("t"), (python, two)
    # What the script runs for the book's listings: the GIL-off process with
    # the warning as an error and the end check, the GIL-on one with neither,
    # both with the GIL jobs' pytest options, and every listing in one of them.
    p = subprocess.run([sys.executable, str(ROOT / "ci" / "checks" / "freethreaded_tests.py"), "--list"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    off, on = [line[2:].split() for line in p.stdout.splitlines() if line.startswith("+ ")]
    options = ONE_PROCESS.split()[1:-1]  # -m pytest -c ci/pytest.ini --rootdir .
    assert off[1:3] == ["-W", "error::RuntimeWarning"] and off[3:3 + len(options)] == options, off
    assert off[3 + len(options):5 + len(options)] == ["-p", "ci.checks.gil_stays_off"], off
    assert (ROOT / "ci" / "checks" / "gil_stays_off.py").is_file()
    assert on[1:1 + len(options)] == options and "-W" not in on and "-p" not in on, on
    off_paths, on_paths = off[5 + len(options):], on[1 + len(options):]
    assert on_paths == ["listings/ch01-skeleton/listing-01-01", "listings/ch05-examples/listing-05-03"], on
    every = sorted(str(d.relative_to(ROOT)) for d in ROOT.glob("listings/ch*/*listing-*") if d.is_dir())
    assert sorted(off_paths + on_paths) == every
    # The C listings whose module slots say Py_MOD_GIL_NOT_USED: 9-2, 12-1 and
    # 13-5; chapter 13's pure-Python listings (13-1 NumPy, 13-2 Numba) and its
    # Cython listing 13-3 (freethreading_compatible).
    assert all((ROOT / d / "Cargo.toml").exists() for d in off_paths
               if not d.endswith(("listing-09-02", "listing-12-01", "listing-13-01", "listing-13-02",
                                  "listing-13-03", "listing-13-05")))


def test_the_step_condition_reader_sees_a_free_threaded_job_without_its_steps():
    assert step_runs_for({"if": "${{ !endsWith(matrix.python, 't') }}"}, "3.14")
    assert not step_runs_for({"if": "${{ !endsWith(matrix.python, 't') }}"}, "3.14t")
    assert step_runs_for({"if": "endsWith(matrix.python, 't')"}, "3.14t")
    assert step_runs_for({}, "3.14t")
    with pytest.raises(AssertionError, match="write endsWith"):
        step_runs_for({"if": "matrix.python == '3.14t'"}, "3.14t")


# ---- links.yml --------------------------------------------------------------

def links_step():
    (job,) = load(LINKS_YML)["jobs"].values()
    (step,) = [s for s in job["steps"] if "book-html" in s.get("run", "")]
    return step


def test_links_reads_the_newest_artifact_not_a_successful_run():
    run = links_step()["run"]
    assert "actions/artifacts?name=book-html" in run
    assert "--status success" not in run and "gh run list" not in run


def artifact(run_id, created, branch="main", expired=False, fork=False):
    return {"id": run_id * 10, "name": "book-html", "expired": expired, "created_at": created,
            "workflow_run": {"id": run_id, "repository_id": 1, "head_repository_id": 2 if fork else 1,
                             "head_branch": branch, "head_sha": "0" * 40}}


def run_links_step(tmp_path, pages):
    """The step's own script, with a stand-in `gh` that answers the API call
    with `pages` and makes the downloaded book."""
    import json
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "pages.json").write_text(json.dumps(pages))
    gh = bin_dir / "gh"
    gh.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        echo "gh $*" >> "{tmp_path}/gh.log"
        case "$1 $2" in
          "api "*) cat "{tmp_path}/pages.json" ;;
          "run download") dir=; while [ $# -gt 0 ]; do [ "$1" = --dir ] && dir=$2; shift; done
                          mkdir -p "$dir" && echo '<html></html>' > "$dir/index.html" ;;
          *) echo "unexpected: gh $*" >&2; exit 2 ;;
        esac
        """))
    gh.chmod(0o755)
    (bin_dir / "python3").symlink_to(sys.executable)
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "REPO": "owner/book", "GH_TOKEN": "x", "HOME": str(tmp_path)}
    p = subprocess.run(["bash", "-e", "-c", links_step()["run"]], cwd=work, env=env,
                       capture_output=True, text=True, timeout=60)
    log = (tmp_path / "gh.log").read_text() if (tmp_path / "gh.log").exists() else ""
    return p, log


def test_links_checks_the_newest_unexpired_book_of_main(tmp_path):
    pages = [{"total_count": 6, "artifacts": [
        artifact(60, "2026-12-05T10:00:00Z", branch="feature"),          # a pull request's
        artifact(50, "2026-12-04T10:00:00Z", fork=True),                 # a fork's branch called main
        artifact(40, "2026-12-03T10:00:00Z", expired=True),              # expired
        artifact(30, "2026-12-02T10:00:00Z")]},                          # the one
        {"total_count": 6, "artifacts": [artifact(20, "2026-11-30T10:00:00Z"), artifact(10, "2026-09-01T10:00:00Z")]}]
    p, log = run_links_step(tmp_path, pages)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "checking the book of CI run 30, uploaded 2026-12-02T10:00:00Z" in p.stdout
    assert "gh run download 30 --repo owner/book --name book-html --dir book/html" in log
    assert "--paginate --slurp" in log


def test_links_says_so_when_main_has_no_book(tmp_path):
    pages = [{"total_count": 2, "artifacts": [artifact(40, "2026-12-03T10:00:00Z", expired=True),
                                              artifact(60, "2026-12-05T10:00:00Z", branch="feature")]}]
    p, log = run_links_step(tmp_path, pages)
    assert p.returncode == 1
    assert "::error::no unexpired book-html artifact from a CI run on main" in p.stdout
    assert "run download" not in log


@pytest.mark.skipif(not shutil.which("bash"), reason="bash is needed to run the workflow's step")
def test_links_step_is_plain_bash():
    # GitHub runs `run:` with `bash -e`; the rehearsal above does the same.
    assert "shell" not in links_step()
