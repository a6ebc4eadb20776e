import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { probeSandbox } from "../../src/exec/bwrap.js";
import { processesMatching, waitFor } from "../helpers.js";
import { startSlowScan } from "../slow-scan.js";
import { startStdioServer } from "../stdio-server.js";

const LIMITS_SCAN = new URL("../fixtures/scan-in-limits-mode.ts", import.meta.url).pathname;
const sandbox = probeSandbox(true);

function slowPorts(): string {
  return `${30_000 + Math.floor(Math.random() * 20_000)}-65000`;
}

describe("no tool process outlives a SIGKILLed server", () => {
  it(
    "with bwrap: the sandbox's pid namespace dies with the server",
    { skip: sandbox.mode === "bwrap" ? false : `bwrap unavailable: ${sandbox.reason}` },
    async () => {
      const { client, transport } = await startStdioServer();
      const { ports } = await startSlowScan(client);
      assert.ok(processesMatching("bwrap", "/usr/bin/nmap", ports).length > 0, "nmap runs under bwrap");
      process.kill(transport.pid ?? 0, "SIGKILL");
      assert.ok(
        await waitFor(() => processesMatching("/usr/bin/nmap", ports).length === 0, 5000),
        "nmap outlived the server",
      );
      await client.close().catch(() => undefined);
    },
  );

  it("without bwrap: setpriv's parent-death signal takes nmap along", async () => {
    const ports = slowPorts();
    const server = spawn(process.execPath, ["--import", "tsx", LIMITS_SCAN, ports], { stdio: "ignore" });
    assert.ok(
      await waitFor(() => processesMatching("/usr/bin/nmap", ports).length > 0, 15_000),
      "nmap never started",
    );
    assert.equal(processesMatching("bwrap", ports).length, 0, "limits mode does not use bwrap");
    server.kill("SIGKILL");
    assert.ok(
      await waitFor(() => processesMatching("/usr/bin/nmap", ports).length === 0, 5000),
      "nmap outlived the server",
    );
  });
});
