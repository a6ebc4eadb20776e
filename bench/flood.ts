// 6. Flood: a tool that prints without end (test/fixtures/bin/outcome.sh flood: `yes`, 1 GB and more if let
// run) called over and over through the REST API of the real server code (bench/server.ts --flood) with
// default limits: each call is stopped once its output passes security.max_output_size (1 MiB), and the
// default rate limit (bursts of 20, then 1 call a second) paces the caller. A second run, for information,
// floods two at a time with the rate limit lifted (about 50 floods a second). /health is polled and the server's
// RSS sampled every 20 ms throughout.
import { httpProcess, percentile, round, rssMiB, sleep } from "./lib.js";
import type { Row } from "./report.js";

interface FloodRun {
  readonly calls: number;
  readonly keptMiB: number;
  readonly idleRss: number;
  readonly peakRss: number;
  readonly idleHealth: number[];
  readonly health: number[];
}

async function healthMs(base: string): Promise<number> {
  const started = performance.now();
  await (await fetch(`${base}/health`)).text();
  return performance.now() - started;
}

async function floodRun(seconds: number, parallel: number, env: Record<string, string>): Promise<FloodRun> {
  const server = await httpProcess("flood", env);
  try {
    const idleRss = rssMiB(server.child.pid);
    const idleHealth: number[] = [];
    for (let i = 0; i < 20; i++) idleHealth.push(await healthMs(server.base));
    const deadline = performance.now() + seconds * 1000;
    let calls = 0;
    let bytes = 0;
    const flooder = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const response = await fetch(`${server.base}/tools/flood/execute`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ target: "127.0.0.1", behaviour: "flood" }),
        });
        if (response.status === 429) {
          await response.text();
          await sleep(Number(response.headers.get("retry-after") ?? "1") * 1000);
          continue;
        }
        const result = (await response.json()) as { error_type?: string; stdout?: string };
        if (result.error_type !== "resource_exhausted")
          throw new Error(`flood call ended ${String(result.error_type)}`);
        calls++;
        bytes += result.stdout?.length ?? 0;
      }
    };
    const health: number[] = [];
    let peakRss = idleRss;
    const watcher = async (): Promise<void> => {
      while (performance.now() < deadline) {
        peakRss = Math.max(peakRss, rssMiB(server.child.pid));
        health.push(await healthMs(server.base));
        await sleep(20);
      }
    };
    await Promise.all([...Array.from({ length: parallel }, flooder), watcher()]);
    return { calls, keptMiB: bytes / 2 ** 20, idleRss, peakRss, idleHealth, health };
  } finally {
    await server.stop();
  }
}

export async function flood(seconds: number): Promise<Row[]> {
  const paced = await floodRun(seconds, 1, {});
  const unpaced = await floodRun(Math.min(seconds, 4), 2, {
    MCP_SERVER_RATE_LIMIT: "100000",
    MCP_SERVER_RATE_BURST: "10000",
  });
  const rows: Row[] = [];
  for (const [run, label, goal] of [
    [paced, "one at a time, default rate limit", true],
    [unpaced, "two at a time, rate limit lifted", false],
  ] as const) {
    const slowest = Math.max(...run.health);
    rows.push(
      {
        section: "flood",
        measure: `server RSS, ${label}: ${run.calls} flooding calls in ${goal ? seconds : Math.min(seconds, 4)} s (${round(run.keptMiB, 0)} MiB of output kept in all)`,
        value: `${round(run.peakRss)} MiB peak`,
        floor: `idle ${round(run.idleRss)} MiB`,
        goal: goal ? "< 150 MiB" : "",
        met: goal ? run.peakRss < 150 : null,
      },
      {
        section: "flood",
        measure: `GET /health latency, ${label} (${run.health.length} requests)`,
        value: `max ${round(slowest)} ms, p99 ${round(percentile(run.health, 99))} ms`,
        floor: `idle max ${round(Math.max(...run.idleHealth))} ms`,
        goal: goal ? "< 50 ms throughout" : "",
        met: goal ? slowest < 50 : null,
      },
    );
  }
  return rows;
}
