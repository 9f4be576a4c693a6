#!/usr/bin/env bash
# Installs the pinned Serverless plugins of the plugin fixtures
# (crates/slsx-core/tests/fixtures/plugin-*/) from the npm registry, at test time:
# their node_modules are never committed (.gitignore).
#
# Usage: scripts/plugins-install.sh [CASE...]   (default: every plugin-* fixture with a package.json)
#
# Each fixture's package.json pins exact versions (no ranges; checked here) in
# devDependencies, and its package-lock.json is committed, so `npm install`
# reproduces the same tree. A fixture's `.npmrc` sets legacy-peer-deps: several
# plugins name `serverless` as a peer, which npm would otherwise install into the
# fixture (tens of MB) — the framework running the plugin is osls, serverless@3 or slsx.
# `--ignore-scripts`: no install scripts run (esbuild finds its binary through its
# optional platform package without its postinstall).
#
# Idempotent: .tools/plugin-install-stamps/<case> holds the sha256 of the fixture's package.json,
# package-lock.json and .npmrc; npm runs only when node_modules is missing or that
# hash changed (the pins are checked then too). With every tree installed this script takes ~0.1 s.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=$ROOT/crates/slsx-core/tests/fixtures
# Outside the fixture: a stamp in node_modules (or beside package.json) would be packaged into
# the service's zip like any other file there.
STAMPS=$ROOT/.tools/plugin-install-stamps

# sha256 of what decides the installed tree (the files that exist of package.json, package-lock.json, .npmrc).
inputs_hash() {
  local f
  for f in package.json package-lock.json .npmrc; do
    if [[ -f $1/$f ]]; then printf '%s\n' "$f"; cat "$1/$f"; fi
  done | sha256sum | cut -d' ' -f1
}

if (($# > 0)); then
  cases=("$@")
else
  cases=()
  for pkg in "$FIXTURES"/plugin-*/package.json; do
    [[ -e $pkg ]] && cases+=("$(basename "$(dirname "$pkg")")")
  done
fi

for case in "${cases[@]}"; do
  dir=$FIXTURES/$case
  [[ -f $dir/package.json ]] || continue # a fixture without npm dependencies (e.g. only a local plugin)

  stamp=$STAMPS/$case
  want=$(inputs_hash "$dir")
  if [[ -d $dir/node_modules && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    continue
  fi
  # Exact versions only: a range would let the installed plugin drift from the goldens.
  node -e '
    const pkg = require(process.argv[1]);
    const bad = [];
    for (const field of ["dependencies", "devDependencies"]) {
      for (const [name, spec] of Object.entries(pkg[field] || {})) {
        if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(spec)) bad.push(`${field}.${name}: "${spec}"`);
      }
    }
    if (bad.length) {
      console.error(`${process.argv[1]}: versions must be exact (x.y.z): ${bad.join(", ")}`);
      process.exit(1);
    }' "$dir/package.json"
  echo "== $case: npm install"
  # With the committed lock, `npm install` installs exactly the locked tree (and updates the lock
  # only when package.json changed); the first install of a new fixture writes the lock.
  (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
  # The stamp is computed again: the first install wrote package-lock.json.
  mkdir -p "$STAMPS"
  inputs_hash "$dir" >"$stamp"
done
