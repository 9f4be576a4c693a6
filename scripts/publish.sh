#!/usr/bin/env bash
# Publishes the release: the six platform packages (npm/<platform>/, each holding its .node, as
# `napi artifacts` leaves them), then slsx itself — so that slsx's optionalDependencies resolve from the
# moment it appears. A package whose version is already on the registry is skipped, so a failed run
# can be run again.
#
#   bash scripts/publish.sh --dry-run   everything but the upload (locally: after `napi artifacts`)
#   bash scripts/publish.sh             .github/workflows/release.yml, on a tag v<version>
#
# In GitHub Actions each package is published with --provenance (the workflow's OIDC token signs it),
# and a package.json without `repository` gets this repository's, which provenance requires. Auth:
# the registry's trusted publishing for this workflow, else NPM_TOKEN.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

flags=(--access public)
case "${1:-}" in
  --dry-run) flags+=(--dry-run) ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac
[ "${GITHUB_ACTIONS:-}" = true ] && flags+=(--provenance)

version="$(node -p "require('./package.json').version")"
if [ "${GITHUB_REF_TYPE:-}" = tag ] && [ "${GITHUB_REF_NAME:-}" != "v$version" ]; then
  echo "publish: the tag $GITHUB_REF_NAME is not v$version (package.json)" >&2
  exit 1
fi

dirs=()
for dir in ./npm/*; do
  manifest="$(node -p "const p = require('./$dir/package.json'); [p.name, p.version, p.main].join(' ')")"
  read -r name pkg_version main <<<"$manifest"
  [ "$pkg_version" = "$version" ] || { echo "publish: $name is $pkg_version, slsx is $version" >&2; exit 1; }
  [ -s "$dir/$main" ] || { echo "publish: $dir has no $main (npx napi artifacts)" >&2; exit 1; }
  dirs+=("$dir")
done
dirs+=(.)
# slsx as published names every platform package as an optional dependency (not in the repository).
node scripts/optional-deps.js .

if [ -n "${NPM_TOKEN:-}" ]; then
  registry="$(npm config get registry)"
  npm config set "${registry#*:}:_authToken" "$NPM_TOKEN"
fi
if [ -n "${GITHUB_REPOSITORY:-}" ]; then
  for dir in "${dirs[@]}"; do
    if [ -z "$(node -p "(require('./$dir/package.json').repository || {}).url || ''")" ]; then
      (cd "$dir" && npm pkg set repository.type=git "repository.url=git+${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY.git")
    fi
  done
fi

for dir in "${dirs[@]}"; do
  name="$(node -p "require('./$dir/package.json').name")"
  if [ -n "$(npm view "$name@$version" version 2>/dev/null)" ]; then
    echo "publish: $name@$version is already published"
    continue
  fi
  # "./": npm reads "npm/x" as a GitHub repository.
  npm publish "$dir" "${flags[@]}"
done
