import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Runtime } from "../../runtime.js";
import { createServer } from "../../server.js";
import { VERSION } from "../../version.js";
import type { Rejection } from "./guards.js";
import { McpHttpTransport } from "./mcp-transport.js";

type McpServerOptions = Parameters<typeof createServer>[2];

interface Session {
  readonly transport: McpHttpTransport;
  readonly listChanged: () => Promise<void>;
  readonly close: () => Promise<void>;
  readonly owner: string;
  lastSeen: number;
}

/**
 * MCP Streamable HTTP sessions: capped in number, evicted when idle, and bound to the caller that opened
 * them (another key gets 404, as if the session did not exist). Stateless mode builds a server per request.
 */
export class McpSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly runtime: Runtime,
    private readonly serverOptions: McpServerOptions,
  ) {
    this.#timer = setInterval(() => void this.#evictIdle(), 30_000);
    this.#timer.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Every open session's server, so a tool toggle or reload can announce tools/list_changed. */
  notifyToolListChanged(): void {
    for (const session of this.#sessions.values()) void session.listChanged().catch(() => undefined);
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    caller: string,
  ): Promise<Rejection | null> {
    // The SDK passes this to tool handlers as extra.authInfo: the caller's id, never a key.
    const auth = { token: caller, clientId: caller, scopes: [] };
    const config = this.runtime.deps.config;
    if (config.server.stateless) {
      const { server, close } = createServer(() => this.runtime.deps, VERSION, this.serverOptions);
      const transport = new McpHttpTransport();
      res.on("close", () => void close());
      await server.connect(transport);
      await transport.handleRequest(req, res, body, auth);
      return null;
    }
    const id = req.headers["mcp-session-id"];
    if (typeof id === "string") {
      const session = this.#sessions.get(id);
      if (!session || session.owner !== caller)
        return { status: 404, error: "unknown MCP session; initialize a new one" };
      session.lastSeen = Date.now();
      await session.transport.handleRequest(req, res, body, auth);
      return null;
    }
    if (req.method !== "POST" || !isInitializeRequest(body))
      return { status: 400, error: "no mcp-session-id: the first request of a session must be initialize" };
    if (this.#sessions.size >= config.server.max_sessions) await this.#evictIdle(true);
    if (this.#sessions.size >= config.server.max_sessions)
      return {
        status: 503,
        error: `${config.server.max_sessions} MCP sessions are open (server.max_sessions); close one or retry later`,
      };
    const { server, close } = createServer(() => this.runtime.deps, VERSION, this.serverOptions);
    const transport: McpHttpTransport = new McpHttpTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        this.#sessions.set(sessionId, {
          transport,
          close,
          listChanged: () => server.sendToolListChanged(),
          owner: caller,
          lastSeen: Date.now(),
        });
      },
      onsessionclosed: (sessionId) => {
        this.#sessions.delete(sessionId);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body, auth);
    return null;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#sessions.values()].map((s) => s.close().catch(() => undefined)));
    this.#sessions.clear();
  }

  /** Closes sessions idle longer than server.session_idle_timeout (or, when full, the oldest idle one). */
  async #evictIdle(makeRoom = false): Promise<void> {
    const idleMs = this.runtime.deps.config.server.session_idle_timeout * 1000;
    const now = Date.now();
    const sessions = [...this.#sessions.entries()].sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    for (const [id, session] of sessions) {
      if (now - session.lastSeen > idleMs || (makeRoom && now - session.lastSeen > 60_000)) {
        this.#sessions.delete(id);
        await session.close().catch(() => undefined);
        if (makeRoom) return;
      }
    }
  }
}
