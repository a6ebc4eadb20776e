import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Deps } from "../deps.js";
import { createServer } from "../server.js";
import { VERSION } from "../version.js";

/**
 * Serves MCP on stdin/stdout. Nothing else may write to stdout here: logs go to stderr. Ends when the
 * client closes stdin or on SIGINT/SIGTERM, letting running calls finish for server.shutdown_grace_period.
 */
export async function serveStdio(deps: Deps): Promise<void> {
  const { server, close } = createServer(deps, VERSION);
  const transport = new StdioServerTransport();
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (closing) {
      // A second signal while running calls finish: stop them now.
      deps.log.warn({ reason }, "stopping running calls now");
      deps.reaper.killAll();
      process.exit(1);
    }
    closing = true;
    deps.log.info({ reason }, "shutting down");
    await waitForRunningCalls(deps, deps.config.server.shutdown_grace_period * 1000);
    deps.reaper.killAll();
    await close();
    process.exit(0);
  };
  process.stdin.once("close", () => void shutdown("stdin closed"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await server.connect(transport);
  const tools = deps.tools.map((t) => t.name).join(", ");
  deps.log.info(
    { transport: "stdio", tools, scope: deps.config.security.allowed_targets },
    `security-mcp ${VERSION} ready on stdio (tools: ${tools}); an MCP client talks to it over stdin/stdout; Ctrl-C stops it`,
  );
}

async function waitForRunningCalls(deps: Deps, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  const running = (): number => [...deps.limiters.values()].reduce((n, l) => n + l.active, 0);
  while (running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
