#!/usr/bin/env bash
# Regenerates the goldens of the plugin fixtures (crates/slsx-core/tests/fixtures/plugin-*/)
# from osls 4.3.1 (or serverless@3.40.0 where a fixture's `golden.tool` says `serverless3`,
# for a plugin that needs the AWS SDK v2 surface osls 4 removed) running the real, pinned plugins.
#
# Usage: scripts/osls-plugin-golden.sh [CASE...]   (default: every plugin-* fixture)
#
# How the goldens are made:
#  1. osls is installed (scripts/osls-golden.sh --install-only), the fixtures' plugins by
#     scripts/plugins-install.sh (locked trees from the npm registry, node_modules not committed).
#  2. A private moto (scripts/moto_server.py on 127.0.0.1:$PLUGIN_GOLDEN_PORT, default 50731) is
#     started and AWS_ENDPOINT_URL points at it; nothing is sent anywhere else. It is stopped on exit.
#  3. `package --stage dev --region us-east-1` per fixture through scripts/osls-golden.sh, which
#     writes <case>/golden/ as for every other fixture: the normalized create/update templates and
#     serverless-state.osls.json, zips.json (entries of every zip in .serverless/) and
#     artifacts.json, plus any other template a plugin wrote to .serverless/ (split-stacks' nested
#     stacks, normalized as the state is). Then, in every golden JSON file of plugin fixtures only,
#     three more rules, which a test applies to slsx's output too: the timestamped artifact
#     directory (split-stacks' TemplateURLs name it) becomes <ARTIFACT_DIR> as in the state, and a
#     version or API deployment id that normalize-template.js leaves where it is not a whole string
#     (split-stacks' nested-stack output names `XLambdaVersion<hash>` and `Outputs.XLambdaVersion
#     <hash>` attributes) becomes XLambdaVersion__HASH__ / ApiGatewayDeployment__INSTANCE__.
#     Packaging needs moto only for plugin-split-stacks (it lists the deployed
#     stack's resources, ListStackResources, to keep existing resources where they are).
#  4. plugin-recorder (a local plugin recording every lifecycle hook, with a few facts of the
#     state, to $RECORDER_OUT as JSON lines) also gets, from osls against that moto:
#       golden/hooks-package.jsonl          osls package                       (no AWS call)
#       golden/hooks-deploy.jsonl           osls deploy                        (moto: new stack)
#       golden/hooks-deploy-function.jsonl  osls deploy function -f tick       (moto)
#       golden/hooks-info.jsonl             osls info                          (moto)
#       golden/hooks-deploy-function-error.jsonl  osls deploy function -f missing (fails: the
#                                           `error` hook's place)
#     run in that order in one copy of the fixture, on a fresh moto.
# Only PATH of the caller's environment reaches osls (as in osls-golden.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=$ROOT/crates/slsx-core/tests/fixtures
OSLS_BIN=$ROOT/.tools/osls/node_modules/osls/bin/serverless.js
PORT=${PLUGIN_GOLDEN_PORT:-50731}

if (($# > 0)); then
  cases=("$@")
else
  cases=()
  for yml in "$FIXTURES"/plugin-*/serverless.yml; do
    [[ -e $yml ]] && cases+=("$(basename "$(dirname "$yml")")")
  done
fi

bash "$ROOT/scripts/osls-golden.sh" --install-only
bash "$ROOT/scripts/plugins-install.sh" "${cases[@]}"

[[ -x $ROOT/.venv/bin/python ]] || { echo "no .venv: run scripts/local-aws.sh install" >&2; exit 1; }
work=$(mktemp -d)
moto_pid=
cleanup() {
  if [[ -n $moto_pid ]]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_moto() {
  if [[ -n $moto_pid ]]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  "$ROOT/.venv/bin/python" "$ROOT/scripts/moto_server.py" -H 127.0.0.1 -p "$PORT" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  for _ in $(seq 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/moto-api/"; then return 0; fi
    kill -0 "$moto_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/moto.log" >&2
  echo "moto did not start on port $PORT (PLUGIN_GOLDEN_PORT chooses another)" >&2
  exit 1
}

start_moto
export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT
bash "$ROOT/scripts/osls-golden.sh" "${cases[@]}"
for case in "${cases[@]}"; do
  for f in "$FIXTURES/$case"/golden/*.json; do
    sed -i -E -e 's/[0-9]+-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<ARTIFACT_DIR>/g' \
      -e 's/LambdaVersion[A-Za-z0-9]{20,}/LambdaVersion__HASH__/g' \
      -e 's/ApiGatewayDeployment[0-9]{10,}/ApiGatewayDeployment__INSTANCE__/g' "$f"
  done
done

# One osls command in the recorder's copy; its hooks go to golden/<name>.jsonl.
record() {
  local name=$1 want=$2 rc=0
  shift 2
  local out=$work/$name.jsonl
  : >"$out"
  echo "== plugin-recorder: osls $* -> golden/$name.jsonl"
  (cd "$svc" && env -i HOME="$work/home" PATH="$PATH" LANG=C.UTF-8 \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_ENDPOINT_URL="$AWS_ENDPOINT_URL" \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off NPM_CONFIG_UPDATE_NOTIFIER=false \
    RECORDER_OUT="$out" node "$OSLS_BIN" "$@" --stage dev --region us-east-1) >"$work/$name.log" 2>&1 || rc=$?
  if [[ $want == ok && $rc != 0 || $want == fail && $rc == 0 ]]; then
    cat "$work/$name.log" >&2
    echo "osls $* exited $rc (expected $want)" >&2
    exit 1
  fi
  sed 's/^/   | /' "$work/$name.log"
  cp "$out" "$FIXTURES/plugin-recorder/golden/$name.jsonl"
  echo "   $(wc -l <"$out") hooks"
}

for case in "${cases[@]}"; do
  [[ $case == plugin-recorder ]] || continue
  start_moto # a fresh account: the deploy creates the stack
  svc=$(realpath "$work")/recorder
  mkdir -p "$work/home"
  cp -a "$FIXTURES/plugin-recorder" "$svc"
  rm -rf "$svc/golden" "$svc/.serverless"
  record hooks-package ok package
  record hooks-deploy ok deploy
  record hooks-deploy-function ok deploy function -f tick
  record hooks-info ok info
  record hooks-deploy-function-error fail deploy function -f missing
done
