import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { testJobsDir } from "./helpers.js";

export const CLI = new URL("../dist/cli.js", import.meta.url).pathname;

export interface StdioServer {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  /** Everything the server wrote to stderr so far (when `captureStderr` was set). */
  readonly stderr: () => string;
}

/**
 * The built CLI's `serve` over stdio, driven by the SDK's stdio client: loopback scope, no audit file, only
 * error logs, unless `env` says otherwise.
 */
export async function startStdioServer(
  env: Record<string, string> = {},
  options: { args?: string[]; captureStderr?: boolean } = {},
): Promise<StdioServer> {
  let stderr = "";
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "serve", ...(options.args ?? [])],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      MCP_SECURITY_ALLOWED_TARGETS: "loopback",
      MCP_AUDIT_ENABLED: "false",
      MCP_JOBS_DIR: testJobsDir(),
      LOG_LEVEL: "error",
      ...env,
    },
    stderr: options.captureStderr ? "pipe" : "ignore",
  });
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}
