import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BWRAP = "/usr/bin/bwrap";
export const SETPRIV = "/usr/bin/setpriv";

/** How tools are isolated on this machine, found by probing at start, never assumed. */
export type SandboxMode = "bwrap" | "limits";

export interface SandboxStatus {
  readonly mode: SandboxMode;
  /** Why bwrap is not used, when it is not. */
  readonly reason: string | null;
}

export interface SandboxCall {
  readonly workdir: string;
  /** The call needs raw sockets: keep uid 0 with CAP_NET_RAW only, since a user namespace would lose it. */
  readonly raw: boolean;
  /** Directories the tool must read besides the system (wordlist directories). */
  readonly readOnly: readonly string[];
  readonly tmpBytes: number;
}

/** What every tool may see: the system read-only, the files name resolution and TLS need, nothing else. */
const SYSTEM_BINDS = [
  ["--ro-bind", "/usr", "/usr"],
  ["--symlink", "usr/bin", "/bin"],
  ["--symlink", "usr/sbin", "/sbin"],
  ["--symlink", "usr/lib", "/lib"],
  ["--symlink", "usr/lib64", "/lib64"],
  ["--ro-bind", "/etc/alternatives", "/etc/alternatives"],
  ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"],
  ...["resolv.conf", "hosts", "nsswitch.conf", "host.conf", "gai.conf", "services", "protocols", "ssl"].map(
    (f) => ["--ro-bind-try", `/etc/${f}`, `/etc/${f}`],
  ),
  ["--proc", "/proc"],
  ["--dev", "/dev"],
].flat();

/**
 * The bwrap prefix for one call: new pid/ipc/uts namespaces and session, dies with the server, private
 * size-capped /tmp, only the call's working directory writable, no home, no project files. Calls that
 * need no raw sockets also run as nobody in a user namespace; raw calls keep uid 0 with CAP_NET_RAW only.
 */
export function bwrapArgv(call: SandboxCall): string[] {
  const identity = call.raw
    ? ["--cap-drop", "ALL", "--cap-add", "CAP_NET_RAW"]
    : ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"];
  const reads = call.readOnly.flatMap((dir) => {
    const real = realOrNull(dir);
    return real === null ? [] : ["--ro-bind", real, real];
  });
  return [
    BWRAP,
    "--die-with-parent",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--new-session",
    ...SYSTEM_BINDS,
    "--size",
    String(call.tmpBytes),
    "--tmpfs",
    "/tmp",
    ...reads,
    "--bind",
    call.workdir,
    call.workdir,
    "--chdir",
    call.workdir,
    ...identity,
    "--",
  ];
}

/**
 * Without bwrap, the tool still dies with the server: setpriv sets its parent-death signal, so even a
 * SIGKILLed server takes the tool along (children the tool forks are not covered; see README).
 */
export function limitsOnlyArgv(): string[] {
  return [SETPRIV, "--pdeathsig", "KILL", "--"];
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

interface ProbeOutcome {
  readonly status: number | null;
  readonly stderr: string;
  readonly error?: string;
}

/** The probes to run: the plain variant, and the raw-socket one when the server could hand CAP_NET_RAW on. */
function probeArgvs(workdir: string, withRaw: boolean): { raw: boolean; argv: string[] }[] {
  return (withRaw ? [false, true] : [false]).map((raw) => ({
    raw,
    argv: [...bwrapArgv({ workdir, raw, readOnly: [], tmpBytes: 1024 * 1024 }), "/bin/true"],
  }));
}

function verdict(outcomes: readonly { raw: boolean; outcome: ProbeOutcome }[]): SandboxStatus {
  const failed = outcomes.find(({ outcome }) => outcome.status !== 0);
  if (!failed) return { mode: "bwrap", reason: null };
  const { raw, outcome } = failed;
  return {
    mode: "limits",
    reason: `bwrap cannot create its sandbox here${raw ? " for raw-socket calls" : ""}: ${(outcome.stderr || outcome.error || `exit ${outcome.status}`).trim()}`,
  };
}

const NOT_INSTALLED: SandboxStatus = {
  mode: "limits",
  reason: `${BWRAP} not found (apt-get install bubblewrap)`,
};

/**
 * Runs bwrap with the options real calls use (the raw-socket variant only when the server holds
 * CAP_NET_RAW, since only then can it hand it on); any failure means limits only, with the reason.
 */
export function probeSandbox(withRaw: boolean): SandboxStatus {
  if (!existsSync(BWRAP)) return NOT_INSTALLED;
  const workdir = mkdtempSync(join(tmpdir(), "security-mcp-probe-"));
  try {
    return verdict(
      probeArgvs(workdir, withRaw).map(({ raw, argv }) => {
        const result = spawnSync(argv[0] ?? BWRAP, argv.slice(1), { encoding: "utf8", timeout: 10_000 });
        return {
          raw,
          outcome: { status: result.status, stderr: result.stderr, error: result.error?.message },
        };
      }),
    );
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

/** The same probe without blocking start-up: both variants at once. */
export async function probeSandboxAsync(withRaw: boolean): Promise<SandboxStatus> {
  if (!existsSync(BWRAP)) return NOT_INSTALLED;
  const workdir = await mkdtemp(join(tmpdir(), "security-mcp-probe-"));
  try {
    const outcomes = await Promise.all(
      probeArgvs(workdir, withRaw).map(
        ({ raw, argv }) =>
          new Promise<{ raw: boolean; outcome: ProbeOutcome }>((resolve) => {
            execFile(
              argv[0] ?? BWRAP,
              argv.slice(1),
              { encoding: "utf8", timeout: 10_000 },
              (error, _out, stderr) => {
                const status = error === null ? 0 : typeof error.code === "number" ? error.code : null;
                resolve({ raw, outcome: { status, stderr, error: error?.message } });
              },
            );
          }),
      ),
    );
    return verdict(outcomes);
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}
