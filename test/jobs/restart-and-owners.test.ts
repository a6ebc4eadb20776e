import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { loadConfig } from "../../src/config/load.js";
import { createDeps } from "../../src/deps.js";
import { createLogger } from "../../src/observability/log.js";
import { Runtime } from "../../src/runtime.js";
import { startHttpServer } from "../../src/transports/http/server.js";
import { fixtureTool } from "../fixture-tool.js";
import { listenLoopback, processesMatching, testJobsDir, waitFor } from "../helpers.js";
import { startStdioServer } from "../stdio-server.js";
import { jobOf, textOf, waitForJob } from "./job-client.js";

describe("jobs survive a restart of the server (the built CLI over stdio, real nmap)", () => {
  const dir = testJobsDir();
  const listener = listenLoopback();
  after(async () => {
    await (await listener).close();
  });

  it("a finished result is readable after a restart; a job the dead server was running is interrupted", async () => {
    const { port } = await listener;
    const first = await startStdioServer({ MCP_JOBS_DIR: dir });
    const call = await first.client.callTool({
      name: "nmap",
      arguments: { target: "127.0.0.1", ports: String(port) },
    });
    assert.equal(call.isError, false, textOf(call));
    const link = (call as CallToolResult).content.find((c) => c.type === "resource_link");
    assert.ok(link?.type === "resource_link");
    const finishedId = /^scan:\/\/([0-9a-f-]+)\/raw$/.exec(link.uri)?.[1] ?? "";
    const ports = `${30_000 + Math.floor(Math.random() * 20_000)}-65000`;
    const slow = await first.client.callTool({
      name: "scan_start",
      arguments: {
        tool: "nmap",
        arguments: { target: "127.0.0.1", ports, extra_args: "--scan-delay 1s -Pn" },
      },
    });
    const slowId = jobOf(slow).job_id ?? "";
    assert.ok(await waitFor(() => processesMatching("/usr/bin/nmap", ports).length > 0, 10_000));
    // The server dies without a chance to clean up; its sandboxed nmap dies with it.
    process.kill(first.transport.pid ?? 0, "SIGKILL");
    assert.ok(await waitFor(() => processesMatching("/usr/bin/nmap", ports).length === 0, 5000));

    const second = await startStdioServer({ MCP_JOBS_DIR: dir });
    try {
      const result = await second.client.callTool({ name: "scan_result", arguments: { job_id: finishedId } });
      assert.equal(jobOf(result).status, "completed");
      assert.match(jobOf(result).raw?.data ?? "", new RegExp(`portid="${port}"><state state="open"`));
      const interrupted = await second.client.callTool({
        name: "scan_status",
        arguments: { job_id: slowId },
      });
      assert.equal(jobOf(interrupted).status, "interrupted");
    } finally {
      await second.client.close();
    }
  });
});

describe("jobs belong to the API key that started them (HTTP)", () => {
  const KEY_A = "key-a-0123456789abcdef";
  const KEY_B = "key-b-0123456789abcdef";

  async function client(url: string, key: string): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    });
    const c = new Client({ name: "owner-test", version: "1.0.0" });
    await c.connect(transport);
    return c;
  }

  it("another key can neither see, read nor cancel a job", async () => {
    const load = () =>
      loadConfig({
        env: {
          MCP_SERVER_PORT: "0",
          MCP_SECURITY_ALLOWED_TARGETS: "loopback",
          MCP_SECURITY_API_KEYS: `${KEY_A},${KEY_B}`,
          MCP_AUDIT_ENABLED: "false",
          MCP_JOBS_DIR: testJobsDir(),
        },
      });
    const loaded = load();
    const deps = createDeps(loaded, { log: createLogger("error"), tools: [fixtureTool("job.sh")] });
    const http = await startHttpServer(new Runtime(deps, loaded, load));
    const a = await client(http.url, KEY_A);
    const b = await client(http.url, KEY_B);
    try {
      const start = await a.callTool({
        name: "scan_start",
        arguments: { tool: "fixture", arguments: { target: "127.0.0.1", behaviour: "slow" } },
      });
      const id = jobOf(start).job_id ?? "";
      for (const name of ["scan_status", "scan_result", "scan_cancel"]) {
        const denied = await b.callTool({ name, arguments: { job_id: id } });
        assert.equal(denied.isError, true, name);
        assert.match(textOf(denied), /no job .* of yours/);
      }
      const listed = (await b.callTool({ name: "scan_list", arguments: {} })).structuredContent as {
        jobs: unknown[];
      };
      assert.deepEqual(listed.jobs, []);
      assert.ok(!(await b.listResources()).resources.some((r) => r.uri.includes(id)));
      await assert.rejects(b.readResource({ uri: `scan://${id}/raw` }), /unknown resource/);
      assert.equal((await waitForJob(a, id)).status, "completed");
      assert.ok((await a.listResources()).resources.some((r) => r.uri === `scan://${id}`));
    } finally {
      await a.close();
      await b.close();
      await http.close();
      deps.reaper.dispose();
    }
  });
});
