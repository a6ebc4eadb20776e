import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HealthMonitor, HTTP_STATUS, type HealthCheck } from "../../src/observability/health.js";
import { createMetrics, type HealthStatus } from "../../src/observability/metrics.js";

function check(name: string, priority: HealthCheck["priority"], status: () => HealthStatus): HealthCheck {
  return { name, priority, run: () => ({ status: status(), message: name }) };
}

describe("health status by priority", () => {
  it("walks healthy -> degraded -> unhealthy -> healthy as checks change, and feeds the gauge", async () => {
    const state: Record<string, HealthStatus> = { cpu: "healthy", loop: "healthy", tool: "healthy" };
    const metrics = createMetrics();
    const monitor = new HealthMonitor(
      () => [
        check("cpu", "critical", () => state.cpu ?? "healthy"),
        check("loop", "important", () => state.loop ?? "healthy"),
        check("tool", "informational", () => state.tool ?? "healthy"),
      ],
      { intervalMs: 60_000, timeoutMs: 1000, metrics },
    );
    const seen: [string, number][] = [];
    const step = async (): Promise<void> => {
      const report = await monitor.refresh();
      seen.push([report.status, HTTP_STATUS[report.status]]);
    };
    await step();
    state.tool = "degraded";
    await step();
    state.tool = "healthy";
    state.loop = "unhealthy";
    await step();
    state.cpu = "unhealthy";
    await step();
    assert.match(await metrics.render(), /^mcp_health_status 2$/m);
    state.cpu = "healthy";
    state.loop = "healthy";
    await step();
    assert.deepEqual(seen, [
      ["healthy", 200],
      ["degraded", 207],
      ["degraded", 207],
      ["unhealthy", 503],
      ["healthy", 200],
    ]);
  });

  it("a check that hangs is unhealthy after its timeout, and one that throws says why", async () => {
    const monitor = new HealthMonitor(
      () => [
        { name: "slow", priority: "critical", run: () => new Promise(() => undefined) },
        {
          name: "broken",
          priority: "important",
          run: () => {
            throw new Error("boom");
          },
        },
      ],
      { intervalMs: 60_000, timeoutMs: 50, metrics: createMetrics() },
    );
    const report = await monitor.refresh();
    assert.equal(report.status, "unhealthy");
    assert.match(report.checks.slow?.message ?? "", /no answer within 50 ms/);
    assert.match(report.checks.broken?.message ?? "", /boom/);
    assert.deepEqual(report.summary, { healthy: 0, degraded: 0, unhealthy: 2, total: 2 });
  });

  it("answers from the cache while it is fresh", async () => {
    let runs = 0;
    const monitor = new HealthMonitor(() => [check("x", "critical", () => (runs++, "healthy"))], {
      intervalMs: 60_000,
      timeoutMs: 100,
      metrics: createMetrics(),
    });
    await monitor.report();
    await monitor.report();
    assert.equal(runs, 1);
  });
});
