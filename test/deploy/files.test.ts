import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { TOOL_NAMES } from "../../src/tools/names.js";
import { CLI, REPO } from "./http-server.js";

const read = (path: string): string => readFileSync(join(REPO, path), "utf8");

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const [op = "", ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

const DEBIAN_PACKAGE: Record<string, string> = { dig: "bind9-dnsutils" };

describe("Dockerfile", () => {
  const all = instructions(read("Dockerfile"));
  const stages = all.filter((i) => i.op === "FROM");
  const runtime = all.slice(all.findIndex((i) => i.op === "FROM" && / AS runtime$/i.test(i.args)));

  it("builds in one stage and runs on node:22-bookworm-slim in another", () => {
    assert.deepEqual(
      stages.map((s) => s.args),
      ["node:22-bookworm-slim AS build", "node:22-bookworm-slim AS runtime"],
    );
    const build = all.slice(
      0,
      all.findIndex((i) => i.op === "FROM" && / AS runtime$/i.test(i.args)),
    );
    assert.ok(build.some((i) => i.op === "RUN" && /\bnpm ci\b/.test(i.args)));
    assert.ok(build.some((i) => i.op === "RUN" && /\bnpm run build\b/.test(i.args)));
  });

  it("installs every tool the server knows, bubblewrap, tini and getcap from Debian", () => {
    const run = runtime.find((i) => i.op === "RUN" && i.args.includes("apt-get install"));
    assert.ok(run, "no apt-get install in the runtime stage");
    const packages = [...TOOL_NAMES.map((t) => DEBIAN_PACKAGE[t] ?? t), "bubblewrap", "tini", "libcap2-bin"];
    for (const name of packages) assert.match(run.args, new RegExp(`\\s${name}\\s`), `${name} not installed`);
    assert.match(run.args, /--no-install-recommends/);
    assert.match(run.args, /rm -rf \/var\/lib\/apt\/lists/);
    // cap_net_raw alone: with cap_drop ALL + cap_add NET_RAW a binary asking for more would not start.
    for (const tool of ["nmap", "masscan"])
      assert.match(run.args, new RegExp(`setcap cap_net_raw\\+ep /usr/bin/${tool}\\b`));
  });

  it("runs as a non-root user, under tini, with a health check on /health and port 8080", () => {
    const user = runtime.filter((i) => i.op === "USER").at(-1);
    assert.ok(user && !/^(root|0)(:|$)/.test(user.args), "runs as root");
    assert.match(
      runtime.find((i) => i.op === "ENTRYPOINT")?.args ?? "",
      /^\["\/usr\/bin\/tini", "--", "node"/,
    );
    assert.match(runtime.find((i) => i.op === "HEALTHCHECK")?.args ?? "", /CMD .*\/health/);
    assert.ok(runtime.some((i) => i.op === "EXPOSE" && i.args === "8080"));
    assert.ok(runtime.some((i) => i.op === "VOLUME" && i.args.includes("/data")));
    assert.match(runtime.find((i) => i.op === "ENV")?.args ?? "", /MCP_AUDIT_PATH=\/data\//);
  });

  it("labels the image with the package's version", () => {
    const { version } = JSON.parse(read("package.json")) as { version: string };
    assert.ok(
      runtime.some((i) => i.op === "ARG" && i.args === `VERSION=${version}`),
      "ARG VERSION != package.json",
    );
    assert.match(
      runtime.find((i) => i.op === "LABEL")?.args ?? "",
      /org\.opencontainers\.image\.version="\$\{VERSION\}"/,
    );
  });

  it("copies only paths that exist and that .dockerignore lets through", () => {
    const allowed = read(".dockerignore")
      .split("\n")
      .filter((l) => l.startsWith("!"))
      .map((l) => l.slice(1).replace(/\/\*\*$/, ""));
    const sources = all
      .filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    assert.ok(sources.length > 0);
    for (const source of sources) {
      const matches = (pattern: string) =>
        new RegExp(`^${pattern.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`).test(source);
      assert.ok(allowed.some(matches), `${source} is excluded by .dockerignore`);
      if (!source.includes("*")) assert.ok(existsSync(join(REPO, source)), `${source} does not exist`);
    }
  });
});

interface Service {
  environment?: Record<string, string>;
  ports?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  volumes?: string[];
  mem_limit?: string;
  pids_limit?: number;
  cpus?: number;
  stop_grace_period?: string;
  security_opt?: string[];
}

describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml")) as { services: Record<string, Service> };
  const server = compose.services["security-mcp"];

  it("has the server, Prometheus, Grafana, node-exporter and cAdvisor", () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      "cadvisor",
      "grafana",
      "node-exporter",
      "prometheus",
      "security-mcp",
    ]);
  });

  it("runs the server with NET_RAW only, a read-only root, a tmpfs /tmp and limits", () => {
    assert.ok(server);
    assert.deepEqual(server.cap_drop, ["ALL"]);
    assert.deepEqual(server.cap_add, ["NET_RAW"]);
    assert.equal(server.read_only, true);
    assert.ok(server.tmpfs?.some((t) => t.startsWith("/tmp:")));
    assert.ok(server.volumes?.some((v) => v.endsWith(":/data")));
    assert.ok(server.mem_limit && server.pids_limit && server.cpus);
    // no-new-privileges would switch the file capabilities on nmap and masscan off.
    assert.ok(!server.security_opt?.some((o) => o.includes("no-new-privileges")));
    const grace = Number(server.environment?.MCP_SERVER_SHUTDOWN_GRACE_PERIOD);
    assert.ok(
      Number.parseInt(server.stop_grace_period ?? "0", 10) > grace,
      "Docker would kill before the drain",
    );
  });

  it("needs an API key from .env and publishes every port on 127.0.0.1 by default", () => {
    assert.match(server?.environment?.MCP_SECURITY_API_KEYS ?? "", /^\$\{MCP_API_KEY:\?/);
    assert.deepEqual(server?.ports, ["${MCP_BIND:-127.0.0.1}:${MCP_PORT:-8080}:8080"]);
    for (const [name, service] of Object.entries(compose.services))
      for (const port of service.ports ?? [])
        assert.match(port, /^(127\.0\.0\.1|\$\{MCP_BIND:-127\.0\.0\.1\}):/, `${name} publishes ${port}`);
  });

  it("lets Prometheus's Host header through and mounts what Prometheus and Grafana load", () => {
    const prometheus = parse(read("deploy/prometheus/prometheus.yml")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const target = prometheus.scrape_configs.find((j) => j.job_name === "security-mcp")?.static_configs[0]
      ?.targets[0];
    assert.equal(target, "security-mcp:8080");
    const hosts = /^\$\{MCP_ALLOWED_HOSTS:-(.*)\}$/.exec(
      server?.environment?.MCP_SERVER_ALLOWED_HOSTS ?? "",
    )?.[1];
    assert.ok(hosts?.split(",").includes("security-mcp"));
    assert.match(read(".env.example"), /^MCP_ALLOWED_HOSTS=security-mcp(,|$)/m);
    assert.ok(compose.services.prometheus?.volumes?.includes("./deploy/prometheus:/etc/prometheus:ro"));
    const grafana = compose.services.grafana?.volumes ?? [];
    assert.ok(grafana.includes("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro"));
    const dashboards = grafana.find((v) => v.startsWith("./deploy/grafana/dashboards:"))?.split(":")[1];
    const provider = parse(read("deploy/grafana/provisioning/dashboards/security-mcp.yml")) as {
      providers: { options: { path: string } }[];
    };
    assert.equal(provider.providers[0]?.options.path, dashboards);
  });

  it("the scope excludes the stack's own network by default", () => {
    const text = read("docker-compose.yml");
    const subnet = /subnet: \$\{MCP_STACK_SUBNET:-([^}]+)\}/.exec(text)?.[1];
    assert.ok(subnet, "no fixed subnet for the stack");
    assert.equal(server?.environment?.MCP_SECURITY_EXCLUDED_TARGETS, `\${MCP_EXCLUDED_TARGETS:-${subnet}}`);
    assert.match(
      read(".env.example"),
      new RegExp(`^MCP_EXCLUDED_TARGETS=.*${subnet.replace(/\./g, "\\.")}`, "m"),
    );
  });

  it("every variable compose requires is in .env.example", () => {
    const example = read(".env.example");
    const required = [...read("docker-compose.yml").matchAll(/\$\{(\w+):\?/g)].map((m) => m[1] ?? "");
    assert.ok(required.length >= 2);
    for (const name of required) assert.match(example, new RegExp(`^${name}=`, "m"), `${name} missing`);
  });

  it("the image's and the service's environment make a config the server accepts", () => {
    const imageEnv = Object.fromEntries(
      [...read("Dockerfile").matchAll(/^\s+(MCP_\w+)=(\S+)/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    );
    const serviceEnv = Object.fromEntries(
      Object.entries(server?.environment ?? {}).map(([k, v]) => [
        k,
        v
          .replace(/\$\{MCP_API_KEY:\?[^}]*\}/, "0123456789abcdef0123456789abcdef")
          .replace(/\$\{\w+:-([^}]*)\}/, "$1"),
      ]),
    );
    const dir = mkdtempSync(join(tmpdir(), "compose-env-"));
    const result = spawnSync(process.execPath, [CLI, "validate"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: dir,
        ...imageEnv,
        ...serviceEnv,
        MCP_AUDIT_PATH: join(dir, "audit.jsonl"),
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(imageEnv.MCP_SERVER_HOST, "0.0.0.0");
    assert.notEqual(result.status, 2, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /config error/);
  });
});

describe("Grafana provisioning", () => {
  it("the dashboard's datasource is the provisioned one", () => {
    const datasources = parse(read("deploy/grafana/provisioning/datasources/prometheus.yml")) as {
      datasources: { uid: string; url: string }[];
    };
    const source = datasources.datasources[0];
    assert.ok(source);
    assert.equal(source.url, "http://prometheus:9090");
    const uids = new Set(
      [...read("deploy/grafana/dashboards/security-mcp.json").matchAll(/"uid": "([^"]+)"/g)].map((m) => m[1]),
    );
    uids.delete("security-mcp");
    assert.deepEqual([...uids], [source.uid]);
  });
});
