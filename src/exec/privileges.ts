import { readFileSync } from "node:fs";

const CAP_NET_RAW = 13n;

/** Whether this process can open raw sockets (CAP_NET_RAW in its effective set), read from the kernel. */
export function hasNetRaw(statusText = readFileSync("/proc/self/status", "utf8")): boolean {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(statusText);
  if (!match?.[1]) return false;
  return ((BigInt("0x" + match[1]) >> CAP_NET_RAW) & 1n) === 1n;
}
