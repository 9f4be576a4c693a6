#!/usr/bin/env bash
# Plugin benchmark: `slsx package` against `osls package` (osls 4.3.1) on a generated service of
# 20 TypeScript functions that lists two real, pinned Serverless v3 plugins, serverless-esbuild
# (bundles each handler) and serverless-iam-roles-per-function (a role per function), in one run.
#
# Usage: bench/plugins.sh [-n RUNS] [--tools slsx,osls] [FUNCTIONS]
#
#   -n RUNS     runs per tool (default: 3)
#   --tools     which tools to time, comma separated (default: slsx,osls); the output of the
#               last run of a tool left out is kept, so `--tools slsx` still compares with osls
#   FUNCTIONS   number of functions (default: 20)
#
# The plugins are pinned as in the plugin fixtures (crates/slsx-core/tests/fixtures/plugin-esbuild
# and plugin-iam-roles-per-function): serverless-esbuild 1.57.2 with esbuild 0.25.12,
# serverless-iam-roles-per-function 3.2.0; with them one small dependency the handlers import
# (dayjs 1.11.13). They are installed once with `npm install --ignore-scripts` and an `.npmrc` with
# legacy-peer-deps (the plugins name `serverless` as a peer: no framework is installed into the
# service), into bench/out/plugin-deps-<hash>/, keyed by a hash of the generated package.json and
# .npmrc; the service hard-links that node_modules.
#
# Each run removes `.serverless/` and `.esbuild/` first, then runs
# `node bin/slsx.js package --stage dev --region us-east-1` or osls's `package` with the same
# flags, in the service folder, under `nice -n 10` and /usr/bin/time, with the clean environment
# of bench/package.sh (empty HOME, PATH, LANG, dummy keys, AWS_ENDPOINT_URL on a closed local port).
#
# Output: a line per run, then a Markdown table of medians (wall, CPU, peak RSS; osls ÷ slsx) and
# three checks of the last run of each tool — the zips' entry lists (scripts/zip-entries.js: names
# and modes), the CRC-32 of every entry (`unzip -v`), and the update template normalized by
# scripts/normalize-template.js, compared as parsed JSON — each OK or DIFF. Written to bench/out/plugins/results.md; every run in
# bench/out/plugins/runs.tsv, logs in bench/out/plugins/logs/, each tool's last `.serverless/` in
# bench/out/plugins/artifacts/<tool>/.
set -euo pipefail
export LC_NUMERIC=C

OSLS_VERSION=4.3.1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/bench/out
POUT=$OUT/plugins
OSLS_BIN=$ROOT/.tools/osls/node_modules/osls/bin/serverless.js
SLSX_BIN=$ROOT/bin/slsx.js
TIME=/usr/bin/time

usage() { sed -n '6,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

runs=3
functions=20
tools=(slsx osls)
while (($# > 0)); do
  case $1 in
    -n) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage 2; runs=$2; shift 2 ;;
    --tools) IFS=, read -r -a tools <<<"${2:-}"; shift 2 ;;
    -h|--help) usage 0 ;;
    [1-9]*) [[ $1 =~ ^[1-9][0-9]*$ ]] || usage 2; functions=$1; shift ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
((${#tools[@]} > 0)) || { echo "--tools needs slsx, osls or slsx,osls" >&2; exit 2; }
for t in "${tools[@]}"; do
  [[ $t == slsx || $t == osls ]] || { echo "unknown tool: $t" >&2; exit 2; }
done
[[ -x $TIME ]] || { echo "$TIME is missing: apt-get install -y time" >&2; exit 1; }

bash "$ROOT/scripts/osls-golden.sh" --install-only

# --- dependencies: the pinned plugins and dayjs, cached by content hash ------------------------
package_json() {
  cat <<'EOF'
{
  "name": "bench-plugins",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "dayjs": "1.11.13"
  },
  "devDependencies": {
    "esbuild": "0.25.12",
    "serverless-esbuild": "1.57.2",
    "serverless-iam-roles-per-function": "3.2.0"
  }
}
EOF
}
npmrc() {
  echo "# Plugins name \`serverless\` as a peer: do not install a framework into the service."
  echo "legacy-peer-deps=true"
}
deps_key=$( { package_json; npmrc; } | sha256sum | cut -c1-16)
DEPS=$OUT/plugin-deps-$deps_key
if [[ ! -f $DEPS/.done ]]; then
  echo "installing the plugins (npm install --ignore-scripts) into ${DEPS#$ROOT/}"
  rm -rf "$DEPS"
  mkdir -p "$DEPS"
  package_json >"$DEPS/package.json"
  npmrc >"$DEPS/.npmrc"
  (cd "$DEPS" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
  touch "$DEPS/.done"
fi

# --- the service --------------------------------------------------------------------------------
SVC=$OUT/services/plugins
make_service() {
  local i
  rm -rf "$SVC"
  mkdir -p "$SVC/src/shared"
  {
    echo "service: bench-plugins"
    echo
    echo "provider:"
    echo "  name: aws"
    echo "  runtime: nodejs22.x"
    echo "  region: us-east-1"
    echo
    echo "plugins:"
    echo "  - serverless-esbuild"
    echo "  - serverless-iam-roles-per-function"
    echo
    echo "functions:"
    for ((i = 1; i <= functions; i++)); do
      echo "  fn$i:"
      echo "    handler: src/fn$i.handler"
      echo "    iamRoleStatements:"
      echo "      - Effect: Allow"
      echo "        Action:"
      echo "          - dynamodb:GetItem"
      echo "          - dynamodb:PutItem"
      echo "        Resource: arn:aws:dynamodb:us-east-1:123456789012:table/items-$i"
    done
  } >"$SVC/serverless.yml"
  cat >"$SVC/src/shared/respond.ts" <<'EOF'
import dayjs from 'dayjs';

export interface Reply {
  statusCode: number;
  body: string;
}

export const respond = (fn: number, input: Record<string, unknown>): Reply => ({
  statusCode: 200,
  body: JSON.stringify({ fn, at: dayjs().format('YYYY-MM-DDTHH:mm:ss'), input }),
});
EOF
  for ((i = 1; i <= functions; i++)); do
    cat >"$SVC/src/fn$i.ts" <<EOF
import dayjs from 'dayjs';
import { respond, Reply } from './shared/respond';

export const handler = async (event: { days?: number }): Promise<Reply> =>
  respond($i, { until: dayjs().add(event.days ?? $i, 'day').toISOString() });
EOF
  done
  cp "$DEPS/package.json" "$DEPS/package-lock.json" "$DEPS/.npmrc" "$SVC/"
  # Hard links: the cached install is shared, not copied.
  cp -al "$DEPS/node_modules" "$SVC/node_modules"
}

add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }

# --- one timed run (the environment of bench/package.sh) ----------------------------------------
timed_run() { # TOOL RUN
  local tool=$1 run=$2 home=$POUT/home
  local log=$POUT/logs/$tool.$run.log tf=$POUT/logs/$tool.$run.time
  local -a cmd
  if [[ $tool == slsx ]]; then cmd=(node "$SLSX_BIN"); else cmd=(node "$OSLS_BIN"); fi
  rm -rf "$SVC/.serverless" "$SVC/.esbuild" "$home"
  mkdir -p "$home"
  local status=0
  (cd "$SVC" && nice -n 10 "$TIME" -f '%e %U %S %M' -o "$tf" \
    env -i HOME="$home" PATH="$PATH" LANG=C.UTF-8 \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_ENDPOINT_URL=http://127.0.0.1:9 \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off NPM_CONFIG_UPDATE_NOTIFIER=false \
    "${cmd[@]}" package --stage dev --region us-east-1) >"$log" 2>&1 || status=$?
  local zips
  zips=$( (find "$SVC/.serverless" -maxdepth 1 -name '*.zip' 2>/dev/null || true) | wc -l)
  if ((status != 0)) || ((zips == 0)); then
    printf '  %-4s run %d: FAILED (exit %d, %d zips), first lines of %s:\n' "$tool" "$run" "$status" "$zips" "${log#$ROOT/}"
    head -n 12 "$log" | sed 's/^/    | /'
    printf '%s\t%d\tfail\t\t\t\t\n' "$tool" "$run" >>"$POUT/runs.tsv"
    return 0
  fi
  local wall user sys rss zip_kb
  read -r wall user sys rss < <(tail -n 1 "$tf")
  zip_kb=$(du -sk --apparent-size -c "$SVC"/.serverless/*.zip | tail -1 | cut -f1)
  printf '  %-4s run %d: %6.2f s wall, %6.2f s CPU, %5d MB peak RSS, %d zips, %d KB\n' \
    "$tool" "$run" "$wall" "$(add "$user" "$sys")" $((rss / 1024)) "$zips" "$zip_kb"
  printf '%s\t%d\tok\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$wall" "$(add "$user" "$sys")" "$rss" "$zip_kb" >>"$POUT/runs.tsv"
  rm -rf "$POUT/artifacts/$tool"
  mkdir -p "$POUT/artifacts"
  mv "$SVC/.serverless" "$POUT/artifacts/$tool"
  echo "$deps_key $functions" >"$POUT/artifacts/$tool/.bench-key"
}

# --- checks: zip entry lists and normalized update templates ------------------------------------
compare() {
  local a=$POUT/artifacts/slsx b=$POUT/artifacts/osls want="$deps_key $functions"
  if [[ ! -d $a || ! -d $b ]]; then
    echo "- not compared (needs a successful run of both tools)"
    return 0
  fi
  if [[ $(cat "$a/.bench-key") != "$want" || $(cat "$b/.bench-key") != "$want" ]]; then
    echo "- not compared (the output kept of one tool is of another service or dependency set: run both)"
    return 0
  fi
  local t
  for t in slsx osls; do
    node "$ROOT/scripts/zip-entries.js" zips "$POUT/artifacts/$t" "$POUT/logs/$t.zips.json" >/dev/null
    node "$ROOT/scripts/normalize-template.js" "$POUT/artifacts/$t/cloudformation-template-update-stack.json" \
      "$POUT/logs/$t.update.json"
  done
  # Contents too: the CRC-32 of every file in every zip (esbuild's output is deterministic).
  for t in slsx osls; do
    for z in "$POUT/artifacts/$t"/*.zip; do
      unzip -v "$z" | awk -v z="$(basename "$z")" 'length($7) == 8 && $7 ~ /^[0-9a-f]+$/ { print z "\t" $8 "\t" $7 }'
    done | LC_ALL=C sort >"$POUT/logs/$t.crc"
  done
  if cmp -s "$POUT/logs/slsx.crc" "$POUT/logs/osls.crc"; then
    echo "- file contents (CRC-32 of every entry): OK"
  else
    echo "- file contents (CRC-32 of every entry): DIFF, first: $(diff "$POUT/logs/slsx.crc" "$POUT/logs/osls.crc" | grep -m2 '^[<>]' | tr '\t\n' '  ')"
  fi
  node - "$POUT/logs" <<'EOF'
const fs = require('fs');
const path = require('path');
const { isDeepStrictEqual } = require('util');
const dir = process.argv[2];
const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
// The first place two JSON values differ, as a path.
const firstDiff = (a, b, at = '$') => {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in a)) return `${at}.${k} only in osls`;
      if (!(k in b)) return `${at}.${k} only in slsx`;
      const d = firstDiff(a[k], b[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at}: slsx ${JSON.stringify(a).slice(0, 120)} / osls ${JSON.stringify(b).slice(0, 120)}`;
};
const zs = read('slsx.zips.json');
const zo = read('osls.zips.json');
const count = (z) => Object.values(z).reduce((n, e) => n + e.length, 0);
const zd = firstDiff(zs, zo);
console.log(zd ? `- zip entries (names and modes): DIFF, first at ${zd}`
  : `- zip entries (names and modes): OK, ${count(zo)} entries in ${Object.keys(zo).length} zip(s)`);
const ts = read('slsx.update.json');
const to = read('osls.update.json');
const td = firstDiff(ts, to);
console.log(td ? `- normalized update template: DIFF, first at ${td}`
  : `- normalized update template: OK, ${Object.keys(to.Resources).length} resources`);
EOF
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf (a / b < 1 ? "%.2f×" : "%.1f×"), a / b; else print "∞" }'; }

summary() {
  local tool slsx_wall='' slsx_cpu='' slsx_rss=''
  echo "| service | tool | runs | wall s | CPU s | peak RSS MB | zip KB | wall ÷ slsx | CPU ÷ slsx | RSS ÷ slsx |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for tool in slsx osls; do
    local rows ok
    rows=$(awk -F'\t' -v t="$tool" '$1 == t' "$POUT/runs.tsv")
    [[ -n $rows ]] || continue
    ok=$(awk -F'\t' '$3 == "ok"' <<<"$rows")
    if [[ -z $ok ]]; then
      printf '| plugins (%d fns) | %s | 0 | failed | | | | | | |\n' "$functions" "$tool"
      continue
    fi
    local n wall cpu rss zipkb wr='' cr='' rr=''
    n=$(wc -l <<<"$ok")
    wall=$(cut -f4 <<<"$ok" | median)
    cpu=$(cut -f5 <<<"$ok" | median)
    rss=$(cut -f6 <<<"$ok" | median)
    zipkb=$(cut -f7 <<<"$ok" | median)
    if [[ $tool == slsx ]]; then
      slsx_wall=$wall; slsx_cpu=$cpu; slsx_rss=$rss
    elif [[ -n $slsx_wall ]]; then
      wr=$(ratio "$wall" "$slsx_wall"); cr=$(ratio "$cpu" "$slsx_cpu"); rr=$(ratio "$rss" "$slsx_rss")
    fi
    printf '| plugins (%d fns) | %s | %d | %.2f | %.2f | %.0f | %.0f | %s | %s | %s |\n' \
      "$functions" "$tool" "$n" "$wall" "$cpu" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$zipkb" "$wr" "$cr" "$rr"
  done
}

# --- main ----------------------------------------------------------------------------------------
mkdir -p "$POUT"
: >"$POUT/runs.tsv"
rm -rf "$POUT/logs"
mkdir -p "$POUT/logs"
for tool in "${tools[@]}"; do rm -rf "$POUT/artifacts/$tool"; done
addon_id() { { cat "$ROOT"/*.node 2>/dev/null || true; } | sha256sum | cut -c1-12; }
addon_before=$(addon_id)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

make_service
echo "== plugins: $functions functions, ${runs} run(s) of ${tools[*]}"
# Read every file once so the first timed run does not pay for a cold page cache.
find "$SVC" -type f -print0 | xargs -0 cat >/dev/null
for ((r = 1; r <= runs; r++)); do
  for tool in "${tools[@]}"; do timed_run "$tool" "$r"; done
done
checks=$(compare)

{
  echo "Plugin benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, node $(node --version), osls $OSLS_VERSION," \
    "slsx $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes') (addon $addon_before)," \
    "load average $load_before at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  if [[ " ${tools[*]} " == *" slsx "* && $(addon_id) != "$addon_before" ]]; then
    echo
    echo "**Warning: slsx's native addon changed during this run: its rows mix two builds.**"
  fi
  echo
  summary
  echo
  echo "slsx against osls (last run of each$([[ " ${tools[*]} " == *" osls "* ]] || echo '; osls from an earlier run')):"
  echo
  echo "$checks"
} >"$POUT/results.md"
echo
cat "$POUT/results.md"
echo
echo "(also in ${POUT#$ROOT/}/results.md; every run in ${POUT#$ROOT/}/runs.tsv, logs in ${POUT#$ROOT/}/logs/)"
