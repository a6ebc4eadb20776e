#!/usr/bin/env bash
# Installs everything the server needs and builds it; quick when nothing changed, so `npm start` and
# `npm test` can run it every time. As root on Debian it installs the security tools from Debian's
# packages; otherwise it says what to install. All output goes to stderr: stdout may be an MCP channel.
set -euo pipefail
exec 1>&2
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is needed (found $(node --version))"
  exit 1
fi

# command -> Debian package: the tools, prlimit/setpriv/bwrap for limits and the sandbox, getcap to see
# file capabilities, and what the tests use (ip for the sealed lab, dnsmasq as the lab's DNS server,
# prometheus to scrape the server for real)
declare -A packages=(
  [nmap]=nmap [masscan]=masscan [gobuster]=gobuster [hydra]=hydra [sqlmap]=sqlmap [dig]=bind9-dnsutils
  [prlimit]=util-linux [setpriv]=util-linux [bwrap]=bubblewrap [getcap]=libcap2-bin
  [ip]=iproute2 [dnsmasq]=dnsmasq-base [prometheus]=prometheus
)
missing=()
for command in "${!packages[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${packages[$command]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}"
    echo "setup: the server starts anyway and reports those tools as not found"
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing node modules"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f dist/cli.js ] || [ -n "$(find src package.json scripts/build.ts scripts/build-shims -newer dist/cli.js -print -quit)" ]; then
  echo "setup: building"
  node --import tsx scripts/build.ts
fi
