import { watchConfigFile } from "../config/watch.js";
import type { Runtime } from "../runtime.js";
import { startHttpServer } from "./http/server.js";

/**
 * `serve --transport http`: the HTTP server, config reload on file change and SIGHUP, and a graceful stop on
 * SIGTERM/SIGINT (no new connections, running calls get server.shutdown_grace_period, then their process
 * groups are killed, exit 0).
 */
export async function serveHttp(runtime: Runtime, configFile: string | undefined): Promise<void> {
  const http = await startHttpServer(runtime);
  const stopWatching = configFile
    ? watchConfigFile(configFile, () => runtime.reload("config file changed"))
    : () => undefined;
  process.on("SIGHUP", () => runtime.reload("SIGHUP"));
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    const deps = runtime.deps;
    if (closing) {
      deps.reaper.killAll();
      process.exit(1);
    }
    closing = true;
    deps.log.info({ reason }, "shutting down: no new connections, running calls get the grace period");
    stopWatching();
    http.server.close();
    const deadline = Date.now() + deps.config.server.shutdown_grace_period * 1000;
    const running = (): number => [...runtime.deps.limiters.values()].reduce((n, l) => n + l.active, 0);
    while (running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    deps.reaper.killAll();
    await http.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  const tools = runtime.deps.tools.map((t) => t.name).join(", ");
  runtime.deps.log.info(
    { transport: "http", url: http.url, tools, sandbox: runtime.deps.sandbox.mode },
    `security-mcp ready: open ${http.url}/ (MCP endpoint ${http.url}/mcp, health ${http.url}/health); Ctrl-C stops it`,
  );
}
