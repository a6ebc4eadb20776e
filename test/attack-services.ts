import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./ports.js";

const VULNERABLE_APP = new URL("./fixtures/vulnerable-app.py", import.meta.url).pathname;

export interface RunningService {
  readonly port: number;
  stop(): void;
}

/**
 * The deliberately injectable web app (python3 + sqlite3) on 127.0.0.1; resolves once it listens. Its refresh
 * pages point at `elsewhere`.
 */
export async function startVulnerableApp(elsewhere = "http://127.0.0.2:9/"): Promise<RunningService> {
  const port = await freePort();
  const child = spawn("/usr/bin/python3", [VULNERABLE_APP, String(port), elsewhere], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await waitForOutput(child, "ready");
  return { port, stop: () => child.kill() };
}

/** Records the dig tests read, served by dnsmasq on 127.0.0.1 (authoritative for lab.internal only). */
export const LAB_RECORDS = {
  www: "127.0.0.5",
  mx: "mail.lab.internal.",
  txt: "v=spf1 -all",
} as const;

/**
 * dnsmasq as a small authoritative server for lab.internal only: no config file, no upstream, no hosts file,
 * in the foreground, bound to one address; `records` are its record options.
 */
export function dnsmasqArgs(address: string, port: number, records: readonly string[]): string[] {
  return [
    "--keep-in-foreground",
    "--conf-file=/dev/null",
    "--no-resolv",
    "--no-hosts",
    "--pid-file=",
    "--bind-interfaces",
    `--listen-address=${address}`,
    `--port=${port}`,
    "--local=/lab.internal/",
    ...records,
  ];
}

export async function startDnsServer(): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(
    "dnsmasq",
    dnsmasqArgs("127.0.0.1", port, [
      `--host-record=www.lab.internal,${LAB_RECORDS.www}`,
      `--mx-host=lab.internal,${LAB_RECORDS.mx.slice(0, -1)},10`,
      `--txt-record=lab.internal,${LAB_RECORDS.txt}`,
      "--ptr-record=5.0.0.127.in-addr.arpa,www.lab.internal",
    ]),
    { stdio: "ignore" },
  );
  // Ready when it answers on loopback (asked directly, never through the machine's resolver).
  const deadline = Date.now() + 5000;
  for (;;) {
    const probe = spawnSync(
      "dig",
      ["-r", "+time=1", "+tries=1", "-p", String(port), "@127.0.0.1", "www.lab.internal"],
      {
        encoding: "utf8",
      },
    );
    if (probe.stdout.includes("status: NOERROR")) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("dnsmasq did not answer on 127.0.0.1");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, stop: () => child.kill() };
}

async function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  let seen = "";
  const stdout = child.stdout;
  if (!stdout) throw new Error("no stdout to watch");
  const ready = new Promise<void>((resolve, reject) => {
    stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    child.once("exit", (code) => {
      reject(new Error(`exited with ${code} before printing ${text}`));
    });
  });
  const timeout = setTimeout(() => child.kill(), 10_000);
  try {
    await Promise.race([ready, once(child, "error").then(([e]) => Promise.reject(e as Error))]);
  } finally {
    clearTimeout(timeout);
  }
}
