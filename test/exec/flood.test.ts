import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { standardChecks } from "../../src/observability/checks.js";
import { HealthMonitor } from "../../src/observability/health.js";
import { invokeTool } from "../../src/pipeline.js";
import { startMetricsListener } from "../../src/transports/metrics-listener.js";
import { fixtureTool } from "../fixture-tool.js";
import { makeDeps } from "../helpers.js";

describe("a tool that floods stdout without end", () => {
  it("is stopped at the output cap while the server's memory stays bounded and its event loop keeps answering", async () => {
    const tool = fixtureTool("outcome.sh");
    const cap = 4 * 1024 * 1024;
    const deps = makeDeps(
      { MCP_SECURITY_ALLOWED_TARGETS: "loopback", MCP_SECURITY_MAX_OUTPUT_SIZE: String(cap) },
      { tools: [tool] },
    );
    const delay = monitorEventLoopDelay({ resolution: 10 });
    global.gc?.();
    const before = process.memoryUsage().rss;
    delay.enable();
    const results = await Promise.all(
      [1, 2].map(() => invokeTool(tool, { target: "127.0.0.1", behaviour: "flood" }, deps, { via: "test" })),
    );
    delay.disable();
    const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
    for (const result of results) {
      assert.equal(result.fields.error_type, "resource_exhausted");
      assert.equal(result.fields.truncated_stdout, true);
      assert.equal(Buffer.byteLength(result.fields.stdout), cap);
    }
    // Two 4 MiB captures and their strings: far below what an unbounded flood would take.
    assert.ok(grown < 120, `RSS grew by ${grown.toFixed(1)} MiB`);
    assert.ok(delay.max / 1e6 < 500, `the event loop stalled for ${(delay.max / 1e6).toFixed(0)} ms`);
  });
});

describe("health during a flood", () => {
  it("/health keeps answering quickly while two tools flood their output", async () => {
    const tool = fixtureTool("outcome.sh");
    const deps = makeDeps(
      { MCP_SECURITY_ALLOWED_TARGETS: "loopback", MCP_SECURITY_MAX_OUTPUT_SIZE: String(16 * 1024 * 1024) },
      { tools: [tool] },
    );
    const health = new HealthMonitor(
      standardChecks(
        () => deps,
        () => null,
      ),
      {
        intervalMs: 60_000,
        timeoutMs: 2000,
        metrics: deps.metrics,
      },
    );
    const { server, port } = await startMetricsListener(() => deps, health, "127.0.0.1", 0);
    try {
      const floods = [1, 2].map(() =>
        invokeTool(tool, { target: "127.0.0.1", behaviour: "flood" }, deps, { via: "test" }),
      );
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        await response.json();
        latencies.push(performance.now() - started);
        assert.ok([200, 207, 503].includes(response.status));
      }
      await Promise.all(floods);
      assert.ok(
        Math.max(...latencies) < 2000,
        `slowest /health took ${Math.max(...latencies).toFixed(0)} ms`,
      );
    } finally {
      server.close();
    }
  });
});
