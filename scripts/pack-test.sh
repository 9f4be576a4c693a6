#!/usr/bin/env bash
# The installed copy, end to end — what `npm i -D slsx` gives a user whose machine has Node and no Rust:
#
#  1. the workflow files pass actionlint (when it is installed: scripts/actionlint.sh);
#  2. scripts/pack-local.sh writes the two tarballs (the release build; SLSX_PACK_ADDON passes through,
#     to pack an addon already built instead);
#  3. an empty project installs them with one `npm i --offline`, under a PATH with node, npm and npx but
#     no cargo or rustc: the platform package comes from its tarball, never from the registry, and
#     nothing else is installed (no tsx, no devDependency of slsx);
#  4. `require('slsx')`, `npx slsx --help` / `--version` and scripts/smoke.js through the installed copy,
#     which must load the addon from node_modules/slsx-<platform>/; a serverless.ts fails naming tsx;
#  5. examples/hello, copied into the project, deployed with `npx slsx deploy` to a local AWS endpoint of
#     its own (scripts/local-aws.sh, a separate moto), then `npx slsx info` and CloudFormation show the stack.
#
# Run by .ci/run after `npm test` (with the release build); `bash scripts/pack-test.sh` locally.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
start=$(date +%s)

work="$(mktemp -d)"
export SLSX_LOCAL_AWS_STATE="$work/moto"
cleanup() {
  "$root/scripts/local-aws.sh" stop || true
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
ok() { passed=$((passed + 1)); echo "pack-test: ok — $*"; }
fail() { echo "pack-test: FAILED — $*" >&2; exit 1; }

# 1.
scripts/actionlint.sh

# 2.
bash scripts/pack-local.sh "$work/dist" || fail "scripts/pack-local.sh"
version="$(node -p "require('./package.json').version")"
platform_tgz="$(cd "$work/dist" && ls slsx-*-"$version".tgz)"
platform_pkg="${platform_tgz%-"$version".tgz}"
ok "packed slsx-$version.tgz and $platform_tgz"

# 3. A PATH a CI image with only Node has: node, npm and npx linked into a directory of their own, then
# the system's directories.
mkdir -p "$work/bin" "$work/app"
for tool in node npm npx; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done
user_path="$work/bin:/usr/bin:/bin"
as_user() { env PATH="$user_path" "$@"; }
for tool in cargo rustc rustup; do
  if as_user sh -c "command -v $tool" >/dev/null; then
    fail "$tool is on the test PATH ($user_path): this test needs a machine whose Rust is outside /usr/bin and /bin"
  fi
done
ok "no cargo, rustc or rustup on the PATH $user_path"

cd "$work/app"
printf '{ "name": "slsx-pack-test", "version": "1.0.0", "private": true }\n' > package.json
as_user npm i -D --offline --no-audit --no-fund "$work"/dist/*.tgz || fail "npm i --offline of the two tarballs"
installed="$(ls node_modules | tr '\n' ' ')"
[ "$installed" = "$platform_pkg slsx " ] || [ "$installed" = "slsx $platform_pkg " ] ||
  fail "node_modules holds '$installed', expected slsx and $platform_pkg only"
as_user node -e '
  const lock = require("./package-lock.json").packages[`node_modules/${process.argv[1]}`]
  if (!lock || !String(lock.resolved).startsWith("file:")) {
    console.error(`pack-test: ${process.argv[1]} was not installed from its tarball: ${JSON.stringify(lock)}`)
    process.exit(1)
  }' "$platform_pkg" || fail "$platform_pkg not from its tarball"
ok "npm i --offline: node_modules holds slsx and $platform_pkg (from its tarball) and nothing else"

# 4.
as_user node -e "require('slsx')" || fail "require('slsx') threw"
ok "require('slsx')"
help="$(as_user npx --no -- slsx --help)" || fail "npx slsx --help"
grep -q '^Usage: slsx' <<<"$help" || fail "npx slsx --help printed no usage: $help"
[ "$(as_user npx --no -- slsx --version)" = "$version" ] || fail "npx slsx --version is not $version"
ok "npx slsx --help, npx slsx --version"
smoke="$(as_user node "$root/scripts/smoke.js" "$work/app/node_modules/slsx")" || fail "scripts/smoke.js on the installed copy"
case "$smoke" in
  *"/node_modules/$platform_pkg/"*) ;;
  *) fail "the installed copy did not load its addon from node_modules/$platform_pkg/: $smoke" ;;
esac
ok "$smoke"
# tsx is the project's own choice: without it a TypeScript configuration fails, naming the package to add.
printf "export default { service: 'ts', provider: { name: 'aws' } }\n" > serverless.ts
if ts_out="$(as_user npx --no -- slsx print 2>&1)"; then fail "serverless.ts loaded without tsx installed"; fi
{ grep -q CONFIGURATION_TS_LOADER_MISSING <<<"$ts_out" && grep -q 'need "tsx" (npm install --save-dev tsx)' <<<"$ts_out"; } || fail "serverless.ts without tsx: $ts_out"
rm serverless.ts
ok "serverless.ts without tsx: CONFIGURATION_TS_LOADER_MISSING, naming tsx"

# 5.
cp "$root/examples/hello/serverless.yml" "$root/examples/hello/handler.js" .
endpoint="$("$root/scripts/local-aws.sh" start)"
eval "$("$root/scripts/local-aws.sh" env)"
as_user npx --no -- slsx deploy || fail "npx slsx deploy against $endpoint"
ok "npx slsx deploy of examples/hello to $endpoint"
info="$(as_user npx --no -- slsx info)" || fail "npx slsx info"
grep -q '^stack: hello-dev$' <<<"$info" || fail "slsx info shows no hello-dev stack: $info"
grep -Eq '^status: (CREATE|UPDATE)_COMPLETE$' <<<"$info" || fail "the hello-dev stack is not complete: $info"
ok "npx slsx info: $(grep '^status:' <<<"$info")"
# CloudFormation itself (the repository's AWS SDK, not slsx), and the function's zip: the code, never
# slsx or its addon (devDependencies of the project, as `npm i -D slsx` makes them).
NODE_PATH="$root/node_modules" node --no-warnings -e '
  const { CloudFormationClient, DescribeStacksCommand } = require("@aws-sdk/client-cloudformation")
  new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: "hello-dev" })).then(({ Stacks }) => {
    const status = Stacks[0].StackStatus
    if (!/^(CREATE|UPDATE)_COMPLETE$/.test(status)) throw new Error(`hello-dev is ${status}`)
  }).catch((e) => { console.error(`pack-test: ${e.message}`); process.exit(1) })' || fail "CloudFormation has no complete hello-dev stack"
ok "CloudFormation: hello-dev complete"
node "$root/scripts/zip-entries.js" zips .serverless "$work/zips.json" >/dev/null
grep -q '"handler.js 644"' "$work/zips.json" || fail "the function zip has no handler.js: $(cat "$work/zips.json")"
if grep -q 'node_modules/slsx' "$work/zips.json"; then fail "the function zip holds slsx: $(cat "$work/zips.json")"; fi
ok "the function zip holds the code, not slsx"

echo "pack-test: $(( $(date +%s) - start ))s — slsx-$version.tgz and $platform_tgz installed without Rust, examples/hello deployed"
echo "pack-test: $passed passed, 0 failed"
