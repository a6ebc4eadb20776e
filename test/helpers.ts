import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { loadConfig } from "../src/config/load.js";
import { createDeps, type Deps } from "../src/deps.js";
import { createLogger } from "../src/observability/log.js";
import type { Resolver } from "../src/policy/target.js";
import { createServer as createMcpServer } from "../src/server.js";

/**
 * Deps from built-in defaults plus the given environment: loopback-only scope, errors-only logs and no audit
 * file unless the test asks otherwise.
 */
export function makeDeps(env: Record<string, string> = {}, overrides: Partial<Deps> = {}): Deps {
  // Loopback-only scope unless a test says otherwise: a mistake in a test then cannot reach another host.
  // Each deps keeps its jobs in a directory of its own, never the user's state directory.
  return createDeps(
    loadConfig({
      env: {
        MCP_SECURITY_ALLOWED_TARGETS: "loopback",
        MCP_AUDIT_ENABLED: "false",
        MCP_JOBS_DIR: testJobsDir(),
        ...env,
      },
    }),
    {
      log: createLogger("error"),
      ...overrides,
    },
  );
}

let jobsDirs = 0;
const JOBS_ROOT = mkdtempSync(join(tmpdir(), "security-mcp-test-jobs-"));

/** A fresh directory for a test server's jobs (created when the first job is stored). */
export function testJobsDir(): string {
  return join(JOBS_ROOT, String(jobsDirs++));
}

/** A resolver answering from a table, so policy tests never send a DNS query. */
export function tableResolver(table: Record<string, string[]>): Resolver {
  return (name) => {
    const answer = table[name];
    return answer ? Promise.resolve(answer) : Promise.reject(new Error(`ENOTFOUND ${name}`));
  };
}

export interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1 (a free port) that serves each connection with `serve`. */
async function listenTcp(serve: (socket: Socket) => void): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
    });
    socket.on("error", () => undefined);
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        // NSE probes can leave half-closed connections that would keep close() waiting forever.
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A listener that accepts and closes connections (what nmap needs to see a port "open"). */
export function listenLoopback(): Promise<Listener> {
  return listenTcp((socket) => socket.end());
}

/**
 * A listener that answers any request with a fixed Apache-like HTTP page. nmap -sV names it http
 * (Node's own HTTP server is misread as another service), so HTTP scripts run against it.
 */
export function listenHttpPage(title: string): Promise<Listener> {
  const page = `<html><head><title>${title}</title></head><body>lab</body></html>`;
  const response = `HTTP/1.1 200 OK\r\nServer: Apache/2.4.57 (Debian)\r\nContent-Type: text/html\r\nContent-Length: ${page.length}\r\nConnection: close\r\n\r\n${page}`;
  return listenTcp((socket) => socket.once("data", () => socket.end(response)));
}

/** An SDK Client connected in memory to a server built from deps. */
export async function connectClient(deps: Deps): Promise<{ client: Client; close: () => Promise<void> }> {
  const { server, close } = createMcpServer(deps, "test");
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await client.connect(clientSide);
  return {
    client,
    close: async () => {
      await client.close();
      await close();
      deps.reaper.dispose();
    },
  };
}

/** Pids of live processes whose command line contains every marker (zombies excluded). */
export function processesMatching(...markers: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
      if (state !== "Z" && markers.every((m) => cmdline.includes(m))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Waits until check() is true or the time is up; returns the last value of check(). */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

export function fixture(name: string): string {
  return new URL(`./fixtures/bin/${name}`, import.meta.url).pathname;
}

/** Waits until something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => {
        resolve(false);
      });
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
