// 1. Per-call overhead: the same nmap scan of loopback ports run directly, through `security-mcp run`, and
// through MCP over stdio and HTTP (with and without bwrap), next to the minimal SDK server running the very
// same argv. Paths take turns within each round; a path's overhead is the median of its paired differences
// to the direct run of the same round.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { listenLoopback } from "../test/helpers.js";
import {
  CLI,
  httpServer,
  median,
  round,
  runTimed,
  serverEnv,
  stdioServer,
  type Mcp,
  type ServerKind,
} from "./lib.js";
import type { Row } from "./report.js";

interface Scan {
  readonly label: string;
  readonly input: Record<string, unknown>;
}

/** The argv the server ran (structuredContent.command), after checking the call succeeded. */
function commandOf(result: CallToolResult): string[] {
  const fields = result.structuredContent as { command?: string[]; error_type?: string | null } | undefined;
  if (!fields?.command?.length || fields.error_type)
    throw new Error(`benchmark scan failed: ${JSON.stringify(result.content)}`);
  return fields.command;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function overhead(rounds: number, longRounds: number): Promise<Row[]> {
  const listener = await listenLoopback();
  const target = "127.0.0.1";
  const short: Scan = { label: "~30 ms scan", input: { target, ports: `1-99,${listener.port}` } };
  const long: Scan = {
    label: "~1 s scan",
    input: { target, ports: `1-99,${listener.port}`, extra_args: "--scan-delay 10ms" },
  };
  const servers = new Map<string, Mcp>();
  const start = async (name: string, kind: ServerKind, http: boolean): Promise<void> => {
    servers.set(name, await (http ? httpServer(kind) : stdioServer(kind)));
  };
  try {
    await start("stdio", "cli", false);
    await start("http", "cli", true);
    await start("stdio, no bwrap", "limits", false);
    await start("http, no bwrap", "limits", true);
    await start("minimal stdio", "minimal", false);
    await start("minimal http", "minimal", true);
    const ours = servers.get("stdio");
    if (!ours) throw new Error("unreachable");
    const rows: Row[] = [];
    for (const [scan, n] of [
      [short, rounds],
      [long, longRounds],
    ] as const) {
      const argv = commandOf(await ours.call("nmap", scan.input));
      const paths: [string, () => Promise<unknown>][] = [["direct", () => runTimed(argv)]];
      for (const [name, server] of servers) {
        const call = name.startsWith("minimal")
          ? () => server.call("nmap", { target, argv })
          : () => server.call("nmap", scan.input);
        await call(); // warm
        paths.push([name, call]);
      }
      if (scan === short) {
        const runEnv = { ...process.env, ...serverEnv({ LOG_LEVEL: "error" }) };
        const runArgv = [
          process.execPath,
          CLI,
          "run",
          "nmap",
          "--target",
          target,
          "--input",
          JSON.stringify(scan.input),
          "--json",
        ];
        paths.push(["security-mcp run", () => runTimed(runArgv, runEnv)]);
      }
      const times = new Map<string, number[]>(paths.map(([name]) => [name, []]));
      for (let r = 0; r < n; r++) {
        // Rotate the order so no path always runs right after another.
        for (let i = 0; i < paths.length; i++) {
          const path = paths[(i + r) % paths.length];
          if (!path) continue;
          const [name, run] = path;
          times.get(name)?.push(await timed(run));
        }
      }
      const direct = times.get("direct") ?? [];
      const directMs = median(direct);
      rows.push({
        section: "overhead",
        measure: `${scan.label}: nmap run directly`,
        value: `${round(directMs)} ms`,
        floor: "",
        goal: "",
        met: null,
      });
      const minimal = (name: string): number =>
        median((times.get(name) ?? []).map((t, i) => t - (direct[i] ?? 0)));
      for (const [name] of paths.slice(1)) {
        const own = times.get(name) ?? [];
        const added = median(own.map((t, i) => t - (direct[i] ?? 0)));
        const ratio = median(own.map((t, i) => t / (direct[i] ?? 1)));
        const floorName = name.includes("http") ? "minimal http" : "minimal stdio";
        const isFloor = name.startsWith("minimal");
        const bwrap = !name.includes("no bwrap") && name !== "security-mcp run";
        let goal = "";
        let met: boolean | null = null;
        if (!isFloor && name !== "security-mcp run") {
          if (scan === short) {
            const limit = bwrap ? 6 : 1.5;
            goal = `≤ ${limit} ms added${bwrap ? " (bwrap)" : ""}`;
            met = added <= limit;
          } else {
            goal = "ratio ≤ 1.01";
            met = ratio <= 1.01;
          }
        }
        rows.push({
          section: "overhead",
          measure: `${scan.label}: ${name}`,
          value: `+${round(added, 2)} ms (${round(median(own))} ms, ratio ${round(ratio, 3)})`,
          floor:
            isFloor || name === "security-mcp run"
              ? ""
              : `minimal SDK server +${round(minimal(floorName), 2)} ms`,
          goal,
          met,
        });
      }
    }
    return rows;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.close().catch(() => undefined)));
    await listener.close();
  }
}
