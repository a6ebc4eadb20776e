import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { listenLoopback, waitFor, type Listener } from "../helpers.js";
import { startStdioServer } from "../stdio-server.js";
import { PROMETHEUS, startPrometheus, type RunningPrometheus } from "../prometheus.js";

describe("metrics and health of a stdio server, scraped by a real Prometheus", () => {
  let client: Client;
  let listener: Listener;
  let metricsPort = 0;
  let stderr: () => string = () => "";

  before(async () => {
    listener = await listenLoopback();
    const server = await startStdioServer(
      { MCP_METRICS_PORT: "0", LOG_LEVEL: "info" },
      { captureStderr: true },
    );
    client = server.client;
    stderr = () => server.stderr();
    assert.ok(
      await waitFor(() => /127\.0\.0\.1:(\d+)\/metrics/.test(stderr()), 5000),
      "no metrics listener announced",
    );
    metricsPort = Number(/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr())?.[1]);
  });
  after(async () => {
    await client.close();
    await listener.close();
  });

  it("counts each call once, and serves /health with the checks by priority", async () => {
    await client.callTool({ name: "nmap", arguments: { target: "127.0.0.1", ports: String(listener.port) } });
    await client.callTool({ name: "nmap", arguments: { target: "10.0.0.1" } });
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(metrics, /^mcp_tool_execution_total\{tool="nmap",status="success",error_type="none"\} 1$/m);
    assert.match(
      metrics,
      /^mcp_tool_execution_total\{tool="nmap",status="failure",error_type="scope_denied"\} 1$/m,
    );
    assert.match(metrics, /^mcp_policy_denials_total\{tool="nmap",reason="scope_denied"\} 1$/m);
    assert.match(metrics, /^mcp_tool_execution_seconds_bucket\{le="3600",tool="nmap"\} 2$/m);
    assert.match(metrics, /^mcp_circuit_breaker_state\{tool="masscan"\} 0$/m);
    assert.match(metrics, /^mcp_sandbox_mode\{mode="bwrap"\} 1$/m);
    assert.match(metrics, /^process_resident_memory_bytes /m);
    const response = await fetch(`http://127.0.0.1:${metricsPort}/health`);
    const health = (await response.json()) as {
      status: string;
      checks: Record<string, { priority: string }>;
    };
    assert.equal(response.status, { healthy: 200, degraded: 207, unhealthy: 503 }[health.status]);
    assert.equal(health.checks.cpu?.priority, "critical");
    assert.equal(health.checks.event_loop?.priority, "important");
    assert.equal(health.checks["tool:nmap"]?.priority, "informational");
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/config`)).status, 404);
  });

  it(
    "Prometheus scrapes it and answers a query for the counter the test caused",
    { skip: existsSync(PROMETHEUS) ? false : "prometheus not installed" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "prometheus-"));
      writeFileSync(
        join(dir, "prometheus.yml"),
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: security-mcp\n    static_configs:\n      - targets: ["127.0.0.1:${metricsPort}"]\n`,
      );
      let prometheus: RunningPrometheus | undefined;
      try {
        prometheus = await startPrometheus(dir);
        const query = `${prometheus.api}/query?query=${encodeURIComponent('mcp_tool_execution_total{tool="nmap",status="success"}')}`;
        let value: string | undefined;
        const found = await waitFor(() => {
          fetch(query)
            .then((r) => r.json() as Promise<{ data?: { result?: { value?: [number, string] }[] } }>)
            .then((body) => {
              value = body.data?.result?.[0]?.value?.[1];
            })
            .catch(() => undefined);
          return value !== undefined;
        }, 30_000);
        assert.ok(found, "Prometheus never reported the counter");
        assert.equal(value, "1");
      } finally {
        prometheus?.stop();
      }
    },
  );
});
