#!/usr/bin/env bash
# Runs a command while the dev API server is up, and always stops the server
# afterwards (also on failure or Ctrl-C).
#
# usage: .ci/with-devserver.sh [server options...] -- command [args...]
#
# The server binary must be built (`cargo build -p sociapp-devserver`); it is
# target/debug/sociapp-devserver unless SOCIAPP_DEVSERVER names another one.
# The server's output goes to target/devserver-<port>.log. The command runs
# once GET /health answers 200 (at most WAIT_SECS seconds, default 30).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SERVER="${SOCIAPP_DEVSERVER:-$TARGET_DIR/debug/sociapp-devserver}"
WAIT_SECS="${WAIT_SECS:-30}"

die() { printf 'with-devserver: error: %s\n' "$*" >&2; exit 1; }

server_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  server_args+=("$1")
  shift
done
[ "${1:-}" = "--" ] || die "usage: $0 [server options...] -- command [args...]"
shift
[ $# -gt 0 ] || die "no command given after --"

[ -x "$SERVER" ] || die "$SERVER not found: build it with 'cargo build -p sociapp-devserver'"

# The API port, for the health check (the server binds 127.0.0.1 only).
port=3000
for ((i = 0; i < ${#server_args[@]}; i++)); do
  case "${server_args[$i]}" in
    --port) port="${server_args[$((i + 1))]:-}" ;;
    --port=*) port="${server_args[$i]#--port=}" ;;
  esac
done
[[ "$port" =~ ^[1-9][0-9]*$ ]] || die "give the server a fixed --port (got '$port')"

# Something already on that port would answer the health check in our place.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  die "127.0.0.1:$port is already in use (a dev server left running?)"
fi

mkdir -p "$TARGET_DIR"
log="$TARGET_DIR/devserver-$port.log"
"$SERVER" "${server_args[@]}" >"$log" 2>&1 &
server_pid=$!

# shellcheck disable=SC2317  # called by the EXIT trap
stop_server() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# GET /health over bash's /dev/tcp (no curl needed); true on a 200 answer.
health_ok() {
  local status=""
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$port" >&3
  IFS= read -r -t 5 status <&3 || true
  exec 3<&- 3>&-
  [[ "$status" == HTTP/1.?" 200"* ]]
}

deadline=$((SECONDS + WAIT_SECS))
until health_ok 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$log" >&2
    die "the dev server exited before answering GET /health (log above: $log)"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    cat "$log" >&2
    die "the dev server did not answer GET http://127.0.0.1:$port/health within ${WAIT_SECS}s (log above: $log)"
  fi
  sleep 0.1
done
echo "with-devserver: dev server up on http://127.0.0.1:$port (pid $server_pid, log $log)"

# Not `exec`: the EXIT trap must still stop the server after the command.
set +e
"$@"
status=$?
set -e
if [ "$status" -ne 0 ]; then
  echo "with-devserver: the command failed ($status); the dev server's last lines ($log):" >&2
  tail -n 40 "$log" >&2 || true
fi
exit "$status"
