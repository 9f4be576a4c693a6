#!/usr/bin/env bash
# The local AWS endpoint for tests, the demo and CI: the moto server on 127.0.0.1.
#
#   scripts/local-aws.sh install   create .venv/ (git-ignored) with pinned moto[server] and cfn-lint
#   scripts/local-aws.sh start     install if needed, start moto on a free port, wait until it answers,
#                                  print the endpoint (also written to .moto/endpoint)
#   scripts/local-aws.sh stop      stop the server started by `start`
#   scripts/local-aws.sh env       print `export` lines for AWS_ENDPOINT_URL and dummy credentials (and
#                                  `unset` for the profile variables): eval "$(scripts/local-aws.sh env)"
#
# SLSX_LOCAL_AWS_STATE=DIR keeps the server's pid, endpoint and log in DIR instead of .moto/, so that a
# second server (scripts/pack-test.sh's) never reuses or stops the one `npm test` started;
# SLSX_LOCAL_AWS_PORT=N uses that port instead of a free one.
#
# Nothing here reaches anything but 127.0.0.1 once the packages are installed.
set -euo pipefail

MOTO_VERSION="5.2.5"
CFN_LINT_VERSION="1.58.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
state="${SLSX_LOCAL_AWS_STATE:-$root/.moto}"

install() {
  if [ -x "$venv/bin/moto_server" ] && [ -f "$venv/.slsx-pins" ] &&
     [ "$(cat "$venv/.slsx-pins")" = "moto=$MOTO_VERSION cfn-lint=$CFN_LINT_VERSION" ]; then
    return 0
  fi
  echo "local-aws: installing moto[server]==$MOTO_VERSION and cfn-lint==$CFN_LINT_VERSION into .venv/" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "cfn-lint==$CFN_LINT_VERSION" >&2
  echo "moto=$MOTO_VERSION cfn-lint=$CFN_LINT_VERSION" > "$venv/.slsx-pins"
}

free_port() {
  "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
  install
  mkdir -p "$state"
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    cat "$state/endpoint"
    return 0
  fi
  local port endpoint
  port="${SLSX_LOCAL_AWS_PORT:-$(free_port)}"
  endpoint="http://127.0.0.1:$port"
  # moto (with the fix in moto_server.py) answers synchronously; no Docker is needed for what slsx uses.
  MOTO_RECORDER_FILEPATH="$state/recording" nohup "$venv/bin/python" "$root/scripts/moto_server.py" -H 127.0.0.1 -p "$port" > "$state/server.log" 2>&1 &
  echo $! > "$state/pid"
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$endpoint/moto-api/data.json" 2>/dev/null; then
      echo "$endpoint" > "$state/endpoint"
      echo "$endpoint"
      return 0
    fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
      echo "local-aws: moto_server exited; see $state/server.log" >&2
      tail -20 "$state/server.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "local-aws: moto_server did not answer on $endpoint within 30 s" >&2
  stop
  return 1
}

stop() {
  if [ -f "$state/pid" ]; then
    local pid
    pid="$(cat "$state/pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$state/pid" "$state/endpoint"
  fi
}

print_env() {
  echo "export AWS_ENDPOINT_URL=$(cat "$state/endpoint")"
  echo "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing"
  echo "export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true"
  echo "unset AWS_PROFILE AWS_DEFAULT_PROFILE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
