import { watchConfigFile } from "../config/watch.js";
import { standardChecks } from "../observability/checks.js";
import { HealthMonitor } from "../observability/health.js";
import type { Runtime } from "../runtime.js";

/** The health monitor every transport serves, reading the runtime's current deps. */
export function createHealthMonitor(runtime: Runtime): HealthMonitor {
  return new HealthMonitor(
    standardChecks(
      () => runtime.deps,
      () => runtime.reloadError,
    ),
    {
      intervalMs: runtime.deps.config.health.check_interval * 1000,
      timeoutMs: 5000,
      metrics: runtime.deps.metrics,
    },
  );
}

export interface Lifecycle {
  /** Stops the server as a signal would (stdio also calls it when the client closes stdin). */
  readonly shutdown: (reason: string) => Promise<void>;
}

/**
 * What a long-running server does outside requests, the same for every transport: reload the config when
 * its file changes or on SIGHUP (health re-checked at once), and on SIGINT/SIGTERM stop accepting, let
 * running calls finish for server.shutdown_grace_period, kill what is left and exit 0. A second signal
 * while draining kills the running calls at once.
 */
export function manageLifecycle(
  runtime: Runtime,
  configFile: string | undefined,
  server: {
    readonly health: HealthMonitor;
    readonly stopAccepting: () => void;
    readonly close: () => Promise<void>;
  },
): Lifecycle {
  const reload = (reason: string): void => {
    runtime.reload(reason);
    void server.health.refresh();
  };
  const stopWatching = configFile
    ? watchConfigFile(configFile, () => {
        reload("config file changed");
      })
    : () => undefined;
  process.on("SIGHUP", () => {
    reload("SIGHUP");
  });
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    const deps = runtime.deps;
    if (closing) {
      deps.log.warn({ reason }, "stopping running calls now");
      deps.reaper.killAll();
      process.exit(1);
    }
    closing = true;
    deps.log.info({ reason }, "shutting down: no new calls, running ones get the grace period");
    stopWatching();
    server.health.stop();
    server.stopAccepting();
    await waitForRunningCalls(runtime, deps.config.server.shutdown_grace_period * 1000);
    deps.reaper.killAll();
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  return { shutdown };
}

async function waitForRunningCalls(runtime: Runtime, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  const running = (): number => [...runtime.deps.limiters.values()].reduce((n, l) => n + l.active, 0);
  while (running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
