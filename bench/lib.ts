// Shared pieces of the benchmark: statistics, processes and their memory, servers under test and clients.
// Every server started here has a loopback-only scope; every request goes to 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { freePort } from "../test/ports.js";

export const ROOT = new URL("..", import.meta.url).pathname;
export const CLI = join(ROOT, "dist/cli.js");
/** The minimal SDK server (bench/minimal-server.ts), compiled to plain JS by bench/run.ts, unbundled. */
export const MINIMAL = join(ROOT, "node_modules/.cache/security-mcp-bench/minimal-server.mjs");
/** bench/server.ts, bundled like dist/cli.js by bench/run.ts. */
export const BENCH_SERVER = join(ROOT, "node_modules/.cache/security-mcp-bench/server/server.js");

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process in MiB (0 once it is gone). */
export function rssMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid ?? 0}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The environment of every server under test: loopback-only scope, audit log in a temp directory. */
export function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    MCP_SECURITY_ALLOWED_TARGETS: "loopback",
    MCP_AUDIT_PATH: join(mkdtempSync(join(tmpdir(), "bench-audit-")), "audit.jsonl"),
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export type ServerKind = "cli" | "minimal" | "limits" | "flood";

/** argv (after node) of a server under test: the built CLI, the minimal SDK server, or bench/server.ts. */
export function serverArgv(kind: ServerKind, transport: "stdio" | "http", port = 0): string[] {
  const http = transport === "http" ? ["--transport", "http", "--port", String(port)] : [];
  switch (kind) {
    case "cli":
      return [CLI, "serve", ...http];
    case "minimal":
      return [MINIMAL, transport, String(port)];
    case "limits":
      return [BENCH_SERVER, "--sandbox", "limits", ...http];
    case "flood":
      return [BENCH_SERVER, "--flood", ...http];
  }
}

export interface Mcp {
  readonly client: Client;
  readonly pid: number | undefined;
  readonly url?: string;
  call(name: string, args: Record<string, unknown>, timeoutMs?: number): Promise<CallToolResult>;
  close(): Promise<void>;
}

function wrap(client: Client, pid: number | undefined, close: () => Promise<void>, url?: string): Mcp {
  return {
    client,
    pid,
    ...(url ? { url } : {}),
    call: async (name, args, timeoutMs = 120_000) =>
      (await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs })) as CallToolResult,
    close,
  };
}

/** An SDK client on a server over stdio. */
export async function stdioServer(kind: ServerKind, env: Record<string, string> = {}): Promise<Mcp> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: serverArgv(kind, "stdio"),
    env: serverEnv(env),
    stderr: "ignore",
    cwd: ROOT,
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  return wrap(client, transport.pid ?? undefined, () => client.close());
}

export interface HttpProcess {
  readonly child: ChildProcess;
  readonly base: string;
  stop(): Promise<void>;
}

/** A server as its own process over HTTP, once /health answers. */
export async function httpProcess(kind: ServerKind, env: Record<string, string> = {}): Promise<HttpProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, serverArgv(kind, "http", port), {
    env: serverEnv(env),
    stdio: ["ignore", "ignore", "inherit"],
    cwd: ROOT,
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await (await fetch(`${base}/health`)).text();
      break;
    } catch {
      if (i > 200 || child.exitCode !== null) throw new Error(`${kind} HTTP server did not start`);
      await sleep(50);
    }
  }
  return {
    child,
    base,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** An SDK client on a server process over Streamable HTTP. */
export async function httpServer(kind: ServerKind, env: Record<string, string> = {}): Promise<Mcp> {
  const proc = await httpProcess(kind, env);
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${proc.base}/mcp`)));
  return wrap(
    client,
    proc.child.pid,
    async () => {
      await client.close();
      await proc.stop();
    },
    proc.base,
  );
}

/** Runs argv to its end; resolves with its duration in ms and its stdout. */
export function runTimed(
  argv: readonly string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [file, ...args] = argv;
    const child = spawn(file ?? "false", args, {
      stdio: ["ignore", "pipe", "ignore"],
      ...(env ? { env } : {}),
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`${argv.join(" ")} exited ${code}`));
      else resolve({ ms: performance.now() - started, stdout });
    });
  });
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
