import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

/**
 * A sealed lab: two network namespaces joined only by a veth pair, 10.x addresses on both ends (inside the
 * default scope), nothing else. The scanner side's default route points at the target side (masscan needs a
 * router MAC), and since the veth is the only link, nothing sent inside can leave. /etc/netns/<scanner>/
 * gives the scanner side its own hosts and resolv.conf (pointing at the target side).
 */
export interface Lab {
  readonly scannerNs: string;
  readonly targetNs: string;
  readonly scannerIp: string;
  readonly targetIp: string;
  /** argv that runs `argv` inside the scanner namespace. */
  inScanner(argv: readonly string[]): string[];
  /** Starts a long-running service inside the target namespace; it is killed on destroy. */
  startInTarget(argv: readonly string[]): ChildProcess;
  destroy(): void;
}

function ip(...args: string[]): string {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`ip ${args.join(" ")}: ${result.stderr.trim() || result.error?.message}`);
  return result.stdout;
}

/** Why the lab cannot be built on this machine, or null when it can. */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "lab tests need root (network namespaces); CI runs them as root";
  const probe = `smcp-probe-${process.pid}`;
  const added = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (added.status !== 0)
    return `cannot create network namespaces here: ${added.stderr.trim() || added.error?.message}`;
  spawnSync("ip", ["netns", "del", probe]);
  return null;
}

/** Builds the lab; `hostNames` resolve to the target side inside the scanner namespace (its /etc/hosts). */
export function createLab(hostNames: readonly string[] = []): Lab {
  const id = `${process.pid.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.slice(-5);
  const subnet = `10.99.${1 + Math.floor(Math.random() * 250)}`;
  const scannerNs = `smcp-s-${id}`;
  const targetNs = `smcp-t-${id}`;
  const scannerIf = `smcps${id}`;
  const targetIf = `smcpt${id}`;
  const scannerIp = `${subnet}.1`;
  const targetIp = `${subnet}.2`;
  const children: ChildProcess[] = [];
  const etc = `/etc/netns/${scannerNs}`;
  let destroyed = false;

  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    process.off("exit", destroy);
    for (const child of children) child.kill("SIGKILL");
    for (const ns of [scannerNs, targetNs]) {
      const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" })
        .stdout.split(/\s+/)
        .filter(Boolean);
      for (const pid of pids) spawnSync("kill", ["-9", pid]);
      spawnSync("ip", ["netns", "del", ns]);
    }
    rmSync(etc, { recursive: true, force: true });
  };
  process.on("exit", destroy);

  try {
    ip("netns", "add", scannerNs);
    ip("netns", "add", targetNs);
    ip("link", "add", scannerIf, "type", "veth", "peer", "name", targetIf);
    ip("link", "set", scannerIf, "netns", scannerNs);
    ip("link", "set", targetIf, "netns", targetNs);
    ip("-n", scannerNs, "addr", "add", `${scannerIp}/24`, "dev", scannerIf);
    ip("-n", targetNs, "addr", "add", `${targetIp}/24`, "dev", targetIf);
    for (const [ns, dev] of [
      [scannerNs, scannerIf],
      [targetNs, targetIf],
    ] as const) {
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "set", dev, "up");
    }
    ip("-n", scannerNs, "route", "add", "default", "via", targetIp);
    mkdirSync(etc, { recursive: true });
    const lines = hostNames.map((name) => `${targetIp} ${name}`);
    writeFileSync(`${etc}/hosts`, ["127.0.0.1 localhost", ...lines, ""].join("\n"));
    writeFileSync(`${etc}/resolv.conf`, `nameserver ${targetIp}\n`);
    assertSealed(scannerNs, scannerIf);
    assertSealed(targetNs, targetIf);
  } catch (error) {
    destroy();
    throw error;
  }

  return {
    scannerNs,
    targetNs,
    scannerIp,
    targetIp,
    inScanner: (argv) => ["ip", "netns", "exec", scannerNs, ...argv],
    startInTarget: (argv) => {
      const child = spawn("ip", ["netns", "exec", targetNs, ...argv], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      children.push(child);
      return child;
    },
    destroy,
  };
}

/** Refuses to go on unless the namespace's only interfaces are loopback and the lab veth. */
function assertSealed(ns: string, veth: string): void {
  const names = ip("-n", ns, "-o", "link", "show")
    .split("\n")
    .filter(Boolean)
    .map((line) => (line.split(":")[1] ?? "").trim().replace(/@.*$/, ""));
  if (names.sort().join(",") !== ["lo", veth].sort().join(","))
    throw new Error(`lab namespace ${ns} is not sealed: interfaces ${names.join(", ")}`);
}

/** Waits until the target side listens on every given port (TCP, or UDP with "udp:"). */
export async function waitForListeners(
  lab: Lab,
  ports: readonly string[],
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listening = spawnSync("ip", ["netns", "exec", lab.targetNs, "ss", "-Hltun"], {
      encoding: "utf8",
    }).stdout;
    const missing = ports.filter((p) => {
      const [proto, port] = p.startsWith("udp:") ? ["udp", p.slice(4)] : ["tcp", p];
      return !new RegExp(`^${proto}\\s.*:${port}\\s`, "m").test(listening);
    });
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`lab services not listening on ${missing.join(", ")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
