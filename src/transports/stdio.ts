import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { watchConfigFile } from "../config/watch.js";
import { standardChecks } from "../observability/checks.js";
import { HealthMonitor } from "../observability/health.js";
import { enabledToolNames, type Runtime } from "../runtime.js";
import { createServer } from "../server.js";
import { VERSION } from "../version.js";
import { startMetricsListener } from "./metrics-listener.js";

/**
 * Serves MCP on stdin/stdout. Nothing else may write to stdout here: logs go to stderr. Reloads the config
 * when its file changes or on SIGHUP. Ends when the client closes stdin or on SIGINT/SIGTERM, letting
 * running calls finish for server.shutdown_grace_period.
 */
export async function serveStdio(runtime: Runtime, configFile: string | undefined): Promise<void> {
  const deps = (): typeof runtime.deps => runtime.deps;
  const health = new HealthMonitor(
    standardChecks(deps, () => runtime.reloadError),
    {
      intervalMs: runtime.deps.config.health.check_interval * 1000,
      timeoutMs: 5000,
      metrics: runtime.deps.metrics,
    },
  );
  const { server, close } = createServer(deps, VERSION, { health: () => health.report() });
  runtime.onChange((previous, next) => {
    if (enabledToolNames(previous) !== enabledToolNames(next))
      void server.sendToolListChanged().catch(() => undefined);
  });
  // Health reports the outcome of every reload attempt at once, not at the next interval.
  const reload = (reason: string): void => {
    runtime.reload(reason);
    void health.refresh();
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
    const current = runtime.deps;
    if (closing) {
      // A second signal while running calls finish: stop them now.
      current.log.warn({ reason }, "stopping running calls now");
      current.reaper.killAll();
      process.exit(1);
    }
    closing = true;
    current.log.info({ reason }, "shutting down");
    stopWatching();
    health.stop();
    await waitForRunningCalls(runtime, current.config.server.shutdown_grace_period * 1000);
    current.reaper.killAll();
    await close();
    process.exit(0);
  };
  process.stdin.once("close", () => void shutdown("stdin closed"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  health.start();
  const { metrics } = runtime.deps.config;
  if (metrics.port !== undefined) {
    const listener = await startMetricsListener(deps, health, metrics.host, metrics.port);
    runtime.deps.log.info(
      { metrics: `http://${metrics.host}:${listener.port}/metrics` },
      `metrics and health on http://${metrics.host}:${listener.port}/metrics and /health`,
    );
  }
  await server.connect(new StdioServerTransport());
  const tools = runtime.deps.tools.map((t) => t.name).join(", ");
  runtime.deps.log.info(
    {
      transport: "stdio",
      tools,
      scope: runtime.deps.config.security.allowed_targets,
      sandbox: runtime.deps.sandbox.mode,
    },
    `security-mcp ${VERSION} ready on stdio (tools: ${tools}); an MCP client talks to it over stdin/stdout; Ctrl-C stops it`,
  );
}

async function waitForRunningCalls(runtime: Runtime, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  const running = (): number => [...runtime.deps.limiters.values()].reduce((n, l) => n + l.active, 0);
  while (running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
