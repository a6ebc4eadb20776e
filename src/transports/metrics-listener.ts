import { createServer, type Server } from "node:http";
import type { Deps } from "../deps.js";
import { authorized } from "./auth.js";
import { HTTP_STATUS, type HealthMonitor } from "../observability/health.js";

/**
 * A small HTTP listener for deployments on stdio, so Prometheus can scrape them: GET /metrics and
 * GET /health, nothing else. With security.api_keys set, /metrics needs one (health stays open, as on the
 * main HTTP transport).
 */
export async function startMetricsListener(
  getDeps: () => Deps,
  health: HealthMonitor,
  host: string,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    void (async () => {
      const deps = getDeps();
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" || (path !== "/metrics" && path !== "/health")) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
        return;
      }
      if (path === "/health") {
        const report = await health.report();
        res
          .writeHead(HTTP_STATUS[report.status], { "content-type": "application/json" })
          .end(JSON.stringify(report));
        return;
      }
      if (!authorized(req.headers.authorization, deps.config.security.api_keys)) {
        res.writeHead(401, { "www-authenticate": "Bearer" }).end();
        return;
      }
      res.writeHead(200, { "content-type": deps.metrics.contentType }).end(await deps.metrics.render());
    })().catch((error: unknown) => {
      getDeps().log.error({ err: error }, "metrics listener failed a request");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  server.unref();
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : port };
}
