import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { enabledToolNames, type Runtime } from "../runtime.js";
import { createServer } from "../server.js";
import { VERSION } from "../version.js";
import { createHealthMonitor, manageLifecycle } from "./lifecycle.js";

/**
 * Serves MCP on stdin/stdout. Nothing else may write to stdout here: logs go to stderr. Reloads the config
 * when its file changes or on SIGHUP. Ends when the client closes stdin or on SIGINT/SIGTERM, letting
 * running calls finish for server.shutdown_grace_period.
 */
export async function serveStdio(runtime: Runtime, configFile: string | undefined): Promise<void> {
  const deps = (): typeof runtime.deps => runtime.deps;
  const health = createHealthMonitor(runtime);
  const { server, close } = createServer(deps, VERSION, { health: () => health.report() });
  runtime.onChange((previous, next) => {
    if (enabledToolNames(previous) !== enabledToolNames(next))
      void server.sendToolListChanged().catch(() => undefined);
  });
  const { shutdown } = manageLifecycle(runtime, configFile, {
    health,
    stopAccepting: () => undefined,
    close,
  });
  process.stdin.once("close", () => void shutdown("stdin closed"));
  const { metrics } = runtime.deps.config;
  if (metrics.port !== undefined) {
    // Loaded only when asked for: most stdio deployments have no listener, and node:http costs start-up time.
    const { startMetricsListener } = await import("./metrics-listener.js");
    const listener = await startMetricsListener(deps, health, metrics.host, metrics.port);
    runtime.deps.log.info(
      { metrics: `http://${metrics.host}:${listener.port}/metrics` },
      `metrics and health on http://${metrics.host}:${listener.port}/metrics and /health`,
    );
  }
  await server.connect(new StdioServerTransport());
  // The first health round (disk, binaries, ...) waits for the client's first requests to be answered.
  setImmediate(() => {
    health.start();
  });
  const tools = runtime.deps.tools.map((t) => t.name).join(", ");
  // Logged once the background sandbox probe has ended, so the first requests never wait for it.
  const sandbox = await runtime.deps.sandboxReady;
  runtime.deps.log.info(
    { transport: "stdio", tools, scope: runtime.deps.config.security.allowed_targets, sandbox: sandbox.mode },
    `security-mcp ${VERSION} ready on stdio (tools: ${tools}); an MCP client talks to it over stdin/stdout; Ctrl-C stops it`,
  );
}
