#!/usr/bin/env bash
# `npm test`: everything a fresh machine needs, then the Rust and the JS tests against a local AWS
# endpoint (moto on 127.0.0.1, started here and stopped at the end).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

[ -x node_modules/.bin/napi ] || npm ci --no-audit --no-fund

# One target triple for `napi build` and `cargo test`, so both share every compiled dependency.
host="$(rustc -vV | sed -n 's/^host: //p')"
npx napi build --platform --target "$host" --dts index.d.ts

scripts/local-aws.sh install
# osls@4.3.1 (into the git-ignored .tools/): the compatibility test deploys with it first.
bash scripts/osls-golden.sh --install-only
# osls's assembled configuration schema, for __test__/schema-differential.test.js (a few seconds, once).
[ -s .tools/osls-schema.json ] || bash scripts/osls-schema.sh >/dev/null
endpoint="$(scripts/local-aws.sh start)"
trap '"$root/scripts/local-aws.sh" stop' EXIT
export AWS_ENDPOINT_URL="$endpoint"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE
export SLSX_CFN_LINT="$root/.venv/bin/cfn-lint"

# Formatting (STYLE: `cargo fmt` clean), where the toolchain has rustfmt.
if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt --all --check >/dev/null || { echo "cargo fmt --check: the Rust sources are not formatted; run cargo fmt" >&2; exit 1; }
fi
cargo test --workspace --target "$host"
node --test --test-concurrency=1 __test__/
