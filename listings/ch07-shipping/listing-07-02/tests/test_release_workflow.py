"""The release workflow of listing 7-2 (.github/workflows/release.yml), read
as data: the platforms it builds for, the free-threaded job that is not abi3,
the sdist, and a publish job that runs only on a version tag, with trusted
publishing and no more permissions than it needs. (actionlint checks the
syntax: ci/checks/lint-workflows.sh.)"""

import re
from pathlib import Path

import pytest
import yaml  # PyYAML

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "release.yml"


@pytest.fixture(scope="module")
def wf():
    data = yaml.safe_load(WORKFLOW.read_text())
    # PyYAML reads YAML 1.1, where the bare key `on` is the boolean True.
    data["on"] = data.pop(True)
    return data


def builds(job):
    (step,) = [s for s in job["steps"] if s.get("uses", "").startswith("PyO3/maturin-action@")]
    return step["with"]


def platforms(job):
    return {(p["runner"].split("-")[0], p["target"], p["manylinux"]) for p in job["strategy"]["matrix"]["platform"]}


EVERY_PLATFORM = {
    ("ubuntu", "x86_64", "auto"), ("ubuntu", "aarch64", "auto"),          # manylinux
    ("ubuntu", "x86_64", "musllinux_1_2"), ("ubuntu", "aarch64", "musllinux_1_2"),
    ("macos", "x86_64", "off"), ("macos", "aarch64", "off"),              # Intel, Apple silicon
    ("windows", "x64", "off"),
}


def test_abi3_wheels_for_every_platform(wf):
    job = wf["jobs"]["wheels"]
    assert platforms(job) == EVERY_PLATFORM
    # The abi3 feature is on by default (Cargo.toml): nothing turns it off here.
    assert "--no-default-features" not in builds(job)["args"]
    assert "--release" in builds(job)["args"].split()
    cargo = (WORKFLOW.parents[2] / "Cargo.toml").read_text()
    assert re.search(r'^default = \["abi3"\]$', cargo, re.M) and 'abi3 = ["pyo3/abi3-py311"]' in cargo


def test_the_free_threaded_job_is_not_abi3(wf):
    job = wf["jobs"]["wheels-free-threaded"]
    assert platforms(job) == EVERY_PLATFORM
    args = builds(job)["args"].split()
    assert "--no-default-features" in args and args[args.index("-i") + 1] == "python3.14t"
    (setup,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@")]
    assert setup["with"]["python-version"] == "3.14t"


def test_an_sdist(wf):
    assert builds(wf["jobs"]["sdist"])["command"] == "sdist"


def test_publish_only_on_a_tag_after_every_build(wf):
    job = wf["jobs"]["publish"]
    assert job["if"] == "${{ startsWith(github.ref, 'refs/tags/v') }}"
    assert sorted(job["needs"]) == ["sdist", "wheels", "wheels-free-threaded"]
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
