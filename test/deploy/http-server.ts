import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../ports.js";

export const REPO = new URL("../../", import.meta.url).pathname;
export const CLI = join(REPO, "dist/cli.js");
export const API_KEY = "deploy-test-key-0123456789abcdef";

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** SIGTERM, and the exit code once it has stopped. */
  stop(): Promise<number | null>;
}

/**
 * The built server over HTTP on 127.0.0.1 (a free port), with a loopback-only scope, an API key and its
 * audit log in a temporary directory; resolves once /health answers.
 */
export async function startHttpServer(env: Record<string, string> = {}): Promise<HttpServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "deploy-"));
  const child = spawn(process.execPath, [CLI, "serve", "--transport", "http", "--host", "127.0.0.1"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      MCP_SERVER_PORT: String(port),
      MCP_SECURITY_ALLOWED_TARGETS: "loopback",
      MCP_SECURITY_API_KEYS: API_KEY,
      MCP_AUDIT_PATH: join(dir, "audit.jsonl"),
      LOG_LEVEL: "error",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      resolve(code);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} during start`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`no answer from ${url}/health`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dir,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
