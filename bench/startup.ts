// 2. Start-up: `security-mcp serve --transport stdio` spawned to its first tools/list answer.
// 3. Memory: RSS idle, and with 50 calls queued behind a per-tool concurrency of 2.
import { spawn } from "node:child_process";
import { listenLoopback } from "../test/helpers.js";
import { median, round, rssMiB, serverArgv, serverEnv, sleep, stdioServer, type ServerKind } from "./lib.js";
import type { Row } from "./report.js";

const HANDSHAKE = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
]
  .map((m) => `${JSON.stringify(m)}\n`)
  .join("");

/** Spawns a stdio server, sends the handshake and tools/list at once; ms to the tools/list answer, and RSS after `idleMs`. */
async function startOnce(kind: ServerKind, idleMs: number): Promise<{ ms: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, serverArgv(kind, "stdio"), {
    env: serverEnv({ MCP_AUDIT_ENABLED: "false" }),
    stdio: ["pipe", "pipe", "ignore"],
  });
  child.stdin.write(HANDSHAKE);
  let out = "";
  const ms = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"id":2')) resolve(performance.now() - started);
    });
    child.once("exit", () => {
      reject(new Error(`${kind} server exited before answering`));
    });
  });
  let rss = 0;
  if (idleMs > 0) {
    await sleep(idleMs);
    rss = rssMiB(child.pid);
  }
  child.kill("SIGKILL");
  return { ms, rss };
}

export async function startup(runs: number): Promise<Row[]> {
  const ours: number[] = [];
  const minimal: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push((await startOnce("cli", 0)).ms);
    minimal.push((await startOnce("minimal", 0)).ms);
  }
  return [
    {
      section: "start-up",
      measure: "`serve --transport stdio` to the first tools/list answer (median)",
      value: `${round(median(ours), 0)} ms (min ${round(Math.min(...ours), 0)})`,
      floor: `minimal SDK server ${round(median(minimal), 0)} ms`,
      goal: "≤ 150 ms",
      met: median(ours) <= 150,
    },
  ];
}

export async function memory(runs: number, idleMs: number): Promise<Row[]> {
  const idle: number[] = [];
  const idleMinimal: number[] = [];
  for (let i = 0; i < runs; i++) {
    idle.push((await startOnce("cli", idleMs)).rss);
    idleMinimal.push((await startOnce("minimal", idleMs)).rss);
  }
  const queued = await underLoad("cli");
  const queuedMinimal = await underLoad("minimal");
  return [
    {
      section: "memory",
      measure: `RSS idle (${idleMs / 1000} s after tools/list, median)`,
      value: `${round(median(idle))} MiB`,
      floor: `minimal SDK server ${round(median(idleMinimal))} MiB`,
      goal: "≤ 70 MiB",
      met: median(idle) <= 70,
    },
    {
      section: "memory",
      measure: "RSS with 50 nmap calls queued behind a concurrency of 2 (peak)",
      value: `${round(queued)} MiB`,
      floor: `minimal SDK server running all 50 at once ${round(queuedMinimal)} MiB`,
      goal: "≤ 120 MiB",
      met: queued <= 120,
    },
  ];
}

/** Peak RSS over 3 s while 50 slow loopback scans are in flight (ours: 2 running, 48 queued). */
async function underLoad(kind: ServerKind): Promise<number> {
  const listener = await listenLoopback();
  const server = await stdioServer(kind, {
    MCP_TOOL_DEFAULT_CONCURRENCY: "2",
    MCP_TOOL_QUEUE_SIZE: "64",
    MCP_AUDIT_ENABLED: "false",
  });
  try {
    const input = { target: "127.0.0.1", ports: `1-99,${listener.port}`, extra_args: "--scan-delay 10ms" };
    const argv = [
      "/usr/bin/nmap",
      "-oX",
      "-",
      "-n",
      "-sT",
      "-p",
      input.ports,
      "--scan-delay",
      "10ms",
      "--",
      "127.0.0.1",
    ];
    const args = kind === "minimal" ? { target: input.target, argv } : input;
    const calls = Array.from({ length: 50 }, () => server.call("nmap", args).catch(() => undefined));
    let peak = 0;
    for (let i = 0; i < 30; i++) {
      await sleep(100);
      peak = Math.max(peak, rssMiB(server.pid));
    }
    void Promise.all(calls);
    return peak;
  } finally {
    await server.close().catch(() => undefined);
    await listener.close();
  }
}
