import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

const CAP_NET_RAW = 13n;

/** Whether this process can open raw sockets (CAP_NET_RAW in its effective set), read from the kernel. */
export function hasNetRaw(statusText = readFileSync("/proc/self/status", "utf8")): boolean {
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(statusText);
  if (!match?.[1]) return false;
  return ((BigInt("0x" + match[1]) >> CAP_NET_RAW) & 1n) === 1n;
}

/**
 * Whether a binary carries cap_net_raw as a permitted file capability (so it can open raw sockets when run
 * by an unprivileged server). Read with getcap; without getcap the answer is no, which only means refusing.
 */
export function binaryHasNetRaw(binary: string): boolean {
  const getcap = ["/usr/sbin/getcap", "/sbin/getcap"].find((p) => existsSync(p));
  if (!getcap) return false;
  const result = spawnSync(getcap, [binary], {
    encoding: "utf8",
    timeout: 5000,
    env: { PATH: "/usr/bin:/bin" },
  });
  return result.status === 0 && /cap_net_raw[^ ]*[+=][a-z]*p/.test(result.stdout);
}
