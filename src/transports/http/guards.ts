import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Config } from "../../config/schema.js";
import { authorized } from "../auth.js";

/** A refusal before any route runs: status, and a body that says what to do. */
export interface Rejection {
  readonly status: number;
  readonly error: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

function hostName(hostHeader: string): string {
  return hostHeader.toLowerCase().replace(/:\d+$/, "");
}

/**
 * DNS-rebinding defence: a page on evil.example that resolves its name to 127.0.0.1 still sends
 * `Host: evil.example`. Only loopback names, the bind address and configured hosts are served.
 */
export function checkHost(req: IncomingMessage, config: Readonly<Config>): Rejection | null {
  const host = req.headers.host;
  const allowed = new Set([
    ...LOOPBACK_NAMES,
    config.server.host.toLowerCase(),
    ...config.server.allowed_hosts.map((h) => h.toLowerCase()),
  ]);
  if (host === undefined || !allowed.has(hostName(host)))
    return {
      status: 403,
      error: `Host ${JSON.stringify(host ?? "")} is not allowed; add it to server.allowed_hosts if it is yours`,
    };
  return null;
}

/**
 * A browser request from another origin is refused unless that origin is configured; the server's own
 * origin (a page it serves) is fine. Requests without Origin come from non-browser clients.
 */
export function checkOrigin(req: IncomingMessage, config: Readonly<Config>): Rejection | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  const own = `http://${req.headers.host ?? ""}`;
  if (origin === own || config.server.allowed_origins.includes(origin)) return null;
  return {
    status: 403,
    error: `Origin ${JSON.stringify(origin)} is not allowed; add it to server.allowed_origins`,
  };
}

/** CORS headers only for configured origins, never a wildcard. */
export function corsHeaders(req: IncomingMessage, config: Readonly<Config>): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !config.server.allowed_origins.includes(origin)) return {};
  return {
    "access-control-allow-origin": origin,
    vary: "Origin",
    "access-control-allow-headers":
      "authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id",
    "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
    "access-control-expose-headers": "mcp-session-id",
  };
}

/** The caller's identity: an API key's id (a hash prefix, never the key), or the client address without keys. */
export function callerId(req: IncomingMessage, keys: readonly string[]): string {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (keys.length > 0 && token) return `key:${createHash("sha256").update(token).digest("hex").slice(0, 12)}`;
  return `addr:${req.socket.remoteAddress ?? "unknown"}`;
}

/** With security.api_keys set, every path but GET /health needs a bearer key. */
export function checkAuth(req: IncomingMessage, path: string, config: Readonly<Config>): Rejection | null {
  const keys = config.security.api_keys;
  if (keys.length === 0 || (req.method === "GET" && path === "/health")) return null;
  if (authorized(req.headers.authorization, keys)) return null;
  return {
    status: 401,
    error: "missing or wrong API key: send Authorization: Bearer <key>",
    headers: { "www-authenticate": "Bearer" },
  };
}

/** Reads a JSON body up to the size cap and a nesting depth, so neither a huge nor a deep body costs much. */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
  maxDepth = 32,
): Promise<{ ok: true; body: unknown } | { ok: false; rejection: Rejection }> {
  const reject = (status: number, error: string) => ({ ok: false as const, rejection: { status, error } });
  const text = await readBody(req, maxBytes);
  if (text === null)
    return reject(413, `request body is larger than ${maxBytes} bytes (server.max_body_size)`);
  if (text.trim() === "") return { ok: true, body: undefined };
  if (depthOf(text) > maxDepth) return reject(400, `JSON nested deeper than ${maxDepth} levels`);
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return reject(400, "request body is not valid JSON");
  }
}

/** The body as text, or null past `maxBytes` (the rest is not read). Events, not an async iterator: cheaper per request. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => {
      resolve(
        chunks.length === 1 && chunks[0]
          ? chunks[0].toString("utf8")
          : Buffer.concat(chunks).toString("utf8"),
      );
    });
    req.once("error", reject);
    req.once("close", () => {
      if (!req.complete) reject(new Error("request aborted by the client"));
    });
  });
}

function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") max = Math.max(max, ++depth);
    else if (c === "}" || c === "]") depth--;
  }
  return max;
}

/** A token bucket per caller for tool calls: `perMinute` sustained, `burst` at once. */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: () => number,
    private readonly burst: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Null when the call may go ahead, else seconds to wait. */
  take(caller: string): number | null {
    const rate = this.perMinute() / 60_000;
    const now = this.now();
    const bucket = this.#buckets.get(caller) ?? { tokens: this.burst(), at: now };
    bucket.tokens = Math.min(this.burst(), bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    this.#buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.ceil((1 - bucket.tokens) / rate / 1000);
  }
}
