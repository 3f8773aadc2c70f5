"""The release workflow of listing 7-2 (.github/workflows/release.yml), read
as data: the three kinds of wheel it builds for every platform (abi3 from
3.11, cp314t, abi3t from 3.15), the job that installs each one on every
interpreter it is for and runs the crate's tests against it, the sdist, and a
publish job that runs only on a version tag, after all of them, with trusted
publishing and no more permissions than it needs. (actionlint checks the
syntax: ci/checks/lint-workflows.sh.)"""

import re
from pathlib import Path

import pytest
import yaml  # PyYAML

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "release.yml"
CARGO_TOML = WORKFLOW.parents[2] / "Cargo.toml"


@pytest.fixture(scope="module")
def wf():
    data = yaml.safe_load(WORKFLOW.read_text())
    # PyYAML reads YAML 1.1, where the bare key `on` is the boolean True.
    data["on"] = data.pop(True)
    return data


def step(job, action):
    (found,) = [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]
    return found


def builds(job):
    return step(job, "PyO3/maturin-action")["with"]


def expand(template, values):
    """TEMPLATE with each `${{ matrix.A.B }}` replaced by values[A][B]."""
    def sub(m):
        a, b = m[1].split(".")
        return str(values[a][b])
    out = re.sub(r"\$\{\{\s*matrix\.([\w-]+\.[\w-]+)\s*\}\}", sub, template)
    assert "${{" not in out, out
    return out


def combinations(job):
    """Every matrix combination of JOB, as {key: entry} dicts."""
    matrix = job["strategy"]["matrix"]
    (a, b) = matrix  # two lists, crossed
    return [{a: x, b: y} for x in matrix[a] for y in matrix[b]]


def platform(p):
    return (p["runner"].split("-")[0], p["target"], p["manylinux"])


def runs_natively(p):
    """Whether runner p["runner"] has p["target"]'s CPU: the Linux aarch64
    wheels are built on an x86-64 runner, but tested on an arm one."""
    arm = p["target"] == "aarch64"
    if p["runner"].startswith("macos"):
        return arm != p["runner"].endswith("-intel")  # macos-15-intel is the x86-64 image
    return arm == p["runner"].endswith("-arm")


EVERY_PLATFORM = {
    ("ubuntu", "x86_64", "auto"), ("ubuntu", "aarch64", "auto"),          # manylinux
    ("ubuntu", "x86_64", "musllinux_1_2"), ("ubuntu", "aarch64", "musllinux_1_2"),
    ("macos", "x86_64", "off"), ("macos", "aarch64", "off"),              # Intel, Apple silicon
    ("windows", "x64", "off"),
}
# Where a hosted runner can install the wheel: every platform but musl (the
# runners are glibc systems).
RUNNABLE = {p for p in EVERY_PLATFORM if p[2] != "musllinux_1_2"}

# The kind of wheel, the interpreter it is built with, and every interpreter
# it is for: abi3 from 3.11 serves the GIL-enabled builds from 3.11 on; a
# free-threaded 3.14 has no stable ABI; abi3t serves both builds from 3.15 on.
KINDS = {"abi3": "3.11", "cp314t": "3.14t", "abi3t": "3.15"}
INSTALLED_ON = {
    "abi3": {"3.11", "3.12", "3.13", "3.14", "3.15"},
    "cp314t": {"3.14t"},
    "abi3t": {"3.15", "3.15t"},
}


def test_three_kinds_of_wheel_for_every_platform(wf):
    job = wf["jobs"]["wheels"]
    matrix = job["strategy"]["matrix"]
    assert {p for p in map(platform, matrix["platform"])} == EVERY_PLATFORM
    assert {a["name"]: a["python"] for a in matrix["abi"]} == KINDS
    # Each job builds one kind, for the interpreter it sets up: maturin gives
    # one stable ABI to every interpreter of a run.
    args = builds(job)["args"]
    assert "--release" in args.split() and "--locked" in args.split()
    assert re.findall(r"(?:^| )-i (python\S*(?: matrix\.\S+ }})?)", args) == ["python${{ matrix.abi.python }}"], args
    assert step(job, "actions/setup-python")["with"]["python-version"] == "${{ matrix.abi.python }}"
    # One Cargo.toml for all three: the stable ABIs are on by default and
    # nothing turns them off (the 3.14t build falls back by itself).
    assert "--no-default-features" not in builds(job)["args"]
    cargo = CARGO_TOML.read_text()
    assert re.search(r'^default = \["abi3"\]$', cargo, re.M), cargo
    assert re.search(r'^abi3 = \["pyo3/abi3-py311", "pyo3/abi3t-py315"\]$', cargo, re.M), cargo


def test_every_wheel_is_uploaded_under_a_name_of_its_own(wf):
    job = wf["jobs"]["wheels"]
    name = step(job, "actions/upload-artifact")["with"]["name"]
    names = [expand(name, c) for c in combinations(job)]
    assert len(set(names)) == len(names) == 3 * len(EVERY_PLATFORM), names


def test_each_wheel_is_installed_and_tested_on_every_interpreter_it_is_for(wf):
    build, test = wf["jobs"]["wheels"], wf["jobs"]["test"]
    assert test["needs"] == "wheels"
    uploaded = {expand(step(build, "actions/upload-artifact")["with"]["name"], c): c for c in combinations(build)}
    tested = {}
    for c in combinations(test):
        # The artifact it downloads is one the build uploaded, of the kind it
        # says, for the platform it runs on.
        name = expand(step(test, "actions/download-artifact")["with"]["name"], c)
        assert name in uploaded, (name, sorted(uploaded))
        built = uploaded[name]
        assert built["abi"]["name"] == c["install"]["abi"], (name, c)
        assert platform(built["platform"]) == platform(c["platform"]), (name, c)
        assert runs_natively(c["platform"]), c["platform"]
        tested.setdefault(c["install"]["abi"], set()).add(
            (c["install"]["python"], platform(built["platform"])))
    for abi, pythons in INSTALLED_ON.items():
        assert tested[abi] == {(py, p) for py in pythons for p in RUNNABLE}, (abi, sorted(tested[abi]))
    # On the interpreter of that job: installed from the downloaded wheel
    # (pip refuses one whose tags do not fit), then the crate's tests.
    assert step(test, "actions/setup-python")["with"]["python-version"] == "${{ matrix.install.python }}"
    (run,) = [s["run"] for s in test["steps"] if "run" in s]
    lines = [line.strip() for line in run.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert lines == ["python -m pip install dist/*.whl pytest", "python -m pytest tests/test_shipkit_abi3.py"], lines
    steps = [s.get("uses", s.get("run", "")) for s in test["steps"]]
    assert steps.index(step(test, "actions/download-artifact")["uses"]) < steps.index(run)


def test_an_sdist(wf):
    assert builds(wf["jobs"]["sdist"])["command"] == "sdist"


def test_publish_only_on_a_tag_after_every_build_and_test(wf):
    job = wf["jobs"]["publish"]
    assert job["if"] == "${{ startsWith(github.ref, 'refs/tags/v') }}"
    assert sorted(job["needs"]) == ["sdist", "test", "wheels"]
    assert sorted(wf["jobs"]) == ["publish", "sdist", "test", "wheels"]
    assert wf["on"]["push"]["tags"] == ["v*"]


def test_trusted_publishing_with_minimal_permissions(wf):
    # Read-only by default; the publish job adds only the OIDC token that
    # PyPI's trusted publishing needs, and no job has a stored secret.
    assert wf["permissions"] == {"contents": "read"}
    job = wf["jobs"]["publish"]
    assert job["permissions"] == {"id-token": "write"}
    assert job["environment"] == "pypi"
    assert job["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in job["steps"][-1]  # no password: the token comes from OIDC
    assert "secrets." not in WORKFLOW.read_text()
    for name, other in wf["jobs"].items():
        if name != "publish":
            assert "permissions" not in other, name
