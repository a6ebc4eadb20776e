import type { Deps } from "../deps.js";
import { PRLIMIT } from "../exec/sandbox.js";
import { findBinary } from "../exec/binaries.js";
import { describeScope } from "../policy/scope.js";
import { printLine } from "./output.js";
import { toolStatus } from "./tool-status.js";

export type Level = "ok" | "warn" | "fail";

/**
 * `security-mcp validate`: one line per finding. Exit 0 when usable, 1 when not (config errors exit 2
 * before this runs).
 */
export async function validateCommand(deps: Deps, configFile: string | undefined): Promise<number> {
  const findings: [Level, string][] = [];
  const add = (level: Level, text: string): void => {
    findings.push([level, text]);
  };
  add("ok", `config: valid (${configFile ? `file ${configFile}` : "built-in defaults"} + environment)`);
  add(
    "ok",
    `scope: allowed ${describeScope(deps.scope.allowed)}; excluded ${describeScope(deps.scope.excluded)}`,
  );
  if (deps.config.security.allow_intrusive)
    add("warn", "security.allow_intrusive is on: intrusive options and scripts are allowed");
  add(
    findBinary("prlimit", ["/usr/bin"]) === PRLIMIT ? "ok" : "fail",
    `sandbox: ${PRLIMIT} ${findBinary("prlimit", ["/usr/bin"]) ? "found (resource limits on every tool)" : "missing: tools cannot run without resource limits (install util-linux)"}`,
  );
  const { mode, reason } = deps.sandbox;
  if (mode === "bwrap")
    add(
      "ok",
      "sandbox: bwrap (private filesystem view, pid namespace, dies with the server, capabilities dropped)",
    );
  else
    add(
      deps.config.sandbox.required ? "fail" : "warn",
      `sandbox: limits only (${reason ?? "bwrap unavailable"})${deps.config.sandbox.required ? "; sandbox.required refuses every call" : reason?.includes("not found") ? "; install bubblewrap for isolation" : "; where namespaces are blocked (a container), the container is the boundary"}`,
    );
  add(...(await privilegesFinding(deps)));
  let usableTools = 0;
  for (const spec of deps.tools) {
    const status = await toolStatus(spec, deps);
    if (!status.enabled) add("ok", `tool ${spec.name}: disabled by tool.include/tool.exclude`);
    else if (!status.binary)
      add("fail", `tool ${spec.name}: ${spec.binary} not found; install it (apt-get install ${spec.binary})`);
    else if (spec.requiresRaw && !deps.netRaw && !(await deps.binaryHasNetRaw(status.binary)))
      add(
        "warn",
        `tool ${spec.name}: ${status.binary} needs raw sockets and will refuse every call; run as root or: setcap cap_net_raw+ep ${status.binary}`,
      );
    else {
      usableTools++;
      add("ok", `tool ${spec.name}: ${status.binary} (${status.version ?? "version unknown"})`);
    }
  }
  const catalog = deps.catalogs.nmapScripts();
  if (catalog instanceof Error)
    add("warn", `nmap scripts: unavailable (${catalog.message}); scripts will be refused`);
  else {
    const tiers = [...catalog.byName.values()].reduce<Record<string, number>>(
      (n, s) => ({ ...n, [s.tier]: (n[s.tier] ?? 0) + 1 }),
      {},
    );
    add(
      "ok",
      `nmap scripts: ${tiers.allowed ?? 0} allowed, ${tiers.intrusive ?? 0} need allow_intrusive, ${tiers.never ?? 0} never`,
    );
  }
  if (usableTools === 0) add("fail", "no enabled tool has its binary installed");
  for (const [level, text] of findings) printLine(`${level.padEnd(4)} ${text}`);
  return findings.some(([level]) => level === "fail") ? 1 : 0;
}

/**
 * Raw sockets come from the server's own CAP_NET_RAW, or (without bwrap, which sets no_new_privs) from file
 * capabilities on the scanners themselves, as in the Docker image.
 */
export async function privilegesFinding(deps: Deps): Promise<[Level, string]> {
  if (deps.netRaw)
    return ["ok", "privileges: CAP_NET_RAW present: SYN/UDP scans and OS detection are available"];
  const withFileCaps: string[] = [];
  if (deps.sandbox.mode === "limits")
    for (const name of ["nmap", "masscan"]) {
      const binary = deps.findBinary(name);
      if (binary !== null && (await deps.binaryHasNetRaw(binary))) withFileCaps.push(name);
    }
  if (withFileCaps.length > 0)
    return [
      "ok",
      `privileges: no CAP_NET_RAW in the server, but ${withFileCaps.join(" and ")} carry cap_net_raw as a file capability: their raw scans work`,
    ];
  return ["warn", "privileges: no CAP_NET_RAW: connect scans only; SYN/UDP/OS detection are refused"];
}
