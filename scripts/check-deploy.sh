#!/usr/bin/env bash
# Checks the deployment files offline (no Docker engine needed): promtool on the Prometheus config and alert
# rules (with unit tests), docker-compose config, a Dockerfile lint, shellcheck, the image's apt package list
# against Debian's archive, and the test/deploy tests (the launcher starting and stopping the real server,
# the dashboard and alert metrics against a live /metrics, deploy/prometheus run by a real Prometheus).
# Everything it starts listens on 127.0.0.1 with a loopback-only scope.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo "check-deploy: $*"; }
fail() {
  echo "check-deploy: FAILED: $*" >&2
  exit 1
}

bash scripts/setup.sh # quick when nothing changed: builds dist/, installs promtool (Debian's prometheus)

# Checking tools, from Debian's packages when missing: docker-compose (v1, parses compose files offline),
# and the shell linter.
need=()
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "install ${need[*]} (sudo apt-get install ${need[*]})"
  step "installing ${need[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "promtool check config (syntax, then in full with a stand-in bearer-token file)"
promtool check config --syntax-only deploy/prometheus/prometheus.yml
cp deploy/prometheus/*.yml "$tmp/"
printf 'stand-in' >"$tmp/api-key"
sed -i "s|credentials_file: /run/mcp/api-key|credentials_file: $tmp/api-key|" "$tmp/prometheus.yml"
grep -q "credentials_file: $tmp/api-key" "$tmp/prometheus.yml" || fail "prometheus.yml no longer reads /run/mcp/api-key"
promtool check config "$tmp/prometheus.yml"

step "promtool check rules, promtool test rules"
promtool check rules deploy/prometheus/alerts.yml
(cd deploy/prometheus && promtool test rules alerts.test.yml)

step "docker-compose config (Debian's docker-compose $(docker-compose version --short 2>/dev/null))"
sed -e 's/^MCP_API_KEY=$/MCP_API_KEY=0123456789abcdef0123456789abcdef/' \
  -e 's/^GRAFANA_ADMIN_PASSWORD=$/GRAFANA_ADMIN_PASSWORD=stand-in/' .env.example >"$tmp/env"
docker-compose --env-file "$tmp/env" -f docker-compose.yml config -q
if docker-compose --env-file .env.example -f docker-compose.yml config -q 2>"$tmp/compose.err"; then
  fail "docker-compose accepted an .env without MCP_API_KEY"
fi
grep -q "MCP_API_KEY" "$tmp/compose.err" || fail "no word about MCP_API_KEY: $(cat "$tmp/compose.err")"

step "Dockerfile lint (dockerfile-utils from npm; hadolint is not in Debian, and its npm wrapper downloads the binary from elsewhere)"
tools=.cache/deploy-tools
if [ ! -x "$tools/node_modules/.bin/dockerfile-utils" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error dockerfile-utils@0.16.3 >&2
fi
lint=$("$tools/node_modules/.bin/dockerfile-utils" lint Dockerfile 2>&1) || fail "dockerfile-utils: $lint"
[ -z "$lint" ] || fail "dockerfile-utils: $lint"

step "shellcheck"
shellcheck scripts/security-mcp-launcher.sh scripts/check-deploy.sh deploy/replay-image.sh

step "the image's apt packages exist in Debian bookworm (apt-get install --simulate)"
packages=$(sed -n '/apt-get install/,/&&/p' Dockerfile | tr -s ' \\\n' ' ' |
  sed -e 's/.*--no-install-recommends //' -e 's/ &&.*//')
[ -n "$packages" ] || fail "no apt-get install list found in the Dockerfile"
ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 || apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install --simulate --no-install-recommends $packages >"$tmp/apt.log" 2>&1 ||
  fail "apt-get cannot install $packages: $(tail -5 "$tmp/apt.log")"
echo "apt: $packages: installable"

step "test/deploy (launcher, dashboard and alert metrics on a live server, Prometheus scrape)"
shopt -s nullglob
files=(test/deploy/*.test.ts)
[ "${#files[@]}" -gt 0 ] || fail "no test files in test/deploy"
if ! node --import tsx --test --test-reporter=spec "${files[@]}" 2>&1 | tee "$tmp/test.log"; then
  fail "test/deploy failed"
fi
grep -q '^ℹ pass [1-9]' "$tmp/test.log" || fail "test/deploy ran no test"
step "all passed"
