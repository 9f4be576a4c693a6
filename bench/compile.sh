#!/usr/bin/env bash
# Compile speed: `slsx package` of a generated service with N functions (default 200) that each use
# most function settings, small handlers and no node_modules — the time is compiling, not zipping.
# Usage: bench/compile.sh [N] [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-200}"
runs="${2:-5}"
dir="$root/bench/out/compile-$n"
rm -rf "$dir" && mkdir -p "$dir/src"
{
  echo "service: bench-compile"
  echo "provider:"
  echo "  name: aws"
  echo "  runtime: nodejs22.x"
  echo "  logRetentionInDays: 14"
  echo "  tracing: { lambda: true }"
  echo "  environment: { STAGE: dev }"
  echo "  iam: { role: { statements: [ { Effect: Allow, Action: ['s3:GetObject'], Resource: '*' } ] } }"
  echo "functions:"
  for i in $(seq 1 "$n"); do
    echo "  fn$i:"
    echo "    handler: src/fn.handler"
    echo "    memorySize: 512"
    echo "    description: function $i"
    echo "    environment: { INDEX: '$i' }"
    echo "    tags: { index: '$i' }"
    echo "    maximumRetryAttempts: 1"
    [ $((i % 10)) -eq 0 ] && echo "    url: true"
  done
} > "$dir/serverless.yml"
echo "module.exports.handler = async () => 'ok'" > "$dir/src/fn.js"
cd "$dir"
for r in $(seq 1 "$runs"); do
  rm -rf .serverless
  /usr/bin/time -f "run $r: %e s wall, %U s user, %M KB peak" node "$root/bin/slsx.js" package --stage dev > /dev/null
done
echo "resources: $(node -e "console.log(Object.keys(require('$dir/.serverless/cloudformation-template-update-stack.json').Resources).length)")"
