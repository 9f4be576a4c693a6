#!/usr/bin/env bash
# Writes crates/slsx-core/tests/golden_cases.rs: one golden test per fixture with template goldens
# (crates/slsx-core/tests/fixtures/<case>/golden/cloudformation-template-update-stack.json), named after
# the fixture (`svc-ev-http-cors` -> `svc_ev_http_cors`), so `cargo test svc_ev_http_cors` runs one
# and a failure names its fixture. plugin-* fixtures are left out (their plugins run in
# __test__/plugins.test.js). scripts/osls-golden.sh runs this after writing goldens; the Rust test
# `every_golden_fixture_has_its_test` fails when the file and the fixtures disagree.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=$ROOT/crates/slsx-core/tests/fixtures
OUT=$ROOT/crates/slsx-core/tests/golden_cases.rs
{
  echo "// Written by scripts/golden-cases.sh: one test per fixture with goldens. Do not edit."
  echo "golden_cases! {"
  for golden in "$FIXTURES"/*/golden/cloudformation-template-update-stack.json; do
    case=$(basename "$(dirname "$(dirname "$golden")")")
    [[ $case == plugin-* ]] && continue
    ident=$(printf '%s' "$case" | tr -c 'A-Za-z0-9\n' '_' | tr 'A-Z' 'a-z')
    [[ $ident =~ ^[0-9] ]] && ident="case_$ident"
    printf '    %s => "%s",\n' "$ident" "$case"
  done | LC_ALL=C sort -t'"' -k2
  echo "}"
} >"$OUT"
echo "wrote ${OUT#$ROOT/} ($(grep -c '=>' "$OUT") cases)"
