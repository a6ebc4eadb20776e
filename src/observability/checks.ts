import { readdirSync, readFileSync, statfsSync } from "node:fs";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Deps } from "../deps.js";
import type { CheckOutcome, HealthCheck } from "./health.js";

/** Above the threshold a resource is degraded; at 95% and more it is unhealthy. */
function against(percent: number, threshold: number, what: string): CheckOutcome {
  const shown = `${what} ${percent.toFixed(1)}% (threshold ${threshold}%)`;
  if (percent >= Math.max(95, threshold)) return { status: "unhealthy", message: shown };
  return { status: percent >= threshold ? "degraded" : "healthy", message: shown };
}

/**
 * CPU use since the previous sample: counters only, never a blocking measurement. Windows shorter than a
 * second are too noisy (start-up itself is busy), so until one has passed there is no figure yet.
 */
function cpuSampler(): () => number | null {
  let last = { at: Date.now(), times: cpus().map((c) => c.times) };
  let percent: number | null = null;
  return () => {
    if (Date.now() - last.at < 1000) return percent;
    const now = cpus().map((c) => c.times);
    let busy = 0;
    let total = 0;
    now.forEach((t, i) => {
      const p = last.times[i] ?? t;
      const idle = t.idle - p.idle;
      const all = t.user + t.nice + t.sys + t.irq + t.idle - (p.user + p.nice + p.sys + p.irq + p.idle);
      busy += all - idle;
      total += all;
    });
    last = { at: Date.now(), times: now };
    percent = total > 0 ? (100 * busy) / total : 0;
    return percent;
  };
}

function availableMemoryPercentUsed(): number {
  try {
    const info = readFileSync("/proc/meminfo", "utf8");
    const total = Number(/^MemTotal:\s+(\d+)/m.exec(info)?.[1]);
    const available = Number(/^MemAvailable:\s+(\d+)/m.exec(info)?.[1]);
    if (total > 0 && available >= 0) return (100 * (total - available)) / total;
  } catch {
    // not Linux: fall back to what os reports
  }
  return (100 * (totalmem() - freemem())) / totalmem();
}

function openFiles(): { open: number; limit: number } {
  const open = readdirSync("/proc/self/fd").length;
  const limit = Number(
    /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? Infinity,
  );
  return { open, limit };
}

/** The checks of the earlier server, by priority; they read the current deps so a reload is seen. */
export function standardChecks(getDeps: () => Deps, configValid: () => string | null): () => HealthCheck[] {
  const cpu = cpuSampler();
  const loop = monitorEventLoopDelay({ resolution: 20 });
  loop.enable();
  return () => {
    const deps = getDeps();
    const { health } = deps.config;
    const checks: HealthCheck[] = [
      {
        name: "cpu",
        priority: "critical",
        run: () => {
          const percent = cpu();
          return percent === null
            ? { status: "healthy", message: "CPU: first sample after one second" }
            : against(percent, health.cpu_threshold, "CPU");
        },
      },
      {
        name: "memory",
        priority: "critical",
        run: () => against(availableMemoryPercentUsed(), health.memory_threshold, "memory"),
      },
      {
        name: "disk",
        priority: "critical",
        run: () => {
          const fs = statfsSync(tmpdir());
          return against(
            (100 * (fs.blocks - fs.bavail)) / fs.blocks,
            health.disk_threshold,
            `disk (${tmpdir()})`,
          );
        },
      },
      {
        name: "event_loop",
        priority: "important",
        run: () => {
          const p99 = loop.percentile(99) / 1e6;
          loop.reset();
          const message = `event-loop delay p99 ${p99.toFixed(1)} ms`;
          return { status: p99 > 1000 ? "unhealthy" : p99 > 200 ? "degraded" : "healthy", message };
        },
      },
      {
        name: "process",
        priority: "important",
        run: () => {
          const { open, limit } = openFiles();
          const rssMb = process.memoryUsage().rss / 1024 / 1024;
          const message = `${open}/${limit} open files, RSS ${rssMb.toFixed(0)} MiB`;
          return {
            status:
              open > 0.9 * limit ? "unhealthy" : open > 0.8 * limit || rssMb > 2048 ? "degraded" : "healthy",
            message,
          };
        },
      },
      {
        name: "config",
        priority: "important",
        run: () => {
          const problem = configValid();
          return problem === null
            ? { status: "healthy", message: "config valid" }
            : {
                status: "degraded",
                message: `last reload failed, still using the previous config: ${problem}`,
              };
        },
      },
      {
        name: "sandbox",
        priority: "informational",
        run: async () => {
          const sandbox = await deps.sandboxReady;
          return sandbox.mode === "bwrap"
            ? { status: "healthy", message: "bwrap" }
            : { status: "degraded", message: `limits only: ${sandbox.reason ?? "bwrap unavailable"}` };
        },
      },
    ];
    for (const spec of deps.tools) {
      checks.push({
        name: `tool:${spec.name}`,
        priority: "informational",
        run: () => {
          const binary = deps.findBinary(spec.binary);
          const breaker = deps.breakers.get(spec.name)?.state.kind ?? "closed";
          if (binary === null) return { status: "degraded", message: `${spec.binary} not installed` };
          const message = `${binary}, circuit breaker ${breaker}`;
          return { status: breaker === "closed" ? "healthy" : "degraded", message };
        },
      });
    }
    return checks;
  };
}
