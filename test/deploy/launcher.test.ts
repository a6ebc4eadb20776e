import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort } from "../ports.js";
import { REPO } from "./http-server.js";

const LAUNCHER = join(REPO, "scripts/security-mcp-launcher.sh");

describe("scripts/security-mcp-launcher.sh starts, reports on and stops the real server", async () => {
  const dir = mkdtempSync(join(tmpdir(), "launcher-"));
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    NODE: process.execPath,
    SECURITY_MCP_STATE_DIR: join(dir, "state"),
    MCP_SERVER_HOST: "127.0.0.1",
    MCP_SERVER_PORT: String(port),
    // Loopback-only scope: nothing this server could be asked to do reaches another address.
    MCP_SECURITY_ALLOWED_TARGETS: "loopback",
    MCP_AUDIT_PATH: join(dir, "audit", "audit.jsonl"),
    MCP_SERVER_SHUTDOWN_GRACE_PERIOD: "2",
  };
  const launcher = (...args: string[]) => {
    const result = spawnSync("bash", [LAUNCHER, ...args], { env, encoding: "utf8", timeout: 60_000 });
    return { code: result.status, out: result.stdout + result.stderr };
  };
  const pidFile = join(dir, "state", "server.pid");
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  after(() => {
    launcher("stop");
  });

  it("start runs the server in the background and waits until /health answers", async () => {
    const started = launcher("start");
    assert.equal(started.code, 0, started.out);
    assert.match(started.out, new RegExp(`started \\(pid \\d+\\) at http://127\\.0\\.0\\.1:${port}, health`));
    const pid = Number(readFileSync(pidFile, "utf8"));
    assert.ok(alive(pid));
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.ok([200, 207].includes(health.status), `health ${health.status}`);
    const again = launcher("start");
    assert.equal(again.code, 0);
    assert.match(again.out, new RegExp(`already running \\(pid ${pid}\\)`));
  });

  it("status says pid, uptime and health; logs shows the server's log", () => {
    const pid = readFileSync(pidFile, "utf8").trim();
    const status = launcher("status");
    assert.equal(status.code, 0, status.out);
    assert.match(
      status.out,
      new RegExp(`running \\(pid ${pid}\\), up \\d+s, .*health (healthy|degraded) \\(HTTP 20[07]\\)`),
    );
    const logs = launcher("logs", "-n", "50");
    assert.equal(logs.code, 0);
    assert.match(logs.out, /security-mcp ready/);
  });

  it("the server it started writes its audit log where it was told to", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/tools/nmap/execute`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "10.0.0.1" }),
    });
    assert.equal(response.status, 400);
    assert.match(readFileSync(join(dir, "audit", "audit.jsonl"), "utf8"), /scope_denied/);
  });

  it("stop ends it gracefully and removes the pid file; status then says stopped", () => {
    const pid = Number(readFileSync(pidFile, "utf8"));
    const stopped = launcher("stop");
    assert.equal(stopped.code, 0, stopped.out);
    assert.match(stopped.out, new RegExp(`stopped \\(pid ${pid}\\)`));
    assert.doesNotMatch(stopped.out, /SIGKILL/);
    assert.ok(!alive(pid));
    assert.ok(!existsSync(pidFile));
    assert.match(readFileSync(join(dir, "state", "server.log"), "utf8"), /"reason":"SIGTERM"/);
    const status = launcher("status");
    assert.equal(status.code, 3);
    assert.match(status.out, /not running/);
  });

  it("restart starts a new process; validate runs the server's checks", () => {
    const restarted = launcher("restart");
    assert.equal(restarted.code, 0, restarted.out);
    assert.match(restarted.out, /not running[^]*started \(pid \d+\)/);
    assert.equal(launcher("stop").code, 0);
    const validate = launcher("validate");
    assert.ok(validate.code === 0 || validate.code === 1, validate.out);
    assert.match(validate.out, /tool nmap/);
  });

  it("start fails loudly, with the log, when the server cannot start", () => {
    const result = spawnSync("bash", [LAUNCHER, "start"], {
      env: { ...env, MCP_SERVER_HOST: "0.0.0.0" },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /exited during start[^]*without security\.api_keys/);
    assert.ok(!existsSync(pidFile));
  });

  it("an unknown command prints the usage and exits 2", () => {
    const result = launcher("frobnicate");
    assert.equal(result.code, 2);
    assert.match(result.out, /start, stop, restart, status, logs, validate/);
  });
});
