#!/usr/bin/env bash
# Deploy benchmark: `slsx deploy` against `osls deploy` (osls 4.3.1) on the local AWS emulator (moto).
#
# Usage: bench/deploy.sh [-n ROUNDS] [--tools slsx,osls] [--release]
#
#   -n ROUNDS   how many times to run the whole sequence (default: 2)
#   --tools     which tools to run, comma separated (default: slsx,osls)
#   --release   run slsx on a release build of its addon (what the npm package ships: Cargo.toml's
#               [profile.release], the build `npm run pack:local` packs, sharing its target
#               directory), written to bench/out/release/ first (about 20 minutes from clean on
#               2 cores), not on the debug build of `npm run build`
#
# Per round and tool, on the `medium` service of bench/package.sh (20 functions, ~50 MB of
# node_modules) copied to a scratch folder, against a freshly reset emulator:
#   1. first deploy   2. no-change deploy   3. deploy after appending a comment to src/fn1.js
#   4. `deploy function -f fn1` with nothing changed   5. the same after another change to src/fn1.js
# Each step is timed (wall) and its AWS requests are counted from the emulator's request log.
#
# The script starts its own moto server (scripts/moto_server.py from .venv/) on a free port of
# 127.0.0.1, and stops it when it ends. Everything it writes is in bench/out/deploy/ (git-ignored).
# Output: a Markdown table, also written to bench/out/deploy/results.md; per-step request breakdowns
# in bench/out/deploy/logs/*.requests, the tools' output in bench/out/deploy/logs/*.log.
set -euo pipefail
export LC_NUMERIC=C

OSLS_VERSION=4.3.1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
OUT=$BENCH/out/deploy
SERVICE=$BENCH/out/services/medium
OSLS_BIN=$ROOT/.tools/osls/node_modules/osls/bin/serverless.js
SLSX_BIN=$ROOT/bin/slsx.js
PY=$ROOT/.venv/bin/python
TIME=/usr/bin/time
STEPS=(first no-change one-change fn-no-change fn-one-change)

usage() { sed -n '4,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

rounds=2
tools=(slsx osls)
release=0
while (($# > 0)); do
  case $1 in
    -n) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || usage 2; rounds=$2; shift 2 ;;
    --tools) IFS=, read -r -a tools <<<"${2:-}"; shift 2 ;;
    --release) release=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "unknown argument: $1" >&2; usage 2 ;;
  esac
done
for t in "${tools[@]}"; do
  [[ $t == slsx || $t == osls ]] || { echo "unknown tool: $t" >&2; exit 2; }
done

[[ -x $TIME ]] || { echo "$TIME is missing: apt-get install -y time" >&2; exit 1; }
[[ -x $PY && -f $ROOT/scripts/moto_server.py ]] ||
  { echo "no .venv/ with moto: run scripts/local-aws.sh install first" >&2; exit 1; }
installed=$(node -p "require('$ROOT/.tools/osls/node_modules/osls/package.json').version" 2>/dev/null || true)
[[ $installed == "$OSLS_VERSION" ]] ||
  { echo "osls $OSLS_VERSION is not in .tools/osls: run bench/package.sh once (it installs it)" >&2; exit 1; }
if [[ ! -f $SERVICE/serverless.yml || ! -d $SERVICE/node_modules ]]; then
  echo "generating the medium service (one slsx packaging run of bench/package.sh)"
  "$BENCH/package.sh" -n 1 --tools slsx medium >/dev/null
fi

# The addon slsx runs on: the one `npm run build` left in the checkout, or a release build (napi-rs's
# loader takes NAPI_RS_NATIVE_LIBRARY_PATH over the checkout's).
ADDON=$(ls "$ROOT"/slsx.*.node 2>/dev/null | head -1 || true)
BUILD="debug build of npm run build"
if ((release)); then
  host=$(rustc -vV | sed -n 's/^host: //p')
  echo "building slsx's release addon into bench/out/release/ (incremental after the first time)"
  (cd "$ROOT" && nice -n 10 npx napi build --platform --release --target "$host" \
    --output-dir "$BENCH/out/release") >/dev/null
  ADDON=$(ls "$BENCH"/out/release/slsx.*.node | head -1)
  BUILD="release build"
fi

rm -rf "$OUT"
mkdir -p "$OUT/logs" "$OUT/work"

# --- the emulator ------------------------------------------------------------
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
EP=http://127.0.0.1:$port
SLSX_MOTO_REQUEST_LOG=$OUT/requests.log nice -n 10 "$PY" "$ROOT/scripts/moto_server.py" -H 127.0.0.1 -p "$port" \
  >"$OUT/moto.log" 2>&1 &
moto_pid=$!
stop_moto() {
  if kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$moto_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$moto_pid" 2>/dev/null || true
  fi
}
trap stop_moto EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "$EP/moto-api/data.json" 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || { echo "moto exited; see ${OUT#$ROOT/}/moto.log" >&2; tail -20 "$OUT/moto.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -o /dev/null "$EP/moto-api/data.json" || { echo "moto did not answer on $EP within 30 s" >&2; exit 1; }
echo "moto on $EP (pid $moto_pid)"

moto() { curl -fsS -X "$1" "$EP/moto-api/$2" -o "${3:-/dev/null}"; }

# --- request analysis --------------------------------------------------------
# Reads the part of the emulator's request log (scripts/moto_server.py, SLSX_MOTO_REQUEST_LOG: one JSON
# line per request, written as it arrives, bodies not copied) that a step added, and prints
#   total <TAB> uploads (PutObject + UploadPart) <TAB> bytes uploaded
# on its first line, then "count operation" lines, most frequent first.
cat >"$OUT/requests.py" <<'EOF'
import collections, json, re, sys
from urllib.parse import parse_qs

ops = collections.Counter()
total = uploads = upload_bytes = 0
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.strip():
        continue
    r = json.loads(line)
    total += 1
    h = {k.lower().removeprefix("http_").replace("_", "-"): v for k, v in r["headers"].items()}
    service = r.get("service") or "?"
    path = r["path"]
    query = parse_qs(r["query"], keep_blank_values=True)
    if "x-amz-target" in h:
        op = h["x-amz-target"].split(".")[-1]
    elif "Action" in query:
        op = query["Action"][0]
    elif r.get("action"):
        op = r["action"]
    elif service == "s3":
        meth, keyed = r["method"], path.strip("/").count("/") >= 1
        if "x-id" in query:  # the SDKs name the operation of some requests
            op = query["x-id"][0]
        elif meth == "PUT" and "partNumber" in query:
            op = "UploadPart"
        elif meth == "PUT" and keyed and "x-amz-copy-source" in h:
            op = "CopyObject"
        elif meth == "PUT" and keyed:
            op = "PutObject"
        elif meth == "POST" and "uploads" in query:
            op = "CreateMultipartUpload"
        elif meth == "POST" and "uploadId" in query:
            op = "CompleteMultipartUpload"
        elif meth == "POST" and "delete" in query:
            op = "DeleteObjects"
        elif meth == "HEAD":
            op = "HeadObject" if keyed else "HeadBucket"
        elif meth == "GET" and not keyed:
            op = "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects/GetBucket?" + "&".join(sorted(query))
        else:
            op = meth + " " + ("object" if keyed else "bucket") + ("?" + "&".join(sorted(query)) if query else "")
        if op in ("PutObject", "UploadPart"):
            uploads += 1
            size = h.get("x-amz-decoded-content-length") or h.get("content-length") or 0
            upload_bytes += int(size)
    elif service == "lambda" and r["method"] == "GET" and re.fullmatch(r"/[0-9-]+/functions/[^/]+", path):
        op = "GetFunction"
    else:
        op = r["method"] + " " + re.sub(r"/[^/]*(arn|bench)[^/]*", "/{name}", path)
    ops[service + " " + op] += 1
print(f"{total}\t{uploads}\t{upload_bytes}")
for op, n in ops.most_common():
    print(f"{n:4d} {op}")
EOF
# Outside the timed steps: the stack's status and fn1's code hash, to check what a step did.
cat >"$OUT/state.py" <<'EOF'
import sys
import boto3
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
try:
    s = boto3.client("cloudformation", **kw).describe_stacks(StackName="bench-medium-dev")["Stacks"][0]
    status = s["StackStatus"]
except Exception as e:
    status = "none"
try:
    sha = boto3.client("lambda", **kw).get_function(FunctionName="bench-medium-dev-fn1")["Configuration"]["CodeSha256"]
except Exception:
    sha = "none"
print(status, sha)
EOF

# --- one step ----------------------------------------------------------------
# Appends "round tool step ok|fail wall requests uploads bytes status sha" to runs.tsv.
step() { # ROUND TOOL STEP DIR HOME
  local round=$1 tool=$2 name=$3 dir=$4 home=$5
  local tag=$round.$tool.$name log=$OUT/logs/$round.$tool.$name.log tf=$OUT/logs/$round.$tool.$name.time
  local -a cmd
  if [[ $tool == slsx ]]; then cmd=(node "$SLSX_BIN"); else cmd=(node "$OSLS_BIN"); fi
  local -a what=(deploy)
  if [[ $name == fn-* ]]; then what=(deploy function -f fn1); fi
  local before
  before=$(stat -c %s "$OUT/requests.log")
  local status=0
  (cd "$dir" && nice -n 10 "$TIME" -f '%e' -o "$tf" \
    env -i HOME="$home" PATH="$PATH" LANG=C.UTF-8 NAPI_RS_NATIVE_LIBRARY_PATH="$ADDON" \
    AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off NPM_CONFIG_UPDATE_NOTIFIER=false \
    "${cmd[@]}" "${what[@]}" --stage dev --region us-east-1) >"$log" 2>&1 || status=$?
  tail -c +$((before + 1)) "$OUT/requests.log" >"$OUT/logs/$tag.requestlog"
  "$PY" "$OUT/requests.py" "$OUT/logs/$tag.requestlog" >"$OUT/logs/$tag.requests"
  local wall requests uploads bytes stack sha
  wall=$(tail -n 1 "$tf")
  IFS=$'\t' read -r requests uploads bytes <"$OUT/logs/$tag.requests"
  read -r stack sha < <("$PY" "$OUT/state.py" "$EP")
  # The outcome each step must report.
  local want ok=ok
  case $name in
    no-change) want='No changes to deploy' ;;
    fn-no-change) if [[ $tool == slsx ]]; then want='nothing deployed'; else want='Code did not change'; fi ;;
    fn-one-change) want='Function code deployed' ;;
    *) want='Service deployed' ;;
  esac
  if ((status != 0)) || ! grep -q "$want" "$log"; then ok=fail; fi
  printf '  round %d %-4s %-10s %-4s %6.2f s, %3d requests, %d uploads (%d KiB), stack %s, fn1 %s\n' \
    "$round" "$tool" "$name" "$ok" "$wall" "$requests" "$uploads" $((bytes / 1024)) "$stack" "${sha:0:12}"
  if [[ $ok == fail ]]; then
    printf '    exit %d, no "%s" in %s; last lines:\n' "$status" "$want" "${log#$ROOT/}"
    tail -n 8 "$log" | sed 's/^/    | /'
  fi
  printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$tool" "$name" "$ok" "$wall" "$requests" "$uploads" \
    "$bytes" "$stack" "$sha" >>"$OUT/runs.tsv"
}

# --- main --------------------------------------------------------------------
addon_id() { { cat "$ADDON" 2>/dev/null || true; } | sha256sum | cut -c1-12; }
addon_before=$(addon_id)
started=$(date -u '+%Y-%m-%d %H:%M')
load_before=$(cut -d' ' -f1 /proc/loadavg)
: >"$OUT/runs.tsv"
# Read the service once so the first deploy does not pay for a cold page cache.
find "$SERVICE" -path "$SERVICE/.serverless" -prune -o -type f -print0 | xargs -0 cat >/dev/null

for ((r = 1; r <= rounds; r++)); do
  for tool in "${tools[@]}"; do
    echo "== round $r: $tool"
    moto POST reset
    dir=$OUT/work/$tool
    home=$OUT/work/home-$tool
    rm -rf "$dir" "$home"
    mkdir -p "$dir" "$home"
    cp -a "$SERVICE/serverless.yml" "$SERVICE/package.json" "$SERVICE/package-lock.json" "$SERVICE/src" "$dir/"
    cp -al "$SERVICE/node_modules" "$dir/node_modules" # hard links: nothing writes into them
    step "$r" "$tool" first "$dir" "$home"
    step "$r" "$tool" no-change "$dir" "$home"
    printf '// changed %s\n' "$(date +%s%N)" >>"$dir/src/fn1.js"
    step "$r" "$tool" one-change "$dir" "$home"
    step "$r" "$tool" fn-no-change "$dir" "$home"
    printf '// changed again %s\n' "$(date +%s%N)" >>"$dir/src/fn1.js"
    step "$r" "$tool" fn-one-change "$dir" "$home"
  done
done

# Checks across steps, from the emulator's state: the stack is complete after every step, fn1's code is
# unchanged by the no-change deploy and changed by the one-change deploy.
checks() {
  awk -F'\t' '
    { key = $1 "\t" $2; st[key, $3] = $9; sha[key, $3] = $10; seen[key] = 1 }
    END {
      for (k in seen) {
        split(k, a, "\t"); bad = ""
        if (st[k, "first"] !~ /_COMPLETE$/ || st[k, "first"] ~ /ROLLBACK/) bad = bad " stack after first: " st[k, "first"] ";"
        if (st[k, "one-change"] !~ /_COMPLETE$/ || st[k, "one-change"] ~ /ROLLBACK/) bad = bad " stack after one-change: " st[k, "one-change"] ";"
        if (sha[k, "no-change"] != sha[k, "first"]) bad = bad " fn1 code changed by the no-change deploy;"
        if (sha[k, "one-change"] == sha[k, "no-change"]) bad = bad " fn1 code not changed by the one-change deploy;"
        if (sha[k, "fn-no-change"] != sha[k, "one-change"]) bad = bad " fn1 code changed by deploy function without a change;"
        if (sha[k, "fn-one-change"] == sha[k, "fn-no-change"]) bad = bad " fn1 code not changed by deploy function after a change;"
        printf "- round %s, %s: %s\n", a[1], a[2], bad == "" ? "OK (stack complete, fn1 code kept, then replaced; deploy function kept it, then replaced it)" : "PROBLEM:" bad
      }
    }' "$OUT/runs.tsv" | sort
}

table() {
  echo "| round | step | slsx wall s | slsx requests | slsx uploads | osls wall s | osls requests | osls uploads | osls ÷ slsx wall |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
  local round name
  for ((round = 1; round <= rounds; round++)); do
    for name in "${STEPS[@]}"; do
      awk -F'\t' -v r="$round" -v s="$name" '
        function cell(t) {
          if (!(t in ok)) return "|  |  | "
          if (ok[t] != "ok") return sprintf("| %s (FAILED) | %s | %d (%.1f MB)", wall[t], req[t], up[t], bytes[t] / 1048576)
          return sprintf("| %.2f | %d | %d (%.1f MB)", wall[t], req[t], up[t], bytes[t] / 1048576)
        }
        $1 == r && $3 == s { ok[$2] = $4; wall[$2] = $5; req[$2] = $6; up[$2] = $7; bytes[$2] = $8 }
        END {
          ratio = ""
          if (("slsx" in ok) && ("osls" in ok) && wall["slsx"] > 0) ratio = sprintf("%.1f×", wall["osls"] / wall["slsx"])
          printf "| %s | %s %s %s | %s |\n", r, s, cell("slsx"), cell("osls"), ratio
        }' "$OUT/runs.tsv"
    done
  done
}

{
  echo "Deploy benchmark, $started UTC, $(nproc) cores, node $(node --version), osls $OSLS_VERSION," \
    "slsx $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+changes') ($BUILD, addon $addon_before)," \
    "moto $("$PY" -c 'import moto; print(moto.__version__)'), service medium (20 functions, one zip);" \
    "1-minute load average $load_before at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
  if [[ $(addon_id) != "$addon_before" ]]; then
    echo
    echo "**Warning: slsx's native addon changed during this run: its rows mix two builds.**"
  fi
  echo
  table
  echo
  echo "Uploads: S3 PutObject + UploadPart requests (MB sent). Checks against the emulator's state:"
  echo
  checks
} >"$OUT/results.md"
echo
cat "$OUT/results.md"
echo
echo "(also in ${OUT#$ROOT/}/results.md; request breakdowns and logs in ${OUT#$ROOT/}/logs/)"
