#!/usr/bin/env bash
# `npm run pack:local -- DIR`: what a user installs, built on this machine for this machine.
# Writes into DIR the two tarballs that `npm i DIR/*.tgz` installs as `npm i slsx` would from the
# registry on this platform:
#
#   DIR/slsx-<version>.tgz              the package: loader, JS entry, CLI, types — never the addon
#   DIR/slsx-<platform>-<version>.tgz   this platform's package (npm/<platform>/): the .node alone
#
# The addon is the release build for the host (`napi build --release`, Cargo.toml's [profile.release]).
# SLSX_PACK_ADDON=/path/to/slsx.<platform>.node skips the build and packs that file instead (a test
# without compiling); it must be built for this platform.
#
# Checks on the way, each cheap: npm/ is what `napi create-npm-dirs` makes of package.json; the addon
# loads and works (scripts/smoke.js); each tarball holds only what runs. The packed slsx names every
# platform package as an optionalDependency at its version (scripts/optional-deps.js).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: npm run pack:local -- DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"

[ -x node_modules/.bin/napi ] || npm ci --no-audit --no-fund

version="$(node -p "require('./package.json').version")"
# napi's name for this machine (linux-x64-gnu, darwin-arm64, win32-x64-msvc …), as its loader computes it.
platform="$(node -e '
  const { platform, arch } = process
  let abi = ""
  if (platform === "linux") abi = process.report.getReport().header.glibcVersionRuntime ? "-gnu" : "-musl"
  if (platform === "win32") abi = "-msvc"
  console.log(`${platform}-${arch}${abi}`)')"
[ -f "npm/$platform/package.json" ] || {
  echo "pack-local: slsx has no platform package for $platform (npm/; package.json napi.targets)" >&2
  exit 1
}
pkg="slsx-$platform"
node_file="slsx.$platform.node"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# 1. npm/ as napi generates it from package.json (name, version, os/cpu/libc, engines, main, files).
cp package.json "$stage/package.json"
(cd "$stage" && "$root/node_modules/.bin/napi" create-npm-dirs >"$stage/create-npm-dirs.log" 2>&1) || {
  cat "$stage/create-npm-dirs.log" >&2
  exit 1
}
diff -r -x "*.node" npm "$stage/npm" >&2 || {
  echo "pack-local: npm/ differs from what \`napi create-npm-dirs\` makes of package.json (above); run it and commit" >&2
  exit 1
}
# 2. The addon.
if [ -n "${SLSX_PACK_ADDON:-}" ]; then
  addon="$SLSX_PACK_ADDON"
  [ -f "$addon" ] || { echo "pack-local: SLSX_PACK_ADDON=$addon: no such file" >&2; exit 1; }
  echo "pack-local: packing the given addon $addon (no build)" >&2
else
  command -v rustc >/dev/null || {
    echo "pack-local: building the addon needs Rust (rustup.rs); or set SLSX_PACK_ADDON to a built .node" >&2
    exit 1
  }
  host="$(rustc -vV | sed -n 's/^host: //p')"
  echo "pack-local: building the release addon for $host" >&2
  npx napi build --platform --release --target "$host" --dts index.d.ts >&2
  addon="$root/$node_file"
fi
mkdir -p "$stage/platform"
cp npm/"$platform"/package.json npm/"$platform"/README.md "$stage/platform/"
cp "$addon" "$stage/platform/$node_file"
bytes="$(wc -c < "$stage/platform/$node_file" | tr -d ' ')"
echo "pack-local: addon $node_file: $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1048576 }'))"

# The addon loads and answers, through the package entry, before anything is packed.
NAPI_RS_NATIVE_LIBRARY_PATH="$stage/platform/$node_file" node scripts/smoke.js >&2

# 3. The tarballs. (`napi artifacts` wants an addon for every target in package.json: the release
# workflow uses it, the host-only path copies the one file itself.)
rm -f "$out/slsx-$version.tgz" "$out/$pkg-$version.tgz"
npm pack --silent --pack-destination "$out" "$stage/platform" >/dev/null
# The package as published: what "files" lists, with the platform packages as optionalDependencies
# (scripts/optional-deps.js; the repository's package.json has none, see there).
mkdir -p "$stage/root"
files="$(node -p "require('./package.json').files.join(' ')")"
cp -r $files package.json README.md "$stage/root/"
node scripts/optional-deps.js "$stage/root"
npm pack --silent --pack-destination "$out" "$stage/root" >/dev/null

# 4. Only what runs: the platform package is its manifest, README and .node; the package has no addon,
# test, fixture, Rust source, script, benchmark or example.
platform_files="$(tar -tzf "$out/$pkg-$version.tgz" | LC_ALL=C sort | tr '\n' ' ')"
[ "$platform_files" = "package/README.md package/package.json package/$node_file " ] || {
  echo "pack-local: $pkg-$version.tgz holds: $platform_files" >&2
  exit 1
}
bad="$(tar -tzf "$out/slsx-$version.tgz" |
  grep -E '\.node$|\.rs$|Cargo\.|(^|/)(__test__|tests?|fixtures?|crates|src|scripts|bench|examples|docs|npm|target|node_modules)/|\.test\.|\.spec\.' || true)"
[ -z "$bad" ] || { echo "pack-local: slsx-$version.tgz must not hold:" >&2; echo "$bad" >&2; exit 1; }

for tgz in "$out/slsx-$version.tgz" "$out/$pkg-$version.tgz"; do
  echo "pack-local: $tgz ($(wc -c < "$tgz" | tr -d ' ') bytes)"
done
