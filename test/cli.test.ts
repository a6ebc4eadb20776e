import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { listenLoopback, processesMatching, waitFor, waitForPort, type Listener } from "./helpers.js";

const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
const SERVICES = new URL("./fixtures/lab-services.mjs", import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      MCP_SECURITY_ALLOWED_TARGETS: "loopback",
      MCP_AUDIT_ENABLED: "false",
      ...env,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("security-mcp CLI", () => {
  let listener: Listener;
  before(async () => {
    listener = await listenLoopback();
  });
  after(async () => {
    await listener.close();
  });

  it("run: exit 0 and the open port, as JSON on stdout", () => {
    const { code, stdout } = cli([
      "run",
      "nmap",
      "--target",
      "127.0.0.1",
      "--args",
      `-p ${listener.port}`,
      "--json",
    ]);
    assert.equal(code, 0);
    const fields = JSON.parse(stdout) as {
      parsed: { hosts: { ports: { port: number; state: string }[] }[] };
      error_type: null;
    };
    assert.equal(fields.error_type, null);
    assert.equal(fields.parsed.hosts[0]?.ports[0]?.state, "open");
  });

  it("run: exit 2 on a policy denial, with the reason on stderr", () => {
    const scope = cli(["run", "nmap", "--target", "10.0.0.1"]);
    assert.equal(scope.code, 2);
    assert.match(scope.stderr, /scope_denied: 10\.0\.0\.1 is outside the scope; allowed: loopback/);
    const flag = cli(["run", "nmap", "--target", "127.0.0.1", "--args", "-iL /etc/passwd"]);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /flag_denied/);
    assert.doesNotMatch(flag.stdout + flag.stderr, /root:x:0/);
  });

  it("run: exit 1 when the tool fails (here: a timeout)", () => {
    const { code, stderr } = cli(
      ["run", "nmap", "--target", "127.0.0.1", "--args", "-p 1-100 --scan-delay 1s -Pn", "--timeout", "1"],
      {
        MCP_TOOL_KILL_GRACE_PERIOD: "1",
      },
    );
    assert.equal(code, 1);
    assert.match(stderr, /timeout/);
  });

  it("run: SIGTERM stops the scan's whole process group before the CLI exits", async () => {
    const ports = `${30_000 + Math.floor(Math.random() * 20_000)}-65000`;
    const child = spawn(
      process.execPath,
      [CLI, "run", "nmap", "--target", "127.0.0.1", "--args", `-p ${ports} --scan-delay 1s -Pn`],
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          MCP_SECURITY_ALLOWED_TARGETS: "loopback",
          MCP_AUDIT_ENABLED: "false",
          MCP_TOOL_KILL_GRACE_PERIOD: "1",
        },
        stdio: "ignore",
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.ok(
      await waitFor(() => processesMatching("/usr/bin/nmap", ports).length > 0, 10_000),
      "nmap never started",
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 1);
    // Under bwrap the kernel tears the sandbox's pid namespace down as the CLI exits: give it a moment.
    assert.ok(
      await waitFor(() => processesMatching("/usr/bin/nmap", ports).length === 0, 3000),
      "nmap outlived the CLI",
    );
  });

  it("run: gobuster finds the known paths of a loopback HTTP server", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const http = spawn(process.execPath, [SERVICES, "127.0.0.1", String(port)], { stdio: "ignore" });
    try {
      await waitForPort(port);
      const { code, stdout, stderr } = cli([
        "run",
        "gobuster",
        "--target",
        `http://127.0.0.1:${port}/`,
        "--json",
      ]);
      assert.equal(code, 0, stderr);
      const fields = JSON.parse(stdout) as { parsed: { findings: { path?: string }[] } };
      assert.deepEqual(fields.parsed.findings.map((f) => f.path).sort(), [
        "/admin",
        "/backup",
        "/login",
        "/robots.txt",
      ]);
    } finally {
      http.kill();
    }
  });

  it("tools: lists nmap with its binary and version", () => {
    const { code, stdout } = cli(["tools", "--json"]);
    assert.equal(code, 0);
    const [nmap] = JSON.parse(stdout) as {
      name: string;
      enabled: boolean;
      binary: string;
      version: string;
      scripts: { default: string[] };
    }[];
    assert.equal(nmap?.name, "nmap");
    assert.equal(nmap.enabled, true);
    assert.match(nmap.version, /Nmap version/);
    assert.ok(nmap.scripts.default.includes("http-title"));
  });

  it("validate: exit 0 on this machine, one line per finding", () => {
    const { code, stdout } = cli(["validate"]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^ok +tool nmap: \/usr\/bin\/nmap/m);
    assert.match(stdout, /^ok +sandbox: \/usr\/bin\/prlimit/m);
    assert.match(stdout, /privileges: /);
  });

  it("validate: exit 2 on a bad config, naming key and value", () => {
    const file = join(mkdtempSync(join(tmpdir(), "cli-")), "bad.yaml");
    writeFileSync(file, "server:\n  port: 99999\n");
    const { code, stderr } = cli(["validate", "--config", file]);
    assert.equal(code, 2);
    assert.match(stderr, /server\.port = 99999/);
    const env = cli(["validate"], { MCP_SECURITY_ALLOW_INTRUSIVE: "sometimes" });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /MCP_SECURITY_ALLOW_INTRUSIVE/);
  });

  it("validate: exit 1 when no enabled tool is usable", () => {
    const { code, stdout } = cli(["validate"], { TOOL_EXCLUDE: "nmap,masscan,gobuster,hydra,sqlmap,dig" });
    assert.equal(code, 1);
    assert.match(stdout, /^fail no enabled tool/m);
  });

  it("serve refuses to bind HTTP beyond loopback without API keys", () => {
    const { code, stderr } = cli(["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "0"]);
    assert.equal(code, 2);
    assert.match(stderr, /server\.host = "0\.0\.0\.0" binds HTTP beyond loopback without security\.api_keys/);
  });

  it("unknown commands and options exit 2 with usage", () => {
    assert.equal(cli(["frobnicate"]).code, 2);
    assert.match(cli(["serve", "--bogus"]).stderr, /Usage:/);
  });
});
