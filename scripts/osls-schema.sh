#!/usr/bin/env bash
# Dumps the configuration schema of osls 4.3.1 (as its built-in plugins extend it for provider aws)
# into the git-ignored .tools/osls-schema.json, for scripts/schema-diff.js. Nothing of it is committed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/osls-golden.sh" --install-only
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'service: dump\nprovider:\n  name: aws\n' >"$work/serverless.yml"
(cd "$work" && env -i HOME="$work" PATH="$PATH" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
  SLS_TELEMETRY_DISABLED=1 AWS_ENDPOINT_URL=http://127.0.0.1:9 OSLS_SCHEMA_FILE="$ROOT/.tools/osls-schema.json" \
  node -r "$ROOT/scripts/osls-schema-dump.js" "$ROOT/.tools/osls/node_modules/osls/bin/serverless.js" print >/dev/null)
echo "wrote .tools/osls-schema.json"
