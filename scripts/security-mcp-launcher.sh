#!/usr/bin/env bash
# Runs security-mcp-server over HTTP in the background: start, stop, restart, status, logs, validate.
#
#   scripts/security-mcp-launcher.sh start      # serve on 127.0.0.1:8080, wait until /health answers
#   scripts/security-mcp-launcher.sh status     # pid, uptime, URL, health; exit 0 running, 1 stale pid file, 3 stopped
#   scripts/security-mcp-launcher.sh logs [-f] [-n LINES]
#   scripts/security-mcp-launcher.sh stop       # SIGTERM (running calls get the grace period), then SIGKILL
#   scripts/security-mcp-launcher.sh restart    # stop, then start
#   scripts/security-mcp-launcher.sh validate   # security-mcp validate: tools, privileges, sandbox
#
# Settings, from the environment (the server's own MCP_* variables pass through to it as usual):
#   MCP_SERVER_HOST, MCP_SERVER_PORT   bind address (127.0.0.1, 8080); passed as --host/--port, so they win
#                                      over the config file. A non-loopback host needs MCP_SECURITY_API_KEYS.
#   MCP_CONFIG_FILE                    YAML config (passed as --config)
#   SECURITY_MCP_STATE_DIR             pid and log files ($XDG_STATE_HOME/security-mcp, else ~/.local/state/...)
#   SECURITY_MCP_CLI                   the CLI to run (dist/cli.js of this checkout); NODE: the node binary
#   START_TIMEOUT                      seconds to wait for /health at start (30)
#   STOP_TIMEOUT                       seconds to wait after SIGTERM before SIGKILL (server.shutdown_grace_period
#                                      + 10, i.e. 40 by default)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE=${NODE:-node}
CLI=${SECURITY_MCP_CLI:-$here/../dist/cli.js}
HOST=${MCP_SERVER_HOST:-127.0.0.1}
PORT=${MCP_SERVER_PORT:-8080}
STATE_DIR=${SECURITY_MCP_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/security-mcp}
PID_FILE=$STATE_DIR/server.pid
LOG_FILE=$STATE_DIR/server.log
START_TIMEOUT=${START_TIMEOUT:-30}
STOP_TIMEOUT=${STOP_TIMEOUT:-$((${MCP_SERVER_SHUTDOWN_GRACE_PERIOD:-30} + 10))}

say() { echo "security-mcp: $*"; }
die() {
  echo "security-mcp: $*" >&2
  exit 1
}

# The address to probe: a wildcard bind answers on loopback.
case "$HOST" in
  0.0.0.0 | "") probe_host=127.0.0.1 ;;
  :: | "[::]") probe_host="[::1]" ;;
  *:*) probe_host="[$HOST]" ;;
  *) probe_host=$HOST ;;
esac
URL="http://$probe_host:$PORT"

# The pid from the pid file, if that process is alive and is our server (a reused pid is not).
running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "cli.js serve" || return 1
  echo "$pid"
}

# Prints "<http status> <health status>" of GET /health, or "000 unreachable".
health() {
  "$NODE" -e '
    fetch(process.argv[1] + "/health", { signal: AbortSignal.timeout(3000) })
      .then(async (r) => {
        const body = await r.json().catch(() => ({}));
        console.log(r.status, body.status ?? "unknown");
      })
      .catch(() => console.log("000 unreachable"));
  ' "$URL"
}

cmd_start() {
  local pid
  if pid=$(running_pid); then
    say "already running (pid $pid) at $URL"
    return 0
  fi
  [ -f "$CLI" ] || die "$CLI not found: build first with bash scripts/setup.sh"
  mkdir -p "$STATE_DIR"
  local args=(serve --transport http --host "$HOST" --port "$PORT")
  [ -n "${MCP_CONFIG_FILE:-}" ] && args+=(--config "$MCP_CONFIG_FILE")
  # setsid: its own session, so closing this terminal does not signal it; stdin from /dev/null.
  setsid "$NODE" "$CLI" "${args[@]}" </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + START_TIMEOUT)) code status
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      echo "security-mcp: the server exited during start; last log lines ($LOG_FILE):" >&2
      tail -n 20 "$LOG_FILE" >&2
      exit 1
    fi
    read -r code status < <(health)
    if [ "$code" = 200 ] || [ "$code" = 207 ]; then
      say "started (pid $pid) at $URL, health $status; logs: $LOG_FILE"
      return 0
    fi
    sleep 0.2
  done
  echo "security-mcp: no answer from $URL/health within ${START_TIMEOUT}s; stopping it" >&2
  cmd_stop >&2 || true
  exit 1
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE"
    say "not running"
    return 0
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    say "still running after ${STOP_TIMEOUT}s; sending SIGKILL to pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

cmd_status() {
  local pid
  if ! pid=$(running_pid); then
    if [ -f "$PID_FILE" ]; then
      say "not running, but $PID_FILE is left over (pid $(cat "$PID_FILE"))"
      return 1
    fi
    say "not running"
    return 3
  fi
  local uptime code status
  uptime=$(ps -o etimes= -p "$pid" | tr -d ' ')
  read -r code status < <(health)
  say "running (pid $pid), up ${uptime}s, $URL, health $status (HTTP $code)"
}

cmd_logs() {
  local follow=() lines=100
  while [ $# -gt 0 ]; do
    case "$1" in
      -f | --follow) follow=(-F) ;;
      -n | --lines)
        lines=${2:?-n needs a number}
        shift
        ;;
      *) die "logs: unknown option $1" ;;
    esac
    shift
  done
  [ -f "$LOG_FILE" ] || die "no log yet at $LOG_FILE"
  tail -n "$lines" "${follow[@]}" "$LOG_FILE"
}

cmd_validate() {
  [ -f "$CLI" ] || die "$CLI not found: build first with bash scripts/setup.sh"
  local args=(validate)
  [ -n "${MCP_CONFIG_FILE:-}" ] && args+=(--config "$MCP_CONFIG_FILE")
  "$NODE" "$CLI" "${args[@]}"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart)
    cmd_stop
    cmd_start
    ;;
  status) cmd_status ;;
  logs) cmd_logs "$@" ;;
  validate) cmd_validate ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
