// 4. HTTP throughput on loopback with autocannon (10 connections, this process): tools/list on a warm MCP
// session, a tool call the policy refuses, GET /health, GET /metrics; the minimal SDK server alongside.
import autocannon from "autocannon";
import { httpProcess, median, round, sleep, type HttpProcess } from "./lib.js";
import type { Row } from "./report.js";

const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** Opens an MCP session the way a client does; the headers every later request of it carries. */
async function session(base: string): Promise<Record<string, string>> {
  const init = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "bench", version: "1" },
      },
    }),
  });
  const id = init.headers.get("mcp-session-id");
  await init.text();
  if (!id) throw new Error("no MCP session");
  const headers = { ...HEADERS, "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" };
  await fetch(`${base}/mcp`, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  return headers;
}

interface Case {
  readonly name: string;
  readonly goal: number;
  /** autocannon options for our server, and for the minimal server (the floor), if it has one. */
  readonly ours: (server: HttpProcess, headers: Record<string, string>) => autocannon.Options;
  readonly floor?: (server: HttpProcess, headers: Record<string, string>) => autocannon.Options;
}

const mcp = (body: unknown) => (server: HttpProcess, headers: Record<string, string>) => ({
  url: `${server.base}/mcp`,
  method: "POST" as const,
  headers,
  body: JSON.stringify(body),
});

// 10.0.0.1 lies outside the loopback-only scope: refused before anything runs (checked below).
const REFUSED = {
  jsonrpc: "2.0",
  id: 3,
  method: "tools/call",
  params: { name: "nmap", arguments: { target: "10.0.0.1" } },
};
const CASES: Case[] = [
  {
    name: "tools/list on a warm MCP session",
    goal: 5000,
    ours: mcp({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    floor: mcp({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  },
  {
    name: "tools/call refused by policy (target outside the scope)",
    goal: 3000,
    ours: mcp(REFUSED),
    // The minimal server's cheapest refusal: its own scope check, no process started.
    floor: mcp({
      ...REFUSED,
      params: { name: "nmap", arguments: { target: "10.0.0.1", argv: ["nmap", "10.0.0.1"] } },
    }),
  },
  {
    name: "GET /health",
    goal: 10_000,
    ours: (s) => ({ url: `${s.base}/health` }),
    floor: (s) => ({ url: `${s.base}/health` }),
  },
  { name: "GET /metrics", goal: 2000, ours: (s) => ({ url: `${s.base}/metrics` }) },
];

async function load(
  options: autocannon.Options,
  seconds: number,
): Promise<{ rps: number; p99: number; bad: number }> {
  const result = await autocannon({ ...options, connections: 10, duration: seconds });
  return { rps: result.requests.average, p99: result.latency.p99, bad: result.errors + result.non2xx };
}

/** The refused call really is a scope refusal, not some other error. */
async function checkRefusal(base: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(`${base}/mcp`, { method: "POST", headers, body: JSON.stringify(REFUSED) });
  const text = await response.text();
  if (!text.includes('"error_type":"scope_denied"'))
    throw new Error(`refused call did not say scope_denied: ${text}`);
}

export async function throughput(runs: number, seconds: number): Promise<Row[]> {
  // Defaults, except the highest rate limit the config allows (100,000 calls a minute, bursts of 10,000);
  // audit log on (in a temp directory). Refused-call runs start with a full bucket and are checked after.
  const ours = await httpProcess("cli", {
    MCP_SERVER_RATE_LIMIT: "100000",
    MCP_SERVER_RATE_BURST: "10000",
  });
  const minimal = await httpProcess("minimal");
  try {
    const ourHeaders = await session(ours.base);
    const minimalHeaders = await session(minimal.base);
    await checkRefusal(ours.base, ourHeaders);
    const rows: Row[] = [];
    for (const c of CASES) {
      const own: { rps: number; p99: number; bad: number }[] = [];
      const floor: { rps: number; p99: number; bad: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const refusal = c.ours === CASES[1]?.ours;
        if (refusal) await sleep(6000); // the rate-limit bucket refills (10,000 at 1,667 a second)
        own.push(await load(c.ours(ours, ourHeaders), seconds));
        if (refusal) await checkRefusal(ours.base, ourHeaders);
        if (c.floor) floor.push(await load(c.floor(minimal, minimalHeaders), seconds));
      }
      const rps = median(own.map((r) => r.rps));
      const bad = own.reduce((n, r) => n + r.bad, 0);
      rows.push({
        section: "throughput",
        measure: c.name,
        value: `${Math.round(rps)} req/s, p99 ${round(median(own.map((r) => r.p99)), 0)} ms${bad ? `, ${bad} errors` : ""}`,
        floor: c.floor
          ? `minimal SDK server ${Math.round(median(floor.map((r) => r.rps)))} req/s, p99 ${round(median(floor.map((r) => r.p99)), 0)} ms`
          : "",
        goal: `≥ ${c.goal} req/s`,
        met: rps >= c.goal && bad === 0,
      });
    }
    return rows;
  } finally {
    await ours.stop();
    await minimal.stop();
  }
}
