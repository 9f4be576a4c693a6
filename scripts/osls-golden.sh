#!/usr/bin/env bash
# Regenerates golden CloudFormation templates from osls (the reference
# implementation) for the fixtures in crates/slsx-core/tests/fixtures.
#
# Usage: scripts/osls-golden.sh [CASE...]   (default: every fixture with a serverless.yml but vars-*, schema-*, yaml-*, plugin-*)
#
# A fixture may hold `golden.args`: one line of CLI args for `osls package`
# instead of the default `--stage dev --region us-east-1` (empty file: none).
# The fixture is copied with `cp -a` (symlinks and modes kept); a top-level
# `dot-git/` is then renamed to `.git/` (a real `.git` can't be committed in
# the repo), so tests must do the same before packaging.
#
# A fixture may hold `golden.tool` containing `serverless3`: its golden then comes
# from Serverless Framework v3 (SERVERLESS3_VERSION, installed into .tools/serverless3
# when missing) instead of osls, for what osls no longer compiles (e.g. the
# Custom::EventBridge resources of provider.eventBridge.useCloudFormation: false).
# The output files keep their names (serverless-state.osls.json included).
#
# Written per case into <case>/golden/: the normalized create/update templates (no create
# template when provider.deploymentBucket names a custom bucket: osls writes none)
# and serverless-state (scripts/normalize-template.js), `zips.json` (entries of
# every zip in .serverless/, see scripts/zip-entries.js) and `artifacts.json`
# (which zip each function / layer's S3Key names).
#
# AWS_ENDPOINT_URL is passed through when set (services with layers make AWS
# calls while packaging); of the caller's environment only PATH reaches osls,
# so a stray AWS_PROFILE or AWS_REGION cannot change the output.
set -euo pipefail

OSLS_VERSION=4.3.1
SERVERLESS3_VERSION=3.40.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=$ROOT/crates/slsx-core/tests/fixtures
OSLS_PREFIX=$ROOT/.tools/osls
OSLS_BIN=$OSLS_PREFIX/node_modules/osls/bin/serverless.js
SLS3_PREFIX=$ROOT/.tools/serverless3
SLS3_BIN=$SLS3_PREFIX/node_modules/serverless/bin/serverless.js
NORMALIZE=$ROOT/scripts/normalize-template.js
ZIP_ENTRIES=$ROOT/scripts/zip-entries.js

installed=$(node -p "require('$OSLS_PREFIX/node_modules/osls/package.json').version" 2>/dev/null || true)
if [[ $installed != "$OSLS_VERSION" ]]; then
  echo "installing osls@$OSLS_VERSION into .tools/osls"
  mkdir -p "$OSLS_PREFIX"
  (cd "$ROOT" && npm install --prefix .tools/osls "osls@$OSLS_VERSION" --no-audit --no-fund)
fi

install_serverless3() {
  local installed
  installed=$(node -p "require('$SLS3_PREFIX/node_modules/serverless/package.json').version" 2>/dev/null || true)
  if [[ $installed != "$SERVERLESS3_VERSION" ]]; then
    echo "installing serverless@$SERVERLESS3_VERSION into .tools/serverless3"
    mkdir -p "$SLS3_PREFIX"
    (cd "$ROOT" && npm install --prefix .tools/serverless3 "serverless@$SERVERLESS3_VERSION" --no-audit --no-fund)
  fi
}

if [[ ${1:-} == --install-only ]]; then
  exit 0
fi

if (($# > 0)); then
  cases=("$@")
else
  cases=()
  for yml in "$FIXTURES"/*/serverless.yml; do
    # vars-*, schema-* and yaml-* fixtures are for `print` (scripts/osls-print-golden.sh), not for packaging.
    [[ $yml == "$FIXTURES"/vars-* || $yml == "$FIXTURES"/schema-* || $yml == "$FIXTURES"/yaml-* ]] && continue
    # plugin-* fixtures need their plugins installed first: scripts/osls-plugin-golden.sh.
    [[ $yml == "$FIXTURES"/plugin-* ]] && continue
    [[ -e $yml ]] && cases+=("$(basename "$(dirname "$yml")")")
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for case in "${cases[@]}"; do
  src=$FIXTURES/$case
  [[ -f $src/serverless.yml ]] || { echo "no fixture $src/serverless.yml" >&2; exit 1; }

  args=(--stage dev --region us-east-1)
  if [[ -f $src/golden.args ]]; then
    read -r -a args <"$src/golden.args" || true
  fi
  tool=osls bin=$OSLS_BIN
  if [[ -f $src/golden.tool ]]; then tool=$(tr -d '[:space:]' <"$src/golden.tool"); fi
  case $tool in
    osls) ;;
    serverless3) install_serverless3; bin=$SLS3_BIN ;;
    *) echo "$src/golden.tool: unknown tool \"$tool\" (osls or serverless3)" >&2; exit 1 ;;
  esac

  # realpath: the state file records the resolved path, not a symlinked /tmp.
  svc=$(realpath "$work")/$case
  home=$work/$case.home
  mkdir -p "$home"
  cp -a "$src" "$svc"
  rm -rf "$svc/golden" "$svc/.serverless" "$svc/osls-package"
  if [[ -d $svc/dot-git ]]; then mv "$svc/dot-git" "$svc/.git"; fi

  envs=(HOME="$home" PATH="$PATH" LANG=C.UTF-8
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
    NPM_CONFIG_UPDATE_NOTIFIER=false)
  # Serverless v3 also: no auto-update, no China-region CLI switch (decided from the time zone).
  if [[ $tool == serverless3 ]]; then envs+=(SLS_DISABLE_AUTO_UPDATE=1 SLS_GEO_LOCATION=no-cn); fi
  if [[ -n ${AWS_ENDPOINT_URL:-} ]]; then envs+=(AWS_ENDPOINT_URL="$AWS_ENDPOINT_URL"); fi

  echo "== $case: $tool package ${args[*]}"
  start=$SECONDS
  if ! (cd "$svc" && env -i "${envs[@]}" node "$bin" package "${args[@]}") >"$work/$case.log" 2>&1; then
    cat "$work/$case.log" >&2
    echo "$tool package failed for $case" >&2
    exit 1
  fi
  osls_secs=$((SECONDS - start))
  sed 's/^/   | /' "$work/$case.log"

  out=$src/golden
  mkdir -p "$out"
  for stack in create update; do
    f=cloudformation-template-$stack-stack.json
    # With a custom provider.deploymentBucket osls writes no create-stack template (it returns
    # before saving the core template); the golden then has none either.
    if [[ $stack == create && ! -f $svc/.serverless/$f ]]; then
      rm -f "$out/$f"
      echo "   (no $f: osls writes none with a custom deploymentBucket)"
      continue
    fi
    node "$NORMALIZE" "$svc/.serverless/$f" "$out/$f"
  done
  node "$NORMALIZE" --service-dir "$svc" "$svc/.serverless/serverless-state.json" \
    "$out/serverless-state.osls.json"
  # Other templates a plugin writes beside osls's (serverless-plugin-split-stacks' nested stacks):
  # normalized like the state (their TemplateURLs name the timestamped artifact directory).
  nested=()
  for f in "$svc"/.serverless/*.json; do
    case ${f##*/} in
      cloudformation-template-create-stack.json | cloudformation-template-update-stack.json | serverless-state.json) ;;
      *) node "$NORMALIZE" --service-dir "$svc" "$f" "$out/${f##*/}" && nested+=("$f") ;;
    esac
  done
  node "$ZIP_ENTRIES" zips "$svc/.serverless" "$out/zips.json" | sed 's/^/   zip: /'
  node "$ZIP_ENTRIES" artifacts "$svc/.serverless/serverless-state.json" \
    "$svc/.serverless/cloudformation-template-update-stack.json" "${nested[@]}" "$out/artifacts.json"
  echo "   wrote ${out#"$ROOT"/}/{cloudformation-template-{create,update}-stack,serverless-state.osls,zips,artifacts}.json ($tool ${osls_secs}s, total $((SECONDS - start))s)"

  # A fixture with `golden.keep-package` also keeps osls's raw package (the `deploy --package` test
  # deploys it); the state's absolute paths point into a temp dir that no longer exists, as they would
  # on another machine.
  if [[ -f $src/golden.keep-package ]]; then
    rm -rf "$src/osls-package"
    cp -a "$svc/.serverless" "$src/osls-package"
    echo "   kept osls's package in ${src#"$ROOT"/}/osls-package/"
  fi
done

# One Rust test per fixture with goldens (crates/slsx-core/tests/golden_cases.rs).
bash "$ROOT/scripts/golden-cases.sh"
