#!/usr/bin/env bash
# `npm run demo`: build slsx, start the local AWS emulator, deploy examples/hello, deploy it again to
# show the skip, print the outputs, stop the emulator.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

[ -x node_modules/.bin/napi ] || npm ci --no-audit --no-fund
host="$(rustc -vV | sed -n 's/^host: //p')"
npx napi build --platform --target "$host" --dts index.d.ts

endpoint="$(scripts/local-aws.sh start)"
trap '"$root/scripts/local-aws.sh" stop' EXIT
export AWS_ENDPOINT_URL="$endpoint"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE

cd examples/hello
echo "== slsx deploy --verbose   (local AWS endpoint $endpoint)"
node "$root/bin/slsx.js" deploy --verbose
echo
echo "== slsx deploy   (again: nothing changed)"
node "$root/bin/slsx.js" deploy
