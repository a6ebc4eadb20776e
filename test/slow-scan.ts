import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { processesMatching, waitFor } from "./helpers.js";

/**
 * Starts an nmap scan of loopback slow enough to still run when the test acts (1 s between probes), on a
 * port range no other test uses so its process can be found in /proc, and waits until nmap is running.
 */
export async function startSlowScan(
  client: Client,
  signal?: AbortSignal,
): Promise<{ ports: string; call: Promise<unknown> }> {
  const ports = `${30_000 + Math.floor(Math.random() * 20_000)}-65000`;
  const call = client.callTool(
    { name: "nmap", arguments: { target: "127.0.0.1", ports, extra_args: "--scan-delay 1s -Pn" } },
    undefined,
    signal ? { signal } : {},
  );
  call.catch(() => undefined);
  assert.ok(await waitFor(() => nmapRunning(ports), 10_000), "nmap never started");
  return { ports, call };
}

export function nmapRunning(ports: string): boolean {
  return processesMatching("/usr/bin/nmap", ports).length > 0;
}

/** Cancels a running slow scan through the client and checks that nmap is gone soon after. */
export async function assertCancelKillsNmap(client: Client): Promise<void> {
  const controller = new AbortController();
  const { ports, call } = await startSlowScan(client, controller.signal);
  controller.abort();
  await assert.rejects(call);
  assert.ok(await waitFor(() => !nmapRunning(ports), 5000), "nmap survived the cancel");
}
