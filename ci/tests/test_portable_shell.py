"""ci/checks/portable_shell.py: each GNU-only or bash-4-only construct,
planted in a small script, is found with its file and line; the portable way
of writing the same thing is not; comments, quoted text and here-documents
are not read as code."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "ci" / "checks" / "portable_shell.py"

spec = importlib.util.spec_from_file_location("portable_shell", CHECK)
portable_shell = importlib.util.module_from_spec(spec)
spec.loader.exec_module(portable_shell)

HEADER = "#!/usr/bin/env bash\nset -euo pipefail\n"

# (the planted line, a phrase its finding's description must contain)
CONSTRUCTS = [
    ('mapfile -t lines < <(ls)', "mapfile"),
    ('readarray -t lines < file', "mapfile/readarray"),
    ('declare -A seen=()', "declare -A"),
    ('local -A seen', "local -A"),
    ('echo "${name,,}"', "case conversion"),
    ('echo "${name^^}"', "case conversion"),
    ('make |& tee log', "|&"),
    ('make &>> log', "&>>"),
    ('coproc cat', "coproc"),
    ('local -n ref=$1', "nameref"),
    ('declare -n ref=x', "nameref"),
    ('wait -n', "wait -n"),
    ('if [[ -v HOME ]]; then :; fi', "[[ -v"),
    ('echo "${name@Q}"', "transformation"),
    ('echo "$EPOCHSECONDS"', "EPOCHSECONDS"),
    ('tar -czf x.tgz --transform "s,^,p/," dir', "tar --transform"),
    ("sed -i 's/a/b/' file", "without a backup suffix"),
    ("sed -Ei 's/a/b/' file", "without a backup suffix"),
    ("sed -i '' 's/a/b/' file", "BSD sed only"),
    ('here=$(readlink -f "$0")', "readlink -f"),
    ('ls | xargs -r rm', "xargs -r"),
    ('timeout 5 sleep 10', "timeout"),
    ('x=$(sha256sum < file | cut -c1-16)', "sha256sum"),
    ('make -j"$(nproc)"', "nproc"),
    ('size=$(stat -c %s file)', "stat -c"),
    ('date -d yesterday', "date -d"),
    ("grep -oP '\\d+' file", "grep -P"),
    ("find . -name '*.rs' -printf '%p\\n'", "find -printf"),
    ('args=()\nprintf "%s\\n" "${args[@]}"', "may be empty"),
    ('args=($(ls))\necho "${args[@]}"', "may be empty"),
    ('echo "${made_elsewhere[*]}"', "may be empty"),
    ('f() { printf "%s" "${@}"; }', "${@} under set -u"),
]

# The portable way of writing each: no finding.
PORTABLE = [
    'while IFS= read -r x; do lines+=("$x"); done < file',
    'case $k in a) v=1 ;; esac',
    "lower=$(printf '%s' \"$name\" | tr '[:upper:]' '[:lower:]')",
    'make 2>&1 | tee log',
    'make >> log 2>&1',
    '[ -n "${HOME+set}" ]',
    "printf '%q' \"$name\"",
    'now=$(date +%s)',
    'python3 -c "import tarfile"',
    "sed -i.bak 's/a/b/' file && rm -f file.bak",
    "sed -n 's/a/b/p' file",
    'here=$(cd "$(dirname "$0")" && pwd -P)',
    'jobs=$(getconf _NPROCESSORS_ONLN)',
    'size=$(wc -c < file)',
    "grep -E '[0-9]+' file",
    "find . -name '*.rs' -exec printf '%s\\n' {} +",
    'args=()\nprintf "%s\\n" ${args[@]+"${args[@]}"}',
    'args=(-o "$x" --flag)\necho "${args[@]}" "${#args[@]}"',
    'echo "${BASH_SOURCE[@]}"',
    'timeout_s=5; echo "$timeout_s" --timeout',
    'pytest --timeout 30',
    'sha256() { :; }; sha256 file',
    'if command -v sha256sum >/dev/null; then :; fi',
    'f() { printf "%s" "$@" "${#}"; }',
]


def findings(snippet, name="x.sh"):
    return portable_shell.scan_text(name, HEADER + snippet + "\n")


@pytest.mark.parametrize("snippet, phrase", CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_each_construct_is_found_with_its_line_and_a_fix(snippet, phrase):
    found = findings(snippet)
    assert found, f"not found: {snippet}"
    assert any(phrase in f.what for f in found), [str(f) for f in found]
    last_line = HEADER.count("\n") + snippet.count("\n") + 1
    assert all(f.line == last_line for f in found), [str(f) for f in found]
    assert all(f.fix and f.path == "x.sh" for f in found)


@pytest.mark.parametrize("snippet", PORTABLE)
def test_the_portable_way_is_not_flagged(snippet):
    assert findings(snippet) == [], [str(f) for f in findings(snippet)]


def test_comments_quoted_text_and_here_documents_are_not_code():
    text = HEADER + "\n".join([
        "# mapfile would be bash 4; so would declare -A",
        'echo "use timeout or nproc in prose: not a command"  # nor sha256sum here',
        "python3 -c 'import os; print(os.cpu_count())  # nproc'",
        "python - <<'EOF'",
        "subprocess.run(cmd, timeout=30)  # a timeout in Python",
        "readarray = 1",
        "EOF",
        "cat <<-END",
        "\tsed -i s/a/b/ f",
        "\tEND",
        "echo done",
    ]) + "\n"
    assert portable_shell.scan_text("x.sh", text) == []


def test_an_expansion_inside_double_quotes_is_code():
    (f,) = findings('echo "jobs: $(nproc), lower: ok"')
    assert "nproc" in f.what


def test_a_command_over_continuation_lines_reports_its_first_line():
    (f,) = findings("sed \\\n  -i 's/a/b/' \\\n  file")
    assert f.line == HEADER.count("\n") + 1 and "sed -i" in f.what


def test_an_empty_array_is_only_a_problem_under_set_u():
    text = "#!/usr/bin/env bash\nargs=()\necho \"${args[@]}\"\n"
    assert portable_shell.scan_text("x.sh", text) == []
    sourced = "#!/usr/bin/env bash\nsource \"$(dirname \"$0\")/common.sh\"\nargs=()\necho \"${args[@]}\"\n"
    assert [f.line for f in portable_shell.scan_text("x.sh", sourced)] == [4]


def test_a_glob_under_nullglob_may_give_an_empty_array():
    text = HEADER + "shopt -s nullglob\nfiles=(*.yml)\necho \"${files[@]}\"\n"
    assert [f.line for f in portable_shell.scan_text("x.sh", text)] == [5]
    assert portable_shell.scan_text("x.sh", text.replace("shopt -s nullglob\n", "\n")) == []


def test_a_line_can_allow_a_guarded_construct_with_a_reason():
    guarded = 'command -v nproc >/dev/null && nproc  # portable-shell: allow (checked first)'
    assert findings(guarded) == []
    assert findings(guarded.replace("# portable-shell: allow", "# checked first"))


def test_the_command_line_names_file_and_line_and_fails(tmp_path):
    script = tmp_path / "planted.sh"
    script.write_text(HEADER + "echo ok\nmake -j\"$(nproc)\"\n")
    p = subprocess.run([sys.executable, CHECK, script], capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stdout.startswith(f"{script}:4: nproc"), p.stdout
    assert "getconf _NPROCESSORS_ONLN" in p.stdout
    script.write_text(HEADER + "echo ok\nmake -j\"$(getconf _NPROCESSORS_ONLN)\"\n")
    p = subprocess.run([sys.executable, CHECK, script], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("portable_shell: 1 shell script(s)"), p.stdout + p.stderr


def test_scripts_without_the_sh_suffix_are_found_by_their_first_line(tmp_path):
    for name, first, expected in (("run", "#!/usr/bin/env bash", True), ("wrapper", "#!/bin/sh", True),
                                  ("tool.py", "#!/usr/bin/env python3", False), ("lib.sh", "", True)):
        (tmp_path / name).write_text(first + "\necho\n")
        assert portable_shell.is_shell_script(tmp_path / name) is expected, name
