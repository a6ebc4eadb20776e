import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ResultFields } from "../../src/result.js";
import type { NmapParsed } from "../../src/tools/parsers/nmap-xml.js";
import { listenLoopback, processesMatching, waitFor, type Listener, testJobsDir } from "../helpers.js";
import { describeJobTools, JOB_TOOL_NAMES as JOB_TOOLS } from "../../src/jobs/tools.js";
import { describeTool } from "../../src/server.js";
import { TOOLS } from "../../src/tools/index.js";
import { startSlowScan } from "../slow-scan.js";
import { startStdioServer } from "../stdio-server.js";

const CLI = new URL("../../dist/cli.js", import.meta.url).pathname;

describe("the built CLI over stdio, driven by the SDK's stdio client", () => {
  let client: Client;
  let transport: StdioClientTransport;
  let listener: Listener;
  const transportErrors: Error[] = [];
  let stderr = "";

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`);
    listener = await listenLoopback();
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "serve", "--transport", "stdio"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        MCP_SECURITY_ALLOWED_TARGETS: "loopback",
        MCP_AUDIT_ENABLED: "false",
        MCP_JOBS_DIR: testJobsDir(),
        LOG_LEVEL: "info",
      },
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    client = new Client({ name: "stdio-test", version: "1.0.0" });
    // Anything on stdout that is not a JSON-RPC message surfaces here.
    client.onerror = (error) => transportErrors.push(error);
    await client.connect(transport);
  });

  after(async () => {
    await listener.close();
  });

  it("lists the tools", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ["nmap", "masscan", "gobuster", "hydra", "sqlmap", "dig", ...JOB_TOOLS],
    );
    assert.equal(client.getServerVersion()?.name, "security-mcp-server");
    // The bundle carries descriptions made at build time: they must be exactly what the source describes.
    assert.deepEqual(tools, JSON.parse(JSON.stringify([...TOOLS.map(describeTool), ...describeJobTools()])));
  });

  it("scans a loopback port it opened and returns it in structuredContent.parsed", async () => {
    const result = (await client.callTool({
      name: "nmap",
      arguments: { target: "127.0.0.1", ports: String(listener.port) },
    })) as CallToolResult;
    assert.equal(result.isError, false);
    const parsed = (result.structuredContent as unknown as ResultFields).parsed as NmapParsed;
    assert.equal(parsed.hosts[0]?.ports.find((p) => p.port === listener.port)?.state, "open");
  });

  it("refuses an out-of-scope target and keeps serving", async () => {
    const refused = (await client.callTool({
      name: "nmap",
      arguments: { target: "10.0.0.1" },
    })) as CallToolResult;
    assert.equal(refused.isError, true);
    assert.equal((refused.structuredContent as unknown as ResultFields).error_type, "scope_denied");
    const ok = (await client.callTool({
      name: "nmap",
      arguments: { target: "127.0.0.1", ports: String(listener.port) },
    })) as CallToolResult;
    assert.equal(ok.isError, false);
  });

  it("writes only JSON-RPC to stdout and its logs to stderr; exits when the client closes", async () => {
    const pid = transport.pid;
    assert.ok(pid);
    await client.close();
    assert.deepEqual(transportErrors, []);
    assert.match(stderr, /ready on stdio/);
    assert.match(stderr, /"tool":"nmap"/);
    const gone = await waitFor(() => !isAlive(pid), 5000);
    assert.ok(gone, "the server did not exit after stdin closed");
  });
});

describe("stdio server shutdown", () => {
  it("on SIGTERM, running scans get server.shutdown_grace_period, then their process groups are killed", async () => {
    const { client, transport } = await startStdioServer({ MCP_SERVER_SHUTDOWN_GRACE_PERIOD: "1" });
    const pid = transport.pid;
    assert.ok(pid);
    const { ports } = await startSlowScan(client);
    process.kill(pid, "SIGTERM");
    assert.ok(await waitFor(() => !isAlive(pid), 8000), "the server did not exit");
    // Under bwrap the kernel tears the sandbox's pid namespace down as its init dies: give it a moment.
    assert.ok(
      await waitFor(() => processesMatching("/usr/bin/nmap", ports).length === 0, 3000),
      "nmap survived",
    );
    await client.close();
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
