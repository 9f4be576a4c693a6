#!/usr/bin/env bash
# Packaging benchmark: `slsx package` against `osls package` (osls 4.3.1, the
# Serverless Framework v3 fork slsx reimplements) on generated services.
#
# Usage: bench/package.sh [-n RUNS] [--tools slsx,osls] [--no-zip-ref] [SERVICE...]
#
#   SERVICE     small | medium | individually | large (default: all four)
#   -n RUNS     runs per tool and service (default: 3, but 1 for individually,
#               where one osls run takes six minutes or more)
#   --tools     which tools to time, comma separated (default: slsx,osls); the
#               zips of the last run of a tool left out are kept, so
#               `--tools slsx` still checks slsx's zips against osls's
#   --no-zip-ref  skip the `zip -6` reference row of medium
#
# See bench/README.md for what each service is. Everything the script makes
# lives in bench/out/ (git-ignored): the npm install of bench/service/ is kept
# there between runs, keyed by a hash of its package.json and lock file.
#
# Output: one line per run while it goes, then a Markdown table (also written
# to bench/out/results.md; every run is in bench/out/runs.tsv) and, per
# service, whether slsx and osls wrote zips with the same entry names.
set -euo pipefail
export LC_NUMERIC=C

OSLS_VERSION=4.3.1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
OUT=$BENCH/out
OSLS_PREFIX=$ROOT/.tools/osls
OSLS_BIN=$OSLS_PREFIX/node_modules/osls/bin/serverless.js
SLSX_BIN=$ROOT/bin/slsx.js
TIME=/usr/bin/time
ALL_SERVICES=(small medium individually large)

usage() { sed -n '5,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

runs_override=
tools=(slsx osls)
zip_ref=1
services=()
while (($# > 0)); do
  case $1 in
    -n) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage 2; runs_override=$2; shift 2 ;;
    --tools) IFS=, read -r -a tools <<<"${2:-}"; shift 2 ;;
    --no-zip-ref) zip_ref=0; shift ;;
    -h|--help) usage 0 ;;
    small|medium|individually|large) services+=("$1"); shift ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
((${#services[@]} > 0)) || services=("${ALL_SERVICES[@]}")
((${#tools[@]} > 0)) || { echo "--tools needs slsx, osls or slsx,osls" >&2; exit 2; }
for t in "${tools[@]}"; do
  [[ $t == slsx || $t == osls ]] || { echo "unknown tool: $t" >&2; exit 2; }
done

[[ -x $TIME ]] || { echo "$TIME is missing: apt-get install -y time" >&2; exit 1; }
for cmd in zip unzip; do
  if ! command -v $cmd >/dev/null; then
    echo "installing $cmd"
    apt-get install -y "$cmd" >/dev/null || { apt-get update >/dev/null && apt-get install -y "$cmd" >/dev/null; }
  fi
done

installed=$(node -p "require('$OSLS_PREFIX/node_modules/osls/package.json').version" 2>/dev/null || true)
if [[ $installed != "$OSLS_VERSION" ]]; then
  echo "installing osls@$OSLS_VERSION into .tools/osls"
  mkdir -p "$OSLS_PREFIX"
  (cd "$ROOT" && npm install --prefix .tools/osls "osls@$OSLS_VERSION" --no-audit --no-fund)
fi

mkdir -p "$OUT"

# --- dependencies: npm ci of bench/service, cached by content hash ----------
deps_key=$(cat "$BENCH/service/package.json" "$BENCH/service/package-lock.json" | sha256sum | cut -c1-16)
DEPS=$OUT/deps-$deps_key
needs_deps=0
for s in "${services[@]}"; do [[ $s == small ]] || needs_deps=1; done
if ((needs_deps)) && [[ ! -f $DEPS/.done ]]; then
  echo "installing the benchmark's node_modules (npm ci) into ${DEPS#$ROOT/}"
  rm -rf "$DEPS"
  mkdir -p "$DEPS"
  cp "$BENCH/service/package.json" "$BENCH/service/package-lock.json" "$DEPS/"
  (cd "$DEPS" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$DEPS/.done"
fi
if ((needs_deps)); then
  # Dependencies alone: the directories `npm ls --omit=dev` names, less those inside another one.
  prod_kb=$(cd "$DEPS" && npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | sort -u |
    awk '{ for (i = 1; i <= n; i++) if (index($0, kept[i] "/") == 1) next; kept[++n] = $0; print }' |
    xargs du -sk --apparent-size -c | tail -1 | cut -f1)
  all_kb=$(du -sk --apparent-size "$DEPS/node_modules" | cut -f1)
  disk_kb=$(du -sk "$DEPS/node_modules" | cut -f1)
  files=$(find "$DEPS/node_modules" -type f | wc -l)
  printf 'node_modules: %d files, %d MB of files (%d MB of them dependencies, the rest devDependencies), %d MB on disk\n' \
    "$files" $((all_kb / 1024)) $((prod_kb / 1024)) $((disk_kb / 1024))
fi

# --- services ----------------------------------------------------------------
write_handler() { # FILE N
  cat >"$1" <<EOF
'use strict';
const { pick } = require('lodash');

module.exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ fn: $2, input: pick(event || {}, ['path', 'httpMethod']) }),
});
EOF
}

make_service() { # NAME FUNCTIONS WITH_DEPS INDIVIDUALLY
  local name=$1 count=$2 with_deps=$3 individually=$4 dir=$OUT/services/$1 i
  rm -rf "$dir"
  mkdir -p "$dir/src"
  {
    echo "service: bench-$name"
    echo
    echo "provider:"
    echo "  name: aws"
    echo "  runtime: nodejs22.x"
    if ((individually)); then
      echo
      echo "package:"
      echo "  individually: true"
    fi
    echo
    echo "functions:"
    for ((i = 1; i <= count; i++)); do
      echo "  fn$i:"
      echo "    handler: src/fn$i.handler"
    done
  } >"$dir/serverless.yml"
  for ((i = 1; i <= count; i++)); do write_handler "$dir/src/fn$i.js" "$i"; done
  if ((with_deps)); then
    cp "$DEPS/package.json" "$DEPS/package-lock.json" "$dir/"
    # Hard links: every service shares the cached install (and its page cache).
    cp -al "$DEPS/node_modules" "$dir/node_modules"
  fi
}

add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }

default_runs() { [[ $1 == individually ]] && echo 1 || echo 3; }

# --- one timed run -----------------------------------------------------------
# Both tools get the same clean environment and the same niceness. AWS calls
# are not expected while packaging; the endpoint points them at a closed local
# port all the same, so nothing can leave this machine.
timed_run() { # SERVICE TOOL RUN -> appends to runs.tsv, keeps .serverless
  local svc=$1 tool=$2 run=$3 dir=$OUT/services/$1 home=$OUT/home
  local log=$OUT/logs/$svc.$tool.$run.log tf=$OUT/logs/$svc.$tool.$run.time
  local -a cmd
  if [[ $tool == slsx ]]; then cmd=(node "$SLSX_BIN"); else cmd=(node "$OSLS_BIN"); fi
  rm -rf "$dir/.serverless" "$home"
  mkdir -p "$home" "$OUT/logs"
  local status=0
  (cd "$dir" && nice -n 10 "$TIME" -f '%e %U %S %M' -o "$tf" \
    env -i HOME="$home" PATH="$PATH" LANG=C.UTF-8 \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_ENDPOINT_URL=http://127.0.0.1:9 \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off NPM_CONFIG_UPDATE_NOTIFIER=false \
    "${cmd[@]}" package --stage dev --region us-east-1) >"$log" 2>&1 || status=$?
  local zips
  zips=$( (find "$dir/.serverless" -maxdepth 1 -name '*.zip' 2>/dev/null || true) | wc -l)
  if ((status != 0)) || ((zips == 0)); then
    printf '  %-12s %-4s run %d: FAILED (exit %d, %d zips), first lines of %s:\n' "$svc" "$tool" "$run" "$status" "$zips" "${log#$ROOT/}"
    head -n 4 "$log" | sed 's/^/    | /'
    printf '%s\t%s\t%d\tfail\t\t\t\t\n' "$svc" "$tool" "$run" >>"$OUT/runs.tsv"
    return 0
  fi
  local wall user sys rss zip_kb
  read -r wall user sys rss < <(tail -n 1 "$tf")
  zip_kb=$(du -sk --apparent-size -c "$dir"/.serverless/*.zip | tail -1 | cut -f1)
  printf '  %-12s %-4s run %d: %6.2f s wall, %6.2f s CPU, %5d MB peak RSS, %d zips, %d MB\n' \
    "$svc" "$tool" "$run" "$wall" "$(add "$user" "$sys")" $((rss / 1024)) "$zips" $((zip_kb / 1024))
  printf '%s\t%s\t%d\tok\t%s\t%s\t%s\t%s\n' "$svc" "$tool" "$run" "$wall" "$(add "$user" "$sys")" "$rss" "$zip_kb" >>"$OUT/runs.tsv"
  rm -rf "$OUT/artifacts/$svc/$tool"
  mkdir -p "$OUT/artifacts/$svc"
  mv "$dir/.serverless" "$OUT/artifacts/$svc/$tool"
  echo "$deps_key" >"$OUT/artifacts/$svc/$tool/.bench-key"
}

# zip -6 (Info-ZIP, one thread) of exactly the files in osls's zip of SERVICE.
zip_reference() { # SERVICE RUN
  local svc=$1 run=$2 dir=$OUT/services/$1 src=$OUT/artifacts/$1/osls
  local list=$OUT/logs/$svc.zipref.list ref=$OUT/tmp/$svc.ref.zip tf=$OUT/logs/$svc.zip.$run.time
  local osls_zip
  osls_zip=$(find "$src" -maxdepth 1 -name '*.zip' | head -1)
  [[ -n $osls_zip ]] || { echo "  no osls zip of $svc: skipping the zip reference"; return 0; }
  unzip -Z1 "$osls_zip" | grep -v '/$' >"$list"
  mkdir -p "$OUT/tmp"
  rm -f "$ref"
  (cd "$dir" && nice -n 10 "$TIME" -f '%e %U %S %M' -o "$tf" zip -6 -r -q "$ref" -@ <"$list")
  local wall user sys rss zip_kb
  read -r wall user sys rss < <(tail -n 1 "$tf")
  zip_kb=$(du -sk --apparent-size "$ref" | cut -f1)
  printf '  %-12s %-4s run %d: %6.2f s wall, %6.2f s CPU, %5d MB peak RSS, 1 zip, %d MB (%d entries)\n' \
    "$svc" zip "$run" "$wall" "$(add "$user" "$sys")" $((rss / 1024)) $((zip_kb / 1024)) "$(wc -l <"$list")"
  printf '%s\t%s\t%d\tok\t%s\t%s\t%s\t%s\n' "$svc" "zip -6" "$run" "$wall" "$(add "$user" "$sys")" "$rss" "$zip_kb" >>"$OUT/runs.tsv"
  rm -f "$ref"
}

# Sorted "zip-name<TAB>entry-name" lines of every zip a tool wrote.
entry_list() { # DIR
  local z
  for z in "$1"/*.zip; do
    unzip -Z1 "$z" | sed "s|^|$(basename "$z")\t|"
  done | LC_ALL=C sort
}

compare_entries() { # SERVICE
  local svc=$1 a=$OUT/artifacts/$1/slsx b=$OUT/artifacts/$1/osls
  if [[ ! -d $a || ! -d $b ]]; then
    printf '%s\t-\t(needs a successful run of both tools)\n' "$svc" >>"$OUT/compare.tsv"
    return 0
  fi
  if [[ $(cat "$a/.bench-key" 2>/dev/null) != "$deps_key" || $(cat "$b/.bench-key" 2>/dev/null) != "$deps_key" ]]; then
    printf '%s\t-\t(the zips kept of one tool are of another dependency set: run both)\n' "$svc" >>"$OUT/compare.tsv"
    return 0
  fi
  local earlier='' t
  for t in slsx osls; do
    [[ " ${tools[*]} " == *" $t "* ]] || earlier+=", $t zips from an earlier run"
  done
  entry_list "$a" >"$OUT/logs/$svc.slsx.entries"
  entry_list "$b" >"$OUT/logs/$svc.osls.entries"
  local n zips
  n=$(wc -l <"$OUT/logs/$svc.osls.entries")
  zips=$(find "$b" -maxdepth 1 -name '*.zip' | wc -l)
  if cmp -s "$OUT/logs/$svc.slsx.entries" "$OUT/logs/$svc.osls.entries"; then
    printf '%s\tOK\tthe same entry names (%d in %d zip(s)%s)\n' "$svc" "$n" "$zips" "$earlier" >>"$OUT/compare.tsv"
  else
    local only_slsx only_osls
    only_slsx=$(LC_ALL=C comm -23 "$OUT/logs/$svc.slsx.entries" "$OUT/logs/$svc.osls.entries" | wc -l)
    only_osls=$(LC_ALL=C comm -13 "$OUT/logs/$svc.slsx.entries" "$OUT/logs/$svc.osls.entries" | wc -l)
    {
      printf '%s\tDIFF\t%d entries only in slsx zips, %d only in osls zips (osls: %d in %d zip(s)%s); first ones:\n' \
        "$svc" "$only_slsx" "$only_osls" "$n" "$zips" "$earlier"
      LC_ALL=C comm -23 "$OUT/logs/$svc.slsx.entries" "$OUT/logs/$svc.osls.entries" | head -n 10 | sed 's/^/\t\tonly slsx: /'
      LC_ALL=C comm -13 "$OUT/logs/$svc.slsx.entries" "$OUT/logs/$svc.osls.entries" | head -n 10 | sed 's/^/\t\tonly osls: /'
    } >>"$OUT/compare.tsv"
  fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

summary() {
  local svc tool col
  echo "| service | tool | runs | wall s | CPU s | peak RSS MB | zip MB | wall ÷ slsx | RSS ÷ slsx |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for svc in "${services[@]}"; do
    local slsx_wall='' slsx_rss=''
    for tool in slsx osls "zip -6"; do
      local rows ok
      rows=$(awk -F'\t' -v s="$svc" -v t="$tool" '$1 == s && $2 == t' "$OUT/runs.tsv")
      [[ -n $rows ]] || continue
      ok=$(awk -F'\t' '$4 == "ok"' <<<"$rows")
      if [[ -z $ok ]]; then
        printf '| %s | %s | 0 | failed | | | | | |\n' "$svc" "$tool"
        continue
      fi
      local n wall cpu rss zipmb
      n=$(wc -l <<<"$ok")
      wall=$(cut -f5 <<<"$ok" | median)
      cpu=$(cut -f6 <<<"$ok" | median)
      rss=$(cut -f7 <<<"$ok" | median)
      zipmb=$(cut -f8 <<<"$ok" | median)
      local wr='' rr=''
      if [[ $tool == slsx ]]; then
        slsx_wall=$wall; slsx_rss=$rss
      elif [[ -n $slsx_wall ]]; then
        wr=$(awk -v a="$wall" -v b="$slsx_wall" 'BEGIN { if (b > 0) printf (a / b < 1 ? "%.2f×" : "%.1f×"), a / b; else print "∞" }')
        rr=$(awk -v a="$rss" -v b="$slsx_rss" 'BEGIN { printf (a / b < 1 ? "%.2f×" : "%.1f×"), a / b }')
      fi
      local label=$tool
      [[ $tool == "zip -6" ]] && label='`zip -6` (reference)'
      printf '| %s | %s | %d | %.2f | %.2f | %.0f | %.1f | %s | %s |\n' \
        "$svc" "$label" "$n" "$wall" "$cpu" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" \
        "$(awk -v k="$zipmb" 'BEGIN { print k / 1024 }')" "$wr" "$rr"
    done
  done
}

# --- main --------------------------------------------------------------------
: >"$OUT/runs.tsv"
: >"$OUT/compare.tsv"
rm -rf "$OUT/logs"
mkdir -p "$OUT/logs"
# The zips of a tool not run this time are kept, so `--tools slsx` still checks
# its zips against those of the last osls run (same dependency set only).
for svc in "${services[@]}"; do
  for tool in "${tools[@]}"; do rm -rf "$OUT/artifacts/$svc/$tool"; done
done
# slsx's native addon, to notice a rebuild in the middle of a run.
addon_id() { { cat "$ROOT"/*.node 2>/dev/null || true; } | sha256sum | cut -c1-12; }
addon_before=$(addon_id)

for svc in "${services[@]}"; do
  case $svc in
    small) make_service small 1 0 0 ;;
    medium) make_service medium 20 1 0 ;;
    individually) make_service individually 20 1 1 ;;
    large) make_service large 100 1 0 ;;
  esac
  runs=${runs_override:-$(default_runs "$svc")}
  echo "== $svc: ${runs} run(s) of ${tools[*]}"
  # Read every file once so the first timed run does not pay for a cold page cache.
  find "$OUT/services/$svc" -type f -print0 | xargs -0 cat >/dev/null
  for ((r = 1; r <= runs; r++)); do
    for tool in "${tools[@]}"; do timed_run "$svc" "$tool" "$r"; done
  done
  if [[ $svc == medium ]] && ((zip_ref)) && [[ -d $OUT/artifacts/$svc/osls ]]; then
    for ((r = 1; r <= runs; r++)); do zip_reference "$svc" "$r"; done
  fi
  compare_entries "$svc"
done

{
  echo "Packaging benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/^MemTotal:/ { g = $2 / 1048576; printf "%d", g == int(g) ? g : int(g) + 1 }' /proc/meminfo) GiB," \
    "node $(node --version), osls $OSLS_VERSION, slsx $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes') (addon $addon_before)"
  if [[ " ${tools[*]} " == *" slsx "* && $(addon_id) != "$addon_before" ]]; then
    echo
    echo "**Warning: slsx's native addon changed during this run: its rows mix two builds.**"
  fi
  echo
  summary
  echo
  echo "Zip entry names, slsx against osls:"
  echo
  sed 's/^\([^\t]*\)\t-\t/- \1: not compared /; s/^\([^\t]*\)\t\([^\t]*\)\t/- \1: \2, /; s/^\t\t/  - /' "$OUT/compare.tsv"
} >"$OUT/results.md"
echo
cat "$OUT/results.md"
echo
echo "(also in ${OUT#$ROOT/}/results.md; every run in ${OUT#$ROOT/}/runs.tsv, logs in ${OUT#$ROOT/}/logs/)"
