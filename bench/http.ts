// HTTP throughput on loopback: tools/list on a warm MCP session, a tool call the policy refuses, GET /health.
// Runs the built server as its own process (as deployed) and drives it with autocannon from this one.
// Usage: npm run bench [-- --seconds N]
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { freePort } from "../test/ports.js";

const CLI = new URL("../dist/cli.js", import.meta.url).pathname;
const secondsFlag = process.argv.indexOf("--seconds");
const seconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 10;
const GOALS: Record<string, number> = {
  "tools/list": 5000,
  "refused tool call": 3000,
  "GET /health": 10_000,
};

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// Defaults, except a rate limit that does not refuse a load test and an audit file in a temp directory.
const server = spawn(process.execPath, [CLI, "serve", "--transport", "http", "--port", String(port)], {
  env: {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    // Loopback-only scope: the refused call (8.8.8.8) stays refused, and nothing else is in reach either.
    MCP_SECURITY_ALLOWED_TARGETS: "loopback",
    MCP_SERVER_RATE_LIMIT: "100000",
    MCP_SERVER_RATE_BURST: "10000",
    MCP_AUDIT_PATH: join(mkdtempSync(join(tmpdir(), "bench-audit-")), "audit.jsonl"),
  },
  stdio: ["ignore", "ignore", "ignore"],
});
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/health`)).status > 0) break;
    } catch {
      if (i > 100) throw new Error("server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  const init = await fetch(`${base}/mcp`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "bench", version: "1" },
      },
    }),
  });
  const session = init.headers.get("mcp-session-id") ?? "";
  await init.text();
  const sessionHeaders = { ...headers, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
  await fetch(`${base}/mcp`, {
    method: "POST",
    headers: sessionHeaders,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });

  const cases: [string, autocannon.Options][] = [
    [
      "tools/list",
      {
        url: `${base}/mcp`,
        method: "POST",
        headers: sessionHeaders,
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
      },
    ],
    [
      "refused tool call",
      {
        url: `${base}/mcp`,
        method: "POST",
        headers: sessionHeaders,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "nmap", arguments: { target: "8.8.8.8" } },
        }),
      },
    ],
    ["GET /health", { url: `${base}/health` }],
  ];
  const rows: string[] = [];
  for (const [name, options] of cases) {
    const result = await autocannon({ ...options, connections: 10, duration: seconds });
    const goal = GOALS[name] ?? 0;
    const rps = Math.round(result.requests.average);
    const errors = result.errors + result.non2xx;
    rows.push(
      `| ${name} | ${rps} | ${result.latency.p99} | ${errors} | ${goal} | ${rps >= goal ? "met" : "missed"} |`,
    );
  }
  console.log(`\nLoopback, 10 connections, ${seconds} s each, server and load generator on this machine:\n`);
  console.log("| case | req/s | p99 ms | errors | goal req/s | goal |");
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
} finally {
  server.kill("SIGTERM");
}
