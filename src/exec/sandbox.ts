/** Resource limits applied to every tool by exec'ing it through prlimit (same pid, about 1 ms). */
export interface ResourceLimits {
  /** CPU seconds: SIGXCPU at the soft limit, SIGKILL at the hard one. */
  readonly cpuSeconds: number;
  readonly maxFileBytes: number;
  readonly maxOpenFiles: number;
  /** Data-segment cap; unlike an address-space limit it lets Go programs start. */
  readonly maxDataBytes: number;
}

export const PRLIMIT = "/usr/bin/prlimit";

/** The minimal environment a tool sees: nothing of the server's (no keys, no proxies, no NMAPDIR). */
export function toolEnvironment(workdir: string): Record<string, string> {
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C",
    LC_ALL: "C",
    HOME: workdir,
    TMPDIR: workdir,
  };
}

/**
 * Wraps argv in prlimit. Soft and hard CPU limits differ on purpose: equal values go straight to SIGKILL.
 * No address-space limit: Go tools reserve large virtual ranges at start and die under one.
 */
export function limitedArgv(argv: readonly string[], limits: ResourceLimits): string[] {
  return [
    PRLIMIT,
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 10}`,
    `--fsize=${limits.maxFileBytes}`,
    `--nofile=${limits.maxOpenFiles}`,
    `--data=${limits.maxDataBytes}`,
    "--core=0",
    "--",
    ...argv,
  ];
}
