import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Denial } from "../../errors.js";
import type { HealthMonitor } from "../../observability/health.js";
import { enabledToolNames, type Runtime } from "../../runtime.js";
import { createHealthMonitor } from "../lifecycle.js";
import { EventStreams } from "./events.js";
import {
  callerId,
  checkAuth,
  checkHost,
  checkOrigin,
  corsHeaders,
  RateLimiter,
  readJsonBody,
  type Rejection,
} from "./guards.js";
import { McpSessions } from "./mcp-sessions.js";
import { routeRest } from "./rest.js";

export interface HttpServer {
  readonly server: Server;
  readonly health: HealthMonitor;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * MCP Streamable HTTP on /mcp plus the REST API, on node:http. Every request passes, in order: Host check,
 * Origin check, API key; tool calls (MCP or REST) also pass a per-caller rate limit, then the same pipeline
 * as every other transport.
 */
export async function startHttpServer(runtime: Runtime): Promise<HttpServer> {
  const config = runtime.deps.config;
  const health = createHealthMonitor(runtime);
  const rate = new RateLimiter(
    () => runtime.deps.config.server.rate_limit,
    () => runtime.deps.config.server.rate_burst,
  );
  const admit = (caller: string): Rejection | null => {
    const wait = rate.take(caller);
    return wait === null
      ? null
      : {
          status: 429,
          error: `rate limit: ${runtime.deps.config.server.rate_limit} tool calls per minute; retry in ${wait} s`,
          headers: { "retry-after": String(wait) },
        };
  };
  const admitMcp = (caller: string): Denial | null => {
    const refused = admit(caller);
    return refused ? { type: "resource_exhausted", message: refused.error } : null;
  };
  const sessions = new McpSessions(runtime, { health: () => health.report(), admit: admitMcp });
  const events = new EventStreams(runtime, health);
  runtime.onChange((previous, next) => {
    if (enabledToolNames(previous) !== enabledToolNames(next)) sessions.notifyToolListChanged();
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const deps = runtime.deps;
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const refused = checkHost(req, deps.config) ?? checkOrigin(req, deps.config);
    if (refused) {
      send(res, refused.status, { error: refused.error });
      return;
    }
    const cors = corsHeaders(req, deps.config);
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    if (req.method === "OPTIONS") {
      send(res, 204, {});
      return;
    }
    const unauthorized = checkAuth(req, path, deps.config);
    if (unauthorized) {
      send(res, unauthorized.status, { error: unauthorized.error }, unauthorized.headers);
      return;
    }
    const caller = callerId(req, deps.config.security.api_keys);
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": deps.metrics.contentType });
      res.end(await deps.metrics.render());
      return;
    }
    if (req.method === "GET" && path === "/events") {
      if (!events.open(res)) send(res, 503, { error: `too many event streams (server.max_sse_streams)` });
      return;
    }
    const parsed =
      req.method === "POST"
        ? await readJsonBody(req, deps.config.server.max_body_size)
        : { ok: true as const, body: undefined };
    if (!parsed.ok) {
      send(res, parsed.rejection.status, { error: parsed.rejection.error });
      return;
    }
    if (path === "/mcp") {
      const rejected = await sessions.handle(req, res, parsed.body, caller);
      if (rejected) send(res, rejected.status, { error: rejected.error });
      return;
    }
    const reply = await routeRest(req, path, parsed.body, {
      runtime,
      health,
      caller,
      admit,
    });
    if (reply) {
      send(res, reply.status, reply.body, reply.headers);
      return;
    }
    send(res, 404, { error: `no route ${req.method ?? ""} ${path}; see GET /` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      runtime.deps.log.error({ err: error }, "HTTP request failed");
      send(res, 500, { error: "internal error" });
    });
  });
  // Slow clients may not hold connections open: headers within 10 s, the whole request within 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, resolve);
  });
  health.start();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
  return {
    server,
    health,
    port,
    url: `http://${host}:${port}`,
    close: async () => {
      health.stop();
      await sessions.closeAll();
      // Streams still open (a client's GET stream, /events) would keep close() waiting for ever: end them too.
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}
