#!/usr/bin/env bash
# Regenerates golden `osls print --format json` outputs (the resolved configuration: Serverless v3's
# variables system, then the schema's type coercion) for the fixtures crates/slsx-core/tests/fixtures/
# vars-* (variables), schema-* (coercion and validation verdicts) and yaml-* (YAML loading).
#
# Usage: scripts/osls-print-golden.sh [CASE...]   (default: every vars-*, schema-* and yaml-* fixture)
#
# Per fixture (all files optional besides the service config):
#   golden.args   one line of extra CLI args, shell-quoted (`--param "k=v"`), instead of the default
#                 `--stage dev --region us-east-1` (empty file: none). `print --format json` is always
#                 passed first.
#   golden.env    KEY=VALUE lines (blank lines and `#` comments skipped; the value is taken verbatim,
#                 no quotes or expansion) added to osls's environment.
#   seed.json     AWS state to create first in the local emulator (format: scripts/seed-aws.py). The
#                 emulator (scripts/local-aws.sh) is started once for all cases, reset before each
#                 seeded case, and AWS_ENDPOINT_URL points osls at it.
#   golden.error  osls is expected to fail: its error goes to golden/print-error.txt instead:
#                   `code: <code>`   the reported error's code (osls prints none; it is taken by
#                                    scripts/osls-error-code.js, preloaded into node);
#                   `causes: A, B`   only for VARIABLES_RESOLUTION_ERROR: the codes of the variable
#                                    errors it lists, in its order;
#                   then the message osls printed after `Error:`, colours stripped, the service
#                   directory replaced by `<service>` and HOME by `<home>`.
# Otherwise osls must succeed and its stdout (2-space JSON, keys in osls's order) goes to
# golden/print.json.
#
# The fixture is copied with `cp -a` without golden/. osls runs with `env -i`: only PATH, a clean HOME,
# LANG=C.UTF-8, dummy credentials and golden.env reach it. A case without seed.json gets
# AWS_ENDPOINT_URL=http://127.0.0.1:9 (closed), so an unexpected AWS call fails instead of going out.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=$ROOT/crates/slsx-core/tests/fixtures
OSLS_PREFIX=$ROOT/.tools/osls
OSLS_BIN=$OSLS_PREFIX/node_modules/osls/bin/serverless.js
ERROR_HOOK=$ROOT/scripts/osls-error-code.js
SEED=$ROOT/scripts/seed-aws.py
LOCAL_AWS=$ROOT/scripts/local-aws.sh

# One place pins and installs osls: the template golden script.
"$ROOT/scripts/osls-golden.sh" --install-only

if (($# > 0)); then
  cases=("$@")
else
  cases=()
  for dir in "$FIXTURES"/vars-*/ "$FIXTURES"/schema-*/ "$FIXTURES"/yaml-*/; do
    [[ -d $dir ]] && cases+=("$(basename "$dir")")
  done
fi
((${#cases[@]} > 0)) || { echo "no vars-*, schema-* or yaml-* fixtures" >&2; exit 1; }

work=$(mktemp -d)
endpoint=
started_aws=
cleanup() {
  if [[ -n $started_aws ]]; then "$LOCAL_AWS" stop || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for case in "${cases[@]}"; do
  [[ -d $FIXTURES/$case ]] || { echo "no fixture $FIXTURES/$case" >&2; exit 1; }
  if [[ -f $FIXTURES/$case/seed.json && -z $endpoint ]]; then
    pid_file=$ROOT/.moto/pid
    if [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      echo "note: reusing the running local AWS emulator (it will be reset, and left running)"
    else
      started_aws=1
    fi
    endpoint=$("$LOCAL_AWS" start)
  fi
done

# Strip ANSI colour sequences.
strip_ansi() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

failed=0
for case in "${cases[@]}"; do
  src=$FIXTURES/$case

  args=(--stage dev --region us-east-1)
  if [[ -f $src/golden.args ]]; then
    # The fixtures are ours; eval gives shell quoting (`--param "k=v w"`).
    eval "args=($(cat "$src/golden.args"))"
  fi

  svc=$(realpath "$work")/$case
  home=$(realpath "$work")/$case.home
  mkdir -p "$home"
  cp -a "$src" "$svc"
  rm -rf "$svc/golden"

  envs=(HOME="$home" PATH="$PATH" LANG=C.UTF-8
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
    NPM_CONFIG_UPDATE_NOTIFIER=false)
  if [[ -f $src/seed.json ]]; then
    curl -fsS -X POST "$endpoint/moto-api/reset" >/dev/null
    "$ROOT/.venv/bin/python" "$SEED" --endpoint "$endpoint" "$src/seed.json" | sed 's/^/   /'
    envs+=(AWS_ENDPOINT_URL="$endpoint")
  else
    envs+=(AWS_ENDPOINT_URL=http://127.0.0.1:9)
  fi
  if [[ -f $src/golden.env ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
      [[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
      [[ $line == *=* ]] || { echo "$case/golden.env: not KEY=VALUE: $line" >&2; exit 1; }
      envs+=("$line")
    done <"$src/golden.env"
  fi

  echo "== $case: osls print --format json ${args[*]}"
  code_file=$work/$case.code
  rc=0
  (cd "$svc" && env -i "${envs[@]}" OSLS_ERROR_CODE_FILE="$code_file" \
    node -r "$ERROR_HOOK" "$OSLS_BIN" print --format json "${args[@]}") \
    >"$work/$case.out" 2>"$work/$case.err" || rc=$?

  out=$src/golden
  if [[ -f $src/golden.error ]]; then
    if ((rc == 0)); then
      cat "$work/$case.out" "$work/$case.err" >&2
      echo "osls print succeeded for $case, but golden.error says it must fail" >&2
      failed=1
      continue
    fi
    mkdir -p "$out"
    rm -f "$out/print.json"
    # `code: X`, and for VARIABLES_RESOLUTION_ERROR `causes: A, B` (the per-variable codes).
    header=$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(`code: ${r.code ?? "<none>"}`);
      if (r.causes) console.log(`causes: ${r.causes.map((c) => c ?? "<none>").join(", ")}`);
    ' "$code_file" 2>/dev/null || echo "code: <not recorded>")
    {
      echo "$header"
      # osls writes `Error:` and the message to stdout; drop the `Error:` line.
      strip_ansi <"$work/$case.out" | sed -e '1{/^Error:$/d}' -e "s#$svc#<service>#g" -e "s#$home#<home>#g"
    } >"$out/print-error.txt"
    sed 's/^/   | /' "$out/print-error.txt"
    echo "   wrote ${out#"$ROOT"/}/print-error.txt (exit $rc)"
  else
    if ((rc != 0)); then
      cat "$work/$case.out" "$work/$case.err" >&2
      echo "osls print failed for $case (exit $rc)" >&2
      failed=1
      continue
    fi
    if ! node -e '
      const fs = require("fs");
      const s = fs.readFileSync(process.argv[1], "utf8");
      const pretty = JSON.stringify(JSON.parse(s), null, 2) + "\n";
      if (pretty !== s) { console.error("note: stdout re-serialized"); }
      fs.writeFileSync(process.argv[2], pretty);
    ' "$work/$case.out" "$work/$case.json"; then
      cat "$work/$case.out" "$work/$case.err" >&2
      echo "osls print for $case did not print JSON" >&2
      failed=1
      continue
    fi
    if grep -q "$svc\|$home" "$work/$case.json"; then
      echo "   note: output holds the temp service dir or HOME; replaced by <service> / <home>"
      sed -i -e "s#$svc#<service>#g" -e "s#$home#<home>#g" "$work/$case.json"
    fi
    mkdir -p "$out"
    rm -f "$out/print-error.txt"
    cp "$work/$case.json" "$out/print.json"
    echo "   wrote ${out#"$ROOT"/}/print.json"
  fi
  if [[ -s $work/$case.err ]]; then
    strip_ansi <"$work/$case.err" | sed 's/^/   stderr| /'
  fi
done
exit $failed
