import type { Runtime } from "../runtime.js";
import { startHttpServer } from "./http/server.js";
import { manageLifecycle } from "./lifecycle.js";

/**
 * `serve --transport http`: the HTTP server with the shared lifecycle (config reload, graceful stop).
 */
export async function serveHttp(runtime: Runtime, configFile: string | undefined): Promise<void> {
  const http = await startHttpServer(runtime);
  manageLifecycle(runtime, configFile, {
    health: http.health,
    stopAccepting: () => http.server.close(),
    close: () => http.close(),
  });
  const tools = runtime.deps.tools.map((t) => t.name).join(", ");
  runtime.deps.log.info(
    { transport: "http", url: http.url, tools, sandbox: runtime.deps.sandbox.mode },
    `security-mcp ready: open ${http.url}/ (MCP endpoint ${http.url}/mcp, health ${http.url}/health); Ctrl-C stops it`,
  );
}
