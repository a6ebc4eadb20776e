import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { isJsonContentType } from "@modelcontextprotocol/sdk/shared/mediaType.js";
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  isInitializeRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

const MAX_BATCH_SIZE = 100;
const KEEP_ALIVE_MS = 15_000;
const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

export interface McpTransportOptions {
  /** Undefined: stateless (no session id, one transport per request). */
  readonly sessionIdGenerator?: () => string;
  readonly onsessioninitialized?: (sessionId: string) => void;
  readonly onsessionclosed?: (sessionId: string) => void;
  /** Answer POSTs with one JSON body instead of an SSE stream (progress notifications are then dropped). */
  readonly enableJsonResponse?: boolean;
}

/** The responses a POST still waits for, and how they go out. */
interface PostStream {
  readonly res: ServerResponse;
  readonly pending: Set<RequestId>;
  /** JSON mode: responses in arrival order. */
  readonly responses: JSONRPCMessage[];
  /** SSE events written before the headers went out (a fast answer goes out in one write). */
  buffered: string;
  keepAlive: NodeJS.Timeout | undefined;
  done: boolean;
}

type Kind = "request" | "notification" | "response";

/** What a message that passed JSONRPCMessageSchema is, without parsing it again. */
function kindOf(message: JSONRPCMessage): Kind {
  if ("method" in message) return "id" in message ? "request" : "notification";
  return "response";
}

/** Serialized frozen results (the tools/list answer): a large, unchanging body is stringified once. */
const frozenJson = new WeakMap<object, string>();

function messageJson(message: JSONRPCMessage): string {
  const result = (message as { result?: unknown }).result;
  if (typeof result !== "object" || result === null || !Object.isFrozen(result))
    return JSON.stringify(message);
  let json = frozenJson.get(result);
  if (json === undefined) {
    json = JSON.stringify(result);
    frozenJson.set(result, json);
  }
  return `{"jsonrpc":"2.0","id":${JSON.stringify((message as { id: RequestId }).id)},"result":${json}}`;
}

function sseEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${messageJson(message)}\n\n`;
}

function sendError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/**
 * MCP Streamable HTTP (protocol 2025-11-25) on node:http, for the SDK's Server: the same wire behaviour as
 * the SDK's StreamableHTTPServerTransport (406/415 checks, session and protocol-version headers, SSE or JSON
 * answers, one standalone GET stream, DELETE), without its conversion of every request to web streams,
 * which was about half the cost of a warm request. No event store, so no resumption (as before).
 * A fast answer goes out in one write; a slow one gets its SSE headers on the next turn of the event loop
 * and keep-alive comments, so clients and proxies see a live stream.
 */
export class McpHttpTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  #started = false;
  #initialized = false;
  #closed = false;
  #handledRequest = false;
  readonly #streams = new Map<RequestId, PostStream>();
  #standalone: { res: ServerResponse; keepAlive: NodeJS.Timeout } | undefined;

  constructor(private readonly options: McpTransportOptions = {}) {}

  start(): Promise<void> {
    if (this.#started) throw new Error("Transport already started");
    this.#started = true;
    return Promise.resolve();
  }

  /** Serves one HTTP request; `body` is the parsed JSON body (undefined when empty or not a POST). */
  async handleRequest(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    authInfo?: AuthInfo,
  ): Promise<void> {
    if (this.#closed) {
      sendError(res, 404, -32001, "Session not found");
      return;
    }
    if (!this.options.sessionIdGenerator && this.#handledRequest)
      throw new Error("Stateless transport cannot be reused across requests");
    this.#handledRequest = true;
    switch (req.method) {
      case "POST":
        this.#post(req, res, body, authInfo);
        return;
      case "GET":
        this.#get(req, res);
        return;
      case "DELETE":
        await this.#delete(req, res);
        return;
      default:
        sendError(res, 405, -32000, "Method not allowed.", { allow: "GET, POST, DELETE" });
    }
  }

  #post(req: IncomingMessage, res: ServerResponse, body: unknown, authInfo: AuthInfo | undefined): void {
    const accept = req.headers.accept;
    if (!accept?.includes("application/json") || !accept.includes("text/event-stream")) {
      sendError(
        res,
        406,
        -32000,
        "Not Acceptable: Client must accept both application/json and text/event-stream",
      );
      return;
    }
    if (!isJsonContentType(req.headers["content-type"])) {
      sendError(res, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
      return;
    }
    if (body === undefined) {
      sendError(res, 400, -32700, "Parse error: Invalid JSON");
      return;
    }
    if (Array.isArray(body) && body.length > MAX_BATCH_SIZE) {
      sendError(res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`);
      return;
    }
    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(body) ? body : [body]).map((m) => JSONRPCMessageSchema.parse(m));
    } catch {
      sendError(res, 400, -32700, "Parse error: Invalid JSON-RPC message");
      return;
    }
    const initialize = messages.some(
      (m) => (m as { method?: unknown }).method === "initialize" && isInitializeRequest(m),
    );
    if (initialize) {
      if (this.#initialized && this.sessionId !== undefined) {
        sendError(res, 400, -32600, "Invalid Request: Server already initialized");
        return;
      }
      if (messages.length > 1) {
        sendError(res, 400, -32600, "Invalid Request: Only one initialization request is allowed");
        return;
      }
      this.sessionId = this.options.sessionIdGenerator?.();
      this.#initialized = true;
      if (this.sessionId !== undefined) this.options.onsessioninitialized?.(this.sessionId);
    } else if (!this.#validSession(req, res) || !this.#validProtocolVersion(req, res)) return;

    const extra: MessageExtraInfo = {
      requestInfo: { headers: req.headers },
      ...(authInfo === undefined ? {} : { authInfo }),
    };
    const requests = messages.filter((m) => kindOf(m) === "request") as (JSONRPCMessage & {
      id: RequestId;
    })[];
    if (requests.length === 0) {
      res.writeHead(202).end();
      for (const message of messages) this.onmessage?.(message, extra);
      return;
    }
    const stream: PostStream = {
      res,
      pending: new Set(requests.map((r) => r.id)),
      responses: [],
      buffered: "",
      keepAlive: undefined,
      done: false,
    };
    for (const id of stream.pending) this.#streams.set(id, stream);
    res.on("close", () => {
      if (!stream.done) this.#forget(stream);
    });
    for (const message of messages) this.onmessage?.(message, extra);
    // Answers computed within this turn (tools/list, refusals) leave in one write; otherwise the SSE
    // headers go out now so the client sees the stream open.
    if (!stream.done && !this.options.enableJsonResponse)
      setImmediate(() => {
        this.#openSse(stream);
      });
  }

  #openSse(stream: PostStream): void {
    if (stream.done || stream.res.headersSent) return;
    stream.res.writeHead(200, this.#sseHeaders());
    if (stream.buffered) stream.res.write(stream.buffered);
    else stream.res.flushHeaders();
    stream.buffered = "";
    stream.keepAlive = setInterval(() => stream.res.write(": keepalive\n\n"), KEEP_ALIVE_MS);
    stream.keepAlive.unref();
  }

  #sseHeaders(): Record<string, string> {
    return this.sessionId === undefined
      ? { ...SSE_HEADERS }
      : { ...SSE_HEADERS, "mcp-session-id": this.sessionId };
  }

  #forget(stream: PostStream): void {
    stream.done = true;
    clearInterval(stream.keepAlive);
    for (const id of stream.pending) this.#streams.delete(id);
  }

  #get(req: IncomingMessage, res: ServerResponse): void {
    if (!req.headers.accept?.includes("text/event-stream")) {
      sendError(res, 406, -32000, "Not Acceptable: Client must accept text/event-stream");
      return;
    }
    if (!this.#validSession(req, res) || !this.#validProtocolVersion(req, res)) return;
    if (this.#standalone) {
      sendError(res, 409, -32000, "Conflict: Only one SSE stream is allowed per session");
      return;
    }
    res.writeHead(200, this.#sseHeaders());
    res.flushHeaders();
    const keepAlive = setInterval(() => res.write(": keepalive\n\n"), KEEP_ALIVE_MS);
    keepAlive.unref();
    const standalone = { res, keepAlive };
    this.#standalone = standalone;
    res.on("close", () => {
      clearInterval(keepAlive);
      if (this.#standalone === standalone) this.#standalone = undefined;
    });
  }

  async #delete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#validSession(req, res) || !this.#validProtocolVersion(req, res)) return;
    try {
      if (this.sessionId !== undefined) this.options.onsessionclosed?.(this.sessionId);
      res.writeHead(200).end();
    } finally {
      await this.close();
    }
  }

  #validSession(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.options.sessionIdGenerator === undefined) return true;
    if (!this.#initialized) {
      sendError(res, 400, -32000, "Bad Request: Server not initialized");
      return false;
    }
    const id = req.headers["mcp-session-id"];
    if (!id) {
      sendError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return false;
    }
    if (id !== this.sessionId) {
      sendError(res, 404, -32001, "Session not found");
      return false;
    }
    return true;
  }

  #validProtocolVersion(req: IncomingMessage, res: ServerResponse): boolean {
    const version = req.headers["mcp-protocol-version"];
    if (
      version === undefined ||
      (typeof version === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(version))
    )
      return true;
    const supported = SUPPORTED_PROTOCOL_VERSIONS.join(", ");
    sendError(
      res,
      400,
      -32000,
      `Bad Request: Unsupported protocol version: ${String(version)} (supported versions: ${supported})`,
    );
    return false;
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = kindOf(message) === "response";
    const requestId = isResponse ? (message as { id?: RequestId }).id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isResponse)
        return Promise.reject(
          new Error(
            "Cannot send a response on a standalone SSE stream unless resuming a previous client request",
          ),
        );
      this.#standalone?.res.write(sseEvent(message));
      return Promise.resolve();
    }
    const stream = this.#streams.get(requestId);
    // The client went away (or never sent this id): nothing left to write to.
    if (!stream) return Promise.resolve();
    if (this.options.enableJsonResponse) {
      if (isResponse) stream.responses.push(message);
    } else if (stream.res.headersSent) stream.res.write(sseEvent(message));
    else stream.buffered += sseEvent(message);
    if (isResponse) {
      stream.pending.delete(requestId);
      this.#streams.delete(requestId);
      if (stream.pending.size === 0) this.#finish(stream);
    }
    return Promise.resolve();
  }

  #finish(stream: PostStream): void {
    stream.done = true;
    clearInterval(stream.keepAlive);
    const { res } = stream;
    if (this.options.enableJsonResponse) {
      const body =
        stream.responses.length === 1 && stream.responses[0]
          ? messageJson(stream.responses[0])
          : `[${stream.responses.map(messageJson).join(",")}]`;
      const headers: Record<string, string | number> = {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      };
      if (this.sessionId !== undefined) headers["mcp-session-id"] = this.sessionId;
      res.writeHead(200, headers).end(body);
    } else if (res.headersSent) res.end();
    else {
      const headers: Record<string, string | number> = this.#sseHeaders();
      headers["content-length"] = Buffer.byteLength(stream.buffered);
      res.writeHead(200, headers).end(stream.buffered);
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const stream of new Set(this.#streams.values())) {
      this.#forget(stream);
      // As the SDK's transport: the stream opens (if it had not yet) and ends without the answer.
      if (!stream.res.headersSent) stream.res.writeHead(200, this.#sseHeaders());
      stream.res.end(stream.buffered);
    }
    this.#streams.clear();
    if (this.#standalone) {
      clearInterval(this.#standalone.keepAlive);
      this.#standalone.res.end();
      this.#standalone = undefined;
    }
    this.onclose?.();
    return Promise.resolve();
  }
}
